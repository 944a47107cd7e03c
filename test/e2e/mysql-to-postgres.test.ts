import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { MARIADB_SKIP, startMariaDb, type MariaDbServer } from '../harness/mariadb.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor, waitForDumpMidway } from '../harness/wait-for.js';
import { MYSQL_COVERAGE } from '../fixtures/mysql-coverage.js';

/**
 * MySQL (MariaDB from the OS package) → PostgreSQL through the real CLI: the
 * type map value by value, keys and counters, what is not converted named
 * in plan and status, `types:` overrides, and a consistent snapshot read by
 * parallel readers while writers commit.
 */
let my: MariaDbServer;
let pg: PgServer;

function declaration(jobs: string, password = ''): string {
  return `version: 1
profiles:
  src: { engine: mysql, host: 127.0.0.1, port: ${my.port}, user: ${password ? 'app' : 'root'}${password ? ', password: "${env:MY_PASSWORD}"' : ''} }
  dst: { engine: postgres, host: 127.0.0.1, port: ${pg.port}, user: postgres }
jobs:
${jobs}`;
}

function job(name: string, db: string, target: string, extra = '', type = 'one-time'): string {
  return `  ${name}:
    source: src
    destination: dst
    type: ${type}
    state: running
${extra}    databases:
      - { name: ${db}, target: ${target} }
`;
}

beforeAll(async () => {
  if (MARIADB_SKIP) return;
  [my, pg] = await Promise.all([startMariaDb(), startPostgres({ major: 17 })]);
});

const children: RunningCli[] = [];

afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await Promise.all([my?.stop(true), pg?.stop(true)]);
});

const COVERAGE = MYSQL_COVERAGE;

