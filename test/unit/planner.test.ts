import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { DesiredState, JobType } from '../../engine/config/declaration.js';
import type { Diagnostic } from '../../engine/diagnostics/diagnostic.js';
import type { JobStatus } from '../../engine/lifecycle/job-status.js';
import type { JobAction } from '../../engine/lifecycle/lifecycle-table.js';
import { observedStatus } from '../../engine/lifecycle/observed-status.js';
import type { PlanAction } from '../../engine/plan/plan-action.js';
import { summarize } from '../../engine/plan/plan-document.js';
import { plan, type PlanResult } from '../../engine/plan/planner.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { Lease } from '../../state/state-backend.js';
import type { DatabaseRecord } from '../../state/state-document.js';
import {
  defaultProfiles,
  desired,
  jobConfig,
  jobRecord,
  profileRecord,
  runtime,
  scenario,
  SCENARIO_NAMES,
  scenarioStatus,
  stateDoc,
  type Scenario,
} from './plan-fixtures.js';

type Transition = Exclude<JobAction, 'delete'>;
type Expect =
  | { kind: 'none' }
  | { kind: 'action'; action: Transition; destructive: boolean; warning?: RegExp }
  | { kind: 'error'; says: RegExp[] };

const NONE: Expect = { kind: 'none' };
const act = (action: Transition, destructive = false, warning?: RegExp): Expect =>
  warning ? { kind: 'action', action, destructive, warning } : { kind: 'action', action, destructive };
/** An error must say why (`cannot …`) and what to do (the other patterns). */
const err = (why: RegExp, ...todo: RegExp[]): Expect => ({ kind: 'error', says: [why, ...todo] });

const WAIT = /Wait until it settles/;
const BACK_STOP = err(/cannot go back to not-started/, /set state: stopped to pause it/, /remove the job from the declaration/);
const BACK_WAIT = err(/cannot go back to not-started/, /wait until it settles/, /remove the job from the declaration/);
const BACK_PROMOTING = err(/cannot go back to not-started/, /keep state: promoted and wait for Completed/);
const BACK_FAILED = err(/cannot go back to not-started/, /can only restart \(set state: running\) or be deleted/);
const FULL_DUMP_STOP = act('stop', false, /in the full dump: once stopped it cannot resume, only restart/);
/** A continuous job stopped in CDC keeps its slot: the source retains WAL meanwhile. */
const CDC_STOP = act('stop', false, /while stopped, the source keeps WAL/);
const PROMOTE_TOO_EARLY = err(/cannot promote/, /allowed only in CDC/, /wait for it/);
const FAILED_STOP = err(/cannot stop/, /can only restart \(set state: running\) or be deleted/);
const FAILED_PROMOTE = err(/cannot promote/, /can only restart \(set state: running\) or be deleted/);
const PROMOTING = {
  'not-started': BACK_PROMOTING,
  running: err(/a promote cannot be cancelled/, /keep state: promoted and wait for Completed/),
  stopped: err(/a promote cannot be stopped/, /keep state: promoted and wait for Completed/),
  promoted: NONE,
} as const;
const SETTLING = {
  'not-started': BACK_WAIT,
  running: NONE,
  stopped: err(/cannot stop/, WAIT),
  promoted: err(/cannot promote/, WAIT),
} as const;
const STOPPING = {
  'not-started': BACK_STOP,
  running: err(/cannot resume/, WAIT),
  stopped: NONE,
  promoted: err(/cannot promote/, WAIT),
} as const;
const FAILED = {
  'not-started': BACK_FAILED,
  running: act('restart', true),
  stopped: FAILED_STOP,
  promoted: FAILED_PROMOTE,
} as const;

