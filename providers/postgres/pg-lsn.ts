/**
 * PostgreSQL log sequence numbers. An LSN is an unsigned 64-bit WAL byte
 * position that PostgreSQL prints as two hex halves (`16/B374D848`); it goes
 * through BigInt because positions past 2^53 bytes of WAL are reachable and a
 * rounded position would skip or replay changes.
 */

const MAX_LSN = (1n << 64n) - 1n;
const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** `'16/B374D848'` → `0x16B374D848n`. Throws on anything that is not `X/Y` hex. */
export function parseLsn(text: string): bigint {
  const m = LSN_TEXT.exec(text);
  if (!m) throw new Error(`not a PostgreSQL LSN: ${JSON.stringify(text)} (expected hex "X/Y", e.g. "16/B374D848")`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** `0x16B374D848n` → `'16/B374D848'`: uppercase hex, no zero padding, as `pg_lsn` output prints it. */
export function formatLsn(lsn: bigint): string {
  if (lsn < 0n || lsn > MAX_LSN) throw new Error(`LSN out of the unsigned 64-bit range: ${lsn}`);
  const hi = lsn >> 32n;
  const lo = lsn & 0xffffffffn;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** Order of two LSNs given as text or BigInt; text is compared numerically, never as strings. */
export function compareLsn(a: string | bigint, b: string | bigint): -1 | 0 | 1 {
  const x = typeof a === 'bigint' ? a : parseLsn(a);
  const y = typeof b === 'bigint' ? b : parseLsn(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
