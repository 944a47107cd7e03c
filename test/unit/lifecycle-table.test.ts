import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, SUBSTATUSES, type JobStatus, type Substatus } from '../../engine/lifecycle/job-status.js';
import {
  ACTION_EFFECT,
  checkAction,
  isDestructive,
  JOB_ACTIONS,
  LIFECYCLE,
  type JobAction,
} from '../../engine/lifecycle/lifecycle-table.js';

type Rule = 'ok' | 'no' | 'CDC only';

/** DESIGN §4, written out by hand: a missing status or action is a compile error. */
const EXPECTED: Record<JobStatus, Record<JobAction, Rule>> = {
  NOT_STARTED: { start: 'ok', stop: 'no', resume: 'no', restart: 'no', promote: 'no', delete: 'ok' },
  STARTING: { start: 'no', stop: 'no', resume: 'no', restart: 'no', promote: 'no', delete: 'ok' },
  RUNNING: { start: 'no', stop: 'ok', resume: 'no', restart: 'no', promote: 'CDC only', delete: 'ok' },
  RUNNING_WITH_ERRORS: { start: 'no', stop: 'ok', resume: 'no', restart: 'ok', promote: 'CDC only', delete: 'ok' },
  STOPPING: { start: 'no', stop: 'no', resume: 'no', restart: 'no', promote: 'no', delete: 'ok' },
  STOPPED: { start: 'no', stop: 'no', resume: 'CDC only', restart: 'ok', promote: 'CDC only', delete: 'ok' },
  RESUMING: { start: 'no', stop: 'no', resume: 'no', restart: 'no', promote: 'no', delete: 'ok' },
  RESTARTING: { start: 'no', stop: 'no', resume: 'no', restart: 'no', promote: 'no', delete: 'ok' },
  FAILED: { start: 'no', stop: 'no', resume: 'no', restart: 'ok', promote: 'no', delete: 'ok' },
  COMPLETED: { start: 'no', stop: 'no', resume: 'no', restart: 'no', promote: 'no', delete: 'ok' },
};

/** Deleting loses in-flight work exactly when the job has live activity. */
const DELETE_DESTRUCTIVE: Record<JobStatus, boolean> = {
  NOT_STARTED: false,
  STARTING: true,
  RUNNING: true,
  RUNNING_WITH_ERRORS: true,
  STOPPING: true,
  STOPPED: false,
  RESUMING: true,
  RESTARTING: true,
  FAILED: false,
  COMPLETED: false,
};

const SUBSTATUS_CASES: readonly (Substatus | null)[] = [null, ...SUBSTATUSES];

describe('checkAction', () => {
  for (const status of JOB_STATUSES) {
    for (const action of JOB_ACTIONS) {
      for (const substatus of SUBSTATUS_CASES) {
        const rule = EXPECTED[status][action];
        const legal = rule === 'ok' || (rule === 'CDC only' && substatus === 'CDC');
        it(`${action} from ${status} in ${substatus ?? 'no phase'}: ${legal ? 'allowed' : 'refused'}`, () => {
          const check = checkAction(action, status, substatus);
          expect(check.ok).toBe(legal);
          if (check.ok) return;
          // the reason names the rule that forbids it
          if (rule === 'no') {
            expect(check.reason).toContain(`${action} is not allowed while the job is ${status}`);
            const listed = /\(allowed: ([a-z, ]+)\)$/.exec(check.reason)?.[1]?.split(', ') ?? [];
            expect(listed.sort()).toEqual(JOB_ACTIONS.filter((a) => EXPECTED[status][a] !== 'no').sort());
          } else {
            expect(check.reason).toContain(`${action} is allowed only in CDC`);
            expect(check.reason).toContain(`the job is ${status} in ${substatus ?? 'no phase'}`);
          }
        });
      }
    }
  }
});

describe('LIFECYCLE rows', () => {
  it('has one row per status, keyed by its own status', () => {
    expect(Object.keys(LIFECYCLE).sort()).toEqual([...JOB_STATUSES].sort());
    for (const status of JOB_STATUSES) expect(LIFECYCLE[status].status).toBe(status);
  });

  it('allows delete from every status', () => {
    for (const status of JOB_STATUSES) {
      for (const substatus of SUBSTATUS_CASES) expect(checkAction('delete', status, substatus).ok).toBe(true);
    }
  });

  it('allows nothing but delete from transitional statuses', () => {
    const transitional = JOB_STATUSES.filter((s) => LIFECYCLE[s].transitional);
    expect(transitional).toEqual(['STARTING', 'STOPPING', 'RESUMING', 'RESTARTING']);
    for (const s of transitional) expect(LIFECYCLE[s].allowed.map((a) => a.action)).toEqual(['delete']);
  });
});

describe('isDestructive', () => {
  for (const status of JOB_STATUSES) {
    it(`from ${status}: restart always, delete ${DELETE_DESTRUCTIVE[status] ? 'yes' : 'no'}, the rest never`, () => {
      expect(isDestructive('restart', status)).toBe(true);
      expect(isDestructive('delete', status)).toBe(DELETE_DESTRUCTIVE[status]);
      expect(LIFECYCLE[status].active).toBe(DELETE_DESTRUCTIVE[status]);
      for (const action of ['start', 'stop', 'resume', 'promote'] as const) expect(isDestructive(action, status)).toBe(false);
    });
  }
});

describe('ACTION_EFFECT', () => {
  it('shows each accepted action as the status the worker settles from', () => {
    expect(ACTION_EFFECT).toEqual({
      start: { during: 'STARTING', settlesTo: 'RUNNING', substatus: 'FULL_DUMP' },
      stop: { during: 'STOPPING', settlesTo: 'STOPPED', substatus: 'keep' },
      resume: { during: 'RESUMING', settlesTo: 'RUNNING', substatus: 'CDC' },
      restart: { during: 'RESTARTING', settlesTo: 'RUNNING', substatus: 'FULL_DUMP' },
      promote: { during: 'RUNNING', settlesTo: 'COMPLETED', substatus: 'PROMOTE_IN_PROGRESS' },
    });
  });
});
