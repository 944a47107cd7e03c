import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Duplex } from 'node:stream';
import type { ChangeEvent } from '../change-event.js';
import type { ChangeBatch, ChangeStream, ResolvedProfile } from '../provider.js';
import type { Logger } from '../../contract/logger.js';
import { connectPg } from './pg-connection.js';
import { compareLsn, formatLsn, parseLsn } from './pg-lsn.js';
import { PgOutputDecoder } from './pgoutput-decoder.js';
import { StreamMemory, type StreamShare } from '../stream-memory.js';
import { quoteIdent, quoteLiteral } from './pg-quote.js';

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000n;
const STATUS_INTERVAL_MS = 5_000;
/** A batch holds at most this many bytes of messages (at least one transaction, or a part of a larger one). */
const MAX_BATCH_BYTES = 8 * 2 ** 20;

/**
 * How long a complete transaction may wait for others to join its batch
 * when the destination is free. Without it, a source that trickles one
 * transaction at a time gets one destination commit each, and that overhead
 * can leave the applier behind for seconds; with it a batch costs at most
 * this much latency.
 */
const LINGER_MS = 20;

/**
 * A logical replication stream (`START_REPLICATION … pgoutput`) decoded into
 * canonical change events. The slot is acknowledged only with positions the
 * caller says the destination committed; when nothing is in flight, the
 * server's keepalive position is acknowledged too, so an idle publication
 * does not make the source keep WAL forever.
 */
export class PgChangeStream implements ChangeStream {
  private readonly decoder = new PgOutputDecoder();
  private buffer: ChangeEvent[] = [];
  /** Message size of each buffered event. */
  private sizes: number[] = [];
  private bufferedBytes = 0;
  /** Buffer indices just past each complete transaction's commit, in order… */
  private commitEnds: number[] = [];
  /** …and the buffered bytes up to each of them. */
  private commitBytes: number[] = [];
  /** When the oldest buffered complete transaction arrived (performance.now()). */
  private firstCommitAt = 0;
  private inTransaction = false;
  private returnedUnacked: string | null = null;
  private acked: bigint;
  private serverWalEnd = 0n;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private statusTimer: NodeJS.Timeout;
  private closed = false;

  /** What this stream may buffer (events past which, or bytes of their messages, it stops reading). */
  private readonly share: StreamShare;

  private constructor(
    private readonly client: pg.Client,
    private readonly copy: Duplex,
    from: string,
    private readonly logger: Logger,
    memory: StreamMemory,
  ) {
    this.share = memory.join();
    this.acked = parseLsn(from);
    copy.on('data', (chunk: Buffer) => this.onMessage(chunk));
    copy.on('error', (err: Error) => this.fail(err));
    copy.on('end', () => this.fail(new Error('the source ended the replication stream')));
    client.on('error', (err: Error) => this.fail(err));
    this.statusTimer = setInterval(() => this.sendStatus(false), STATUS_INTERVAL_MS);
  }

  static async open(
    profile: ResolvedProfile,
    database: string,
    slot: string,
    publication: string,
    from: string,
    logger: Logger,
    /** Shared by a job's streams; alone, a stream may buffer up to 24 MiB. */
    memory: StreamMemory = new StreamMemory(24 * 2 ** 20),
  ): Promise<PgChangeStream> {
    const client = await connectPg(profile, database, { replication: true, applicationName: `migrate:cdc:${slot}` });
    const sql =
      `START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL ${from} ` +
      `(proto_version '1', publication_names ${quoteLiteral(quoteIdent(publication))})`;
    // pg-copy-streams ships copy-both (replication) without typings for it
    const both = (copyStreams as unknown as { both: (sql: string, o: object) => pg.Submittable }).both;
    const copy = client.query(both(sql, { alignOnCopyDataFrame: true })) as unknown as Duplex;
    return new PgChangeStream(client, copy, from, logger, memory);
  }

  async read(wantEvents: number, idleMs: number, flushWhen?: Promise<unknown>): Promise<ChangeBatch> {
    // a batch must fit well inside what may be buffered, or a large transaction could never fill one
    const maxEvents = Math.max(1, Math.min(wantEvents, Math.floor((this.share.events() * 2) / 3)));
    const maxBytes = this.batchBytes();
    const deadline = Date.now() + idleMs;
    let flush = false;
    const onFlush = () => {
      flush = true;
      this.wake?.();
    };
    flushWhen?.then(onFlush, onFlush);
    for (;;) {
      if (this.failure) throw this.failure;
      const committed = this.commitEnds.at(-1) ?? 0;
      const committedBytes = this.commitBytes.at(-1) ?? 0;
      if (committed >= maxEvents || committedBytes >= maxBytes) return this.take(maxEvents);
      if (committed === 0 && (this.buffer.length >= maxEvents || this.bufferedBytes >= maxBytes)) {
        return this.take(maxEvents, true);
      }
      let left = deadline - Date.now();
      if (left <= 0) return this.take(maxEvents);
      if (flush && committed > 0) {
        const linger = this.firstCommitAt + LINGER_MS - performance.now();
        if (linger <= 0) return this.take(maxEvents);
        left = Math.min(left, linger);
      }
      if (this.copy.isPaused()) this.copy.resume();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.wake = null;
          resolve();
        }, left);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  acknowledge(position: string): void {
    const lsn = parseLsn(position);
    if (lsn > this.acked) this.acked = lsn;
    if (this.returnedUnacked && compareLsn(position, this.returnedUnacked) >= 0) this.returnedUnacked = null;
    this.sendStatus(false);
  }

