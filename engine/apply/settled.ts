import type { JobStatusView } from '../progress/status-view.js';

export type Settlement = 'pending' | 'reached' | 'failed' | 'blocked';

/**
 * Has a job reached its desired state? A one-time job with `state: running`
 * settles when Completed; a continuous one when it streams changes (CDC).
 * `blocked`: it waits for a credential, privilege or setting to be fixed, or
 * cannot reach its servers to start (retried with backoff; it goes on by
 * itself once fixed).
 */
export function settlement(j: JobStatusView, opts: { catchUp?: boolean } = {}): Settlement {
  if (j.status === 'FAILED') return 'failed';
  if (j.error && !j.error.fatal) {
    if (j.error.retry === 'configuration') return 'blocked';
    // not even started: the servers cannot be reached (a lost connection mid-run usually comes back)
    if (j.status === 'STARTING' || j.status === 'RESTARTING' || j.status === 'RESUMING') return 'blocked';
  }
  switch (j.desiredState) {
    case 'not-started':
      return 'reached';
    case 'running':
      if (j.type === 'one-time') return j.status === 'COMPLETED' ? 'reached' : 'pending';
      // a job taken over in CDC is done once it caught up with its backlog (it streams on only while served)
      return (j.status === 'RUNNING' || j.status === 'RUNNING_WITH_ERRORS') &&
        j.substatus === 'CDC' &&
        j.databases.every((d) => d.migrationState === 'READY_TO_COMPLETE' || (!opts.catchUp && d.migrationState === 'CDC'))
        ? 'reached'
        : 'pending';
    case 'stopped':
      return j.status === 'STOPPED' ? 'reached' : 'pending';
    case 'promoted':
      return j.status === 'COMPLETED' ? 'reached' : 'pending';
  }
}
