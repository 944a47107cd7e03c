// Benchmark settings (environment) and the peer tools (Debian packages).
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const int = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${v}"`);
  return Math.floor(n);
};

const PHASES = ['full', 'cdc', 'many', 'small', 'mysql', 'mysql-mysql', 'mysql-cdc'];
/**
 * The phases run when BENCH_PHASES is not set (`mysql` needs MariaDB and pgloader, `mysql-mysql` MariaDB and
 * mydumper: asked for by name).
 */
const DEFAULT_PHASES = ['full', 'cdc', 'many', 'small'];
const PEERS = ['migrate', 'pgcopydb', 'pgdump', 'raw', 'pgloader', 'mydumper', 'mysqldump'];

const list = (name, dflt, allowed) => {
  const items = (process.env[name] || dflt)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((x) => !allowed.includes(x));
  if (bad.length) throw new Error(`${name}: unknown ${bad.join(', ')} (choose from ${allowed.join(', ')})`);
  return new Set(items);
};

export function loadConfig() {
  return {
    /** pgbench scale: 80 ≈ 1.2 GB. */
    scale: int('BENCH_SCALE', 80),
    /** Rows of the wide mixed-type table: 600k ≈ 250 MB. */
    wideRows: int('BENCH_WIDE_ROWS', 600_000),
    /** Parallelism for every peer (migrate `parallelism`, pgcopydb jobs, pg_dump/pg_restore -j, raw pipes). */
    jobs: Math.max(1, int('BENCH_JOBS', 4)),
    /** Rounds of the full-migration peers (interleaved, alternating order); each peer reports its fastest round. */
    repeat: Math.max(1, int('BENCH_REPEAT', 2)),
    /** One untimed warm-up load into the destination before the measured full migrations (1 = on). */
    warmup: int('BENCH_WARMUP', 1) > 0,
    cdcSeconds: int('BENCH_CDC_SECONDS', 60),
    backlogSeconds: int('BENCH_BACKLOG_SECONDS', 60),
    /** pgbench clients / threads for the CDC workloads. */
    clients: Math.max(1, int('BENCH_CLIENTS', 4)),
    threads: Math.max(1, int('BENCH_THREADS', 2)),
    /** Lag sampling interval. */
    sampleMs: Math.max(20, int('BENCH_SAMPLE_MS', 200)),
    /** Optional: also pass --split-tables-larger-than to pgcopydb (e.g. "128MB"); off = the plain clone command. */
    pgcopydbSplit: process.env.BENCH_PGCOPYDB_SPLIT || null,
    /** Comma-separated subset of phases: full,cdc,many,small,mysql,mysql-mysql (default full,cdc,many,small). */
    phases: list('BENCH_PHASES', DEFAULT_PHASES.join(','), PHASES),
    /** Phase `many`: databases on the source, each `pgbench -i -s manyScale` (2 ≈ 37 MB). */
    manyDbs: Math.max(1, int('BENCH_MANY_DBS', 20)),
    manyScale: Math.max(1, int('BENCH_MANY_SCALE', 2)),
    /** Phase `many`: mixed sizes (1 = on): one scale 20, two scale 8 (declared last), the rest scale 1 and 2. */
    manyMixed: int('BENCH_MANY_MIXED', 0) > 0,
    /** Phase `small`: pgbench scale and wide_mixed rows (20 + 400k ≈ 470 MB), parallelism of both peers. */
    smallScale: Math.max(1, int('BENCH_SMALL_SCALE', 20)),
    smallWideRows: int('BENCH_SMALL_WIDE_ROWS', 400_000),
    smallJobs: Math.max(1, int('BENCH_SMALL_JOBS', 2)),
    /** Phase `mysql`: rows of the pgbench-like accounts table (+ one branch per 100k) and of the mixed-type table. */
    mysqlAccounts: int('BENCH_MYSQL_ACCOUNTS', 2_500_000),
    mysqlMixedRows: int('BENCH_MYSQL_MIXED_ROWS', 400_000),
    /**
     * Phase `mysql`, pgloader's WITH settings (workers = BENCH_JOBS), its fastest measured here (2 cores, 2.9M
     * rows): concurrency 2 with multiple readers per thread (rows per range 100k) beat concurrency 1 (52 vs 70 s,
     * 64 vs 83 s in pairs) and 4 (64 vs 88 s); prefetch rows 100k (pgloader's default) exhausts the Debian
     * build's 1 GB Lisp heap ("Heap exhausted, game over"), 10k was the fastest that fits. Rows per range 0 =
     * single reader per table.
     */
    pgloaderConcurrency: Math.max(1, int('BENCH_PGLOADER_CONCURRENCY', 2)),
    pgloaderPrefetchRows: Math.max(1, int('BENCH_PGLOADER_PREFETCH_ROWS', 10_000)),
    pgloaderBatchRows: Math.max(1, int('BENCH_PGLOADER_BATCH_ROWS', 25_000)),
    pgloaderRowsPerRange: int('BENCH_PGLOADER_ROWS_PER_RANGE', 100_000),
    /** Phase `mysql`: pgloader's Lisp heap (SBCL --dynamic-space-size, MB); 0 = the build's default. */
    pgloaderHeapMb: int('BENCH_PGLOADER_HEAP_MB', 0),
    /** Phase `mysql-mysql`: mydumper --rows (chunks of this many rows, loaded in parallel by myloader); 0 = one file per table. */
    mydumperRows: int('BENCH_MYDUMPER_ROWS', 100_000),
    /** Phases `many`, `small`, `mysql` and `mysql-mysql`: each run of a tool is killed after this long and recorded as failed. */
    runTimeoutS: Math.max(10, int('BENCH_RUN_TIMEOUT_S', 600)),
    /**
     * Comma-separated subset of peers: migrate,pgcopydb,pgdump,raw (full migration); phases `many` and
     * `small` use migrate and pgcopydb from it (BENCH_PEERS=pgcopydb: the pgcopydb baseline alone), phase
     * `mysql` migrate and pgloader, phase `mysql-mysql` migrate, mydumper and mysqldump.
     */
    peers: list('BENCH_PEERS', PEERS.join(','), PEERS),
  };
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const migrateCli = join(repoRoot, 'bin', 'migrate.js');

/** The README / issue targets the numbers are compared with. */
export const TARGETS = {
  fullVsPgcopydb: 'full migration faster than pgcopydb',
  fullVsRaw: 'full migration within 15% of the raw COPY pipe',
  cdcPace: 'CDC keeps pace with native logical replication',
  cdcLagP99: 'CDC lag p99 < 1 s',
  catchUp: 'catch-up at least as fast as native',
  workerRss: 'worker RSS < 300 MB',
  manyVsPgcopydb: 'many databases: migrate ≤ 0.5× pgcopydb (one per db)',
  manyRss: 'many databases: migrate apply RSS < 300 MB',
  smallVsPgcopydb: 'small database: migrate ≤ 0.8× pgcopydb',
  smallFirstByte: 'small database: first byte ≤ 300 ms after plan',
  mysqlVsPgloader: 'mysql: migrate ≥ 2× pgloader rows/s, 0 rows lost',
  mysqlRss: 'mysql: migrate apply RSS < 300 MB',
  mysqlMysqlVsMydumper: 'mysql-mysql: migrate faster than mydumper+myloader, 0 lost',
  mysqlMysqlVsMysqldump: 'mysql-mysql: migrate ≤ 0.5× mysqldump|mysql, 0 lost',
  mysqlMysqlRss: 'mysql-mysql: migrate apply RSS < 300 MB',
};

const TOOLS = ['pg_dump', 'pg_restore', 'psql', 'pgbench', 'pgcopydb'];

/**
 * Locate the PostgreSQL 15 client tools and pgcopydb: /usr/lib/postgresql/15/bin
 * first (Debian's versioned directory), then PATH. Returns null entries for missing tools.
 */
export function findTools() {
  const dirs = ['/usr/lib/postgresql/15/bin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  const found = {};
  for (const tool of TOOLS) {
    found[tool] = dirs.map((d) => join(d, tool)).find((p) => existsSync(p)) ?? null;
  }
  return found;
}

/** The PostgreSQL client tools and pgcopydb: every phase but `mysql` and `mysql-mysql` needs them. */
export function requiredTools(phases) {
  return [...phases].some((p) => !['mysql', 'mysql-mysql', 'mysql-cdc'].includes(p)) ? TOOLS : [];
}

/** pgloader (phase `mysql`): BENCH_PGLOADER (a path) or the one on PATH; null when there is none. */
export function findPgloader() {
  const given = process.env.BENCH_PGLOADER;
  if (given) return existsSync(given) ? given : null;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...dirs, '/usr/bin'].map((d) => join(d, 'pgloader')).find((p) => existsSync(p)) ?? null;
}

export const INSTALL_HINT = 'apt-get update && apt-get install -y pgcopydb postgresql-client-15 pgloader mariadb-server';
export const PGLOADER_INSTALL_HINT = 'apt-get update && apt-get install -y pgloader';
