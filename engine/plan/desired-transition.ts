import type { DesiredState, JobType } from '../config/declaration.js';
import { describeStatus } from '../lifecycle/job-status.js';
import type { JobAction } from '../lifecycle/lifecycle-table.js';
import { checkAction } from '../lifecycle/lifecycle-table.js';
import type { ObservedStatus } from './plan-action.js';

export type TransitionDecision =
  | { kind: 'none'; warning?: string }
  | { kind: 'action'; action: Exclude<JobAction, 'delete'>; reason: string; warning?: string }
  | { kind: 'error'; summary: string; detail: string };

/**
 * Which lifecycle action moves a job from its observed status toward the
 * desired state. Every action chosen here is checked against the lifecycle
 * table; the table, not this function, decides legality.
 */
export function desiredTransition(
  name: string,
  type: JobType,
  desired: DesiredState,
  observed: ObservedStatus,
  forceRestart: boolean,
): TransitionDecision {
  const addr = `job.${name}`;
  const label = describeStatus(observed.status, observed.substatus);
  const { status, substatus } = observed;

  const choose = (action: Exclude<JobAction, 'delete'>, reason: string, warning?: string): TransitionDecision => {
    const check = checkAction(action, status, substatus);
    if (!check.ok) {
      return {
        kind: 'error',
        summary: `${addr} is ${label}: cannot ${action}`,
        detail: `${check.reason}. ${advice(status, action)}`,
      };
    }
    return warning ? { kind: 'action', action, reason, warning } : { kind: 'action', action, reason };
  };

  if (forceRestart)
    return choose('restart', `restart requested (-restart ${addr}): destination databases are wiped and migrated again`);

  if (type === 'one-time' && desired === 'promoted') {
    return {
      kind: 'error',
      summary: `${addr} is a one-time job: it cannot be promoted`,
      detail:
        'one-time jobs complete by themselves after the full dump; set state: running (or type: continuous to replicate changes and promote later)',
    };
  }

  switch (desired) {
    case 'not-started':
      if (status === 'NOT_STARTED') return { kind: 'none' };
      return {
        kind: 'error',
        summary: `${addr} is ${label}: a started job cannot go back to not-started`,
        detail: backToNotStartedAdvice(observed),
      };

    case 'running':
      switch (status) {
        case 'NOT_STARTED':
          return choose('start', 'state: not-started -> running');
        case 'STOPPED':
          if (substatus === 'CDC') return choose('resume', 'state: stopped -> running; replication resumes from its checkpoint');
          return choose(
            'restart',
            `${label}: a job stopped during the full dump cannot resume, only restart (destination databases are wiped and migrated again)`,
          );
        case 'FAILED':
          if (observed.pristine) {
            return choose('restart', `${label} before writing anything at the destination: it starts again (nothing to wipe)`);
          }
          return choose(
            'restart',
            `${label}: restart migrates the job's databases again from the beginning (destination databases are wiped)`,
          );
        case 'COMPLETED':
          if (type === 'one-time') return { kind: 'none' };
          return {
            kind: 'error',
            summary: `${addr} is Completed (promoted): it cannot run again`,
            detail:
              'the only action left is delete: remove the job from the declaration (destination data is kept), then declare a new job',
          };
        case 'RUNNING':
        case 'RUNNING_WITH_ERRORS':
          if (substatus === 'PROMOTE_IN_PROGRESS') {
            return {
              kind: 'error',
              summary: `${addr} is ${label}: a promote cannot be cancelled`,
              detail: 'keep state: promoted and wait for Completed',
            };
          }
          return { kind: 'none' };
        case 'STOPPING':
          // Running again before the stop settled would be a resume (or restart) from
          // Stopping, which the table forbids: only delete is allowed while stopping.
          return choose('resume', 'state: stopped -> running');
        default:
          return { kind: 'none' };
      }

    case 'stopped':
      switch (status) {
        case 'RUNNING':
        case 'RUNNING_WITH_ERRORS':
          if (substatus === 'PROMOTE_IN_PROGRESS') {
            return {
              kind: 'error',
              summary: `${addr} is ${label}: a promote cannot be stopped`,
              detail: 'keep state: promoted and wait for Completed',
            };
          }
          return choose(
            'stop',
            `state: running -> stopped`,
            substatus === 'FULL_DUMP'
              ? `${addr} is in the full dump: once stopped it cannot resume, only restart (which wipes and re-migrates)` +
                  (type === 'continuous' ? '; meanwhile the source keeps WAL for its replication slot' : '')
              : type === 'continuous'
                ? `${addr}: while stopped, the source keeps WAL for the job's replication slot (disk use grows with writes); resume or delete the job before the source runs out of disk`
                : undefined,
          );
        case 'STOPPING':
        case 'STOPPED':
          return { kind: 'none' };
        case 'NOT_STARTED':
          return {
            kind: 'error',
            summary: `${addr} has never started: it cannot be stopped`,
            detail: 'set state: not-started to keep it declared without running it',
          };
        default:
          return choose('stop', 'state -> stopped');
      }

    case 'promoted':
      if (status === 'COMPLETED') return { kind: 'none' };
      if ((status === 'RUNNING' || status === 'RUNNING_WITH_ERRORS') && substatus === 'PROMOTE_IN_PROGRESS') {
        return { kind: 'none' };
      }
      if (status === 'NOT_STARTED') {
        return {
          kind: 'error',
          summary: `${addr} has never started: it cannot be promoted`,
          detail: 'set state: running first; promote once `migrate status` shows it in CDC (READY_TO_COMPLETE)',
        };
      }
      return choose('promote', `state -> promoted: wait until the destination has applied every change, then cut over`);
  }
}

/** What to do instead, when `action` is illegal from `status` (the table says why). */
function advice(status: ObservedStatus['status'], action: Exclude<JobAction, 'delete'>): string {
  switch (status) {
    case 'STARTING':
    case 'STOPPING':
    case 'RESUMING':
    case 'RESTARTING':
      return 'Wait until it settles (`migrate status`), then plan again.';
    case 'NOT_STARTED':
      return 'It has never run: set state: running to start it.';
    case 'RUNNING':
    case 'RUNNING_WITH_ERRORS':
      if (action === 'restart') return 'Stop it first (set state: stopped, apply), then restart it.';
      return 'Promote is possible once the full dump is done and the job is in CDC: wait for it (`migrate status`), then plan again.';
    case 'STOPPED':
      return 'A job stopped before reaching CDC (e.g. in the full dump) can only restart: set state: running (destructive restart).';
    case 'FAILED':
      return 'A failed job can only restart (set state: running) or be deleted.';
    case 'COMPLETED':
      return 'A completed job can only be deleted (remove it from the declaration).';
  }
}

/** A job that has run cannot be reset to not-started: say what it can do instead. */
function backToNotStartedAdvice({ status, substatus }: ObservedStatus): string {
  if (status === 'FAILED' || status === 'COMPLETED') return advice(status, 'restart');
  if (substatus === 'PROMOTE_IN_PROGRESS') return 'keep state: promoted and wait for Completed';
  const deleteIt = 'remove the job from the declaration to delete it (destination data is kept)';
  const canStop = status === 'STOPPED' || status === 'STOPPING' || checkAction('stop', status, substatus).ok;
  if (canStop) return `set state: stopped to pause it, or ${deleteIt}`;
  return `wait until it settles (\`migrate status\`), then set state: stopped to pause it, or ${deleteIt}`;
}
