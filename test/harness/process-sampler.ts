import { readFileSync } from 'node:fs';
import type { PgServer } from './embedded-postgres.js';

/** Peak resident memory of a running process, sampled from /proc (the test's own measurement, never a timing). */
export interface Sampler {
  /** Stop sampling; resolves with the peaks seen. */
  stop(): Promise<{ rssBytes: number; connections: number[] }>;
}

function rssBytes(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : 0;
  } catch {
    return 0; // the process is gone
  }
}

/**
 * Every `everyMs`: the RSS of `pid`, and on each server the number of
 * connections whose application_name starts with `migrate` (ours).
 */
export function sampleProcess(pid: number, servers: PgServer[], everyMs = 100): Sampler {
  let rss = 0;
  const connections = servers.map(() => 0);
  let running = true;
  const loop = (async () => {
    while (running) {
      rss = Math.max(rss, rssBytes(pid));
      await Promise.all(
        servers.map(async (s, i) => {
          const [row] = await s
            .query<{ n: string }>("SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name LIKE 'migrate%'")
            .catch(() => [{ n: '0' }]);
          connections[i] = Math.max(connections[i] ?? 0, Number(row?.n ?? 0));
        }),
      );
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { rssBytes: rss, connections };
    },
  };
}
