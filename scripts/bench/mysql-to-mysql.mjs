// Phase `mysql-mysql`: MySQL/MariaDB → MySQL/MariaDB full migration (schema +
// data + indexes + foreign keys) of one database into a fresh database on a
// second MariaDB server. Three peers, each from the same source server into
// the same destination server, interleaved rounds in alternating order, best
// round of each reported:
//   - migrate: a one-time job through the real CLI (`apply --auto-approve`
//     with its embedded worker, parallelism BENCH_JOBS), destination profile
//     `engine: mysql`;
//   - mydumper + myloader (Debian package `mydumper`), `--threads BENCH_JOBS`
//     both, the dump into a temp directory, then the load: time = dump + load;
//   - `mariadb-dump --single-transaction | mariadb` piped (CREATE DATABASE in
//     its time, as the other two create their own).
// The dataset is the `mysql` phase's (its generator, BENCH_MYSQL_ACCOUNTS and
// BENCH_MYSQL_MIXED_ROWS). After every run the rows of every table are
// counted on the destination and compared with the source (rowsLost), and the
// indexes, foreign keys, column types and CHECKSUM TABLE are compared for the
// record. Rows/s = rows that arrived / wall time. A run that fails (the CLI's
// error, a tool's CRITICAL line, a timeout) is recorded with its reason; the
// bench goes on.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MYSQL_CONTROL_DATABASE } from '../../dist/providers/mysql/mysql-control.js';
import { mariaDbAvailable, startMariaDb } from '../../dist/test/harness/mariadb.js';
import { prettyBytes } from './dataset.mjs';
import { MigrateProject, migratePhases } from './migrate-cli.mjs';
import { generate, MYSQL_DB } from './mysql-to-postgres.mjs';
import { cpuOf, machineCpu, reapedChildrenCpu, watchProcess } from './proc-stats.mjs';
import { interleavedRounds, log, onCleanup, run, seconds, sh, sleep, start, tail } from './util.mjs';

const TARGETS = { migrate: 'mm_migrate', mydumper: 'mm_mydumper', mysqldump: 'mm_mysqldump' };
/** Both servers' InnoDB buffer pool: the dataset (≈ 460 MiB) stays cached on the source, fits on the destination. */
const BUFFER_POOL = '1G';
export const MYDUMPER_INSTALL_HINT = 'apt-get update && apt-get install -y mydumper';
const MARIADB_DUMP = '/usr/bin/mariadb-dump';
const MARIADB_CLIENT = '/usr/bin/mariadb';

