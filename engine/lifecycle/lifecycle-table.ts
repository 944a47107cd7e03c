import type { JobStatus, Substatus } from './job-status.js';

/** A user action on a job (the service's verbs). */
export type JobAction = 'start' | 'stop' | 'resume' | 'restart' | 'promote' | 'delete';
export const JOB_ACTIONS: readonly JobAction[] = ['start', 'stop', 'resume', 'restart', 'promote', 'delete'];

/** An action is allowed from a status, optionally only in some substatuses. */
export interface AllowedAction {
  action: JobAction;
  /** When set, the action is allowed only while the job is in (or stopped in) one of these phases. */
  onlyIn?: readonly Substatus[];
}

export interface LifecycleRow {
  status: JobStatus;
  meaning: string;
  allowed: readonly AllowedAction[];
  /** Transitional statuses settle by themselves; the planner never starts a new action from them except delete. */
  transitional: boolean;
  /** True when the job has a live stream / worker activity (deleting it loses in-flight work). */
  active: boolean;
}

/**
 * THE lifecycle table (DESIGN §4). The planner and the runtime both read it;
 * nothing else encodes which action is legal from which status.
 */
export const LIFECYCLE: Readonly<Record<JobStatus, LifecycleRow>> = {
  NOT_STARTED: {
    status: 'NOT_STARTED',
    meaning: 'created, never run',
    allowed: [{ action: 'start' }, { action: 'delete' }],
    transitional: false,
    active: false,
  },
  STARTING: {
    status: 'STARTING',
    meaning: 'start in progress',
    allowed: [{ action: 'delete' }],
    transitional: true,
    active: true,
  },
  RUNNING: {
    status: 'RUNNING',
    meaning: 'full dump, CDC or promote in progress',
    allowed: [{ action: 'stop' }, { action: 'delete' }, { action: 'promote', onlyIn: ['CDC'] }],
    transitional: false,
    active: true,
  },
  RUNNING_WITH_ERRORS: {
    status: 'RUNNING_WITH_ERRORS',
    meaning: 'some tables or changes fail and are retried with backoff; the rest keeps moving',
    allowed: [{ action: 'stop' }, { action: 'restart' }, { action: 'promote', onlyIn: ['CDC'] }, { action: 'delete' }],
    transitional: false,
    active: true,
  },
  STOPPING: {
    status: 'STOPPING',
    meaning: 'stop in progress',
    allowed: [{ action: 'delete' }],
    transitional: true,
    active: true,
  },
  STOPPED: {
    status: 'STOPPED',
    meaning: 'stopped; substatus is the phase it stopped in',
    allowed: [
      { action: 'resume', onlyIn: ['CDC'] },
      { action: 'restart' },
      { action: 'promote', onlyIn: ['CDC'] },
      { action: 'delete' },
    ],
    transitional: false,
    active: false,
  },
  RESUMING: {
    status: 'RESUMING',
    meaning: 'resume in progress',
    allowed: [{ action: 'delete' }],
    transitional: true,
    active: true,
  },
  RESTARTING: {
    status: 'RESTARTING',
    meaning: 'restart in progress: affected destination databases are wiped and migrated again',
    allowed: [{ action: 'delete' }],
    transitional: true,
    active: true,
  },
  FAILED: {
    status: 'FAILED',
    meaning: 'unrecoverable error; substatus is the phase it failed in',
    allowed: [{ action: 'restart' }, { action: 'delete' }],
    transitional: false,
    active: false,
  },
  COMPLETED: {
    status: 'COMPLETED',
    meaning: 'promoted (continuous) or finished (one-time)',
    allowed: [{ action: 'delete' }],
    transitional: false,
    active: false,
  },
};

/** What an accepted action does to the status: shown immediately, then settled by the worker. */
export const ACTION_EFFECT: Readonly<
  Record<Exclude<JobAction, 'delete'>, { during: JobStatus; settlesTo: JobStatus; substatus: Substatus | 'keep' }>
> = {
  start: { during: 'STARTING', settlesTo: 'RUNNING', substatus: 'FULL_DUMP' },
  stop: { during: 'STOPPING', settlesTo: 'STOPPED', substatus: 'keep' },
  resume: { during: 'RESUMING', settlesTo: 'RUNNING', substatus: 'CDC' },
  restart: { during: 'RESTARTING', settlesTo: 'RUNNING', substatus: 'FULL_DUMP' },
  promote: { during: 'RUNNING', settlesTo: 'COMPLETED', substatus: 'PROMOTE_IN_PROGRESS' },
};

/** Actions that lose data or in-flight work (need `--allow-destructive`). */
export function isDestructive(action: JobAction, status: JobStatus): boolean {
  if (action === 'restart') return true;
  if (action === 'delete') return LIFECYCLE[status].active;
  return false;
}

export type ActionCheck = { ok: true } | { ok: false; reason: string };

/** Is `action` legal from (status, substatus)? The reason names the rule that forbids it. */
export function checkAction(action: JobAction, status: JobStatus, substatus: Substatus | null): ActionCheck {
  const row = LIFECYCLE[status];
  const rule = row.allowed.find((a) => a.action === action);
  if (!rule) {
    const allowed = row.allowed.map((a) => a.action).join(', ');
    return { ok: false, reason: `${action} is not allowed while the job is ${status} (allowed: ${allowed})` };
  }
  if (rule.onlyIn && (substatus === null || !rule.onlyIn.includes(substatus))) {
    return {
      ok: false,
      reason: `${action} is allowed only in ${rule.onlyIn.join(' or ')}, and the job is ${status} in ${substatus ?? 'no phase'}`,
    };
  }
  return { ok: true };
}
