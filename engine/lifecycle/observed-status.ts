import type { JobRuntime } from '../../state/job-runtime.js';
import { leaseAlive } from '../../state/lease-liveness.js';
import type { Lease } from '../../state/state-backend.js';
import type { JobRecord } from '../../state/state-document.js';
import type { ObservedStatus } from '../plan/plan-action.js';
import { needsWork } from './needs-work.js';
import { runtimeFor } from './runtime-belongs.js';

/** Who serves a job: its lease (null when none) as read at `now`. */
export interface JobService {
  lease: Lease | null;
  now: Date;
}

const RUNNING_LIKE = new Set(['RUNNING', 'RUNNING_WITH_ERRORS', 'STARTING', 'RESUMING']);

/**
 * The status a user sees, from what apply recorded (desired state,
 * generation) and what the worker last reported. Transitional statuses
 * (Starting, Stopping, Resuming, Restarting) are derived here while the worker
 * has not yet caught up with a command, so plan and status agree without a
 * second writer to the runtime file.
 */
export function observedStatus(record: JobRecord, report: JobRuntime | null, service?: JobService): ObservedStatus {
  const observed = lifecycleStatus(record, report);
  const runtime = runtimeFor(record, report);
  const current = runtime && runtime.generation === record.generation ? runtime : null;
  if (current?.destinationWritten === false && observed.status === 'FAILED') observed.pristine = true;
  // work to do and nobody doing it: a dead worker must never look like a running job
  if (service && needsWork(record, report) && !leaseAlive(service.lease, service.now)) {
    observed.unservedSince = service.lease?.heartbeatAt ?? current?.updatedAt ?? record.updatedAt;
  }
  return observed;
}

function lifecycleStatus(record: JobRecord, report: JobRuntime | null): ObservedStatus {
  const runtime = runtimeFor(record, report);
  if (record.generation === 0) return { status: 'NOT_STARTED', substatus: null };
  if (!runtime || runtime.generation < record.generation) {
    const restarting = runtime !== null && runtime.generation > 0;
    return { status: restarting ? 'RESTARTING' : 'STARTING', substatus: null };
  }
  const { status, substatus } = runtime;
  if (record.desiredState === 'stopped' && RUNNING_LIKE.has(status)) return { status: 'STOPPING', substatus };
  if (record.desiredState === 'running' && status === 'STOPPED' && substatus === 'CDC') {
    return { status: 'RESUMING', substatus: null };
  }
  if (record.desiredState === 'promoted' && substatus === 'CDC' && (RUNNING_LIKE.has(status) || status === 'STOPPED')) {
    return { status: 'RUNNING', substatus: 'PROMOTE_IN_PROGRESS' };
  }
  return { status, substatus };
}
