// Phase `mysql-cdc`: MariaDB → MariaDB change data capture. migrate's
// continuous job (both profiles `engine: mysql`; `migrate apply` — initial
// full dump, returns once streaming — then `migrate worker`) against a native
// MariaDB replica (CHANGE MASTER TO … MASTER_USE_GTID = no at the source's
// binlog file/position taken before the database was created, so the replica
// replicates everything, schema and initial rows included; START SLAVE), both
// fed by the same write load on one source. Three throwaway MariaDB servers
// (test/harness/mariadb.ts): the source (binary log, ROW), migrate's
// destination and the replica (no binary log, same settings).
//
// Write load: one mysql2 connection sending transactions (one round trip each:
// INSERT orders + 2 items, UPDATE customers, UPDATE orders, DELETE the oldest
// order and its items) at BENCH_MYSQL_CDC_TPS for BENCH_CDC_SECONDS, and a
// second connection updating the heartbeat row hb(id = 1, n, ts DATETIME(6))
// every 100 ms (ts = the client's clock when sent). Every BENCH_SAMPLE_MS a
// sampler reads hb on each destination: lag = sample time − ts visible there
// (includes the heartbeat's own age, 0–100 ms); `staleMs` = sample time − the
// time the first heartbeat the destination does not show yet was written (0
// when it shows the latest): how long it has been missing source changes.
//
// Backlog: the migrate worker gets SIGTERM and the replica STOP SLAVE
// SQL_THREAD (its IO thread still fetches, like a paused consumer), the same
// load runs for BENCH_BACKLOG_SECONDS, then each consumer is resumed in turn
// (replica: START SLAVE SQL_THREAD; migrate: a new `migrate worker`) with the
// source idle, and timed until its hb shows the last value written (the last
// transaction of the source) — then row counts. At the end row counts and
// CHECKSUM TABLE of every table are compared source vs both destinations.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import { mariaDbAvailable, startMariaDb } from '../../dist/test/harness/mariadb.js';
import { MigrateProject } from './migrate-cli.mjs';
import { cpuOf, machineCpu } from './proc-stats.mjs';
import { log, onCleanup, percentile, seconds, sleep, tail } from './util.mjs';

const DB = 'bench_cdc';
const TABLES = ['customers', 'orders', 'items', 'hb'];
const HEARTBEAT_MS = 100;
const CATCH_UP_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 50;
/** A positive integer setting (environment), else `dflt`. */
const envInt = (name, dflt) => {
  const v = Number(process.env[name]);
  return process.env[name] && Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
};

const SCHEMA_SQL = `
CREATE TABLE customers (
  id      int NOT NULL PRIMARY KEY,
  name    varchar(100) NOT NULL,
  balance bigint NOT NULL,
  updated datetime(6) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE orders (
  id          bigint NOT NULL PRIMARY KEY,
  customer_id int NOT NULL,
  amount      decimal(12,2) NOT NULL,
  status      enum('new','paid','shipped','returned') NOT NULL,
  note        varchar(200),
  created     datetime(6) NOT NULL,
  updated     datetime(6) NOT NULL,
  KEY orders_customer (customer_id)
) ENGINE=InnoDB;
CREATE TABLE items (
  id       bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id bigint NOT NULL,
  sku      varchar(32) NOT NULL,
  qty      int NOT NULL,
  price    decimal(10,2) NOT NULL,
  KEY items_order (order_id)
) ENGINE=InnoDB;
CREATE TABLE hb (
  id int NOT NULL PRIMARY KEY,
  n  bigint NOT NULL,
  ts datetime(6) NOT NULL
) ENGINE=InnoDB;
`;

