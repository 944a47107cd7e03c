import type { DatabaseMigrationState, TableState } from '../../state/job-runtime.js';
import { JOB_STATUSES, SUBSTATUSES } from '../lifecycle/job-status.js';
import type { JobObservation } from '../runtime/job-observation.js';
import type { MetricKey } from './metric-definitions.js';

/** One value of one series. */
export interface MetricSample {
  metric: MetricKey;
  labels: Record<string, string>;
  value: number;
}

// Records, so a state added to the model is a compile error here until it is listed.
const DATABASE_STATES = Object.keys({
  NOT_STARTED: 1,
  FULL_DUMP: 1,
  CDC: 1,
  READY_TO_COMPLETE: 1,
  COMPLETED: 1,
  STOPPED: 1,
  FAILED: 1,
  REMOVED: 1,
} satisfies Record<DatabaseMigrationState, 1>) as DatabaseMigrationState[];
const TABLE_STATES = Object.keys({
  QUEUED: 1,
  LOADING: 1,
  COMPLETED: 1,
  CDC: 1,
  ERROR: 1,
  REMOVED: 1,
} satisfies Record<TableState, 1>) as TableState[];

/**
 * The metrics of the jobs a worker serves, derived from their progress
 * reports at scrape time (nothing on the data path counts for metrics).
 * Enumerated states (`status`, `phase`, `state`) carry every value, 1 for
 * the current one, so a dashboard can show a state it has not seen yet.
 */
export function jobMetricSamples(jobs: readonly JobObservation[]): MetricSample[] {
  const out: MetricSample[] = [];
  for (const { runtime: r, errors, retainedBytes } of jobs) {
    const migration = r.job;
    for (const status of JOB_STATUSES)
      out.push({ metric: 'jobStatus', labels: { migration, status }, value: +(r.status === status) });
    for (const phase of SUBSTATUSES)
      out.push({ metric: 'jobPhase', labels: { migration, phase }, value: +(r.substatus === phase) });
    out.push({ metric: 'jobErrors', labels: { migration }, value: errors });
    for (const db of r.databases) {
      const database = db.name;
      for (const state of DATABASE_STATES) {
        out.push({ metric: 'databaseState', labels: { migration, database, state }, value: +(db.migrationState === state) });
      }
      for (const state of TABLE_STATES) {
        const n = db.tables.filter((t) => t.state === state).length;
        out.push({ metric: 'tables', labels: { migration, database, state }, value: n });
      }
      out.push({ metric: 'changesReceived', labels: { migration, database }, value: db.incomingChanges });
      if (db.latencyMs !== null) out.push({ metric: 'applyLag', labels: { migration, database }, value: db.latencyMs / 1000 });
      const retained = retainedBytes[database];
      if (retained !== undefined) out.push({ metric: 'sourceRetainedBytes', labels: { migration, database }, value: retained });
      for (const t of db.tables) {
        const table = t.name;
        const labels = { migration, database, table };
        out.push({ metric: 'rowsCopied', labels, value: t.fullLoadTotalRows });
        out.push({ metric: 'bytesCopied', labels, value: t.fullLoadTotalVolumeBytes });
        out.push({ metric: 'changesApplied', labels: { ...labels, kind: 'insert' }, value: t.cdcInsertCounter });
        out.push({ metric: 'changesApplied', labels: { ...labels, kind: 'update' }, value: t.cdcUpdateCounter });
        out.push({ metric: 'changesApplied', labels: { ...labels, kind: 'delete' }, value: t.cdcDeleteCounter });
        out.push({ metric: 'tableDataErrors', labels, value: t.dataErrorsCount });
      }
    }
  }
  return out;
}
