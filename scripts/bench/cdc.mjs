// CDC under a pgbench workload and catch-up after a backlog: migrate (continuous
// job + `migrate worker`) and native logical replication (publication +
// subscription), each into a fresh target database, one after the other so only
// one consumer decodes the source's WAL at a time.
import { startWaitSampler } from './activity-sampler.mjs';
import { quiesce } from './full-migration.mjs';
import { SOURCE_DB } from './dataset.mjs';
import { currentLsn, startLagSampler } from './lag-sampler.mjs';
import { MigrateProject } from './migrate-cli.mjs';
import { cpuMeter, syscallsOf } from './proc-stats.mjs';
import { log, onCleanup, run, seconds, sleep, tail } from './util.mjs';

/** Row changes per pgbench tpcb-like transaction: 3 UPDATEs + 1 INSERT. */
const CHANGES_PER_TX = 4;
const CATCH_UP_TIMEOUT_MS = 20 * 60_000;

async function pgbench(ctx, secondsToRun) {
  const { tools, source, cfg } = ctx;
  // -n: no vacuum and no TRUNCATE of pgbench_history before the run
  const res = await run(tools.pgbench, [
    '-n',
    '-c',
    String(cfg.clients),
    '-j',
    String(cfg.threads),
    '-T',
    String(secondsToRun),
    source.url(SOURCE_DB),
  ]);
  const tx = Number(/actually processed: (\d+)/.exec(res.out)?.[1] ?? NaN);
  const tps = Number(/tps = ([\d.]+)/.exec(res.out)?.[1] ?? NaN);
  if (!Number.isFinite(tx)) throw new Error(`cannot parse pgbench output:\n${tail(res.out)}`);
  return { transactions: tx, tps, rowChanges: tx * CHANGES_PER_TX };
}

