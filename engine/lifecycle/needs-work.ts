import type { JobRuntime } from '../../state/job-runtime.js';
import type { JobRecord } from '../../state/state-document.js';
import { runtimeFor } from './runtime-belongs.js';

/** Does this job need a runner (work to do, or a status to settle)? */
export function needsWork(record: JobRecord, report: JobRuntime | null): boolean {
  const runtime = runtimeFor(record, report);
  if (record.generation === 0) return false;
  if (!runtime || runtime.generation < record.generation) return true;
  switch (runtime.status) {
    case 'COMPLETED':
    case 'FAILED':
      return false;
    case 'STOPPED':
      return record.desiredState !== 'stopped' && runtime.substatus === 'CDC';
    default:
      return true;
  }
}