/** Continuous jobs: observed status × declared state → what plan does. */
const CONTINUOUS: Record<Scenario, Record<DesiredState, Expect>> = {
  NOT_STARTED: {
    'not-started': NONE,
    running: act('start'),
    stopped: err(/has never started: it cannot be stopped/, /set state: not-started/),
    promoted: err(/has never started: it cannot be promoted/, /set state: running first/),
  },
  STARTING: SETTLING,
  'RUNNING/FULL_DUMP': { 'not-started': BACK_STOP, running: NONE, stopped: FULL_DUMP_STOP, promoted: PROMOTE_TOO_EARLY },
  'RUNNING/CDC': { 'not-started': BACK_STOP, running: NONE, stopped: CDC_STOP, promoted: act('promote') },
  'RUNNING/PROMOTE_IN_PROGRESS': PROMOTING,
  'RUNNING_WITH_ERRORS/FULL_DUMP': {
    'not-started': BACK_STOP,
    running: NONE,
    stopped: FULL_DUMP_STOP,
    promoted: PROMOTE_TOO_EARLY,
  },
  'RUNNING_WITH_ERRORS/CDC': { 'not-started': BACK_STOP, running: NONE, stopped: CDC_STOP, promoted: act('promote') },
  'RUNNING_WITH_ERRORS/PROMOTE_IN_PROGRESS': PROMOTING,
  'STOPPING/FULL_DUMP': STOPPING,
  'STOPPING/CDC': STOPPING,
  STOPPED: {
    'not-started': BACK_STOP,
    running: act('restart', true),
    stopped: NONE,
    promoted: err(/cannot promote/, /can only restart: set state: running/),
  },
  'STOPPED/FULL_DUMP': {
    'not-started': BACK_STOP,
    running: act('restart', true),
    stopped: NONE,
    promoted: err(/cannot promote/, /can only restart: set state: running/),
  },
  'STOPPED/CDC': { 'not-started': BACK_STOP, running: act('resume'), stopped: NONE, promoted: act('promote') },
  RESUMING: SETTLING,
  RESTARTING: SETTLING,
  FAILED,
  'FAILED/FULL_DUMP': FAILED,
  'FAILED/CDC': FAILED,
  'FAILED/PROMOTE_IN_PROGRESS': FAILED,
  COMPLETED: {
    'not-started': err(/cannot go back to not-started/, /can only be deleted \(remove it from the declaration\)/),
    running: err(/Completed \(promoted\): it cannot run again/, /remove the job from the declaration/),
    stopped: err(/cannot stop/, /can only be deleted/),
    promoted: NONE,
  },
};

/** A one-time job never promotes (so it never is in Promote in progress) and Completed is where `running` ends. */
type OneTimeScenario = Exclude<Scenario, `${string}/PROMOTE_IN_PROGRESS`>;
const ONE_TIME_PROMOTE = err(/is a one-time job: it cannot be promoted/, /set state: running/);
const ONE_TIME: Record<OneTimeScenario, Record<DesiredState, Expect>> = {
  NOT_STARTED: { ...CONTINUOUS.NOT_STARTED, promoted: ONE_TIME_PROMOTE },
  STARTING: { ...SETTLING, promoted: ONE_TIME_PROMOTE },
  'RUNNING/FULL_DUMP': { 'not-started': BACK_STOP, running: NONE, stopped: FULL_DUMP_STOP, promoted: ONE_TIME_PROMOTE },
  'RUNNING/CDC': { 'not-started': BACK_STOP, running: NONE, stopped: act('stop'), promoted: ONE_TIME_PROMOTE },
  'RUNNING_WITH_ERRORS/FULL_DUMP': {
    'not-started': BACK_STOP,
    running: NONE,
    stopped: FULL_DUMP_STOP,
    promoted: ONE_TIME_PROMOTE,
  },
  'RUNNING_WITH_ERRORS/CDC': { 'not-started': BACK_STOP, running: NONE, stopped: act('stop'), promoted: ONE_TIME_PROMOTE },
  'STOPPING/FULL_DUMP': { ...STOPPING, promoted: ONE_TIME_PROMOTE },
  'STOPPING/CDC': { ...STOPPING, promoted: ONE_TIME_PROMOTE },
  STOPPED: { 'not-started': BACK_STOP, running: act('restart', true), stopped: NONE, promoted: ONE_TIME_PROMOTE },
  'STOPPED/FULL_DUMP': { 'not-started': BACK_STOP, running: act('restart', true), stopped: NONE, promoted: ONE_TIME_PROMOTE },
  'STOPPED/CDC': { 'not-started': BACK_STOP, running: act('resume'), stopped: NONE, promoted: ONE_TIME_PROMOTE },
  RESUMING: { ...SETTLING, promoted: ONE_TIME_PROMOTE },
  RESTARTING: { ...SETTLING, promoted: ONE_TIME_PROMOTE },
  FAILED: { ...FAILED, promoted: ONE_TIME_PROMOTE },
  'FAILED/FULL_DUMP': { ...FAILED, promoted: ONE_TIME_PROMOTE },
  'FAILED/CDC': { ...FAILED, promoted: ONE_TIME_PROMOTE },
  COMPLETED: { ...CONTINUOUS.COMPLETED, running: NONE, promoted: ONE_TIME_PROMOTE },
};

