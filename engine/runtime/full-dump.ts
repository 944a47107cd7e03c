import type { Readable } from 'node:stream';
import type { Catalog, TableDef } from '../../providers/catalog.js';
import { qualifiedKey } from '../../providers/catalog.js';
import type {
  CopyFormat,
  DestinationProvider,
  LoadResult,
  SourceProvider,
  SourceSnapshot,
  TableRange,
} from '../../providers/provider.js';
import type { DatabaseProgress, TableProgress } from '../../state/job-runtime.js';
import { combineErrors } from './combine-errors.js';
import type { Logger } from './logger.js';
import { timed } from './timed.js';
import type { ProgressReporter } from './progress-reporter.js';
import { TIER, type WorkBudget } from './work-budget.js';

/** Tables larger than this are split when neither the worker nor the destination says otherwise. */
const DEFAULT_RANGE_BYTES = 4 * 1024 * 1024 * 1024;

export interface FullDumpInput {
  job: string;
  generation: number;
  target: string;
  catalog: Catalog;
  source: SourceProvider;
  snapshot: SourceSnapshot;
  destination: DestinationProvider;
  /** Tables already loaded by an earlier run of this generation (skipped). */
  loaded: Map<string, LoadResult>;
  /** Filled with the tables whose own indexes and constraints were built right after their load. */
  built: Set<string>;
  /** The job's slots: every range copy and index build holds one. */
  budget: WorkBudget;
  /** Tables larger than this are split into ranges of about this size. */
  /** Split size of large tables; absent: the smaller of the source's and destination's `preferredRangeBytes`, at most 4 GiB. */
  rangeBytes: number | undefined;
  progress: ProgressReporter;
  db: DatabaseProgress;
  signal: AbortSignal;
  logger: Logger;
}

/** An index build costs a fraction of its table's copy: it ranks behind copies of similar size. */
const POST_DATA_WEIGHT = 0.25;

function pickFormat(source: SourceProvider, destination: DestinationProvider, table: TableDef): CopyFormat {
  const format = source.formatsFor(table).find((f) => destination.acceptedFormats.includes(f));
  if (!format) throw new Error(`no common copy format for ${qualifiedKey(table)}`);
  return format;
}

/**
 * Copy every selected table inside one snapshot. Each range copy is a unit
 * of the job's work budget (largest first across all the job's open
 * databases); a table larger than `rangeBytes` is split into ranges; a
 * loaded table's own indexes and constraints are queued as soon as it is
 * loaded. A table is marked loaded only when all its ranges committed; an
 * interrupted table is loaded again whole (truncated first), so resume never
 * duplicates rows. The first failure cancels what has not started; every
 * failure is reported.
 */
export async function runFullDump(input: FullDumpInput): Promise<void> {
  const { catalog, progress, db } = input;
  const tables = catalog.tables.filter((t) => t.kind !== 'partitioned').sort((a, b) => b.estimatedBytes - a.estimatedBytes);
  const pending: TableDef[] = [];
  for (const table of tables) {
    const tp = progress.table(db, qualifiedKey(table));
    // 0 is what a never-analyzed table reports: unknown, not empty
    if (table.estimatedRows > 0) tp.fullLoadEstimatedRows = Math.round(table.estimatedRows);
    const done = input.loaded.get(qualifiedKey(table));
    if (done) {
      tp.state = 'COMPLETED';
      tp.fullLoadTotalRows = done.rows;
      tp.fullLoadTotalVolumeBytes = done.bytes;
    } else {
      tp.state = 'QUEUED';
      pending.push(table);
    }
  }
  progress.touch();

  // failing one table stops the queued work of the others (what runs finishes: it is kept for resume)
  const failed = new AbortController();
  const signal = AbortSignal.any([input.signal, failed.signal]);
  const streams = new Set<Readable>();
  const onAbort = () => {
    for (const s of streams) s.destroy(new Error('aborted'));
  };
  input.signal.addEventListener('abort', onAbort);
  const errors: Error[] = [];
  const fail = (tp: TableProgress, err: Error) => {
    if (input.signal.aborted) return;
    tp.state = 'ERROR';
    tp.dataErrorsCount++;
    tp.lastError = err.message;
    progress.touch();
    errors.push(err);
    failed.abort(err);
  };
  try {
    // queued synchronously, so the budget sees this database's work before it opens another
    await Promise.all(pending.map((t) => loadTable(input, t, signal, streams, fail)));
  } finally {
    input.signal.removeEventListener('abort', onAbort);
  }
  if (input.signal.aborted) throw input.signal.reason instanceof Error ? input.signal.reason : new Error('aborted');
  if (errors.length) throw combineErrors(errors, 'table loads');
}

