import type { Declaration, JobSpec, Profile } from '../../engine/config/declaration.js';
import type { Diagnostic } from '../../engine/diagnostics/diagnostic.js';
import type { JobStatus, Substatus } from '../../engine/lifecycle/job-status.js';
import type { ObservedStatus, PlanAction } from '../../engine/plan/plan-action.js';
import type { PlanDocument } from '../../engine/plan/plan-document.js';
import { summarize } from '../../engine/plan/plan-document.js';
import type { DesiredSnapshot } from '../../engine/plan/desired-snapshot.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { JobConfigRecord, JobRecord, ProfileRecord, StateDocument } from '../../state/state-document.js';

/** Shared builders for the planner, renderer and output-schema tests (no I/O). */

export const T0 = '2024-05-01T10:00:00.000Z';
export const LINEAGE = '00000000-0000-4000-8000-000000000001';

export function profileRecord(over: Partial<ProfileRecord> = {}): ProfileRecord {
  return {
    engine: 'postgres',
    host: '127.0.0.1',
    port: 5432,
    user: 'postgres',
    database: 'postgres',
    tls: { mode: 'disable' },
    passwordRef: null,
    passwordFingerprint: null,
    ...over,
  };
}

export function jobConfig(over: Partial<JobConfigRecord> = {}): JobConfigRecord {
  return {
    source: 'src',
    destination: 'dst',
    type: 'continuous',
    desiredState: 'running',
    parallelism: 'optimal',
    databases: [{ name: 'shop', target: 'shop', tables: { include: ['public.*'], exclude: [] } }],
    ...over,
  };
}

export function jobRecord(name: string, over: Partial<JobRecord> = {}): JobRecord {
  return { ...jobConfig(), name, generation: 1, createdAt: T0, updatedAt: T0, history: [], ...over };
}

export function runtime(
  name: string,
  generation: number,
  status: JobStatus,
  substatus: Substatus | null,
  over: Partial<JobRuntime> = {},
): JobRuntime {
  return {
    job: name,
    generation,
    status,
    substatus,
    startedAt: T0,
    endedAt: null,
    error: null,
    workerId: 'worker-1',
    updatedAt: T0,
    databases: [],
    ...over,
  };
}

export function stateDoc(
  jobs: JobRecord[],
  profiles: Record<string, ProfileRecord> = defaultProfiles(),
  serial = 3,
): StateDocument {
  return { version: 1, serial, lineage: LINEAGE, profiles, jobs: Object.fromEntries(jobs.map((j) => [j.name, j])) };
}

export function defaultProfiles(): Record<string, ProfileRecord> {
  return { src: profileRecord({ host: 'src.internal' }), dst: profileRecord({ host: 'dst.internal' }) };
}

export function desired(
  jobs: Record<string, JobConfigRecord>,
  profiles: Record<string, ProfileRecord> = defaultProfiles(),
): DesiredSnapshot {
  return { profiles, jobs };
}

/**
 * Every observed status the planner can meet, with the substatuses that
 * matter, and how recorded state + worker report produce it (observedStatus
 * rules: generation 0 = never started; an older runtime = start/restart
 * pending; a same-generation runtime carries the status, adjusted by the
 * recorded desired state).
 */