const TABLES: Record<JobType, Partial<Record<Scenario, Record<DesiredState, Expect>>>> = {
  continuous: CONTINUOUS,
  'one-time': ONE_TIME,
};
const DESIRED_STATES: readonly DesiredState[] = ['not-started', 'running', 'stopped', 'promoted'];

/** Plan one recorded job `x` in scenario `s` against a declaration of it. */
function planScenario(s: Scenario, type: JobType, want: DesiredState, restart: string[] = []): PlanResult {
  const { record, runtime: rt } = scenario(s, 'x', { type });
  return plan(desired({ x: jobConfig({ type, desiredState: want }) }), stateDoc([record]), { x: rt }, { restart });
}

function errors(r: PlanResult): Diagnostic[] {
  return r.diagnostics.filter((d) => d.severity === 'error');
}

function expectOutcome(r: PlanResult, e: Expect, s: Scenario, recorded: DesiredState, want: DesiredState): void {
  const transitions = r.actions.filter((a) => a.kind === 'transition');
  if (e.kind === 'error') {
    expect(transitions).toEqual([]);
    expect(errors(r)).toHaveLength(1);
    const d = errors(r)[0]!;
    expect(d.address).toBe('job.x');
    const text = `${d.summary}\n${d.detail ?? ''}`;
    expect(text).toMatch(/cannot|can only/);
    for (const p of e.says) expect(text).toMatch(p);
    return;
  }
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (e.kind === 'none') {
    expect(transitions).toEqual([]);
    // nothing to do but remember the declared state
    const expected: PlanAction[] =
      recorded === want
        ? []
        : [
            {
              kind: 'update-job',
              address: 'job.x',
              name: 'x',
              changes: [{ path: 'desiredState', before: recorded, after: want }],
              after: expect.anything() as never,
              reason: 'desired state recorded',
              destructive: false,
            },
          ];
    expect(r.actions).toEqual(expected);
    expect(r.diagnostics).toEqual([]);
    return;
  }
  expect(r.actions).toHaveLength(1);
  expect(transitions).toHaveLength(1);
  const t = transitions[0]!;
  expect(t).toMatchObject({ action: e.action, destructive: e.destructive, observed: scenarioStatus(s), address: 'job.x' });
  if (t.kind === 'transition') expect(t.after.desiredState).toBe(want);
  if (e.warning) {
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'warning', address: 'job.x' });
    expect(r.diagnostics[0]!.summary).toMatch(e.warning);
  } else {
    expect(r.diagnostics).toEqual([]);
  }
}

describe('scenarios', () => {
  it('cover all ten statuses', () => {
    const statuses = new Set<JobStatus>(SCENARIO_NAMES.map((s) => scenarioStatus(s).status));
    expect(statuses.size).toBe(10);
  });

  for (const s of SCENARIO_NAMES) {
    it(`${s} is what observedStatus derives from its record and report`, () => {
      const { record, runtime: rt } = scenario(s, 'x');
      expect(observedStatus(record, rt)).toEqual(scenarioStatus(s));
    });
  }
});

describe('plan: lifecycle transitions (status × declared state × job type)', () => {
  for (const type of ['continuous', 'one-time'] as const) {
    const table = TABLES[type];
    for (const s of SCENARIO_NAMES) {
      const row = table[s];
      if (!row) continue;
      for (const want of DESIRED_STATES) {
        const e = row[want];
        const outcome = e.kind === 'action' ? `${e.action}${e.destructive ? ' [destructive]' : ''}` : e.kind;
        it(`${type} ${s}, state: ${want} → ${outcome}`, () => {
          expectOutcome(planScenario(s, type, want), e, s, recordedState(s), want);
        });
      }
    }
  }
});

function recordedState(s: Scenario): DesiredState {
  return scenario(s, 'x').record.desiredState;
}

