/**
 * The binlog change reader: a pull API over one dump connection. Raw events
 * queue as bytes (bounded: past `maxBufferedBytes` the socket is paused, so
 * memory stays bounded however far the consumer is behind; one event larger
 * than the bound still passes, alone) and are decoded when pulled, so a
 * decoding error surfaces exactly at the event that caused it, after every
 * event before it.
 */
import { BinlogDecoder } from './binlog-decoder.js';
import { BinlogError } from './binlog-error.js';
import { openBinlogConnection, type BinlogConnectionOptions, type BinlogSession } from './binlog-connection.js';
import type { BinlogEvent, BinlogPosition, BinlogSchemaHints, BinlogTextDecoder } from './binlog-types.js';
import type mysql from 'mysql2';

export interface BinlogReaderOptions extends BinlogConnectionOptions {
  /** Column facts for TABLE_MAPs without FULL metadata (MySQL 5.7; see BinlogColumnHint). */
  schemaHints?: BinlogSchemaHints;
  /** Only this database's rows are decoded (see BinlogDecoderOptions.database). */
  database?: string;
  /** Raw event bytes buffered before the socket is paused; default 8 MiB. Reading resumes below half. */
  maxBufferedBytes?: number;
  /** Character columns' values as text (see BinlogDecoderOptions.decodeText). */
  decodeText?: BinlogTextDecoder;
}

export class BinlogReader implements AsyncIterable<BinlogEvent> {
  private readonly queue: Buffer[] = [];
  private head = 0;
  private bytes = 0;
  private paused = false;
  private ended = false;
  private failure: BinlogError | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  private constructor(
    private readonly conn: mysql.Connection,
    /** What the source is and where the dump started. */
    readonly session: BinlogSession,
    private readonly decoder: BinlogDecoder,
    private readonly maxBytes: number,
  ) {}

  /** Connect, check the source, and start the dump at `opts.start`. */
  static async open(opts: BinlogReaderOptions): Promise<BinlogReader> {
    const opened = await openBinlogConnection(opts);
    const s = opened.session;
    const decoder = new BinlogDecoder({
      file: s.file,
      offset: s.offset,
      gtidState: s.gtidState,
      checksum: s.checksum,
      schemaHints: opts.schemaHints,
      database: opts.database,
      decodeText: opts.decodeText,
    });
    const reader = new BinlogReader(opened.conn, s, decoder, opts.maxBufferedBytes ?? 8 * 2 ** 20);
    opened.conn.on('error', (err) =>
      reader.fail(new BinlogError('SERVER_ERROR', `binlog connection: ${err.message}`, { cause: err })),
    );
    opened.startDump({
      event: (ev) => reader.push(ev),
      end: (error) => (error ? reader.fail(error) : reader.finish()),
    });
    return reader;
  }

  /** The position after the last event returned; a resume point only when `inTransaction()` is false. */
  position(): BinlogPosition {
    return this.decoder.position();
  }

  inTransaction(): boolean {
    return this.decoder.inTransaction();
  }

  /**
   * Character columns' values as the text `text` returns, from the next
   * event pulled on (events are decoded when pulled): the consumer that
   * knows the server's charsets sets it (see BinlogDecoderOptions.decodeText).
   */
  setTextDecoder(text: BinlogTextDecoder | undefined): void {
    this.decoder.setTextDecoder(text);
  }

  /** Bytes of raw events waiting to be pulled. */
  bufferedBytes(): number {
    return this.bytes;
  }

  /**
   * The next event, waiting for the source if need be; null once the dump
   * ended (non-blocking dump, or `close`). Throws the BinlogError that ended
   * the stream once the events before it are consumed.
   */
  async next(): Promise<BinlogEvent | null> {
    for (;;) {
      const ev = this.tryNext();
      if (ev !== undefined) return ev;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * `next()` without waiting: the next buffered event, null once the dump
   * ended, undefined when nothing is buffered yet (the common case of a
   * consumer behind the source pays no promise or timer per event).
   */
  tryNext(): BinlogEvent | null | undefined {
    for (;;) {
      const raw = this.shift();
      if (raw) {
        let ev: BinlogEvent | null;
        try {
          ev = this.decoder.decode(raw);
        } catch (err) {
          this.fail(err instanceof BinlogError ? err : new BinlogError('MALFORMED_EVENT', String(err), { cause: err }));
          this.drop();
          destroySocket(this.conn); // the stream cannot continue past an event it could not decode
          throw this.failure;
        }
        if (ev) return ev;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended || this.closed) return null;
      return undefined;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<BinlogEvent> {
    try {
      for (;;) {
        const ev = await this.next();
        if (!ev) return;
        yield ev;
      }
    } finally {
      await this.close();
    }
  }

  /** Stop the dump and close the connection; pending and future `next` calls return null. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.drop();
    this.notify();
    destroySocket(this.conn);
  }

  private push(ev: Buffer): void {
    if (this.closed) return;
    this.queue.push(ev);
    this.bytes += ev.length;
    if (!this.paused && this.bytes >= this.maxBytes) {
      this.paused = true;
      this.conn.pause();
    }
    this.notify();
  }

  private shift(): Buffer | undefined {
    if (this.head >= this.queue.length) return undefined;
    const ev = this.queue[this.head];
    this.queue[this.head++] = EMPTY;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (ev) this.bytes -= ev.length;
    if (this.paused && this.bytes <= this.maxBytes / 2 && !this.closed) {
      this.paused = false;
      this.conn.resume();
    }
    return ev;
  }

  private fail(err: BinlogError): void {
    if (this.closed || this.failure) return;
    this.failure = err;
    this.notify();
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private drop(): void {
    this.queue.length = 0;
    this.head = 0;
    this.bytes = 0;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * mysql2's `destroy()` only half-closes the socket (`end()`), and a source
 * in the middle of a dump keeps its side open: the process would never
 * exit. Destroy the socket itself.
 */
function destroySocket(conn: mysql.Connection): void {
  conn.destroy();
  (conn as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.();
}
