/**
 * The common event header (19 bytes in binlog v4) and the CRC32 trailer the
 * server appends when `binlog_checksum=CRC32`.
 */
import { BinlogError } from './binlog-error.js';

export const HEADER_LENGTH = 19;
/** LOG_EVENT_BINLOG_IN_USE_F: on a file's FORMAT_DESCRIPTION while the server has the file open. */
const FLAG_BINLOG_IN_USE = 0x01;
const FORMAT_DESCRIPTION = 15;
/** LOG_EVENT_ARTIFICIAL_F: made up by the dump thread (fake ROTATE…), its log_pos is not a file offset. */
export const FLAG_ARTIFICIAL = 0x20;
/** LOG_EVENT_IGNORABLE_F: a replica that does not know the type may skip it. */
export const FLAG_IGNORABLE = 0x80;

export interface EventHeader {
  timestamp: number;
  type: number;
  serverId: number;
  size: number;
  /** End offset of the event in its binlog file (0 for some artificial events). */
  logPos: number;
  flags: number;
}

export function readHeader(event: Buffer): EventHeader {
  if (event.length < HEADER_LENGTH) throw new BinlogError('MALFORMED_EVENT', `event of ${event.length} bytes has no header`);
  const h: EventHeader = {
    timestamp: event.readUInt32LE(0),
    type: event[4] as number,
    serverId: event.readUInt32LE(5),
    size: event.readUInt32LE(9),
    logPos: event.readUInt32LE(13),
    flags: event.readUInt16LE(17),
  };
  if (h.size !== event.length) {
    throw new BinlogError('MALFORMED_EVENT', `event header says ${h.size} bytes, the packet holds ${event.length}`);
  }
  return h;
}

/** CRC-32 (IEEE, zlib's) tables for slicing by 8: T[k * 256 + b] is b's CRC after k more zero bytes. */
const CRC_TABLE = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/**
 * CRC-32 of `b[start, end)`, as zlib computes it. In JavaScript rather than
 * `zlib.crc32`: binlog events are ~100 bytes, where the native call and the
 * view it needs cost several times the arithmetic.
 */
export function crc32Of(b: Uint8Array, start: number, end: number): number {
  const t = CRC_TABLE;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    c ^= (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);
    c =
      (t[1792 + (c & 0xff)] as number) ^
      (t[1536 + ((c >>> 8) & 0xff)] as number) ^
      (t[1280 + ((c >>> 16) & 0xff)] as number) ^
      (t[1024 + (c >>> 24)] as number) ^
      (t[768 + (b[i + 4] as number)] as number) ^
      (t[512 + (b[i + 5] as number)] as number) ^
      (t[256 + (b[i + 6] as number)] as number) ^
      (t[b[i + 7] as number] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** Verify the CRC32 trailer; returns the length without it. */
export function stripChecksum(event: Buffer, type: number): number {
  const end = event.length - 4;
  if (end < HEADER_LENGTH) throw new BinlogError('MALFORMED_EVENT', `event of ${event.length} bytes cannot hold a checksum`);
  const expected = event.readUInt32LE(end);
  let actual = crc32Of(event, 0, end);
  if (actual !== expected && type === FORMAT_DESCRIPTION && (event[17] as number) & FLAG_BINLOG_IN_USE) {
    // the server sets the in-use flag of an open file's FORMAT_DESCRIPTION in place, after checksumming it without
    const copy = Buffer.from(event.subarray(0, end));
    copy[17] = (copy[17] as number) & ~FLAG_BINLOG_IN_USE;
    actual = crc32Of(copy, 0, end);
  }
  if (actual !== expected) {
    throw new BinlogError(
      'CHECKSUM_MISMATCH',
      `event type ${type} failed its CRC32 (stored ${expected.toString(16)}, computed ${actual.toString(16)})`,
    );
  }
  return end;
}
