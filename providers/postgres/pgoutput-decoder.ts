/**
 * Decoder for the `pgoutput` logical replication protocol (message formats:
 * PostgreSQL docs, "Logical Replication Message Formats") into the canonical
 * ChangeEvent model. Protocol version 1 is what we request; versions 2–4 send
 * the same bytes as long as `streaming` and `two_phase` stay off, so those
 * options' messages are refused with an explanation instead of misread.
 */
import { UNCHANGED, type ChangeEvent, type ChangeRelation, type ColumnValue, type RowImage } from '../change-event.js';

/** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01 (UTC). */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;

/** pgoutput column flag: the column is part of the replica identity. */
const FLAG_KEY = 1;

const REPLICA_IDENTITY: Record<string, ChangeRelation['replicaIdentity']> = {
  d: 'default',
  n: 'nothing',
  f: 'full',
  i: 'index',
};

const STREAMING_MESSAGES = new Set(['S', 'E', 'c', 'A', 'p']);
const TWO_PHASE_MESSAGES = new Set(['b', 'P', 'K', 'r']);

/** A cached Relation message: the public shape plus which columns the old-key image carries. */
interface CachedRelation {
  relation: ChangeRelation;
  /** Per column: flagged as replica identity in the Relation message. */
  identity: boolean[];
  /** Every column name: the `columns` of each full row image (shared, never mutated). */
  names: readonly string[];
}

/**
 * Stateful decoder of one replication stream: Relation messages are cached by
 * OID (each one replaces the previous description, so events already decoded
 * keep the shape they were decoded with). Use one decoder per stream.
 */
export class PgOutputDecoder {
  private readonly relations = new Map<number, CachedRelation>();

  /**
   * Decode one pgoutput message. Returns null for messages that carry no
   * change (Relation, Type, Origin, logical decoding Message). Throws on an
   * unknown message type, a binary-format column, streamed or two-phase
   * transaction messages, and a row for a relation not described before.
   */
  decode(msg: Buffer): ChangeEvent | null {
    const r = new Reader(msg);
    const type = String.fromCharCode(r.u8());
    switch (type) {
      case 'B': {
        const finalPosition = r.lsn();
        const commitTime = pgTimestampToIso(r.i64());
        const xid = String(r.u32());
        return { kind: 'begin', xid, finalPosition, commitTime };
      }
      case 'C': {
        r.u8(); // flags: unused, always 0
        const commitPosition = r.lsn();
        const endPosition = r.lsn();
        const commitTime = pgTimestampToIso(r.i64());
        return { kind: 'commit', commitPosition, endPosition, commitTime };
      }
      case 'R':
        this.readRelation(r);
        return null;
      case 'O': // origin of a transaction replayed from elsewhere: nothing to apply
      case 'Y': // type names for non-built-in OIDs: values are text, the destination resolves them
      case 'M': // pg_logical_emit_message payloads are not table changes
        return null;
      case 'I': {
        const rel = this.relation(r.u32(), 'Insert');
        r.expect('N', 'Insert');
        return { kind: 'insert', relation: rel.relation, new: this.readTuple(r, rel, false) };
      }
      case 'U': {
        const rel = this.relation(r.u32(), 'Update');
        let marker = String.fromCharCode(r.u8());
        let old: RowImage | null = null;
        if (marker === 'K' || marker === 'O') {
          old = this.readTuple(r, rel, marker === 'K');
          marker = String.fromCharCode(r.u8());
        }
        if (marker !== 'N') throw new Error(`pgoutput Update: expected new tuple 'N', got ${describeByte(marker)}`);
        return { kind: 'update', relation: rel.relation, old, new: this.readTuple(r, rel, false) };
      }
      case 'D': {
        const rel = this.relation(r.u32(), 'Delete');
        const marker = String.fromCharCode(r.u8());
        if (marker !== 'K' && marker !== 'O') {
          throw new Error(`pgoutput Delete: expected old tuple 'K' or 'O', got ${describeByte(marker)}`);
        }
        return { kind: 'delete', relation: rel.relation, old: this.readTuple(r, rel, marker === 'K') };
      }
      case 'T': {
        const count = r.u32();
        const options = r.u8();
        const relations: ChangeRelation[] = [];
        for (let i = 0; i < count; i++) relations.push(this.relation(r.u32(), 'Truncate').relation);
        return { kind: 'truncate', relations, cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0 };
      }
      default:
        if (STREAMING_MESSAGES.has(type)) {
          throw new Error(
            `pgoutput message ${describeByte(type)} belongs to a streamed in-progress transaction; ` +
              `start replication without the 'streaming' option (protocol version 1)`,
          );
        }
        if (TWO_PHASE_MESSAGES.has(type)) {
          throw new Error(
            `pgoutput message ${describeByte(type)} belongs to a two-phase transaction; ` +
              `start replication without the 'two_phase' option (protocol version 1)`,
          );
        }
        throw new Error(`unknown pgoutput message type ${describeByte(type)}`);
    }
  }

