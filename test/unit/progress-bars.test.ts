import { describe, expect, it } from 'vitest';
import {
  databaseBar,
  etaSeconds,
  expectedRows,
  formatDuration,
  formatRate,
  lagText,
  perSecond,
  progressRows,
  sampleKey,
  sampleOf,
  type ProgressSample,
} from '../../engine/progress/progress-bars.js';
import type { DatabaseStatusView } from '../../engine/progress/status-view.js';
import { jobView } from '../harness/status-views.js';
import { emptyDatabaseProgress, emptyTableProgress } from '../../engine/runtime/progress-reporter.js';
import type { TableProgress } from '../../state/job-runtime.js';

function table(name: string, over: Partial<TableProgress>): TableProgress {
  return { ...emptyTableProgress(name), ...over };
}

function database(over: Partial<DatabaseStatusView> & { tables: TableProgress[] }): DatabaseStatusView {
  const t = over.tables;
  return {
    ...emptyDatabaseProgress('shop', 'shop_new'),
    fullLoadQueuedTables: t.filter((x) => x.state === 'QUEUED').length,
    fullLoadLoadingTables: t.filter((x) => x.state === 'LOADING').length,
    fullLoadCompletedTables: t.filter((x) => x.state === 'COMPLETED' || x.state === 'CDC').length,
    fullLoadErroredTables: t.filter((x) => x.state === 'ERROR').length,
    ...over,
  };
}

const sample = (at: number, rows: number, applied = 0): ProgressSample => ({ at, rows, applied });

describe('perSecond', () => {
  it.each([
    ['no earlier sample', undefined, sample(10_000, 500), null],
    ['10,000 rows in 2 s', sample(0, 0), sample(2_000, 10_000), 5_000],
    ['nothing copied', sample(0, 300), sample(5_000, 300), 0],
    ['no time between them', sample(1_000, 0), sample(1_000, 10), null],
    ['counter went down (restart)', sample(0, 900), sample(1_000, 10), null],
  ] as const)('%s', (_name, older, newer, expected) => {
    expect(perSecond(older, newer, 'rows')).toBe(expected);
  });

  it('rates applied changes apart from rows', () => {
    expect(perSecond(sample(0, 100, 10), sample(4_000, 100, 50), 'applied')).toBe(10);
  });
});

describe('expectedRows', () => {
  it.each([
    ['no tables yet', [], 0],
    [
      'estimates of queued tables',
      [table('a', { fullLoadEstimatedRows: 1000 }), table('b', { fullLoadEstimatedRows: 500 })],
      1500,
    ],
    [
      'a loaded table counts its real rows, not its estimate',
      [table('a', { state: 'COMPLETED', fullLoadEstimatedRows: 1000, fullLoadTotalRows: 1200 })],
      1200,
    ],
    [
      'a loading table past its estimate counts what it copied',
      [table('a', { state: 'LOADING', fullLoadEstimatedRows: 1000, fullLoadTotalRows: 1500 })],
      1500,
    ],
    ['an unfinished table without an estimate: unknown', [table('a', { fullLoadEstimatedRows: 10 }), table('b', {})], null],
    ['a loaded table needs no estimate', [table('a', { state: 'CDC', fullLoadTotalRows: 7 })], 7],
    ['removed tables are left out', [table('a', { state: 'REMOVED' }), table('b', { fullLoadEstimatedRows: 3 })], 3],
  ] as const)('%s', (_name, tables, expected) => {
    expect(expectedRows(database({ tables: [...tables] }))).toBe(expected);
  });
});

describe('etaSeconds', () => {
  it.each([
    ['half done at 100 rows/s', 500, 1000, 100, 5],
    ['no total', 500, null, 100, null],
    ['no rate yet', 500, 1000, null, null],
    ['stalled', 500, 1000, 0, null],
    ['past the estimate', 1200, 1000, 100, null],
  ] as const)('%s', (_name, done, total, rate, expected) => {
    expect(etaSeconds(done, total, rate)).toBe(expected);
  });
});

