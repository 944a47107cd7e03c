import { describe, expect, it } from 'vitest';
import { jobMetricSamples, type MetricSample } from '../../engine/metrics/job-metric-samples.js';
import { WorkerMetrics } from '../../engine/metrics/metrics-registry.js';
import { JOB_STATUSES, type JobStatus } from '../../engine/lifecycle/job-status.js';
import type { JobObservation } from '../../engine/runtime/job-observation.js';
import { emptyDatabaseProgress, emptyTableProgress } from '../../engine/runtime/progress-reporter.js';
import type { DatabaseProgress, JobRuntime, TableProgress } from '../../state/job-runtime.js';
import { parsePrometheusText, sampleValue } from '../harness/prometheus-text.js';

function table(name: string, over: Partial<TableProgress> = {}): TableProgress {
  return { ...emptyTableProgress(name), ...over };
}

function database(name: string, over: Partial<DatabaseProgress> = {}): DatabaseProgress {
  return { ...emptyDatabaseProgress(name, `${name}_new`), ...over };
}

function job(over: Partial<JobRuntime> = {}, extra: Partial<Omit<JobObservation, 'runtime'>> = {}): JobObservation {
  return {
    runtime: {
      job: 'orders',
      generation: 1,
      status: 'RUNNING',
      substatus: 'CDC',
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: null,
      error: null,
      workerId: 'w',
      updatedAt: '2026-01-01T00:00:00.000Z',
      databases: [],
      ...over,
    },
    errors: 0,
    retainedBytes: {},
    ...extra,
  };
}

const pick = (samples: MetricSample[], metric: MetricSample['metric']) =>
  samples.filter((s) => s.metric === metric).map((s) => ({ ...s.labels, value: s.value }));

describe('metrics from a progress snapshot', () => {
  const shop = database('shop', {
    migrationState: 'CDC',
    incomingChanges: 42,
    latencyMs: 1500,
    tables: [
      table('public.orders', {
        state: 'CDC',
        fullLoadTotalRows: 1000,
        fullLoadTotalVolumeBytes: 64_000,
        cdcInsertCounter: 10,
        cdcUpdateCounter: 20,
        cdcDeleteCounter: 3,
      }),
      table('public.items', { state: 'ERROR', fullLoadTotalRows: 7, fullLoadTotalVolumeBytes: 700, dataErrorsCount: 2 }),
    ],
  });

  const cases: { name: string; jobs: JobObservation[]; metric: MetricSample['metric']; expected: object[] }[] = [
    { name: 'no jobs: no job series', jobs: [], metric: 'jobStatus', expected: [] },
    {
      name: 'rows copied per table',
      jobs: [job({ databases: [shop] })],
      metric: 'rowsCopied',
      expected: [
        { migration: 'orders', database: 'shop', table: 'public.orders', value: 1000 },
        { migration: 'orders', database: 'shop', table: 'public.items', value: 7 },
      ],
    },
    {
      name: 'bytes copied per table',
      jobs: [job({ databases: [shop] })],
      metric: 'bytesCopied',
      expected: [
        { migration: 'orders', database: 'shop', table: 'public.orders', value: 64_000 },
        { migration: 'orders', database: 'shop', table: 'public.items', value: 700 },
      ],
    },
    {
      name: 'changes applied per table and kind',
      jobs: [job({ databases: [shop] })],
      metric: 'changesApplied',
      expected: [
        { migration: 'orders', database: 'shop', table: 'public.orders', kind: 'insert', value: 10 },
        { migration: 'orders', database: 'shop', table: 'public.orders', kind: 'update', value: 20 },
        { migration: 'orders', database: 'shop', table: 'public.orders', kind: 'delete', value: 3 },
        { migration: 'orders', database: 'shop', table: 'public.items', kind: 'insert', value: 0 },
        { migration: 'orders', database: 'shop', table: 'public.items', kind: 'update', value: 0 },
        { migration: 'orders', database: 'shop', table: 'public.items', kind: 'delete', value: 0 },
      ],
    },
    {
      name: 'changes received per database',
      jobs: [job({ databases: [shop] })],
      metric: 'changesReceived',
      expected: [{ migration: 'orders', database: 'shop', value: 42 }],
    },
    {
      name: 'lag in seconds',
      jobs: [job({ databases: [shop] })],
      metric: 'applyLag',
      expected: [{ migration: 'orders', database: 'shop', value: 1.5 }],
    },
    {
      name: 'no lag before the first batch',
      jobs: [job({ databases: [database('shop', { migrationState: 'FULL_DUMP' })] })],
      metric: 'applyLag',
      expected: [],
    },
    {
      name: 'retained source log where measured',
      jobs: [job({ databases: [shop, database('crm')] }, { retainedBytes: { shop: 16_777_216 } })],
      metric: 'sourceRetainedBytes',
      expected: [{ migration: 'orders', database: 'shop', value: 16_777_216 }],
    },
    {
      name: 'data errors per table',
      jobs: [job({ databases: [shop] })],
      metric: 'tableDataErrors',
      expected: [
        { migration: 'orders', database: 'shop', table: 'public.orders', value: 0 },
        { migration: 'orders', database: 'shop', table: 'public.items', value: 2 },
      ],
    },
    {
      name: 'errors per job',
      jobs: [job({}, { errors: 3 }), job({ job: 'crm' })],
      metric: 'jobErrors',
      expected: [
        { migration: 'orders', value: 3 },
        { migration: 'crm', value: 0 },
      ],
    },
    {
      name: 'phase one-hot',
      jobs: [job({ substatus: 'FULL_DUMP' })],
      metric: 'jobPhase',
      expected: [
        { migration: 'orders', phase: 'FULL_DUMP', value: 1 },
        { migration: 'orders', phase: 'CDC', value: 0 },
        { migration: 'orders', phase: 'PROMOTE_IN_PROGRESS', value: 0 },
      ],
    },
  ];

  it.each(cases)('$name', ({ jobs, metric, expected }) => {
    expect(pick(jobMetricSamples(jobs), metric)).toEqual(expected);
  });

  it.each(JOB_STATUSES.map((s) => [s]))('status %s is the one status at 1', (status: JobStatus) => {
    const samples = pick(jobMetricSamples([job({ status })]), 'jobStatus');
    expect(samples).toHaveLength(JOB_STATUSES.length);
    expect(samples.filter((s) => s.value === 1)).toEqual([{ migration: 'orders', status, value: 1 }]);
  });

  it('database state one-hot and tables per state', () => {
    const samples = jobMetricSamples([job({ databases: [shop] })]);
    expect(pick(samples, 'databaseState').filter((s) => s.value === 1)).toEqual([
      { migration: 'orders', database: 'shop', state: 'CDC', value: 1 },
    ]);
    expect(pick(samples, 'tables').filter((s) => s.value > 0)).toEqual([
      { migration: 'orders', database: 'shop', state: 'CDC', value: 1 },
      { migration: 'orders', database: 'shop', state: 'ERROR', value: 1 },
    ]);
  });
});

