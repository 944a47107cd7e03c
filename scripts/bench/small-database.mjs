// Phase `small`, the fixed-cost case: one ≈ 470 MB database (pgbench -i -s 20
// plus a 400,000-row wide_mixed table). `migrate apply` (one-time job,
// parallelism 2) vs `pgcopydb clone --table-jobs 2 --index-jobs 2`, best of
// interleaved rounds. For migrate also: when the plan was shown (stdout lines
// timestamped as they arrive; the plan ends with `Plan: …`) and when the first
// byte reached the destination (pg_stat_progress_copy polled every 5 ms on a
// separate connection): process start → plan, plan → first byte, plan → exit.
// With MIGRATE_LOG=debug the CLI's stderr lines go into the results as
// `debugLog` ({ ms since process start, text }).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { databaseFacts, dropDatabases, verifyCounts, warmDestination, wideTableSql } from './dataset.mjs';
import { quiesce, toolEnv } from './full-migration.mjs';
import { MigrateProject, migratePhases } from './migrate-cli.mjs';
import { cpuMeter } from './proc-stats.mjs';
import { interleavedRounds, log, run, seconds, sleep, start, tail } from './util.mjs';

const DB = 'small';
const POLL_MS = 5;

async function generate(ctx) {
  const { cfg, source, tools } = ctx;
  const t0 = performance.now();
  await dropDatabases(source, [DB]);
  await source.query(`CREATE DATABASE ${DB}`);
  log(`pgbench -i -s ${cfg.smallScale} + wide_mixed ${cfg.smallWideRows} rows`);
  await run(tools.pgbench, ['-i', '-s', String(cfg.smallScale), '--init-steps=dtGvp', '-q', source.url(DB)]);
  if (cfg.smallWideRows > 0) await source.query(wideTableSql(cfg.smallWideRows), DB);
  await source.query('VACUUM (FREEZE, ANALYZE)', DB);
  await source.query('CHECKPOINT');
  const facts = await databaseFacts(source, DB);
  return { generationS: seconds(performance.now() - t0), databaseBytes: facts.databaseBytes, rows: facts.rows };
}

/**
 * Poll `pg_stat_progress_copy` of `server` every 5 ms on its own connection
 * until a COPY there has processed a byte. `seen()` returns { copyMs, byteMs }
 * (performance.now() of the first sample that showed a COPY / a processed byte,
 * midpoint of the sample's round trip) or nulls.
 */
async function startCopyProbe(server) {
  const client = new pg.Client({ connectionString: server.url('postgres'), application_name: 'bench-first-byte' });
  await client.connect();
  let copyMs = null;
  let byteMs = null;
  let running = true;
  let samples = 0;
  const loop = (async () => {
    while (running && byteMs === null) {
      const before = performance.now();
      try {
        const res = await client.query(
          'SELECT count(*)::int AS n, coalesce(sum(bytes_processed), 0)::text AS b FROM pg_stat_progress_copy',
        );
        const at = (before + performance.now()) / 2;
        samples++;
        if (res.rows[0].n > 0 && copyMs === null) copyMs = at;
        if (Number(res.rows[0].b) > 0) byteMs = at;
      } catch {
        // keep polling
      }
      await sleep(POLL_MS);
    }
  })();
  return {
    seen: () => ({ copyMs, byteMs }),
    async stop() {
      running = false;
      await loop;
      await client.end().catch(() => undefined);
      return { copyMs, byteMs, samples };
    },
  };
}

const ms = (x) => (x == null ? null : Math.round(x));

/** `2026-…Z level message k=v` → { ms since process start (from the line's own clock), text }. */
function logLine(line, arrivedMs, epochMs) {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(line);
  const at = m ? Date.parse(m[1]) - epochMs : null;
  return { ms: ms(at ?? arrivedMs), text: m ? m[2] : line };
}

