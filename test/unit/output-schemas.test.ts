import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyToState } from '../../engine/apply/apply-to-state.js';
import type { JobAction } from '../../engine/lifecycle/lifecycle-table.js';
import { makePlan } from '../../engine/plan/make-plan.js';
import type { PlanActionKind } from '../../engine/plan/plan-action.js';
import type { PlanDocument } from '../../engine/plan/plan-document.js';
import { jobStatusView } from '../../engine/progress/status-view.js';
import { emptyState } from '../../state/new-lineage.js';
import type { DatabaseProgress, JobRuntime, TableProgress, TableState } from '../../state/job-runtime.js';
import type { StateDocument } from '../../state/state-document.js';
import { declaration, jobRecord, jobSpec, LINEAGE, profileSpec, runtime, scenario, SCENARIO_NAMES, T0 } from './plan-fixtures.js';

const schemas = join(dirname(fileURLToPath(import.meta.url)), '../../schemas');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function compile(file: string): ValidateFunction {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('date-time', (s: string) => ISO.test(s) && !Number.isNaN(Date.parse(s)));
  return ajv.compile(JSON.parse(readFileSync(join(schemas, file), 'utf8')) as AnySchemaObject);
}

function load(file: string): AnySchemaObject {
  return JSON.parse(readFileSync(join(schemas, file), 'utf8')) as AnySchemaObject;
}

/** Validate what the CLI would print: the value after a JSON round trip. */
function expectValid(validate: ValidateFunction, value: unknown): void {
  const ok = validate(JSON.parse(JSON.stringify(value)));
  expect(ok ? [] : validate.errors).toEqual([]);
}

/** Every `properties` entry of every object in the schema carries a description. */
function undescribed(node: unknown, path = '#'): string[] {
  if (typeof node !== 'object' || node === null) return [];
  if (Array.isArray(node)) return node.flatMap((n, i) => undescribed(n, `${path}/${i}`));
  const out: string[] = [];
  const o = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'properties' && typeof v === 'object' && v) {
      for (const [p, s] of Object.entries(v as Record<string, Record<string, unknown>>)) {
        if (typeof s.description !== 'string') out.push(`${path}/properties/${p}`);
      }
    }
    if (k !== 'enum' && k !== 'const') out.push(...undescribed(v, `${path}/${k}`));
  }
  return out;
}

