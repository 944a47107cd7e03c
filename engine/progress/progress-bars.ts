import { formatCount, jobLine } from './render-status.js';
import type { DatabaseStatusView, JobStatusView } from './status-view.js';

/** What one database had done at one moment; rates come from two of them some seconds apart. */
export interface ProgressSample {
  /** Milliseconds on the viewer's clock (the runtime's own timestamps move only when it is written). */
  at: number;
  /** Rows copied by the full dump. */
  rows: number;
  /** Changes applied by CDC. */
  applied: number;
}

/** One line of the live display: a job's summary (or its error), or one database's bar. */
export type ProgressRow =
  | { kind: 'line'; text: string }
  | {
      kind: 'bar';
      /** The database name, indented and padded to its job's longest name. */
      label: string;
      /** How full the bar is, 0 to 1. */
      ratio: number;
      /** What follows the bar: percent, rows, rate and ETA, or CDC lag. */
      text: string;
    };

/** Key of a database in a sample map: `job/database`. */
export const sampleKey = (job: string, database: string): string => `${job}/${database}`;

export function sampleOf(db: DatabaseStatusView, at: number): ProgressSample {
  return { at, rows: db.tables.reduce((n, t) => n + t.fullLoadTotalRows, 0), applied: db.appliedChanges };
}

/**
 * Units per second between two samples; null without an earlier sample, with
 * no time between them, or when the counter went down (the job restarted).
 */
export function perSecond(older: ProgressSample | undefined, newer: ProgressSample, field: 'rows' | 'applied'): number | null {
  if (!older || newer.at <= older.at || newer[field] < older[field]) return null;
  return ((newer[field] - older[field]) * 1000) / (newer.at - older.at);
}

/**
 * Rows the full dump will have copied once done: per table, its rows once it
 * is loaded, else the larger of its estimate and what it copied so far. Null
 * when an unfinished table has no estimate (no ETA rather than a wrong one).
 */
export function expectedRows(db: DatabaseStatusView): number | null {
  let total = 0;
  for (const t of db.tables) {
    if (t.state === 'REMOVED') continue;
    if (t.state === 'COMPLETED' || t.state === 'CDC') total += t.fullLoadTotalRows;
    else if (t.fullLoadEstimatedRows === undefined) return null;
    else total += Math.max(t.fullLoadEstimatedRows, t.fullLoadTotalRows);
  }
  return total;
}

/** Seconds left at `rate`; null when the rate is unknown or zero, or nothing is left by the estimate. */
export function etaSeconds(done: number, total: number | null, rate: number | null): number | null {
  if (total === null || rate === null || rate <= 0 || done >= total) return null;
  return (total - done) / rate;
}

/** `<1s`, `42s`, `3m 05s`, `2h 07m`; beyond 99 hours `>99h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s === 0 && seconds > 0) return '<1s';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s >= 100 * 3600) return '>99h';
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `12,345 rows/s`; under 10 with one decimal (`0.5 rows/s`). */
export function formatRate(rate: number, unit: string): string {
  return `${rate < 10 ? rate.toFixed(1) : formatCount(rate)} ${unit}/s`;
}

/** How far CDC is behind the source: `lag 120 ms`, `lag 4.2 s`, `lag 3m 05s`; `lag n/a` before the first change. */
export function lagText(latencyMs: number | null): string {
  if (latencyMs === null) return 'lag n/a';
  if (latencyMs < 1000) return `lag ${Math.round(latencyMs)} ms`;
  if (latencyMs < 60_000) return `lag ${(latencyMs / 1000).toFixed(1)} s`;
  return `lag ${formatDuration(latencyMs / 1000)}`;
}

const join = (parts: (string | null)[]) => parts.filter((p): p is string => p !== null && p !== '').join('  ');

