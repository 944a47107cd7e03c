import type { DatabaseProgress, JobRuntime, TableProgress } from '../../state/job-runtime.js';
import type { StateBackend } from '../../state/state-backend.js';
import type { Clock } from './clock.js';
import { describeError } from './combine-errors.js';
import type { Logger } from './logger.js';
import { mergeRuntime } from '../../state/merge-runtime.js';

export function emptyTableProgress(name: string): TableProgress {
  return {
    name,
    state: 'QUEUED',
    fullLoadTotalRows: 0,
    fullLoadTotalVolumeBytes: 0,
    fullLoadStartedOn: null,
    fullLoadEndedOn: null,
    rangesTotal: 0,
    rangesDone: 0,
    cdcInsertCounter: 0,
    cdcUpdateCounter: 0,
    cdcDeleteCounter: 0,
    dataErrorsCount: 0,
    lastError: null,
  };
}

export function emptyDatabaseProgress(name: string, target: string): DatabaseProgress {
  return {
    name,
    target,
    migrationState: 'NOT_STARTED',
    startedOn: null,
    endedOn: null,
    incomingChanges: 0,
    appliedChanges: 0,
    latencyMs: null,
    tables: [],
  };
}

/**
 * The worker's in-memory JobRuntime, flushed to the backend at most every
 * `intervalMs` (and on demand at state changes), so progress costs no I/O per row.
 * Each flush merges the databases this runner serves (`owned`) into the
 * stored report and takes the other workers' databases from it (several
 * workers may serve one job).
 * A failed write is logged once (with its cause) and retried at the next
 * interval; the job goes on, since the data path does not depend on it.
 */
export class ProgressReporter {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<boolean> = Promise.resolve(true);
  /** The write failure being retried, logged when it began. */
  private failing: string | null = null;
  /** The job's report as stored after our last write (other workers' databases included). */
  private stored: JobRuntime | null = null;

  constructor(
    readonly runtime: JobRuntime,
    private readonly backend: StateBackend,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** The databases this runner serves now: only their entries are ours to write. */
    private readonly owned: () => ReadonlySet<string>,
    private readonly intervalMs = 500,
  ) {}

  /** The stored report's status after our last write: another worker may have settled the job (Failed). */
  storedStatus(): JobRuntime['status'] | null {
    return this.stored?.status ?? null;
  }

  /** Take the other workers' databases from a stored report (ours stay as we have them). */
  private adopt(stored: JobRuntime | null, owned: ReadonlySet<string>): void {
    this.stored = stored;
    if (!stored || stored.generation !== this.runtime.generation || (stored.jobId ?? null) !== (this.runtime.jobId ?? null))
      return;
    // and those we took since the write began: their pipelines hold our objects
    const ownedNow = this.owned();
    for (const theirs of stored.databases) {
      if (owned.has(theirs.name) || ownedNow.has(theirs.name)) continue;
      const i = this.runtime.databases.findIndex((d) => d.name === theirs.name);
      if (i < 0) this.runtime.databases.push(theirs);
      else this.runtime.databases[i] = theirs;
    }
  }

  now(): string {
    return this.clock().toISOString();
  }

  database(name: string, target: string): DatabaseProgress {
    let db = this.runtime.databases.find((d) => d.name === name);
    if (!db) {
      db = emptyDatabaseProgress(name, target);
      this.runtime.databases.push(db);
    }
    db.target = target;
    return db;
  }

  table(db: DatabaseProgress, name: string): TableProgress {
    let t = db.tables.find((x) => x.name === name);
    if (!t) {
      t = emptyTableProgress(name);
      db.tables.push(t);
    }
    return t;
  }

  /** Note a change; it reaches the backend within `intervalMs`. */
  touch(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
  }

  /**
   * Write now (status changes must be visible before the next step).
   * Resolves false when the write failed; it is then retried after `intervalMs`.
   */
  async flush(): Promise<boolean> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.runtime.updatedAt = this.now();
    const snapshot = structuredClone(this.runtime);
    const owned = new Set(this.owned());
    this.writing = this.writing.then(() =>
      this.backend
        .updateRuntime(snapshot.job, (stored) => mergeRuntime(stored, snapshot, owned))
        .then(
          (stored) => {
            this.adopt(stored, owned);
            if (this.failing) this.logger.info('job status written again', { job: this.runtime.job });
            this.failing = null;
            return true;
          },
          (err: unknown) => {
            const message = describeError(err);
            if (this.failing !== message) {
              this.logger.error('cannot write the job status to the state backend; retrying', {
                job: this.runtime.job,
                backend: this.backend.description,
                error: message,
              });
            }
            this.failing = message;
            this.touch();
            return false;
          },
        ),
    );
    return this.writing;
  }

  /**
   * The runner's last word (Completed, Failed, Stopped): written with a few
   * retries, then no more timed writes. False when it could not be written —
   * the job then shows its last written status and, its lease gone, is taken
   * over and settles again.
   */
  async final(attempts = 5): Promise<boolean> {
    for (let i = 0; i < attempts; i++) {
      if (await this.flush()) break;
      if (i === attempts - 1) break;
      await new Promise((r) => setTimeout(r, this.intervalMs * 2));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.failing === null;
  }
}
