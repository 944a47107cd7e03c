import type { DatabaseProgress, JobRuntime, TableProgress } from '../../state/job-runtime.js';
import type { StateBackend } from '../../state/state-backend.js';
import type { Clock } from './clock.js';

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
 */
export class ProgressReporter {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly runtime: JobRuntime,
    private readonly backend: StateBackend,
    private readonly clock: Clock,
    private readonly intervalMs = 500,
  ) {}

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

  /** Write now (status changes must be visible before the next step). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.runtime.updatedAt = this.now();
    const snapshot = structuredClone(this.runtime);
    this.writing = this.writing.then(() => this.backend.writeRuntime(snapshot)).catch(() => undefined);
    await this.writing;
  }
}
