/**
 * MySQL's binary DECIMAL (NEWDECIMAL) format: groups of nine digits in four
 * big-endian bytes, shorter leading/trailing groups, the sign in the top bit
 * (set = positive) and negative numbers stored with every bit inverted.
 */
import type { BinlogCursor } from './binlog-cursor.js';

/** Bytes taken by 0–9 leftover digits. */
const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4] as const;

/** Bytes a DECIMAL(precision, scale) value takes. */
export function decimalSize(precision: number, scale: number): number {
  const intg = precision - scale;
  return (
    Math.floor(intg / 9) * 4 + (DIG2BYTES[intg % 9] as number) + Math.floor(scale / 9) * 4 + (DIG2BYTES[scale % 9] as number)
  );
}

/** Decode at the cursor: exact text with exactly `scale` fractional digits (as SELECT prints it). */
export function readDecimal(c: BinlogCursor, precision: number, scale: number): string {
  const size = decimalSize(precision, scale);
  const at = c.take(size);
  return decodeDecimal(c.buf, at, precision, scale);
}

/** Decode the `decimalSize(precision, scale)` bytes at `at` of `buf`. */
export function decodeDecimal(buf: Buffer, at: number, precision: number, scale: number): string {
  const intg = precision - scale;
  const intg0 = Math.floor(intg / 9);
  const intg0x = intg % 9;
  const frac0 = Math.floor(scale / 9);
  const frac0x = scale % 9;
  const mask = ((buf[at] as number) & 0x80) === 0 ? 0xff : 0;
  let pos = at;
  let nonZero = false;
  let intPart = '';
  if (intg0x > 0) {
    const n = DIG2BYTES[intg0x] as number;
    const v = group(buf, pos, n, mask, at);
    pos += n;
    nonZero ||= v !== 0;
    intPart = String(v);
  }
  for (let i = 0; i < intg0; i++, pos += 4) {
    const v = group(buf, pos, 4, mask, at);
    nonZero ||= v !== 0;
    intPart += String(v).padStart(9, '0');
  }
  let frac = '';
  for (let i = 0; i < frac0; i++, pos += 4) {
    const v = group(buf, pos, 4, mask, at);
    nonZero ||= v !== 0;
    frac += String(v).padStart(9, '0');
  }
  if (frac0x > 0) {
    const v = group(buf, pos, DIG2BYTES[frac0x] as number, mask, at);
    nonZero ||= v !== 0;
    frac += String(v).padStart(frac0x, '0');
  }
  intPart = stripZeros(intPart);
  const text = frac ? `${intPart}.${frac}` : intPart;
  return mask !== 0 && nonZero ? `-${text}` : text;
}

/** `n` bytes big-endian, un-inverted by `mask`; the sign bit sits on the value's first byte (`at`), whichever group that is. */
function group(buf: Buffer, pos: number, n: number, mask: number, at: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    let b = (buf[pos + i] as number) ^ mask;
    if (pos + i === at) b ^= 0x80;
    v = v * 256 + b;
  }
  return v;
}

function stripZeros(digits: string): string {
  let k = 0;
  while (k < digits.length - 1 && digits.charCodeAt(k) === 48) k++;
  return digits === '' ? '0' : digits.slice(k);
}
