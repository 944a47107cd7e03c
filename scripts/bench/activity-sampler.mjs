// Where does a full migration spend its time? Samples pg_stat_activity of the
// target database every few hundred ms and classifies active statements into
// phases (data COPY, index/constraint build, vacuum/analyze, other), so every
// peer gets the same per-phase breakdown regardless of its own logging.
import pg from 'pg';

const CLASSES = [
  ['copy', /^\s*COPY\b[\s\S]*\bFROM\s+STDIN/i],
  ['index', /\bCREATE\s+(UNIQUE\s+)?INDEX\b|\bADD\s+CONSTRAINT\b|\bPRIMARY\s+KEY\b/i],
  ['vacuum', /^\s*(VACUUM|ANALYZE)\b/i],
];

function classify(query) {
  for (const [name, re] of CLASSES) if (re.test(query)) return name;
  return 'other';
}

export async function startActivitySampler(server, targetDb, intervalMs = 250) {
  const client = new pg.Client({ connectionString: server.url('postgres') });
  await client.connect();
  const t0 = performance.now();
  const phases = {};
  let samples = 0;
  let prev = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const now = (performance.now() - t0) / 1000;
      try {
        const res = await client.query(
          `SELECT query FROM pg_stat_activity
            WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
          [targetDb],
        );
        samples++;
        const dt = samples === 1 ? intervalMs / 1000 : now - prev;
        prev = now;
        const seen = {};
        for (const r of res.rows) {
          const c = classify(r.query);
          seen[c] = (seen[c] ?? 0) + 1;
        }
        for (const [c, n] of Object.entries(seen)) {
          const p = (phases[c] ??= { firstS: now, lastS: now, activeSamples: 0, activeS: 0, concurrencySum: 0 });
          p.lastS = now;
          p.activeSamples++;
          p.activeS += dt;
          p.concurrencySum += n;
        }
      } catch {
        // database not there yet / being created
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end().catch(() => undefined);
      const r = (x) => Math.round(x * 10) / 10;
      const out = {};
      for (const [c, p] of Object.entries(phases)) {
        out[c] = {
          firstS: r(p.firstS),
          lastS: r(p.lastS),
          spanS: r(p.lastS - p.firstS + intervalMs / 1000),
          /** seconds with at least one such statement active */
          activeS: r(p.activeS),
          avgConcurrency: r(p.concurrencySum / p.activeSamples),
        };
      }
      return out;
    },
  };
}
