import type { JobStatus, Substatus } from '../engine/lifecycle/job-status.js';

export type TableState = 'QUEUED' | 'LOADING' | 'COMPLETED' | 'ERROR' | 'CDC' | 'REMOVED';
export type DatabaseMigrationState =
  'NOT_STARTED' | 'FULL_DUMP' | 'CDC' | 'READY_TO_COMPLETE' | 'COMPLETED' | 'STOPPED' | 'FAILED' | 'REMOVED';

/** Per-table progress (field names from the service's task output). */
export interface TableProgress {
  /** `schema.table` on the source. */
  name: string;
  state: TableState;
  fullLoadTotalRows: number;
  /**
   * The source's estimate of the table's rows (planner statistics) when the
   * full dump queued it; absent when the source has none (never analyzed):
   * progress then shows no ETA rather than a wrong one.
   */
  fullLoadEstimatedRows?: number;
  fullLoadTotalVolumeBytes: number;
  fullLoadStartedOn: string | null;
  fullLoadEndedOn: string | null;
  /** Ranges the table was split into, and how many are done. */
  rangesTotal: number;
  rangesDone: number;
  cdcInsertCounter: number;
  cdcUpdateCounter: number;
  cdcDeleteCounter: number;
  dataErrorsCount: number;
  lastError: string | null;
  /**
   * Zero dates (MySQL `0000-00-00`, a zero month or day) the destination
   * could not hold, written as the job's `zeroDates` says (NULL or its
   * value), in the full dump and in changes; absent when none.
   */
  zeroDatesReplaced?: number;
}

/** An object of the source database that is not migrated, and why (named in status; never silent). */
export interface NotMigratedRecord {
  kind: string;
  name: string;
  reason: string;
}

export interface DatabaseProgress {
  name: string;
  target: string;
  migrationState: DatabaseMigrationState;
  startedOn: string | null;
  endedOn: string | null;
  incomingChanges: number;
  appliedChanges: number;
  latencyMs: number | null;
  /** Schema objects of the selection that are not migrated (absent = none known yet). */
  notMigrated?: NotMigratedRecord[];
  /** The worker serving this database now (absent or null: none). */
  workerId?: string | null;
  /** This database's own error while it is retried or has tables held back (the job shows Running with errors). */
  error?: JobError | null;
  tables: TableProgress[];
}

export interface JobError {
  message: string;
  at: string;
  phase: Substatus | null;
  /** False for errors that are retried with backoff (RUNNING_WITH_ERRORS). */
  fatal: boolean;
  /** For retried errors: a lost connection (`transient`) or a setting/credential/privilege to fix (`configuration`). */
  retry?: 'transient' | 'configuration';
  /** The error's code where it has one (SQLSTATE, errno), e.g. `28P01`. */
  code?: string;
}

/**
 * What workers report about a job (`.migrate/jobs/<name>.json`). Several
 * workers may serve one job, each its own databases (their leases): each
 * merges its databases into the stored report (see mergeRuntime); read by
 * plan (refresh) and status.
 */
export interface JobRuntime {
  job: string;
  /** JobRecord.id of the incarnation this report describes. */
  jobId?: string;
  /** The job generation this runtime describes (see JobRecord.generation). */
  generation: number;
  status: JobStatus;
  substatus: Substatus | null;
  startedAt: string | null;
  endedAt: string | null;
  error: JobError | null;
  workerId: string | null;
  updatedAt: string;
  /**
   * False until this generation first writes schema or rows at the
   * destination (absent in reports of older versions: assume written). A
   * restart of a job that failed before writing wipes nothing.
   */
  destinationWritten?: boolean;
  /**
   * This generation is a restart that must wipe each destination database
   * before loading it (an earlier generation wrote there). Kept so that a
   * worker taking a database over later wipes it too.
   */
  wipeOnRestart?: boolean;
  databases: DatabaseProgress[];
}
