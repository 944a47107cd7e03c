/**
 * Mining events (oracle-logminer-row.ts) → whole committed transactions of
 * canonical change events, in commit order, with their positions
 * (oracle-scn.ts). Server-free: the change stream feeds it the rows of each
 * mining window and reads batches out of it.
 *
 * - Changes of captured tables are buffered per transaction
 *   (oracle-transaction-buffer.ts: spilled to disk past the memory bound);
 *   a commit makes the transaction ready, a rollback drops it. Rows marked
 *   ROLLBACK = 1 (a statement undone to a savepoint, or one that failed
 *   midway) are the inverse changes of earlier rows of the same transaction:
 *   applied in order, the pair leaves the row as it was.
 * - Once a row at SCN n is read, every commit below n is known: those
 *   transactions are queued in (commit SCN, XID) order — at the end of a
 *   window, up to its last SCN.
 * - Transactions whose commit is not after the position the stream started
 *   from (the snapshot or a checkpoint) are skipped: the destination has them.
 * - A transaction's position carries the restart SCN: the oldest start of
 *   the transactions still open or queued behind it.
 */
import type { ChangeEvent } from '../change-event.js';
import type { ChangeBatch } from '../provider.js';
import type { MiningEvent } from './oracle-logminer-row.js';
import { parseRedoSql } from './oracle-redo-sql.js';
import { oracleDdlChange, redoChangeEvent, type CapturedTable } from './oracle-row-change.js';
import {
  commitIsAfter,
  compareParsed,
  formatOraclePosition,
  minScn,
  parseOraclePosition,
  type OraclePosition,
} from './oracle-scn.js';
import { TransactionBuffer, type CommittedTransaction, type TransactionBufferOptions } from './oracle-transaction-buffer.js';

/** A buffered change: the redo SQL, decoded only once its transaction commits. */
export type BufferedChange =
  { k: 'dml'; owner: string; table: string; sql: string } | { k: 'ddl'; owner: string; table: string; sql: string };

const CODEC = {
  size: (c: BufferedChange) => 2 * c.sql.length + 2 * (c.owner.length + c.table.length) + 64,
  encode: (c: BufferedChange) => JSON.stringify(c),
  decode: (line: string) => JSON.parse(line) as BufferedChange,
};

interface Current {
  tx: CommittedTransaction<BufferedChange>;
  position: string;
  iter: Generator<BufferedChange>;
  next: IteratorResult<BufferedChange>;
  begun: boolean;
}

export class OracleChangeAssembler {
  readonly buffer: TransactionBuffer<BufferedChange>;
  private readonly from: OraclePosition;
  private queue: CommittedTransaction<BufferedChange>[] = [];
  private current: Current | null = null;
  private lastRowScn: bigint;
  private minedThrough: bigint;
  private lastEmitted: string;
  /** Transactions skipped as already held by the destination (for logs and tests). */
  skipped = 0;

  constructor(
    private readonly tables: ReadonlyMap<string, CapturedTable>,
    from: string,
    opts: TransactionBufferOptions = {},
  ) {
    this.from = parseOraclePosition(from);
    this.buffer = new TransactionBuffer(CODEC, opts);
    this.minedThrough = this.from.restartScn - 1n;
    this.lastRowScn = this.minedThrough;
    this.lastEmitted = from;
  }

  /** The first SCN to mine: the start position's restart SCN. */
  get startScn(): bigint {
    return this.from.restartScn;
  }

  /** The last SCN whose rows were all fed. */
  get minedScn(): bigint {
    return this.minedThrough;
  }

  isCaptured(owner: string, table: string): boolean {
    return this.tables.has(`${owner}.${table}`);
  }

  /** One mining event, in mining order. */
  feed(ev: MiningEvent): void {
    if (ev.scn > this.lastRowScn) {
      this.enqueue(this.buffer.takeCommitted(ev.scn));
      this.lastRowScn = ev.scn;
    }
    switch (ev.kind) {
      case 'dml':
        this.buffer.add(ev.xid, ev.scn, { k: 'dml', owner: ev.owner, table: ev.table, sql: ev.sql });
        return;
      case 'ddl':
        // DDL commits by itself, at its own SCN: never left open (an open one would hold the restart SCN back)
        this.buffer.add(ev.xid, ev.scn, { k: 'ddl', owner: ev.owner, table: ev.table, sql: ev.sql });
        this.buffer.commit(ev.xid, ev.scn, null);
        return;
      case 'commit':
        this.buffer.commit(ev.xid, ev.scn, ev.time);
        return;
      case 'rollback':
        this.buffer.rollback(ev.xid);
        return;
      case 'start':
        return;
    }
  }

