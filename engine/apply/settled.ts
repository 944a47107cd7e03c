import type { JobStatusView } from '../progress/status-view.js';

export type Settlement = 'pending' | 'reached' | 'failed';

/**
 * Has a job reached its desired state? A one-time job with `state: running`
 * settles when Completed; a continuous one when it streams changes (CDC).
 */
export function settlement(j: JobStatusView): Settlement {
  if (j.status === 'FAILED') return 'failed';
  switch (j.desiredState) {
    case 'not-started':
      return 'reached';
    case 'running':
      if (j.type === 'one-time') return j.status === 'COMPLETED' ? 'reached' : 'pending';
      return (j.status === 'RUNNING' || j.status === 'RUNNING_WITH_ERRORS') &&
        j.substatus === 'CDC' &&
        j.databases.every((d) => d.migrationState === 'CDC' || d.migrationState === 'READY_TO_COMPLETE')
        ? 'reached'
        : 'pending';
    case 'stopped':
      return j.status === 'STOPPED' ? 'reached' : 'pending';
    case 'promoted':
      return j.status === 'COMPLETED' ? 'reached' : 'pending';
  }
}
