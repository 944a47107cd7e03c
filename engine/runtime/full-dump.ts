import type { Readable } from 'node:stream';
import PQueue from 'p-queue';
import type { Catalog, TableDef } from '../../providers/catalog.js';
import { qualifiedKey } from '../../providers/catalog.js';
import type { CopyFormat, DestinationProvider, LoadResult, SourceProvider, SourceSnapshot } from '../../providers/provider.js';
import type { DatabaseProgress } from '../../state/job-runtime.js';
import type { Logger } from './logger.js';
import type { ProgressReporter } from './progress-reporter.js';

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
  /** Concurrent range copies; read live so a parallelism change applies in place. */
  parallelism: () => number;
  /** Tables larger than this are split into ranges of about this size. */
  rangeBytes: number;
  progress: ProgressReporter;
  db: DatabaseProgress;
  signal: AbortSignal;
  logger: Logger;
}

function pickFormat(source: SourceProvider, destination: DestinationProvider, table: TableDef): CopyFormat {
  const format = source.formatsFor(table).find((f) => destination.acceptedFormats.includes(f));
  if (!format) throw new Error(`no common copy format for ${qualifiedKey(table)}`);
  return format;
}

/**
 * Copy every selected table inside one snapshot: largest first, large tables
 * split into ranges, up to `parallelism` ranges at a time; a loaded table's
 * own indexes and constraints build in the next free slot. A table is marked
 * loaded only when all its ranges committed; an interrupted table is loaded
 * again whole (truncated first), so resume never duplicates rows.
 */
export async function runFullDump(input: FullDumpInput): Promise<void> {
  const { catalog, progress, db, signal } = input;
  const tables = catalog.tables.filter((t) => t.kind !== 'partitioned').sort((a, b) => b.estimatedBytes - a.estimatedBytes);
  const queue = new PQueue({ concurrency: input.parallelism() });
  const resize = setInterval(() => {
    const n = input.parallelism();
    if (queue.concurrency !== n) queue.concurrency = n;
  }, 1000);
  const failures: Error[] = [];
  const streams = new Set<Readable>();
  const onAbort = () => {
    queue.clear();
    for (const s of streams) s.destroy(new Error('aborted'));
  };
  signal.addEventListener('abort', onAbort);

  try {
    for (const table of tables) {
      const key = qualifiedKey(table);
      const tp = progress.table(db, key);
      const done = input.loaded.get(key);
      if (done) {
        tp.state = 'COMPLETED';
        tp.fullLoadTotalRows = done.rows;
        tp.fullLoadTotalVolumeBytes = done.bytes;
        continue;
      }
      tp.state = 'QUEUED';
    }
    progress.touch();
    // one queue of ranges across all tables: parallelism bounds the total number of copies
    for (const table of tables) {
      if (input.loaded.has(qualifiedKey(table)) || signal.aborted || failures.length) continue;
      await enqueueTable(input, table, queue, streams, (err) => {
        if (signal.aborted) return;
        failures.push(err);
        queue.clear();
      });
    }
    await queue.onIdle();
  } finally {
    clearInterval(resize);
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  if (failures.length) throw failures[0];
}

async function buildPostData(input: FullDumpInput, table: TableDef, onError: (err: Error) => void): Promise<void> {
  if (input.signal.aborted) return;
  try {
    await input.destination.createTablePostData(input.target, input.catalog, table);
    input.built.add(qualifiedKey(table));
  } catch (err) {
    if (!input.signal.aborted) onError(err as Error);
  }
}

async function enqueueTable(
  input: FullDumpInput,
  table: TableDef,
  queue: PQueue,
  streams: Set<Readable>,
  fail: (err: Error) => void,
): Promise<void> {
  const { snapshot, destination, target, progress, signal, db } = input;
  const tp = progress.table(db, qualifiedKey(table));
  const onError = (err: Error) => {
    tp.state = 'ERROR';
    tp.dataErrorsCount++;
    tp.lastError = err.message;
    progress.touch();
    fail(err);
  };
  let format: CopyFormat;
  let ranges: Awaited<ReturnType<SourceSnapshot['planRanges']>>;
  try {
    format = pickFormat(input.source, destination, table);
    ranges = await snapshot.planRanges(table, input.rangeBytes);
    if (ranges.length > 1) await destination.truncateTable(target, table);
  } catch (err) {
    onError(err as Error);
    return;
  }
  const single = ranges.length === 1;
  tp.rangesTotal = ranges.length;
  tp.rangesDone = 0;
  tp.fullLoadTotalRows = 0;
  tp.fullLoadTotalVolumeBytes = 0;
  let remaining = ranges.length;
  for (const range of ranges) {
    void queue.add(async () => {
      if (signal.aborted || tp.state === 'ERROR') return;
      if (tp.state !== 'LOADING') {
        tp.state = 'LOADING';
        tp.fullLoadStartedOn = progress.now();
        progress.touch();
      }
      try {
        const stream = await snapshot.readRange(table, range, format);
        streams.add(stream);
        let res: LoadResult;
        try {
          // a single-range table is emptied in the load's own transaction and written frozen
          res = await destination.loadRange(target, table, format, stream, { truncateFirst: single });
        } finally {
          streams.delete(stream);
        }
        tp.rangesDone++;
        tp.fullLoadTotalRows += res.rows;
        tp.fullLoadTotalVolumeBytes += res.bytes;
        progress.touch();
        if (--remaining === 0) {
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
          if (table.kind !== 'partitioned' && !table.partitionOf) {
            // its indexes build now, in a slot no copy wants (copies go first), not after every table
            void queue.add(() => buildPostData(input, table, onError), { priority: -1 });
          }
        }
      } catch (err) {
        if (!signal.aborted) onError(err as Error);
      }
    });
  }
}
