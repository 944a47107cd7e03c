/**
 * SQL Server log sequence numbers (`binary(10)`: VLF sequence, log block,
 * slot) as text: `0x` and 20 uppercase hex digits, the form
 * `CONVERT(varchar(22), lsn, 1)` prints and `CONVERT(binary(10), text, 1)`
 * reads back. Hex of a fixed width orders like the bytes, but every
 * comparison here goes through the 80-bit number so a mixed-case or
 * unprefixed input can never order wrongly.
 */

/** The smallest LSN (no change can carry it). */
export const ZERO_LSN = '0x00000000000000000000';
/** The largest LSN: the upper bound of "everything of this commit". */
export const MAX_LSN = '0xFFFFFFFFFFFFFFFFFFFF';

const MAX = (1n << 80n) - 1n;
const HEX = /^(?:0x)?([0-9a-f]{20})$/i;

/** An LSN in our text form; throws for anything that is not 10 bytes of hex. */
export function normalizeLsn(text: string): string {
  const m = HEX.exec(text.trim());
  if (!m) throw new Error(`not a SQL Server LSN (binary(10) as 0x and 20 hex digits): ${text}`);
  return `0x${(m[1] as string).toUpperCase()}`;
}

/** The LSN of a `binary(10)` value as tedious returns it. */
export function lsnFromBytes(b: Buffer | Uint8Array): string {
  if (b.length !== 10) throw new Error(`a SQL Server LSN is 10 bytes, not ${b.length}`);
  return `0x${Buffer.from(b).toString('hex').toUpperCase()}`;
}

export function lsnToBytes(lsn: string): Buffer {
  return Buffer.from(normalizeLsn(lsn).slice(2), 'hex');
}

export function lsnToBigInt(lsn: string): bigint {
  return BigInt(normalizeLsn(lsn));
}

export function lsnFromBigInt(n: bigint): string {
  if (n < 0n || n > MAX) throw new Error(`LSN out of range: ${n}`);
  return `0x${n.toString(16).toUpperCase().padStart(20, '0')}`;
}

export function compareLsn(a: string, b: string): number {
  const x = lsnToBigInt(a);
  const y = lsnToBigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * The next LSN (what `sys.fn_cdc_increment_lsn` returns): where to read
 * from after a fully applied commit, since the CDC functions' bounds are
 * inclusive.
 */
export function incrementLsn(lsn: string): string {
  const n = lsnToBigInt(lsn);
  if (n === MAX) throw new Error(`no LSN follows ${lsn}`);
  return lsnFromBigInt(n + 1n);
}

/** The previous LSN (`sys.fn_cdc_decrement_lsn`). */
export function decrementLsn(lsn: string): string {
  const n = lsnToBigInt(lsn);
  if (n === 0n) throw new Error(`no LSN precedes ${lsn}`);
  return lsnFromBigInt(n - 1n);
}

/** The three parts SQL Server prints in its logs and DMVs (`0000002A:000001F8:0003`), as numbers. */
export function lsnParts(lsn: string): { vlf: number; block: number; slot: number } {
  const h = normalizeLsn(lsn).slice(2);
  return {
    vlf: parseInt(h.slice(0, 8), 16),
    block: parseInt(h.slice(8, 16), 16),
    slot: parseInt(h.slice(16, 20), 16),
  };
}

/**
 * An LSN as `sys.dm_tran_database_transactions` gives it: a `numeric(25,0)`
 * whose decimal digits are the VLF sequence, then the block (10 digits) and
 * the slot (5 digits) — e.g. `42000000050400003` is VLF 42, block 504, slot 3.
 */
export function lsnFromDecimal(text: string): string {
  const t = text.trim();
  if (!/^\d{1,25}$/.test(t)) throw new Error(`not a decimal LSN: ${text}`);
  const padded = t.padStart(25, '0');
  const vlf = BigInt(padded.slice(0, 10));
  const block = BigInt(padded.slice(10, 20));
  const slot = BigInt(padded.slice(20, 25));
  if (vlf > 0xffffffffn || block > 0xffffffffn || slot > 0xffffn) throw new Error(`decimal LSN out of range: ${text}`);
  return lsnFromBigInt((vlf << 48n) | (block << 16n) | slot);
}