function dataSql(orders) {
  const customers = Math.max(1, Math.floor(orders / 20));
  return [
    `INSERT INTO customers SELECT seq, CONCAT('customer-', seq), 0, NOW(6) FROM seq_1_to_${customers}`,
    `INSERT INTO orders SELECT seq, 1 + seq % ${customers}, (seq * 7919 % 100000) / 100,
            ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'returned'), CONCAT('order ', seq, ' ', REPEAT('x', seq % 50)),
            NOW(6), NOW(6) FROM seq_1_to_${orders}`,
    `INSERT INTO items (order_id, sku, qty, price)
       SELECT 1 + (seq - 1) DIV 2, CONCAT('SKU-', seq % 1000), 1 + seq % 5, (seq % 10000) / 100 FROM seq_1_to_${orders * 2}`,
    `INSERT INTO hb VALUES (1, 0, NOW(6))`,
  ];
}

const connect = (server, db = DB) =>
  mysql.createConnection({
    host: '127.0.0.1',
    port: server.port,
    user: 'root',
    database: db,
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
  });

/** DATETIME(6) text of an epoch-ms time (UTC). */
const sqlTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const parseTime = (s) => Date.parse(`${String(s).replace(' ', 'T')}Z`);

/**
 * The source's write load. `run(secs)`: data transactions at `tps` for `secs` and the heartbeat every 100 ms;
 * after the last data transaction, one final heartbeat (so hb = last n means every transaction arrived).
 */
async function startWriter(source, { tps, orders }) {
  const data = await connect(source);
  const beat = await connect(source);
  await data.query("SET SESSION time_zone = '+00:00'");
  await beat.query("SET SESSION time_zone = '+00:00'");
  const customers = Math.max(1, Math.floor(orders / 20));
  const [[m]] = await data.query('SELECT COALESCE(MAX(id), 0) AS hi, COALESCE(MIN(id), 1) AS lo FROM orders');
  let nextId = Number(m.hi) + 1;
  let oldest = Number(m.lo);
  const [[h]] = await beat.query('SELECT n FROM hb WHERE id = 1');
  let n = Number(h.n);
  /** n → epoch ms the heartbeat was sent with */
  const beats = new Map();
  let seed = 12345;
  const rnd = (k) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const heartbeat = async () => {
    const t = Date.now();
    n += 1;
    beats.set(n, t);
    await beat.query(`UPDATE hb SET n = ${n}, ts = '${sqlTime(t)}' WHERE id = 1`);
    return n;
  };
  const tx = async () => {
    const id = nextId++;
    const del = oldest++;
    const live = nextId - oldest;
    const upd = oldest + rnd(Math.max(1, live));
    const sql = `START TRANSACTION;
INSERT INTO orders VALUES (${id}, ${1 + rnd(customers)}, ${rnd(100000) / 100}, 'new', 'order ${id} ${'y'.repeat(rnd(50))}', NOW(6), NOW(6));
INSERT INTO items (order_id, sku, qty, price) VALUES (${id}, 'SKU-${rnd(1000)}', ${1 + rnd(5)}, ${rnd(10000) / 100}), (${id}, 'SKU-${rnd(1000)}', ${1 + rnd(5)}, ${rnd(10000) / 100});
UPDATE customers SET balance = balance + ${rnd(2001) - 1000}, updated = NOW(6) WHERE id = ${1 + rnd(customers)};
UPDATE orders SET status = '${['paid', 'shipped', 'returned'][rnd(3)]}', updated = NOW(6) WHERE id = ${upd};
DELETE FROM items WHERE order_id = ${del};
DELETE FROM orders WHERE id = ${del};
COMMIT`;
    const [res] = await data.query(sql);
    return res.reduce((a, r) => a + (r?.affectedRows ?? 0), 0);
  };
  return {
    beats,
    lastN: () => n,
    heartbeat,
    async run(secs) {
      const t0 = performance.now();
      const end = t0 + secs * 1000;
      let stopBeat = false;
      const beatLoop = (async () => {
        while (!stopBeat) {
          const next = performance.now() + HEARTBEAT_MS;
          await heartbeat();
          await sleep(Math.max(0, next - performance.now()));
        }
      })();
      let transactions = 0;
      let rowChanges = 0;
      let behindMs = 0;
      for (let i = 0; ; i++) {
        const due = t0 + (i * 1000) / tps;
        if (due >= end) break;
        const now = performance.now();
        if (due > now) await sleep(due - now);
        else behindMs = Math.max(behindMs, now - due);
        rowChanges += await tx();
        transactions++;
      }
      const loadS = (performance.now() - t0) / 1000;
      stopBeat = true;
      await beatLoop;
      const last = await heartbeat();
      return {
        transactions,
        rowChanges,
        loadS: Math.round(loadS * 10) / 10,
        tps: Math.round(transactions / loadS),
        rowChangesPerS: Math.round(rowChanges / loadS),
        /** how far the writer fell behind its schedule at worst (0: it kept the rate) */
        maxBehindMs: Math.round(behindMs),
        lastHeartbeat: last,
      };
    },
    async close() {
      await data.end().catch(() => undefined);
      await beat.end().catch(() => undefined);
    },
  };
}

