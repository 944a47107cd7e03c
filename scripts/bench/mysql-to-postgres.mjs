// Phase `mysql`: MySQL/MariaDB → PostgreSQL full load (schema + data +
// indexes + foreign keys + sequences) of one database into a fresh
// destination database. migrate (a one-time job through the real CLI, `apply
// --auto-approve` with its embedded worker, parallelism BENCH_JOBS) against
// pgloader (a load file with the same work switched on: create tables,
// create indexes, foreign keys, reset sequences; workers = BENCH_JOBS), from
// one MariaDB server (the OS package, test/harness/mariadb.ts) into one
// embedded PostgreSQL, same data, interleaved rounds in alternating order,
// best round of each reported. pgloader can skip rows it cannot load (it logs
// them and goes on), so after every run of either tool the rows of every
// table are counted on the destination and compared with the source: a run
// that lost rows says so (rowsLost, lostByTable). Rows/s = rows that arrived
// / wall time. pgloader not installed: the peer is reported unavailable with
// the install hint, migrate still runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mariaDbAvailable, startMariaDb } from '../../dist/test/harness/mariadb.js';
import { findPgloader, PGLOADER_INSTALL_HINT } from './config.mjs';
import { dropDatabases, prettyBytes, warmDestination } from './dataset.mjs';
import { quiesce } from './full-migration.mjs';
import { MigrateProject, migratePhases } from './migrate-cli.mjs';
import { cpuOf, machineCpu, reapedChildrenCpu, serverCpu, watchProcess } from './proc-stats.mjs';
import { interleavedRounds, log, onCleanup, seconds, start, tail } from './util.mjs';

/** The MySQL database; both tools make it a schema of the same name in their target database. */
export const MYSQL_DB = 'bench_my';
const TARGETS = { migrate: 'my_migrate', pgloader: 'my_pgloader' };
/** One branch per 100,000 accounts, as pgbench. */
const ACCOUNTS_PER_BRANCH = 100_000;
/** The source's InnoDB buffer pool: the whole dataset stays cached for every round of both tools. */
const BUFFER_POOL = '1G';

/** Source DDL: a pgbench-like pair (accounts → branches foreign key) and a table of mixed MySQL types. */
const SCHEMA_SQL = `
CREATE TABLE branches (
  bid      int NOT NULL PRIMARY KEY,
  bbalance int NOT NULL,
  filler   char(88)
) ENGINE=InnoDB;
CREATE TABLE accounts (
  aid      int NOT NULL PRIMARY KEY,
  bid      int NOT NULL,
  abalance int NOT NULL,
  filler   char(84),
  CONSTRAINT accounts_bid_fkey FOREIGN KEY (bid) REFERENCES branches (bid)
) ENGINE=InnoDB;
CREATE TABLE mixed (
  id       bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  amount   decimal(12,2) NOT NULL,
  created  datetime(6) NOT NULL,
  seen     timestamp NULL DEFAULT NULL,
  title    varchar(255) CHARACTER SET utf8mb4 NOT NULL,
  body     text,
  payload  blob,
  attrs    json,
  kind     enum('new','paid','shipped','returned') NOT NULL,
  active   tinyint(1) NOT NULL,
  score    double,
  due      date,
  KEY mixed_created (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
`;

/**
 * Rows generated on the server from the sequence engine (seq_1_to_N): no
 * client round trip per row. Values: some NULLs in every nullable column,
 * non-ASCII text (2-, 3- and 4-byte UTF-8), tabs, newlines and backslashes
 * in text, binary bytes in the blob, JSON objects with nested values.
 */
