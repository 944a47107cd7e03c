import type { JobRuntime } from '../../state/job-runtime.js';
import type { JobRecord } from '../../state/state-document.js';

/** A worker report of an earlier incarnation (a replaced job) says nothing about this one. */
export function runtimeFor(record: JobRecord, runtime: JobRuntime | null): JobRuntime | null {
  if (!runtime) return null;
  if (record.id && runtime.jobId && record.id !== runtime.jobId) return null;
  return runtime;
}
