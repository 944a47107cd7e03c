import type { SourceProvider } from '../../providers/provider.js';
import { describeError } from './combine-errors.js';
import type { Logger } from './logger.js';

/** How often the source is asked (one short query per database). */
const EVERY_MS = 10_000;

/**
 * How much change log the source keeps for each database of a continuous
 * job (its replication slot's WAL), measured in the background at most every
 * 10 s while the job runs — for `migrate_source_retained_bytes`. A failed
 * measurement is logged at debug and leaves the last value: it never
 * affects the job. Sources without `retainedBytes` report nothing.
 */
export class RetainedLogProbe {
  private readonly bytes = new Map<string, number>();
  private last = Number.NEGATIVE_INFINITY;
  private busy = false;

  constructor(
    private readonly source: SourceProvider,
    private readonly logger: Logger,
  ) {}

  /** Measure `databases` (name → artifact) unless measured less than 10 s ago or still measuring. */
  poll(now: number, databases: ReadonlyMap<string, string>): void {
    const measure = this.source.retainedBytes?.bind(this.source);
    if (!measure || this.busy || now - this.last < EVERY_MS) return;
    this.busy = true;
    this.last = now;
    for (const name of this.bytes.keys()) if (!databases.has(name)) this.bytes.delete(name);
    // one database after the other: a job of many databases opens one extra connection at a time
    void (async () => {
      for (const [name, artifact] of databases) {
        try {
          const b = await measure(name, artifact);
          if (b === null) this.bytes.delete(name);
          else this.bytes.set(name, b);
        } catch (err) {
          this.logger.debug('cannot measure the change log the source retains', { database: name, error: describeError(err) });
        }
      }
    })().finally(() => {
      this.busy = false;
    });
  }

  /** Last measured bytes per database. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.bytes);
  }
}