function dataSql(accounts, mixedRows) {
  const branches = Math.max(1, Math.ceil(accounts / ACCOUNTS_PER_BRANCH));
  return [
    `INSERT INTO branches SELECT seq, 0, NULL FROM seq_1_to_${branches}`,
    accounts > 0 &&
      `INSERT INTO accounts
       SELECT seq, 1 + (seq - 1) DIV ${ACCOUNTS_PER_BRANCH}, CAST((seq * 7919) % 20001 AS SIGNED) - 10000,
              CONCAT(LPAD(seq, 10, '0'), REPEAT('-', 74))
         FROM seq_1_to_${accounts}`,
    mixedRows > 0 &&
      `INSERT INTO mixed (id, amount, created, seen, title, body, payload, attrs, kind, active, score, due)
       SELECT seq,
              ((seq * 7919) % 100000000) / 100,
              TIMESTAMP'2020-01-01 00:00:00' + INTERVAL seq * 37 SECOND + INTERVAL (seq * 7) % 1000000 MICROSECOND,
              IF(seq % 11 = 0, NULL, FROM_UNIXTIME(1600000000 + seq * 13)),
              CONCAT('item-', seq, ' ', ELT(1 + seq % 6, 'café', 'Größe', 'naïve', '日本語テキスト', 'emoji 🙂🚀', 'plain')),
              IF(seq % 10 = 0, NULL,
                 CONCAT(REPEAT(MD5(seq), 1 + seq % 3), IF(seq % 97 = 0, '\\ttab\\nnew line \\\\ back', ''))),
              IF(seq % 7 = 0, NULL, UNHEX(CONCAT(MD5(seq), MD5(seq + 1)))),
              IF(seq % 17 = 0, NULL,
                 JSON_OBJECT('id', seq, 'kind', ELT(1 + seq % 4, 'a', 'b', 'c', 'd'), 'score', (seq % 1000) / 7,
                             'tags', JSON_ARRAY(LEFT(MD5(seq), 8), seq % 17, seq % 2 = 0),
                             'nested', JSON_OBJECT('x', seq % 100, 'y', CONCAT('ü€', seq % 13)))),
              ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'returned'),
              seq % 3 = 0,
              IF(seq % 13 = 0, NULL, SIN(seq) * 1000),
              IF(seq % 19 = 0, NULL, DATE'2020-01-01' + INTERVAL seq % 3650 DAY)
         FROM seq_1_to_${mixedRows}`,
  ].filter(Boolean);
}

async function sourceTables(my) {
  const rows = await my.query(
    `SELECT TABLE_NAME AS name, DATA_LENGTH AS data, INDEX_LENGTH AS idx
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${MYSQL_DB}' AND TABLE_TYPE = 'BASE TABLE' ORDER BY DATA_LENGTH DESC`,
  );
  const counts = await my.query(
    rows.map((r) => `SELECT '${r.name}' AS name, COUNT(*) AS n FROM \`${MYSQL_DB}\`.\`${r.name}\``).join(' UNION ALL '),
  );
  const n = Object.fromEntries(counts.map((r) => [r.name, Number(r.n)]));
  return rows.map((r) => ({ name: r.name, rows: n[r.name], dataBytes: Number(r.data), indexBytes: Number(r.idx) }));
}

export async function generate(my, cfg) {
  const t0 = performance.now();
  await my.query(`DROP DATABASE IF EXISTS ${MYSQL_DB}; CREATE DATABASE ${MYSQL_DB} CHARACTER SET utf8mb4`);
  log(
    `MariaDB: accounts ${cfg.mysqlAccounts} rows (+ branches), mixed ${cfg.mysqlMixedRows} rows, generated server-side (seq_1_to_N)`,
  );
  // not written to the binary log (nothing replicates it); timestamps in UTC
  const session = "SET SESSION sql_log_bin = 0; SET SESSION time_zone = '+00:00'; SET SESSION foreign_key_checks = 0;";
  await my.query(`${session} ${SCHEMA_SQL}`, MYSQL_DB);
  // the two large tables at once (two cores)
  const [branches, ...rest] = dataSql(cfg.mysqlAccounts, cfg.mysqlMixedRows);
  await my.query(`${session} ${branches}`, MYSQL_DB);
  await Promise.all(rest.map((sql) => my.query(`${session} ${sql}`, MYSQL_DB)));
  await my.query('ANALYZE TABLE branches, accounts, mixed', MYSQL_DB);
  const tables = await sourceTables(my);
  const bytes = tables.reduce((a, t) => a + t.dataBytes + t.indexBytes, 0);
  return {
    generationS: seconds(performance.now() - t0),
    /** InnoDB data_length + index_length of every table (after ANALYZE) */
    databaseBytes: bytes,
    totalRows: tables.reduce((a, t) => a + t.rows, 0),
    tables,
  };
}

