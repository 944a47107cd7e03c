/**
 * Oracle change positions as opaque strings (DESIGN §7a), built on SCNs.
 *
 * Oracle gives every commit an SCN, but several transactions may commit at
 * one SCN, so a commit SCN alone cannot say which of them a checkpoint
 * already holds. A position is therefore one of:
 * - `C:XID@R` — the commit of transaction XID (16 uppercase hex digits,
 *   V$LOGMNR_CONTENTS.XID) at SCN C. Transactions committing at one SCN are
 *   ordered by XID, which is stable across mining sessions (a redo location
 *   is not: it differs between the online and the archived copy of a log).
 * - `C@R` — a boundary: before every commit at SCN C (everything committed
 *   at C−1 and earlier is in). A snapshot read `AS OF SCN S` holds exactly
 *   the commits at S and before, so its position is the boundary `S+1`.
 *
 * `@R` is the restart SCN: where mining must start again to see every row of
 * every transaction that commits after this position (the smallest start SCN
 * of the transactions open at that moment, like a replication slot's
 * restart_lsn). It is carried so a resume from a checkpoint is exact — no
 * transaction straddling the checkpoint loses its early rows — and never
 * takes part in the order.
 *
 * Why no intra-transaction sequence: the contract checkpoints only at commit
 * ends (a transaction split into partial batches is applied in one
 * destination transaction), so the commit itself is the finest resume point
 * a destination can hold; (C, XID) names it exactly.
 */

export interface OraclePosition {
  scn: bigint;
  /** The committing transaction, or null for a boundary before every commit at `scn`. */
  xid: string | null;
  /** Where mining restarts to resume after this position (≤ scn). */
  restartScn: bigint;
}

const POSITION = /^(\d+)(?::([0-9A-F]{16}))?@(\d+)$/;
const XID = /^[0-9A-F]{16}$/;

export class OraclePositionError extends Error {}

export function formatOraclePosition(p: OraclePosition): string {
  if (p.scn < 0n || p.restartScn < 0n)
    throw new OraclePositionError(`negative SCN in an Oracle position (${p.scn}, ${p.restartScn})`);
  if (p.restartScn > p.scn) throw new OraclePositionError(`restart SCN ${p.restartScn} after the position's SCN ${p.scn}`);
  if (p.xid !== null && !XID.test(p.xid)) throw new OraclePositionError(`not a transaction id: ${p.xid}`);
  return `${p.scn}${p.xid === null ? '' : `:${p.xid}`}@${p.restartScn}`;
}

export function parseOraclePosition(text: string): OraclePosition {
  const m = POSITION.exec(text);
  if (!m) throw new OraclePositionError(`not an Oracle position (SCN[:XID]@RESTART_SCN): ${text}`);
  const scn = BigInt(m[1] as string);
  const restartScn = BigInt(m[3] as string);
  if (restartScn > scn) throw new OraclePositionError(`restart SCN after the position's SCN: ${text}`);
  return { scn, xid: m[2] ?? null, restartScn };
}

/** Order: SCN, then the boundary before every commit at it, then commits by XID. */
export function compareOraclePositions(a: string, b: string): number {
  return compareParsed(parseOraclePosition(a), parseOraclePosition(b));
}

export function compareParsed(x: OraclePosition, y: OraclePosition): number {
  if (x.scn !== y.scn) return x.scn < y.scn ? -1 : 1;
  if (x.xid === y.xid) return 0;
  if (x.xid === null) return -1;
  if (y.xid === null) return 1;
  return x.xid < y.xid ? -1 : 1;
}

/** The position of a snapshot read `AS OF SCN snapshotScn`; mining restarts at `restartScn`. */
export function snapshotPosition(snapshotScn: bigint, restartScn: bigint): string {
  const boundary = snapshotScn + 1n;
  return formatOraclePosition({ scn: boundary, xid: null, restartScn: restartScn < boundary ? restartScn : boundary });
}

/** Whether the commit of `xid` at `commitScn` comes after `from` (must be applied when streaming from it). */
export function commitIsAfter(from: OraclePosition, commitScn: bigint, xid: string): boolean {
  return compareParsed({ scn: commitScn, xid, restartScn: 0n }, from) > 0;
}

/** The SCN of a V$ column or SQL text (`NUMBER` read as a string): exact, never a JS number. */
export function parseScn(value: string | number | bigint | null | undefined, what = 'SCN'): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new OraclePositionError(`${what} ${value} is not exact`);
    return BigInt(value);
  }
  const text = (value ?? '').trim();
  if (!/^\d+$/.test(text)) throw new OraclePositionError(`${what} is not an SCN: ${String(value)}`);
  return BigInt(text);
}

export function minScn(...values: bigint[]): bigint {
  let out = values[0];
  if (out === undefined) throw new OraclePositionError('no SCN');
  for (const v of values) if (v < out) out = v;
  return out;
}
