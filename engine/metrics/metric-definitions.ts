/** How a metric behaves in Prometheus: counters only grow (a reset reads as a restart), gauges go both ways. */
export type MetricType = 'counter' | 'gauge';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
}

/**
 * Every metric `migrate worker` serves on `/metrics`, besides prom-client's
 * default process metrics. Names and labels are a public interface
 * (dashboards, alerts): change them like an exit code. `database` is the
 * source database, `table` the source `schema.table`.
 */
export const METRICS = {
  workerReady: {
    name: 'migrate_worker_ready',
    type: 'gauge',
    help: 'This worker reaches the state backend and serves jobs (what /readyz answers): 1 ready, 0 not',
    labels: [],
  },
  jobStatus: {
    name: 'migrate_job_status',
    type: 'gauge',
    help: 'Job status: 1 for the current status, 0 for the others',
    labels: ['migration', 'status'],
  },
  jobPhase: {
    name: 'migrate_job_phase',
    type: 'gauge',
    help: 'Job phase (substatus): 1 for the current phase, 0 for the others',
    labels: ['migration', 'phase'],
  },
  jobErrors: {
    name: 'migrate_job_errors_total',
    type: 'counter',
    help: 'Errors met while serving the job (retried failures, tables held back, the failure that ended it)',
    labels: ['migration'],
  },
  databaseState: {
    name: 'migrate_database_state',
    type: 'gauge',
    help: 'Database migration state: 1 for the current state, 0 for the others',
    labels: ['migration', 'database', 'state'],
  },
  tables: {
    name: 'migrate_tables',
    type: 'gauge',
    help: 'Tables of the database per state (QUEUED, LOADING, COMPLETED, CDC, ERROR, REMOVED)',
    labels: ['migration', 'database', 'state'],
  },
  rowsCopied: {
    name: 'migrate_rows_copied_total',
    type: 'counter',
    help: 'Rows copied by the full dump (a table reloaded from a new snapshot starts again at 0)',
    labels: ['migration', 'database', 'table'],
  },
  bytesCopied: {
    name: 'migrate_bytes_copied_total',
    type: 'counter',
    help: 'Bytes copied by the full dump, as the bulk-load stream counted them',
    labels: ['migration', 'database', 'table'],
  },
  changesReceived: {
    name: 'migrate_changes_received_total',
    type: 'counter',
    help: 'Row changes read from the source change stream for the selected tables',
    labels: ['migration', 'database'],
  },
  changesApplied: {
    name: 'migrate_changes_applied_total',
    type: 'counter',
    help: 'Row changes applied at the destination, by kind (insert, update, delete)',
    labels: ['migration', 'database', 'table', 'kind'],
  },
  applyLag: {
    name: 'migrate_apply_lag_seconds',
    type: 'gauge',
    help: 'Time from the source commit of the last applied transaction to its apply (0 when caught up and idle)',
    labels: ['migration', 'database'],
  },
  sourceRetainedBytes: {
    name: 'migrate_source_retained_bytes',
    type: 'gauge',
    help: 'Change log the source keeps for the job (PostgreSQL: WAL held by its replication slot), measured every 10 s',
    labels: ['migration', 'database'],
  },
  tableDataErrors: {
    name: 'migrate_table_data_errors_total',
    type: 'counter',
    help: 'Changes the destination rejected for the table (the table is then held back)',
    labels: ['migration', 'database', 'table'],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;