/** Rows of each source table on the destination (schema MYSQL_DB of `db`); a table that is not there has null. */
async function destinationCounts(dest, db, tables) {
  const exists = await dest.query(`SELECT 1 FROM pg_database WHERE datname = '${db}'`);
  if (!exists.length) return Object.fromEntries(tables.map((t) => [t.name, null]));
  const present = await dest.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = '${MYSQL_DB}' AND c.relkind IN ('r', 'p')`,
    db,
  );
  const have = new Set(present.map((r) => r.name));
  const out = {};
  for (const t of tables) {
    const name = t.name.toLowerCase();
    if (!have.has(name)) {
      out[t.name] = null;
      continue;
    }
    const [r] = await dest.query(`SELECT count(*)::text AS n FROM "${MYSQL_DB}"."${name}"`, db);
    out[t.name] = Number(r.n);
  }
  return out;
}

/** Source vs destination counts: rows lost (per table and in all), rows that arrived, extra rows. */
function compareCounts(tables, got) {
  const lostByTable = {};
  let rowsLost = 0;
  let rowsLoaded = 0;
  let extra = 0;
  for (const t of tables) {
    const n = got[t.name];
    const have = n ?? 0;
    rowsLoaded += Math.min(have, t.rows);
    if (have < t.rows) {
      lostByTable[t.name] = t.rows - have;
      rowsLost += t.rows - have;
    }
    if (have > t.rows) extra += have - t.rows;
  }
  const missingTables = tables.filter((t) => got[t.name] == null).map((t) => t.name);
  return { rowsLost, lostByTable, rowsLoaded, extraRows: extra, missingTables, destinationCounts: got };
}

/** Column types each tool gave the mixed table (schema MYSQL_DB), for the record. */
async function destinationTypes(dest, db) {
  try {
    const rows = await dest.query(
      `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS ty
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '${MYSQL_DB}' AND c.relkind = 'r' AND c.relname = 'mixed' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      db,
    );
    const objects = await dest.query(
      `SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = '${MYSQL_DB}')::int AS indexes,
              (SELECT count(*) FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
                WHERE n.nspname = '${MYSQL_DB}' AND co.contype = 'f')::int AS foreign_keys,
              (SELECT count(*) FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
                WHERE n.nspname = '${MYSQL_DB}' AND s.relkind = 'S')::int AS sequences`,
      db,
    );
    return { mixed: Object.fromEntries(rows.map((r) => [r.c, r.ty])), ...objects[0] };
  } catch (err) {
    return { error: err.message.split('\n')[0] };
  }
}

/** CPU of the MariaDB server (one process), the PostgreSQL destination, the bench's children and the machine. */
function cpuMeterMy(my, dest) {
  const pidFile = join(dirname(my.dataDir), 'run', 'mysqld.pid');
  const myCpu = () => {
    try {
      return cpuOf(Number(readFileSync(pidFile, 'utf8').trim())).self;
    } catch {
      return 0;
    }
  };
  const t0 = performance.now();
  const m0 = machineCpu();
  const s0 = myCpu();
  const d0 = serverCpu(dest.dataDir);
  const c0 = reapedChildrenCpu() + cpuOf(process.pid).self;
  return {
    end() {
      const r = (x) => Math.round(x * 10) / 10;
      const m1 = machineCpu();
      const src = myCpu() - s0;
      const dst = serverCpu(dest.dataDir) - d0;
      const client = reapedChildrenCpu() + cpuOf(process.pid).self - c0;
      const busy = m1.busy - m0.busy;
      return {
        wallS: r((performance.now() - t0) / 1000),
        clientCpuS: r(client),
        sourceServerCpuS: r(src),
        destinationServerCpuS: r(dst),
        machineBusyCpuS: r(busy),
        otherCpuS: r(Math.max(0, busy - client - src - dst)),
        machineIowaitS: r(m1.iowait - m0.iowait),
      };
    },
  };
}

/** The machine's 1/5/15-minute load averages now (the machine may be shared). */
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

const rate = (rows, s) => (s > 0 ? Math.round(rows / s) : null);

function lossText(c) {
  if (c.rowsLost === 0 && c.extraRows === 0) return 'row counts match (0 rows lost)';
  const parts = Object.entries(c.lostByTable).map(([t, n]) => `${t} −${n}`);
  if (c.extraRows) parts.push(`${c.extraRows} extra rows`);
  return `ROWS LOST: ${c.rowsLost} (${parts.join(', ')})`;
}