describe.skipIf(MARIADB_SKIP)('MySQL → PostgreSQL, one-time', () => {
  it('every type arrives exactly; keys, indexes and AUTO_INCREMENT carried; what is not converted is named', async () => {
    const cols = COVERAGE.map((c) => `${c.column} ${c.type}`).join(',\n  ');
    await my.query(`CREATE DATABASE types;
      CREATE TABLE types.Coverage (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  ${cols},\n  note varchar(200), FULLTEXT (note), KEY by_v (v(5)));
      CREATE TABLE types.child (id bigint PRIMARY KEY, coverage_id int unsigned, CONSTRAINT fk_cov FOREIGN KEY (coverage_id) REFERENCES types.Coverage (id) ON DELETE CASCADE);
      CREATE VIEW types.v_cov AS SELECT id FROM types.Coverage;
      CREATE TRIGGER types.trg BEFORE INSERT ON types.child FOR EACH ROW SET NEW.id = NEW.id;`);
    for (const row of [0, 1]) {
      await my.query(
        `INSERT INTO types.Coverage (${COVERAGE.map((c) => c.column).join(', ')}) VALUES (${COVERAGE.map((c) => (c.values[row] as [string, string | null])[0]).join(', ')})`,
      );
    }
    await my.query(`INSERT INTO types.Coverage (id) VALUES (1000); INSERT INTO types.child VALUES (1, 1), (2, NULL)`);

    const dir = writeProject(
      declaration(
        job(
          'types',
          'types',
          'types_pg',
          '    types:\n      - { nativeType: tinyint(1), to: boolean }\n      - { column: types.coverage.dur, to: interval }\n',
        ),
      ),
      mkdtempSync(join(tmpdir(), 'migrate-my2pg-')),
    );
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
    expect(plan.code).toBe(2);
    expect(plan.stdout + plan.stderr).toContain('types.Coverage.u64: bigint(20) unsigned → numeric(20)');
    expect(plan.stdout + plan.stderr).toContain('types.Coverage.flag: tinyint(1) → boolean');
    for (const named of ['view types.v_cov', 'trigger types.child.trg', 'fulltext index types.Coverage.note']) {
      expect(plan.stdout + plan.stderr).toContain(`not migrated: ${named}`);
    }
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir });
    expect(apply.stdout).toContain('Apply complete');
    expect(apply.code).toBe(0);
    const status = await runCli(['status'], { cwd: dir });
    expect(status.stdout).toContain('not migrated: view types.v_cov');

    const rows = await pg.query<Record<string, string | null>>(
      `SELECT *, encode(g, 'hex') AS g_hex FROM types.coverage ORDER BY id`,
      'types_pg',
    );
    expect(rows).toHaveLength(3);
    for (const c of COVERAGE) {
      for (const row of [0, 1]) {
        const expected = (c.values[row] as [string, string | null])[1];
        if (expected !== null)
          expect({ column: c.column, value: rows[row]?.[c.column] }).toEqual({ column: c.column, value: expected });
      }
      expect({ column: c.column, value: rows[2]?.[c.column] }).toEqual({ column: c.column, value: null });
    }
    // geometry: the source's own bytes (SRID, then WKB)
    const [geo] = await my.query<{ h: string }>('SELECT lower(hex(g)) AS h FROM types.Coverage ORDER BY id LIMIT 1');
    expect(rows[0]?.g_hex).toBe(geo?.h);
    expect(geo?.h.startsWith('e6100000')).toBe(true); // SRID 4326, little-endian

    const types = await pg.query<{ c: string; t: string }>(
      `SELECT column_name AS c, format_type(atttypid, atttypmod) AS t FROM information_schema.columns
         JOIN pg_attribute ON attrelid = 'types.coverage'::regclass AND attname = column_name
        WHERE table_schema = 'types' AND table_name = 'coverage' ORDER BY ordinal_position`,
      'types_pg',
    );
    expect(Object.fromEntries(types.map((r) => [r.c, r.t]))).toMatchObject({
      id: 'bigint',
      u64: 'numeric(20,0)',
      flag: 'boolean',
      dur: 'interval',
      tm: 'time(6) without time zone',
      ts: 'timestamp(6) with time zone',
      e: 'types.coverage_e',
      j: 'jsonb',
      g: 'bytea',
    });
    const [next] = await pg.query<{ n: string }>(`SELECT nextval('types.coverage_id_seq') AS n`, 'types_pg');
    expect(next?.n).toBe('1001');
    const fk = await pg.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'fk_cov'`,
      'types_pg',
    );
    expect(fk[0]?.def).toBe('FOREIGN KEY (coverage_id) REFERENCES types.coverage(id) ON UPDATE RESTRICT ON DELETE CASCADE');
    // verify compares canonical values across the engines: equal, then a tampered value is named by its key
    const verify = await runCli(['verify', 'types'], { cwd: dir });
    expect(verify.stdout).toContain('equal     types: types.Coverage — 3 rows on source, 3 on destination');
    expect(verify.stdout).toContain('schema objects are not compared between engines');
    expect(verify.code).toBe(0);
    await pg.query(`UPDATE types.coverage SET money = money + 0.01 WHERE id = 2`, 'types_pg');
    const tampered = await runCli(['verify', 'types'], { cwd: dir });
    expect(tampered.stdout).toContain('DIFFERENT types: types.Coverage');
    expect(tampered.stdout).toContain('key ["2"]: different');
    expect(tampered.code).toBe(3);
    const indexes = await pg.query<{ i: string }>(
      `SELECT indexname AS i FROM pg_indexes WHERE schemaname = 'types' ORDER BY 1`,
      'types_pg',
    );
    expect(indexes.map((r) => r.i)).toEqual(['child_fk_cov', 'child_pkey', 'coverage_by_v', 'coverage_pkey']);
  });

  it('parallel readers see one snapshot while writers commit: rows written together arrive together', async () => {
    await my.query(`CREATE DATABASE ledger;
      CREATE TABLE ledger.debit (id bigint PRIMARY KEY, amount decimal(12,2), pad varchar(200));
      CREATE TABLE ledger.credit (id bigint PRIMARY KEY, amount decimal(12,2), pad varchar(200));`);
    // ~40 MB each so the tables split into ranges and every reader works
    await my.query(`SET SESSION max_recursive_iterations = 1000000;
      INSERT INTO ledger.debit WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000) SELECT i, i / 100, REPEAT('x', 200) FROM n;
      INSERT INTO ledger.credit SELECT * FROM ledger.debit; ANALYZE TABLE ledger.debit, ledger.credit;`);
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: my.port, user: 'root', database: 'ledger' });
    let running = true;
    let written = 0;
    const writing = (async () => {
      for (let id = 1_000_000; running; id++) {
        // each transaction touches both tables: any consistent snapshot has the same ids in both
        await writer.query('START TRANSACTION');
        await writer.query('INSERT INTO debit VALUES (?, 1, NULL)', [id]);
        await writer.query('INSERT INTO credit VALUES (?, 1, NULL)', [id]);
        await writer.query('DELETE FROM debit WHERE id = ?', [id - 1_000_000 + 1]);
        await writer.query('DELETE FROM credit WHERE id = ?', [id - 1_000_000 + 1]);
        await writer.query('COMMIT');
        written++;
      }
    })();
    while (written < 20) await new Promise((r) => setTimeout(r, 20));
    const dir = writeProject(
      declaration(job('ledger', 'ledger', 'ledger_pg', '    parallelism: 4\n')),
      mkdtempSync(join(tmpdir(), 'migrate-my2pg-')),
    );
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: { MIGRATE_LOG: 'debug' } });
    running = false;
    await writing;
    await writer.end();
    expect(apply.code).toBe(0);
    expect(written).toBeGreaterThan(20);
    expect(apply.stderr).toMatch(/snapshot opened .*readers=[2-4]/);
    const [diff] = await pg.query<{ n: string; d: string; c: string }>(
      `SELECT (SELECT count(*) FROM ledger.debit)::text AS d, (SELECT count(*) FROM ledger.credit)::text AS c,
              (SELECT count(*) FROM ((SELECT id FROM ledger.debit EXCEPT SELECT id FROM ledger.credit)
                                     UNION ALL (SELECT id FROM ledger.credit EXCEPT SELECT id FROM ledger.debit)) x)::text AS n`,
      'ledger_pg',
    );
    expect(diff?.n).toBe('0');
    expect(diff?.d).toBe(diff?.c);
    expect(Number(diff?.d)).toBeGreaterThan(140_000);
  });

  it('fails early in plan: a wrong password, replication privileges of a continuous job, a missing database; nothing is written', async () => {
    await my.query(`CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'right'; GRANT SELECT ON *.* TO 'app'@'127.0.0.1'`);
    const dir = writeProject(
      declaration(job('cdc', 'types', 'never1', '', 'continuous') + job('nodb', 'missing', 'never2'), 'x'),
      mkdtempSync(join(tmpdir(), 'migrate-my2pg-')),
    );
    const wrong = await runCli(['plan'], { cwd: dir, env: { MY_PASSWORD: 'wrong' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("error: profile.src (source of job.cdc): Access denied for user 'app'");
    expect(wrong.stderr + wrong.stdout).not.toContain('wrong');
    const right = await runCli(['plan'], { cwd: dir, env: { MY_PASSWORD: 'right' } });
    expect(right.code).toBe(1);
    expect(right.stdout).toContain('lacks the REPLICATION SLAVE privilege');
    expect(right.stdout).toContain('source database "missing" does not exist');
    const dbs = await pg.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'never%'`);
    expect(dbs).toEqual([]);
    // the replication privileges through a default role count
    await my.query(`CREATE ROLE replicator; GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO replicator;
      GRANT replicator TO 'app'@'127.0.0.1'; SET DEFAULT ROLE replicator FOR 'app'@'127.0.0.1'`);
    const viaRole = await runCli(['plan'], { cwd: dir, env: { MY_PASSWORD: 'right' } });
    expect(viaRole.stdout).not.toContain('lacks the REPLICATION SLAVE privilege');
    expect(viaRole.stdout).not.toContain('lacks the BINLOG MONITOR privilege');
    expect(viaRole.stdout).toContain('source database "missing" does not exist');
  });
});

