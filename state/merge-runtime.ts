import type { DatabaseProgress, JobRuntime } from './job-runtime.js';

/**
 * What a job's stored report becomes when one worker writes its view `mine`
 * of it: the databases it serves (`owned`) replace theirs; the others stay as
 * their workers wrote them. The job-level fields are the writer's (the last
 * writer wins; every live worker writes twice a second), except that a
 * settled generation (Completed, Failed) stays settled, the earliest start
 * and any destination write are kept, and a database with an error of its
 * own keeps a running job at Running with errors whoever writes.
 *
 * A report of an older generation or another incarnation is replaced; one
 * of a newer generation is left alone (the writer is stale). Pure.
 */
export function mergeRuntime(stored: JobRuntime | null, mine: JobRuntime, owned: ReadonlySet<string>): JobRuntime {
  if (!stored || (stored.jobId ?? null) !== (mine.jobId ?? null) || stored.generation < mine.generation) return mine;
  if (stored.generation > mine.generation) return stored;
  const databases: DatabaseProgress[] = stored.databases.map((d) =>
    owned.has(d.name) ? (mine.databases.find((m) => m.name === d.name) ?? d) : d,
  );
  for (const m of mine.databases) if (owned.has(m.name) && !databases.some((d) => d.name === m.name)) databases.push(m);
  const settled = stored.status === 'COMPLETED' || stored.status === 'FAILED';
  const header = settled ? stored : mine;
  const merged: JobRuntime = {
    ...header,
    startedAt: earliest(stored.startedAt, mine.startedAt),
    destinationWritten: Boolean(stored.destinationWritten || mine.destinationWritten),
    databases,
  };
  const wipe = stored.wipeOnRestart ?? mine.wipeOnRestart;
  if (wipe !== undefined) merged.wipeOnRestart = wipe;
  if (merged.status === 'RUNNING') {
    const failing = databases.find((d) => d.error && d.migrationState !== 'REMOVED');
    if (failing?.error) {
      merged.status = 'RUNNING_WITH_ERRORS';
      merged.error = failing.error;
    }
  }
  return merged;
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
