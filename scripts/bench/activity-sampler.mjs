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

/** Call `sample` every `intervalMs` until the returned stop() (a failed sample is skipped: databases come and go). */
function poll(intervalMs, sample) {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await sample();
      } catch {
        // transient: the database is being created or dropped
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

function classify(query) {
  for (const [name, re] of CLASSES) if (re.test(query)) return name;
  return 'other';
}

/**
 * `cpuNow()` (optional) returns { src, dst } cumulative server CPU seconds; each
 * tick's CPU delta is attributed to the phases active in that tick (split evenly).
 */
export async function startActivitySampler(server, targetDb, intervalMs = 250, cpuNow = null) {
  const client = new pg.Client({ connectionString: server.url('postgres') });
  await client.connect();
  const t0 = performance.now();
  const phases = {};
  let samples = 0;
  let prev = 0;
  let prevCpu = cpuNow?.() ?? null;
  const stopPolling = poll(intervalMs, async () => {
    const now = (performance.now() - t0) / 1000;
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
    let cpu = cpuNow?.() ?? null;
    // a backend between exit and reaping can vanish from one reading: keep the totals monotonic
    if (cpu && prevCpu) cpu = { src: Math.max(cpu.src, prevCpu.src), dst: Math.max(cpu.dst, prevCpu.dst) };
    const share = Object.keys(seen).length || 1;
    const dSrc = cpu && prevCpu ? (cpu.src - prevCpu.src) / share : 0;
    const dDst = cpu && prevCpu ? (cpu.dst - prevCpu.dst) / share : 0;
    prevCpu = cpu;
    if (!Object.keys(seen).length) seen.none = 0;
    for (const [c, n] of Object.entries(seen)) {
      const p = (phases[c] ??= {
        firstS: now,
        lastS: now,
        activeSamples: 0,
        activeS: 0,
        concurrencySum: 0,
        srcCpuS: 0,
        dstCpuS: 0,
      });
      p.srcCpuS += dSrc;
      p.dstCpuS += dDst;
      p.lastS = now;
      p.activeSamples++;
      p.activeS += dt;
      p.concurrencySum += n;
    }
  });
  return {
    async stop() {
      await stopPolling();
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
          ...(cpuNow ? { srcCpuS: r(p.srcCpuS), dstCpuS: r(p.dstCpuS) } : {}),
        };
      }
      return out;
    },
  };
}

/**
 * Wait-event profile of a consumer: every `intervalMs`, the state and wait
 * event of the source's walsenders and of the destination's backends/workers
 * in the target database. Tells whether the pipeline waits for WAL, for the
 * client to read (backpressure), for the client to send the next statement
 * (idle in transaction), or is busy executing.
 */
export async function startWaitSampler(source, dest, targetDb, intervalMs = 200) {
  const src = new pg.Client({ connectionString: source.url('postgres') });
  const dst = new pg.Client({ connectionString: dest.url('postgres') });
  await Promise.all([src.connect(), dst.connect()]);
  const counts = { source: {}, destination: {} };
  let samples = 0;
  const key = (r) =>
    `${r.backend_type === 'client backend' ? (r.state ?? '-') : r.backend_type}|${r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : 'running'}`;
  const stopPolling = poll(intervalMs, async () => {
    const [a, b] = await Promise.all([
      src.query(`SELECT backend_type, state, wait_event_type, wait_event FROM pg_stat_activity WHERE backend_type = 'walsender'`),
      dst.query(
        `SELECT backend_type, state, wait_event_type, wait_event FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type IN ('client backend', 'logical replication worker')
            AND NOT (backend_type = 'client backend' AND state = 'idle')`,
        [targetDb],
      ),
    ]);
    samples++;
    for (const r of a.rows) counts.source[key(r)] = (counts.source[key(r)] ?? 0) + 1;
    for (const r of b.rows) counts.destination[key(r)] = (counts.destination[key(r)] ?? 0) + 1;
  });
  return {
    async stop() {
      await stopPolling();
      await Promise.all([src.end().catch(() => undefined), dst.end().catch(() => undefined)]);
      const pct = (m) =>
        Object.fromEntries(
          Object.entries(m)
            .sort((x, y) => y[1] - x[1])
            .map(([k, n]) => [k, Math.round((n / Math.max(1, samples)) * 100)]),
        );
      return { samples, sourceWalsenderPct: pct(counts.source), destinationBackendsPct: pct(counts.destination) };
    },
  };
}

/**
 * Connections a client holds, sampled every `intervalMs` on each of `servers`
 * ({ source, destination }): backends (client and walsender) whose
 * application_name starts with `prefix`, and all backends but the bench's own
 * (application_name bench-…). Per server: the peak of each, and the
 * application names at the prefix's peak.
 */
export async function startConnectionSampler(servers, prefix = 'migrate', intervalMs = 100) {
  const entries = await Promise.all(
    Object.entries(servers).map(async ([key, server]) => {
      const client = new pg.Client({ connectionString: server.url('postgres'), application_name: 'bench-connections' });
      await client.connect();
      return [key, client];
    }),
  );
  const stats = Object.fromEntries(entries.map(([key]) => [key, { peak: 0, peakAll: 0, atPeak: {}, samples: 0 }]));
  const stopPolling = poll(intervalMs, async () => {
    await Promise.all(
      entries.map(async ([key, client]) => {
        const res = await client.query(
          `SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity
            WHERE backend_type IN ('client backend', 'walsender') AND pid <> pg_backend_pid()
              AND application_name NOT LIKE 'bench-%' GROUP BY 1`,
        );
        const s = stats[key];
        s.samples++;
        const mine = res.rows.filter((r) => r.app.startsWith(prefix));
        const n = mine.reduce((a, r) => a + r.n, 0);
        s.peakAll = Math.max(
          s.peakAll,
          res.rows.reduce((a, r) => a + r.n, 0),
        );
        if (n > s.peak) {
          s.peak = n;
          s.atPeak = Object.fromEntries(mine.map((r) => [r.app, r.n]));
        }
      }),
    );
  });
  return {
    async stop() {
      await stopPolling();
      await Promise.all(entries.map(([, c]) => c.end().catch(() => undefined)));
      return stats;
    },
  };
}