/** Same content on both sides? Row counts and balance sums of the pgbench tables (source quiescent). */
async function compareContent(source, dest, target) {
  const sql = `SELECT (SELECT count(*) FROM pgbench_history)::text AS history,
                      (SELECT sum(abalance) FROM pgbench_accounts)::text AS abalance,
                      (SELECT sum(bbalance) FROM pgbench_branches)::text AS bbalance,
                      (SELECT sum(tbalance) FROM pgbench_tellers)::text AS tbalance,
                      (SELECT count(*) FROM wide_mixed)::text AS wide`;
  const [a] = await source.query(sql, SOURCE_DB);
  const [b] = await dest.query(sql, target);
  const diffs = Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}: source ${a[k]}, target ${b[k]}`);
  return { ok: diffs.length === 0, diffs, source: a };
}

/**
 * The workload window: pgbench for `secs` while the sampler runs, then wait
 * until the slot confirmed the LSN the source had when pgbench ended.
 */
async function workloadWindow(ctx, sampler, target, secs, extraCpu) {
  const { source, dest } = ctx;
  await quiesce([source, dest]);
  const waits = await startWaitSampler(source, dest, target);
  const meter = cpuMeter([source, dest]);
  const cpu0 = extraCpu?.() ?? 0;
  const tStart = sampler.now();
  const bench = await pgbench(ctx, secs);
  const tEnd = sampler.now();
  const endLsn = await currentLsn(source, SOURCE_DB);
  const tConfirmed = await sampler.waitConfirmed(endLsn, CATCH_UP_TIMEOUT_MS);
  const workerCpuS = extraCpu ? Math.round(((extraCpu() ?? 0) - cpu0) * 10) / 10 : null;
  const cpu = { ...meter.end(workerCpuS ?? 0), workerCpuS };
  const waitEvents = await waits.stop();
  const loadS = (tEnd - tStart) / 1000;
  const totalS = (tConfirmed - tStart) / 1000;
  return {
    pgbench: bench,
    loadS: Math.round(loadS * 10) / 10,
    sourceChangesPerS: Math.round(bench.rowChanges / loadS),
    /** changes / (load start → slot confirmed the end-of-load LSN) */
    appliedChangesPerS: Math.round(bench.rowChanges / totalS),
    drainAfterLoadS: seconds(tConfirmed - tEnd),
    lagDuringLoad: sampler.lagStats(tStart, tEnd),
    cpu,
    waitEvents,
  };
}

/** Backlog while the consumer is paused, then time from resume until the slot confirmed the LSN at resume. */
async function catchUp(ctx, sampler, target, { pause, resume }, extraCpu) {
  const { cfg, source } = ctx;
  await pause();
  await sampler.waitActive(false, 120_000);
  const bench = await pgbench(ctx, cfg.backlogSeconds);
  const resumeLsn = await currentLsn(source, SOURCE_DB);
  const [slot] = await source.query(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text AS bytes FROM pg_replication_slots WHERE slot_name = '${sampler.slot}'`,
    SOURCE_DB,
  );
  await quiesce([ctx.source, ctx.dest]);
  const waits = await startWaitSampler(ctx.source, ctx.dest, target);
  const meter = cpuMeter([ctx.source, ctx.dest]);
  const cpu0 = extraCpu?.() ?? 0;
  const t0 = sampler.now();
  const active = sampler.waitActive(true, CATCH_UP_TIMEOUT_MS);
  const resumed = await resume();
  const tActive = await active;
  const tConfirmed = await sampler.waitConfirmed(resumeLsn, CATCH_UP_TIMEOUT_MS);
  const workerCpuS = extraCpu ? Math.round(((extraCpu() ?? 0) - cpu0) * 10) / 10 : null;
  const cpu = { ...meter.end(workerCpuS ?? 0), workerCpuS };
  const waitEvents = await waits.stop();
  const catchUpS = (tConfirmed - t0) / 1000;
  return {
    pgbench: bench,
    backlogWalBytes: Number(slot?.bytes ?? 0),
    catchUpS: Math.round(catchUpS * 100) / 100,
    changesPerS: Math.round(bench.rowChanges / catchUpS),
    /** resume → the slot is streaming again (CLI, plan, worker pick-up / apply worker start) */
    startupS: seconds(tActive - t0),
    /** slot streaming → caught up */
    streamingS: seconds(tConfirmed - tActive),
    streamingChangesPerS: Math.round(bench.rowChanges / ((tConfirmed - tActive) / 1000)),
    ...(resumed ?? {}),
    cpu,
    waitEvents,
  };
}

async function findMigrateSlot(source) {
  for (let i = 0; i < 100; i++) {
    const rows = await source.query(
      `SELECT slot_name FROM pg_replication_slots WHERE database = '${SOURCE_DB}' AND plugin = 'pgoutput' AND NOT temporary AND slot_name NOT LIKE 'migrate_tmp%'`,
    );
    if (rows.length === 1) return rows[0].slot_name;
    await sleep(200);
  }
  throw new Error("cannot find the migrate job's replication slot on the source");
}

