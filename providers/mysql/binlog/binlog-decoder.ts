/**
 * Stateful decoder of one binlog dump: raw events in, BinlogEvents out. It
 * keeps what the stream itself establishes: the current file and offset,
 * the format description (checksum, post-header lengths, flavour), the
 * table maps, the open transaction and (MariaDB) the GTID state. Events it
 * cannot decode without losing data throw a BinlogError; event types it
 * skips are listed in `decode` with the reason they carry no row data.
 */
import { BinlogCursor } from './binlog-cursor.js';
import { BinlogError } from './binlog-error.js';
import { EventType, eventTypeName } from './binlog-event-type.js';
import { CHECKSUM_CRC32, decodeFormatDescription, type FormatDescription } from './binlog-format-description.js';
import { decodeMariaDbGtid, decodeMariaDbGtidList, decodeMySqlGtid, MariaDbGtidState } from './binlog-gtid.js';
import { FLAG_ARTIFICIAL, FLAG_IGNORABLE, HEADER_LENGTH, readHeader, stripChecksum, type EventHeader } from './binlog-header.js';
import { decodeQuery, queryRole } from './binlog-query.js';
import { decodeRows } from './binlog-rows.js';
import { decodeTableMap } from './binlog-table-map.js';
import type { BinlogEvent, BinlogPosition, BinlogSchemaHints, BinlogTable, BinlogTextDecoder } from './binlog-types.js';

export interface BinlogDecoderOptions {
  /** The file and offset the dump starts at (the first ROTATE confirms or replaces them). */
  file?: string;
  offset?: number;
  /** MariaDB GTID state at the start (`BINLOG_GTID_POS(file, offset)`, or the state the dump starts from). */
  gtidState?: string;
  /** Checksum algorithm in force before the first FORMAT_DESCRIPTION (what `@master_binlog_checksum` was set to). */
  checksum?: 'NONE' | 'CRC32';
  /** Column facts for TABLE_MAPs without FULL metadata (see BinlogColumnHint). */
  schemaHints?: BinlogSchemaHints;
  /**
   * Only this database's rows are wanted: rows events of other databases'
   * tables are skipped undecoded (the server sends every database's events).
   */
  database?: string;
  /**
   * When given, character columns' values (CHAR/VARCHAR/TEXT of a collation
   * other than binary) come as the text it returns for their bytes instead of
   * Buffer views (no view per value; see BinlogTextDecoder).
   */
  decodeText?: BinlogTextDecoder;
}

/** Overwritten by `decode` before an event leaves it (decodeBody's events get the position after them). */
const PENDING: BinlogPosition = Object.freeze({ file: '', offset: 0 });

const ROWS_KINDS: Record<number, ['write' | 'update' | 'delete', 1 | 2]> = {
  [EventType.WRITE_ROWS_V1]: ['write', 1],
  [EventType.UPDATE_ROWS_V1]: ['update', 1],
  [EventType.DELETE_ROWS_V1]: ['delete', 1],
  [EventType.WRITE_ROWS_V2]: ['write', 2],
  [EventType.UPDATE_ROWS_V2]: ['update', 2],
  [EventType.DELETE_ROWS_V2]: ['delete', 2],
};

export class BinlogDecoder {
  private file: string;
  private offset: number;
  private fde: FormatDescription | null = null;
  private checksum: boolean;
  private readonly tables = new Map<number, BinlogTable>();
  /** The last TABLE_MAP body seen per leading bytes (the table id), with what it decoded to. */
  private readonly mapBytes = new Map<number, { raw: Buffer; tableId: number; table: BinlogTable }>();
  private readonly gtidState: MariaDbGtidState | null;
  private readonly schemaHints: BinlogSchemaHints | undefined;
  private readonly database: string | undefined;
  private decodeText: BinlogTextDecoder | undefined;
  /** One cursor for every event (nothing keeps it past the event's decode). */
  private readonly cursor = new BinlogCursor(Buffer.alloc(0));
  /** The open transaction (after its begin, before its commit). */
  private open = false;
  /** GTID of the group being read (MariaDB: from its GTID event; MySQL: from the GTID before BEGIN/DDL). */
  private groupGtid: string | undefined;
  private groupDomain = -1;