/** `-restart job.x`: legal only where the table allows restart; always destructive. */
const RESTART: Record<Scenario, Expect> = {
  NOT_STARTED: err(/cannot restart/, /never run: set state: running/),
  STARTING: err(/cannot restart/, WAIT),
  'RUNNING/FULL_DUMP': err(/cannot restart/, /Stop it first \(set state: stopped/),
  'RUNNING/CDC': err(/cannot restart/, /Stop it first \(set state: stopped/),
  'RUNNING/PROMOTE_IN_PROGRESS': err(/cannot restart/, /Stop it first/),
  'RUNNING_WITH_ERRORS/FULL_DUMP': act('restart', true),
  'RUNNING_WITH_ERRORS/CDC': act('restart', true),
  'RUNNING_WITH_ERRORS/PROMOTE_IN_PROGRESS': act('restart', true),
  'STOPPING/FULL_DUMP': err(/cannot restart/, WAIT),
  'STOPPING/CDC': err(/cannot restart/, WAIT),
  STOPPED: act('restart', true),
  'STOPPED/FULL_DUMP': act('restart', true),
  'STOPPED/CDC': act('restart', true),
  RESUMING: err(/cannot restart/, WAIT),
  RESTARTING: err(/cannot restart/, WAIT),
  FAILED: act('restart', true),
  'FAILED/FULL_DUMP': act('restart', true),
  'FAILED/CDC': act('restart', true),
  'FAILED/PROMOTE_IN_PROGRESS': act('restart', true),
  COMPLETED: err(/cannot restart/, /can only be deleted/),
};

describe('plan -restart', () => {
  for (const s of SCENARIO_NAMES) {
    const e = RESTART[s];
    it(`${s} → ${e.kind === 'action' ? 'restart [destructive]' : 'error'}`, () => {
      const r = planScenario(s, 'continuous', 'running', ['job.x']);
      if (e.kind === 'error') {
        expect(errors(r)).toHaveLength(1);
        const d = errors(r)[0]!;
        for (const p of e.says) expect(`${d.summary}\n${d.detail ?? ''}`).toMatch(p);
      } else {
        expect(errors(r)).toEqual([]);
        const t = r.actions.filter((a) => a.kind === 'transition');
        expect(t).toEqual([expect.objectContaining({ action: 'restart', destructive: true, observed: scenarioStatus(s) })]);
        expect(t[0]!.reason).toMatch(/restart requested \(-restart job\.x\)/);
      }
    });
  }

  it('refuses a job that is not both declared and recorded', () => {
    const { record, runtime: rt } = scenario('STOPPED/CDC', 'x');
    for (const [decl, state] of [
      [{ y: jobConfig() }, stateDoc([record])],
      [{ x: jobConfig(), y: jobConfig() }, stateDoc([record])],
    ] as const) {
      const r = plan(desired(decl), state, { x: rt }, { restart: ['job.y'] });
      expect(errors(r)).toEqual([
        expect.objectContaining({
          summary: '-restart job.y: no such job in both the declaration and the state',
          address: 'job.y',
        }),
      ]);
    }
  });

  it('refuses a bare job name instead of silently ignoring it', () => {
    const { record, runtime: rt } = scenario('STOPPED/CDC', 'x');
    const r = plan(desired({ x: jobConfig() }), stateDoc([record]), { x: rt }, { restart: ['x'] });
    expect(errors(r)).toEqual([
      expect.objectContaining({
        summary: '-restart x: not a job address',
        detail: 'name the job by its address: -restart job.x',
      }),
    ]);
  });
});

describe('plan: create', () => {
  it('creates and starts a new job declared running', () => {
    const r = plan(desired({ x: jobConfig() }), stateDoc([]), {});
    expect(r.diagnostics).toEqual([]);
    expect(r.actions).toEqual([
      {
        kind: 'create-job',
        address: 'job.x',
        name: 'x',
        after: jobConfig(),
        start: true,
        reason: 'declared with state: running: it will be created and started',
        destructive: false,
      },
    ]);
  });

  it('creates without starting a job declared not-started', () => {
    const r = plan(desired({ x: jobConfig({ desiredState: 'not-started' }) }), stateDoc([]), {});
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'create-job', start: false, destructive: false })]);
  });

  it('strips the declaration location from what it records', () => {
    const wanted = { ...jobConfig(), location: { file: 'm.yaml', line: 3, column: 3 } };
    const r = plan({ profiles: defaultProfiles(), jobs: { x: wanted } }, stateDoc([]), {});
    const a = r.actions[0];
    expect(a?.kind === 'create-job' && 'location' in a.after).toBe(false);
  });

  for (const state of ['stopped', 'promoted'] as const) {
    it(`refuses a new job declared ${state}`, () => {
      const loc = { file: 'm.yaml', line: 9, column: 3 };
      const r = plan(
        { profiles: defaultProfiles(), jobs: { x: { ...jobConfig({ desiredState: state }), location: loc } } },
        stateDoc([]),
        {},
      );
      expect(r.actions).toEqual([]);
      expect(r.diagnostics).toEqual([
        {
          severity: 'error',
          summary: `job.x does not exist yet: it cannot be ${state}`,
          detail: 'declare it with state: running (or not-started), apply, and change the state later',
          address: 'job.x',
          field: 'jobs.x.state',
          location: loc,
        },
      ]);
    });
  }
});