async function runMigrate(ctx, dataset, round) {
  const { cfg, my, dest } = ctx;
  const target = TARGETS.migrate;
  await dropDatabases(dest, [target]);
  await quiesce([dest]);
  const project = new MigrateProject({
    sourceProfile: 'engine: mysql, user: root',
    source: my,
    destination: dest,
    job: 'bench-mysql',
    type: 'one-time',
    database: MYSQL_DB,
    target,
    parallelism: cfg.jobs,
  });
  project.declare('running');
  log(`migrate: apply, one-time job ${MYSQL_DB} → ${target}, parallelism ${cfg.jobs} (round ${round})`);
  const stderrLines = [];
  const meter = cpuMeterMy(my, dest);
  const res = await project.runApply({
    timeoutMs: cfg.runTimeoutS * 1000,
    onStderrLine: (line, at) => stderrLines.push({ ms: Math.round(at), text: line }),
  });
  const cpu = meter.end();
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
  const counts = compareCounts(dataset.tables, await destinationCounts(dest, target, dataset.tables));
  const ok = !reason;
  const wallS = seconds(res.ms);
  const result = {
    round,
    ok,
    failed: !ok,
    timedOut: res.timedOut,
    reason,
    /** process start → exit of `migrate apply --auto-approve` (plan, CREATE DATABASE, schema, data, indexes, FKs, sequences) */
    wallS,
    rowsPerS: rate(counts.rowsLoaded, wallS),
    ...counts,
    countsMatch: counts.rowsLost === 0 && counts.extraRows === 0,
    process: { peakRssMb: res.peakRssMb, cpuS: res.cpuS },
    migratePhases: migratePhases(job),
    /** what the plan said about types and objects (type map notes, what is not migrated) */
    planNotes: String(res.output)
      .split('\n')
      .filter((l) => /→|not migrated|warning/i.test(l))
      .slice(0, 40),
    destination: await destinationTypes(dest, target),
    cpu,
    loadAverageAtEnd: load(),
    jobStatus: job?.status ?? null,
    ...(statusError ? { statusError } : {}),
    ...(ok ? {} : { stderrTail: tail(res.stderr, 25) }),
    logLevel: project.env.MIGRATE_LOG,
    ...(project.env.MIGRATE_LOG === 'debug' ? { debugLog: stderrLines } : {}),
  };
  log(
    `migrate: ${ok ? `${wallS} s, ${result.rowsPerS} rows/s` : `FAILED after ${wallS} s: ${reason}`}; ${lossText(counts)}; ` +
      `peak RSS ${res.peakRssMb} MB, CPU ${res.cpuS} s`,
  );
  project.dispose();
  await dropDatabases(dest, [target]);
  return result;
}

/** pgloader's WITH clause: the same work as migrate (schema, data, indexes, FKs, sequences), BENCH_JOBS workers. */
export function pgloaderSettings(cfg) {
  const settings = [
    'include drop',
    'create tables',
    'create indexes',
    'foreign keys',
    'reset sequences',
    'downcase identifiers',
    'uniquify index names',
    `workers = ${cfg.jobs}`,
    `concurrency = ${cfg.pgloaderConcurrency}`,
    `prefetch rows = ${cfg.pgloaderPrefetchRows}`,
    `batch rows = ${cfg.pgloaderBatchRows}`,
  ];
  if (cfg.pgloaderRowsPerRange > 0) settings.push('multiple readers per thread', `rows per range = ${cfg.pgloaderRowsPerRange}`);
  return settings;
}

/** pgloader's command-line options besides the load file (the heap size is an SBCL runtime option). */
function pgloaderArgs(cfg) {
  return cfg.pgloaderHeapMb > 0 ? ['--dynamic-space-size', String(cfg.pgloaderHeapMb)] : [];
}