/** Reads hb on one destination every `intervalMs`: samples { t (epoch ms), n, ts (epoch ms) }. */
async function startHbSampler(server, intervalMs) {
  const conn = await connect(server, undefined);
  const samples = [];
  let running = true;
  let failure = null;
  const loop = (async () => {
    while (running) {
      const next = performance.now() + intervalMs;
      try {
        const before = Date.now();
        const [rows] = await conn.query(`SELECT n, ts FROM ${DB}.hb WHERE id = 1`);
        const t = (before + Date.now()) / 2;
        if (rows.length) samples.push({ t, n: Number(rows[0].n), ts: parseTime(rows[0].ts) });
      } catch (err) {
        failure = err;
      }
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    samples,
    failure: () => failure,
    async stop() {
      running = false;
      await loop;
      await conn.end().catch(() => undefined);
    },
  };
}

/** Lag statistics of the samples in [from, to] (epoch ms); `beats`: n → time sent. */
function lagStats(samples, from, to, beats) {
  const lag = [];
  const stale = [];
  let maxAt = null;
  let maxLag = -1;
  const sent = [...beats.entries()].sort((a, b) => a[0] - b[0]);
  for (const s of samples) {
    if (s.t < from || s.t > to) continue;
    const l = Math.max(0, s.t - s.ts);
    lag.push(l);
    if (l > maxLag) {
      maxLag = l;
      maxAt = s.t;
    }
    // the first heartbeat after the one visible: sent before the sample → stale since then
    const nextSent = beats.get(s.n + 1);
    stale.push(nextSent != null && nextSent < s.t ? s.t - nextSent : 0);
  }
  const r = (x) => (x == null ? null : Math.round(x));
  return {
    samples: lag.length,
    heartbeatsSent: sent.filter(([, t]) => t >= from && t <= to).length,
    p50Ms: r(percentile(lag, 50)),
    p90Ms: r(percentile(lag, 90)),
    p95Ms: r(percentile(lag, 95)),
    p99Ms: r(percentile(lag, 99)),
    maxMs: r(lag.length ? Math.max(...lag) : null),
    maxAtS: maxAt === null ? null : Math.round((maxAt - from) / 100) / 10,
    staleP50Ms: r(percentile(stale, 50)),
    staleP95Ms: r(percentile(stale, 95)),
    staleP99Ms: r(percentile(stale, 99)),
    staleMaxMs: r(stale.length ? Math.max(...stale) : null),
  };
}

/** Poll hb on `server` every POLL_MS until n ≥ `n`; resolves with { at: epoch ms, firstMoveAt } . */
async function waitHeartbeat(server, n, timeoutMs, { from } = {}) {
  const conn = await connect(server, undefined);
  const t0 = Date.now();
  let firstMoveAt = null;
  try {
    for (;;) {
      const [rows] = await conn.query(`SELECT n FROM ${DB}.hb WHERE id = 1`).catch(() => [[]]);
      const now = Date.now();
      const seen = rows.length ? Number(rows[0].n) : -1;
      if (from != null && firstMoveAt === null && seen > from) firstMoveAt = now;
      if (seen >= n) return { at: now, firstMoveAt: firstMoveAt ?? now };
      if (now - t0 > timeoutMs)
        throw new Error(`heartbeat ${n} not seen on :${server.port} within ${timeoutMs / 1000} s (at ${seen})`);
      await sleep(POLL_MS);
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** Row counts and CHECKSUM TABLE of every table of DB on `server` ({ table: { rows, checksum } }; null: missing). */
async function contentOf(server) {
  const out = {};
  for (const t of TABLES) {
    try {
      const [c] = await server.query(`SELECT COUNT(*) AS n FROM ${DB}.${t}`);
      const [k] = await server.query(`CHECKSUM TABLE ${DB}.${t}`);
      out[t] = { rows: Number(c.n), checksum: k.Checksum == null ? null : String(k.Checksum) };
    } catch (err) {
      out[t] = { rows: null, checksum: null, error: err.message.split('\n')[0] };
    }
  }
  return out;
}

function compareContent(src, dst) {
  let rowsLost = 0;
  let extraRows = 0;
  const diffs = [];
  for (const t of TABLES) {
    const a = src[t];
    const b = dst[t];
    const have = b?.rows ?? 0;
    if (have < a.rows) rowsLost += a.rows - have;
    if (have > a.rows) extraRows += have - a.rows;
    if (b?.rows !== a.rows) diffs.push(`${t}: rows ${a.rows} vs ${b?.rows ?? 'missing'}`);
    else if (b.checksum !== a.checksum) diffs.push(`${t}: CHECKSUM TABLE ${a.checksum} vs ${b.checksum}`);
  }
  return {
    rowsLost,
    extraRows,
    countsMatch: rowsLost === 0 && extraRows === 0,
    checksumsMatch: TABLES.every((t) => src[t].checksum === dst[t]?.checksum),
    diffs,
    destination: dst,
  };
}

/** CPU seconds of a harness MariaDB server (mariadbd: one process). */
function mariaCpu(server) {
  try {
    const pid = Number(readFileSync(join(dirname(server.dataDir), 'run', 'mysqld.pid'), 'utf8').trim());
    return cpuOf(pid).self;
  } catch {
    return 0;
  }
}

function cpuMeter(servers, worker) {
  const m0 = machineCpu();
  const s0 = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, mariaCpu(s)]));
  const w0 = worker?.()?.cpuS ?? 0;
  const c0 = cpuOf(process.pid).self;
  const t0 = performance.now();
  return {
    end() {
      const r = (x) => Math.round(x * 10) / 10;
      const out = { wallS: r((performance.now() - t0) / 1000) };
      for (const [k, s] of Object.entries(servers)) out[`${k}ServerCpuS`] = r(mariaCpu(s) - s0[k]);
      out.workerCpuS = worker ? r((worker()?.cpuS ?? 0) - w0) : null;
      out.benchProcessCpuS = r(cpuOf(process.pid).self - c0);
      out.machineBusyCpuS = r(machineCpu().busy - m0.busy);
      return out;
    },
  };
}

async function serverFacts(server) {
  const [v] = await server.query(
    `SELECT @@version AS version, @@server_id AS serverId, @@log_bin AS logBin, @@binlog_format AS binlogFormat,
            @@innodb_buffer_pool_size AS bufferPool, @@innodb_flush_log_at_trx_commit AS flushLogAtTrxCommit,
            @@sync_binlog AS syncBinlog, @@slave_parallel_threads AS slaveParallelThreads,
            @@slave_parallel_mode AS slaveParallelMode`,
  );
  return { port: server.port, ...v };
}

export async function runMysqlCdc(ctx) {
  const { cfg } = ctx;
  const unavailable = mariaDbAvailable();
  if (unavailable) {
    log(`mysql-cdc phase skipped: ${unavailable}`);
    return { unavailable: true, reason: unavailable };
  }
  const tps = envInt('BENCH_MYSQL_CDC_TPS', 200);
  const orders = envInt('BENCH_MYSQL_CDC_ROWS', 200_000);
  const replicaThreads = Number(process.env.BENCH_REPLICA_PARALLEL_THREADS ?? 0) || 0;
  const results = {
    settings: {
      tps,
      initialOrders: orders,
      initialItems: orders * 2,
      initialCustomers: Math.max(1, Math.floor(orders / 20)),
      rowChangesPerTransaction: 8,
      heartbeatMs: HEARTBEAT_MS,
      sampleMs: cfg.sampleMs,
      cdcSeconds: cfg.cdcSeconds,
      backlogSeconds: cfg.backlogSeconds,
      parallelism: cfg.jobs,
      replicaParallelThreads: replicaThreads,
    },
    migrate: { peer: 'migrate' },
    replica: { peer: 'replica' },
  };
  log('three MariaDB servers: source (binary log), migrate destination, native replica (no binary log)');
  const [src, dst, rep] = await Promise.all([
    startMariaDb(),
    startMariaDb({ binlog: false }),
    startMariaDb({
      binlog: false,
      settings: {
        'server-id': String(2 + (process.pid % 1000)),
        'relay-log': 'relay',
        ...(replicaThreads ? { 'slave-parallel-threads': String(replicaThreads) } : {}),
      },
    }),
  ]);
  const stopServers = onCleanup(() => Promise.all([src.stop(true), dst.stop(true), rep.stop(true)]));
  let writer = null;
  let worker = null;
  const samplers = {};
  const workerRuns = [];
  const stopWorker = async () => {
    if (!worker) return null;
    const w = worker;
    worker = null;
    const r = await w.stop();
    workerRuns.push(r);
    return r;
  };
  try {
    results.source = await serverFacts(src);
    results.destination = await serverFacts(dst);
    results.replicaServer = await serverFacts(rep);

    // the replica starts at the source's position before the database exists: it replicates everything
    const [pos] = await src.query('SHOW MASTER STATUS');
    await rep.query(
      `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${src.port}, MASTER_USER = 'root', MASTER_PASSWORD = '',
         MASTER_LOG_FILE = '${pos.File}', MASTER_LOG_POS = ${pos.Position}, MASTER_USE_GTID = no; START SLAVE`,
    );
    results.replica.startPosition = { file: pos.File, position: Number(pos.Position) };

    const tGen = performance.now();
    await src.query(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
    await src.query(`SET SESSION time_zone = '+00:00'; ${SCHEMA_SQL}`, DB);
    for (const sql of dataSql(orders)) await src.query(`SET SESSION time_zone = '+00:00'; ${sql}`, DB);
    results.initialDataS = seconds(performance.now() - tGen);
    const [end] = await src.query('SHOW MASTER STATUS');
    const tRep = performance.now();
    const [w] = await rep.query(`SELECT MASTER_POS_WAIT('${end.File}', ${end.Position}, 600) AS r`);
    if (Number(w.r) < 0 || w.r == null) throw new Error(`replica did not reach ${end.File}:${end.Position} (${w.r})`);
    results.replica.initialReplicationS = seconds(performance.now() - tRep);
    log(
      `initial data: ${orders} orders, ${orders * 2} items, ${results.settings.initialCustomers} customers in ${results.initialDataS} s; replica applied it ${results.replica.initialReplicationS} s later`,
    );

    const project = new MigrateProject({
      sourceProfile: 'engine: mysql, user: root',
      destinationProfile: 'engine: mysql, user: root',
      source: src,
      destination: dst,
      job: 'bench-mysql-cdc',
      type: 'continuous',
      database: DB,
      target: DB,
      parallelism: cfg.jobs,
    });
    project.declare('running');
    log('migrate: continuous job, apply --auto-approve (initial full dump, returns once streaming)');
    const initial = await project.apply();
    results.migrate.initialApply = { wallS: seconds(initial.ms), peakRssMb: initial.peakRssMb, cpuS: initial.cpuS };
    log(`migrate: streaming after ${results.migrate.initialApply.wallS} s; starting \`migrate worker\``);
    worker = project.startWorker();

    writer = await startWriter(src, { tps, orders });
    const first = await writer.heartbeat();
    await Promise.all([waitHeartbeat(dst, first, 120_000), waitHeartbeat(rep, first, 120_000)]);
    samplers.migrate = await startHbSampler(dst, cfg.sampleMs);
    samplers.replica = await startHbSampler(rep, cfg.sampleMs);
    await sleep(2000);

    // ---- CDC under load: both consumers at once, same source writes ----
    log(`load: ${tps} transactions/s (8 row changes each) for ${cfg.cdcSeconds} s, heartbeat every ${HEARTBEAT_MS} ms`);
    const meter = cpuMeter({ source: src, destination: dst, replica: rep }, () => worker?.watch.result());
    const tStart = Date.now();
    const load = await writer.run(cfg.cdcSeconds);
    const tEnd = Date.now();
    const drained = {};
    await Promise.all(
      [
        ['migrate', dst],
        ['replica', rep],
      ].map(async ([k, server]) => {
        drained[k] = await waitHeartbeat(server, load.lastHeartbeat, CATCH_UP_TIMEOUT_MS);
      }),
    );
    results.cdcCpu = meter.end();
    results.cdcLoad = load;
    for (const k of ['migrate', 'replica']) {
      results[k].cdc = {
        lagDuringLoad: lagStats(samplers[k].samples, tStart, tEnd, writer.beats),
        /** load end → the destination shows the last heartbeat (written after the last transaction) */
        drainAfterLoadS: seconds(drained[k].at - tEnd),
        samplerError: samplers[k].failure()?.message ?? null,
      };
      const l = results[k].cdc.lagDuringLoad;
      log(
        `${k}: lag p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms (stale p99 ${l.staleP99Ms} ms); drained ${results[k].cdc.drainAfterLoadS} s after the load`,
      );
    }
    log(
      `load: ${load.transactions} transactions, ${load.rowChanges} row changes (${load.rowChangesPerS}/s), behind schedule at most ${load.maxBehindMs} ms`,
    );
    const status = await project.status().catch(() => null);
    results.migrate.cdc.statusLatencyMs = status?.databases?.[0]?.latencyMs ?? null;
    results.migrate.cdc.statusAppliedChanges = status?.databases?.[0]?.appliedChanges ?? null;

    // ---- backlog: both consumers paused, the same load, then each resumed in turn ----
    log(`backlog: SIGTERM the migrate worker, STOP SLAVE SQL_THREAD on the replica, load for ${cfg.backlogSeconds} s`);
    const stopped = await stopWorker();
    results.migrate.firstWorker = { peakRssMb: stopped.peakRssMb, cpuS: stopped.cpuS };
    if (process.env.MIGRATE_LOG === 'debug') results.migrate.firstWorkerLogTail = tail(stopped.output, 200);
    await rep.query('STOP SLAVE SQL_THREAD');
    const [mBefore] = await src.query('SHOW MASTER STATUS');
    const backlog = await writer.run(cfg.backlogSeconds);
    const [mAfter] = await src.query('SHOW MASTER STATUS');
    results.backlogLoad = {
      ...backlog,
      binlogBytes: mAfter.File === mBefore.File ? Number(mAfter.Position) - Number(mBefore.Position) : null,
    };
    const sourceContent = await contentOf(src);
    const [io] = await rep.query('SHOW SLAVE STATUS');
    results.replica.ioThreadDuringBacklog = {
      running: io.Slave_IO_Running,
      readPos: `${io.Master_Log_File}:${io.Read_Master_Log_Pos}`,
    };

    log('replica: START SLAVE SQL_THREAD (source idle)');
    const rMeter = cpuMeter({ source: src, replica: rep });
    const r0 = Date.now();
    await rep.query('START SLAVE SQL_THREAD');
    const rDone = await waitHeartbeat(rep, backlog.lastHeartbeat, CATCH_UP_TIMEOUT_MS, { from: load.lastHeartbeat });
    results.replica.catchUp = {
      catchUpS: seconds(rDone.at - r0),
      changesPerS: Math.round(backlog.rowChanges / ((rDone.at - r0) / 1000)),
      firstChangeS: seconds(rDone.firstMoveAt - r0),
      cpu: rMeter.end(),
    };
    log(`replica: caught up in ${results.replica.catchUp.catchUpS} s (${results.replica.catchUp.changesPerS} changes/s)`);

    log('migrate: start a new `migrate worker` (source idle)');
    const mMeter = cpuMeter({ source: src, destination: dst }, () => worker?.watch.result());
    const m0 = Date.now();
    worker = project.startWorker();
    const mDone = await waitHeartbeat(dst, backlog.lastHeartbeat, CATCH_UP_TIMEOUT_MS, { from: load.lastHeartbeat });
    results.migrate.catchUp = {
      catchUpS: seconds(mDone.at - m0),
      changesPerS: Math.round(backlog.rowChanges / ((mDone.at - m0) / 1000)),
      /** worker spawn → the first backlog change visible (node start, lease, binlog connect) */
      firstChangeS: seconds(mDone.firstMoveAt - m0),
      streamingS: seconds(mDone.at - mDone.firstMoveAt),
      cpu: mMeter.end(),
    };
    log(
      `migrate: caught up in ${results.migrate.catchUp.catchUpS} s (${results.migrate.catchUp.changesPerS} changes/s; first change after ${results.migrate.catchUp.firstChangeS} s)`,
    );

    await sleep(1000);
    results.sourceContent = sourceContent;
    for (const [k, server] of [
      ['migrate', dst],
      ['replica', rep],
    ]) {
      results[k].content = compareContent(sourceContent, await contentOf(server));
      const c = results[k].content;
      log(
        `${k}: ${c.countsMatch ? 'row counts equal (0 rows lost)' : `ROWS DIFFER: ${c.rowsLost} lost, ${c.extraRows} extra`}; CHECKSUM TABLE ${c.checksumsMatch ? 'equal' : `DIFFERS: ${c.diffs.join('; ')}`}`,
      );
    }
    const last = await stopWorker();
    results.migrate.worker = {
      peakRssMb: Math.max(...workerRuns.map((r) => r.peakRssMb)),
      cpuS: Math.round(workerRuns.reduce((a, r) => a + r.cpuS, 0) * 10) / 10,
      runs: workerRuns.map((r) => ({ peakRssMb: r.peakRssMb, cpuS: r.cpuS })),
    };
    if (process.env.MIGRATE_LOG === 'debug') results.migrate.secondWorkerLogTail = tail(last.output, 200);
    log(`migrate: worker peak RSS ${results.migrate.worker.peakRssMb} MB`);
    project.dispose();
  } catch (err) {
    results.error = err.message;
    log(`mysql-cdc FAILED: ${tail(err.message, 10)}`);
    const w = await stopWorker().catch(() => null);
    if (w) results.migrate.workerLog = tail(w.output, 60);
  } finally {
    for (const s of Object.values(samplers)) await s.stop();
    await writer?.close();
    await stopWorker().catch(() => undefined);
    stopServers();
    await Promise.all([src.stop(true), dst.stop(true), rep.stop(true)]);
  }
  return results;
}