async function loadTable(
  input: FullDumpInput,
  table: TableDef,
  signal: AbortSignal,
  streams: Set<Readable>,
  fail: (tp: TableProgress, err: Error) => void,
): Promise<void> {
  const { snapshot, destination, target, progress, db, budget } = input;
  const tp = progress.table(db, qualifiedKey(table));
  const unit = <T>(size: number, fn: () => Promise<T>) => budget.run({ tier: TIER.open, size }, fn, signal);
  try {
    const format = pickFormat(input.source, destination, table);
    // only a table that may exceed the range size costs a round trip to plan its ranges
    const rangeBytes =
      input.rangeBytes ??
      Math.min(
        input.source.preferredRangeBytes ?? Infinity,
        destination.preferredRangeBytes?.(table) ?? Infinity,
        DEFAULT_RANGE_BYTES,
      );
    const ranges: TableRange[] =
      table.estimatedBytes > rangeBytes / 2
        ? await unit(table.estimatedBytes, async () => {
            const planned = await snapshot.planRanges(table, rangeBytes);
            if (planned.length > 1) await destination.truncateTable(target, table);
            return planned;
          })
        : [{ id: 'all', predicate: null }];
    const single = ranges.length === 1;
    tp.rangesTotal = ranges.length;
    tp.rangesDone = 0;
    tp.fullLoadTotalRows = 0;
    tp.fullLoadTotalVolumeBytes = 0;
    if (tp.zeroDatesReplaced) tp.zeroDatesReplaced = 0;
    const rangeSize = table.estimatedBytes / ranges.length;
    await Promise.all(
      ranges.map((range) =>
        unit(rangeSize, async () => {
          if (tp.state !== 'LOADING') {
            tp.state = 'LOADING';
            tp.fullLoadStartedOn = progress.now();
            progress.touch();
          }
          input.logger.debug('copy started', { database: db.name, table: qualifiedKey(table), range: range.id });
          const stream = await snapshot.readRange(table, range, format);
          streams.add(stream);
          let res: LoadResult;
          try {
            // a single-range table is emptied in the load's own transaction and written frozen
            res = await timed(input.logger, 'copy', { database: db.name, table: qualifiedKey(table), range: range.id }, () =>
              destination.loadRange(target, table, format, stream, { truncateFirst: single }),
            );
          } finally {
            streams.delete(stream);
          }
          tp.rangesDone++;
          tp.fullLoadTotalRows += res.rows;
          tp.fullLoadTotalVolumeBytes += res.bytes;
          if (res.zeroDatesReplaced) tp.zeroDatesReplaced = (tp.zeroDatesReplaced ?? 0) + res.zeroDatesReplaced;
          progress.touch();
        }),
      ),
    );
    await destination.markTableLoaded(target, {
      job: input.job,
      generation: input.generation,
      table,
      rows: tp.fullLoadTotalRows,
      bytes: tp.fullLoadTotalVolumeBytes,
      syncPosition: snapshot.position,
    });
    tp.state = 'COMPLETED';
    tp.fullLoadEndedOn = progress.now();
    progress.touch();
    if (table.partitionOf) return; // a partition tree builds its post-data together, once every partition is loaded
    await unit(table.estimatedBytes * POST_DATA_WEIGHT, () =>
      timed(input.logger, 'table post-data', { database: db.name, table: qualifiedKey(table) }, () =>
        destination.createTablePostData(target, input.catalog, table),
      ),
    );
    input.built.add(qualifiedKey(table));
  } catch (err) {
    if (input.signal.aborted) return; // stopped: runFullDump reports the stop
    if (signal.aborted && err === signal.reason) return; // never started: another table failed first
    fail(tp, err as Error);
  }
}
