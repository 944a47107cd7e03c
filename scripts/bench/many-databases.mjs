// Phase `many`: N databases on the source. migrate moves them all in ONE
// one-time job (the real CLI, `apply --auto-approve` with its embedded worker);
// pgcopydb clones them one after the other, one `pgcopydb clone` per database
// (how a whole instance is moved with it). Same servers, interleaved rounds in
// alternating order, best round of each reported. Every run is capped
// (BENCH_RUN_TIMEOUT_S): a run that does not finish is killed and recorded as
// failed with the reason, so the phase never hangs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConnectionSampler } from './activity-sampler.mjs';
import { createPgbenchDatabase, databaseFacts, dropDatabases, verifyCounts, warmDestination } from './dataset.mjs';
import { quiesce, toolEnv } from './full-migration.mjs';
import { MigrateProject } from './migrate-cli.mjs';
import { cpuMeter } from './proc-stats.mjs';
import { interleavedRounds, log, plural, seconds, run, tail } from './util.mjs';

/** Fixed sizes of BENCH_MANY_MIXED=1: the larger ones, declared last (a scheduler going in declaration order starts them last). */
const MIXED_LARGE = [8, 8, 20];

/** The databases of the phase: [{ name, scale }], in declaration order. */
export function manyLayout(cfg) {
  const n = cfg.manyDbs;
  const name = (i) => `many_${String(i + 1).padStart(2, '0')}`;
  if (!cfg.manyMixed) return Array.from({ length: n }, (_, i) => ({ name: name(i), scale: cfg.manyScale }));
  const large = MIXED_LARGE.slice(-Math.min(n, MIXED_LARGE.length));
  const small = Array.from({ length: n - large.length }, (_, i) => 1 + (i % 2));
  return [...small, ...large].map((scale, i) => ({ name: name(i), scale }));
}

async function generate(ctx, layout) {
  const { source, tools } = ctx;
  const t0 = performance.now();
  await dropDatabases(
    source,
    layout.map((d) => d.name),
  );
  // two at a time (two cores): pgbench's server-side generation is one backend each
  const queue = [...layout];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) await createPgbenchDatabase(source, tools, d.name, d.scale);
  };
  await Promise.all([worker(), worker()]);
  await source.query('CHECKPOINT');
  const facts = {};
  for (const d of layout) facts[d.name] = await databaseFacts(source, d.name);
  const totalBytes = Object.values(facts).reduce((a, f) => a + f.databaseBytes, 0);
  return {
    generationS: seconds(performance.now() - t0),
    databases: layout.length,
    totalBytes,
    scales: layout.map((d) => d.scale),
    perDatabase: layout.map((d) => ({ name: d.name, scale: d.scale, bytes: facts[d.name].databaseBytes })),
    counts: Object.fromEntries(layout.map((d) => [d.name, facts[d.name].rows])),
  };
}

async function verifyAll(ctx, layout, counts) {
  const diffs = [];
  for (const d of layout) {
    try {
      const v = await verifyCounts(counts[d.name], ctx.dest, d.name);
      for (const x of v.diffs) diffs.push(`${d.name}.${x}`);
    } catch (err) {
      diffs.push(`${d.name}: ${err.message.split('\n')[0]}`);
    }
  }
  return { ok: diffs.length === 0, diffs };
}

/** Per-database spans from the status document (seconds after the job started), in the order they started. */
function databaseTimeline(job) {
  const ts = (s) => (s ? Date.parse(s) : null);
  const dbs = job?.databases ?? [];
  const origin = ts(job?.startedAt) ?? Math.min(...dbs.map((d) => ts(d.startedOn)).filter(Boolean));
  const r = (ms) => (ms == null || Number.isNaN(ms) ? null : Math.round(ms / 100) / 10);
  return dbs
    .map((d) => {
      const starts = d.tables.map((t) => ts(t.fullLoadStartedOn)).filter(Boolean);
      return {
        name: d.name,
        state: d.migrationState ?? null,
        startS: r(ts(d.startedOn) - origin),
        firstCopyS: r(starts.length ? Math.min(...starts) - origin : null),
        endS: r(ts(d.endedOn) - origin),
        bytes: d.tables.reduce((a, t) => a + (Number(t.fullLoadTotalVolumeBytes) || 0), 0),
      };
    })
    .sort((a, b) => (a.startS ?? Infinity) - (b.startS ?? Infinity));
}