const q = (name) => `\`${String(name).replace(/`/g, '``')}\``;
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Tables of `db` on `server` (base tables only). */
async function tablesOf(server, db) {
  const rows = await server.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${lit(db)} AND TABLE_TYPE = 'BASE TABLE'`,
  );
  return new Set(rows.map((r) => r.name));
}

/** Rows of each source table in `db` on the destination; a table that is not there has null. */
async function destinationCounts(dst, db, tables) {
  const have = await tablesOf(dst, db);
  const out = {};
  for (const t of tables) {
    if (!have.has(t.name)) {
      out[t.name] = null;
      continue;
    }
    const [r] = await dst.query(`SELECT COUNT(*) AS n FROM ${q(db)}.${q(t.name)}`);
    out[t.name] = Number(r.n);
  }
  return out;
}

/** Source vs destination counts: rows lost (per table and in all), rows that arrived, extra rows. */
function compareCounts(tables, got) {
  const lostByTable = {};
  let rowsLost = 0;
  let rowsLoaded = 0;
  let extraRows = 0;
  for (const t of tables) {
    const have = got[t.name] ?? 0;
    rowsLoaded += Math.min(have, t.rows);
    if (have < t.rows) {
      lostByTable[t.name] = t.rows - have;
      rowsLost += t.rows - have;
    }
    if (have > t.rows) extraRows += have - t.rows;
  }
  const missingTables = tables.filter((t) => got[t.name] == null).map((t) => t.name);
  return { rowsLost, lostByTable, rowsLoaded, extraRows, missingTables, destinationCounts: got };
}

/**
 * What else arrived, for the record: indexes and foreign keys per table, every column's type, the mixed table's
 * AUTO_INCREMENT, CHECKSUM TABLE per table (the same only when the column types and contents are the same).
 */
async function schemaFacts(server, db, tableNames) {
  try {
    const idx = await server.query(
      `SELECT TABLE_NAME AS t, COUNT(DISTINCT INDEX_NAME) AS n FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = ${lit(db)} GROUP BY TABLE_NAME`,
    );
    const fks = await server.query(
      `SELECT TABLE_NAME AS t, COUNT(*) AS n FROM information_schema.REFERENTIAL_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = ${lit(db)} GROUP BY TABLE_NAME`,
    );
    const cols = await server.query(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS ty, IS_NULLABLE AS n FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = ${lit(db)} ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    );
    const [ai] = await server.query(
      `SELECT AUTO_INCREMENT AS v FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${lit(db)} AND TABLE_NAME = 'mixed'`,
    );
    const have = await tablesOf(server, db);
    const present = tableNames.filter((t) => have.has(t));
    const sums = present.length ? await server.query(`CHECKSUM TABLE ${present.map((t) => `${q(db)}.${q(t)}`).join(', ')}`) : [];
    const byTable = (rows) => Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
    const columns = {};
    for (const r of cols) (columns[r.t] ??= {})[r.c] = `${r.ty}${r.n === 'YES' ? '' : ' NOT NULL'}`;
    return {
      indexes: byTable(idx),
      foreignKeys: byTable(fks),
      columns,
      mixedAutoIncrement: ai?.v == null ? null : Number(ai.v),
      checksums: Object.fromEntries(sums.map((r) => [String(r.Table).split('.').pop(), r.Checksum])),
    };
  } catch (err) {
    return { error: err.message.split('\n')[0] };
  }
}

/** Destination facts vs the source's: which differ (indexes, FKs, columns, checksums). */
function compareSchema(src, dst) {
  if (src.error || dst.error) return { error: src.error ?? dst.error };
  const diffs = [];
  const each = (what, a, b) => {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
        diffs.push(`${what} ${k}: ${JSON.stringify(a[k] ?? null)} → ${JSON.stringify(b[k] ?? null)}`);
  };
  each('indexes', src.indexes, dst.indexes);
  each('foreign keys', src.foreignKeys, dst.foreignKeys);
  for (const t of Object.keys(src.columns)) each(`column ${t}.`, src.columns[t], dst.columns[t] ?? {});
  const checksumDiffs = Object.keys(src.checksums).filter((t) => String(src.checksums[t]) !== String(dst.checksums[t]));
  return {
    indexesMatch: JSON.stringify(src.indexes) === JSON.stringify(dst.indexes),
    foreignKeysMatch: JSON.stringify(src.foreignKeys) === JSON.stringify(dst.foreignKeys),
    schemaDiffs: diffs.slice(0, 40),
    /** CHECKSUM TABLE equal on every table (needs identical column types, so informational) */
    checksumsMatch: checksumDiffs.length === 0,
    checksumDiffs,
    mixedAutoIncrement: dst.mixedAutoIncrement,
  };
}

const pidOf = (server) => {
  try {
    return Number(readFileSync(join(dirname(server.dataDir), 'run', 'mysqld.pid'), 'utf8').trim());
  } catch {
    return null;
  }
};

/** CPU of both MariaDB servers (one process each), of the bench's reaped children (the tools) and of the machine. */
function cpuMeterMyMy(src, dst) {
  const cpu = (server) => {
    const pid = pidOf(server);
    try {
      return pid ? cpuOf(pid).self : 0;
    } catch {
      return 0;
    }
  };
  const t0 = performance.now();
  const m0 = machineCpu();
  const s0 = cpu(src);
  const d0 = cpu(dst);
  const c0 = reapedChildrenCpu() + cpuOf(process.pid).self;
  return {
    end() {
      const r = (x) => Math.round(x * 10) / 10;
      const m1 = machineCpu();
      const s = cpu(src) - s0;
      const d = cpu(dst) - d0;
      const client = reapedChildrenCpu() + cpuOf(process.pid).self - c0;
      const busy = m1.busy - m0.busy;
      return {
        wallS: r((performance.now() - t0) / 1000),
        clientCpuS: r(client),
        sourceServerCpuS: r(s),
        destinationServerCpuS: r(d),
        machineBusyCpuS: r(busy),
        otherCpuS: r(Math.max(0, busy - client - s - d)),
        machineIowaitS: r(m1.iowait - m0.iowait),
      };
    },
  };
}

/**
 * Between runs: the destination writes its dirty pages out (innodb_max_dirty_pages_pct 0 until fewer than 1% of
 * the pool is dirty, at most 60 s), then sync, so one run's writes do not slow the next.
 */
async function quiesceMy(server) {
  const [{ v }] = await server.query('SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS v');
  await server.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const rows = await server.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_total')",
      );
      const s = Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
      if (s.Innodb_buffer_pool_pages_dirty <= s.Innodb_buffer_pool_pages_total / 100) break;
      await sleep(250);
    }
  } finally {
    await server.query(`SET GLOBAL innodb_max_dirty_pages_pct = ${Number(v)}`);
  }
  await run('sync', []);
  await sleep(1000);
}

const dropDb = (server, db) => server.query(`DROP DATABASE IF EXISTS ${q(db)}`);

const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const rate = (rows, s) => (s > 0 ? Math.round(rows / s) : null);

function lossText(c) {
  if (c.rowsLost === 0 && c.extraRows === 0) return 'row counts match (0 rows lost)';
  const parts = Object.entries(c.lostByTable).map(([t, n]) => `${t} −${n}`);
  if (c.extraRows) parts.push(`${c.extraRows} extra rows`);
  return `ROWS LOST: ${c.rowsLost} (${parts.join(', ')})`;
}

/**
 * Counts, schema comparison and the common fields of one run's result; drops the target. A run that exited 0 but
 * lost rows is recorded as failed with that reason.
 */
async function finish(ctx, name, target, round, { ok, reason, wallS, cpu, extra }) {
  const { dst, dataset } = ctx;
  const counts = compareCounts(dataset.tables, await destinationCounts(dst, target, dataset.tables));
  // a run that says it succeeded but did not bring every row is a failed run (never the best round)
  if (ok && (counts.rowsLost > 0 || counts.extraRows > 0)) {
    ok = false;
    reason = `${name} reported success (exit 0${extra.jobStatus ? `, job ${extra.jobStatus}` : ''}) but ${lossText(counts)}`;
  }
  const nothing = counts.missingTables.length === dataset.tables.length;
  const facts = nothing
    ? null
    : await schemaFacts(
        dst,
        target,
        dataset.tables.map((t) => t.name),
      );
  const result = {
    round,
    ok,
    failed: !ok,
    reason,
    wallS,
    rowsPerS: ok ? rate(counts.rowsLoaded, wallS) : null,
    ...counts,
    countsMatch: counts.rowsLost === 0 && counts.extraRows === 0,
    ...extra,
    destination: facts ? compareSchema(ctx.sourceFacts, facts) : { noTables: true },
    cpu,
    loadAverageAtEnd: load(),
  };
  const rss = result.process?.peakRssMb != null ? `; peak RSS ${result.process.peakRssMb} MB, CPU ${result.process.cpuS} s` : '';
  log(
    `${name}: ${ok ? `${wallS} s, ${result.rowsPerS} rows/s` : `FAILED after ${wallS} s: ${reason}`}; ${lossText(counts)}${rss}`,
  );
  await dropDb(dst, target);
  return result;
}

async function runMigrate(ctx, round) {
  const { cfg, my, dst } = ctx;
  const target = TARGETS.migrate;
  await dropDb(dst, target);
  // and migrate's bookkeeping on the destination server (its full-load markers are keyed by target database and
  // job name, and outlive the dropped target): each round is a fresh job into a fresh destination, as the other
  // tools get. Left in place, the next round's new job skips every table as already loaded and ends COMPLETED
  // with 0 rows.
  await dropDb(dst, MYSQL_CONTROL_DATABASE);
  await quiesceMy(dst);
  const project = new MigrateProject({
    sourceProfile: 'engine: mysql, user: root',
    destinationProfile: 'engine: mysql, user: root',
    source: my,
    destination: dst,
    job: 'bench-mysql-mysql',
    type: 'one-time',
    database: MYSQL_DB,
    target,
    parallelism: cfg.jobs,
  });
  project.declare('running');
  log(`migrate: apply, one-time job ${MYSQL_DB} → ${target} (MariaDB → MariaDB), parallelism ${cfg.jobs} (round ${round})`);
  const stderrLines = [];
  const meter = cpuMeterMyMy(my, dst);
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
  // the CLI prints a failed plan on stdout ("error: job.…: …"), with nothing on stderr
  if (reason && !String(res.stderr).trim()) {
    const lines = String(res.output)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const line = lines.find((l) => /^error\b/i.test(l)) ?? lines.pop();
    if (line) reason = reason.replace('no error output', line);
  }
  if (res.ok && job?.status !== 'COMPLETED')
    reason = `job ended as ${job?.status ?? 'unknown'}: ${JSON.stringify(job?.error ?? statusError)}`;
  const ok = !reason;
  project.dispose();
  return finish(ctx, 'migrate', target, round, {
    ok,
    reason,
    wallS: seconds(res.ms),
    cpu,
    extra: {
      timedOut: res.timedOut,
      /** process start → exit of `migrate apply --auto-approve` (plan, CREATE DATABASE, schema, data, indexes, FKs) */
      process: { peakRssMb: res.peakRssMb, cpuS: res.cpuS },
      migratePhases: migratePhases(job),
      planNotes: String(res.output)
        .split('\n')
        .filter((l) => /→|not migrated|warning/i.test(l))
        .slice(0, 40),
      jobStatus: job?.status ?? null,
      ...(statusError ? { statusError } : {}),
      ...(ok ? {} : { stderrTail: tail(res.stderr || res.output, 25) }),
      logLevel: project.env.MIGRATE_LOG,
      ...(project.env.MIGRATE_LOG === 'debug' ? { debugLog: stderrLines } : {}),
    },
  });
}

/** mydumper's and myloader's arguments (the connection first, then the settings that matter). */
function mydumperCommands(cfg, { srcPort, dstPort, dir, defaultsFile, target }) {
  const conn = (port) => ['--defaults-file', defaultsFile, '-h', '127.0.0.1', '-P', String(port), '-u', 'root'];
  const rows = cfg.mydumperRows > 0 ? ['--rows', String(cfg.mydumperRows)] : [];
  return {
    dump: ['mydumper', ...conn(srcPort), '-B', MYSQL_DB, '-o', join(dir, 'dump'), '--threads', String(cfg.jobs), ...rows],
    load: ['myloader', ...conn(dstPort), '-d', join(dir, 'dump'), '-B', target, '--threads', String(cfg.jobs)],
  };
}

/** One line saying why mydumper/myloader failed: its CRITICAL line, or its last one. */
function toolError(res) {
  const lines = `${res.out}\n${res.err}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => /CRITICAL|ERROR/i.test(l)) ?? lines.pop() ?? 'no output').slice(0, 300);
}