  processedPosition(): string {
    return formatLsn(this.idle() && this.serverWalEnd > this.acked ? this.serverWalEnd : this.acked);
  }

  /** Bytes of messages a batch may hold: well inside the buffer share. */
  private batchBytes(): number {
    return Math.min(MAX_BATCH_BYTES, Math.floor(this.share.bytes() / 3));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.share.leave();
    clearInterval(this.statusTimer);
    this.sendStatus(false);
    const ended = this.client.end().catch(() => undefined);
    const timeout = new Promise((r) => setTimeout(r, 2000));
    await Promise.race([ended, timeout]);
    (this.client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  /** Nothing buffered, no open transaction, nothing handed out and not yet committed. */
  private idle(): boolean {
    return this.buffer.length === 0 && !this.inTransaction && this.returnedUnacked === null;
  }

  /**
   * Hand out whole transactions, as many as fit in `maxEvents` (at least
   * one), or — `partial` — the first `maxEvents` events of a transaction too
   * large for one batch. Bounds what is held in memory per batch.
   */
  private take(maxEvents: number, partial = false): ChangeBatch {
    let count = 0;
    let bytes = 0;
    if (partial) {
      const limit = Math.min(maxEvents, this.buffer.length);
      while (count < limit && (count === 0 || bytes < this.batchBytes())) bytes += this.sizes[count++] ?? 0;
    } else {
      let txns = 0;
      for (let i = 0; i < this.commitEnds.length; i++) {
        const end = this.commitEnds[i] ?? 0;
        const endBytes = this.commitBytes[i] ?? 0;
        if (count !== 0 && (end > maxEvents || endBytes > this.batchBytes())) break;
        count = end;
        bytes = endBytes;
        txns++;
      }
      this.commitEnds = this.commitEnds.slice(txns).map((e) => e - count);
      this.commitBytes = this.commitBytes.slice(txns).map((b) => b - bytes);
      // complete transactions left behind: the next batch need not wait for company
      this.firstCommitAt = 0;
    }
    const events = this.buffer.splice(0, count);
    this.sizes.splice(0, count);
    this.bufferedBytes -= bytes;
    let endPosition: string | null = null;
    let lastCommitTime: string | null = null;
    let transactions = 0;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e?.kind !== 'commit') continue;
      if (!endPosition) {
        endPosition = e.endPosition;
        lastCommitTime = e.commitTime;
      }
      transactions++;
    }
    if (endPosition) this.returnedUnacked = endPosition;
    else if (partial) this.returnedUnacked = this.returnedUnacked ?? formatLsn(this.acked + 1n);
    if (this.copy.isPaused() && this.buffer.length < this.share.events() / 2 && this.bufferedBytes < this.share.bytes() / 2) {
      this.copy.resume();
    }
    return { events, endPosition, lastCommitTime, transactions, partial };
  }

  private onMessage(msg: Buffer): void {
    const type = msg[0];
    if (type === 0x77 /* w: XLogData */) {
      const walEnd = msg.readBigUInt64BE(9);
      if (walEnd > this.serverWalEnd) this.serverWalEnd = walEnd;
      let event: ChangeEvent | null;
      try {
        event = this.decoder.decode(msg.subarray(25));
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (!event) return;
      this.buffer.push(event);
      this.sizes.push(msg.length);
      this.bufferedBytes += msg.length;
      if (event.kind === 'begin') this.inTransaction = true;
      else if (event.kind === 'commit') {
        this.inTransaction = false;
        if (!this.commitEnds.length) this.firstCommitAt = performance.now();
        this.commitEnds.push(this.buffer.length);
        this.commitBytes.push(this.bufferedBytes);
      }
      // backpressure: stop reading the socket; the server then waits (its WAL is kept by the slot)
      if (this.buffer.length > this.share.events() || this.bufferedBytes > this.share.bytes()) this.copy.pause();
      this.wake?.();
    } else if (type === 0x6b /* k: primary keepalive */) {
      const walEnd = msg.readBigUInt64BE(1);
      if (walEnd > this.serverWalEnd) this.serverWalEnd = walEnd;
      // answer only when asked: replying to every keepalive costs a status write per source transaction
      if (msg[17] === 1) this.sendStatus(true);
      this.wake?.();
    }
  }

  /**
   * Standby status update. written = what we received (so the walsender
   * does not ping us after every transaction); flushed = applied = what the
   * destination durably holds — or, when nothing is in flight, the server's
   * WAL end (idle heartbeat: the slot advances without changes for us).
   */
  private sendStatus(immediate: boolean): void {
    const position = this.idle() && this.serverWalEnd > this.acked ? this.serverWalEnd : this.acked;
    const written = this.serverWalEnd > position ? this.serverWalEnd : position;
    const buf = Buffer.alloc(34);
    buf[0] = 0x72; // r
    buf.writeBigUInt64BE(written, 1);
    buf.writeBigUInt64BE(position, 9);
    buf.writeBigUInt64BE(position, 17);
    buf.writeBigUInt64BE((BigInt(Date.now()) - PG_EPOCH_MS) * 1000n, 25);
    buf[33] = immediate ? 1 : 0;
    try {
      if (!this.copy.writableEnded && !this.copy.destroyed) this.copy.write(buf);
    } catch (err) {
      this.logger.debug('status update failed', { error: (err as Error).message });
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.failure ??= err;
    this.wake?.();
  }
}
