/**
 * A MySQL/MariaDB database's committed changes as canonical change events,
 * read from the server's binary log (binlog/ reader) and filtered to the
 * database. Whole transactions at a time; a transaction larger than a batch
 * arrives as `partial` batches. Values become their canonical text
 * (DESIGN §7a): bytes as `\x` hex, text decoded in its column's charset,
 * TIMESTAMP in UTC with its zone, zero dates as they are (`ZERO_DATE_TEXT`).
 *
 * Positions are `file:offset`. A transaction's `finalPosition` is one byte
 * before the end of its first row event: it is at or after a snapshot's
 * position exactly when the transaction is not in that snapshot (snapshot
 * positions are transaction boundaries), which is the rule the engine
 * applies per table. Checkpoints are commit ends, the only resume points.
 */
import type { ChangeBatch, ChangeStream } from '../provider.js';
import type { ChangeEvent, ChangeRelation, RowImage } from '../change-event.js';
import { BINARY_COLLATION } from './binlog/binlog-collation.js';
import { columnTextDecoder, decodeColumnText, type TextDecoderOf } from './mysql-charset.js';
import type { BinlogReader } from './binlog/binlog-reader.js';
import type { BinlogColumn, BinlogEvent, BinlogRowsEvent, BinlogValue } from './binlog/binlog-types.js';
import { formatBinlogPosition } from './mysql-position.js';
import { ZERO_DATE_TEXT } from '../canonical-type.js';

/** Byte bound of one batch's row data (besides the event count). */
const MAX_BATCH_BYTES = 8 * 2 ** 20;

/** One binlog value as canonical text. */
export function canonicalBinlogValue(c: BinlogColumn, v: BinlogValue, decoders?: TextDecoderOf): string | null {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) {
    if (c.collation === BINARY_COLLATION || c.typeName === 'geometry') return `\\x${v.toString('hex')}`;
    return decodeColumnText(v, c.collation, decoders);
  }
  // a zero date stays as MySQL writes it (a MySQL destination keeps it; another engine's makes it NULL)
  if (c.typeName.startsWith('timestamp') && !ZERO_DATE_TEXT.test(v)) return `${v}+00`;
  return v;
}

interface PendingTx {
  begin: Extract<ChangeEvent, { kind: 'begin' }> | null;
  events: ChangeEvent[];
  commitTime: string;
}

export class MySqlChangeStream implements ChangeStream {
  private readonly relations = new Map<
    string,
    { rel: ChangeRelation; columns: readonly string[]; source: readonly BinlogColumn[] }
  >();
  /** Resolved events pulled ahead (a `next()` may still be running when a read returns). */
  private pulling: Promise<BinlogEvent | null> | null = null;
  private tx: PendingTx | null = null;
  /** A transaction whose begin was already handed out in a partial batch. */
  private openInBatch = false;
  private processed: string;
  private failure: Error | null = null;

  constructor(
    private readonly reader: BinlogReader,
    private readonly database: string,
    start: string,
    /** Text decoders of the source's non-UTF-8 charsets (by collation id). */
    private readonly decoders?: TextDecoderOf,
  ) {
    this.processed = start;
    // character values arrive as their text, decoded straight from the event's bytes
    reader.setTextDecoder(columnTextDecoder(decoders));
  }

