#!/usr/bin/env node
// `npm run bench`: migrate against pgcopydb, pg_dump/pg_restore, the raw binary
// COPY pipe and native logical replication, on the same two embedded
// PostgreSQL 15 servers. Results: a printed report and bench/results/<timestamp>.json.
//
// Peers: apt-get update && apt-get install -y pgcopydb postgresql-client-15
// Settings (environment):
//   BENCH_SCALE=80             pgbench scale (80 ≈ 1.2 GB)
//   BENCH_WIDE_ROWS=600000     rows of the wide mixed-type table (≈ 250 MB)
//   BENCH_JOBS=4               parallelism of every peer
//   BENCH_CDC_SECONDS=60       pgbench duration while streaming
//   BENCH_BACKLOG_SECONDS=60   pgbench duration while the consumer is paused
//   BENCH_CLIENTS=4 BENCH_THREADS=2 BENCH_SAMPLE_MS=200
//   BENCH_REPEAT=2             full-migration rounds (interleaved, alternating order; best round reported)
//   BENCH_WARMUP=1             one untimed warm-up load before the measured full migrations
//   BENCH_PHASES=full,cdc      BENCH_PEERS=migrate,pgcopydb,pgdump,raw
//   BENCH_PGCOPYDB_SPLIT=128MB also pass --split-tables-larger-than to pgcopydb
//   BENCH_WORKER_NODE_ARGS=…   extra node flags for `migrate worker` (e.g. --cpu-prof)
// Small smoke run: BENCH_SCALE=5 BENCH_WIDE_ROWS=20000 BENCH_CDC_SECONDS=10 BENCH_BACKLOG_SECONDS=10 npm run bench
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { startPostgres } from '../../dist/test/harness/embedded-postgres.js';
import { runMigrateCdc, runNativeCdc } from './cdc.mjs';
import { findTools, INSTALL_HINT, loadConfig } from './config.mjs';
import { generateDataset, prettyBytes, rowCounts, SOURCE_DB } from './dataset.mjs';
import { runFullMigrations } from './full-migration.mjs';
import { evaluateTargets, printReport, writeResults } from './report.mjs';
import { log, onCleanup, runCleanups, step } from './util.mjs';

const version = (bin) => {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')
      .pop();
  } catch {
    return null;
  }
};

async function main() {
  const cfg = loadConfig();
  const tools = findTools();
  const missing = Object.entries(tools)
    .filter(([, p]) => !p)
    .map(([t]) => t);
  if (missing.length) {
    process.stderr.write(`bench: missing peer tools: ${missing.join(', ')}\ninstall them with:\n  ${INSTALL_HINT}\n`);
    process.exitCode = 1;
    return;
  }
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const results = {
    startedAt,
    config: { ...cfg, phases: [...cfg.phases], peers: [...cfg.peers] },
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      kernel: release(),
      loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
      tools: Object.fromEntries(Object.entries(tools).map(([t, p]) => [t, { path: p, version: version(p) }])),
    },
  };

  step('Starting two embedded PostgreSQL 15 servers (source, destination)');
  const servers = await Promise.all([startPostgres({ major: 15 }), startPostgres({ major: 15 })]);
  for (const s of servers) onCleanup(() => s.stop(true));
  const [source, dest] = servers;
  const [v] = await source.query('SELECT version() AS v');
  results.machine.postgres = v.v.split(',')[0];
  const settings = await source.query(
    `SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes','shared_buffers','max_wal_size','wal_level','maintenance_work_mem','work_mem','max_worker_processes','max_parallel_maintenance_workers','max_sync_workers_per_subscription') ORDER BY name`,
  );
  results.serverSettings = Object.fromEntries(settings.map((r) => [r.name, r.setting]));
  log(`source :${source.port}  destination :${dest.port}  (${results.machine.postgres}; same settings on both)`);

  step(`Dataset: pgbench -i -s ${cfg.scale} + wide_mixed (${cfg.wideRows} rows)`);
  results.dataset = await generateDataset(source, cfg, tools);
  log(`dataset: ${prettyBytes(results.dataset.databaseBytes)} in ${results.dataset.generationS} s`);
  const ctx = { cfg, tools, source, dest, sourceCounts: await rowCounts(source, SOURCE_DB) };

  if (cfg.phases.has('full')) {
    step(`Full migration, parallelism ${cfg.jobs}: migrate → pgcopydb → pg_dump+pg_restore → raw COPY pipe`);
    results.fullMigration = await runFullMigrations(ctx);
  }
  if (cfg.phases.has('cdc')) {
    step('CDC + catch-up: migrate (continuous job + worker)');
    results.cdc = { migrate: await runMigrateCdc(ctx) };
    step('CDC + catch-up: native logical replication (publication + subscription)');
    results.cdc.native = await runNativeCdc(ctx);
  }

  results.targets = evaluateTargets(results);
  results.totalS = Math.round((performance.now() - t0) / 100) / 10;
  step('Report');
  printReport(results);
  const file = writeResults(results);
  process.stdout.write(`\nresults: ${file} (total ${results.totalS} s)\n`);
  const failed =
    Object.values(results.fullMigration ?? {}).some((r) => !r.ok) ||
    Object.values(results.cdc ?? {}).some((r) => r.error || r.contentMatches === false);
  if (failed) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}
