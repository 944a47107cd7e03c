import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { MARIADB_SKIP, startMariaDb } from '../harness/mariadb.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor, waitForDumpMidway } from '../harness/wait-for.js';

/**
 * The provider conformance suite: one set of scenarios, written once, run for
 * every engine pair (as Kysely loops its tests over dialects). A pair brings
 * its servers, the sample schema in its source dialect and a way to run SQL;
 * the scenarios go through the real CLI only. SQL Server and Oracle join by
 * adding an entry (started through testcontainers where Docker exists).
 */
interface Source {
  /** Run statements on the source database `conf`. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

interface PairServers {
  /** The `profiles:` block (profiles `src` and `dst`). */
  profiles: string;
  source(): Promise<Source>;
  stop(): Promise<void>;
}

interface Pair {
  name: string;
  dialect: keyof typeof BIG;
  skip: string | false;
  start(): Promise<PairServers>;
}

/**
 * The sample schema, per source dialect: customers and orders with a foreign key and a generated column
 * (its values travel in a binary log's row images), order lines whose key
 * cascades (a binary log does not carry what a cascade deleted: the destination's own key must), counters,
 * decimals, times.
 */
const SCHEMA = {
  postgres: `CREATE TABLE customers (id serial PRIMARY KEY, name varchar(100) NOT NULL, balance numeric(12,2) NOT NULL DEFAULT 0, created timestamp NOT NULL DEFAULT now());
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), total numeric(12,2), note text, doubled numeric(13,2) GENERATED ALWAYS AS (total * 2) STORED);
    INSERT INTO customers (name, balance) SELECT 'c' || i, i / 10.0 FROM generate_series(1, 2000) i;
    INSERT INTO orders (customer_id, total, note) SELECT 1 + i % 2000, i / 7.0, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END FROM generate_series(1, 6000) i;
    CREATE TABLE order_lines (id serial PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id) ON DELETE CASCADE, qty int);
    INSERT INTO order_lines (order_id, qty) SELECT i, i % 5 FROM generate_series(1, 6000) i;`,
  mysql: `CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL, balance decimal(12,2) NOT NULL DEFAULT 0, created datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));
    CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, total decimal(12,2), note text, doubled decimal(13,2) AS (total * 2) STORED, FOREIGN KEY (customer_id) REFERENCES customers (id));
    INSERT INTO customers (name, balance) SELECT CONCAT('c', seq), seq / 10 FROM seq_1_to_2000;
    INSERT INTO orders (customer_id, total, note) SELECT 1 + seq % 2000, seq / 7, IF(seq % 3 = 0, NULL, CONCAT('n', seq)) FROM seq_1_to_6000;
    CREATE TABLE order_lines (id int AUTO_INCREMENT PRIMARY KEY, order_id int NOT NULL, qty int, FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE);
    INSERT INTO order_lines (order_id, qty) SELECT seq, seq % 5 FROM seq_1_to_6000;`,
};

/** A table whose dump takes long enough to be killed in the middle of, per source dialect. */
const BIG = {
  postgres: `CREATE TABLE big (id bigint PRIMARY KEY, v int, pad varchar(200));
    INSERT INTO big SELECT i, i, repeat('y', 200) FROM generate_series(1, 300000) i;`,
  mysql: `CREATE TABLE big (id bigint PRIMARY KEY, v int, pad varchar(200));
    INSERT INTO big SELECT seq, seq, REPEAT('y', 200) FROM seq_1_to_300000;`,
};

/** One application transaction, valid SQL in every source dialect. */
const TRANSACTION = (i: number) => [
  `INSERT INTO orders (customer_id, total, note) VALUES (${1 + (i % 2000)}, ${i}.25, 'live ${i}')`,
  `UPDATE customers SET balance = balance + 1 WHERE id = ${1 + ((i * 7) % 2000)}`,
  `DELETE FROM orders WHERE id = ${1 + ((i * 11) % 6000)}`,
];

/**
 * The application: TRANSACTION(i) (and `extra(i)`) committed one after the
 * other, `pauseMs` apart, until `stop()`; `written()` counts the commits.
 */