describe('plan: delete', () => {
  const ACTIVE = new Set<JobStatus>(['STARTING', 'RUNNING', 'RUNNING_WITH_ERRORS', 'STOPPING', 'RESUMING', 'RESTARTING']);
  for (const s of SCENARIO_NAMES) {
    const observed = scenarioStatus(s);
    const destructive = ACTIVE.has(observed.status);
    it(`${s}: removed from the declaration → delete-job${destructive ? ' [destructive]' : ''}`, () => {
      const { record, runtime: rt } = scenario(s, 'x');
      const r = plan(desired({}), stateDoc([record]), { x: rt });
      expect(r.diagnostics).toEqual([]);
      expect(r.actions).toEqual([
        {
          kind: 'delete-job',
          address: 'job.x',
          name: 'x',
          observed,
          reason: `no longer declared (${observed.status}); source-side artifacts are removed, destination data is kept`,
          destructive,
        },
      ]);
    });
  }
});

describe('plan: replace', () => {
  const profiles = { ...defaultProfiles(), other: profileRecord({ host: 'other.internal' }) };
  const running = (): { record: ReturnType<typeof jobRecord>; rt: JobRuntime } => ({
    record: jobRecord('x'),
    rt: runtime('x', 1, 'RUNNING', 'CDC'),
  });

  for (const [field, change] of [
    ['source', { source: 'other' }],
    ['destination', { destination: 'other' }],
    ['type', { type: 'one-time' }],
  ] as const) {
    it(`replaces a started job whose ${field} changed [destructive]`, () => {
      const { record, rt } = running();
      const r = plan(desired({ x: jobConfig(change) }, profiles), stateDoc([record], profiles), { x: rt });
      expect(r.diagnostics).toEqual([]);
      expect(r.actions).toEqual([
        {
          kind: 'replace-job',
          address: 'job.x',
          name: 'x',
          after: jobConfig(change),
          start: true,
          changes: [{ path: field, before: record[field], after: change[field as keyof typeof change], forcesReplacement: true }],
          observed: { status: 'RUNNING', substatus: 'CDC' },
          reason: `${field} changed: the job must be replaced`,
          destructive: true,
        },
      ]);
    });
  }

  it('replaces the jobs on a profile whose engine changed, and updates the profile', () => {
    const { record, rt } = running();
    const now = { ...defaultProfiles(), src: profileRecord({ host: 'src.internal', engine: 'mysql', port: 3306 }) };
    const r = plan(desired({ x: jobConfig() }, now), stateDoc([record]), { x: rt });
    expect(r.actions.map((a) => a.kind)).toEqual(['update-profile', 'replace-job']);
    expect(r.actions[0]).toMatchObject({
      changes: [
        { path: 'engine', before: 'postgres', after: 'mysql', forcesReplacement: true },
        { path: 'port', before: 5432, after: 3306 },
      ],
    });
    expect(r.actions[1]).toMatchObject({
      changes: [{ path: 'source.engine', before: 'postgres', after: 'mysql', forcesReplacement: true }],
      destructive: true,
    });
  });

  it('replaces a never-started job without loss, keeping it not started', () => {
    const record = jobRecord('x', { generation: 0, desiredState: 'not-started' });
    const r = plan(
      desired({ x: jobConfig({ source: 'other', desiredState: 'not-started' }) }, profiles),
      stateDoc([record], profiles),
      {},
    );
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'replace-job', start: false, destructive: false })]);
  });

  for (const state of ['stopped', 'promoted'] as const) {
    it(`refuses a replacement declared ${state} (a new job cannot begin ${state})`, () => {
      const { record, rt } = running();
      const r = plan(
        desired({ x: jobConfig({ source: 'other', desiredState: state }) }, profiles),
        stateDoc([record], profiles),
        { x: rt },
      );
      expect(r.actions.filter((a) => a.kind === 'replace-job')).toEqual([]);
      expect(errors(r)).toHaveLength(1);
      expect(errors(r)[0]!.summary).toBe(`job.x must be replaced (source changed): the new job cannot be ${state}`);
      expect(errors(r)[0]!.detail).toMatch(/set state: running \(or not-started\)/);
    });
  }

  it('does not also plan database, settings or lifecycle changes for a replaced job', () => {
    const { record, rt } = running();
    const after = jobConfig({ source: 'other', parallelism: 8, databases: [] });
    const r = plan(desired({ x: after }, profiles), stateDoc([record], profiles), { x: rt });
    expect(r.actions.map((a) => a.kind)).toEqual(['replace-job']);
  });
});