async function runMigrate(ctx, layout, counts, round) {
  const { cfg, source, dest } = ctx;
  await dropDatabases(
    dest,
    layout.map((d) => d.name),
  );
  await quiesce([source, dest]);
  const project = new MigrateProject({
    source,
    destination: dest,
    job: 'bench-many',
    type: 'one-time',
    databases: layout.map((d) => ({ name: d.name, target: d.name })),
    parallelism: cfg.jobs,
  });
  project.declare('running');
  log(
    `migrate: one job, ${plural(layout.length, 'database')}, parallelism ${cfg.jobs} (round ${round}, cap ${cfg.runTimeoutS} s)`,
  );
  const conns = await startConnectionSampler({ source, destination: dest }, 'migrate', 100);
  const meter = cpuMeter([source, dest]);
  const res = await project.runApply({ timeoutMs: cfg.runTimeoutS * 1000 });
  const cpu = meter.end();
  const connections = await conns.stop();
  let job = null;
  let statusError = null;
  try {
    job = await project.status(60_000);
  } catch (err) {
    statusError = err.message.split('\n')[0];
  }
  const timeline = databaseTimeline(job);
  const completedDatabases = timeline.filter((d) => d.state === 'COMPLETED').length;
  let reason = res.reason;
  if (res.ok && job?.status !== 'COMPLETED')
    reason = `job ended as ${job?.status ?? 'unknown'}: ${JSON.stringify(job?.error ?? statusError)}`;
  const verify = reason ? { ok: false, diffs: ['not verified: the run failed'] } : await verifyAll(ctx, layout, counts);
  const ok = !reason && verify.ok;
  const result = {
    round,
    ok,
    failed: !ok,
    timedOut: res.timedOut,
    reason: reason ?? (verify.ok ? null : `row counts differ: ${verify.diffs.slice(0, 5).join('; ')}`),
    wallS: seconds(res.ms),
    exit: { code: res.code, signal: res.signal },
    process: { peakRssMb: res.peakRssMb, cpuS: res.cpuS },
    connections: {
      /** peak backends with application_name migrate… (sampled every ~100 ms) */
      source: connections.source,
      destination: connections.destination,
    },
    countsMatch: verify.ok,
    countDiffs: verify.diffs,
    completedDatabases,
    jobStatus: job?.status ?? null,
    ...(statusError ? { statusError } : {}),
    ...(job?.startedAt && job?.endedAt ? { jobS: seconds(Date.parse(job.endedAt) - Date.parse(job.startedAt)) } : {}),
    timeline,
    cpu,
    ...(ok ? {} : { stderrTail: tail(res.stderr, 15) }),
  };
  log(
    `migrate: ${ok ? `${result.wallS} s, row counts match` : `FAILED after ${result.wallS} s: ${result.reason} (${completedDatabases}/${layout.length} databases completed)`}; ` +
      `peak RSS ${res.peakRssMb} MB, peak connections src ${connections.source.peak} / dst ${connections.destination.peak}`,
  );
  project.dispose();
  await dropDatabases(
    dest,
    layout.map((d) => d.name),
  );
  return result;
}

