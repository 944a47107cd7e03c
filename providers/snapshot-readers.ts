/**
 * The reader connections of one source snapshot, shared by the ranges that
 * read it: a range takes an idle reader or waits its turn; a reader whose
 * query was cut off mid-result is dropped (it cannot serve another range);
 * once closed, or once no reader is left, taking one fails naming the
 * snapshot. Every engine's snapshot (MySQL, SQL Server, Oracle) uses it.
 */
export class SnapshotReaders<R> {
  private readonly idle: R[];
  private readonly waiting: ((r: R) => void)[] = [];
  private closed = false;

  constructor(
    /** Every live reader, idle or not. */
    readonly all: R[],
    /** The snapshot as errors name it (`the snapshot of shop`). */
    private readonly name: string,
  ) {
    this.idle = [...all];
  }

  acquire(): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`the snapshot of ${this.name} is closed`));
    const r = this.idle.pop();
    if (r !== undefined) return Promise.resolve(r);
    if (!this.all.length) return Promise.reject(new Error(`no reader of the snapshot of ${this.name} is left`));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(r: R): void {
    const next = this.waiting.shift();
    if (next) next(r);
    else this.idle.push(r);
  }

  /** A reader that cannot be used again leaves the pool. */
  drop(r: R): void {
    const i = this.all.indexOf(r);
    if (i >= 0) this.all.splice(i, 1);
  }

  /** No reader is handed out any more; returns them all (to end their transactions and connections). */
  close(): R[] {
    this.closed = true;
    return this.all;
  }
}
