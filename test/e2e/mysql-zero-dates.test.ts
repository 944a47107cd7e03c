import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { MARIADB_SKIP, startMariaDb, type MariaDbServer } from '../harness/mariadb.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * MySQL zero dates (`0000-00-00`, a zero month or day) → PostgreSQL through
 * the real CLI, for each `zeroDates` setting: what arrives in the full dump
 * and in changes read from the binary log, the per-table counts in
 * `status --json`, the plan's warning, and `verify` equal where the values
 * were replaced; under `error` only the table holding one is held back.
 */
let my: MariaDbServer;
let pg: PgServer;
const children: RunningCli[] = [];

beforeAll(async () => {
  if (MARIADB_SKIP) return;
  [my, pg] = await Promise.all([startMariaDb(), startPostgres({ major: 17 })]);
});

afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await Promise.all([my?.stop(true), pg?.stop(true)]);
});

/**
 * One continuous job per setting reading database `zd`; `zerror` reads `zde`,
 * whose dump has no zero date (its changes bring one), and the one-time
 * `zfail` reads `zd` under `error`: its dump fails naming column and key.
 */
const JOBS: { name: string; setting: string | null; db?: string; type?: string }[] = [
  { name: 'znull', setting: null },
  { name: 'zerror', setting: 'error', db: 'zde' },
  { name: 'zfixed', setting: '1970-01-01' },
  { name: 'zinf', setting: '-infinity' },
  { name: 'zfail', setting: 'error', type: 'one-time' },
];

function declaration(state = 'running'): string {
  return `version: 1
profiles:
  src: { engine: mysql, host: 127.0.0.1, port: ${my.port}, user: root }
  dst: { engine: postgres, host: 127.0.0.1, port: ${pg.port}, user: postgres }
jobs:
${JOBS.map(
  (j) => `  ${j.name}:
    source: src
    destination: dst
    type: ${j.type ?? 'continuous'}
    state: ${state}
${j.setting ? `    zeroDates: "${j.setting}"\n` : ''}    databases:
      - { name: ${j.db ?? 'zd'}, target: ${j.name}_pg }
`,
).join('')}`;
}

interface TableStatus {
  name: string;
  state: string;
  zeroDatesReplaced?: number;
  cdcInsertCounter: number;
  lastError: string | null;
}

async function tables(dir: string): Promise<Record<string, Record<string, TableStatus>>> {
  const res = await runCli(['status', '--json'], { cwd: dir });
  const doc = JSON.parse(res.stdout) as { jobs: { name: string; databases: { tables: TableStatus[] }[] }[] };
  return Object.fromEntries(
    doc.jobs.map((j) => [j.name, Object.fromEntries((j.databases[0]?.tables ?? []).map((t) => [t.name, t]))]),
  );
}

type Row = { id: number; d: string | null; dt: string | null; ts: string | null; nn: string | null };

const rowsOf = async (db: string, schema = 'zd'): Promise<Row[]> =>
  (
    await pg.query<Row & { id: string }>(
      `SELECT id, d::text AS d, dt::text AS dt, ts::text AS ts, nn::text AS nn FROM ${schema}.t ORDER BY id`,
      db,
    )
  ).map((r) => ({
    ...r,
    id: Number(r.id),
  }));