function dirBytes(d) {
  let n = 0;
  for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : [])
    n += e.isDirectory() ? dirBytes(join(d, e.name)) : statSync(join(d, e.name)).size;
  return n;
}

/** Run one tool (watched, killed after the timeout); { res, proc, error }. */
async function runTool(cfg, [cmd, ...args], label) {
  const p = start(cmd, args, { timeoutMs: cfg.runTimeoutS * 1000 });
  const watch = watchProcess(p.pid);
  const res = await p.done;
  const proc = watch.stop();
  const error = res.timedOut
    ? `${label} timed out after ${cfg.runTimeoutS} s (killed)`
    : res.code !== 0
      ? `${label} exited with ${res.code ?? res.signal}: ${toolError(res)}`
      : null;
  return { res, proc, error };
}

async function runMydumper(ctx, round) {
  const { cfg, my, dst } = ctx;
  const target = TARGETS.mydumper;
  await dropDb(dst, target);
  await quiesceMy(dst);
  const dir = mkdtempSync(join(tmpdir(), 'bench-mydumper-'));
  const unregister = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  // an empty defaults file: neither tool reads /etc/mysql or ~/.my.cnf
  const defaultsFile = join(dir, 'empty.cnf');
  writeFileSync(defaultsFile, '');
  const cmds = mydumperCommands(cfg, { srcPort: my.port, dstPort: dst.port, dir, defaultsFile, target });
  log(
    `mydumper: --threads ${cfg.jobs}${cfg.mydumperRows ? ` --rows ${cfg.mydumperRows}` : ''}, then myloader --threads ${cfg.jobs} (round ${round})`,
  );
  const meter = cpuMeterMyMy(my, dst);
  const t0 = performance.now();
  const dump = await runTool(cfg, cmds.dump, 'mydumper');
  const dumpS = seconds(dump.res.ms);
  const dumpBytes = dirBytes(join(dir, 'dump'));
  const dumpFiles = existsSync(join(dir, 'dump')) ? readdirSync(join(dir, 'dump')).length : 0;
  const loaded = dump.error ? null : await runTool(cfg, cmds.load, 'myloader');
  const wallS = seconds(performance.now() - t0);
  const cpu = meter.end();
  const error = dump.error ?? loaded?.error ?? null;
  const output = (r) => (r ? `${r.res.out}\n${r.res.err}` : '');
  rmSync(dir, { recursive: true, force: true });
  unregister();
  return finish(ctx, 'mydumper', target, round, {
    ok: !error,
    reason: error,
    wallS,
    cpu,
    extra: {
      timedOut: dump.res.timedOut || (loaded?.res.timedOut ?? false),
      /** mydumper (source → temp dir) + myloader (temp dir → destination, CREATE DATABASE included) */
      dumpS,
      loadS: loaded ? seconds(loaded.res.ms) : null,
      dumpBytes,
      dumpFiles,
      process: {
        peakRssMb: Math.max(dump.proc.peakRssMb, loaded?.proc.peakRssMb ?? 0),
        cpuS: Math.round((dump.proc.cpuS + (loaded?.proc.cpuS ?? 0)) * 10) / 10,
        mydumper: dump.proc,
        myloader: loaded?.proc ?? null,
      },
      warningLines: `${output(dump)}\n${output(loaded)}`
        .split('\n')
        .filter((l) => /WARNING|CRITICAL|ERROR/i.test(l))
        .slice(0, 20),
      ...(error ? { outputTail: tail(`${output(dump)}\n${output(loaded)}`, 25) } : {}),
    },
  });
}

