/**
 * Open Oracle transactions between their first captured change and their
 * commit. LogMiner (without COMMITTED_DATA_ONLY, see oracle-change-stream.ts)
 * hands out every transaction's rows as they were written, interleaved; a
 * transaction is emitted only at its commit, dropped at its rollback, and
 * ordered by (commit SCN, XID) among the transactions committed in a window
 * (oracle-scn.ts). Memory is bounded: when the open transactions hold more
 * than `maxBytes`, the largest one is spilled to a file of JSON lines in a
 * private temporary folder and read back, in order, at its commit — a long
 * transaction is never dropped and never has to fit in memory.
 */
import { appendFileSync, closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface BufferCodec<T> {
  /** Approximate bytes one change holds in memory. */
  size(change: T): number;
  /** One line of JSON (no newline inside: JSON.stringify escapes them). */
  encode(change: T): string;
  decode(line: string): T;
}

interface OpenTransaction<T> {
  xid: string;
  startScn: bigint;
  changes: T[];
  bytes: number;
  count: number;
  /** Spill file holding the first `spilled` changes, or null. */
  file: string | null;
  spilled: number;
}

export interface CommittedTransaction<T> {
  xid: string;
  startScn: bigint;
  commitScn: bigint;
  commitTime: string | null;
  count: number;
  /** The changes in the order they were made (spilled ones read back from disk in chunks). */
  changes(): Generator<T>;
  /** Remove its spill file (after its changes were read). */
  discard(): void;
}

export interface TransactionBufferOptions {
  /** In-memory bytes of all open transactions together before the largest spills. Default 64 MiB. */
  maxBytes?: number;
  /** Where spill folders go. Default the OS temporary directory. */
  directory?: string;
}

export class TransactionBuffer<T> {
  private readonly open = new Map<string, OpenTransaction<T>>();
  private ready: CommittedTransaction<T>[] = [];
  private bytes = 0;
  private dir: string | null = null;
  private readonly maxBytes: number;
  /** Files written so far (for tests and logs). */
  spills = 0;

  constructor(
    private readonly codec: BufferCodec<T>,
    private readonly opts: TransactionBufferOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 64 * 2 ** 20;
  }

  /** Add a change of `xid` made at `scn` (the transaction begins with its first change). */
  add(xid: string, scn: bigint, change: T): void {
    let tx = this.open.get(xid);
    if (!tx) {
      tx = { xid, startScn: scn, changes: [], bytes: 0, count: 0, file: null, spilled: 0 };
      this.open.set(xid, tx);
    }
    const size = this.codec.size(change);
    tx.changes.push(change);
    tx.bytes += size;
    tx.count++;
    this.bytes += size;
    while (this.bytes > this.maxBytes) this.spillLargest();
  }

  has(xid: string): boolean {
    return this.open.has(xid);
  }

  /** The transaction committed at `commitScn`: ready to be taken in commit order. No-op when it changed no captured table. */
  commit(xid: string, commitScn: bigint, commitTime: string | null): void {
    const tx = this.open.get(xid);
    if (!tx) return;
    this.open.delete(xid);
    this.bytes -= tx.bytes;
    const { codec } = this;
    const file = tx.file;
    const memory = tx.changes;
    this.ready.push({
      xid,
      startScn: tx.startScn,
      commitScn,
      commitTime,
      count: tx.count,
      *changes() {
        if (file) for (const line of readLines(file)) yield codec.decode(line);
        yield* memory;
      },
      discard: () => {
        if (file) rmSync(file, { force: true });
      },
    });
  }

  /** The transaction rolled back: its changes are dropped (and its spill file removed). */
  rollback(xid: string): void {
    const tx = this.open.get(xid);
    if (!tx) return;
    this.open.delete(xid);
    this.bytes -= tx.bytes;
    if (tx.file) rmSync(tx.file, { force: true });
  }

  /**
   * Committed transactions with a commit SCN below `belowScn`, in commit
   * order (commit SCN, then XID). Rows come in SCN order, so once a row at
   * SCN n is read every commit below n is known.
   */
  takeCommitted(belowScn: bigint): CommittedTransaction<T>[] {
    const out = this.ready.filter((t) => t.commitScn < belowScn);
    if (!out.length) return out;
    this.ready = this.ready.filter((t) => t.commitScn >= belowScn);
    return out.sort((a, b) =>
      a.commitScn !== b.commitScn ? (a.commitScn < b.commitScn ? -1 : 1) : a.xid < b.xid ? -1 : a.xid > b.xid ? 1 : 0,
    );
  }

  /** The smallest start SCN of the open transactions (where mining restarts to see all of them), or null. */
  oldestStart(): bigint | null {
    let min: bigint | null = null;
    for (const t of this.open.values()) if (min === null || t.startScn < min) min = t.startScn;
    for (const t of this.ready) if (min === null || t.startScn < min) min = t.startScn;
    return min;
  }

  get openTransactions(): number {
    return this.open.size;
  }

  get memoryBytes(): number {
    return this.bytes;
  }

  /** Drop everything (spill files included). */
  close(): void {
    this.open.clear();
    this.ready = [];
    this.bytes = 0;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private spillLargest(): void {
    let largest: OpenTransaction<T> | null = null;
    for (const t of this.open.values()) if (t.changes.length && (!largest || t.bytes > largest.bytes)) largest = t;
    if (!largest) return;
    this.dir ??= mkdtempSync(join(this.opts.directory ?? tmpdir(), 'migrate-oracle-tx-'));
    largest.file ??= join(this.dir, `${largest.xid}.jsonl`);
    appendFileSync(largest.file, largest.changes.map((c) => `${this.codec.encode(c)}\n`).join(''));
    largest.spilled += largest.changes.length;
    this.bytes -= largest.bytes;
    largest.changes = [];
    largest.bytes = 0;
    this.spills++;
  }
}

/** Lines of a file read 1 MiB at a time. */
function* readLines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(2 ** 20);
    // a chunk may end inside a multi-byte character: the decoder keeps it for the next one
    const utf8 = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const text = rest + utf8.write(chunk.subarray(0, n));
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (l) yield l;
    }
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}
