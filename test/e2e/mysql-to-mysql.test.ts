import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB_SKIP, startMariaDb, type MariaDbServer } from '../harness/mariadb.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * MySQL → MySQL (two MariaDB servers from the OS package) through the real
 * CLI: every stored byte of every type (zero dates, charsets, BIT, spatial,
 * generated columns) arrives as it is; tables, views, routines, triggers and
 * events as the source defines them; triggers do not fire while changes are
 * applied and exist after promote; kill -9 of the worker mid-CDC loses and
 * doubles nothing; AUTO_INCREMENT counters are carried.
 */
let src: MariaDbServer;
let dst: MariaDbServer;

function declaration(name: string, db: string, target: string, type: string, state: string): string {
  return `version: 1
profiles:
  src: { engine: mysql, host: 127.0.0.1, port: ${src.port}, user: root }
  dst: { engine: mysql, host: 127.0.0.1, port: ${dst.port}, user: root }
jobs:
  ${name}:
    source: src
    destination: dst
    type: ${type}
    state: ${state}
    parallelism: 2
    databases:
      - { name: ${db}, target: ${target} }
`;
}

beforeAll(async () => {
  if (MARIADB_SKIP) return;
  [src, dst] = await Promise.all([startMariaDb(), startMariaDb({ binlog: false })]);
});

const children: RunningCli[] = [];
afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

/** Every column of every table as hex of its stored bytes (numbers as text), rows in key order. */
async function dump(server: MariaDbServer, db: string): Promise<Record<string, string[]>> {
  const tables = await server.query<{ t: string }>(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${db}' AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { t } of tables) {
    const cols = await server.query<{ c: string; dt: string }>(
      `SELECT COLUMN_NAME AS c, DATA_TYPE AS dt FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND TABLE_NAME = '${t}' ORDER BY ORDINAL_POSITION`,
    );
    const list = cols.map(({ c, dt }) => (dt === 'bit' ? `BIN(\`${c}\`)` : `HEX(\`${c}\`)`)).join(", '|', ");
    const rows = await server.query<{ r: string }>(`SELECT CONCAT_WS('~', ${list}) AS r FROM \`${db}\`.\`${t}\` ORDER BY 1`);
    out[t] = rows.map((x) => x.r);
  }
  return out;
}

/** SHOW CREATE of every object, without definers and AUTO_INCREMENT counters. */
async function definitions(server: MariaDbServer, db: string): Promise<string[]> {
  const out: string[] = [];
  const strip = (s: string) =>
    s
      .replace(/ DEFINER=`[^`]*`@`[^`]*`/, '')
      .replace(/ AUTO_INCREMENT=\d+/, '')
      .split(`\`${db}\`.`)
      .join('`db`.');
  const list = async (sql: string) => (await server.query<{ n: string; k?: string }>(sql)).map((r) => r);
  for (const r of await list(
    `SELECT TABLE_NAME AS n, TABLE_TYPE AS k FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${db}' ORDER BY 1`,
  )) {
    const view = r.k === 'VIEW';
    const [row] = await server.query<Record<string, string>>(`SHOW CREATE ${view ? 'VIEW' : 'TABLE'} \`${db}\`.\`${r.n}\``);
    out.push(strip(row?.[view ? 'Create View' : 'Create Table'] ?? ''));
  }
  for (const r of await list(
    `SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS k FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${db}' ORDER BY 1`,
  )) {
    const [row] = await server.query<Record<string, string>>(`SHOW CREATE ${r.k} \`${db}\`.\`${r.n}\``);
    out.push(strip(row?.[`Create ${r.k === 'FUNCTION' ? 'Function' : 'Procedure'}`] ?? ''));
  }
  for (const r of await list(
    `SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${db}' ORDER BY 1`,
  )) {
    const [row] = await server.query<Record<string, string>>(`SHOW CREATE TRIGGER \`${db}\`.\`${r.n}\``);
    out.push(strip(row?.['SQL Original Statement'] ?? ''));
  }
  for (const r of await list(`SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '${db}' ORDER BY 1`)) {
    const [row] = await server.query<Record<string, string>>(`SHOW CREATE EVENT \`${db}\`.\`${r.n}\``);
    out.push(strip(row?.['Create Event'] ?? ''));
  }
  return out;
}

