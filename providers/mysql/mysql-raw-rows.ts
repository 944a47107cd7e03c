/**
 * A SELECT whose text-protocol rows become `mysql-text` lines (LOAD DATA's
 * format, mysql-load-format.ts) straight from the packets: one mysql2
 * command (COM_QUERY) that walks each row packet's length-encoded fields and
 * copies their bytes with LOAD DATA's escapes into large chunks — no value
 * object, no per-field callback. The copy path between two MySQL servers is
 * bound by the worker's CPU on small machines; this is most of it.
 */
import { Readable } from 'node:stream';

const COM_QUERY = 0x03;
const CLIENT_QUERY_ATTRIBUTES = 0x08000000;
const CHUNK = 256 * 1024;

interface IncomingPacket {
  buffer: Buffer;
  offset: number;
  end: number;
}

interface CommandConnection {
  config: { clientFlags: number };
  serverCapabilityFlags?: number;
  writePacket(packet: { buffer: Buffer; length(): number; writeHeader(sequenceId: number): void }): void;
  _resetSequenceId(): void;
  pause(): void;
  resume(): void;
}

function outgoing(payload: Buffer) {
  const buffer = Buffer.concat([Buffer.alloc(4), payload]);
  return {
    buffer,
    length: () => buffer.length,
    writeHeader(sequenceId: number) {
      buffer.writeUIntLE(buffer.length - 4, 0, 3);
      buffer[3] = sequenceId;
    },
  };
}

/** A length-encoded integer at `at`: [value, bytes it took]. */
function lenenc(b: Buffer, at: number): [number, number] {
  const first = b[at] as number;
  if (first < 0xfb) return [first, 1];
  if (first === 0xfc) return [b.readUInt16LE(at + 1), 3];
  if (first === 0xfd) return [b.readUIntLE(at + 1, 3), 4];
  return [Number(b.readBigUInt64LE(at + 1)), 9];
}

function serverError(payload: Buffer): Error {
  const errno = payload.readUInt16LE(1);
  const hasState = payload[3] === 0x23;
  return Object.assign(new Error(payload.toString('utf8', hasState ? 9 : 3)), {
    errno,
    code: 'ER_SERVER',
    sqlState: hasState ? payload.toString('latin1', 4, 9) : undefined,
  });
}

/** The mysql2 command; its `output` is the stream of LOAD DATA lines. */
export class RawRowsCommand {
  readonly output: Readable;
  private state: 'start' | 'columns' | 'definitions' | 'rows' | 'done' = 'start';
  private columns = 0;
  private seen = 0;
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private connection: CommandConnection | null = null;
  private paused = false;

  constructor(
    private readonly sql: string,
    /** What is read, for errors (`db.table`). */
    private readonly label = 'rows',
  ) {
    this.output = new Readable({
      highWaterMark: 4 * CHUNK,
      read: () => {
        if (this.paused && this.connection) {
          this.paused = false;
          this.connection.resume();
        }
      },
    });
  }

  execute(packet: IncomingPacket | undefined, connection: CommandConnection): boolean {
    this.connection = connection;
    if (this.state === 'start') {
      connection._resetSequenceId();
      // with query attributes negotiated (MySQL 8.0.23+), COM_QUERY starts with their count (none) and set count
      const attributes = connection.config.clientFlags & (connection.serverCapabilityFlags ?? 0) & CLIENT_QUERY_ATTRIBUTES;
      const head = attributes ? Buffer.from([COM_QUERY, 0, 1]) : Buffer.from([COM_QUERY]);
      connection.writePacket(outgoing(Buffer.concat([head, Buffer.from(this.sql, 'utf8')])));
      this.state = 'columns';
      return false;
    }
    if (!packet) return false;
    const b = packet.buffer;
    const start = packet.offset;
    const end = packet.end;
    const marker = b[start];
    if (marker === 0xff) return this.finish(serverError(b.subarray(start, end)));
    switch (this.state) {
      case 'columns': {
        if (marker === 0x00) return this.finish(new Error('the statement returned no result set'));
        this.columns = lenenc(b, start)[0];
        this.state = 'definitions';
        return false;
      }
      case 'definitions':
        // column definitions, then an EOF packet (mysql2 never asks for CLIENT_DEPRECATE_EOF)
        if (this.seen < this.columns) {
          this.seen++;
          return false;
        }
        if (marker !== 0xfe) return this.finish(new Error('expected the EOF packet after the column definitions'));
        this.state = 'rows';
        return false;
      case 'rows':
        // EOF: 0xfe and short (a row starting with 0xfe has a first value of 16 MiB or more)
        if (marker === 0xfe && end - start < 9) return this.finish(null);
        return this.row(b, start, end);
      default:
        return true;
    }
  }

  /** mysql2 calls this with connection errors. */
  onResult(err: Error | null): void {
    if (this.state !== 'done') this.finish(err ?? new Error('the connection closed before the rows ended'));
  }

  private row(b: Buffer, start: number, end: number): boolean {
    let at = start;
    for (let i = 0; i < this.columns; i++) {
      if (b[at] === 0xfb) {
        this.ensure(3);
        this.chunk[this.used++] = 0x5c;
        this.chunk[this.used++] = 0x4e; // \N
        at++;
      } else {
        const [len, size] = lenenc(b, at);
        at += size;
        // worst case every byte escaped
        this.ensure(2 * len + 1);
        const out = this.chunk;
        let o = this.used;
        for (let k = at, stop = at + len; k < stop; k++) {
          const v = b[k] as number;
          if (v === 0x5c || v === 0x09 || v === 0x0a || v === 0x0d || v === 0x00) {
            out[o++] = 0x5c;
            out[o++] = v === 0x5c ? 0x5c : v === 0x09 ? 0x74 : v === 0x0a ? 0x6e : v === 0x0d ? 0x72 : 0x30;
          } else out[o++] = v;
        }
        this.used = o;
        at += len;
      }
      this.chunk[this.used++] = i === this.columns - 1 ? 0x0a : 0x09;
    }
    if (at !== end)
      return this.finish(new Error(`a row packet of ${end - start} bytes did not match its ${this.columns} fields`));
    if (this.used >= CHUNK) this.flush();
    return false;
  }

  /** Room for `n` more bytes in the chunk (a value larger than a chunk gets one of its own). */
  private ensure(n: number): void {
    if (this.used + n <= this.chunk.length) return;
    if (this.used) this.flush();
    if (n > this.chunk.length) this.chunk = Buffer.allocUnsafe(n);
  }

  private flush(last = false): void {
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    // the last chunk never pauses: nothing would resume a connection whose rows have ended
    if (!this.output.push(full) && !last && !this.paused && this.connection) {
      this.paused = true;
      this.connection.pause();
    }
  }

  private finish(err: Error | null): boolean {
    if (this.state === 'done') return true;
    this.state = 'done';
    if (this.paused && this.connection) {
      this.paused = false;
      this.connection.resume();
    }
    if (err) this.output.destroy(new Error(`reading ${this.label}: ${err.message}`, { cause: err }));
    else {
      if (this.used) this.flush(true);
      this.output.push(null);
    }
    return true;
  }
}
