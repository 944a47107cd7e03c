import { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { CopyFrameScanner } from './pg-copy-frame-scanner.js';

/**
 * COPY between two PostgreSQL connections with the rows left in their wire
 * frames: the source's CopyData messages are forwarded to the destination as
 * they arrived, so no row is taken out of its frame and wrapped again (the
 * per-row work of a COPY pipe through node otherwise costs more CPU than
 * the bytes do). Both classes are pg "submittables" (`client.query(x)`),
 * taking over the connection's socket for the length of the copy, as
 * pg-copy-streams does.
 */

/** The part of pg's Connection a copy drives (not in its typings). */
interface PgConnection {
  stream: NodeJS.ReadableStream & NodeJS.WritableStream;
  query(text: string): void;
  sendCopyFail(message: string): void;
}

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);
/** Bytes buffered on each side of a copy before it waits (the default 16 KiB is a quarter of one socket read). */
const BUFFER_BYTES = 1024 * 1024;

function copyRowCount(msg: unknown): number | null {
  const m = /COPY (\d+)/.exec((msg as { text?: string } | undefined)?.text ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * `COPY … TO STDOUT` as a stream of framed CopyData messages (headers
 * included). `rows` and `bytes` (payload) count what went through.
 */
export class CopyOutFrames extends Readable implements pg.Submittable {
  readonly scanner = new CopyFrameScanner();
  rowCount: number | null = null;
  private connection: PgConnection | null = null;
  private pgOnData: ((chunk: Buffer) => void) | null = null;
  private readonly onData = (chunk: Buffer) => this.forward(chunk);

  constructor(private readonly text: string) {
    // room for a few socket reads: the source keeps sending while the destination's socket drains
    super({ highWaterMark: BUFFER_BYTES });
  }

  get rows(): number {
    return this.scanner.rows;
  }

  get bytes(): number {
    return this.scanner.bytes;
  }

  submit(pgConnection: pg.Connection): void {
    const connection = pgConnection as unknown as PgConnection;
    this.connection = connection;
    const socket = connection.stream;
    const listeners = socket.listeners('data');
    if (listeners.length !== 1) throw new Error(`COPY: expected one data listener on the connection, found ${listeners.length}`);
    this.pgOnData = listeners[0] as (chunk: Buffer) => void;
    // the socket's chunks come to us as they are read (no concatenation), paused while our reader is full
    socket.removeListener('data', this.pgOnData);
    socket.on('data', this.onData);
    connection.query(this.text);
  }

  override _read(): void {
    this.connection?.stream.resume();
  }

  private forward(chunk: Buffer): void {
    const scanned = this.scanner.scan(chunk);
    let room = true;
    for (const frame of scanned.frames) room = this.push(frame) && room;
    if (scanned.rest) {
      this.detach(scanned.rest);
      // an error is reported by the driver through handleError
      if (!scanned.failed) this.push(null);
    } else if (!room) this.connection?.stream.pause();
  }

  /** Give the connection back to the driver with the bytes that follow the copy. */
  private detach(rest: Buffer): void {
    const connection = this.connection;
    const onData = this.pgOnData;
    if (!connection || !onData) return;
    this.connection = null;
    const socket = connection.stream;
    socket.removeListener('data', this.onData);
    socket.on('data', onData);
    if (rest.length) onData(rest);
    socket.resume();
  }

  handleError(err: Error): void {
    this.destroy(err);
  }

  handleCommandComplete(msg: unknown): void {
    this.rowCount = copyRowCount(msg);
  }

  handleReadyForQuery(): void {}
}

/** `COPY … FROM STDIN` fed with framed CopyData messages (as CopyOutFrames reads them). */
export class CopyInFrames extends Writable implements pg.Submittable {
  rowCount: number | null = null;
  private connection: PgConnection | null = null;
  private ready = false;
  private pending: { chunk: Buffer; cb: (err?: Error | null) => void } | null = null;
  private onReady: ((err?: Error | null) => void) | null = null;

  constructor(private readonly text: string) {
    super({ decodeStrings: false, highWaterMark: BUFFER_BYTES });
  }

  submit(pgConnection: pg.Connection): void {
    const connection = pgConnection as unknown as PgConnection;
    this.connection = connection;
    connection.query(this.text);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.ready) {
      this.pending = { chunk, cb };
      return;
    }
    this.send(chunk, cb);
  }

  private send(chunk: Buffer, cb: (err?: Error | null) => void): void {
    const socket = this.connection?.stream;
    if (!socket) {
      cb(new Error('COPY: the connection is gone'));
      return;
    }
    if (socket.write(chunk)) cb();
    else socket.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    // done once the server confirms (ReadyForQuery): the rows are then visible in this transaction
    this.onReady = cb;
    const finish = () => this.connection?.stream.write(COPY_DONE);
    if (this.ready) finish();
    else this.pending = { chunk: Buffer.alloc(0), cb: () => finish() };
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // the copy is still open: CopyFail makes the server roll it back (its error reply then ends the query)
    if (this.connection && this.ready && this.onReady === null) this.connection.sendCopyFail(err?.message ?? 'copy aborted');
    cb(err);
  }

  handleCopyInResponse(): void {
    this.ready = true;
    const p = this.pending;
    this.pending = null;
    if (p) {
      if (p.chunk.length) this.send(p.chunk, p.cb);
      else p.cb();
    }
  }

  handleError(err: Error): void {
    this.connection = null;
    const cb = this.onReady;
    this.onReady = null;
    if (cb) cb(err);
    else this.destroy(err);
  }

  handleCommandComplete(msg: unknown): void {
    this.rowCount = copyRowCount(msg);
  }

  handleReadyForQuery(): void {
    this.connection = null;
    const cb = this.onReady;
    this.onReady = null;
    cb?.();
  }
}