describe('plan: update in place', () => {
  it('changes parallelism of a running job in place', () => {
    const r = plan(desired({ x: jobConfig({ parallelism: 4 }) }), stateDoc([jobRecord('x')]), {
      x: runtime('x', 1, 'RUNNING', 'FULL_DUMP'),
    });
    expect(r.actions).toEqual([
      {
        kind: 'update-job',
        address: 'job.x',
        name: 'x',
        changes: [{ path: 'parallelism', before: 'optimal', after: 4 }],
        after: jobConfig({ parallelism: 4 }),
        reason: 'parallelism changes apply in place to the running job',
        destructive: false,
      },
    ]);
  });

  it('records parallelism for a stopped job, next to its lifecycle action', () => {
    const { record, runtime: rt } = scenario('STOPPED/CDC', 'x');
    const r = plan(desired({ x: jobConfig({ parallelism: 'max' }) }), stateDoc([record]), { x: rt });
    expect(r.actions.map((a) => [a.kind, a.kind === 'transition' ? a.action : a.reason])).toEqual([
      ['update-job', 'settings changed'],
      ['transition', 'resume'],
    ]);
  });

  it('creates profiles before the job on a first plan (no state yet)', () => {
    const r = plan(desired({ x: jobConfig() }), null, {});
    expect(r.actions.map((a) => `${a.kind} ${a.address}`)).toEqual([
      'create-profile profile.dst',
      'create-profile profile.src',
      'create-job job.x',
    ]);
  });

  it('plans nothing when declaration and state agree', () => {
    const r = plan(desired({ x: jobConfig() }), stateDoc([jobRecord('x')]), { x: runtime('x', 1, 'RUNNING', 'CDC') });
    expect(r).toEqual({ actions: [], diagnostics: [] });
  });
});

describe('plan: databases', () => {
  const shop: DatabaseRecord = { name: 'shop', target: 'shop', tables: { include: ['public.*'], exclude: [] } };
  const crm: DatabaseRecord = { name: 'crm', target: 'crm', tables: { include: ['*.*'], exclude: [] } };
  const run = (before: DatabaseRecord[], after: DatabaseRecord[]) =>
    plan(desired({ x: jobConfig({ databases: after }) }), stateDoc([jobRecord('x', { databases: before })]), {
      x: runtime('x', 1, 'RUNNING', 'CDC'),
    });

  it('adds a database (not destructive)', () => {
    expect(run([shop], [shop, crm]).actions).toEqual([
      {
        kind: 'add-database',
        address: 'job.x.database.crm',
        name: 'x',
        database: crm,
        reason: 'added: it gets a full dump, then joins the running job',
        destructive: false,
      },
    ]);
  });

  it('removes a database [destructive], keeping its data', () => {
    expect(run([shop, crm], [shop]).actions).toEqual([
      {
        kind: 'remove-database',
        address: 'job.x.database.crm',
        name: 'x',
        database: crm,
        reason: 'removed: replication stops; data already in crm is kept',
        destructive: true,
      },
    ]);
  });

  it('turns a target change into remove + add at the same address', () => {
    const moved = { ...shop, target: 'shop_v2' };
    const r = run([shop], [moved]);
    expect(r.actions.map((a) => [a.kind, a.address, a.destructive])).toEqual([
      ['remove-database', 'job.x.database.shop', true],
      ['add-database', 'job.x.database.shop', false],
    ]);
    expect(r.actions[0]).toMatchObject({ database: shop });
    expect(r.actions[1]).toMatchObject({ database: moved });
  });

  it('updates the table selection in place', () => {
    const narrowed = { ...shop, tables: { include: ['public.*'], exclude: ['public.audit_*'] } };
    expect(run([shop], [narrowed]).actions).toEqual([
      expect.objectContaining({
        kind: 'update-database',
        address: 'job.x.database.shop',
        destructive: false,
        changes: [{ path: 'tables.exclude', before: [], after: ['public.audit_*'] }],
      }),
    ]);
  });
});