export const SCENARIOS = {
  NOT_STARTED: { generation: 0, recorded: 'not-started', report: null },
  STARTING: { generation: 1, recorded: 'running', report: null },
  'RUNNING/FULL_DUMP': { generation: 1, recorded: 'running', report: [1, 'RUNNING', 'FULL_DUMP'] },
  'RUNNING/CDC': { generation: 1, recorded: 'running', report: [1, 'RUNNING', 'CDC'] },
  'RUNNING/PROMOTE_IN_PROGRESS': { generation: 1, recorded: 'promoted', report: [1, 'RUNNING', 'CDC'] },
  'RUNNING_WITH_ERRORS/FULL_DUMP': { generation: 1, recorded: 'running', report: [1, 'RUNNING_WITH_ERRORS', 'FULL_DUMP'] },
  'RUNNING_WITH_ERRORS/CDC': { generation: 1, recorded: 'running', report: [1, 'RUNNING_WITH_ERRORS', 'CDC'] },
  'RUNNING_WITH_ERRORS/PROMOTE_IN_PROGRESS': {
    generation: 1,
    recorded: 'promoted',
    report: [1, 'RUNNING_WITH_ERRORS', 'PROMOTE_IN_PROGRESS'],
  },
  'STOPPING/FULL_DUMP': { generation: 1, recorded: 'stopped', report: [1, 'RUNNING', 'FULL_DUMP'] },
  'STOPPING/CDC': { generation: 1, recorded: 'stopped', report: [1, 'RUNNING', 'CDC'] },
  STOPPED: { generation: 1, recorded: 'stopped', report: [1, 'STOPPED', null] },
  'STOPPED/FULL_DUMP': { generation: 1, recorded: 'stopped', report: [1, 'STOPPED', 'FULL_DUMP'] },
  'STOPPED/CDC': { generation: 1, recorded: 'stopped', report: [1, 'STOPPED', 'CDC'] },
  RESUMING: { generation: 1, recorded: 'running', report: [1, 'STOPPED', 'CDC'] },
  RESTARTING: { generation: 2, recorded: 'running', report: [1, 'FAILED', 'FULL_DUMP'] },
  FAILED: { generation: 1, recorded: 'running', report: [1, 'FAILED', null] },
  'FAILED/FULL_DUMP': { generation: 1, recorded: 'running', report: [1, 'FAILED', 'FULL_DUMP'] },
  'FAILED/CDC': { generation: 1, recorded: 'running', report: [1, 'FAILED', 'CDC'] },
  'FAILED/PROMOTE_IN_PROGRESS': { generation: 1, recorded: 'promoted', report: [1, 'FAILED', 'PROMOTE_IN_PROGRESS'] },
  COMPLETED: { generation: 1, recorded: 'running', report: [1, 'COMPLETED', null] },
} as const satisfies Record<
  string,
  {
    generation: number;
    recorded: JobConfigRecord['desiredState'];
    report: readonly [number, JobStatus, Substatus | null] | null;
  }
>;

export type Scenario = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as Scenario[];

/** The observed status a scenario's name promises (`STATUS` or `STATUS/SUBSTATUS`). */
export function scenarioStatus(s: Scenario): ObservedStatus {
  const [status, substatus] = s.split('/') as [JobStatus, Substatus | undefined];
  return { status, substatus: substatus ?? null };
}

/** Recorded job + worker report that yield scenario `s`. */
export function scenario(
  s: Scenario,
  name: string,
  over: Partial<JobConfigRecord> = {},
): { record: JobRecord; runtime: JobRuntime | null } {
  const spec = SCENARIOS[s];
  const record = jobRecord(name, { ...over, generation: spec.generation, desiredState: spec.recorded });
  const report = spec.report;
  return { record, runtime: report ? runtime(name, report[0], report[1], report[2]) : null };
}

export function planDocument(actions: PlanAction[], diagnostics: Diagnostic[] = []): PlanDocument {
  return {
    formatVersion: 1,
    createdAt: T0,
    declaration: '/work/decl',
    state: { lineage: LINEAGE, serial: 3 },
    actions,
    diagnostics,
    summary: summarize(actions),
    destructive: actions.some((a) => a.destructive),
  };
}

const loc = (line: number) => ({ file: '/work/decl/migrate.yaml', line, column: 3 });

export function profileSpec(name: string, over: Partial<Profile> = {}): Profile {
  return {
    name,
    engine: 'postgres',
    host: `${name}.internal`,
    port: 5432,
    user: 'postgres',
    database: 'postgres',
    tls: { mode: 'disable' },
    location: loc(2),
    ...over,
  };
}

export function jobSpec(name: string, over: Partial<JobSpec> = {}): JobSpec {
  return {
    name,
    source: 'src',
    destination: 'dst',
    type: 'continuous',
    state: 'running',
    parallelism: 'optimal',
    verify: false,
    protect: false,
    schema: { owners: 'keep', grants: 'keep' },
    databases: [{ name: 'shop', target: 'shop', tables: { include: ['public.*'], exclude: [] }, location: loc(20) }],
    location: loc(12),
    ...over,
  };
}

/** A hand-built Declaration (what loadDeclaration returns); locations are dummies. */
export function declaration(profiles: Profile[], jobs: JobSpec[]): Declaration {
  return {
    version: 1,
    dir: '/work/decl',
    files: ['/work/decl/migrate.yaml'],
    backend: { type: 'local', path: '.migrate' },
    policy: { destructive: 'allow', approvers: [] },
    profiles: Object.fromEntries(profiles.map((p) => [p.name, p])),
    jobs: Object.fromEntries(jobs.map((j) => [j.name, j])),
  };
}