const SCHEMA = `
  CREATE TABLE kinds (
    id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
    i8 tinyint, u64 bigint unsigned, d decimal(65,30), f float, g double, b1 bit(1), b64 bit(64), y year,
    dt date, ts timestamp(6) NULL, tm time(6), dtm datetime(6),
    c char(3) CHARACTER SET latin1 COLLATE latin1_swedish_ci, v varchar(20) COLLATE utf8mb4_bin, tx text CHARACTER SET latin1,
    bin binary(3), vb varbinary(10), bl longblob,
    e enum('a','b','c'), s set('x','y','z'), j json, pt point, geo geometry,
    vcol int AS (i8 * 2) VIRTUAL, scol varchar(40) AS (CONCAT(v, '!')) STORED,
    KEY vk (v(5)), KEY gk (scol)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='all the types';
  CREATE TABLE parent (id int PRIMARY KEY, name varchar(20)) ENGINE=InnoDB;
  CREATE TABLE child (id int PRIMARY KEY, parent_id int, CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB;
  CREATE TABLE audit (id int AUTO_INCREMENT PRIMARY KEY, what varchar(50)) ENGINE=InnoDB;
  CREATE TABLE wide (
    id int PRIMARY KEY, u16 varchar(20) CHARACTER SET utf16, u16le varchar(20) CHARACTER SET utf16le,
    u32 varchar(20) CHARACTER SET utf32, uc text CHARACTER SET ucs2, sj varchar(20) CHARACTER SET sjis,
    gb varchar(20) CHARACTER SET gbk, cy varchar(20) CHARACTER SET cp1251, l2 varchar(20) CHARACTER SET latin2
  ) ENGINE=InnoDB;
  INSERT INTO wide VALUES (0, 'Aé✓𝄞', 'Aé✓𝄞', 'Aé✓𝄞', 'Aé✓', 'ｱ日本', '中文', 'Жук', 'Łódź');
  CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;
  CREATE PROCEDURE bump(IN n int) MODIFIES SQL DATA UPDATE kinds SET i8 = i8 + n WHERE id = 1;
  CREATE VIEW doubled AS SELECT id, twice(i8) AS d2 FROM kinds;
  CREATE VIEW doubled_top AS SELECT * FROM doubled WHERE d2 > 0;
  CREATE TRIGGER parent_audit AFTER INSERT ON parent FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('parent ', NEW.id));
  CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM audit WHERE id < 0;
  INSERT INTO kinds (i8, u64, d, f, g, b1, b64, y, dt, ts, tm, dtm, c, v, tx, bin, vb, bl, e, s, j, pt, geo) VALUES
    (-128, 18446744073709551615, '-12345678901234567890123456789012345.123456789012345678901234567890', 3.14159, 2.2250738585072014e-308,
     b'1', b'1000000000000000000000000000000000000000000000000000000000000001', 1901, '0000-00-00', '2038-01-19 03:14:07.999999',
     '-838:59:59.000000', '0000-00-00 00:00:00', 'é\\tx', 'ünï ✓', 'naïve\\n\\\\', x'00ff0a', x'', x'000102090a0d5c', 'b', 'x,z',
     '{"a": [1, 2.5, "ü"], "b": null}', ST_GeomFromText('POINT(1 2)', 4326), ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')),
    (127, 0, 0, -1.5e-38, -1e308, b'0', b'0', 2155, '2020-05-00', '1970-01-01 00:00:01', '00:00:00', '9999-12-31 23:59:59.999999',
     '', '', '', x'000000', x'ff', '', 'a', '', '[]', NULL, NULL),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  INSERT INTO parent VALUES (1, 'one'), (2, 'two');
  INSERT INTO child VALUES (10, 1), (11, 1), (20, 2);
  ALTER TABLE kinds AUTO_INCREMENT = 1000;`;