/** One line saying why pgloader failed: SBCL's fatal error, pgloader's own FATAL/ERROR line, or its last line. */
function pgloaderError(res) {
  const lines = `${res.out}\n${res.err}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const heap = lines.find((l) => /Heap exhausted/i.test(l));
  const fatal = lines.find((l) => /\b(FATAL|ERROR)\b/.test(l));
  return (heap ? `${heap} (SBCL heap)` : (fatal ?? lines.pop() ?? 'no output')).slice(0, 300);
}

function loadFile(ctx, target) {
  const { cfg, my, dest } = ctx;
  return `LOAD DATABASE
     FROM mysql://root@127.0.0.1:${my.port}/${MYSQL_DB}
     INTO pgsql://postgres@127.0.0.1:${dest.port}/${target}
 WITH ${pgloaderSettings(cfg).join(',\n      ')}
;
`;
}

/**
 * pgloader's own accounting (`--summary x.csv`: name;read;imported;errors;bytes;time per step and per
 * table; its JSON summary is not valid JSON in 3.6.9): { tables: { name: {read, imported, errors} }, steps }.
 */
function readSummary(file) {
  try {
    if (!existsSync(file)) return null;
    const tables = {};
    const steps = {};
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const [name, read, imported, errors, bytes, time] = line.split(';').map((x) => x.replace(/^"|"$/g, ''));
      const row = { read: Number(read), imported: Number(imported), errors: Number(errors), bytes: Number(bytes), time };
      if (name.startsWith(`${MYSQL_DB}.`)) tables[name.slice(MYSQL_DB.length + 1)] = row;
      else steps[name] = { count: row.read, errors: row.errors, time };
    }
    return { tables, steps };
  } catch (err) {
    return { unreadable: err.message.split('\n')[0] };
  }
}

/** Rows pgloader wrote to its reject files (`<root-dir>/<target>/*.dat`, one line per rejected row). */
function rejectedRows(rootDir) {
  const out = {};
  const walk = (d) => {
    for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
      const f = join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith('.dat')) out[e.name] = readFileSync(f, 'utf8').split('\n').filter(Boolean).length;
    }
  };
  walk(rootDir);
  return out;
}

async function runPgloader(ctx, dataset, round) {
  const { cfg, my, dest } = ctx;
  const target = TARGETS.pgloader;
  await dropDatabases(dest, [target]);
  await quiesce([dest]);
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgloader-'));
  const file = join(dir, 'bench.load');
  const summaryFile = join(dir, 'summary.csv');
  const text = loadFile(ctx, target);
  writeFileSync(file, text);
  const heap = cfg.pgloaderHeapMb ? `, heap ${cfg.pgloaderHeapMb} MB` : '';
  log(`pgloader: ${pgloaderSettings(cfg).slice(7).join(', ')}${heap} (round ${round})`);
  const meter = cpuMeterMy(my, dest);
  const t0 = performance.now();
  let error = null;
  let res = null;
  let proc = { peakRssMb: null, cpuS: null };
  try {
    // the target must exist: creating it is part of the timed run (migrate creates its own)
    await dest.query(`CREATE DATABASE ${target}`);
    const p = start(ctx.pgloader, [...pgloaderArgs(cfg), '--root-dir', join(dir, 'root'), '--summary', summaryFile, file], {
      timeoutMs: cfg.runTimeoutS * 1000,
      env: { TZ: 'UTC' },
    });
    const watch = watchProcess(p.pid);
    res = await p.done;
    proc = watch.stop();
    if (res.timedOut) error = `timed out after ${cfg.runTimeoutS} s (killed)`;
    else if (res.code !== 0) error = `pgloader exited with ${res.code ?? res.signal}: ${pgloaderError(res)}`;
  } catch (err) {
    error = err.message;
  }
  const wallMs = performance.now() - t0;
  const cpu = meter.end();
  const counts = compareCounts(dataset.tables, await destinationCounts(dest, target, dataset.tables));
  const ok = !error;
  const wallS = seconds(wallMs);
  const output = `${res?.out ?? ''}\n${res?.err ?? ''}`;
  const result = {
    round,
    ok,
    failed: !ok,
    timedOut: res?.timedOut ?? false,
    reason: error,
    /** CREATE DATABASE + pgloader (schema, data, indexes, FKs, sequences) */
    wallS,
    pgloaderS: res ? seconds(res.ms) : null,
    rowsPerS: rate(counts.rowsLoaded, wallS),
    ...counts,
    countsMatch: counts.rowsLost === 0 && counts.extraRows === 0,
    process: proc,
    destination: await destinationTypes(dest, target),
    cpu,
    loadAverageAtEnd: load(),
    /** pgloader's own accounting (--summary), next to the counts on the destination */
    summary: readSummary(summaryFile),
    /** rows in pgloader's reject files, per file */
    rejectFiles: rejectedRows(join(dir, 'root')),
    /** what pgloader logged as errors / warnings (rejected rows, casts) */
    errorLines: output
      .split('\n')
      .filter((l) => /\b(ERROR|WARNING|FATAL)\b/.test(l))
      .slice(0, 20),
    ...(ok ? {} : { outputTail: tail(output, 25) }),
  };
  log(
    `pgloader: ${ok ? `${wallS} s, ${result.rowsPerS} rows/s` : `FAILED after ${wallS} s: ${error}`}; ${lossText(counts)}; ` +
      `peak RSS ${proc.peakRssMb} MB, CPU ${proc.cpuS} s`,
  );
  rmSync(dir, { recursive: true, force: true });
  await dropDatabases(dest, [target]);
  return result;
}