/** The mysqldump pipe: `mariadb-dump … | mariadb …` (no option files read). */
function mysqldumpPipe({ srcPort, dstPort, target }) {
  const conn = (port) => ['--no-defaults', '-h', '127.0.0.1', '-P', String(port), '-u', 'root'];
  const dump = [MARIADB_DUMP, ...conn(srcPort), '--single-transaction', '--default-character-set=utf8mb4', MYSQL_DB];
  const client = [MARIADB_CLIENT, ...conn(dstPort), '--default-character-set=utf8mb4', target];
  return { dump, client, shell: `${dump.map(sh).join(' ')} | ${client.map(sh).join(' ')}` };
}

async function runMysqldump(ctx, round, { warmup = false } = {}) {
  const { cfg, my, dst } = ctx;
  const target = warmup ? 'mm_warmup' : TARGETS.mysqldump;
  await dropDb(dst, target);
  if (!warmup) await quiesceMy(dst);
  const pipe = mysqldumpPipe({ srcPort: my.port, dstPort: dst.port, target });
  if (!warmup) log(`mysqldump: mariadb-dump --single-transaction | mariadb (round ${round})`);
  const meter = cpuMeterMyMy(my, dst);
  const t0 = performance.now();
  let error = null;
  let res = null;
  try {
    // the target must exist: creating it is part of the timed run (the other two create their own)
    await dst.query(`CREATE DATABASE ${q(target)}`);
    res = await start('bash', ['-o', 'pipefail', '-c', pipe.shell], { timeoutMs: cfg.runTimeoutS * 1000 }).done;
    if (res.timedOut) error = `timed out after ${cfg.runTimeoutS} s (killed)`;
    else if (res.code !== 0) error = `mariadb-dump | mariadb exited with ${res.code ?? res.signal}: ${toolError(res)}`;
  } catch (err) {
    error = err.message.split('\n')[0];
  }
  const wallS = seconds(performance.now() - t0);
  const cpu = meter.end();
  if (warmup) {
    await dropDb(dst, target);
    return { ok: !error, reason: error, wallS };
  }
  return finish(ctx, 'mysqldump', target, round, {
    ok: !error,
    reason: error,
    wallS,
    cpu,
    extra: {
      timedOut: res?.timedOut ?? false,
      /** CREATE DATABASE + mariadb-dump | mariadb */
      pipeS: res ? seconds(res.ms) : null,
      ...(error ? { outputTail: tail(`${res?.out ?? ''}\n${res?.err ?? ''}`, 25) } : {}),
    },
  });
}

