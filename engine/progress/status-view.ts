import type { DatabaseProgress, JobError, TableProgress } from '../../state/job-runtime.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { JobRecord, TransitionRecord } from '../../state/state-document.js';
import type { JobStatus, Substatus } from '../lifecycle/job-status.js';
import { observedStatus, type JobService } from '../lifecycle/observed-status.js';
import { runtimeFor } from '../lifecycle/runtime-belongs.js';

export interface DatabaseStatusView extends Omit<DatabaseProgress, 'tables'> {
  fullLoadQueuedTables: number;
  fullLoadLoadingTables: number;
  fullLoadCompletedTables: number;
  fullLoadErroredTables: number;
  tables: TableProgress[];
}

/** One job in `status --json` (schema: schemas/status.schema.json). */
export interface JobStatusView {
  name: string;
  type: JobRecord['type'];
  source: string;
  destination: string;
  status: JobStatus;
  substatus: Substatus | null;
  desiredState: JobRecord['desiredState'];
  generation: number;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string | null;
  error: JobError | null;
  worker: string | null;
  /** Set when the job has work to do and no live worker serves it: when it was last served. */
  unservedSince?: string;
  databases: DatabaseStatusView[];
  history: TransitionRecord[];
}

export function jobStatusView(record: JobRecord, runtime: JobRuntime | null, service?: JobService): JobStatusView {
  const { status, substatus, unservedSince } = observedStatus(record, runtime, service);
  const mine = runtimeFor(record, runtime);
  const current = mine && mine.generation === record.generation ? mine : null;
  const progress = new Map((current?.databases ?? []).map((d) => [d.name, d]));
  const databases = record.databases.map((d): DatabaseStatusView => {
    const p = progress.get(d.name);
    const tables = p?.tables ?? [];
    const count = (s: TableProgress['state']) => tables.filter((t) => t.state === s).length;
    return {
      name: d.name,
      target: d.target,
      migrationState: p?.migrationState ?? 'NOT_STARTED',
      startedOn: p?.startedOn ?? null,
      endedOn: p?.endedOn ?? null,
      incomingChanges: p?.incomingChanges ?? 0,
      appliedChanges: p?.appliedChanges ?? 0,
      latencyMs: p?.latencyMs ?? null,
      workerId: p?.workerId ?? null,
      error: p?.error ?? null,
      ...(p?.notMigrated?.length ? { notMigrated: p.notMigrated } : {}),
      fullLoadQueuedTables: count('QUEUED'),
      fullLoadLoadingTables: count('LOADING'),
      fullLoadCompletedTables: tables.filter((t) => t.state === 'COMPLETED' || t.state === 'CDC').length,
      fullLoadErroredTables: count('ERROR'),
      tables,
    };
  });
  return {
    name: record.name,
    type: record.type,
    source: record.source,
    destination: record.destination,
    status,
    substatus,
    desiredState: record.desiredState,
    generation: record.generation,
    startedAt: current?.startedAt ?? null,
    endedAt: current?.endedAt ?? null,
    updatedAt: current?.updatedAt ?? null,
    error: current?.error ?? null,
    worker: current?.workerId ?? null,
    ...(unservedSince ? { unservedSince } : {}),
    databases,
    history: record.history,
  };
}