describe('text', () => {
  it.each([
    [0, '0s'],
    [0.2, '<1s'],
    [42.4, '42s'],
    [185, '3m 05s'],
    [3599, '59m 59s'],
    [7620, '2h 07m'],
    [100 * 3600, '>99h'],
  ])('formatDuration(%d) = %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });

  it.each([
    [12_345.4, 'rows', '12,345 rows/s'],
    [0.46, 'rows', '0.5 rows/s'],
    [10, 'changes', '10 changes/s'],
  ])('formatRate(%d, %s) = %s', (rate, unit, text) => {
    expect(formatRate(rate, unit)).toBe(text);
  });

  it.each([
    [null, 'lag n/a'],
    [0, 'lag 0 ms'],
    [120.4, 'lag 120 ms'],
    [4_210, 'lag 4.2 s'],
    [185_000, 'lag 3m 05s'],
  ])('lagText(%s) = %s', (ms, text) => {
    expect(lagText(ms)).toBe(text);
  });
});

describe('databaseBar per phase', () => {
  const loading = [
    table('public.orders', { state: 'LOADING', fullLoadEstimatedRows: 80_000, fullLoadTotalRows: 30_000 }),
    table('public.users', { state: 'COMPLETED', fullLoadEstimatedRows: 15_000, fullLoadTotalRows: 20_000 }),
  ];
  it.each([
    ['not started', database({ tables: [] }), undefined, 0, 0, 'waiting to start'],
    [
      'full dump with estimates: rows, rows/s, ETA',
      database({ migrationState: 'FULL_DUMP', tables: loading }),
      sample(0, 30_000),
      10_000,
      0.5,
      ' 50%  50,000/100,000 rows  2,000 rows/s  ETA 25s  tables 1/2',
    ],
    [
      'full dump, first sight: no rate, no ETA',
      database({ migrationState: 'FULL_DUMP', tables: loading }),
      undefined,
      10_000,
      0.5,
      ' 50%  50,000/100,000 rows  tables 1/2',
    ],
    [
      'full dump without estimates: tables, rows and rows/s, no ETA',
      database({
        migrationState: 'FULL_DUMP',
        tables: [table('a', { state: 'COMPLETED', fullLoadTotalRows: 900 }), table('b', { state: 'LOADING' })],
      }),
      sample(0, 0),
      3_000,
      0.5,
      'tables 1/2  900 rows  300 rows/s',
    ],
    [
      'full dump past the estimate: 99%, never 100% before done',
      database({
        migrationState: 'FULL_DUMP',
        tables: [
          table('a', { state: 'LOADING', fullLoadEstimatedRows: 10, fullLoadTotalRows: 50 }),
          table('b', { state: 'COMPLETED', fullLoadTotalRows: 50 }),
        ],
      }),
      sample(0, 100),
      1_000,
      0.99,
      ' 99%  100/100 rows  0.0 rows/s  tables 1/2',
    ],
    [
      'every table loaded, still in the full dump: no rate, no ETA',
      database({
        migrationState: 'FULL_DUMP',
        tables: [table('a', { state: 'COMPLETED', fullLoadEstimatedRows: 10, fullLoadTotalRows: 1_500 })],
      }),
      sample(0, 0),
      1_000,
      0.99,
      'tables 1/1 loaded  1,500 rows  building indexes and constraints',
    ],
    [
      'CDC: lag and changes/s',
      database({ migrationState: 'CDC', latencyMs: 1_500, appliedChanges: 4_000, tables: [] }),
      sample(0, 0, 1_000),
      10_000,
      1,
      'streaming changes  lag 1.5 s  4,000 changes applied  300 changes/s',
    ],
    [
      'ready to complete, no change yet',
      database({ migrationState: 'READY_TO_COMPLETE', tables: [] }),
      undefined,
      10_000,
      1,
      'ready to complete  lag n/a  0 changes applied',
    ],
    [
      'completed',
      database({ migrationState: 'COMPLETED', tables: [table('a', { state: 'COMPLETED', fullLoadTotalRows: 1234 })] }),
      undefined,
      10_000,
      1,
      'completed  1,234 rows copied',
    ],
    [
      'stopped midway',
      database({ migrationState: 'STOPPED', tables: loading }),
      undefined,
      10_000,
      0.5,
      'stopped  50,000 rows copied',
    ],
  ] as const)('%s', (_name, db, older, at, ratio, text) => {
    const row = databaseBar(db, older, sampleOf(db, at), 6);
    expect(row).toEqual({ kind: 'bar', label: '  shop  ', ratio, text });
  });
});

describe('progressRows', () => {
  it('a job line, its error, then one bar per database with the rate from the earlier sample', () => {
    const shop = database({
      migrationState: 'FULL_DUMP',
      tables: [table('a', { state: 'LOADING', fullLoadEstimatedRows: 1000, fullLoadTotalRows: 400 })],
    });
    const crm = { ...database({ tables: [] }), name: 'crm-archive' };
    const j = jobView([shop, crm], {
      status: 'RUNNING_WITH_ERRORS',
      error: { message: 'connection lost\ncause: ECONNRESET', at: '', phase: 'FULL_DUMP', fatal: false },
    });
    const rows = progressRows([j], new Map([[sampleKey('shop-upgrade', 'shop'), sample(0, 100)]]), 3_000);
    expect(rows.map((r) => (r.kind === 'line' ? r.text : `${r.label}|${r.text}`))).toEqual([
      expect.stringMatching(/^job\.shop-upgrade: .* — tables 0\/1, 400 rows, 0 B$/),
      '  error (FULL_DUMP): connection lost',
      '  shop       | 40%  400/1,000 rows  100 rows/s  ETA 6s  tables 0/1',
      '  crm-archive|waiting to start',
    ]);
  });

  it('no jobs, no rows', () => {
    expect(progressRows([], new Map(), 0)).toEqual([]);
  });
});
