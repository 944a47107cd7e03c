import { describe, expect, it } from 'vitest';
import { applyToState } from '../../engine/apply/apply-to-state.js';
import { assertFresh, StalePlanError } from '../../engine/apply/execute-plan.js';
import type { PlanAction } from '../../engine/plan/plan-action.js';
import { plan } from '../../engine/plan/planner.js';
import type { DesiredSnapshot } from '../../engine/plan/desired-snapshot.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { StateDocument } from '../../state/state-document.js';
import {
  defaultProfiles,
  desired,
  jobConfig,
  jobRecord,
  LINEAGE,
  planDocument,
  profileRecord,
  runtime,
  scenario,
  stateDoc,
} from './plan-fixtures.js';

const AT = '2024-05-02T08:00:00.000Z';
const BY = 'ci@runner-7';

/** Plan, check it is error-free, and apply it to the state. */
function planAndApply(
  want: DesiredSnapshot,
  state: StateDocument,
  runtimes: Record<string, JobRuntime | null>,
  restart: string[] = [],
) {
  const r = plan(want, state, runtimes, { restart });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { actions: r.actions, next: applyToState(state, r.actions, AT, BY) };
}

describe('applyToState', () => {
  it('bumps the serial, keeps the lineage and leaves its input untouched', () => {
    const state = stateDoc([jobRecord('x')]);
    const frozen = structuredClone(state);
    const next = applyToState(state, [], AT, BY);
    expect(next.serial).toBe(state.serial + 1);
    expect(next.lineage).toBe(LINEAGE);
    expect(state).toEqual(frozen);
  });

  it('start bumps the generation from 0 and records running with an audit entry', () => {
    const { record } = scenario('NOT_STARTED', 'x');
    const { actions, next } = planAndApply(desired({ x: jobConfig() }), stateDoc([record]), {});
    expect(actions.map((a) => a.kind === 'transition' && a.action)).toEqual(['start']);
    expect(next.jobs.x).toMatchObject({ generation: 1, desiredState: 'running', updatedAt: AT });
    expect(next.jobs.x?.history).toEqual([{ at: AT, action: 'start', from: 'NOT_STARTED', to: 'STARTING', by: BY }]);
  });

  it('restart bumps the generation and records running', () => {
    const { record, runtime: rt } = scenario('STOPPED/FULL_DUMP', 'x');
    const { actions, next } = planAndApply(desired({ x: jobConfig() }), stateDoc([record]), { x: rt });
    expect(actions.map((a) => a.kind === 'transition' && a.action)).toEqual(['restart']);
    expect(next.jobs.x).toMatchObject({ generation: 2, desiredState: 'running' });
    expect(next.jobs.x?.history.at(-1)).toEqual({ at: AT, action: 'restart', from: 'STOPPED', to: 'RESTARTING', by: BY });
  });

  it('-restart records running even when declared stopped', () => {
    const { record, runtime: rt } = scenario('STOPPED/CDC', 'x');
    const { next } = planAndApply(desired({ x: jobConfig({ desiredState: 'stopped' }) }), stateDoc([record]), { x: rt }, [
      'job.x',
    ]);
    expect(next.jobs.x).toMatchObject({ generation: 2, desiredState: 'running' });
  });

  for (const [from, want, action, during] of [
    ['RUNNING/CDC', 'stopped', 'stop', 'STOPPING'],
    ['STOPPED/CDC', 'running', 'resume', 'RESUMING'],
    ['RUNNING/CDC', 'promoted', 'promote', 'RUNNING'],
  ] as const) {
    it(`${action} records state: ${want} and keeps the generation`, () => {
      const { record, runtime: rt } = scenario(from, 'x');
      const { actions, next } = planAndApply(desired({ x: jobConfig({ desiredState: want }) }), stateDoc([record]), { x: rt });
      expect(actions.map((a) => a.kind === 'transition' && a.action)).toEqual([action]);
      expect(next.jobs.x).toMatchObject({ generation: 1, desiredState: want });
      expect(next.jobs.x?.history).toEqual([{ at: AT, action, from: from.split('/')[0], to: during, by: BY }]);
    });
  }

  it('create records a new job: generation 1 when started, 0 when not', () => {
    const { next } = planAndApply(desired({ a: jobConfig(), b: jobConfig({ desiredState: 'not-started' }) }), stateDoc([]), {});
    expect(next.jobs.a).toMatchObject({ ...jobConfig(), name: 'a', generation: 1, createdAt: AT });
    expect(next.jobs.a?.history).toEqual([{ at: AT, action: 'create', from: 'absent', to: 'STARTING', by: BY }]);
    expect(next.jobs.b).toMatchObject({ generation: 0, desiredState: 'not-started' });
    expect(next.jobs.b?.history).toEqual([{ at: AT, action: 'create', from: 'absent', to: 'NOT_STARTED', by: BY }]);
  });

  it('delete removes the job', () => {
    const { actions, next } = planAndApply(desired({ y: jobConfig() }), stateDoc([jobRecord('x'), jobRecord('y')]), {});
    expect(actions.map((a) => a.kind)).toEqual(['delete-job']);
    expect(Object.keys(next.jobs)).toEqual(['y']);
  });

  it('replace starts a new job and appends to the old history', () => {
    const old = jobRecord('x', {
      generation: 3,
      history: [{ at: 'earlier', action: 'start', from: 'NOT_STARTED', to: 'STARTING', by: BY }],
    });
    const profiles = { ...defaultProfiles(), other: profileRecord({ host: 'other' }) };
    const { next } = planAndApply(desired({ x: jobConfig({ source: 'other' }) }, profiles), stateDoc([old], profiles), {
      x: runtime('x', 3, 'RUNNING', 'CDC'),
    });
    expect(next.jobs.x).toMatchObject({ source: 'other', generation: 1, createdAt: AT });
    expect(next.jobs.x?.history.map((h) => `${h.action}:${h.from}->${h.to}`)).toEqual([
      'start:NOT_STARTED->STARTING',
      'replace:RUNNING->deleted',
      'create:absent->STARTING',
    ]);
  });

  it('updates settings, databases and profiles in place, with history entries', () => {
    const crm = { name: 'crm', target: 'crm', tables: { include: ['*.*'], exclude: [] } };
    const profiles = {
      src: profileRecord({ host: 'src2' }),
      dst: profileRecord({ host: 'dst.internal' }),
      extra: profileRecord(),
    };
    const { next } = planAndApply(
      desired({ x: jobConfig({ parallelism: 8, databases: [crm] }) }, profiles),
      stateDoc([jobRecord('x')], { ...defaultProfiles(), gone: profileRecord() }),
      { x: runtime('x', 1, 'RUNNING', 'CDC') },
    );
    expect(next.profiles).toEqual(profiles);
    expect(next.jobs.x).toMatchObject({ parallelism: 8, databases: [crm] });
    expect(next.jobs.x?.history.map((h) => h.action)).toEqual(['add-database', 'remove-database', 'update']);
    expect(next.jobs.x?.history.at(-1)).toMatchObject({ from: 'parallelism="optimal"', to: 'parallelism=8' });
  });

  it('converges: planning again against the new state finds nothing to do', () => {
    const { record: r1, runtime: rt1 } = scenario('STOPPED/CDC', 'x');
    const { record: r2, runtime: rt2 } = scenario('RUNNING/CDC', 'y');
    const runtimes = { x: rt1, y: rt2 };
    const want = desired({ x: jobConfig(), y: jobConfig({ desiredState: 'promoted', parallelism: 3 }), z: jobConfig() });
    const { next } = planAndApply(want, stateDoc([r1, r2]), runtimes);
    expect(plan(want, next, runtimes)).toEqual({ actions: [], diagnostics: [] });
  });

  it('refuses an action on a job that is not in the state', () => {
    const a: PlanAction = {
      kind: 'update-job',
      address: 'job.ghost',
      name: 'ghost',
      changes: [],
      after: jobConfig(),
      reason: '',
      destructive: false,
    };
    expect(() => applyToState(stateDoc([]), [a], AT, BY)).toThrow('job.ghost is not in the state');
  });
});