  constructor(opts: BinlogDecoderOptions = {}) {
    this.file = opts.file ?? '';
    this.offset = opts.offset ?? 4;
    this.checksum = opts.checksum === 'CRC32';
    this.schemaHints = opts.schemaHints;
    this.database = opts.database;
    this.decodeText = opts.decodeText;
    this.gtidState = opts.gtidState !== undefined ? new MariaDbGtidState(opts.gtidState) : null;
  }

  /** The position after the last decoded event. */
  position(): BinlogPosition {
    const gtid = this.gtidState?.toString();
    return gtid ? { file: this.file, offset: this.offset, gtid } : { file: this.file, offset: this.offset };
  }

  /** From the next event on, character values as `text` returns them (see BinlogDecoderOptions.decodeText). */
  setTextDecoder(text: BinlogTextDecoder | undefined): void {
    this.decodeText = text;
  }

  /** A transaction is open: the current position is not a resume point. */
  inTransaction(): boolean {
    return this.open;
  }

  /** Decode one whole event (header … checksum). Returns null for events that change nothing downstream. */
  decode(event: Buffer): BinlogEvent | null {
    const h = readHeader(event);
    let end = event.length;
    if (h.type === EventType.FORMAT_DESCRIPTION) {
      // it carries its own checksum algorithm, in the byte before the checksum: verify before trusting the rest
      if (event[event.length - 5] === CHECKSUM_CRC32) stripChecksum(event, h.type);
      this.fde = decodeFormatDescription(event);
      this.checksum = this.fde.checksum === CHECKSUM_CRC32;
      this.tables.clear(); // table ids are only valid within the file that mapped them
      this.mapBytes.clear();
      this.advance(h);
      return null;
    }
    if (this.checksum) end = stripChecksum(event, h.type);
    const c = this.cursor.reset(event, this.fde?.headerLength ?? HEADER_LENGTH, end);
    const ev = this.decodeBody(h, c);
    if (h.type !== EventType.ROTATE) this.advance(h);
    if (ev) ev.position = this.position();
    return ev;
  }

  private advance(h: EventHeader): void {
    // a heartbeat's log_pos is where the dump thread has read to, artificial or not
    const real = (h.flags & FLAG_ARTIFICIAL) === 0 || h.type === EventType.HEARTBEAT;
    if (h.logPos > 0 && real) this.offset = h.logPos;
  }

  private postHeader(type: number): number {
    return this.fde?.postHeaderLengths[type - 1] ?? 0;
  }

  private get tableIdSize(): number {
    return this.postHeader(EventType.TABLE_MAP) === 6 ? 4 : 6;
  }

