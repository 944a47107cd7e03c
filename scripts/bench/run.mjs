#!/usr/bin/env node
// `npm run bench`: migrate against pgcopydb, pg_dump/pg_restore, the raw binary
// COPY pipe and native logical replication, on the same two embedded
// PostgreSQL 15 servers. Results: a printed report and bench/results/<timestamp>.json.
//
// Peers: apt-get update && apt-get install -y pgcopydb postgresql-client-15 pgloader mariadb-server mydumper
// Settings (environment):
//   BENCH_SCALE=80             pgbench scale (80 ≈ 1.2 GB)
//   BENCH_WIDE_ROWS=600000     rows of the wide mixed-type table (≈ 250 MB)
//   BENCH_JOBS=4               parallelism of every peer
//   BENCH_CDC_SECONDS=60       pgbench duration while streaming
//   BENCH_BACKLOG_SECONDS=60   pgbench duration while the consumer is paused
//   BENCH_CLIENTS=4 BENCH_THREADS=2 BENCH_SAMPLE_MS=200
//   BENCH_REPEAT=2             full-migration rounds (interleaved, alternating order; best round reported)
//   BENCH_WARMUP=1             one untimed warm-up load before the measured full migrations
//   BENCH_PHASES=full,cdc,many,small   any subset, each runs on its own (e.g. BENCH_PHASES=many)
//   BENCH_PEERS=migrate,pgcopydb,pgdump,raw   (many/small use migrate and pgcopydb; BENCH_PEERS=pgcopydb: baseline alone)
//   BENCH_PGCOPYDB_SPLIT=128MB also pass --split-tables-larger-than to pgcopydb (full migration)
//   BENCH_WORKER_NODE_ARGS=…   extra node flags for `migrate worker` (e.g. --cpu-prof)
// Phase `many` (N databases, ONE migrate one-time job vs one `pgcopydb clone` per database, in sequence;
// targets: migrate ≤ 0.5× pgcopydb's sum, apply process RSS < 300 MB as stated for 50 databases):
//   BENCH_MANY_DBS=20          databases on the source (50 for the RSS target)
//   BENCH_MANY_SCALE=2         pgbench scale of each (2 ≈ 37 MB)
//   BENCH_MANY_MIXED=0         1 = mixed sizes: one scale 20 and two scale 8, declared last; the rest scale 1 and 2
//   (parallelism: BENCH_JOBS for both; rounds: BENCH_REPEAT; peak connections sampled every ~100 ms)
// Phase `small` (fixed cost: one ≈ 470 MB database; targets: migrate ≤ 0.8× pgcopydb, first byte on the
// destination ≤ 300 ms after the plan is shown; MIGRATE_LOG=debug also records the CLI's log as debugLog):
//   BENCH_SMALL_SCALE=20 BENCH_SMALL_WIDE_ROWS=400000 BENCH_SMALL_JOBS=2
// Phases many/small: BENCH_RUN_TIMEOUT_S=600 caps every migrate / pgcopydb run (killed, recorded as failed with the reason)
// Phase `mysql` (MySQL/MariaDB → PostgreSQL full load: schema + data + indexes + foreign keys + sequences of one
// MariaDB database into a fresh PostgreSQL 15 database; migrate one-time job (parallelism BENCH_JOBS) vs pgloader,
// rows counted per table on the destination after every run; targets: migrate ≥ 2× pgloader's rows/s with 0 rows
// lost, apply process RSS < 300 MB). Not in the default phase list: BENCH_PHASES=mysql (needs mariadb-server and
// pgloader; pgloader missing → reported unavailable, migrate still measured):
//   BENCH_MYSQL_ACCOUNTS=2500000   rows of accounts (int PK, int FK → branches, int, char(84)); one branch per 100k
//   BENCH_MYSQL_MIXED_ROWS=400000  rows of mixed (bigint unsigned auto_increment PK, decimal, datetime(6), timestamp,
//                                  utf8mb4 varchar, text, blob, json, enum, tinyint(1), double, date); ≈ 460 MiB in all
//   pgloader WITH: workers = BENCH_JOBS, BENCH_PGLOADER_CONCURRENCY=2, BENCH_PGLOADER_PREFETCH_ROWS=10000,
//   BENCH_PGLOADER_BATCH_ROWS=25000, BENCH_PGLOADER_ROWS_PER_RANGE=100000 (multiple readers per thread; 0 = one
//   reader per table), BENCH_PGLOADER_HEAP_MB=0 (SBCL --dynamic-space-size; 0 = the build's, 1 GB on Debian)
//   BENCH_PGLOADER=/path/to/pgloader (default: PATH); BENCH_PEERS=migrate,pgloader (either alone);
//   rounds: BENCH_REPEAT; MIGRATE_LOG=debug keeps the CLI's log (debugLog)
// Phase `mysql-mysql` (MySQL/MariaDB → MySQL/MariaDB full migration: schema + data + indexes + foreign keys of the
// `mysql` phase's database (same generator, same BENCH_MYSQL_ACCOUNTS / BENCH_MYSQL_MIXED_ROWS) into a fresh database
// on a second throwaway MariaDB server (no binary log); no PostgreSQL is started when it runs alone. Peers, all with
// parallelism BENCH_JOBS: migrate one-time job (destination profile engine: mysql) through the real CLI;
// mydumper --threads N --rows BENCH_MYDUMPER_ROWS into a temp dir, then myloader --threads N (time = dump + load, each
// recorded); mariadb-dump --single-transaction | mariadb (--no-defaults). Rows counted per table on the destination
// after every run, indexes / foreign keys / column types / CHECKSUM TABLE compared for the record; targets: migrate
// faster than mydumper+myloader (migrate/mydumper < 1) and ≤ 0.5× mysqldump|mysql with 0 rows lost, apply process
// RSS < 300 MB. Not in the default phase list: BENCH_PHASES=mysql-mysql (needs mariadb-server and mydumper; mydumper
// missing → reported unavailable, the others still measured; a failed migrate run is recorded with its reason):
//   BENCH_MYDUMPER_ROWS=100000     mydumper --rows (0 = one file per table, no chunking)
//   BENCH_PEERS=migrate,mydumper,mysqldump (any subset); rounds: BENCH_REPEAT (interleaved, alternating order);
//   BENCH_WARMUP=1 one untimed mariadb-dump | mariadb into the destination first
// Phase `mysql-cdc` (MariaDB → MariaDB change data capture: migrate's continuous job — both profiles engine: mysql,
// `migrate apply` then `migrate worker` — against a native MariaDB replica (CHANGE MASTER TO … MASTER_USE_GTID = no at
// the source's position before the database exists, START SLAVE) under the same write load; three throwaway MariaDB
// servers, no PostgreSQL when it runs alone). Load: one mysql2 connection, transactions of INSERT/UPDATE/DELETE on
// orders/items/customers (8 row changes each) at BENCH_MYSQL_CDC_TPS for BENCH_CDC_SECONDS, heartbeat hb(id=1, n, ts)
// updated every 100 ms; lag = now − hb.ts visible on each destination, sampled every BENCH_SAMPLE_MS (p50/p95/p99/max).
// Backlog: worker SIGTERM + STOP SLAVE SQL_THREAD, load for BENCH_BACKLOG_SECONDS, then each resumed in turn (source
// idle) and timed until its hb shows the last value written; row counts and CHECKSUM TABLE source vs both at the
// end; worker peak RSS. Targets: migrate lag p99 < 1 s, migrate catch-up ≤ the replica's, 0 rows lost. Not in the
// default phase list: BENCH_PHASES=mysql-cdc (needs mariadb-server):
//   BENCH_MYSQL_CDC_TPS=200        writer transactions per second
//   BENCH_MYSQL_CDC_ROWS=200000    initial orders (+ 2 items each, 1 customer per 20)
//   BENCH_REPLICA_PARALLEL_THREADS=0  slave_parallel_threads of the replica (0 = MariaDB's default, serial apply)
// Small smoke run: BENCH_SCALE=5 BENCH_WIDE_ROWS=20000 BENCH_CDC_SECONDS=10 BENCH_BACKLOG_SECONDS=10 BENCH_PHASES=full,cdc npm run bench
//   BENCH_PHASES=many BENCH_MANY_DBS=2 BENCH_REPEAT=1 npm run bench
//   BENCH_PHASES=small BENCH_SMALL_SCALE=2 BENCH_SMALL_WIDE_ROWS=20000 BENCH_REPEAT=1 npm run bench
//   BENCH_PHASES=mysql BENCH_MYSQL_ACCOUNTS=100000 BENCH_MYSQL_MIXED_ROWS=20000 BENCH_REPEAT=1 npm run bench
//   BENCH_PHASES=mysql-mysql BENCH_MYSQL_ACCOUNTS=100000 BENCH_MYSQL_MIXED_ROWS=20000 BENCH_REPEAT=1 npm run bench
//   BENCH_PHASES=mysql-cdc BENCH_CDC_SECONDS=10 BENCH_BACKLOG_SECONDS=10 npm run bench
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { startPostgres } from '../../dist/test/harness/embedded-postgres.js';
import { runMigrateCdc, runNativeCdc } from './cdc.mjs';
import { findTools, INSTALL_HINT, loadConfig, repoRoot, requiredTools } from './config.mjs';
import { generateDataset, prettyBytes, rowCounts, SOURCE_DB } from './dataset.mjs';
import { runFullMigrations } from './full-migration.mjs';
import { runManyDatabases } from './many-databases.mjs';
import { runMysqlCdc } from './mysql-cdc.mjs';
import { runMysqlToMysql } from './mysql-to-mysql.mjs';
import { runMysqlToPostgres } from './mysql-to-postgres.mjs';
import { runSmallDatabase } from './small-database.mjs';
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
  const needed = requiredTools(cfg.phases);
  const missing = Object.entries(tools)
    .filter(([t, p]) => !p && needed.includes(t))
    .map(([t]) => t);
  if (missing.length) {
    process.stderr.write(`bench: missing peer tools: ${missing.join(', ')}\ninstall them with:\n  ${INSTALL_HINT}\n`);
    process.exitCode = 1;
    return;
  }
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const results = {
    startedAt,
    /** the code measured: HEAD and the files that differ from it (uncommitted work is measured too) */
    code: {
      commit: git('rev-parse', 'HEAD'),
      uncommitted: (git('status', '--porcelain', '--untracked-files=no') ?? '').split('\n').filter(Boolean),
    },
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

  // phase `mysql` alone needs only the destination (its source is MariaDB, started by the phase); phase
  // `mysql-mysql` starts its own two MariaDB servers and needs no PostgreSQL
  const pgPhases = [...cfg.phases].filter((p) => p !== 'mysql-mysql' && p !== 'mysql-cdc');
  const pgSource = pgPhases.some((p) => p !== 'mysql');
  let source = null;
  let dest = null;
  if (pgPhases.length) {
    step(
      pgSource
        ? 'Starting two embedded PostgreSQL 15 servers (source, destination)'
        : 'Starting one embedded PostgreSQL 15 server (destination)',
    );
    const servers = await Promise.all(
      pgSource ? [startPostgres({ major: 15 }), startPostgres({ major: 15 })] : [startPostgres({ major: 15 })],
    );
    for (const s of servers) onCleanup(() => s.stop(true));
    [source, dest] = pgSource ? servers : [null, servers[0]];
    const [v] = await dest.query('SELECT version() AS v');
    results.machine.postgres = v.v.split(',')[0];
    const settings = await dest.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes','shared_buffers','max_wal_size','wal_level','maintenance_work_mem','work_mem','max_worker_processes','max_parallel_maintenance_workers','max_sync_workers_per_subscription') ORDER BY name`,
    );
    results.serverSettings = Object.fromEntries(settings.map((r) => [r.name, r.setting]));
    log(
      source
        ? `source :${source.port}  destination :${dest.port}  (${results.machine.postgres}; same settings on both)`
        : `destination :${dest.port}  (${results.machine.postgres})`,
    );
  }

  const ctx = { cfg, tools, source, dest };
  if (cfg.phases.has('full') || cfg.phases.has('cdc')) {
    step(`Dataset: pgbench -i -s ${cfg.scale} + wide_mixed (${cfg.wideRows} rows)`);
    results.dataset = await generateDataset(source, cfg, tools);
    log(`dataset: ${prettyBytes(results.dataset.databaseBytes)} in ${results.dataset.generationS} s`);
    ctx.sourceCounts = await rowCounts(source, SOURCE_DB);
  }

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
  if (cfg.phases.has('many')) {
    step(
      `Many databases: ${cfg.manyDbs} on the source, one migrate job (parallelism ${cfg.jobs}) vs pgcopydb clone per database`,
    );
    results.many = await runManyDatabases(ctx);
  }
  if (cfg.phases.has('small')) {
    step(`Small database (fixed cost): migrate apply vs pgcopydb clone, parallelism ${cfg.smallJobs}`);
    results.small = await runSmallDatabase(ctx);
  }

  if (cfg.phases.has('mysql')) {
    step(`MySQL/MariaDB → PostgreSQL full load: migrate one-time job vs pgloader, parallelism ${cfg.jobs}`);
    results.mysql = await runMysqlToPostgres(ctx);
  }
  if (cfg.phases.has('mysql-mysql')) {
    step(
      `MySQL/MariaDB → MySQL/MariaDB full migration: migrate one-time job vs mydumper+myloader vs mysqldump|mysql, parallelism ${cfg.jobs}`,
    );
    results.mysqlMysql = await runMysqlToMysql(ctx);
  }
  if (cfg.phases.has('mysql-cdc')) {
    step('MySQL/MariaDB → MySQL/MariaDB CDC + catch-up: migrate (continuous job + worker) vs a native MariaDB replica');
    results.mysqlCdc = await runMysqlCdc(ctx);
  }

  results.machine.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  results.targets = evaluateTargets(results);
  results.totalS = Math.round((performance.now() - t0) / 100) / 10;
  step('Report');
  printReport(results);
  const file = writeResults(results);
  process.stdout.write(`\nresults: ${file} (total ${results.totalS} s)\n`);
  const failed =
    Object.values(results.fullMigration ?? {}).some((r) => !r.ok) ||
    Object.values(results.cdc ?? {}).some((r) => r.error || r.contentMatches === false) ||
    ['migrate', 'pgcopydb'].some((k) => results.many?.[k]?.ok === false || results.small?.[k]?.ok === false) ||
    ['migrate', 'pgloader'].some((k) => results.mysql?.[k]?.ok === false) ||
    results.mysql?.migrate?.rowsLost > 0 ||
    ['migrate', 'mydumper', 'mysqldump'].some((k) => results.mysqlMysql?.[k]?.ok === false) ||
    results.mysqlMysql?.migrate?.rowsLost > 0 ||
    Boolean(results.mysqlCdc?.error) ||
    results.mysqlCdc?.migrate?.content?.countsMatch === false;
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