describe('plan: profiles', () => {
  const FP_OLD = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const FP_NEW = '0f9e8d7c6b5a49382716f5e4d3c2b1a0';

  it('creates a declared profile that is not in state', () => {
    const p = profileRecord({ host: 'new.internal' });
    const r = plan(desired({}, { ...defaultProfiles(), fresh: p }), stateDoc([]), {});
    expect(r.actions).toEqual([
      {
        kind: 'create-profile',
        address: 'profile.fresh',
        name: 'fresh',
        after: p,
        reason: 'declared, not in state',
        destructive: false,
      },
    ]);
  });

  it('updates changed fields in place, descending into tls', () => {
    const now = {
      ...defaultProfiles(),
      dst: profileRecord({ host: 'dst2.internal', tls: { mode: 'verify-full', ca: '/ca.pem' } }),
    };
    const r = plan(desired({}, now), stateDoc([]), {});
    expect(r.actions).toEqual([
      expect.objectContaining({
        kind: 'update-profile',
        address: 'profile.dst',
        destructive: false,
        changes: [
          { path: 'host', before: 'dst.internal', after: 'dst2.internal' },
          { path: 'tls.ca', before: null, after: '/ca.pem' },
          { path: 'tls.mode', before: 'disable', after: 'verify-full' },
        ],
      }),
    ]);
  });

  it('shows a rotated password as (sensitive), never the fingerprint', () => {
    const before = { ...defaultProfiles(), src: profileRecord({ passwordRef: 'env:PW', passwordFingerprint: FP_OLD }) };
    const after = { ...defaultProfiles(), src: profileRecord({ passwordRef: 'env:PW', passwordFingerprint: FP_NEW }) };
    const r = plan(desired({}, after), stateDoc([], before), {});
    expect(r.actions).toHaveLength(1);
    const a = r.actions[0]!;
    expect(a).toMatchObject({
      kind: 'update-profile',
      changes: [{ path: 'passwordFingerprint', before: '(sensitive)', after: '(sensitive, changed)' }],
    });
    expect(a.kind === 'update-profile' && JSON.stringify(a.changes)).not.toMatch(new RegExp(`${FP_OLD}|${FP_NEW}`));
  });

  it('deletes a profile no longer declared, after the jobs that used it', () => {
    const r = plan(desired({}, { dst: profileRecord({ host: 'dst.internal' }) }), stateDoc([jobRecord('x')]), {});
    expect(r.actions.map((a) => [a.kind, a.address])).toEqual([
      ['delete-job', 'job.x'],
      ['delete-profile', 'profile.src'],
    ]);
    expect(r.actions[1]).toMatchObject({ reason: 'no longer declared', destructive: false });
  });
});

describe('plan: ordering and summary', () => {
  const profiles = { ...defaultProfiles(), extra: profileRecord({ host: 'extra.internal' }) };
  // b: replaced; c: deleted; d: created; e: database added + parallelism; f: stopped; g: restarted
  const state = stateDoc(
    [jobRecord('b'), jobRecord('c'), jobRecord('e'), jobRecord('f'), jobRecord('g', { desiredState: 'stopped' })],
    { ...defaultProfiles(), gone: profileRecord() },
  );
  const runtimes = {
    b: runtime('b', 1, 'RUNNING', 'CDC'),
    c: runtime('c', 1, 'STOPPED', 'CDC'),
    e: runtime('e', 1, 'RUNNING', 'CDC'),
    f: runtime('f', 1, 'RUNNING', 'CDC'),
    g: runtime('g', 1, 'STOPPED', 'FULL_DUMP'),
  };
  const want = desired(
    {
      b: jobConfig({ destination: 'extra' }),
      d: jobConfig(),
      e: jobConfig({
        parallelism: 2,
        databases: [...jobConfig().databases, { name: 'crm', target: 'crm', tables: { include: ['*.*'], exclude: [] } }],
      }),
      f: jobConfig({ desiredState: 'stopped' }),
      g: jobConfig(),
    },
    profiles,
  );

  it('orders profiles, deletes and replacements, creates, updates, transitions, profile deletes', () => {
    const r = plan(want, state, runtimes);
    // job.f is continuous and stopped in CDC: only the WAL-retention warning
    expect(r.diagnostics.map((d) => `${d.severity} ${d.address}`)).toEqual(['warning job.f']);
    expect(r.actions.map((a) => `${a.kind} ${a.address}`)).toEqual([
      'create-profile profile.extra',
      'replace-job job.b',
      'delete-job job.c',
      'create-job job.d',
      'add-database job.e.database.crm',
      'update-job job.e',
      'transition job.f',
      'transition job.g',
      'delete-profile profile.gone',
    ]);
  });

  it('counts + as add, ~ as change, - as destroy and -/+ as both', () => {
    const r = plan(want, state, runtimes);
    // + profile.extra, job.d, database crm; -/+ job.b, job.g (restart); - job.c, profile.gone; ~ job.e, job.f
    expect(summarize(r.actions)).toEqual({ add: 5, change: 2, destroy: 4 });
  });
});