  async read(maxEvents: number, idleMs: number, flushWhen?: Promise<unknown>): Promise<ChangeBatch> {
    if (this.failure) throw this.failure;
    const batch: ChangeBatch = { events: [], endPosition: null, lastCommitTime: null, transactions: 0, partial: false };
    let bytes = 0;
    let flush = false;
    const flushed = flushWhen?.then(
      () => void (flush = true),
      () => void (flush = true),
    );
    const deadline = Date.now() + idleMs;
    for (;;) {
      const complete = batch.transactions > 0;
      if (complete && (flush || batch.events.length >= maxEvents || bytes >= MAX_BATCH_BYTES)) return batch;
      const wait = deadline - Date.now();
      if (wait <= 0 && !this.tx?.events.length) return batch;
      // an event already buffered is taken without a promise; a complete batch goes as soon as the
      // destination is free, not at the idle deadline
      let ev = this.pulling ? undefined : this.ready();
      if (ev === undefined) ev = await this.pull(Math.max(wait, 0), complete && !flush ? flushed : undefined);
      if (ev === undefined) {
        if (flush && complete) return batch;
        if (Date.now() >= deadline) return batch;
        continue;
      }
      if (ev === null) {
        throw (this.failure = Object.assign(new Error(`the source ended the binary-log stream of ${this.database}`), {
          code: 'BINLOG_STREAM_ENDED',
        }));
      }
      bytes += this.take(ev, batch);
      // a transaction too large for one batch goes in pieces (applied in one destination transaction)
      if (this.tx && this.tx.events.length >= maxEvents) {
        batch.events.push(...(this.tx.begin && !this.openInBatch ? [this.tx.begin] : []), ...this.tx.events);
        this.openInBatch = true;
        this.tx.events = [];
        batch.partial = true;
        return batch;
      }
    }
  }

  /** The binary log is kept by time on the source: nothing to free. */
  acknowledge(): void {}

  processedPosition(): string {
    return this.processed;
  }

  async close(): Promise<void> {
    await this.reader.close();
  }

  /** The next event if one is buffered (undefined: none yet), without waiting. */
  private ready(): BinlogEvent | null | undefined {
    try {
      return this.reader.tryNext();
    } catch (err) {
      throw (this.failure = err as Error);
    }
  }

