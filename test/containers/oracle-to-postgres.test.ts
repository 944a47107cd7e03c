import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { containerRuntimeUnavailable } from '../harness/mysql-container.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';
import {
  ORACLE_PASSWORD_ENV,
  oracleImage,
  startOracleContainer,
  type OracleContainerServer,
} from '../fixtures/oracle-container.js';

/**
 * Oracle Free (a container: `ORACLE_IMAGE`, default
 * gvenzl/oracle-free:23-slim-faststart, ARCHIVELOG switched on as SYSDBA)
 * → PostgreSQL 17 through the real CLI: every Oracle type the map takes
 * arrives exactly (NUMBER beyond 2^53, DATE with its time, TIMESTAMP(9) with
 * and without zone, INTERVAL, CLOB/NCLOB/BLOB, RAW, BINARY_FLOAT/DOUBLE, the
 * empty string as NULL), a continuous job dumps AS OF one SCN, mines the
 * redo with LogMiner under writes (long and interleaved transactions,
 * rollbacks), survives kill -9 of its worker, promotes, verify equal.
 *
 * Skipped, with the reason, without a container runtime (set
 * MIGRATE_CONTAINERS_REQUIRED=1 to make that an error, e.g. in a CI that
 * has Docker).
 */
const IMAGE = oracleImage();
const SKIP = await containerRuntimeUnavailable();
if (SKIP) {
  if (process.env.MIGRATE_CONTAINERS_REQUIRED) throw new Error(`MIGRATE_CONTAINERS_REQUIRED is set, but ${SKIP}`);
  console.warn(`SKIPPED: Oracle container suite (${IMAGE} → PostgreSQL 17): ${SKIP}`);
}
const TITLE = `Oracle Free (${IMAGE}, container) → PostgreSQL 17${SKIP ? ` — SKIPPED: ${SKIP}` : ''}`;

let ora: OracleContainerServer;
let pg: PgServer;
const children: RunningCli[] = [];
const env = () => ({ [ORACLE_PASSWORD_ENV]: ora.password });

function declaration(jobs: string): string {
  return `version: 1
profiles:
  src: ${ora.profile()}
  dst: { engine: postgres, host: 127.0.0.1, port: ${pg.port}, user: postgres }
jobs:
${jobs}`;
}

function job(name: string, target: string, include: string, type = 'one-time', state = 'running'): string {
  return `  ${name}:
    source: src
    destination: dst
    type: ${type}
    state: ${state}
    databases:
      - { name: ${ora.service}, target: ${target}, tables: { include: [${include}] } }
`;
}

async function appliedChanges(dir: string): Promise<number> {
  const res = await runCli(['status', '--json'], { cwd: dir, env: env() });
  const j = (JSON.parse(res.stdout) as { jobs: { databases: { appliedChanges: number }[] }[] }).jobs[0];
  return j?.databases[0]?.appliedChanges ?? 0;
}

/** One column per Oracle type: the literal written, and the text PostgreSQL must return for it. */
const COVERAGE: { column: string; type: string; value: string; pg: string | null }[] = [
  {
    column: 'N_BIG',
    type: 'NUMBER(38)',
    value: '12345678901234567890123456789012345678',
    pg: '12345678901234567890123456789012345678',
  },
  { column: 'N_ANY', type: 'NUMBER', value: '-0.000000000000000000001', pg: '-0.000000000000000000001' },
  { column: 'N_SCALE', type: 'NUMBER(12,2)', value: '1234567890.5', pg: '1234567890.50' },
  { column: 'N_INT', type: 'NUMBER(18)', value: '9007199254740993', pg: '9007199254740993' },
  { column: 'F_126', type: 'FLOAT', value: '0.1', pg: '0.1' },
  { column: 'BF', type: 'BINARY_FLOAT', value: '0.1f', pg: '0.1' },
  { column: 'BD', type: 'BINARY_DOUBLE', value: '0.1d', pg: '0.1' },
  { column: 'D', type: 'DATE', value: "TO_DATE('2024-02-29 13:14:15', 'YYYY-MM-DD HH24:MI:SS')", pg: '2024-02-29 13:14:15' },
  { column: 'TS9', type: 'TIMESTAMP(9)', value: "TIMESTAMP '2024-02-29 13:14:15.123456789'", pg: '2024-02-29 13:14:15.123457' },
  {
    column: 'TSTZ',
    type: 'TIMESTAMP(6) WITH TIME ZONE',
    value: "TIMESTAMP '2024-02-29 13:14:15.5 +02:00'",
    pg: '2024-02-29 11:14:15.5+00',
  },
  {
    column: 'TSLTZ',
    type: 'TIMESTAMP(3) WITH LOCAL TIME ZONE',
    value: "TIMESTAMP '2024-02-29 13:14:15.25 -05:00'",
    pg: '2024-02-29 18:14:15.25+00',
  },
  {
    column: 'IDS',
    type: 'INTERVAL DAY(3) TO SECOND(6)',
    value: "INTERVAL '3 04:05:06.5' DAY TO SECOND",
    pg: '3 days 04:05:06.5',
  },
  { column: 'IYM', type: 'INTERVAL YEAR(2) TO MONTH', value: "INTERVAL '1-2' YEAR TO MONTH", pg: '1 year 2 mons' },
  { column: 'V', type: 'VARCHAR2(40 CHAR)', value: "'naïve ''quoted'' ✓'", pg: "naïve 'quoted' ✓" },
  { column: 'V_EMPTY', type: 'VARCHAR2(10)', value: "''", pg: null }, // Oracle's '' is NULL
  { column: 'C', type: 'CHAR(5)', value: "'ab'", pg: 'ab' },
  { column: 'NV', type: 'NVARCHAR2(10)', value: "N'äöü'", pg: 'äöü' },
  { column: 'CL', type: 'CLOB', value: "'line1' || CHR(10) || 'tab' || CHR(9) || 'end'", pg: 'line1\ntab\tend' },
  { column: 'NCL', type: 'NCLOB', value: "N'😀'", pg: '😀' },
  { column: 'BL', type: 'BLOB', value: "HEXTORAW('00FF10')", pg: '\\x00ff10' },
  { column: 'R', type: 'RAW(16)', value: "HEXTORAW('DEADBEEF')", pg: '\\xdeadbeef' },
];