async function runMigrate(ctx, counts, round) {
  const { cfg, source, dest } = ctx;
  await dropDatabases(dest, [DB]);
  await quiesce([source, dest]);
  const project = new MigrateProject({
    source,
    destination: dest,
    job: 'bench-small',
    type: 'one-time',
    database: DB,
    target: DB,
    parallelism: cfg.smallJobs,
  });
  project.declare('running');
  log(`migrate: apply, one database, parallelism ${cfg.smallJobs} (round ${round})`);
  const [dstProbe, srcProbe] = await Promise.all([startCopyProbe(dest), startCopyProbe(source)]);
  const stdoutLines = [];
  const stderrLines = [];
  const meter = cpuMeter([source, dest]);
  const res = await project.runApply({
    timeoutMs: cfg.runTimeoutS * 1000,
    onStdoutLine: (line, at) => stdoutLines.push({ ms: ms(at), text: line }),
    onStderrLine: (line, at) => stderrLines.push({ line, at }),
  });
  const cpu = meter.end();
  const [dst, src] = await Promise.all([dstProbe.stop(), srcProbe.stop()]);
  const rel = (t) => (t == null ? null : ms(t - res.t0));
  const planLine = stdoutLines.find((l) => l.text.startsWith('Plan:'));
  const recorded = stdoutLines.find((l) => l.text.startsWith('Recorded:'));
  const planShownMs = planLine?.ms ?? null;
  const firstByteMs = rel(dst.byteMs);
  let job = null;
  let statusError = null;
  try {
    job = await project.status(60_000);
  } catch (err) {
    statusError = err.message.split('\n')[0];
  }
  let reason = res.reason;
  if (res.ok && job?.status !== 'COMPLETED')
    reason = `job ended as ${job?.status ?? 'unknown'}: ${JSON.stringify(job?.error ?? statusError)}`;
  const verify = reason ? { ok: false, diffs: ['not verified: the run failed'] } : await verifyCounts(counts, dest, DB);
  const ok = !reason && verify.ok;
  const result = {
    round,
    ok,
    failed: !ok,
    timedOut: res.timedOut,
    reason: reason ?? (verify.ok ? null : `row counts differ: ${verify.diffs.join('; ')}`),
    wallS: seconds(res.ms),
    /** process start → the `Plan:` line on stdout */
    processStartToPlanMs: planShownMs,
    /** plan shown → pg_stat_progress_copy on the destination showed bytes_processed > 0 */
    firstByteAfterPlanMs: planShownMs != null && firstByteMs != null ? firstByteMs - planShownMs : null,
    planToExitMs: planShownMs != null ? ms(res.ms - planShownMs) : null,
    /** process start → … (ms) */
    startTo: {
      plan: planShownMs,
      recorded: recorded?.ms ?? null,
      sourceCopyStarted: rel(src.copyMs),
      sourceFirstByte: rel(src.byteMs),
      destinationCopyStarted: rel(dst.copyMs),
      destinationFirstByte: firstByteMs,
      exit: ms(res.ms),
    },
    probeSamples: { destination: dst.samples, source: src.samples },
    process: { peakRssMb: res.peakRssMb, cpuS: res.cpuS },
    migratePhases: migratePhases(job),
    countsMatch: verify.ok,
    countDiffs: verify.diffs,
    cpu,
    stdoutLines,
    logLevel: project.env.MIGRATE_LOG,
    debugLog: stderrLines.map((l) => logLine(l.line, l.at, res.epochMs)),
    ...(statusError ? { statusError } : {}),
  };
  log(
    `migrate: ${ok ? `${result.wallS} s, row counts match` : `FAILED after ${result.wallS} s: ${result.reason}`}; ` +
      `start → plan ${planShownMs ?? '—'} ms, plan → first byte ${result.firstByteAfterPlanMs ?? '—'} ms, plan → exit ${result.planToExitMs ?? '—'} ms`,
  );
  project.dispose();
  await dropDatabases(dest, [DB]);
  return result;
}

