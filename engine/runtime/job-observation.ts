import type { JobRuntime } from '../../state/job-runtime.js';

/** One job as the worker serving it sees it now: what metrics are derived from at scrape time. */
export interface JobObservation {
  /** A copy of the runner's live report (the same object `status` reads once flushed). */
  runtime: JobRuntime;
  /** Errors the runner met since this process began serving the job (retried ones included). */
  errors: number;
  /** Continuous jobs: change log the source keeps for each database (bytes), where the source measures it. */
  retainedBytes: Record<string, number>;
}