describe.skipIf(SKIP)(TITLE, () => {
  beforeAll(async () => {
    [ora, pg] = await Promise.all([startOracleContainer(IMAGE), startPostgres({ major: 17 })]);
    console.info(`Oracle (${IMAGE}) on ${ora.host}:${ora.port}/${ora.service}; PostgreSQL 17 on 127.0.0.1:${pg.port}`);
  }, 900_000);

  afterAll(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.all([ora?.stop(), pg?.stop(true)]);
  });

  it('runs in ARCHIVELOG mode with supplemental logging, and plan passes the prerequisites', async () => {
    const c = await ora.connect('MIGRATE');
    try {
      const res = await c.execute<{ LOG_MODE: string; SMIN: string }>(
        'SELECT LOG_MODE, SUPPLEMENTAL_LOG_DATA_MIN AS SMIN FROM V$DATABASE',
        [],
        { outFormat: 4002 },
      );
      expect(res.rows?.[0]).toEqual({ LOG_MODE: 'ARCHIVELOG', SMIN: 'YES' });
    } finally {
      await c.close();
    }
    await ora.run(
      'CREATE TABLE APP.PRE (ID NUMBER(10) PRIMARY KEY)',
      'ALTER TABLE APP.PRE ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS',
    );
    const dir = writeProject(declaration(job('pre', 'pre_pg', '"APP.PRE"', 'continuous')));
    const plan = await runCli(['plan'], { cwd: dir, env: env() });
    expect({ code: plan.code, out: plan.stdout + plan.stderr }).toMatchObject({ code: 0 });
  });

  it('one-time: every type arrives exactly; verify equal', async () => {
    await ora.run(
      `CREATE TABLE APP.COVERAGE (ID NUMBER(10) GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ${COVERAGE.map((c) => `${c.column} ${c.type}`).join(', ')})`,
      `INSERT INTO APP.COVERAGE (${COVERAGE.map((c) => c.column).join(', ')}) VALUES (${COVERAGE.map((c) => c.value).join(', ')})`,
      'INSERT INTO APP.COVERAGE (ID) VALUES (100)',
    );
    const dir = writeProject(
      declaration(job('types', 'types_pg', '"APP.COVERAGE"')),
      mkdtempSync(join(tmpdir(), 'migrate-ora-')),
    );
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env(), timeoutMs: 300_000 });
    expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
    const [row] = await pg.query<Record<string, string | null>>(
      // instants as UTC text whatever the server's TimeZone
      `SELECT ${COVERAGE.map((c) => {
        const col = c.column.toLowerCase();
        return /TIME ZONE/.test(c.type) ? `((${col} AT TIME ZONE 'UTC')::text || '+00') AS ${col}` : `${col}::text AS ${col}`;
      }).join(', ')} FROM app.coverage WHERE id = 1`,
      'types_pg',
    );
    for (const c of COVERAGE)
      expect({ column: c.column, value: row?.[c.column.toLowerCase()] ?? null }).toEqual({ column: c.column, value: c.pg });
    const verify = await runCli(['verify', 'types'], { cwd: dir, env: env() });
    expect(verify.stdout).toContain('equal');
    expect(verify.stdout).not.toContain('DIFFERENT');
    expect(verify.code).toBe(0);
  });

  it('continuous: dump AS OF one SCN, LogMiner under writes (long, interleaved, rolled back), kill -9 of the worker, promote, verify equal', async () => {
    await ora.run(
      'CREATE TABLE APP.ORDERS (ID NUMBER(18) GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, CUSTOMER VARCHAR2(50) NOT NULL, TOTAL NUMBER(12,2), AT TIMESTAMP(9), NOTE CLOB, RAWV RAW(8))',
      'CREATE TABLE APP.EVENTS (K VARCHAR2(20) NOT NULL, N NUMBER NOT NULL)',
      'ALTER TABLE APP.ORDERS ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS',
      'ALTER TABLE APP.EVENTS ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS',
      `INSERT INTO APP.ORDERS (CUSTOMER, TOTAL, AT, NOTE, RAWV) SELECT 'c' || LEVEL, LEVEL / 7, SYSTIMESTAMP, 'café', HEXTORAW('00FF') FROM DUAL CONNECT BY LEVEL <= 5000`,
      `INSERT INTO APP.EVENTS SELECT 'k' || LEVEL, LEVEL FROM DUAL CONNECT BY LEVEL <= 200`,
    );
    const writer = await ora.connect();
    const longTx = await ora.connect();
    let running = true;
    let written = 0;
    // a transaction open across the snapshot and many mining windows, committed at the end
    await longTx.execute(`INSERT INTO APP.EVENTS VALUES ('long-0', 0)`);
    const writing = (async () => {
      for (let i = 1; running; i++) {
        await new Promise((r) => setTimeout(r, 5));
        await writer.execute(
          // NOTE (a CLOB) stays NULL in changes: LOB writes are mined as LOB operations, which the stream names as unsupported
          `INSERT INTO APP.ORDERS (CUSTOMER, TOTAL, AT, NOTE, RAWV) VALUES (:1 || 'naïve' || CHR(9) || 'tab', :2, SYSTIMESTAMP, NULL, HEXTORAW('DEAD'))`,
          [`w${i}`, `${i}.25`],
        );
        await writer.execute('UPDATE APP.ORDERS SET TOTAL = TOTAL + 1, CUSTOMER = CUSTOMER || :1 WHERE ID = :2', [
          'u',
          (i % 5000) + 1,
        ]);
        await writer.execute('DELETE FROM APP.ORDERS WHERE ID = :1', [((i * 7) % 5000) + 1]);
        await writer.execute('UPDATE APP.EVENTS SET N = N + 1 WHERE K = :1', [`k${(i % 200) + 1}`]);
        if (i % 10 === 0) {
          await writer.execute(`INSERT INTO APP.EVENTS VALUES ('gone', :1)`, [i]);
          await writer.rollback();
        } else await writer.commit();
        if (i % 3 === 0) await longTx.execute(`INSERT INTO APP.EVENTS VALUES (:1, :2)`, [`long-${i}`, i]);
        written++;
      }
    })();
    while (written < 10) await new Promise((r) => setTimeout(r, 20));
    const decl = (state: string) => declaration(job('live', 'live_pg', '"APP.ORDERS", "APP.EVENTS"', 'continuous', state));
    const dir = writeProject(decl('running'), mkdtempSync(join(tmpdir(), 'migrate-ora-cdc-')));
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env(), timeoutMs: 300_000 });
    expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
    const first = spawnCli(['worker'], { cwd: dir, env: env() });
    children.push(first);
    const start = await appliedChanges(dir);
    await waitFor('the first worker applies changes', async () => (await appliedChanges(dir)) > start + 100, 180_000, 500);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await appliedChanges(dir);
    const worker = spawnCli(['worker'], { cwd: dir, env: env() });
    children.push(worker);
    await waitFor(
      'changes mined by the second worker',
      async () => (await appliedChanges(dir)) > before + 300,
      180_000,
      500,
    ).catch(async (err) => {
      throw new Error(
        `${(err as Error).message}\nworker: ${worker.output()}\nstatus: ${(await runCli(['status'], { cwd: dir, env: env() })).stdout}`,
      );
    });
    running = false;
    await writing;
    await longTx.commit();
    await Promise.all([writer.close(), longTx.close()]);
    const [checkpoint] = await pg.query<{ position: string }>('SELECT position FROM _migrate.cdc_checkpoint', 'live_pg');
    expect(checkpoint?.position).toMatch(/^\d+:[0-9A-F]{16}@\d+$/);
    writeProject(decl('promoted'), dir);
    // the long transaction (committed last) must arrive before promote completes
    worker.child.kill('SIGTERM');
    expect({ code: await worker.exited, output: worker.output().slice(-3000) }).toMatchObject({ code: 0 });
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env(), timeoutMs: 300_000 });
    expect(promote.stdout + promote.stderr).toContain('Apply complete');
    expect(promote.code).toBe(0);
    const [long] = await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM app.events WHERE k LIKE 'long-%'`, 'live_pg');
    expect(Number(long?.n)).toBeGreaterThan(1);
    const [gone] = await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM app.events WHERE k = 'gone'`, 'live_pg');
    expect(gone?.n).toBe('0');
    const verify = await runCli(['verify', 'live'], { cwd: dir, env: env() });
    expect(verify.stdout).not.toContain('DIFFERENT');
    expect(verify.code).toBe(0);
  }, 900_000);
});
