/**
 * Temporal column formats, to the text SELECT prints (zero dates kept as
 * text, fractional digits as many as the column declares). TIMESTAMP values
 * are seconds since the epoch, printed in UTC.
 */
import type { BinlogCursor } from './binlog-cursor.js';

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const p4 = (n: number): string => String(n).padStart(4, '0');

/** Microseconds as `.ffffff` cut to `fsp` digits, '' for fsp 0. */
function fraction(micros: number, fsp: number): string {
  return fsp > 0 ? `.${String(micros).padStart(6, '0').slice(0, fsp)}` : '';
}

/** The fractional part of TIME2/DATETIME2/TIMESTAMP2 (big-endian, (fsp+1)/2 bytes), in microseconds. */
function readFraction(c: BinlogCursor, fsp: number): number {
  switch (fsp) {
    case 0:
      return 0;
    case 1:
    case 2:
      return c.u8() * 10_000;
    case 3:
    case 4:
      return c.uintBE(2) * 100;
    default:
      return c.uintBE(3);
  }
}

/** DATE: 3 bytes, day 5 bits, month 4 bits, year the rest. */
export function readDate(c: BinlogCursor): string {
  const v = c.u24();
  return `${p4(Math.floor(v / 512))}-${p2((v >> 5) & 15)}-${p2(v & 31)}`;
}

/** DATETIME2(fsp): 5 bytes big-endian (sign, year*13+month, day, hour, minute, second) + fraction. */
export function readDatetime2(c: BinlogCursor, fsp: number): string {
  const ymdhms = c.uintBE(5) - 0x80_0000_0000;
  const ym = Math.floor(ymdhms / 2 ** 22);
  const day = Math.floor(ymdhms / 2 ** 17) % 32;
  const hms = ymdhms % 2 ** 17;
  const micros = readFraction(c, fsp);
  const date = `${p4(Math.floor(ym / 13))}-${p2(ym % 13)}-${p2(day)}`;
  return `${date} ${p2(hms >> 12)}:${p2((hms >> 6) & 63)}:${p2(hms & 63)}${fraction(micros, fsp)}`;
}

/** TIMESTAMP2(fsp): 4 bytes big-endian seconds since the epoch + fraction; UTC. 0 is the zero timestamp. */
export function readTimestamp2(c: BinlogCursor, fsp: number): string {
  const seconds = c.uintBE(4);
  const micros = readFraction(c, fsp);
  return formatEpoch(seconds, micros, fsp);
}

/** Old TIMESTAMP: 4 bytes little-endian seconds since the epoch. */
export function readTimestamp(c: BinlogCursor): string {
  return formatEpoch(c.u32(), 0, 0);
}

function formatEpoch(seconds: number, micros: number, fsp: number): string {
  if (seconds === 0 && micros === 0) return `0000-00-00 00:00:00${fraction(0, fsp)}`;
  const d = new Date(seconds * 1000);
  const date = `${p4(d.getUTCFullYear())}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
  return `${date} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}${fraction(micros, fsp)}`;
}

/**
 * TIME2(fsp): 3 bytes big-endian (offset by 0x800000; sign, hour 10 bits,
 * minute, second) and a fraction which, for negative values, is stored
 * complemented against the integer part (MySQL `my_time_packed_from_binary`).
 */
export function readTime2(c: BinlogCursor, fsp: number): string {
  let intPart: number;
  let frac: number;
  switch (fsp) {
    case 0:
      intPart = c.uintBE(3) - 0x80_0000;
      frac = 0;
      break;
    case 1:
    case 2:
      intPart = c.uintBE(3) - 0x80_0000;
      frac = c.u8();
      if (intPart < 0 && frac !== 0) {
        intPart++;
        frac -= 0x100;
      }
      frac *= 10_000;
      break;
    case 3:
    case 4:
      intPart = c.uintBE(3) - 0x80_0000;
      frac = c.uintBE(2);
      if (intPart < 0 && frac !== 0) {
        intPart++;
        frac -= 0x1_0000;
      }
      frac *= 100;
      break;
    default: {
      const packed = c.uintBE(6) - 0x8000_0000_0000;
      intPart = Math.trunc(packed / 2 ** 24);
      frac = packed - intPart * 2 ** 24;
      break;
    }
  }
  // packed = intPart * 2^24 + frac (signed); print its absolute value
  let packed = intPart * 2 ** 24 + frac;
  const negative = packed < 0;
  if (negative) packed = -packed;
  const hms = Math.floor(packed / 2 ** 24);
  const micros = packed % 2 ** 24;
  const hours = Math.floor(hms / 4096) % 1024;
  return `${negative ? '-' : ''}${p2(hours)}:${p2((hms >> 6) & 63)}:${p2(hms & 63)}${fraction(micros, fsp)}`;
}

/** Old TIME: 3 bytes little-endian signed, HHMMSS as a decimal number. */
export function readTime(c: BinlogCursor): string {
  let v = c.u24();
  if (v & 0x80_0000) v -= 0x100_0000;
  const negative = v < 0;
  if (negative) v = -v;
  return `${negative ? '-' : ''}${p2(Math.floor(v / 10_000))}:${p2(Math.floor(v / 100) % 100)}:${p2(v % 100)}`;
}

/** Old DATETIME: 8 bytes little-endian, YYYYMMDDhhmmss as a decimal number. */
export function readDatetime(c: BinlogCursor): string {
  const v = c.u64();
  const s = v.toString().padStart(14, '0');
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
}

/** YEAR: one byte, 0 is the zero year '0000', else 1900 + n. */
export function readYear(c: BinlogCursor): string {
  const v = c.u8();
  return v === 0 ? '0000' : String(1900 + v);
}