  /** Every row up to `endScn` was fed (a window ended): its commits are all known. */
  windowDone(endScn: bigint): void {
    this.enqueue(this.buffer.takeCommitted(endScn + 1n));
    if (endScn > this.minedThrough) this.minedThrough = endScn;
    if (endScn > this.lastRowScn) this.lastRowScn = endScn;
  }

  /** Committed transactions are waiting to be read. */
  get pending(): boolean {
    return this.current !== null || this.queue.length > 0;
  }

  /** Up to about `maxEvents` events of whole transactions (a larger transaction in `partial` pieces). */
  read(maxEvents: number): ChangeBatch {
    const batch: ChangeBatch = { events: [], endPosition: null, lastCommitTime: null, transactions: 0, partial: false };
    const limit = Math.max(1, maxEvents);
    while (batch.events.length < limit) {
      const cur = this.current ?? this.begin();
      if (!cur) break;
      const time = cur.tx.commitTime ?? new Date().toISOString();
      if (!cur.begun) {
        batch.events.push({ kind: 'begin', xid: cur.tx.xid, finalPosition: cur.position, commitTime: time });
        cur.begun = true;
      }
      while (!cur.next.done) {
        const ev = this.decode(cur.next.value);
        if (ev) batch.events.push(ev);
        cur.next = cur.iter.next();
        if (batch.events.length >= limit && !cur.next.done) {
          batch.partial = true;
          return batch;
        }
      }
      batch.events.push({ kind: 'commit', commitPosition: cur.position, endPosition: cur.position, commitTime: time });
      batch.endPosition = cur.position;
      batch.lastCommitTime = time;
      batch.transactions++;
      this.lastEmitted = cur.position;
      cur.tx.discard();
      this.current = null;
    }
    return batch;
  }

  /** Everything before this is applied or irrelevant. */
  processedPosition(): string {
    if (this.pending) return this.lastEmitted;
    const boundary = this.minedThrough + 1n;
    const open = this.buffer.oldestStart();
    const restart = open === null ? boundary : minScn(open, boundary);
    const text = formatOraclePosition({ scn: boundary, xid: null, restartScn: restart });
    return compareParsed(parseOraclePosition(text), parseOraclePosition(this.lastEmitted)) > 0 ? text : this.lastEmitted;
  }

  close(): void {
    this.current?.tx.discard();
    for (const t of this.queue) t.discard();
    this.queue = [];
    this.current = null;
    this.buffer.close();
  }

  private enqueue(list: CommittedTransaction<BufferedChange>[]): void {
    for (const t of list) {
      if (commitIsAfter(this.from, t.commitScn, t.xid)) this.queue.push(t);
      else {
        this.skipped++;
        t.discard();
      }
    }
  }

  private begin(): Current | null {
    const tx = this.queue.shift();
    if (!tx) return null;
    let restart = tx.commitScn;
    const open = this.buffer.oldestStart();
    if (open !== null && open < restart) restart = open;
    for (const q of this.queue) if (q.startScn < restart) restart = q.startScn;
    const position = formatOraclePosition({ scn: tx.commitScn, xid: tx.xid, restartScn: restart });
    const iter = tx.changes();
    this.current = { tx, position, iter, next: iter.next(), begun: false };
    return this.current;
  }

  private decode(c: BufferedChange): ChangeEvent | null {
    const table = this.tables.get(`${c.owner}.${c.table}`);
    if (!table) return null; // left the selection while its transaction was open
    if (c.k === 'dml') return redoChangeEvent(parseRedoSql(c.sql), table);
    const change = oracleDdlChange(c.sql);
    if (change === 'ignore') return null;
    if (change === 'truncate') return { kind: 'truncate', relations: [table.relation], cascade: false, restartIdentity: false };
    return { kind: 'schema', table: { schema: table.schema, name: table.name }, statement: c.sql };
  }
}