async function runPgcopydb(ctx, counts, round) {
  const { cfg, tools, source, dest } = ctx;
  await dropDatabases(dest, [DB]);
  await quiesce([source, dest]);
  log(`pgcopydb: clone --table-jobs ${cfg.smallJobs} --index-jobs ${cfg.smallJobs} (round ${round})`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgcopydb-'));
  const probe = await startCopyProbe(dest);
  const meter = cpuMeter([source, dest]);
  const t0 = performance.now();
  let error = null;
  let cloneMs = null;
  try {
    // the target must exist: creating it is part of the timed run
    await dest.query(`CREATE DATABASE ${DB}`);
    const p = start(
      tools.pgcopydb,
      [
        'clone',
        '--source',
        source.url(DB),
        '--target',
        dest.url(DB),
        '--table-jobs',
        String(cfg.smallJobs),
        '--index-jobs',
        String(cfg.smallJobs),
        '--dir',
        join(dir, 'work'),
      ],
      { env: toolEnv(tools), timeoutMs: cfg.runTimeoutS * 1000 },
    );
    const res = await p.done;
    cloneMs = res.ms;
    if (res.timedOut) error = `timed out after ${cfg.runTimeoutS} s (killed)`;
    else if (res.code !== 0) error = `pgcopydb exited with ${res.code ?? res.signal}: ${tail(res.err || res.out, 5)}`;
  } catch (err) {
    error = err.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wallMs = performance.now() - t0;
  const cpu = meter.end();
  const p = await probe.stop();
  const verify = error ? { ok: false, diffs: ['not verified: the run failed'] } : await verifyCounts(counts, dest, DB);
  const ok = !error && verify.ok;
  const result = {
    round,
    ok,
    failed: !ok,
    reason: error ?? (verify.ok ? null : `row counts differ: ${verify.diffs.join('; ')}`),
    /** CREATE DATABASE + pgcopydb clone */
    wallS: seconds(wallMs),
    cloneS: cloneMs == null ? null : seconds(cloneMs),
    /** start (CREATE DATABASE) → first byte on the destination */
    firstByteMs: p.byteMs == null ? null : ms(p.byteMs - t0),
    countsMatch: verify.ok,
    countDiffs: verify.diffs,
    cpu,
    command: `pgcopydb clone --source …/${DB} --target …/${DB} --table-jobs ${cfg.smallJobs} --index-jobs ${cfg.smallJobs} --dir <fresh>`,
  };
  log(
    `pgcopydb: ${ok ? `${result.wallS} s, row counts match` : `FAILED: ${result.reason}`}; start → first byte ${result.firstByteMs ?? '—'} ms`,
  );
  await dropDatabases(dest, [DB]);
  return result;
}

const PEERS = { migrate: runMigrate, pgcopydb: runPgcopydb };

export async function runSmallDatabase(ctx) {
  const { cfg, source, dest } = ctx;
  const dataset = await generate(ctx);
  log(`dataset: ${(dataset.databaseBytes / 2 ** 20).toFixed(0)} MiB in ${dataset.generationS} s`);
  if (cfg.warmup) {
    log('warm-up: write as much on the destination (untimed, dropped)');
    await warmDestination(dest, dataset.databaseBytes);
  }
  let migrateTimedOut = false;
  const { all, best } = await interleavedRounds(
    Object.keys(PEERS).filter((p) => cfg.peers.has(p)),
    cfg.repeat,
    async (name, round) => {
      const r = await PEERS[name](ctx, dataset.rows, round);
      if (name === 'migrate' && r.timedOut) migrateTimedOut = true;
      return r;
    },
    (name) => name === 'migrate' && migrateTimedOut,
  );
  const { rows, ...facts } = dataset;
  const results = { dataset: { ...facts, tables: rows }, jobs: cfg.smallJobs, ...best };
  if (results.migrate) {
    const runs = all.migrate;
    const fb = runs
      .filter((r) => r.ok)
      .map((r) => r.firstByteAfterPlanMs)
      .filter((x) => x != null);
    results.migrate.roundsFirstByteAfterPlanMs = runs.map((r) => r.firstByteAfterPlanMs);
    /** the target is checked against the best (lowest) round */
    results.migrate.bestFirstByteAfterPlanMs = fb.length ? Math.min(...fb) : null;
  }
  if (results.migrate?.ok && results.pgcopydb?.ok)
    results.ratioMigrateToPgcopydb = Math.round((results.migrate.wallS / results.pgcopydb.wallS) * 1000) / 1000;
  await dropDatabases(source, [DB]);
  return results;
}