  /** The next event, or undefined when none came within `ms` (or before `wake`). */
  private async pull(ms: number, wake?: Promise<void>): Promise<BinlogEvent | null | undefined> {
    if (!this.pulling) {
      const ready = this.ready();
      if (ready !== undefined) return ready;
    }
    this.pulling ??= this.reader.next();
    const pending = this.pulling;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
      const ev = await Promise.race(wake ? [pending, timeout, wake.then(() => undefined)] : [pending, timeout]);
      if (ev !== undefined) this.pulling = null;
      return ev;
    } catch (err) {
      this.pulling = null;
      throw (this.failure = err as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  private lastTimestamp = -1;
  private lastIsoTime = '';

  /** An event's time (whole seconds) as ISO text; events without one (0) are now. */
  private isoTime(seconds: number): string {
    if (!seconds) return new Date().toISOString();
    if (seconds !== this.lastTimestamp) {
      this.lastTimestamp = seconds;
      this.lastIsoTime = new Date(seconds * 1000).toISOString();
    }
    return this.lastIsoTime;
  }

  /** Fold one event into the open transaction or the batch; returns the row bytes it added. */
  private take(ev: BinlogEvent, batch: ChangeBatch): number {
    const time = this.isoTime(ev.timestamp);
    switch (ev.kind) {
      case 'begin':
        this.tx = { begin: null, events: [], commitTime: time };
        return 0;
      case 'write':
      case 'update':
      case 'delete': {
        if (ev.database !== this.database) return 0;
        this.tx ??= { begin: null, events: [], commitTime: time };
        if (!this.tx.begin) {
          const first = formatBinlogPosition(ev.position.file, ev.position.offset - 1);
          this.tx.begin = { kind: 'begin', xid: '', finalPosition: first, commitTime: time };
        }
        return this.rows(ev, this.tx.events);
      }
      case 'commit': {
        const at = formatBinlogPosition(ev.position.file, ev.position.offset);
        const tx = this.tx;
        this.tx = null;
        this.processed = at;
        if (!tx?.begin) return 0; // nothing of this database in it
        if (!this.openInBatch) batch.events.push(tx.begin);
        this.openInBatch = false;
        batch.events.push(...tx.events, { kind: 'commit', commitPosition: at, endPosition: at, commitTime: time });
        batch.endPosition = at;
        batch.lastCommitTime = time;
        batch.transactions++;
        return 0;
      }
      case 'ddl': {
        if (ev.inTransaction) return 0;
        const at = formatBinlogPosition(ev.position.file, ev.position.offset);
        this.processed = at;
        const change = ddlChange(ev.sql, ev.database, this.database);
        if (change === 'ignore') return 0;
        if (change === 'unknown') {
          throw (this.failure = new Error(
            `a statement on ${this.database} that cannot be replicated (restart the job, or undo it): ${ev.sql.slice(0, 300)}`,
          ));
        }
        const begin = {
          kind: 'begin' as const,
          xid: '',
          finalPosition: formatBinlogPosition(ev.position.file, ev.position.offset - 1),
          commitTime: time,
        };
        const events: ChangeEvent[] =
          change.kind === 'truncate'
            ? [
                {
                  kind: 'truncate',
                  relations: change.tables.map((t) => this.tableRelation(t)),
                  cascade: false,
                  restartIdentity: false,
                },
              ]
            : change.tables.map((t) => ({
                kind: 'schema' as const,
                table: { schema: this.database, name: t },
                statement: ev.sql,
              }));
        if (!events.length) return 0;
        batch.events.push(begin, ...events, { kind: 'commit', commitPosition: at, endPosition: at, commitTime: time });
        batch.endPosition = at;
        batch.lastCommitTime = time;
        batch.transactions++;
        return 0;
      }
      case 'rotate':
      case 'heartbeat':
        if (!this.tx) this.processed = formatBinlogPosition(ev.position.file, ev.position.offset);
        return 0;
    }
  }

  /** A relation known by name only (TRUNCATE of a table no row event described yet). */
  private tableRelation(name: string): ChangeRelation {
    for (const r of this.relations.values()) if (r.rel.name === name) return r.rel;
    return { engine: 'mysql', schema: this.database, name, id: 0, columns: [], replicaIdentity: 'default' };
  }

  /** The relation of the last rows event (a table's events share its columns array). */
  private lastRelation: { rel: ChangeRelation; columns: readonly string[]; source: readonly BinlogColumn[] } | null = null;

  private relation(ev: BinlogRowsEvent) {
    const last = this.lastRelation;
    if (last && last.source === ev.columns && last.rel.name === ev.table) return last;
    const key = `${ev.table}\u0000${ev.columns.length}`;
    let r = this.relations.get(key);
    if (!r || r.source !== ev.columns) {
      const keyed = ev.columns.some((c) => c.primaryKey);
      const rel: ChangeRelation = {
        engine: 'mysql',
        schema: ev.database,
        name: ev.table,
        id: 0,
        columns: ev.columns.map((c) => ({ name: c.name, isKey: c.primaryKey, typeOid: 0 })),
        replicaIdentity: keyed ? 'default' : 'full',
      };
      r = { rel, columns: ev.columns.map((c) => c.name), source: ev.columns };
      this.relations.set(key, r);
    }
    this.lastRelation = r;
    return r;
  }

  private rows(ev: BinlogRowsEvent, out: ChangeEvent[]): number {
    const { rel, columns, source } = this.relation(ev);
    const decoders = this.decoders;
    let bytes = 0;
    // the event is this stream's alone: its value arrays become the images' (canonical text in place)
    const image = (values: BinlogValue[]): RowImage => {
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as BinlogValue;
        if (v === null) {
          bytes += 1;
          continue;
        }
        const t = canonicalBinlogValue(source[i] as BinlogColumn, v, decoders) as string;
        values[i] = t;
        bytes += t.length + 1;
      }
      return { columns, values: values as (string | null)[] };
    };
    const kind = ev.kind;
    for (const row of ev.rows) {
      if (kind === 'write' && row.after) out.push({ kind: 'insert', relation: rel, new: image(row.after) });
      else if (kind === 'delete' && row.before) out.push({ kind: 'delete', relation: rel, old: image(row.before) });
      else if (kind === 'update' && row.before && row.after) {
        out.push({ kind: 'update', relation: rel, old: image(row.before), new: image(row.after) });
      }
    }
    return bytes;
  }
}

/** A table name as a statement writes it: `t`, `db`.`t`, db.t. */
const NAME = '(?:`(?:[^`]|``)+`|[\\w$]+)(?:\\s*\\.\\s*(?:`(?:[^`]|``)+`|[\\w$]+))?';

function parseName(text: string, defaultDb: string): { db: string; table: string } {
  const parts = text.match(/`(?:[^`]|``)+`|[\w$]+/g) ?? [];
  const clean = (x: string) => (x.startsWith('`') ? x.slice(1, -1).replace(/``/g, '`') : x);
  return parts.length > 1
    ? { db: clean(parts[0] as string), table: clean(parts[1] as string) }
    : { db: defaultDb, table: clean(parts[0] ?? '') };
}

/** Statements that change no table's rows or definition. */
const HARMLESS =
  /^\s*(create|drop|alter)\s+(or\s+replace\s+)?(definer\s*=\s*\S+\s+)?(sql\s+security\s+\w+\s+)?(algorithm\s*=\s*\w+\s+)?(view|trigger|procedure|function|event|user|role|server|sequence)\b|^\s*(grant|revoke|flush|analyze|optimize|set\s+password|create\s+(temporary\s+)?table|create\s+database|drop\s+temporary)\b/i;

/**
 * What a binlog statement does to the tables of `db` (the statement ran with
 * `session` as its default database): a TRUNCATE of some, a definition
 * change of some, nothing, or something this stream cannot tell.
 */
export function ddlChange(
  sql: string,
  session: string,
  db: string,
): { kind: 'truncate' | 'schema'; tables: string[] } | 'ignore' | 'unknown' {
  const text = sql.replace(/\/\*.*?\*\//gs, ' ').trim();
  const ours = (names: { db: string; table: string }[]) => names.filter((n) => n.db === db).map((n) => n.table);
  let m = new RegExp(`^truncate\\s+(?:table\\s+)?(${NAME})`, 'i').exec(text);
  if (m) return { kind: 'truncate', tables: ours([parseName(m[1] as string, session)]) };
  m = new RegExp(
    `^(?:alter\\s+(?:online\\s+|ignore\\s+)*table|(?:create|drop)\\s+(?:online\\s+)?(?:unique\\s+|fulltext\\s+|spatial\\s+)?index\\s+\\S+\\s+on)\\s+(${NAME})`,
    'i',
  ).exec(text);
  if (m) return { kind: 'schema', tables: ours([parseName(m[1] as string, session)]) };
  m = /^drop\s+table\s+(?:if\s+exists\s+)?(.+?)(?:\s+(?:restrict|cascade))?\s*$/is.exec(text);
  if (m) {
    const names = (m[1] as string).match(new RegExp(NAME, 'g')) ?? [];
    return { kind: 'schema', tables: ours(names.map((n) => parseName(n, session))) };
  }
  m = /^rename\s+tables?\s+(.+)$/is.exec(text);
  if (m) {
    const names = (m[1] as string).match(new RegExp(`(${NAME})\\s+to\\s+(${NAME})`, 'gi')) ?? [];
    const from = names.map((pair) => parseName(pair.split(/\s+to\s+/i)[0] as string, session));
    return { kind: 'schema', tables: ours(from) };
  }
  if (HARMLESS.test(text)) return 'ignore';
  const namesDb =
    session === db || new RegExp(`(^|[^\\w$])\`?${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`?\\s*\\.`, 'i').test(text);
  return namesDb || /^\s*(drop|alter)\s+(database|schema)\b/i.test(text) ? 'unknown' : 'ignore';
}
