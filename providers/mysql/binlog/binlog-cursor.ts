/**
 * A little-endian reader over one event's bytes. Reads past the end throw a
 * MALFORMED_EVENT BinlogError instead of yielding `undefined` or garbage.
 */
import { BinlogError } from './binlog-error.js';

export class BinlogCursor {
  constructor(
    public buf: Buffer,
    public pos = 0,
    /** Exclusive end (the checksum, when there is one, lies past it). */
    public end = buf.length,
  ) {}

  /** Read another buffer from `pos` to `end` (one cursor serves every event of a decoder). */
  reset(buf: Buffer, pos: number, end: number): this {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Advance by `n`, returning the old position; throws when fewer than `n` bytes are left. */
  take(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) {
      throw new BinlogError('MALFORMED_EVENT', `event truncated: wanted ${n} bytes at offset ${at}, ${this.end - at} left`);
    }
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.take(1)] as number;
  }
  u16(): number {
    return this.buf.readUInt16LE(this.take(2));
  }
  u24(): number {
    return this.buf.readUIntLE(this.take(3), 3);
  }
  u32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }
  /** Up to 6 bytes little-endian (exact: below 2^53). */
  uint(n: number): number {
    return n === 0 ? 0 : this.buf.readUIntLE(this.take(n), n);
  }
  /** Up to 6 bytes big-endian. */
  uintBE(n: number): number {
    return n === 0 ? 0 : this.buf.readUIntBE(this.take(n), n);
  }
  u64(): bigint {
    return this.buf.readBigUInt64LE(this.take(8));
  }

  /** A length-encoded integer (MySQL protocol `int<lenenc>`); 0xfb (NULL) is rejected. */
  lenenc(): number {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u24();
    if (first === 0xfe) {
      const v = this.u64();
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BinlogError('MALFORMED_EVENT', `length ${v} is too large`);
      return Number(v);
    }
    throw new BinlogError('MALFORMED_EVENT', `invalid length-encoded integer 0x${first.toString(16)} at offset ${this.pos - 1}`);
  }

  /** `n` bytes, as a view (no copy). */
  bytes(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  /** Everything up to `end`. */
  rest(): Buffer {
    return this.bytes(this.end - this.pos);
  }

  /** `n` bytes as text (UTF-8). */
  string(n: number, encoding: BufferEncoding = 'utf8'): string {
    const at = this.take(n);
    return this.buf.toString(encoding, at, at + n);
  }

  /** A length-encoded string. */
  lenencString(): string {
    return this.string(this.lenenc());
  }

  skip(n: number): void {
    this.take(n);
  }
}