  private decodeBody(h: EventHeader, c: BinlogCursor): BinlogEvent | null {
    const stamp = { timestamp: h.timestamp, position: PENDING };
    const rows = ROWS_KINDS[h.type];
    if (rows) {
      if (!this.open) throw new BinlogError('MALFORMED_EVENT', `${eventTypeName(h.type)} outside a transaction`);
      const idSize = this.tableIdSize;
      if (this.database !== undefined && c.remaining >= idSize) {
        const mapped = this.tables.get(c.buf.readUIntLE(c.pos, idSize));
        if (mapped && mapped.database !== this.database) return null;
      }
      const decoded = decodeRows(c, rows[0], rows[1], idSize, this.tables, this.decodeText);
      if (!decoded) return null;
      const t = decoded.table;
      return {
        kind: rows[0],
        database: t.database,
        table: t.table,
        columns: t.columns,
        rows: decoded.rows,
        timestamp: h.timestamp,
        position: PENDING,
      };
    }
    switch (h.type) {
      case EventType.TABLE_MAP: {
        // every transaction maps its tables again, nearly always with the same bytes: decode once, and keep
        // handing out the same table (its columns' identity lets consumers cache per table)
        const length = c.end - c.pos;
        const lead = length ? c.buf.readUIntLE(c.pos, Math.min(6, length)) : 0;
        const known = this.mapBytes.get(lead);
        if (known && sameBytes(known.raw, c.buf, c.pos, c.end)) {
          this.tables.set(known.tableId, known.table);
          return null;
        }
        const raw = Buffer.from(c.buf.subarray(c.pos, c.end));
        const map = decodeTableMap(c, this.tableIdSize, this.fde?.mariadb ?? false, this.schemaHints);
        this.tables.set(map.tableId, map.table);
        this.mapBytes.set(lead, { raw, tableId: map.tableId, table: map.table });
        return null;
      }
      case EventType.QUERY:
        return this.query(h, c, stamp);
      case EventType.XID: {
        const xid = c.u64().toString();
        return this.commit('xid', stamp, xid);
      }
      case EventType.ROTATE: {
        const offset = Number(c.u64());
        const file = c.rest().toString('latin1');
        if (this.open) throw new BinlogError('MALFORMED_EVENT', `ROTATE to ${file} inside a transaction`);
        // the dump thread repeats a real ROTATE with an artificial one as it opens the file, and starts with one
        if (file === this.file && offset === this.offset) return null;
        this.file = file;
        this.offset = offset;
        return { kind: 'rotate', timestamp: h.timestamp, position: PENDING };
      }
      case EventType.HEARTBEAT: {
        const file = c.rest().toString('latin1');
        if (file) this.file = file;
        return { kind: 'heartbeat', ...stamp };
      }
      case EventType.HEARTBEAT_V2:
        // MySQL 8.0.26+ for offsets past 4 GiB; its header log_pos is not usable: report the position unchanged
        return { kind: 'heartbeat', ...stamp };
      case EventType.MARIADB_GTID: {
        const g = decodeMariaDbGtid(c, h.serverId);
        if (this.open) throw new BinlogError('MALFORMED_EVENT', `GTID ${g.gtid} inside an open transaction`);
        this.groupGtid = g.gtid;
        this.groupDomain = g.domain;
        if (g.standalone) return null; // the statement that follows is the whole group (no COMMIT comes)
        this.open = true;
        return { kind: 'begin', gtid: g.gtid, serverId: h.serverId, ...stamp };
      }
      case EventType.MARIADB_GTID_LIST:
        for (const { domain, gtid } of decodeMariaDbGtidList(c)) this.gtidState?.fill(domain, gtid);
        return null;
      case EventType.GTID:
      case EventType.ANONYMOUS_GTID:
        this.groupGtid = decodeMySqlGtid(c, h.type === EventType.ANONYMOUS_GTID) ?? undefined;
        return null;
      // No row data in these, so skipping them loses nothing:
      case EventType.STOP: // the server shut down; a ROTATE to the next file follows
      case EventType.INTVAR: // INSERT_ID / LAST_INSERT_ID for a statement-logged query (logged as its own QUERY)
      case EventType.RAND: // RAND() seeds for a statement-logged query
      case EventType.USER_VAR: // @variables for a statement-logged query
      case EventType.ROWS_QUERY: // the SQL text behind row events (binlog_rows_query_log_events)
      case EventType.MARIADB_ANNOTATE_ROWS: // same, MariaDB (only sent when asked for)
      case EventType.PREVIOUS_GTIDS: // MySQL: GTIDs of earlier files
      case EventType.MARIADB_BINLOG_CHECKPOINT: // MariaDB: crash-recovery bookkeeping
      case EventType.TRANSACTION_CONTEXT: // group replication certification data
      case EventType.VIEW_CHANGE: // group replication membership change
      case EventType.MARIADB_START_ENCRYPTION: // the dump thread decrypts: events arrive in clear
      case EventType.IGNORABLE:
        return null;
      case EventType.MARIADB_QUERY_COMPRESSED:
      case EventType.MARIADB_WRITE_ROWS_COMPRESSED_V1:
      case EventType.MARIADB_UPDATE_ROWS_COMPRESSED_V1:
      case EventType.MARIADB_DELETE_ROWS_COMPRESSED_V1:
      case EventType.MARIADB_WRITE_ROWS_COMPRESSED:
      case EventType.MARIADB_UPDATE_ROWS_COMPRESSED:
      case EventType.MARIADB_DELETE_ROWS_COMPRESSED:
        throw new BinlogError(
          'COMPRESSED_EVENT',
          `${eventTypeName(h.type)} at ${this.file}:${this.offset}: the source compresses its binlog (log_bin_compress=ON), which this reader does not decode; set log_bin_compress=OFF`,
        );
      case EventType.TRANSACTION_PAYLOAD:
        throw new BinlogError(
          'TRANSACTION_PAYLOAD',
          `TRANSACTION_PAYLOAD at ${this.file}:${this.offset}: the source compresses transactions (binlog_transaction_compression=ON), which this reader does not decode; set it OFF`,
        );
      case EventType.PARTIAL_UPDATE_ROWS:
        throw new BinlogError(
          'PARTIAL_UPDATE',
          `PARTIAL_UPDATE_ROWS at ${this.file}:${this.offset}: JSON updates are logged as diffs (binlog_row_value_options=PARTIAL_JSON); set it to ''`,
        );
      case EventType.INCIDENT:
        throw new BinlogError(
          'INCIDENT',
          `INCIDENT at ${this.file}:${this.offset}: the source says changes may be missing from its binlog; the copy must be redone from a new snapshot`,
        );
      case EventType.XA_PREPARE:
        throw new BinlogError(
          'UNSUPPORTED_TRANSACTION',
          `XA_PREPARE at ${this.file}:${this.offset}: XA transactions are not supported`,
        );
      default:
        if (h.flags & FLAG_IGNORABLE) return null; // the server marks it safe to skip for replicas that do not know it
        throw new BinlogError(
          'UNSUPPORTED_EVENT',
          `${eventTypeName(h.type)} at ${this.file}:${this.offset} may carry changes and this reader cannot decode it`,
        );
    }
  }