const PEERS = { migrate: runMigrate, pgloader: runPgloader };

function pgloaderVersion(bin) {
  const first = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim()
        .split('\n')[0];
    } catch {
      return null;
    }
  };
  return { reports: first(bin, ['--version']), debianPackage: first('dpkg-query', ['-W', '-f', '${Version}', 'pgloader']) };
}

/**
 * The phase: MariaDB started here (stopped at the end), the PostgreSQL
 * destination `ctx.dest` shared with the other phases.
 */
export async function runMysqlToPostgres(ctx) {
  const { cfg, dest } = ctx;
  const noMariaDb = mariaDbAvailable();
  if (noMariaDb) {
    log(`mysql phase skipped: ${noMariaDb}`);
    return { unavailable: true, reason: noMariaDb };
  }
  const pgloader = findPgloader();
  const peers = Object.keys(PEERS).filter((p) => cfg.peers.has(p));
  const results = { jobs: cfg.jobs };
  if (cfg.peers.has('pgloader')) {
    results.pgloaderSettings = {
      version: pgloader ? pgloaderVersion(pgloader) : null,
      with: pgloaderSettings(cfg),
      commandLine: ['pgloader', ...pgloaderArgs(cfg), '--root-dir', '<tmp>', '--summary', '<tmp>/summary.csv', 'bench.load'].join(
        ' ',
      ),
      heapMb: cfg.pgloaderHeapMb || 'build default',
      loadFile: loadFile({ cfg, my: { port: '<mariadb>' }, dest: { port: '<postgres>' } }, TARGETS.pgloader),
      onError: 'pgloader default for MySQL sources (on error resume next): rejected rows are logged and skipped',
    };
    if (!pgloader) {
      log(`pgloader is not installed: the peer is unavailable (install: ${PGLOADER_INSTALL_HINT})`);
      results.pgloader = { unavailable: true, reason: `pgloader not installed: ${PGLOADER_INSTALL_HINT}` };
    }
  }
  const runnable = peers.filter((p) => p !== 'pgloader' || pgloader);

  log(`MariaDB source (innodb-buffer-pool-size ${BUFFER_POOL})`);
  const my = await startMariaDb({ settings: { 'innodb-buffer-pool-size': BUFFER_POOL } });
  const stopMy = onCleanup(() => my.stop(true));
  const [v] = await my.query('SELECT @@version AS v');
  results.source = { version: v.v, port: my.port, innodbBufferPool: BUFFER_POOL };
  try {
    const dataset = await generate(my, cfg);
    results.dataset = dataset;
    log(
      `dataset: ${prettyBytes(dataset.databaseBytes)} (InnoDB data + indexes), ${dataset.totalRows.toLocaleString('en-US')} rows in ${dataset.generationS} s`,
    );
    if (cfg.warmup) {
      log('warm-up: write as much on the destination (untimed, dropped)');
      await warmDestination(dest, dataset.databaseBytes);
    }
    const phaseCtx = { ...ctx, my, pgloader };
    const timedOut = new Set();
    const { all, best } = await interleavedRounds(
      runnable,
      cfg.repeat,
      async (name, round) => {
        const r = await PEERS[name](phaseCtx, dataset, round);
        if (r.timedOut) timedOut.add(name);
        return r;
      },
      (name) => timedOut.has(name),
    );
    Object.assign(results, best);
    for (const name of Object.keys(best)) {
      results[name].roundsRowsLost = all[name].map((r) => r.rowsLost);
      results[name].roundsRowsPerS = all[name].map((r) => (r.ok ? r.rowsPerS : null));
      results[name].roundsPeakRssMb = all[name].map((r) => r.process.peakRssMb);
    }
    if (results.migrate?.ok && results.pgloader?.ok && results.pgloader.rowsPerS)
      results.ratioRowsPerS = Math.round((results.migrate.rowsPerS / results.pgloader.rowsPerS) * 100) / 100;
  } finally {
    stopMy();
    await my.stop(true);
  }
  return results;
}