/** The text after a full dump's bar, and how full the bar is. */
function dumpProgress(db: DatabaseStatusView, rows: number, rate: number | null): { ratio: number; text: string } {
  const tables = db.tables.filter((t) => t.state !== 'REMOVED');
  const tablesText = `tables ${db.fullLoadCompletedTables}/${tables.length}`;
  if (tables.length && db.fullLoadCompletedTables === tables.length) {
    // the rows are all there; what is left is not measured in rows (no rate, no ETA)
    return { ratio: 0.99, text: join([`${tablesText} loaded`, `${formatCount(rows)} rows`, 'building indexes and constraints']) };
  }
  const rateText = rate === null ? null : formatRate(rate, 'rows');
  const total = expectedRows(db);
  if (total === null || total === 0) {
    const ratio = tables.length ? db.fullLoadCompletedTables / tables.length : 0;
    return { ratio, text: join([tablesText, `${formatCount(rows)} rows`, rateText]) };
  }
  // an estimate can be low: never claim 100% before the database says it is done
  const percent = Math.min(99, Math.floor((rows * 100) / total));
  const eta = etaSeconds(rows, total, rate);
  return {
    ratio: Math.min(rows / total, 0.99),
    text: join([
      `${String(percent).padStart(3)}%`,
      `${formatCount(rows)}/${formatCount(total)} rows`,
      rateText,
      eta === null ? null : `ETA ${formatDuration(eta)}`,
      tablesText,
    ]),
  };
}

/**
 * One database's bar: the full dump with rows, rows/s and (when every
 * unfinished table has an estimate) an ETA; CDC with its lag and changes/s;
 * otherwise the phase it is in.
 */
export function databaseBar(
  db: DatabaseStatusView,
  older: ProgressSample | undefined,
  newer: ProgressSample,
  labelWidth: number,
): ProgressRow {
  const label = `  ${db.name.padEnd(labelWidth)}`;
  const rows = newer.rows;
  const cdc = (what: string) => {
    const rate = perSecond(older, newer, 'applied');
    return join([
      what,
      lagText(db.latencyMs),
      `${formatCount(db.appliedChanges)} changes applied`,
      rate === null ? null : formatRate(rate, 'changes'),
    ]);
  };
  switch (db.migrationState) {
    case 'NOT_STARTED':
      return { kind: 'bar', label, ratio: 0, text: 'waiting to start' };
    case 'FULL_DUMP':
      return { kind: 'bar', label, ...dumpProgress(db, rows, perSecond(older, newer, 'rows')) };
    case 'CDC':
      return { kind: 'bar', label, ratio: 1, text: cdc('streaming changes') };
    case 'READY_TO_COMPLETE':
      return { kind: 'bar', label, ratio: 1, text: cdc('ready to complete') };
    case 'COMPLETED':
      return { kind: 'bar', label, ratio: 1, text: `completed  ${formatCount(rows)} rows copied` };
    case 'STOPPED':
    case 'FAILED': {
      const total = expectedRows(db);
      const ratio = total ? Math.min(rows / total, 1) : 0;
      return { kind: 'bar', label, ratio, text: `${db.migrationState.toLowerCase()}  ${formatCount(rows)} rows copied` };
    }
    case 'REMOVED':
      return { kind: 'bar', label, ratio: 0, text: 'removed' };
  }
}

/**
 * The live display of `apply` and `status --watch`: per job its summary line
 * (and its error's first line), then one bar per database. `earlier` holds
 * each database's sample from some seconds ago (keyed by `sampleKey`).
 */
export function progressRows(
  jobs: readonly JobStatusView[],
  earlier: ReadonlyMap<string, ProgressSample>,
  at: number,
): ProgressRow[] {
  const out: ProgressRow[] = [];
  for (const j of jobs) {
    out.push({ kind: 'line', text: jobLine(j) });
    if (j.error) out.push({ kind: 'line', text: `  error (${j.error.phase ?? 'no phase'}): ${j.error.message.split('\n')[0]}` });
    const width = Math.min(24, Math.max(0, ...j.databases.map((d) => d.name.length)));
    for (const d of j.databases) {
      out.push(databaseBar(d, earlier.get(sampleKey(j.name, d.name)), sampleOf(d, at), width));
    }
  }
  return out;
}