  private query(h: EventHeader, c: BinlogCursor, stamp: { timestamp: number; position: BinlogPosition }): BinlogEvent | null {
    const q = decodeQuery(c, this.postHeader(EventType.QUERY) || 13);
    const where = `${this.file}:${this.offset}`;
    switch (queryRole(q.sql)) {
      case 'begin':
        if (this.open) return null; // MariaDB's GTID event already opened it
        this.open = true;
        return { kind: 'begin', gtid: this.groupGtid, serverId: h.serverId, ...stamp };
      case 'commit':
        return this.commit('commit', stamp);
      case 'rollback':
        return this.commit('rollback', stamp);
      case 'savepoint':
        return null; // marks a point; only a later ROLLBACK TO would matter
      case 'rollback-to-savepoint':
        throw new BinlogError(
          'UNSUPPORTED_TRANSACTION',
          `ROLLBACK TO SAVEPOINT logged at ${where}: the binlog does not say which earlier rows it undid`,
        );
      case 'xa':
        throw new BinlogError('UNSUPPORTED_TRANSACTION', `XA statement at ${where}: XA transactions are not supported`);
      case 'statement': {
        const inTransaction = this.open;
        const gtid = this.groupGtid;
        if (!inTransaction) this.endGroup();
        return { kind: 'ddl', database: q.database, sql: q.sql, gtid, inTransaction, ...stamp };
      }
    }
  }

  private commit(
    via: 'xid' | 'commit' | 'rollback',
    stamp: { timestamp: number; position: BinlogPosition },
    xid?: string,
  ): BinlogEvent {
    if (!this.open)
      throw new BinlogError('MALFORMED_EVENT', `${via.toUpperCase()} without a transaction at ${this.file}:${this.offset}`);
    const gtid = this.groupGtid;
    this.endGroup();
    return xid === undefined ? { kind: 'commit', via, gtid, ...stamp } : { kind: 'commit', via, xid, gtid, ...stamp };
  }

  /** The group is over: its GTID joins the state. */
  private endGroup(): void {
    if (this.groupGtid && this.groupDomain >= 0) this.gtidState?.set(this.groupDomain, this.groupGtid);
    this.open = false;
    this.groupGtid = undefined;
    this.groupDomain = -1;
  }
}

/** `a` equals `b[start, end)` (short TABLE_MAP bodies: a loop beats a view and a native compare). */
function sameBytes(a: Buffer, b: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}