describe('schemas/plan.schema.json', () => {
  const validate = compile('plan.schema.json');
  const PW = 'MIGRATE_OUTPUT_SCHEMA_TEST_PW';
  beforeAll(() => {
    process.env[PW] = 'first secret';
  });
  afterAll(() => {
    delete process.env[PW];
  });

  /** Plans of a realistic life: first apply, then a second declaration changing everything once. */
  function lifePlans(): PlanDocument[] {
    process.env[PW] = 'first secret';
    const at = new Date(T0);
    const first = declaration(
      [
        profileSpec('src', { password: `\${env:${PW}}` }),
        profileSpec('dst', { tls: { mode: 'verify-full', ca: 'ca.pem' } }),
        profileSpec('old'),
      ],
      [
        jobSpec('a'),
        jobSpec('b', { destination: 'old' }),
        jobSpec('c', { state: 'not-started' }),
        jobSpec('d'),
        jobSpec('e'),
        jobSpec('f'),
        jobSpec('g', { type: 'one-time', schema: { owners: 'keep', grants: 'keep', zeroDates: '1970-01-01' } }),
        jobSpec('h', {
          parallelism: 2,
          databases: [
            {
              name: 'shop',
              target: 'shop',
              tables: { include: ['public.*'], exclude: [] },
              location: { file: 'm.yaml', line: 1, column: 1 },
            },
            {
              name: 'legacy',
              target: 'legacy',
              tables: { include: ['*.*'], exclude: [] },
              location: { file: 'm.yaml', line: 1, column: 1 },
            },
          ],
        }),
      ],
    );
    const plan1 = makePlan(first, null, {}, at);
    const state: StateDocument = applyToState(emptyState(LINEAGE), plan1.actions, T0, 'test@host');
    state.jobs.e!.desiredState = 'stopped';
    const runtimes: Record<string, JobRuntime | null> = {
      a: runtime('a', 1, 'RUNNING', 'FULL_DUMP'),
      b: runtime('b', 1, 'RUNNING', 'CDC'),
      d: runtime('d', 1, 'RUNNING', 'CDC'),
      e: runtime('e', 1, 'STOPPED', 'CDC'),
      f: runtime('f', 1, 'RUNNING', 'CDC'),
      g: runtime('g', 1, 'FAILED', 'FULL_DUMP', { error: { message: 'boom', at: T0, phase: 'FULL_DUMP', fatal: true } }),
      h: runtime('h', 1, 'RUNNING', 'FULL_DUMP'),
    };
    process.env[PW] = 'rotated secret';
    const second = declaration(
      [
        profileSpec('src', { password: `\${env:${PW}}`, host: 'src2.internal' }),
        profileSpec('dst', { tls: { mode: 'verify-full', ca: 'ca.pem' } }),
        profileSpec('extra', { engine: 'mysql', port: 3306 }),
      ],
      [
        jobSpec('a', { state: 'stopped' }),
        jobSpec('b'),
        jobSpec('c'),
        jobSpec('e'),
        jobSpec('f', { state: 'promoted' }),
        jobSpec('g', { type: 'one-time' }),
        jobSpec('h', {
          parallelism: 4,
          databases: [
            {
              name: 'shop',
              target: 'shop',
              tables: { include: ['public.*'], exclude: ['public.tmp_*'] },
              location: { file: 'm.yaml', line: 1, column: 1 },
            },
            {
              name: 'crm',
              target: 'crm',
              tables: { include: ['*.*'], exclude: [] },
              location: { file: 'm.yaml', line: 1, column: 1 },
            },
          ],
        }),
        jobSpec('i', { source: 'extra', state: 'not-started' }),
      ],
    );
    const plan2 = makePlan(second, state, runtimes, at);
    const restart = makePlan(
      second,
      { ...state, jobs: { ...state.jobs, h: { ...state.jobs.h!, ...jobRecord('h'), parallelism: 4 } } },
      {
        ...runtimes,
        h: runtime('h', 1, 'RUNNING_WITH_ERRORS', 'CDC'),
      },
      at,
      { restart: ['job.h'] },
    );
    // the same state with no live worker: every job with work to do is taken over
    const takeOver = makePlan(second, state, runtimes, at, { service: { leases: {}, now: at } });
    return [plan1, plan2, restart, takeOver];
  }

  function errorPlans(): PlanDocument[] {
    const at = new Date(T0);
    const decl = declaration([profileSpec('src'), profileSpec('dst')], [jobSpec('x', { state: 'promoted' })]);
    const unknownRestart = makePlan(declaration([profileSpec('src'), profileSpec('dst')], []), null, {}, at, {
      restart: ['job.nope', 'nope'],
    });
    return [makePlan(decl, null, {}, at), unknownRestart];
  }

  it('compiles in strict mode and describes every field', () => {
    expect(validate.errors ?? null).toBeNull();
    expect(undescribed(load('plan.schema.json'))).toEqual([]);
  });

  it('accepts every plan of a full life cycle, covering every action kind and lifecycle action', () => {
    const docs = lifePlans();
    const kinds = new Set<PlanActionKind>();
    const transitions = new Set<JobAction>();
    for (const doc of docs) {
      expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expectValid(validate, doc);
      for (const a of doc.actions) {
        kinds.add(a.kind);
        if (a.kind === 'transition') transitions.add(a.action);
      }
    }
    const ALL_KINDS: Record<PlanActionKind, true> = {
      'create-profile': true,
      'update-profile': true,
      'delete-profile': true,
      'create-job': true,
      'replace-job': true,
      'delete-job': true,
      'update-job': true,
      transition: true,
      'take-over': true,
      'add-database': true,
      'remove-database': true,
      'update-database': true,
    };
    expect([...kinds].sort()).toEqual(Object.keys(ALL_KINDS).sort());
    expect([...transitions].sort()).toEqual(['promote', 'restart', 'resume', 'start', 'stop']);
  });

  it('accepts the warnings and the sensitive changes it carries', () => {
    const plan2 = lifePlans()[1]!;
    expect(plan2.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', address: 'job.a' })]);
    const src = plan2.actions.find((a) => a.address === 'profile.src');
    expect(src).toMatchObject({
      changes: expect.arrayContaining([{ path: 'passwordFingerprint', before: '(sensitive)', after: '(sensitive, changed)' }]),
    });
    expect(JSON.stringify(plan2)).not.toContain('secret');
  });

  it('accepts failed plans with their diagnostics (with and without location)', () => {
    for (const doc of errorPlans()) {
      expect(doc.actions).toEqual([]);
      expect(doc.diagnostics.length).toBeGreaterThan(0);
      expectValid(validate, doc);
    }
  });

  it('accepts a plan refused by a policy: protected job, destructive: deny, the policy it records', () => {
    const decl = {
      ...declaration([profileSpec('src'), profileSpec('dst')], [jobSpec('a', { protect: true, type: 'one-time' })]),
      policy: { destructive: 'deny' as const, approvers: [], location: { file: '/work/decl/migrate.yaml', line: 1, column: 1 } },
    };
    const state = { ...emptyState(LINEAGE), serial: 1, jobs: { a: jobRecord('a', { protect: true }) } };
    const doc = makePlan(decl, state, { a: runtime('a', 1, 'RUNNING', 'CDC') }, new Date(T0));
    expect(doc.actions.map((x) => x.kind)).toContain('replace-job');
    expect(doc.diagnostics.map((d) => d.field)).toEqual(expect.arrayContaining(['jobs.a.protect', 'policy.destructive']));
    expect(doc.policy).toEqual({ destructive: 'deny', approvers: [] });
    expectValid(validate, doc);
  });

  it('rejects drift: unknown kind, extra field, missing field, bad status', () => {
    const doc = JSON.parse(JSON.stringify(lifePlans()[1])) as { actions: Record<string, unknown>[] };
    const variants: ((d: typeof doc) => void)[] = [
      (d) => (d.actions[0]!.kind = 'rename-profile'),
      (d) => (d.actions[0]!.extra = 1),
      (d) => delete d.actions[0]!.reason,
      (d) => {
        const t = d.actions.find((a) => a.kind === 'transition')!;
        t.observed = { status: 'PAUSED', substatus: null };
      },
      (d) => {
        const t = d.actions.find((a) => a.kind === 'remove-database')!;
        t.destructive = false;
      },
    ];
    for (const change of variants) {
      const copy = structuredClone(doc);
      change(copy);
      expect(validate(copy)).toBe(false);
    }
  });
});

describe('schemas/status.schema.json', () => {
  const validate = compile('status.schema.json');
  const STATES: TableState[] = ['QUEUED', 'LOADING', 'COMPLETED', 'ERROR', 'CDC', 'REMOVED'];

  const table = (name: string, state: TableState): TableProgress => ({
    name,
    state,
    fullLoadTotalRows: 1_234_567,
    fullLoadTotalVolumeBytes: 98_765_432,
    fullLoadStartedOn: T0,
    fullLoadEndedOn: state === 'QUEUED' || state === 'LOADING' ? null : T0,
    rangesTotal: 8,
    rangesDone: 5,
    cdcInsertCounter: 10,
    cdcUpdateCounter: 20,
    cdcDeleteCounter: 3,
    dataErrorsCount: state === 'ERROR' ? 1 : 0,
    lastError: state === 'ERROR' ? 'duplicate key value violates unique constraint "t_pkey"' : null,
    ...(state === 'CDC' ? { zeroDatesReplaced: 4 } : {}),
  });
  const progress = (name: string): DatabaseProgress => ({
    name,
    target: `${name}_v2`,
    migrationState: 'CDC',
    startedOn: T0,
    endedOn: null,
    incomingChanges: 1000,
    appliedChanges: 990,
    latencyMs: 12.5,
    tables: STATES.map((s) => table(`public.t_${s.toLowerCase()}`, s)),
  });

  it('compiles in strict mode and describes every field', () => {
    expect(validate.errors ?? null).toBeNull();
    expect(undescribed(load('status.schema.json'))).toEqual([]);
  });

  it('accepts the status view of every observed status, with and without progress', () => {
    const jobs = SCENARIO_NAMES.flatMap((s) => {
      const { record, runtime: rt } = scenario(s, `job-${s.toLowerCase().replace(/[/_]/g, '-')}`);
      record.history.push({ at: T0, action: 'create', from: 'absent', to: 'STARTING', by: 'test@host' });
      const withProgress = rt
        ? {
            ...rt,
            databases: [progress('shop')],
            error: { message: 'connection reset', at: T0, phase: rt.substatus, fatal: rt.status === 'FAILED' },
          }
        : null;
      return [jobStatusView(record, rt), jobStatusView(record, withProgress)];
    });
    const statuses = new Set(jobs.map((j) => j.status));
    expect(statuses.size).toBe(10);
    expectValid(validate, { jobs });
    const tables = jobs.flatMap((j) => j.databases.flatMap((d) => d.tables));
    expect(new Set(tables.map((t) => t.state))).toEqual(new Set(STATES));
  });

  it('accepts an empty state', () => {
    expectValid(validate, { jobs: [] });
  });

  it('rejects drift: unknown status, missing counter, extra field', () => {
    const { record, runtime: rt } = scenario('RUNNING/CDC', 'x');
    const view = JSON.parse(JSON.stringify(jobStatusView(record, rt && { ...rt, databases: [progress('shop')] }))) as Record<
      string,
      unknown
    > & {
      databases: { tables: Record<string, unknown>[] }[];
    };
    expectValid(validate, { jobs: [view] });
    const bad = [
      { ...view, status: 'PAUSED' },
      { ...view, substatus: 'SCHEMA' },
      { ...view, surprise: true },
      (() => {
        const v = structuredClone(view);
        delete v.databases[0]!.tables[0]!.cdcInsertCounter;
        return v;
      })(),
    ];
    for (const b of bad) expect(validate({ jobs: [b] })).toBe(false);
  });
});