function startWriting(source: Source, pauseMs: number, extra?: (i: number) => string) {
  let running = true;
  let written = 0;
  const writing = (async () => {
    for (let i = 1; running; i++) {
      await source.exec('BEGIN');
      for (const sql of TRANSACTION(i)) await source.exec(sql);
      if (extra) await source.exec(extra(i));
      await source.exec('COMMIT');
      written++;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    written: () => written,
    stop: async () => {
      running = false;
      await writing;
    },
  };
}

const PAIRS: Pair[] = [
  {
    name: 'PostgreSQL 14 → PostgreSQL 17',
    dialect: 'postgres',
    skip: false,
    async start() {
      const [src, dst] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 })]);
      await src.query('CREATE DATABASE conf');
      await src.query(SCHEMA.postgres, 'conf');
      return {
        profiles: pgProfiles(src, dst),
        async source() {
          const c = new pg.Client({ connectionString: src.url('conf') });
          await c.connect();
          return { exec: async (sql) => void (await c.query(sql)), close: () => c.end() };
        },
        stop: async () => void (await Promise.all([src.stop(true), dst.stop(true)])),
      };
    },
  },
  {
    name: 'MariaDB 10.11 → PostgreSQL 17',
    dialect: 'mysql',
    skip: MARIADB_SKIP,
    async start() {
      const [src, dst] = await Promise.all([startMariaDb(), startPostgres({ major: 17 })]);
      await src.query('CREATE DATABASE conf');
      await src.query(SCHEMA.mysql, 'conf');
      return {
        profiles: `  src: { engine: mysql, host: 127.0.0.1, port: ${src.port}, user: root }
  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }`,
        async source() {
          const c = await mysql.createConnection({ host: '127.0.0.1', port: src.port, user: 'root', database: 'conf' });
          return { exec: async (sql) => void (await c.query(sql)), close: () => c.end() };
        },
        stop: async () => void (await Promise.all([src.stop(true), dst.stop(true)])),
      };
    },
  },
  {
    name: 'MariaDB 10.11 → MariaDB 10.11',
    dialect: 'mysql',
    skip: MARIADB_SKIP,
    async start() {
      const [src, dst] = await Promise.all([startMariaDb(), startMariaDb({ binlog: false })]);
      await src.query('CREATE DATABASE conf');
      await src.query(SCHEMA.mysql, 'conf');
      return {
        profiles: `  src: { engine: mysql, host: 127.0.0.1, port: ${src.port}, user: root }
  dst: { engine: mysql, host: 127.0.0.1, port: ${dst.port}, user: root }`,
        async source() {
          const c = await mysql.createConnection({ host: '127.0.0.1', port: src.port, user: 'root', database: 'conf' });
          return { exec: async (sql) => void (await c.query(sql)), close: () => c.end() };
        },
        stop: async () => void (await Promise.all([src.stop(true), dst.stop(true)])),
      };
    },
  },
];

function pgProfiles(src: PgServer, dst: PgServer): string {
  return `  src: { engine: postgres, host: 127.0.0.1, port: ${src.port}, user: postgres }
  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }`;
}

function project(
  servers: PairServers,
  name: string,
  type: string,
  state: string,
  target: string,
  dir?: string,
  exclude?: string,
): string {
  return writeProject(
    `version: 1
profiles:
${servers.profiles}
jobs:
  ${name}:
    source: src
    destination: dst
    type: ${type}
    state: ${state}
    parallelism: 2
    databases:
      - { name: conf, target: ${target}${exclude ? `, tables: { include: ["*.*"], exclude: ["${exclude}"] }` : ''} }
`,
    dir ?? mkdtempSync(join(tmpdir(), 'migrate-conformance-')),
  );
}

async function expectEqual(dir: string, job: string): Promise<void> {
  const verify = await runCli(['verify', job], { cwd: dir, timeoutMs: 240_000 });
  expect(verify.stdout).not.toContain('DIFFERENT');
  expect(verify.stdout).toMatch(/equal {5}conf: \w+\.orders/);
  expect(verify.stdout).toMatch(/equal {5}conf: \w+\.customers/);
  expect(verify.stdout).toMatch(/equal {5}conf: \w+\.order_lines/);
  expect(verify.code).toBe(0);
}

const children: RunningCli[] = [];
afterAll(() => {
  for (const c of children) c.child.kill('SIGKILL');
});