  private readRelation(r: Reader): void {
    const id = r.u32();
    // the publication sends an empty namespace for pg_catalog (logicalrep_write_namespace)
    const schema = r.cstring() || 'pg_catalog';
    const name = r.cstring();
    const identityChar = String.fromCharCode(r.u8());
    const replicaIdentity = REPLICA_IDENTITY[identityChar];
    if (!replicaIdentity) {
      throw new Error(`pgoutput Relation ${schema}.${name}: unknown replica identity ${describeByte(identityChar)}`);
    }
    const ncols = r.u16();
    const columns: ChangeRelation['columns'] = [];
    const identity: boolean[] = [];
    for (let i = 0; i < ncols; i++) {
      const flags = r.u8();
      const colName = r.cstring();
      const typeOid = r.u32();
      r.i32(); // typmod: the destination already has the declared type
      identity.push((flags & FLAG_KEY) !== 0);
      // REPLICA IDENTITY FULL flags every column, which says nothing about a
      // unique key: report no key so appliers match on the whole old row
      columns.push({ name: colName, isKey: replicaIdentity !== 'full' && (flags & FLAG_KEY) !== 0, typeOid });
    }
    this.relations.set(id, {
      relation: { id, schema, name, columns, replicaIdentity },
      identity,
      names: columns.map((c) => c.name),
    });
  }

  private relation(oid: number, message: string): CachedRelation {
    const rel = this.relations.get(oid);
    if (!rel) {
      throw new Error(`pgoutput ${message} for relation OID ${oid} that no Relation message described before`);
    }
    return rel;
  }

  /**
   * TupleData. An old-key image ('K') carries nulls in every non-identity
   * column; those are placeholders, not values, so only identity columns are
   * kept in the image.
   */
  private readTuple(r: Reader, rel: CachedRelation, keyOnly: boolean): RowImage {
    const { relation, identity } = rel;
    const ncols = r.u16();
    if (ncols !== relation.columns.length) {
      throw new Error(
        `pgoutput tuple for ${relation.schema}.${relation.name} has ${ncols} columns, ` +
          `its Relation message ${relation.columns.length}`,
      );
    }
    const columns: string[] | null = keyOnly ? [] : null;
    const values: ColumnValue[] = [];
    for (let i = 0; i < ncols; i++) {
      const kind = r.u8();
      let value: ColumnValue;
      if (kind === 0x74 /* t */) value = r.text(r.u32());
      else if (kind === 0x6e /* n */) value = null;
      else if (kind === 0x75 /* u */) value = UNCHANGED;
      else if (kind === 0x62 /* b */) {
        throw new Error(
          `pgoutput sent column ${relation.columns[i]?.name} of ${relation.schema}.${relation.name} in binary format; ` +
            `start replication without the 'binary' option`,
        );
      } else {
        throw new Error(`pgoutput tuple: unknown column kind ${describeByte(String.fromCharCode(kind))}`);
      }
      if (columns) {
        if (!identity[i]) continue;
        columns.push(relation.columns[i]?.name ?? '');
      }
      values.push(value);
    }
    return { columns: columns ?? rel.names, values };
  }
}

/** The last second converted by {@link pgTimestampToIso} (commit times of a stream repeat it). */
let lastSecond = Number.NaN;
let lastSecondIso = '';

/**
 * PostgreSQL's microseconds since 2000-01-01 as an ISO-8601 UTC string with
 * all six fractional digits (a JS Date alone would drop the last three).
 */
export function pgTimestampToIso(us: bigint): string {
  const unixUs = us + PG_EPOCH_OFFSET_US;
  // exact as a Number for ±285 years around 1970; beyond that (±infinity sentinels), BigInt
  if (unixUs > MAX_EXACT_US || unixUs < -MAX_EXACT_US) return bigTimestampToIso(unixUs);
  const n = Number(unixUs);
  const second = Math.floor(n / 1_000_000);
  const micros = n - second * 1_000_000;
  if (second !== lastSecond) {
    lastSecondIso = new Date(second * 1000).toISOString().slice(0, -4); // …T03:04:05.
    lastSecond = second;
  }
  return `${lastSecondIso}${String(micros).padStart(6, '0')}Z`;
}

const MAX_EXACT_US = BigInt(Number.MAX_SAFE_INTEGER);

function bigTimestampToIso(unixUs: bigint): string {
  let ms = unixUs / 1000n;
  let subMs = unixUs % 1000n;
  if (subMs < 0n) {
    subMs += 1000n;
    ms -= 1n;
  }
  const iso = new Date(Number(ms)).toISOString(); // …T03:04:05.123Z
  return `${iso.slice(0, -1)}${subMs.toString().padStart(3, '0')}Z`;
}

function describeByte(ch: string): string {
  const code = ch.charCodeAt(0);
  const printable = code >= 0x20 && code < 0x7f;
  return `${printable ? `'${ch}' ` : ''}(0x${code.toString(16).padStart(2, '0')})`;
}

/** Big-endian cursor over one message; every read checks the bounds so a truncated message fails clearly. */
class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) {
      throw new Error(`pgoutput message truncated: need ${n} bytes at offset ${at}, have ${this.buf.length - at}`);
    }
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.buf.readUInt8(this.need(1));
  }
  u16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  i32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  /** A 64-bit LSN as `pg_lsn` text (two 32-bit halves: no BigInt on the hot path). */
  lsn(): string {
    const at = this.need(8);
    const hi = this.buf.readUInt32BE(at);
    const lo = this.buf.readUInt32BE(at + 4);
    return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
  }
  i64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  text(length: number): string {
    const at = this.need(length);
    return this.buf.toString('utf8', at, at + length);
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new Error(`pgoutput message truncated: unterminated string at offset ${this.pos}`);
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  expect(ch: string, message: string): void {
    const got = String.fromCharCode(this.u8());
    if (got !== ch) throw new Error(`pgoutput ${message}: expected '${ch}', got ${describeByte(got)}`);
  }
}