describe('assertFresh', () => {
  const state = stateDoc([jobRecord('x'), jobRecord('y')]);
  const runtimes = { x: runtime('x', 1, 'RUNNING', 'CDC'), y: runtime('y', 1, 'RUNNING', 'FULL_DUMP') };
  const saved = () => {
    const r = plan(desired({ x: jobConfig({ desiredState: 'stopped' }), y: jobConfig({ parallelism: 2 }) }), state, runtimes);
    return planDocument(r.actions, r.diagnostics);
  };

  it('accepts a plan whose state and observed statuses did not move', () => {
    expect(() => assertFresh(saved(), structuredClone(state), structuredClone(runtimes))).not.toThrow();
  });

  it('accepts a first plan against no state', () => {
    const r = plan(desired({ x: jobConfig() }), null, {});
    const doc = { ...planDocument(r.actions), state: { lineage: null, serial: 0 } };
    expect(() => assertFresh(doc, null, {})).not.toThrow();
  });

  it('refuses it when the serial moved (another apply)', () => {
    expect(() => assertFresh(saved(), { ...state, serial: state.serial + 1 }, runtimes)).toThrow(
      new StalePlanError('it was made at state serial 3, the state is now at serial 4'),
    );
    expect(() => assertFresh(saved(), { ...state, serial: 4 }, runtimes)).toThrow(
      /^plan is stale: .*; run `migrate plan` again$/,
    );
  });

  it('refuses it when the lineage differs (another state)', () => {
    expect(() => assertFresh(saved(), { ...state, lineage: 'other-lineage' }, runtimes)).toThrow(/plan is stale: .*lineage/);
    expect(() => assertFresh(saved(), null, runtimes)).toThrow(/plan is stale/);
  });

  it('refuses it when a planned job changed status under it', () => {
    const moved = { ...runtimes, x: runtime('x', 1, 'FAILED', 'CDC') };
    expect(() => assertFresh(saved(), state, moved)).toThrow('plan is stale: job.x was RUNNING when planned and is FAILED now');
  });

  it('refuses it when only the substatus changed', () => {
    const moved = { ...runtimes, x: runtime('x', 1, 'RUNNING', 'PROMOTE_IN_PROGRESS') };
    expect(() => assertFresh(saved(), state, moved)).toThrow(/plan is stale: job\.x/);
  });

  it('refuses it when a planned job left the state', () => {
    const { x: _x, ...rest } = state.jobs;
    expect(() => assertFresh(saved(), { ...state, jobs: rest }, runtimes)).toThrow(
      'plan is stale: job.x is no longer in the state',
    );
  });

  it('ignores status changes of jobs the plan does not transition', () => {
    // y only gets a parallelism update: its progress may move freely
    const moved = { ...runtimes, y: runtime('y', 1, 'RUNNING', 'CDC') };
    expect(() => assertFresh(saved(), state, moved)).not.toThrow();
  });
});
