import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Poll `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Until a job's dump is in the middle: one table loaded, another not. The
 * job's runtime document (`.migrate/jobs/<job>.json`) is read directly — a
 * status process per poll is slower than a small dump's window.
 */
export function waitForDumpMidway(dir: string, job: string, timeoutMs = 120_000): Promise<true> {
  return waitFor(
    'a table loaded, the dump still running',
    async () => {
      let runtime: { databases: { tables: { state: string }[] }[] };
      try {
        runtime = JSON.parse(readFileSync(join(dir, '.migrate', 'jobs', `${job}.json`), 'utf8')) as typeof runtime;
      } catch {
        return false; // not written yet, or being replaced
      }
      const tables = runtime.databases[0]?.tables ?? [];
      return tables.some((t) => t.state === 'COMPLETED') && tables.some((t) => t.state !== 'COMPLETED');
    },
    timeoutMs,
    10,
  );
}