describe('plan: jobs nobody serves', () => {
  const NOW = new Date('2024-05-01T10:05:00.000Z');
  const lease = (over: Partial<Lease> = {}): Lease => ({
    job: 'x',
    workerId: 'w-1',
    host: 'another-host.example',
    pid: 4242,
    heartbeatAt: '2024-05-01T10:04:55.000Z',
    expiresAt: '2024-05-01T10:05:10.000Z',
    ...over,
  });
  const servePlan = (s: Scenario, l: Lease | null, state: DesiredState = 'running') => {
    const { record, runtime: rt } = scenario(s, 'x');
    return plan(
      desired({ x: jobConfig({ desiredState: state }) }),
      stateDoc([record]),
      { x: rt },
      {
        service: { leases: { x: l }, now: NOW },
      },
    );
  };
  /** Statuses with work left for a worker: nobody serving them is drift. */
  const WORK_LEFT: Scenario[] = [
    'STARTING',
    'RUNNING/FULL_DUMP',
    'RUNNING/CDC',
    'RUNNING_WITH_ERRORS/CDC',
    'RESUMING',
    'RESTARTING',
  ];

  it.each(WORK_LEFT)('%s with no lease: taken over (not destructive), naming since when', (s) => {
    const r = servePlan(s, null);
    expect(errors(r)).toEqual([]);
    const take = r.actions.filter((a) => a.kind === 'take-over');
    expect(take).toEqual([expect.objectContaining({ address: 'job.x', destructive: false })]);
    expect(take[0]!.reason).toMatch(/no worker since .*apply runs it again from its checkpoints/);
  });

  it.each(WORK_LEFT)('%s with an expired lease: taken over, since its last heartbeat', (s) => {
    const r = servePlan(s, lease({ expiresAt: '2024-05-01T10:04:59.000Z' }));
    const take = r.actions.find((a) => a.kind === 'take-over');
    expect(take).toMatchObject({ observed: { unservedSince: '2024-05-01T10:04:55.000Z' } });
  });

  it.each(WORK_LEFT)('%s with a live lease elsewhere: nothing to do', (s) => {
    expect(servePlan(s, lease()).actions.filter((a) => a.kind === 'take-over')).toEqual([]);
  });

  it('a lease of a process of this host that is gone counts as free before it expires', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid ?? 0;
    await new Promise((r) => child.on('exit', r));
    const r = servePlan('RUNNING/FULL_DUMP', lease({ host: hostname(), pid }));
    expect(r.actions.map((a) => a.kind)).toContain('take-over');
    // the same lease held by a live process of this host is served
    expect(servePlan('RUNNING/FULL_DUMP', lease({ host: hostname(), pid: process.pid })).actions).toEqual([]);
  });

  it.each(['NOT_STARTED', 'COMPLETED', 'FAILED/FULL_DUMP', 'STOPPED/FULL_DUMP'] as Scenario[])(
    '%s has nothing for a worker to do: never taken over',
    (s) => {
      const state: DesiredState = s === 'NOT_STARTED' ? 'not-started' : s.startsWith('STOPPED') ? 'stopped' : 'running';
      const r = servePlan(s, null, state);
      expect(r.actions.filter((a) => a.kind === 'take-over')).toEqual([]);
    },
  );

  it('without lease information (no refresh), nothing is taken over', () => {
    const { record, runtime: rt } = scenario('RUNNING/CDC', 'x');
    const r = plan(desired({ x: jobConfig() }), stateDoc([record]), { x: rt });
    expect(r.actions).toEqual([]);
  });
});

describe('plan: a job that failed before writing anything', () => {
  const failed = (written: boolean | undefined) => {
    const record = jobRecord('x', { generation: 1 });
    const rt: JobRuntime = {
      ...runtime('x', 1, 'FAILED', 'FULL_DUMP'),
      ...(written === undefined ? {} : { destinationWritten: written }),
    };
    return plan(desired({ x: jobConfig() }), stateDoc([record]), { x: rt });
  };

  it('restarts without being destructive (nothing to wipe)', () => {
    const t = failed(false).actions.find((a) => a.kind === 'transition');
    expect(t).toMatchObject({ action: 'restart', destructive: false, observed: { status: 'FAILED', pristine: true } });
    expect(t!.reason).toMatch(/before writing anything at the destination: it starts again \(nothing to wipe\)/);
  });

  it.each([true, undefined])('destinationWritten %s: the restart wipes, so it is destructive', (written) => {
    const t = failed(written).actions.find((a) => a.kind === 'transition');
    expect(t).toMatchObject({ action: 'restart', destructive: true });
    expect(t!.reason).toMatch(/destination databases are wiped/);
  });
});