describe('WorkerMetrics exposition', () => {
  it('serves the snapshot as Prometheus text with process metrics, from its own registry', async () => {
    let jobs = [job({ databases: [database('shop', { tables: [table('public.t', { fullLoadTotalRows: 5 })] })] })];
    const a = new WorkerMetrics(() => jobs);
    const b = new WorkerMetrics(() => []); // a second registry in one process: no clash
    const parsed = parsePrometheusText(await a.text());
    expect(parsed.get('migrate_rows_copied_total')?.type).toBe('counter');
    expect(parsed.get('migrate_job_status')?.type).toBe('gauge');
    expect(sampleValue(parsed, 'migrate_rows_copied_total', { table: 'public.t' })).toBe(5);
    expect(sampleValue(parsed, 'migrate_job_status', { migration: 'orders', status: 'RUNNING' })).toBe(1);
    expect(parsed.has('process_cpu_user_seconds_total')).toBe(true);
    expect(parsed.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(parsePrometheusText(await b.text()).get('migrate_job_status')?.samples).toEqual([]);

    // values are re-read at every scrape; a job gone is gone
    jobs = [job({ job: 'other' })];
    const again = parsePrometheusText(await a.text());
    expect(again.get('migrate_rows_copied_total')?.samples).toEqual([]);
    expect(sampleValue(again, 'migrate_job_status', { migration: 'other', status: 'RUNNING' })).toBe(1);
  });

  it('escapes label values exactly', async () => {
    const odd = 'public."we\\ird\nname"';
    const m = new WorkerMetrics(() => [
      job({ databases: [database('shop', { tables: [table(odd, { fullLoadTotalRows: 1 })] })] }),
    ]);
    expect(sampleValue(parsePrometheusText(await m.text()), 'migrate_rows_copied_total', { table: odd })).toBe(1);
  });
});