describe.each(PAIRS)('conformance: $name', ({ skip, start, dialect }) => {
  it.skipIf(skip)(
    'one-time: plan → apply → equal by verify → plan says No changes; continuous under writes → promote → equal',
    async () => {
      const servers = await start();
      try {
        // one-time
        const once = project(servers, 'once', 'one-time', 'running', 'conf_once');
        expect((await runCli(['plan', '--detailed-exitcode'], { cwd: once })).code).toBe(2);
        const apply = await runCli(['apply', '--auto-approve'], { cwd: once, timeoutMs: 240_000 });
        expect(apply.stdout).toContain('Apply complete');
        expect(apply.code).toBe(0);
        await expectEqual(once, 'once');
        const again = await runCli(['plan', '--detailed-exitcode'], { cwd: once });
        expect(again.stdout).toContain('No changes.');
        expect(again.code).toBe(0);

        // continuous, the application writing throughout
        const source = await servers.source();
        const writer = startWriting(source, 5);
        const live = project(servers, 'live', 'continuous', 'running', 'conf_live');
        const started = await runCli(['apply', '--auto-approve'], { cwd: live, timeoutMs: 240_000 });
        expect(started.code).toBe(0);
        const worker = spawnCli(['worker'], { cwd: live });
        children.push(worker);
        const atStart = writer.written();
        await waitFor(
          'the application writes while the worker streams',
          async () => writer.written() > atStart + 100,
          120_000,
          200,
        );
        await writer.stop();
        await source.close();
        worker.child.kill('SIGTERM');
        expect(await worker.exited).toBe(0);
        project(servers, 'live', 'continuous', 'promoted', 'conf_live', live);
        const promote = await runCli(['apply', '--auto-approve'], { cwd: live, timeoutMs: 240_000 });
        expect(promote.stdout).toContain('Apply complete');
        expect(promote.code).toBe(0);
        await expectEqual(live, 'live');
      } finally {
        await servers.stop();
      }
    },
    600_000,
  );
  it.skipIf(skip)(
    'kill -9 of apply in the middle of the dump under writes: the next apply resumes, promote, equal',
    async () => {
      const servers = await start();
      try {
        const source = await servers.source();
        for (const sql of BIG[dialect].split(';').filter((x) => x.trim())) await source.exec(sql);
        const writer = startWriting(source, 5, (i) => `UPDATE big SET v = v + 1 WHERE id = ${1 + ((i * 13) % 300000)}`);
        const dir = project(servers, 'killed', 'continuous', 'running', 'conf_killed');
        const first = spawnCli(['apply', '--auto-approve'], { cwd: dir });
        children.push(first);
        await waitForDumpMidway(dir, 'killed');
        first.child.kill('SIGKILL');
        await first.exited;
        const again = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
        if (again.code !== 0) {
          const status = await runCli(['status'], { cwd: dir });
          throw new Error(
            `apply after kill -9: exit ${again.code}\n${(again.stdout + again.stderr).slice(-3000)}\n${status.stdout}`,
          );
        }
        await writer.stop();
        await source.close();
        project(servers, 'killed', 'continuous', 'promoted', 'conf_killed', dir);
        const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
        expect(promote.stdout).toContain('Apply complete');
        await expectEqual(dir, 'killed');
        const verify = await runCli(['verify', 'killed'], { cwd: dir, timeoutMs: 240_000 });
        expect(verify.stdout).toMatch(/equal {5}conf: \w+\.big/);
      } finally {
        await servers.stop();
      }
    },
    600_000,
  );
  it.skipIf(skip)(
    'mid-run: a table added to the selection is backfilled while the others stream; stop, resume, promote: equal',
    async () => {
      const servers = await start();
      try {
        const source = await servers.source();
        const writer = startWriting(source, 10);
        const dir = project(servers, 'edit', 'continuous', 'running', 'conf_edit', undefined, '*.order_lines');
        expect((await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 })).code).toBe(0);
        const worker = spawnCli(['worker'], { cwd: dir });
        children.push(worker);
        // the whole selection now: order_lines is backfilled at its own snapshot, its changes apply from there
        project(servers, 'edit', 'continuous', 'running', 'conf_edit', dir);
        const plan = await runCli(['plan'], { cwd: dir });
        expect(plan.stdout).toContain('will be updated in-place');
        expect((await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 })).code).toBe(0);
        const status = async () => (await runCli(['status'], { cwd: dir })).stdout;
        await waitFor('order_lines backfilled', async () => /order_lines\s+COMPLETED/.test(await status()), 120_000, 300);
        // stop, then resume from the checkpoint
        project(servers, 'edit', 'continuous', 'stopped', 'conf_edit', dir);
        expect((await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 })).code).toBe(0);
        project(servers, 'edit', 'continuous', 'running', 'conf_edit', dir);
        expect((await runCli(['plan'], { cwd: dir })).stdout).toContain('will be resumed');
        expect((await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 })).code).toBe(0);
        await writer.stop();
        await source.close();
        worker.child.kill('SIGTERM');
        await worker.exited;
        project(servers, 'edit', 'continuous', 'promoted', 'conf_edit', dir);
        const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
        expect(promote.stdout).toContain('Apply complete');
        await expectEqual(dir, 'edit');
      } finally {
        await servers.stop();
      }
    },
    600_000,
  );

  it('a table added while no worker serves the job is backfilled by the next one (not dropped from the stream): promote, equal', async () => {
    const servers = await start();
    try {
      const source = await servers.source();
      const writer = startWriting(source, 10);
      const dir = project(servers, 'idle', 'continuous', 'running', 'conf_idle', undefined, '*.order_lines');
      expect((await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 })).code).toBe(0);
      // no worker runs: the selection grows, and the apply that records it serves the job only briefly
      project(servers, 'idle', 'continuous', 'running', 'conf_idle', dir);
      expect((await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 })).code).toBe(0);
      const worker = spawnCli(['worker'], { cwd: dir });
      children.push(worker);
      const status = async () => (await runCli(['status'], { cwd: dir })).stdout;
      await waitFor('order_lines backfilled', async () => /order_lines\s+COMPLETED/.test(await status()), 120_000, 300);
      await writer.stop();
      await source.close();
      worker.child.kill('SIGTERM');
      await worker.exited;
      project(servers, 'idle', 'continuous', 'promoted', 'conf_idle', dir);
      const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
      expect(promote.stdout).toContain('Apply complete');
      await expectEqual(dir, 'idle');
    } finally {
      await servers.stop();
    }
  }, 600_000);
});
