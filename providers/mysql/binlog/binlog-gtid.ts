/**
 * GTID events: MariaDB's GTID (the start of an event group, `domain-server-seq`)
 * and GTID_LIST (the state at the start of a file), MySQL's GTID and
 * ANONYMOUS_GTID (`uuid:gno`, before the group's BEGIN or DDL).
 */
import { BinlogError } from './binlog-error.js';
import type { BinlogCursor } from './binlog-cursor.js';

/** MariaDB Gtid_log_event flags. */
const FL_STANDALONE = 1;
const FL_GROUP_COMMIT_ID = 2;
const FL_PREPARED_XA = 64;
const FL_COMPLETED_XA = 128;

export interface MariaDbGtid {
  gtid: string;
  domain: number;
  /** The group is one statement with no BEGIN/COMMIT around it (DDL). */
  standalone: boolean;
}

export function decodeMariaDbGtid(c: BinlogCursor, serverId: number): MariaDbGtid {
  const seq = c.u64();
  const domain = c.u32();
  const flags = c.u8();
  if (flags & (FL_PREPARED_XA | FL_COMPLETED_XA)) {
    throw new BinlogError(
      'UNSUPPORTED_TRANSACTION',
      `GTID ${domain}-${serverId}-${seq} is part of an XA transaction: its rows may be committed or rolled back later, which this reader cannot follow`,
    );
  }
  if (flags & FL_GROUP_COMMIT_ID) c.skip(8);
  return { gtid: `${domain}-${serverId}-${seq}`, domain, standalone: (flags & FL_STANDALONE) !== 0 };
}

/** GTID_LIST: the last GTID of each domain before this point. */
export function decodeMariaDbGtidList(c: BinlogCursor): { domain: number; gtid: string }[] {
  const count = c.u32() & 0x0fff_ffff; // the top 4 bits are flags
  const out: { domain: number; gtid: string }[] = [];
  for (let i = 0; i < count; i++) {
    const domain = c.u32();
    const server = c.u32();
    const seq = c.u64();
    out.push({ domain, gtid: `${domain}-${server}-${seq}` });
  }
  return out;
}

/** MySQL GTID / ANONYMOUS_GTID: flags, source uuid, transaction number; null when anonymous. */
export function decodeMySqlGtid(c: BinlogCursor, anonymous: boolean): string | null {
  c.skip(1); // flags: may-have-SBR
  const sid = c.bytes(16).toString('hex');
  const gno = c.buf.readBigInt64LE(c.take(8));
  if (anonymous) return null;
  const uuid = `${sid.slice(0, 8)}-${sid.slice(8, 12)}-${sid.slice(12, 16)}-${sid.slice(16, 20)}-${sid.slice(20)}`;
  return `${uuid}:${gno}`;
}

/** A MariaDB GTID state: one GTID per domain, in the form `@slave_connect_state` takes. */
export class MariaDbGtidState {
  private readonly domains = new Map<number, string>();
  /** `toString()` until the state changes (every event's position carries it). */
  private text: string | null = null;

  constructor(state = '') {
    for (const part of state.split(',').map((s) => s.trim())) {
      if (!part) continue;
      const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
      if (!m) throw new BinlogError('MALFORMED_EVENT', `not a MariaDB GTID: '${part}' (want domain-server-sequence)`);
      this.domains.set(Number(m[1]), part);
    }
  }

  /** Record a GTID (the newest of its domain). */
  set(domain: number, gtid: string): void {
    this.domains.set(domain, gtid);
    this.text = null;
  }

  /** Add domains this state does not know yet (from a GTID_LIST). */
  fill(domain: number, gtid: string): void {
    if (!this.domains.has(domain)) this.domains.set(domain, gtid);
    this.text = null;
  }

  toString(): string {
    return (this.text ??= [...this.domains.values()].join(','));
  }
}