async function runPgcopydb(ctx, layout, counts, round) {
  const { cfg, tools, source, dest } = ctx;
  await dropDatabases(
    dest,
    layout.map((d) => d.name),
  );
  await quiesce([source, dest]);
  log(
    `pgcopydb: ${layout.length} × clone, one database after the other, --table-jobs ${cfg.jobs} --index-jobs ${cfg.jobs} (round ${round})`,
  );
  const conns = await startConnectionSampler({ source, destination: dest }, 'pgcopydb', 100);
  const meter = cpuMeter([source, dest]);
  const perDatabase = [];
  let error = null;
  for (const d of layout) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-pgcopydb-'));
    const t0 = performance.now();
    try {
      // the target must exist: creating it is part of moving the database
      await dest.query(`CREATE DATABASE "${d.name}"`);
      await run(
        tools.pgcopydb,
        [
          'clone',
          '--source',
          source.url(d.name),
          '--target',
          dest.url(d.name),
          '--table-jobs',
          String(cfg.jobs),
          '--index-jobs',
          String(cfg.jobs),
          '--dir',
          join(dir, 'work'),
        ],
        { env: toolEnv(tools), timeoutMs: cfg.runTimeoutS * 1000 },
      );
    } catch (err) {
      error = `${d.name}: ${tail(err.message, 5)}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    perDatabase.push({ name: d.name, wallS: seconds(performance.now() - t0) });
    if (error) break;
  }
  const cpu = meter.end();
  const connections = await conns.stop();
  const verify = error ? { ok: false, diffs: ['not verified: the run failed'] } : await verifyAll(ctx, layout, counts);
  const ok = !error && verify.ok;
  const sumMs = perDatabase.reduce((a, d) => a + d.wallS * 1000, 0);
  const result = {
    round,
    ok,
    failed: !ok,
    reason: error ?? (verify.ok ? null : `row counts differ: ${verify.diffs.slice(0, 5).join('; ')}`),
    /** sum of the per-database wall times (CREATE DATABASE + pgcopydb clone) */
    wallS: seconds(sumMs),
    perDatabase,
    connections: { source: connections.source, destination: connections.destination },
    countsMatch: verify.ok,
    countDiffs: verify.diffs,
    cpu,
    command: `pgcopydb clone --source …/<db> --target …/<db> --table-jobs ${cfg.jobs} --index-jobs ${cfg.jobs} --dir <fresh>`,
  };
  const times = perDatabase.map((d) => d.wallS);
  log(
    `pgcopydb: ${ok ? `${result.wallS} s in total (per database min ${Math.min(...times)} / max ${Math.max(...times)} s), row counts match` : `FAILED: ${result.reason}`}`,
  );
  await dropDatabases(
    dest,
    layout.map((d) => d.name),
  );
  return result;
}

const PEERS = { migrate: runMigrate, pgcopydb: runPgcopydb };

export async function runManyDatabases(ctx) {
  const { cfg, source, dest } = ctx;
  const layout = manyLayout(cfg);
  log(
    `dataset: ${layout.length} databases, pgbench scales ${cfg.manyMixed ? layout.map((d) => d.scale).join(',') : `${cfg.manyScale} each`}`,
  );
  const dataset = await generate(ctx, layout);
  const { counts, ...facts } = dataset;
  log(`dataset: ${(facts.totalBytes / 2 ** 20).toFixed(0)} MiB in ${facts.generationS} s`);
  if (cfg.warmup) {
    log('warm-up: write as much on the destination (untimed, dropped)');
    await warmDestination(dest, facts.totalBytes);
  }
  let migrateTimedOut = false;
  const { all, best } = await interleavedRounds(
    Object.keys(PEERS).filter((p) => cfg.peers.has(p)),
    cfg.repeat,
    async (name, round) => {
      const r = await PEERS[name](ctx, layout, counts, round);
      if (name === 'migrate' && r.timedOut) migrateTimedOut = true;
      return r;
    },
    (name) => name === 'migrate' && migrateTimedOut,
  );
  const results = { dataset: facts, jobs: cfg.jobs, ...best };
  if (results.migrate) results.migrate.roundsPeakRssMb = all.migrate.map((r) => r.process.peakRssMb);
  if (results.migrate?.ok && results.pgcopydb?.ok)
    results.ratioMigrateToPgcopydb = Math.round((results.migrate.wallS / results.pgcopydb.wallS) * 1000) / 1000;
  await dropDatabases(
    source,
    layout.map((d) => d.name),
  );
  return results;
}
