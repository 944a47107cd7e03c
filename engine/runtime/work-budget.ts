/**
 * Where a unit of work stands in the queue. Lower `tier` goes first; within a
 * tier, larger `size` first (longest work first keeps the slots busy to the
 * end); equal ones in arrival order.
 */
export interface WorkPriority {
  tier: number;
  size: number;
}

/** Tiers of a job's work: what an opened database still needs goes before opening another. */
export const TIER = {
  /** Copies, index builds and post-data of databases already being dumped. */
  open: 0,
  /** Preparing the next database (create, introspect, pre-data, snapshot): only when nothing above waits. */
  next: 1,
} as const;

interface Waiter {
  priority: WorkPriority;
  seq: number;
  signal: AbortSignal | undefined;
  reject: (reason: unknown) => void;
  start: () => void;
}

/**
 * One job's parallelism as a budget of slots shared by all its databases:
 * every copy, index build and schema step of every database holds one slot
 * while it runs, so a job of 50 databases never opens more than `limit()`
 * concurrent units of work (each a source and a destination connection).
 * The limit is read live (a parallelism change applies at the next release
 * or `refresh()`).
 *
 * A slot is handed over on the next macrotask after a unit ends, so work the
 * finished unit's caller queues in the same continuation (the tables of the
 * database it just opened) is seen before the next database is opened.
 * Units must not wait for other units of the same budget (that could hold
 * every slot while waiting for one).
 */
export class WorkBudget {
  private running = 0;
  private seq = 0;
  private readonly waiting: Waiter[] = [];
  private scheduled = false;
  private readonly bySignal = new Map<AbortSignal, { members: Set<Waiter>; onAbort: () => void }>();

  constructor(private readonly limit: () => number) {}

  /** Units running now. */
  get active(): number {
    return this.running;
  }

  /** Slots free now. */
  get free(): number {
    return Math.max(0, this.limit() - this.running);
  }

  /** Units waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Run `fn` once a slot is free and no waiting unit outranks it. When
   * `signal` aborts before a slot is granted, the unit never runs and the
   * promise rejects with the signal's reason.
   */
  run<T>(priority: WorkPriority, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        signal,
        reject,
        start: () => {
          this.forget(waiter);
          this.running++;
          let result: Promise<T>;
          try {
            result = fn();
          } catch (err) {
            result = Promise.reject(err as Error);
          }
          result.then(resolve, reject).finally(() => {
            this.running--;
            this.schedule();
          });
        },
      };
      if (signal) this.watch(signal, waiter);
      this.waiting.push(waiter);
      this.schedule();
    });
  }

  /** One abort listener per signal, however many units wait on it (a database may queue hundreds of tables). */
  private watch(signal: AbortSignal, waiter: Waiter): void {
    let group = this.bySignal.get(signal);
    if (!group) {
      const members = new Set<Waiter>();
      const onAbort = () => {
        for (const w of members) {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          w.reject(signal.reason);
        }
        members.clear();
        this.bySignal.delete(signal);
      };
      group = { members, onAbort };
      this.bySignal.set(signal, group);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    group.members.add(waiter);
  }

  private forget(waiter: Waiter): void {
    const signal = waiter.signal;
    const group = signal && this.bySignal.get(signal);
    if (!signal || !group) return;
    group.members.delete(waiter);
    if (!group.members.size) {
      signal.removeEventListener('abort', group.onAbort);
      this.bySignal.delete(signal);
    }
  }

  /** Start waiting units if the limit grew. */
  refresh(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    const limit = Math.max(1, this.limit());
    while (this.running < limit && this.waiting.length) {
      let best = 0;
      for (let i = 1; i < this.waiting.length; i++) {
        if (outranks(this.waiting[i] as Waiter, this.waiting[best] as Waiter)) best = i;
      }
      const [next] = this.waiting.splice(best, 1);
      next?.start();
    }
  }
}

function outranks(a: Waiter, b: Waiter): boolean {
  if (a.priority.tier !== b.priority.tier) return a.priority.tier < b.priority.tier;
  if (a.priority.size !== b.priority.size) return a.priority.size > b.priority.size;
  return a.seq < b.seq;
}