describe.skipIf(MARIADB_SKIP)('MySQL → MySQL', () => {
  it('one-time: every stored byte, every definition (tables, views on views and functions, routines, triggers, events), the counters', async () => {
    await src.query('CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await src.query(SCHEMA, 'shop');
    const dir = writeProject(
      declaration('once', 'shop', 'shop_copy', 'one-time', 'running'),
      mkdtempSync(join(tmpdir(), 'migrate-my2my-')),
    );
    // a destination refusing LOAD DATA LOCAL is a plan error naming the setting; nothing is written
    await dst.query('SET GLOBAL local_infile = 0');
    const refused = await runCli(['plan'], { cwd: dir });
    await dst.query('SET GLOBAL local_infile = 1');
    expect(refused.stdout + refused.stderr).toContain('local_infile is OFF on the destination');
    expect(refused.code).toBe(1);
    expect(await dst.query(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'shop_copy'`)).toEqual([]);
    const plan = await runCli(['plan'], { cwd: dir });
    expect(plan.stdout).not.toContain('not migrated');
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(apply.stdout + apply.stderr).toContain('Apply complete');
    expect(apply.code).toBe(0);
    expect(await dump(dst, 'shop_copy')).toEqual(await dump(src, 'shop'));
    expect(await definitions(dst, 'shop_copy')).toEqual(await definitions(src, 'shop'));
    const [dbcs] = await dst.query<{ c: string }>(
      `SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'shop_copy'`,
    );
    expect(dbcs?.c).toBe('utf8mb4_unicode_ci');
    const [ai] = await dst.query<{ n: string }>(
      `SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop_copy' AND TABLE_NAME = 'kinds'`,
    );
    expect(ai?.n).toBe('1000');
    // the loaded rows did not fire the trigger: audit holds the source's rows only
    expect(await dst.query('SELECT what FROM shop_copy.audit ORDER BY id')).toEqual(
      await src.query('SELECT what FROM shop.audit ORDER BY id'),
    );
    const verify = await runCli(['verify', 'once'], { cwd: dir });
    expect(verify.stdout).toContain('equal     shop: shop.kinds');
    expect(verify.stdout).toMatch(/equal {5}shop: schema — 11 objects/);
    expect(verify.code).toBe(0);
    // a definition changed behind the job's back is named
    await dst.query('DROP TRIGGER shop_copy.parent_audit; ALTER TABLE shop_copy.parent MODIFY name varchar(30)');
    const tampered = await runCli(['verify', 'once'], { cwd: dir });
    expect(tampered.stdout).toContain('trigger parent.parent_audit: missing on destination');
    expect(tampered.stdout).toContain('table parent: different definition');
    expect(tampered.code).not.toBe(0);

    // the target dropped by hand, the same job declared afresh elsewhere: the old load markers describe nothing
    await dst.query('DROP DATABASE shop_copy');
    const again = writeProject(
      declaration('once', 'shop', 'shop_copy', 'one-time', 'running'),
      mkdtempSync(join(tmpdir(), 'migrate-my2my-')),
    );
    // …and tables split into key ranges loaded in parallel (every table here is a few pages: 4 KiB ranges)
    const reapply = await runCli(['apply', '--auto-approve'], {
      cwd: again,
      timeoutMs: 120_000,
      env: { MIGRATE_RANGE_BYTES: '4096', MIGRATE_LOG: 'debug' },
    });
    expect(reapply.code).toBe(0);
    expect(await dump(dst, 'shop_copy')).toEqual(await dump(src, 'shop'));
  }, 240_000);

  it('a child table selected without its parent: the foreign key is named as not migrated (its cascades are not in the binary log), the job completes, verify equal', async () => {
    await src.query(`CREATE DATABASE partial;
      CREATE TABLE partial.parent (id int PRIMARY KEY) ENGINE=InnoDB;
      CREATE TABLE partial.child (id int PRIMARY KEY, parent_id int,
        CONSTRAINT fk_up FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB;
      INSERT INTO partial.parent VALUES (1), (2); INSERT INTO partial.child VALUES (10, 1), (20, 2);`);
    const dir = writeProject(
      declaration('part', 'partial', 'partial_copy', 'one-time', 'running').replace(
        '{ name: partial, target: partial_copy }',
        '{ name: partial, target: partial_copy, tables: { include: ["partial.child"] } }',
      ),
      mkdtempSync(join(tmpdir(), 'migrate-my2my-partial-')),
    );
    const plan = await runCli(['plan'], { cwd: dir });
    expect(plan.stdout).toContain('not migrated: foreign key partial.child.fk_up');
    expect(plan.stdout).toContain(
      'references partial.parent, which is not selected; the rows its ON DELETE CASCADE changes in child are not in the binary log',
    );
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(apply.code).toBe(0);
    expect(await dst.query(`SHOW TABLES FROM partial_copy`)).toEqual([{ Tables_in_partial_copy: 'child' }]);
    const [create] = await dst.query<Record<string, string>>('SHOW CREATE TABLE partial_copy.child');
    expect(create?.['Create Table']).not.toMatch(/FOREIGN KEY/);
    expect(await dump(dst, 'partial_copy')).toEqual({ child: (await dump(src, 'partial')).child });
    const verify = await runCli(['verify', 'part'], { cwd: dir });
    expect(verify.stdout).not.toContain('DIFFERENT');
    expect(verify.code).toBe(0);
  });

  it('a parent added mid-run to a child streaming alone: the child is read again with it, its foreign key created, every cascade accounted for', async () => {
    await src.query('CREATE DATABASE grow');
    await src.query(
      `CREATE TABLE parent (id int PRIMARY KEY) ENGINE=InnoDB;
       CREATE TABLE child (id int PRIMARY KEY, parent_id int,
         CONSTRAINT child_up FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB;
       INSERT INTO parent SELECT seq FROM seq_1_to_100; INSERT INTO child SELECT seq, seq FROM seq_1_to_100;`,
      'grow',
    );
    const yaml = (tables: string, state = 'running') =>
      declaration('grow', 'grow', 'grow_copy', 'continuous', state).replace(
        '{ name: grow, target: grow_copy }',
        `{ name: grow, target: grow_copy, tables: { include: [${tables}] } }`,
      );
    const dir = writeProject(yaml('"grow.child"'), mkdtempSync(join(tmpdir(), 'migrate-my2my-grow-')));
    expect((await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 })).code).toBe(0);
    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    // parent deletes cascade to child on the source; the binary log carries the parent's rows only
    await src.query('DELETE FROM grow.parent WHERE id <= 30; INSERT INTO grow.child VALUES (500, NULL)');
    await waitFor(
      'the child row streamed',
      async () => (await dst.query('SELECT 1 FROM grow_copy.child WHERE id = 500')).length === 1,
      60_000,
      200,
    );
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    writeProject(yaml('"grow.child", "grow.parent"'), dir);
    const add = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(add.code).toBe(0);
    // the plan inspects the new selection: the key now has its table
    expect(add.stdout).not.toContain('not migrated: foreign key grow.child.child_up');
    writeProject(yaml('"grow.child", "grow.parent"', 'promoted'), dir);
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(promote.code).toBe(0);
    expect(await dump(dst, 'grow_copy')).toEqual(await dump(src, 'grow'));
    const [create] = await dst.query<Record<string, string>>('SHOW CREATE TABLE grow_copy.child');
    expect(create?.['Create Table']).toMatch(
      /CONSTRAINT `child_up` FOREIGN KEY \(`parent_id`\) REFERENCES `parent` \(`id`\) ON DELETE CASCADE/,
    );
    const verify = await runCli(['verify', 'grow'], { cwd: dir });
    expect(verify.stdout).not.toContain('DIFFERENT');
    expect(verify.code).toBe(0);
  }, 240_000);

  it('a whole server: 12 databases in one continuous job under writes to all of them, promote, every database equal', async () => {
    const N = 12;
    const names = Array.from({ length: N }, (_, i) => `srv${i}`);
    for (const db of names) {
      await src.query(`CREATE DATABASE ${db}`);
      await src.query(
        `CREATE TABLE ${db}.a (id int PRIMARY KEY, v varchar(20)) ENGINE=InnoDB;
        CREATE TABLE ${db}.b (id int AUTO_INCREMENT PRIMARY KEY, a_id int, n int,
          CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE) ENGINE=InnoDB;
        INSERT INTO ${db}.a SELECT seq, CONCAT('v', seq) FROM seq_1_to_500;
        INSERT INTO ${db}.b (a_id, n) SELECT 1 + seq % 500, seq FROM seq_1_to_1500;`,
        db,
      );
    }
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: src.port, user: 'root', multipleStatements: true });
    let running = true;
    const writing = (async () => {
      for (let i = 1; running; i++) {
        const db = names[i % N] as string;
        await writer.query(`START TRANSACTION;
          INSERT INTO ${db}.a VALUES (${1000 + i}, 'new');
          INSERT INTO ${db}.b (a_id, n) VALUES (${1000 + i}, ${i});
          UPDATE ${db}.a SET v = CONCAT(v, '+') WHERE id = ${1 + (i % 500)};
          DELETE FROM ${db}.a WHERE id = ${1 + ((i * 7) % 500)};
          COMMIT`);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const yaml = (state: string) =>
      declaration('whole', 'srv0', 'srv0', 'continuous', state).replace(
        '      - { name: srv0, target: srv0 }\n',
        names.map((n) => `      - { name: ${n}, target: ${n}_copy }\n`).join(''),
      );
    const dir = writeProject(yaml('running'), mkdtempSync(join(tmpdir(), 'migrate-my2my-whole-')));
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
    expect(apply.stdout + apply.stderr).toContain('Apply complete');
    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    await new Promise((r) => setTimeout(r, 3000));
    running = false;
    await writing;
    await writer.end();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    writeProject(yaml('promoted'), dir);
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
    expect(promote.code).toBe(0);
    for (const db of names) expect(await dump(dst, `${db}_copy`)).toEqual(await dump(src, db));
    const verify = await runCli(['verify', 'whole'], { cwd: dir });
    expect(verify.stdout).not.toContain('DIFFERENT');
    expect(verify.code).toBe(0);
  }, 300_000);

  it('continuous: changes of every type under kill -9 of the worker, cascades and triggers applied once, promote carries counters', async () => {
    await src.query('CREATE DATABASE live');
    await src.query(SCHEMA, 'live');
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: src.port, user: 'root', database: 'live' });
    let running = true;
    let written = 0;
    const writing = (async () => {
      for (let i = 1; running; i++) {
        await new Promise((r) => setTimeout(r, 5));
        await writer.query('START TRANSACTION');
        await writer.query(
          `INSERT INTO kinds (i8, u64, d, b64, dt, ts, dtm, c, v, tx, vb, bl, e, s, j, pt) VALUES
            (?, 18446744073709551615, ?, b'101', IF(? % 2, '0000-00-00', '2024-02-29'), NOW(6), '0000-00-00 00:00:00', 'é', ?, 'naïve\ttab', x'00', x'0a0d', 'c', 'y', '{"i": 1}', ST_GeomFromText('POINT(3 4)', 4326))`,
          [i % 100, `${i}.000000000000000000000000000001`, i, `w${i}`],
        );
        // rows netted in one batch: inserted then deleted, inserted then moved to another key
        if (i % 4 === 0) await writer.query('DELETE FROM kinds WHERE id = LAST_INSERT_ID()');
        else if (i % 3 === 0) await writer.query('UPDATE kinds SET id = id + 100000 WHERE id = LAST_INSERT_ID()');
        await writer.query(`UPDATE kinds SET dtm = IF(? % 2, '0000-00-00 00:00:00', NOW(6)), b1 = b'1', tx = 'ü' WHERE id = 1`, [
          i,
        ]);
        await writer.query('INSERT INTO parent VALUES (?, ?)', [100 + i, `p${i}`]);
        await writer.query('INSERT INTO child VALUES (?, ?)', [1000 + i, 100 + i]);
        // text in charsets other than UTF-8 and latin1, decoded from the binary log by the column's charset
        await writer.query('INSERT INTO wide VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
          i,
          `A${i}é✓𝄞`,
          `é${i}𝄞`,
          `${i}✓𝄞`,
          `ü${i}✓`,
          `ｱ${i}日本`,
          `中${i}`,
          `Ж${i}`,
          `Ł${i}ź`,
        ]);
        if (i % 2) await writer.query("UPDATE wide SET u16 = CONCAT(u16, '✓'), cy = 'Щука', uc = 'Ω' WHERE id = ?", [i - 1]);
        // cascades to its child: the binary log holds the parent's delete only
        if (i > 3) await writer.query('DELETE FROM parent WHERE id = ?', [100 + i - 3]);
        await writer.query('COMMIT');
        written++;
      }
    })();
    while (written < 10) await new Promise((r) => setTimeout(r, 20));
    const dir = writeProject(
      declaration('live', 'live', 'live_copy', 'continuous', 'running'),
      mkdtempSync(join(tmpdir(), 'migrate-my2my-cdc-')),
    );
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(apply.stdout + apply.stderr).toContain('Apply complete');
    const applied = async () => {
      const res = await runCli(['status', '--json'], { cwd: dir });
      const j = (JSON.parse(res.stdout) as { jobs: { databases: { appliedChanges: number }[] }[] }).jobs[0];
      return j?.databases[0]?.appliedChanges ?? 0;
    };
    const first = spawnCli(['worker'], { cwd: dir });
    children.push(first);
    const start = await applied();
    await waitFor('the first worker applies changes', async () => (await applied()) > start + 100, 90_000, 300);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await applied();
    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    await waitFor('the second worker applies changes', async () => (await applied()) > before + 200, 90_000, 300);
    // no trigger on the destination while changes apply
    expect(await dst.query(`SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'live_copy'`)).toEqual(
      [],
    );
    running = false;
    await writing;
    await writer.end();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    writeProject(declaration('live', 'live', 'live_copy', 'continuous', 'promoted'), dir);
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
    expect(promote.stdout + promote.stderr).toContain('Apply complete');
    expect(promote.code).toBe(0);
    expect(await dump(dst, 'live_copy')).toEqual(await dump(src, 'live'));
    expect(await definitions(dst, 'live_copy')).toEqual(await definitions(src, 'live'));
    const verify = await runCli(['verify', 'live'], { cwd: dir });
    expect(verify.stdout).toMatch(/equal {5}live: schema — 11 objects/);
    expect(verify.stdout).not.toContain('DIFFERENT');
    expect(verify.code).toBe(0);
    // after promote the application writes to the copy: the counter goes on from the source's
    await dst.query(`INSERT INTO live_copy.audit (what) VALUES ('after promote')`);
    const [last] = await dst.query<{ id: string }>(`SELECT MAX(id) AS id FROM live_copy.audit`);
    const [srcMax] = await src.query<{ id: string }>(`SELECT MAX(id) AS id FROM live.audit`);
    expect(Number(last?.id)).toBe(Number(srcMax?.id) + 1);
  }, 300_000);
});
