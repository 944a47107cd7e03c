/** Observed job status, as printed by `status --json` (the service's names). */
export type JobStatus =
  | 'NOT_STARTED'
  | 'STARTING'
  | 'RUNNING'
  | 'RUNNING_WITH_ERRORS'
  | 'STOPPING'
  | 'STOPPED'
  | 'RESUMING'
  | 'RESTARTING'
  | 'FAILED'
  | 'COMPLETED';

export const JOB_STATUSES: readonly JobStatus[] = [
  'NOT_STARTED',
  'STARTING',
  'RUNNING',
  'RUNNING_WITH_ERRORS',
  'STOPPING',
  'STOPPED',
  'RESUMING',
  'RESTARTING',
  'FAILED',
  'COMPLETED',
];

/** The phase a job is in (running) or was in (stopped / failed). */
export type Substatus = 'FULL_DUMP' | 'CDC' | 'PROMOTE_IN_PROGRESS';
export const SUBSTATUSES: readonly Substatus[] = ['FULL_DUMP', 'CDC', 'PROMOTE_IN_PROGRESS'];

const LABELS: Record<JobStatus, string> = {
  NOT_STARTED: 'Not started',
  STARTING: 'Starting',
  RUNNING: 'Running',
  RUNNING_WITH_ERRORS: 'Running with errors',
  STOPPING: 'Stopping',
  STOPPED: 'Stopped',
  RESUMING: 'Resuming',
  RESTARTING: 'Restarting',
  FAILED: 'Failed',
  COMPLETED: 'Completed',
};

const SUB_LABELS: Record<Substatus, string> = {
  FULL_DUMP: 'Full dump',
  CDC: 'CDC',
  PROMOTE_IN_PROGRESS: 'Promote in progress',
};

/** Human label, e.g. `Stopped in Full dump`. */
export function describeStatus(status: JobStatus, substatus: Substatus | null): string {
  const base = LABELS[status];
  if (!substatus) return base;
  if (status === 'STOPPED' || status === 'FAILED') return `${base} in ${SUB_LABELS[substatus]}`;
  return `${base} (${SUB_LABELS[substatus]})`;
}