describe.skipIf(MARIADB_SKIP)('MySQL → PostgreSQL, continuous', () => {
  it('dumps, streams the binary log under writes, survives kill -9 of its worker, promotes: every value equal, counters carried', async () => {
    await my.query(`CREATE DATABASE live;
      CREATE TABLE live.Orders (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, Customer varchar(50) NOT NULL,
        total decimal(12,2), status enum('new','paid','sent') NOT NULL DEFAULT 'new', paid tinyint(1) NOT NULL DEFAULT 0,
        at datetime(6), ts timestamp(6) NULL, doc json, raw varbinary(16), note text CHARACTER SET latin1);
      CREATE TABLE live.events (k varchar(20) NOT NULL, n int NOT NULL, body blob);`);
    await my.query(
      `INSERT INTO live.Orders (Customer, total, at, raw, note) SELECT CONCAT('c', seq), seq / 7, '2024-01-01 00:00:00.5', UNHEX('00FF'), 'café' FROM seq_1_to_5000;
      INSERT INTO live.events SELECT CONCAT('k', seq), seq, NULL FROM seq_1_to_200;`,
      'live',
    );
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: my.port, user: 'root', database: 'live' });
    let running = true;
    let written = 0;
    const writing = (async () => {
      for (let i = 1; running; i++) {
        await new Promise((r) => setTimeout(r, 5));
        await writer.query('START TRANSACTION');
        await writer.query(
          `INSERT INTO Orders (Customer, total, status, paid, at, ts, doc, raw, note) VALUES (?, ?, 'paid', 1, NOW(6), NOW(6), '{"i": ${i}, "t": "ü"}', UNHEX('DEAD'), 'naïve\ttab')`,
          [`w${i}`, `${i}.25`],
        );
        await writer.query(`UPDATE Orders SET status = 'sent', total = total + 1 WHERE id = ?`, [(i % 5000) + 1]);
        await writer.query(`DELETE FROM Orders WHERE id = ?`, [((i * 7) % 5000) + 1]);
        await writer.query(`UPDATE events SET n = n + 1, body = UNHEX('0102') WHERE k = ?`, [`k${(i % 200) + 1}`]);
        await writer.query(`DELETE FROM events WHERE k = ? LIMIT 1`, [`k${((i * 3) % 200) + 1}`]);
        await writer.query(`INSERT INTO events VALUES (?, ?, NULL)`, [`k${((i * 3) % 200) + 1}`, i]);
        await writer.query('COMMIT');
        written++;
      }
    })();
    while (written < 10) await new Promise((r) => setTimeout(r, 20));
    const dir = writeProject(
      declaration(job('live', 'live', 'live_pg', '    types:\n      - { nativeType: tinyint(1), to: boolean }\n', 'continuous')),
      mkdtempSync(join(tmpdir(), 'migrate-my2pg-cdc-')),
    );
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(apply.stdout).toContain('Apply complete');
    expect(apply.code).toBe(0);
    const applied = async () => {
      const res = await runCli(['status', '--json'], { cwd: dir });
      const j = (JSON.parse(res.stdout) as { jobs: { databases: { appliedChanges: number }[] }[] }).jobs[0];
      return j?.databases[0]?.appliedChanges ?? 0;
    };
    // the apply's embedded worker applied some already: a worker must apply more; the first is killed -9 midway
    const first = spawnCli(['worker'], { cwd: dir });
    children.push(first);
    const start = await applied();
    await waitFor('the first worker applies changes', async () => (await applied()) > start + 100, 90_000, 300);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await applied();
    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    await waitFor(
      'changes applied from the binary log by the worker',
      async () => (await applied()) > before + 300,
      90_000,
      500,
    ).catch(async (err) => {
      throw new Error(
        `${(err as Error).message}\nworker: ${worker.output()}\nstatus: ${(await runCli(['status'], { cwd: dir })).stdout}`,
      );
    });
    running = false;
    await writing;
    await writer.end();
    writeProject(
      declaration(
        job('live', 'live', 'live_pg', '    types:\n      - { nativeType: tinyint(1), to: boolean }\n', 'continuous').replace(
          'state: running',
          'state: promoted',
        ),
      ),
      dir,
    );
    worker.child.kill('SIGTERM');
    expect({ code: await worker.exited, output: worker.output().slice(-3000) }).toMatchObject({ code: 0 });
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
    expect(promote.stdout + promote.stderr).toContain('Apply complete');
    expect(promote.code).toBe(0);
    const verify = await runCli(['verify', 'live'], { cwd: dir });
    expect(verify.stdout).toContain('equal     live: live.Orders');
    expect(verify.stdout).toContain('equal     live: live.events');
    expect(verify.code).toBe(0);
    const [mx] = await my.query<{ n: string }>(
      'SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = "live" AND TABLE_NAME = "Orders"',
    );
    const [next] = await pg.query<{ n: string }>(`SELECT nextval('live.orders_id_seq')::text AS n`, 'live_pg');
    expect(BigInt(next?.n ?? '0')).toBeGreaterThanOrEqual(BigInt(mx?.n ?? '1'));
  }, 300_000);

  it('a binary log purged past the checkpoint is drift: plan says so and proposes the restart', async () => {
    await my.query(`CREATE DATABASE purged; CREATE TABLE purged.t (id int PRIMARY KEY, v int)`);
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: my.port, user: 'root', database: 'purged' });
    let running = true;
    const writing = (async () => {
      for (let i = 1; running; i++) {
        await writer.query('INSERT INTO t VALUES (?, ?)', [i, i]);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const dir = writeProject(
      declaration(job('purged', 'purged', 'purged_pg', '', 'continuous')),
      mkdtempSync(join(tmpdir(), 'migrate-my2pg-purge-')),
    );
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    running = false;
    await writing;
    await writer.end();
    expect(apply.code).toBe(0);
    const [checkpoint] = await pg.query<{ position: string }>('SELECT position FROM _migrate.cdc_checkpoint', 'purged_pg');
    expect(checkpoint?.position).toMatch(/^binlog\.\d+:\d+$/);
    expect((await runCli(['plan', '--detailed-exitcode'], { cwd: dir })).stdout).not.toContain('was purged');
    await my.query('FLUSH BINARY LOGS; FLUSH BINARY LOGS');
    const [current] = await my.query<{ File: string }>('SHOW MASTER STATUS');
    // a dump thread still ending keeps its file: purge again until the checkpoint's file is gone
    await waitFor(
      'the checkpoint binary log purged',
      async () => {
        await my.query(`PURGE BINARY LOGS TO '${current?.File}'`);
        const logs = await my.query<{ Log_name: string }>('SHOW BINARY LOGS');
        return !logs.some((l) => l.Log_name === checkpoint?.position.split(':')[0]);
      },
      30_000,
      200,
    );
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
    expect(plan.stdout + plan.stderr).toContain(
      `drift: job.purged: the binary log ${checkpoint?.position.split(':')[0]} holding the changes after the checkpoint`,
    );
    expect(plan.stdout).toMatch(/restart/i);
    expect(plan.code).toBe(2);
  });

  it('a source restart during CDC is retried: the stream resumes from its checkpoint, nothing lost or doubled', async () => {
    await my.query(`CREATE DATABASE restarted; CREATE TABLE restarted.t (id int PRIMARY KEY, v int)`);
    const dir = writeProject(
      declaration(job('restarted', 'restarted', 'restarted_pg', '', 'continuous')),
      mkdtempSync(join(tmpdir(), 'migrate-my2pg-restart-')),
    );
    expect((await runCli(['apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    const write = async (from: number, n: number) => {
      const w = await mysql.createConnection({ host: '127.0.0.1', port: my.port, user: 'root', database: 'restarted' });
      for (let i = from; i < from + n; i++) await w.query('INSERT INTO t VALUES (?, ?)', [i, i]);
      await w.end();
    };
    const count = async () =>
      Number((await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM restarted.t', 'restarted_pg'))[0]?.n);
    await write(0, 300);
    await waitFor('the first rows streamed', async () => (await count()) === 300, 60_000, 200);
    await my.stop();
    await my.start();
    await write(300, 300);
    await waitFor('the rows after the restart streamed', async () => (await count()) === 600, 90_000, 300);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('transient failure, retrying');
    const [dups] = await pg.query<{ n: string }>(
      'SELECT (count(*) - count(DISTINCT id))::text AS n FROM restarted.t',
      'restarted_pg',
    );
    expect(dups?.n).toBe('0');
  }, 180_000);

  it('kill -9 of apply in the full dump under writes: the next apply resumes, promote, verify equal', async () => {
    await my.query(`CREATE DATABASE resumed;
      CREATE TABLE resumed.small (id int PRIMARY KEY, v int);
      CREATE TABLE resumed.big (id bigint PRIMARY KEY, v int, pad varchar(200));`);
    await my.query(
      `INSERT INTO small SELECT seq, seq FROM seq_1_to_1000;
       INSERT INTO big SELECT seq, seq, REPEAT('y', 200) FROM seq_1_to_300000;`,
      'resumed',
    );
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: my.port, user: 'root', database: 'resumed' });
    let running = true;
    const writing = (async () => {
      for (let i = 1; running; i++) {
        await writer.query('START TRANSACTION');
        await writer.query('UPDATE small SET v = v + 1 WHERE id = ?', [(i % 1000) + 1]);
        await writer.query('UPDATE big SET v = v + 1 WHERE id = ?', [((i * 13) % 300000) + 1]);
        await writer.query('INSERT INTO big VALUES (?, ?, NULL)', [1_000_000 + i, i]);
        await writer.query('COMMIT');
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const decl = (state: string) =>
      declaration(job('resumed', 'resumed', 'resumed_pg', '', 'continuous').replace('state: running', `state: ${state}`));
    const dir = writeProject(decl('running'), mkdtempSync(join(tmpdir(), 'migrate-my2pg-kill-')));
    const first = spawnCli(['apply', '--auto-approve'], { cwd: dir });
    children.push(first);
    await waitForDumpMidway(dir, 'resumed');
    first.child.kill('SIGKILL');
    await first.exited;
    const again = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
    expect(again.stdout).toContain('Apply complete');
    expect(again.code).toBe(0);
    running = false;
    await writing;
    await writer.end();
    writeProject(decl('promoted'), dir);
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
    expect(promote.stdout).toContain('Apply complete');
    const verify = await runCli(['verify', 'resumed'], { cwd: dir, timeoutMs: 240_000 });
    expect(verify.stdout).toContain('equal     resumed: resumed.big');
    expect(verify.stdout).toContain('equal     resumed: resumed.small');
    expect(verify.code).toBe(0);
  }, 400_000);

  it('TRUNCATE replicates; a schema change holds back only its table (Running with errors), the rest streams', async () => {
    await my.query(`CREATE DATABASE ddl; CREATE TABLE ddl.a (id int PRIMARY KEY, v int); CREATE TABLE ddl.b (id int PRIMARY KEY, v int);
      INSERT INTO ddl.a VALUES (1, 1), (2, 2); INSERT INTO ddl.b VALUES (1, 1), (2, 2);`);
    const dir = writeProject(
      declaration(job('ddl', 'ddl', 'ddl_pg', '', 'continuous')),
      mkdtempSync(join(tmpdir(), 'migrate-my2pg-ddl-')),
    );
    expect((await runCli(['apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    const count = async (t: string) =>
      Number((await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM ddl.${t}`, 'ddl_pg'))[0]?.n);
    await my.query('TRUNCATE TABLE b; INSERT INTO b VALUES (10, 10)', 'ddl');
    await waitFor('the truncate and the insert after it applied', async () => (await count('b')) === 1, 60_000, 200);
    await my.query(
      'ALTER TABLE a ADD COLUMN z int; INSERT INTO a VALUES (3, 3, 3); INSERT INTO b VALUES (11, 11), (12, 12)',
      'ddl',
    );
    await waitFor('b keeps streaming', async () => (await count('b')) === 3, 60_000, 200);
    const status = await runCli(['status'], { cwd: dir });
    expect(status.stdout).toContain('Running with errors');
    expect(status.stdout).toMatch(/ddl\.a +ERROR .*its definition changed on the source \(ALTER TABLE a ADD COLUMN z int\)/);
    expect(await count('a')).toBe(2);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 180_000);
});