const PEERS = { migrate: runMigrate, mydumper: runMydumper, mysqldump: runMysqldump };

function firstLine(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0];
  } catch {
    return null;
  }
}

const onPath = (bin) =>
  [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin'].map((d) => join(d, bin)).find((p) => existsSync(p)) ??
  null;

/** Server settings that shape a load, as each server runs with them. */
async function serverSettings(server) {
  const names = [
    'version',
    'innodb_buffer_pool_size',
    'innodb_log_file_size',
    'innodb_flush_log_at_trx_commit',
    'innodb_flush_method',
    'innodb_doublewrite',
    'innodb_autoinc_lock_mode',
    'log_bin',
    'sync_binlog',
    'max_allowed_packet',
    'character_set_server',
    'collation_server',
  ];
  const [row] = await server.query(`SELECT ${names.map((n) => `@@GLOBAL.${n} AS ${n}`).join(', ')}`);
  return row;
}

/** The phase: two MariaDB servers started here (source, destination), stopped at the end. */
export async function runMysqlToMysql(ctx) {
  const { cfg } = ctx;
  const noMariaDb = mariaDbAvailable();
  if (noMariaDb) {
    log(`mysql-mysql phase skipped: ${noMariaDb}`);
    return { unavailable: true, reason: noMariaDb };
  }
  const peers = Object.keys(PEERS).filter((p) => cfg.peers.has(p));
  const results = { jobs: cfg.jobs };
  const mydumperBin = onPath('mydumper');
  const myloaderBin = onPath('myloader');
  const unavailable = new Set();
  if (peers.includes('mydumper')) {
    const cmds = mydumperCommands(cfg, {
      srcPort: '<source>',
      dstPort: '<destination>',
      dir: '<tmp>',
      defaultsFile: '<tmp>/empty.cnf',
      target: TARGETS.mydumper,
    });
    results.mydumperSettings = {
      version: {
        mydumper: mydumperBin && firstLine(mydumperBin, ['--version']),
        myloader: myloaderBin && firstLine(myloaderBin, ['--version']),
        debianPackage: firstLine('dpkg-query', ['-W', '-f', '${Version}', 'mydumper']),
      },
      threads: cfg.jobs,
      rows: cfg.mydumperRows || 'off (one file per table)',
      dumpCommand: cmds.dump.join(' '),
      loadCommand: cmds.load.join(' '),
      notes:
        'defaults otherwise: mydumper --statement-size 1000000, consistent snapshot (FLUSH TABLES WITH READ LOCK, then START TRANSACTION WITH CONSISTENT SNAPSHOT per thread), uncompressed; myloader --queries-per-transaction 1000, binary log off for the load, CREATE DATABASE by myloader; time = dump + load',
    };
    if (!mydumperBin || !myloaderBin) {
      log(`mydumper/myloader not installed: the peer is unavailable (install: ${MYDUMPER_INSTALL_HINT})`);
      results.mydumper = { unavailable: true, reason: `mydumper not installed: ${MYDUMPER_INSTALL_HINT}` };
      unavailable.add('mydumper');
    }
  }
  if (peers.includes('mysqldump')) {
    const pipe = mysqldumpPipe({ srcPort: '<source>', dstPort: '<destination>', target: TARGETS.mysqldump });
    results.mysqldumpSettings = {
      version: { dump: firstLine(MARIADB_DUMP, ['--version']), client: firstLine(MARIADB_CLIENT, ['--version']) },
      commandLine: `bash -o pipefail -c "${pipe.dump.join(' ')} | ${pipe.client.join(' ')}"`,
      notes:
        'after CREATE DATABASE (timed); mariadb-dump defaults otherwise (--opt: extended inserts, --quick, --disable-keys, --set-charset, --tz-utc; FOREIGN_KEY_CHECKS=0 and UNIQUE_CHECKS=0 in the dump)',
    };
    if (!existsSync(MARIADB_DUMP) || !existsSync(MARIADB_CLIENT)) {
      results.mysqldump = {
        unavailable: true,
        reason: `${MARIADB_DUMP} or ${MARIADB_CLIENT} missing: apt-get install -y mariadb-client`,
      };
      unavailable.add('mysqldump');
    }
  }
  const runnable = peers.filter((p) => !unavailable.has(p));

  log(`MariaDB source and destination (innodb-buffer-pool-size ${BUFFER_POOL} each; destination without binary log)`);
  const [my, dst] = await Promise.all([
    startMariaDb({ settings: { 'innodb-buffer-pool-size': BUFFER_POOL } }),
    startMariaDb({ binlog: false, settings: { 'innodb-buffer-pool-size': BUFFER_POOL } }),
  ]);
  const stop = onCleanup(() => Promise.all([my.stop(true), dst.stop(true)]));
  results.source = { port: my.port, ...(await serverSettings(my)) };
  results.destination = { port: dst.port, ...(await serverSettings(dst)) };
  try {
    // the `mysql` phase's generator: both phases move the same data
    const dataset = await generate(my, cfg);
    results.dataset = dataset;
    log(
      `dataset: ${prettyBytes(dataset.databaseBytes)} (InnoDB data + indexes), ${dataset.totalRows.toLocaleString('en-US')} rows in ${dataset.generationS} s`,
    );
    const sourceFacts = await schemaFacts(
      my,
      MYSQL_DB,
      dataset.tables.map((t) => t.name),
    );
    results.sourceSchema = sourceFacts;
    const phaseCtx = { ...ctx, my, dst, dataset, sourceFacts };
    if (cfg.warmup && existsSync(MARIADB_DUMP)) {
      log('warm-up: one untimed mariadb-dump | mariadb into the destination (dropped)');
      const w = await runMysqldump(phaseCtx, 0, { warmup: true });
      log(`warm-up: ${w.ok ? `${w.wallS} s` : `failed: ${w.reason}`}`);
    }
    const timedOut = new Set();
    const { all, best } = await interleavedRounds(
      runnable,
      cfg.repeat,
      async (name, round) => {
        const r = await PEERS[name](phaseCtx, round);
        if (r.timedOut) timedOut.add(name);
        return r;
      },
      (name) => timedOut.has(name),
    );
    Object.assign(results, best);
    for (const name of Object.keys(best)) {
      results[name].roundsRowsLost = all[name].map((r) => r.rowsLost);
      results[name].roundsRowsPerS = all[name].map((r) => (r.ok ? r.rowsPerS : null));
      results[name].roundsPeakRssMb = all[name].map((r) => r.process?.peakRssMb ?? null);
      results[name].roundsReasons = all[name].map((r) => r.reason);
      if (name === 'mydumper') {
        results[name].roundsDumpS = all[name].map((r) => r.dumpS);
        results[name].roundsLoadS = all[name].map((r) => r.loadS);
      }
    }
    const ratio = (peer) =>
      results.migrate?.ok && results[peer]?.ok ? Math.round((results.migrate.wallS / results[peer].wallS) * 100) / 100 : null;
    /** migrate wall time / the peer's (best rounds): < 1 = migrate faster */
    results.ratioToMydumper = ratio('mydumper');
    results.ratioToMysqldump = ratio('mysqldump');
  } finally {
    stop();
    await Promise.all([my.stop(true), dst.stop(true)]);
  }
  return results;
}