export async function runMigrateCdc(ctx) {
  const { cfg, source, dest } = ctx;
  const target = 't_cdc_migrate';
  await dest.query(`DROP DATABASE IF EXISTS ${target}`);
  await dest.query(`CREATE DATABASE ${target}`);
  const project = new MigrateProject({
    source,
    destination: dest,
    job: 'bench-cdc',
    type: 'continuous',
    database: SOURCE_DB,
    target,
    parallelism: cfg.jobs,
  });
  const result = { peer: 'migrate' };
  let worker = null;
  let sampler = null;
  let slot = null;
  const dropArtifacts = async () => {
    if (!slot) return;
    await source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slot}' AND NOT active`)
      .catch(() => undefined);
    await source.query(`DROP PUBLICATION IF EXISTS "${slot}"`, SOURCE_DB).catch(() => undefined);
  };
  const unregister = onCleanup(async () => {
    await worker?.stop().catch(() => undefined);
    await sampler?.stop().catch(() => undefined);
    await dropArtifacts();
  });
  try {
    log('migrate: continuous job, apply --auto-approve (initial full dump, returns once streaming)');
    project.declare('running');
    const initial = await project.apply();
    result.initialApply = { wallS: seconds(initial.ms), peakRssMb: initial.peakRssMb, cpuS: initial.cpuS };
    log(`migrate: streaming after ${result.initialApply.wallS} s; starting \`migrate worker\``);
    slot = await findMigrateSlot(source);
    worker = project.startWorker();
    sampler = await startLagSampler(source, SOURCE_DB, slot, cfg.sampleMs);
    sampler.slot = slot;
    await sampler.waitActive(true, 60_000);
    await sleep(2000);
    const applied0 = (await project.status())?.databases?.[0]?.appliedChanges ?? 0;

    log(`migrate: pgbench -c ${cfg.clients} -j ${cfg.threads} -T ${cfg.cdcSeconds}`);
    const io0 = syscallsOf(worker.pid);
    result.cdc = await workloadWindow(ctx, sampler, target, cfg.cdcSeconds, () => worker.watch.result().cpuS);
    const io1 = syscallsOf(worker.pid);
    // replication status messages (2 writes each) dominate these: one per keepalive received
    if (io0 && io1)
      result.cdc.workerWriteSyscallsPerTx = Math.round(((io1.writes - io0.writes) / result.cdc.pgbench.transactions) * 100) / 100;
    await sleep(1500); // let the worker report its counters
    const job = await project.status();
    result.cdc.statusAppliedChanges = (job?.databases?.[0]?.appliedChanges ?? 0) - applied0;
    result.cdc.statusLatencyMs = job?.databases?.[0]?.latencyMs ?? null;
    log(
      `migrate: ${result.cdc.appliedChangesPerS} changes/s (source ${result.cdc.sourceChangesPerS}), lag p50 ${result.cdc.lagDuringLoad.p50Ms} ms p99 ${result.cdc.lagDuringLoad.p99Ms} ms`,
    );

    log(`migrate: catch-up — state: stopped, pgbench ${cfg.backlogSeconds} s, state: running`);
    result.catchUp = await catchUp(
      ctx,
      sampler,
      target,
      {
        pause: async () => {
          project.declare('stopped');
          await project.apply();
        },
        resume: async () => {
          project.declare('running');
          const res = await project.apply();
          return { resumeApplyS: seconds(res.ms) };
        },
      },
      () => worker.watch.result().cpuS,
    );
    log(`migrate: caught up in ${result.catchUp.catchUpS} s (${result.catchUp.changesPerS} changes/s)`);
    await sleep(1000);
    const check = await compareContent(source, dest, target);
    result.contentMatches = check.ok;
    result.contentDiffs = check.diffs;
    const w = await worker.stop();
    worker = null;
    result.worker = { peakRssMb: w.peakRssMb, cpuS: w.cpuS };
    log(`migrate: worker peak RSS ${w.peakRssMb} MB; content ${check.ok ? 'matches' : `DIFFERS: ${check.diffs.join('; ')}`}`);
  } catch (err) {
    result.error = err.message;
    log(`migrate CDC FAILED: ${tail(err.message, 10)}`);
    if (worker) result.workerLog = tail((await worker.stop()).output, 40);
    worker = null;
  } finally {
    await sampler?.stop();
    sampler = null;
    await dropArtifacts();
    unregister();
    await dest.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`).catch(() => undefined);
  }
  return result;
}

export async function runNativeCdc(ctx) {
  const { cfg, source, dest, tools } = ctx;
  const target = 't_cdc_native';
  const sub = 'bench_sub';
  const pub = 'bench_pub';
  const result = { peer: 'native' };
  let sampler = null;
  const teardown = async () => {
    await dest.query(`DROP SUBSCRIPTION IF EXISTS ${sub}`, target).catch(() => undefined);
    await source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${sub}' AND NOT active`)
      .catch(() => undefined);
    await source.query(`DROP PUBLICATION IF EXISTS ${pub}`, SOURCE_DB).catch(() => undefined);
  };
  const unregister = onCleanup(async () => {
    await sampler?.stop().catch(() => undefined);
    await teardown();
  });
  try {
    await dest.query(`DROP DATABASE IF EXISTS ${target}`);
    await dest.query(`CREATE DATABASE ${target}`);
    // schema with indexes first (as native logical replication needs), then the subscription copies the data
    const env = { PATH: `${tools.pg_dump.replace(/\/pg_dump$/, '')}:${process.env.PATH}` };
    await run(
      'bash',
      [
        '-c',
        `set -o pipefail; '${tools.pg_dump}' --schema-only -d '${source.url(SOURCE_DB)}' | '${tools.psql}' -X -q -v ON_ERROR_STOP=1 -d '${dest.url(target)}'`,
      ],
      { env },
    );
    await source.query(`CREATE PUBLICATION ${pub} FOR ALL TABLES`, SOURCE_DB);
    log('native: CREATE SUBSCRIPTION … WITH (copy_data = true), waiting for the initial sync');
    const t0 = performance.now();
    await dest.query(
      `CREATE SUBSCRIPTION ${sub} CONNECTION 'host=127.0.0.1 port=${source.port} user=postgres dbname=${SOURCE_DB}' PUBLICATION ${pub} WITH (copy_data = true)`,
      target,
    );
    for (;;) {
      const [r] = await dest.query(
        `SELECT count(*) FILTER (WHERE srsubstate <> 'r')::int AS pending, count(*)::int AS total FROM pg_subscription_rel`,
        target,
      );
      if (Number(r.total) > 0 && Number(r.pending) === 0) break;
      if (performance.now() - t0 > CATCH_UP_TIMEOUT_MS) throw new Error('native initial sync did not finish');
      await sleep(250);
    }
    result.initialSyncS = seconds(performance.now() - t0);
    log(`native: initial sync done in ${result.initialSyncS} s`);
    sampler = await startLagSampler(source, SOURCE_DB, sub, cfg.sampleMs);
    sampler.slot = sub;
    await sampler.waitActive(true, 60_000);
    await sleep(2000);

    log(`native: pgbench -c ${cfg.clients} -j ${cfg.threads} -T ${cfg.cdcSeconds}`);
    result.cdc = await workloadWindow(ctx, sampler, target, cfg.cdcSeconds);
    log(
      `native: ${result.cdc.appliedChangesPerS} changes/s (source ${result.cdc.sourceChangesPerS}), lag p50 ${result.cdc.lagDuringLoad.p50Ms} ms p99 ${result.cdc.lagDuringLoad.p99Ms} ms`,
    );

    log(`native: catch-up — DISABLE, pgbench ${cfg.backlogSeconds} s, ENABLE`);
    result.catchUp = await catchUp(ctx, sampler, target, {
      pause: () => dest.query(`ALTER SUBSCRIPTION ${sub} DISABLE`, target),
      resume: () => dest.query(`ALTER SUBSCRIPTION ${sub} ENABLE`, target).then(() => undefined),
    });
    log(`native: caught up in ${result.catchUp.catchUpS} s (${result.catchUp.changesPerS} changes/s)`);
    await sleep(1000);
    const check = await compareContent(source, dest, target);
    result.contentMatches = check.ok;
    result.contentDiffs = check.diffs;
  } catch (err) {
    result.error = err.message;
    log(`native CDC FAILED: ${tail(err.message, 10)}`);
  } finally {
    await sampler?.stop();
    sampler = null;
    await teardown();
    unregister();
    await dest.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`).catch(() => undefined);
  }
  return result;
}