describe.skipIf(MARIADB_SKIP)('MySQL zero dates → PostgreSQL (zeroDates)', () => {
  it('each setting in the dump, in changes, in status counts and in verify', async () => {
    await my.query(`SET SESSION sql_mode = '';
      CREATE DATABASE zd;
      CREATE TABLE zd.t (id int PRIMARY KEY, d date, dt datetime, ts timestamp NULL DEFAULT NULL,
        nn datetime NOT NULL DEFAULT '0000-00-00 00:00:00');
      CREATE TABLE zd.clean (id int PRIMARY KEY, d date);
      INSERT INTO zd.t VALUES (1, '0000-00-00', '2020-00-15 10:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
                              (2, '2021-03-04', '2021-03-04 05:06:07', '2021-03-04 05:06:07', '2021-03-04 05:06:07');
      INSERT INTO zd.clean VALUES (1, '2020-01-01');
      CREATE DATABASE zde;
      CREATE TABLE zde.t LIKE zd.t;
      CREATE TABLE zde.clean LIKE zd.clean;
      INSERT INTO zde.t SELECT * FROM zd.t WHERE id = 2;
      INSERT INTO zde.clean SELECT * FROM zd.clean;`);
    const dir = writeProject(declaration(), mkdtempSync(join(tmpdir(), 'migrate-zero-dates-')));

    // plan names the tables whose date columns may hold zero dates (MariaDB's default sql_mode allows them)
    const plan = await runCli(['plan'], { cwd: dir });
    const planned = plan.stdout + plan.stderr;
    expect(planned).toContain('zero dates: zd.clean, zd.t may hold MySQL zero dates');
    expect(planned).toContain('they arrive as NULL (the default) (zeroDates)');
    expect(planned).toContain('a table holding one is held back, naming the column and key (zeroDates)');
    expect(planned).toContain('they arrive as 1970-01-01 (zeroDates)');
    expect(planned).toContain('zd.t.nn: datetime → timestamp(0) (NOT NULL dropped: zero dates arrive as NULL)');
    expect(planned).toContain('zd.t.nn: datetime → timestamp(0) (zero-date default: 1970-01-01, as zeroDates says)');

    // zfail's dump meets a zero date under error: the job fails naming table, column and key; the others run
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(apply.stdout + apply.stderr).toContain(
      'job.zfail failed in FULL_DUMP: loading zd.t into zfail_pg failed: zero date 0000-00-00 in zd.t.d (key id=1): zeroDates is error',
    );
    for (const j of ['znull', 'zerror', 'zfixed', 'zinf']) expect(apply.stdout).toContain(`job.${j}: Running (CDC)`);

    // the full dump: row 1 holds four zero dates
    expect(await rowsOf('znull_pg')).toEqual([
      { id: 1, d: null, dt: null, ts: null, nn: null },
      { id: 2, d: '2021-03-04', dt: '2021-03-04 05:06:07', ts: '2021-03-04 05:06:07+00', nn: '2021-03-04 05:06:07' },
    ]);
    expect((await rowsOf('zfixed_pg'))[0]).toEqual({
      id: 1,
      d: '1970-01-01',
      dt: '1970-01-01 00:00:00',
      ts: '1970-01-01 00:00:00+00',
      nn: '1970-01-01 00:00:00',
    });
    expect((await rowsOf('zinf_pg'))[0]).toEqual({ id: 1, d: '-infinity', dt: '-infinity', ts: '-infinity', nn: '-infinity' });
    const [nn] = await pg.query<{ nullable: string; def: string | null }>(
      `SELECT is_nullable AS nullable, column_default AS def FROM information_schema.columns WHERE table_schema = 'zd' AND table_name = 't' AND column_name = 'nn'`,
      'zfixed_pg',
    );
    expect(nn).toEqual({ nullable: 'NO', def: "'1970-01-01 00:00:00'::timestamp without time zone" });
    let s = await tables(dir);
    for (const j of ['znull', 'zfixed', 'zinf']) expect({ j, n: s[j]?.['zd.t']?.zeroDatesReplaced }).toEqual({ j, n: 4 });
    expect(s.znull?.['zd.clean']?.zeroDatesReplaced).toBeUndefined();
    expect(s.zerror?.['zde.t']?.zeroDatesReplaced).toBeUndefined();

    // changes: zero dates from the binary log, converted the same way and counted
    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    await my.query(`SET SESSION sql_mode = '';
      INSERT INTO zd.t (id, d, dt) VALUES (3, '0000-00-00', '2022-05-00 01:02:03');
      UPDATE zd.t SET d = '2023-00-00' WHERE id = 2;
      INSERT INTO zd.clean VALUES (2, '2020-02-02');
      INSERT INTO zde.t (id, d) VALUES (3, '2024-00-01');
      INSERT INTO zde.clean VALUES (2, '2020-02-02');`);
    await waitFor(
      'the changes are applied',
      async () => {
        s = await tables(dir);
        return ['znull', 'zfixed', 'zinf'].every(
          (j) => (s[j]?.['zd.clean']?.cdcInsertCounter ?? 0) >= 1 && (s[j]?.['zd.t']?.cdcInsertCounter ?? 0) >= 1,
        ) &&
          (s.zerror?.['zde.clean']?.cdcInsertCounter ?? 0) >= 1 &&
          s.zerror?.['zde.t']?.state === 'ERROR'
          ? s
          : null;
      },
      90_000,
      500,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}\nworker: ${worker.output().slice(-3000)}\nstatus: ${JSON.stringify(s)}`);
    });
    // dump 4 + insert (d, dt, and nn's zero default) 3 + update's new d 1
    for (const j of ['znull', 'zfixed', 'zinf']) expect({ j, n: s[j]?.['zd.t']?.zeroDatesReplaced }).toEqual({ j, n: 8 });
    expect((await rowsOf('znull_pg')).slice(1)).toEqual([
      { id: 2, d: null, dt: '2021-03-04 05:06:07', ts: '2021-03-04 05:06:07+00', nn: '2021-03-04 05:06:07' },
      { id: 3, d: null, dt: null, ts: null, nn: null },
    ]);
    expect((await rowsOf('zfixed_pg')).slice(1)).toEqual([
      { id: 2, d: '1970-01-01', dt: '2021-03-04 05:06:07', ts: '2021-03-04 05:06:07+00', nn: '2021-03-04 05:06:07' },
      { id: 3, d: '1970-01-01', dt: '1970-01-01 00:00:00', ts: null, nn: '1970-01-01 00:00:00' },
    ]);
    expect((await rowsOf('zinf_pg'))[2]).toEqual({ id: 3, d: '-infinity', dt: '-infinity', ts: null, nn: '-infinity' });
    const text = await runCli(['status'], { cwd: dir });
    expect(text.stdout).toMatch(/zd\.t +COMPLETED +2 rows, .*, cdc \+1 ~1 -0, 8 zero dates replaced/);
    // error in changes: the table is held back naming column and key, the other table keeps streaming
    expect(s.zerror?.['zde.t']?.lastError).toContain('zero date 2024-00-01 in zde.t.d (key id=3): zeroDates is error');
    expect(s.zerror?.['zde.clean']?.state).not.toBe('ERROR');
    expect((await rowsOf('zerror_pg', 'zde')).map((r) => r.id)).toEqual([2]);
    const clean = await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM zde.clean', 'zerror_pg');
    expect(clean[0]?.n).toBe('2');

    // verify normalises the source's zero dates the way the job converted them: equal
    for (const j of ['znull', 'zfixed', 'zinf']) {
      const verify = await runCli(['verify', j], { cwd: dir });
      expect({ j, out: verify.stdout }).toMatchObject({
        j,
        out: expect.stringContaining('equal     zd: zd.t — 3 rows on source, 3 on destination'),
      });
      expect({ j, code: verify.code }).toEqual({ j, code: 0 });
    }
    const held = await runCli(['verify', 'zerror'], { cwd: dir });
    expect(held.stdout).toContain('DIFFERENT zde: zde.t');
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 300_000);
});
