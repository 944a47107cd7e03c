import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import {
  binaryLogStatus,
  containerRuntimeUnavailable,
  mysqlImage,
  startMySqlContainer,
  type MySqlContainerServer,
} from '../harness/mysql-container.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor, waitForDumpMidway } from '../harness/wait-for.js';
import { type CoverageColumn, MYSQL_COVERAGE } from '../fixtures/mysql-coverage.js';

/**
 * MySQL 8 (a container: `MYSQL_IMAGE`, default mysql:8.0; mysql:8.4 too) →
 * PostgreSQL 17 through the real CLI: the scenarios the MariaDB suites run
 * (test/e2e/mysql-to-postgres.test.ts, test/e2e/conformance.test.ts), where
 * MySQL 8 differs — binary JSON, utf8mb4_0900 collations, generated columns,
 * display widths gone from COLUMN_TYPE, no `Binlog_snapshot_*` status (the
 * snapshot of parallel readers takes the brief global read lock), `SHOW
 * BINARY LOG STATUS` in 8.4, GTIDs on. Without a container runtime the whole
 * suite is skipped with the reason (set MIGRATE_CONTAINERS_REQUIRED=1 to make
 * that an error, e.g. in a CI that has Docker).
 */
const IMAGE = mysqlImage();
const SKIP = await containerRuntimeUnavailable();
if (SKIP) {
  if (process.env.MIGRATE_CONTAINERS_REQUIRED) throw new Error(`MIGRATE_CONTAINERS_REQUIRED is set, but ${SKIP}`);
  console.warn(`SKIPPED: MySQL 8 container suite (${IMAGE} → PostgreSQL 17): ${SKIP}`);
}
const TITLE = `MySQL 8 (${IMAGE}, container) → PostgreSQL 17${SKIP ? ` — SKIPPED: ${SKIP}` : ''}`;

let my: MySqlContainerServer;
let pg: PgServer;
const children: RunningCli[] = [];

/** MySQL has no `seq_1_to_N` (MariaDB's Sequence engine): `seq.n` = 1..n from a recursive CTE. */
const SEQ = (n: number) => `WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})`;
const DEEP_CTE = 'SET SESSION cte_max_recursion_depth = 10000000;';

function declaration(jobs: string, user?: { name: string; passwordEnv: string }): string {
  const src = user
    ? `{ engine: mysql, host: ${my.host}, port: ${my.port}, user: ${user.name}, password: "\${env:${user.passwordEnv}}" }`
    : my.profile();
  return `version: 1
profiles:
  src: ${src}
  dst: { engine: postgres, host: 127.0.0.1, port: ${pg.port}, user: postgres }
jobs:
${jobs}`;
}

function job(name: string, db: string, target: string, extra = '', type = 'one-time', state = 'running'): string {
  return `  ${name}:
    source: src
    destination: dst
    type: ${type}
    state: ${state}
${extra}    databases:
      - { name: ${db}, target: ${target} }
`;
}

function connectSource(database: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: my.host, port: my.port, user: 'root', password: my.rootPassword, database });
}

async function appliedChanges(dir: string): Promise<number> {
  const res = await runCli(['status', '--json'], { cwd: dir });
  const j = (JSON.parse(res.stdout) as { jobs: { databases: { appliedChanges: number }[] }[] }).jobs[0];
  return j?.databases[0]?.appliedChanges ?? 0;
}

/** One column per MySQL 8 type: the value written, and the text PostgreSQL must return for it (null: checked apart). */
const COVERAGE: CoverageColumn[] = [
  ...MYSQL_COVERAGE,
  {
    column: 'mb3',
    type: 'varchar(10) CHARACTER SET utf8mb3',
    values: [
      ["'drei ü'", 'drei ü'],
      ["'€'", '€'],
    ],
  },
  // the utf8mb4_0900 collations (MySQL 8's default family): values arrive byte for byte whatever the comparison rules
  {
    column: 'ai',
    type: 'varchar(20) COLLATE utf8mb4_0900_ai_ci',
    values: [
      ["'Ärger'", 'Ärger'],
      ["'naïve ß'", 'naïve ß'],
    ],
  },
  {
    column: 'cs',
    type: 'varchar(20) COLLATE utf8mb4_0900_as_cs',
    values: [
      ["'😀 Ünï'", '😀 Ünï'],
      ["'x'", 'x'],
    ],
  },
  {
    column: 'bn',
    type: 'varchar(20) COLLATE utf8mb4_0900_bin',
    values: [
      ["'bin ✓'", 'bin ✓'],
      ["''", ''],
    ],
  },
  // MySQL 8 stores JSON in its binary form and prints it normalised; jsonb orders keys by length, then bytes
  {
    column: 'j2',
    type: 'json',
    values: [
      ['\'{"b": 1, "a": [true, false, null], "long key": "x"}\'', '{"a": [true, false, null], "b": 1, "long key": "x"}'],
      ['\'"just a string"\'', '"just a string"'],
    ],
  },
  {
    column: 'j3',
    type: 'json',
    values: [
      [
        '\'{"big": 18446744073709551615, "neg": -9223372036854775808, "d": 0.5}\'',
        '{"d": 0.5, "big": 18446744073709551615, "neg": -9223372036854775808}',
      ],
      ["'null'", 'null'], // JSON null, not SQL NULL
    ],
  },
];

/** The sample schema of the conformance suite (test/e2e/conformance.test.ts), in MySQL 8's dialect. */
const CONF_SCHEMA = `${DEEP_CTE}
  CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL, balance decimal(12,2) NOT NULL DEFAULT 0, created datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));
  CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, total decimal(12,2), note text, FOREIGN KEY (customer_id) REFERENCES customers (id));
  INSERT INTO customers (name, balance) ${SEQ(2000)} SELECT CONCAT('c', n), n / 10 FROM seq;
  INSERT INTO orders (customer_id, total, note) ${SEQ(6000)} SELECT 1 + n % 2000, n / 7, IF(n % 3 = 0, NULL, CONCAT('n', n)) FROM seq;`;

/** The conformance database, created once for the one-time and the continuous scenario. */
let conf: Promise<void> | null = null;
const confDatabase = () =>
  (conf ??= (async () => {
    await my.createDatabase('conf');
    await my.query(CONF_SCHEMA, 'conf');
  })());

/** One application transaction of the conformance suite. */
const TRANSACTION = (i: number) => [
  `INSERT INTO orders (customer_id, total, note) VALUES (${1 + (i % 2000)}, ${i}.25, 'live ${i}')`,
  `UPDATE customers SET balance = balance + 1 WHERE id = ${1 + ((i * 7) % 2000)}`,
  `DELETE FROM orders WHERE id = ${1 + ((i * 11) % 6000)}`,
];

describe.skipIf(SKIP)(TITLE, () => {
  beforeAll(async () => {
    [my, pg] = await Promise.all([startMySqlContainer({ image: IMAGE }), startPostgres({ major: 17 })]);
    console.info(`MySQL ${my.version} (${IMAGE}) on ${my.host}:${my.port}; PostgreSQL 17 on 127.0.0.1:${pg.port}`);
  }, 900_000);

  afterAll(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.all([my?.stop(true), pg?.stop(true)]);
  });

  describe('the source', () => {
    it('runs with the settings a CDC source needs, keeps its data and port through kill -9, and passes plan', async () => {
      const [row] = await my.query<Record<string, unknown>>(
        `SELECT @@version AS v, @@log_bin AS log_bin, @@binlog_format AS f, @@binlog_row_image AS i, @@binlog_row_metadata AS m,
                @@gtid_mode AS gtid, @@enforce_gtid_consistency AS egc, @@server_id AS sid, @@character_set_server AS cs,
                @@collation_server AS coll, @@local_infile AS li`,
      );
      expect(String(row?.v)).toMatch(/^8\./);
      expect(Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, String(v)]))).toMatchObject({
        log_bin: '1',
        f: 'ROW',
        i: 'FULL',
        m: 'FULL',
        gtid: 'ON',
        egc: 'ON',
        sid: '1',
        cs: 'utf8mb4',
        coll: 'utf8mb4_0900_ai_ci',
        li: '1',
      });
      if (/^mysql:/.test(IMAGE)) {
        // stock MySQL has no snapshot position (MariaDB, Percona do): parallel readers meet under the brief lock
        expect(await my.query("SHOW SESSION STATUS LIKE 'Binlog_snapshot_%'")).toEqual([]);
      }
      expect((await binaryLogStatus(my))?.File).toMatch(/^binlog\.\d+$/);

      await my.query('CREATE DATABASE kept; CREATE TABLE kept.t (id int PRIMARY KEY); INSERT INTO kept.t VALUES (1)');
      const port = my.port;
      await my.kill('SIGKILL');
      await my.start();
      expect(my.port).toBe(port);
      expect((await my.query<{ id: unknown }>('SELECT id FROM kept.t')).map((r) => String(r.id))).toEqual(['1']);

      // the prerequisites of a continuous job, read from a MySQL 8 server: nothing to report
      const dir = writeProject(
        declaration(job('pre', 'kept', 'kept_pg', '', 'continuous')),
        mkdtempSync(join(tmpdir(), 'migrate-my8-')),
      );
      const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
      expect({ code: plan.code, errors: (plan.stdout + plan.stderr).match(/^.*error:.*$/gm) ?? [] }).toEqual({
        code: 2,
        errors: [],
      });
      expect(plan.stdout).toContain('Plan: 1 to add');
    });
  });

  describe('one-time', () => {
    it('every type arrives exactly (binary JSON, utf8mb4_0900 collations); keys, indexes, AUTO_INCREMENT carried; generated columns named', async () => {
      const cols = COVERAGE.map((c) => `${c.column} ${c.type}`).join(',\n  ');
      await my.query(`CREATE DATABASE types DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
        CREATE TABLE types.Coverage (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  ${cols},
          gs decimal(14,2) AS (money * 2) STORED, gv varchar(30) AS (CONCAT(c3, '|')) VIRTUAL,
          note varchar(200), FULLTEXT (note), KEY by_v (v(5)));
        CREATE TABLE types.child (id bigint PRIMARY KEY, coverage_id int unsigned,
          CONSTRAINT fk_cov FOREIGN KEY (coverage_id) REFERENCES types.Coverage (id) ON DELETE CASCADE);
        CREATE TABLE types.words (w varchar(40) COLLATE utf8mb4_0900_ai_ci PRIMARY KEY, n int);
        CREATE VIEW types.v_cov AS SELECT id FROM types.Coverage;
        CREATE TRIGGER types.trg BEFORE INSERT ON types.child FOR EACH ROW SET NEW.id = NEW.id;`);
      for (const row of [0, 1]) {
        await my.query(
          `INSERT INTO types.Coverage (${COVERAGE.map((c) => c.column).join(', ')}) VALUES (${COVERAGE.map((c) => (c.values[row] as [string, string | null])[0]).join(', ')})`,
        );
      }
      await my.query(`INSERT INTO types.Coverage (id) VALUES (1000); INSERT INTO types.child VALUES (1, 1), (2, NULL);
        INSERT INTO types.words VALUES ('apple', 1), ('Zebra', 2), ('Äpfel', 3), ('émile', 4), ('😀', 5), ('b', 6), ('B2', 7);`);

      const dir = writeProject(
        declaration(
          job(
            'types',
            'types',
            'types_pg',
            '    types:\n      - { nativeType: tinyint(1), to: boolean }\n      - { column: types.coverage.dur, to: interval }\n',
          ),
        ),
        mkdtempSync(join(tmpdir(), 'migrate-my8-')),
      );
      const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
      const planned = plan.stdout + plan.stderr;
      expect(plan.code).toBe(2);
      // MySQL 8.0.19+ prints integer types without a display width (tinyint(1) keeps it)
      expect(planned).toContain('types.Coverage.u64: bigint unsigned → numeric(20)');
      expect(planned).toContain('types.Coverage.flag: tinyint(1) → boolean');
      for (const named of [
        'view types.v_cov',
        'trigger types.child.trg',
        'fulltext index types.Coverage.note',
        'generated column types.Coverage.gs',
        'generated column types.Coverage.gv',
      ]) {
        expect(planned).toContain(`not migrated: ${named}`);
      }
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir });
      expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
      expect(apply.stdout).toContain('Apply complete');

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
        `SELECT attname AS c, format_type(atttypid, atttypmod) AS t FROM pg_attribute
          WHERE attrelid = 'types.coverage'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        'types_pg',
      );
      const byName = Object.fromEntries(types.map((r) => [r.c, r.t]));
      expect(byName).toMatchObject({
        id: 'bigint',
        u64: 'numeric(20,0)',
        flag: 'boolean',
        dur: 'interval',
        tm: 'time(6) without time zone',
        ts: 'timestamp(6) with time zone',
        e: 'types.coverage_e',
        j: 'jsonb',
        j3: 'jsonb',
        ai: 'character varying(20)',
        mb3: 'character varying(10)',
        g: 'bytea',
      });
      // generated columns are not converted: neither their expression nor their values
      expect(Object.keys(byName)).not.toContain('gs');
      expect(Object.keys(byName)).not.toContain('gv');
      const [next] = await pg.query<{ n: string }>(`SELECT nextval('types.coverage_id_seq') AS n`, 'types_pg');
      expect(next?.n).toBe('1001');
      const fk = await pg.query<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'fk_cov'`,
        'types_pg',
      );
      expect(fk[0]?.def).toBe('FOREIGN KEY (coverage_id) REFERENCES types.coverage(id) ON UPDATE RESTRICT ON DELETE CASCADE');
      const indexes = await pg.query<{ i: string }>(
        `SELECT indexname AS i FROM pg_indexes WHERE schemaname = 'types' ORDER BY 1`,
        'types_pg',
      );
      expect(indexes.map((r) => r.i)).toEqual(['child_fk_cov', 'child_pkey', 'coverage_by_v', 'coverage_pkey', 'words_pkey']);
      const words = await pg.query<{ w: string }>('SELECT w FROM types.words ORDER BY w COLLATE "C"', 'types_pg');
      expect(words.map((r) => r.w)).toEqual(['B2', 'Zebra', 'apple', 'b', 'Äpfel', 'émile', '😀']);

      // verify compares canonical values across the engines (small chunks: text keys bounded on both sides by bytes)
      const verify = await runCli(['verify', 'types', '--chunk-rows', '2'], { cwd: dir });
      expect(verify.stdout).toContain('equal     types: types.Coverage — 3 rows on source, 3 on destination');
      expect(verify.stdout).toContain('equal     types: types.words — 7 rows on source, 7 on destination');
      expect(verify.stdout).toContain('schema objects are not compared between engines');
      expect(verify.code).toBe(0);
      await pg.query(`UPDATE types.coverage SET j3 = '{"d": 0.25}' WHERE id = 2`, 'types_pg');
      const tampered = await runCli(['verify', 'types'], { cwd: dir });
      expect(tampered.stdout).toContain('DIFFERENT types: types.Coverage');
      expect(tampered.stdout).toContain('key ["2"]: different');
      expect(tampered.code).toBe(3);
    });

    it('literal column defaults arrive as defaults (MySQL 8 writes them unquoted in information_schema)', async () => {
      await my.query(`CREATE DATABASE defs;
        CREATE TABLE defs.t (id int PRIMARY KEY, status enum('new','paid') NOT NULL DEFAULT 'new',
          label varchar(20) NOT NULL DEFAULT 'it''s', day date DEFAULT '2024-01-31', amount decimal(6,2) DEFAULT 1.50,
          created datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), today date DEFAULT (CURRENT_DATE));
        INSERT INTO defs.t (id) VALUES (1);`);
      const dir = writeProject(declaration(job('defs', 'defs', 'defs_pg')), mkdtempSync(join(tmpdir(), 'migrate-my8-')));
      const plan = await runCli(['plan'], { cwd: dir });
      // an expression default (8.0.13+) is named; literals are not expressions
      expect(plan.stdout + plan.stderr).toContain('not migrated: column default defs.t.today');
      for (const literal of ['status', 'label', 'day', 'amount', 'created']) {
        expect(plan.stdout + plan.stderr).not.toContain(`not migrated: column default defs.t.${literal}`);
      }
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir });
      expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
      const defaults = await pg.query<{ c: string; d: string | null }>(
        `SELECT column_name AS c, column_default AS d FROM information_schema.columns
          WHERE table_schema = 'defs' AND table_name = 't' ORDER BY ordinal_position`,
        'defs_pg',
      );
      const d = Object.fromEntries(defaults.map((r) => [r.c, r.d ?? '']));
      expect(d.status).toMatch(/^'new'::/);
      expect(d.label).toMatch(/^'it''s'::/);
      expect(d.day).toMatch(/^'2024-01-31'::date$/);
      expect(d.amount).toMatch(/^'?1\.50/);
      expect(d.created).toMatch(/CURRENT_TIMESTAMP/i);
      await pg.query('INSERT INTO defs.t (id) VALUES (2)', 'defs_pg');
      const [row] = await pg.query<Record<string, string>>('SELECT status, label, day FROM defs.t WHERE id = 2', 'defs_pg');
      expect(row).toEqual({ status: 'new', label: "it's", day: '2024-01-31' });
    });

    it('an index on a generated column and a functional index (8.0.13+) are named as not converted; the job completes, verify equal', async () => {
      await my.query(`CREATE DATABASE gen;
        CREATE TABLE gen.docs (id int PRIMARY KEY, name varchar(40), doc json,
          kind varchar(20) AS (doc->>'$.kind') STORED, price decimal(10,2) AS (CAST(doc->>'$.price' AS DECIMAL(10,2))) VIRTUAL,
          KEY by_kind (kind), KEY by_lower ((lower(name))));
        INSERT INTO gen.docs (id, name, doc) VALUES (1, 'One', '{"kind": "a", "price": "9.99"}'), (2, 'Two', '{"kind": "b"}'), (3, NULL, NULL);`);
      const dir = writeProject(declaration(job('gen', 'gen', 'gen_pg')), mkdtempSync(join(tmpdir(), 'migrate-my8-')));
      const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
      expect(plan.stdout + plan.stderr).toContain('not migrated: generated column gen.docs.kind');
      expect(plan.stdout + plan.stderr).toContain('not migrated: generated column gen.docs.price');
      expect(plan.stdout + plan.stderr).toMatch(/not migrated: .*gen\.docs\.by_kind/);
      expect(plan.stdout + plan.stderr).toMatch(/not migrated: .*gen\.docs\.by_lower/);
      expect(plan.code).toBe(2);
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir });
      expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
      const verify = await runCli(['verify', 'gen'], { cwd: dir });
      expect(verify.stdout).toContain('equal     gen: gen.docs — 3 rows on source, 3 on destination');
      expect(verify.code).toBe(0);
    });

    it('parallel readers meet under the brief global read lock while writers commit: rows written together arrive together', async () => {
      await my.query(`CREATE DATABASE ledger;
        CREATE TABLE ledger.debit (id bigint PRIMARY KEY, amount decimal(12,2), pad varchar(200));
        CREATE TABLE ledger.credit (id bigint PRIMARY KEY, amount decimal(12,2), pad varchar(200));`);
      await my.query(`${DEEP_CTE}
        INSERT INTO ledger.debit ${SEQ(150_000)} SELECT n, n / 100, REPEAT('x', 200) FROM seq;
        INSERT INTO ledger.credit SELECT * FROM ledger.debit; ANALYZE TABLE ledger.debit, ledger.credit;`);
      const writer = await connectSource('ledger');
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
        mkdtempSync(join(tmpdir(), 'migrate-my8-')),
      );
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: { MIGRATE_LOG: 'debug' } });
      running = false;
      await writing;
      await writer.end();
      expect({ code: apply.code, out: apply.stdout + apply.stderr.slice(-3000) }).toMatchObject({ code: 0 });
      expect(written).toBeGreaterThan(20);
      // no Binlog_snapshot_* on stock MySQL: FLUSH TABLES WITH READ LOCK, every reader starts, position, UNLOCK
      expect(apply.stderr).toMatch(/snapshot opened .*readers=[2-4] how="brief global read lock"/);
      expect(apply.stderr).toMatch(/writers waited for the snapshot lock ms=\d+/);
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

    it('conformance: plan → apply → equal by verify → plan says No changes', async () => {
      await confDatabase();
      const dir = writeProject(
        declaration(job('once', 'conf', 'conf_once', '    parallelism: 2\n')),
        mkdtempSync(join(tmpdir(), 'migrate-my8-conf-')),
      );
      expect((await runCli(['plan', '--detailed-exitcode'], { cwd: dir })).code).toBe(2);
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
      expect(apply.stdout).toContain('Apply complete');
      expect(apply.code).toBe(0);
      const verify = await runCli(['verify', 'once'], { cwd: dir, timeoutMs: 240_000 });
      expect(verify.stdout).not.toContain('DIFFERENT');
      expect(verify.stdout).toMatch(/equal {5}conf: \w+\.orders/);
      expect(verify.stdout).toMatch(/equal {5}conf: \w+\.customers/);
      expect(verify.code).toBe(0);
      const again = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
      expect(again.stdout).toContain('No changes.');
      expect(again.code).toBe(0);
    });

    it('fails early in plan: a wrong password, replication privileges of a continuous job, a missing database; nothing is written', async () => {
      // caching_sha2_password, MySQL 8's default, over a connection without TLS
      await my.query(`CREATE DATABASE early; CREATE TABLE early.t (id int PRIMARY KEY);
        CREATE USER 'app'@'%' IDENTIFIED BY 'right'; GRANT SELECT ON *.* TO 'app'@'%'`);
      const dir = writeProject(
        declaration(job('cdc', 'early', 'never1', '', 'continuous') + job('nodb', 'missing', 'never2'), {
          name: 'app',
          passwordEnv: 'MY_PASSWORD',
        }),
        mkdtempSync(join(tmpdir(), 'migrate-my8-')),
      );
      const wrong = await runCli(['plan'], { cwd: dir, env: { MY_PASSWORD: 'wrong' } });
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toContain("error: profile.src (source of job.cdc): Access denied for user 'app'");
      expect(wrong.stderr + wrong.stdout).not.toContain('wrong');
      const right = await runCli(['plan'], { cwd: dir, env: { MY_PASSWORD: 'right' } });
      expect(right.code).toBe(1);
      expect(right.stdout).toContain('lacks the REPLICATION SLAVE privilege');
      expect(right.stdout).toContain('lacks the REPLICATION CLIENT privilege');
      expect(right.stdout).toContain('source database "missing" does not exist');
      const dbs = await pg.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'never%'`);
      expect(dbs).toEqual([]);
      // the replication privileges through a default role count (SHOW GRANTS lists them only USING the role)
      await my.query(`CREATE ROLE 'replicator'; GRANT REPLICATION SLAVE, REPLICATION CLIENT, RELOAD ON *.* TO 'replicator';
        GRANT 'replicator' TO 'app'@'%'; SET DEFAULT ROLE 'replicator' TO 'app'@'%'`);
      const viaRole = await runCli(['plan'], { cwd: dir, env: { MY_PASSWORD: 'right' } });
      expect(viaRole.stdout).not.toContain('lacks the REPLICATION SLAVE privilege');
      expect(viaRole.stdout).not.toContain('lacks the REPLICATION CLIENT privilege');
      expect(viaRole.stdout).toContain('source database "missing" does not exist');
    });
  });

  describe('continuous', () => {
    it('dumps, streams the binary log (GTIDs on) under writes, survives kill -9 of its worker, promotes: every value equal, counters carried', async () => {
      await my.query(`CREATE DATABASE live DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
        CREATE TABLE live.Orders (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, Customer varchar(50) NOT NULL,
          total decimal(12,2), status enum('new','paid','sent') NOT NULL DEFAULT 'new', paid tinyint(1) NOT NULL DEFAULT 0,
          at datetime(6), ts timestamp(6) NULL, doc json, raw varbinary(16), note text CHARACTER SET latin1,
          tag varchar(20) COLLATE utf8mb4_0900_as_cs);
        CREATE TABLE live.events (k varchar(20) NOT NULL, n int NOT NULL, body blob);`);
      await my.query(
        `${DEEP_CTE}
        INSERT INTO Orders (Customer, total, at, raw, note, tag) ${SEQ(5000)}
          SELECT CONCAT('c', n), n / 7, '2024-01-01 00:00:00.5', UNHEX('00FF'), 'café', IF(n % 2 = 0, 'Ünï', NULL) FROM seq;
        INSERT INTO events ${SEQ(200)} SELECT CONCAT('k', n), n, NULL FROM seq;`,
        'live',
      );
      const writer = await connectSource('live');
      let running = true;
      let written = 0;
      const writing = (async () => {
        for (let i = 1; running; i++) {
          await new Promise((r) => setTimeout(r, 5));
          await writer.query('START TRANSACTION');
          await writer.query(
            `INSERT INTO Orders (Customer, total, status, paid, at, ts, doc, raw, note, tag)
             VALUES (?, ?, 'paid', 1, NOW(6), NOW(6), ?, UNHEX('DEAD'), 'naïve\ttab', '😀')`,
            [
              `w${i}`,
              `${i}.25`,
              `{"i": ${i}, "t": "ü", "a": [1.5, true, null, {"k": "v"}], "big": 18446744073709551615, "neg": -${i}}`,
            ],
          );
          // a JSON update: the row images carry the whole binary document (binlog_row_value_options is empty)
          await writer.query(
            `UPDATE Orders SET status = 'sent', total = total + 1, doc = JSON_SET(COALESCE(doc, '{}'), '$.u', ?) WHERE id = ?`,
            [i, (i % 5000) + 1],
          );
          await writer.query(`DELETE FROM Orders WHERE id = ?`, [((i * 7) % 5000) + 1]);
          await writer.query(`UPDATE events SET n = n + 1, body = UNHEX('0102') WHERE k = ?`, [`k${(i % 200) + 1}`]);
          await writer.query(`DELETE FROM events WHERE k = ? LIMIT 1`, [`k${((i * 3) % 200) + 1}`]);
          await writer.query(`INSERT INTO events VALUES (?, ?, NULL)`, [`k${((i * 3) % 200) + 1}`, i]);
          await writer.query('COMMIT');
          written++;
        }
      })();
      while (written < 10) await new Promise((r) => setTimeout(r, 20));
      const decl = (state: string) =>
        declaration(
          job('live', 'live', 'live_pg', '    types:\n      - { nativeType: tinyint(1), to: boolean }\n', 'continuous', state),
        );
      const dir = writeProject(decl('running'), mkdtempSync(join(tmpdir(), 'migrate-my8-cdc-')));
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 180_000 });
      expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
      expect(apply.stdout).toContain('Apply complete');
      // the apply's embedded worker applied some already: a worker must apply more; the first is killed -9 midway
      const first = spawnCli(['worker'], { cwd: dir });
      children.push(first);
      const start = await appliedChanges(dir);
      await waitFor('the first worker applies changes', async () => (await appliedChanges(dir)) > start + 100, 120_000, 300);
      first.child.kill('SIGKILL');
      await first.exited;
      const before = await appliedChanges(dir);
      const worker = spawnCli(['worker'], { cwd: dir });
      children.push(worker);
      await waitFor(
        'changes applied from the binary log by the worker',
        async () => (await appliedChanges(dir)) > before + 300,
        120_000,
        500,
      ).catch(async (err) => {
        throw new Error(
          `${(err as Error).message}\nworker: ${worker.output()}\nstatus: ${(await runCli(['status'], { cwd: dir })).stdout}`,
        );
      });
      running = false;
      await writing;
      await writer.end();
      const [checkpoint] = await pg.query<{ position: string }>('SELECT position FROM _migrate.cdc_checkpoint', 'live_pg');
      expect(checkpoint?.position).toMatch(/^binlog\.\d+:\d+$/);
      writeProject(decl('promoted'), dir);
      worker.child.kill('SIGTERM');
      expect({ code: await worker.exited, output: worker.output().slice(-3000) }).toMatchObject({ code: 0 });
      const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
      expect(promote.stdout + promote.stderr).toContain('Apply complete');
      expect(promote.code).toBe(0);
      const verify = await runCli(['verify', 'live'], { cwd: dir });
      expect(verify.stdout).toContain('equal     live: live.Orders');
      expect(verify.stdout).toContain('equal     live: live.events');
      expect(verify.code).toBe(0);
      // MySQL 8 caches information_schema statistics (AUTO_INCREMENT too) for a day unless told not to
      const [mx] = await my.query<{ n: unknown }>(
        `SET SESSION information_schema_stats_expiry = 0;
         SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'live' AND TABLE_NAME = 'Orders'`,
      );
      const [next] = await pg.query<{ n: string }>(`SELECT nextval('live.orders_id_seq')::text AS n`, 'live_pg');
      expect(BigInt(next?.n ?? '0')).toBeGreaterThanOrEqual(BigInt(String(mx?.n ?? '1')));
    }, 600_000);

    it('a table with STORED and VIRTUAL generated columns streams: the other columns arrive, verify equal after promote', async () => {
      await my.query(`CREATE DATABASE genlive;
        CREATE TABLE genlive.items (id int PRIMARY KEY, qty int NOT NULL, price decimal(10,2) NOT NULL,
          total decimal(14,2) AS (qty * price) STORED, label varchar(60) AS (CONCAT('#', id, ' x', qty)) VIRTUAL);
        INSERT INTO genlive.items (id, qty, price) VALUES (1, 1, 1.00), (2, 2, 2.50);`);
      const decl = (state: string) => declaration(job('genlive', 'genlive', 'genlive_pg', '', 'continuous', state));
      const dir = writeProject(decl('running'), mkdtempSync(join(tmpdir(), 'migrate-my8-gen-')));
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir });
      expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
      const worker = spawnCli(['worker'], { cwd: dir });
      children.push(worker);
      await my.query(
        `INSERT INTO items (id, qty, price) VALUES (3, 3, 3.75); UPDATE items SET qty = qty + 10 WHERE id = 1; DELETE FROM items WHERE id = 2`,
        'genlive',
      );
      const state = async () =>
        (await pg.query<{ id: string; qty: string }>('SELECT id::text, qty::text FROM genlive.items ORDER BY id', 'genlive_pg'))
          .map((r) => `${r.id}:${r.qty}`)
          .join(',');
      await waitFor('the changes streamed', async () => (await state()) === '1:11,3:3', 60_000, 200).catch(async (err) => {
        throw new Error(
          `${(err as Error).message} (now ${await state()})\nworker: ${worker.output().slice(-3000)}\nstatus: ${(await runCli(['status'], { cwd: dir })).stdout}`,
        );
      });
      const status = await runCli(['status'], { cwd: dir });
      expect(status.stdout).not.toContain('Running with errors');
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      writeProject(decl('promoted'), dir);
      const promote = await runCli(['apply', '--auto-approve'], { cwd: dir });
      expect(promote.code).toBe(0);
      const verify = await runCli(['verify', 'genlive'], { cwd: dir });
      expect(verify.stdout).toContain('equal     genlive: genlive.items');
      expect(verify.code).toBe(0);
    }, 300_000);

    it('conformance: continuous under application writes → promote → equal by verify', async () => {
      await confDatabase();
      const source = await connectSource('conf');
      let running = true;
      let written = 0;
      const writing = (async () => {
        for (let i = 1; running; i++) {
          await source.query('BEGIN');
          for (const sql of TRANSACTION(i)) await source.query(sql);
          await source.query('COMMIT');
          written++;
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const decl = (state: string) => declaration(job('live', 'conf', 'conf_live', '    parallelism: 2\n', 'continuous', state));
      const dir = writeProject(decl('running'), mkdtempSync(join(tmpdir(), 'migrate-my8-conf-')));
      const started = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
      expect(started.code).toBe(0);
      const worker = spawnCli(['worker'], { cwd: dir });
      children.push(worker);
      const atStart = written;
      await waitFor('the application writes while the worker streams', async () => written > atStart + 100, 120_000, 200);
      running = false;
      await writing;
      await source.end();
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      writeProject(decl('promoted'), dir);
      const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 240_000 });
      expect(promote.stdout).toContain('Apply complete');
      expect(promote.code).toBe(0);
      const verify = await runCli(['verify', 'live'], { cwd: dir, timeoutMs: 240_000 });
      expect(verify.stdout).not.toContain('DIFFERENT');
      expect(verify.stdout).toMatch(/equal {5}conf: \w+\.orders/);
      expect(verify.stdout).toMatch(/equal {5}conf: \w+\.customers/);
      expect(verify.code).toBe(0);
    }, 600_000);

    it('a binary log purged past the checkpoint is drift: plan says so and proposes the restart', async () => {
      await my.query(`CREATE DATABASE purged; CREATE TABLE purged.t (id int PRIMARY KEY, v int)`);
      const writer = await connectSource('purged');
      let running = true;
      const writing = (async () => {
        for (let i = 1; running; i++) {
          await writer.query('INSERT INTO t VALUES (?, ?)', [i, i]);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const dir = writeProject(
        declaration(job('purged', 'purged', 'purged_pg', '', 'continuous')),
        mkdtempSync(join(tmpdir(), 'migrate-my8-purge-')),
      );
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
      running = false;
      await writing;
      await writer.end();
      expect(apply.code).toBe(0);
      const [checkpoint] = await pg.query<{ position: string }>('SELECT position FROM _migrate.cdc_checkpoint', 'purged_pg');
      expect(checkpoint?.position).toMatch(/^binlog\.\d+:\d+$/);
      const file = checkpoint?.position.split(':')[0];
      expect((await runCli(['plan', '--detailed-exitcode'], { cwd: dir })).stdout).not.toContain('was purged');
      await my.query('FLUSH BINARY LOGS; FLUSH BINARY LOGS');
      const current = await binaryLogStatus(my);
      // a dump thread still ending keeps its file: purge again until the checkpoint's file is gone
      await waitFor(
        'the checkpoint binary log purged',
        async () => {
          await my.query(`PURGE BINARY LOGS TO '${current?.File}'`);
          const logs = await my.query<{ Log_name: string }>('SHOW BINARY LOGS');
          return !logs.some((l) => l.Log_name === file);
        },
        30_000,
        200,
      );
      const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
      expect(plan.stdout + plan.stderr).toContain(
        `drift: job.purged: the binary log ${file} holding the changes after the checkpoint`,
      );
      expect(plan.stdout).toMatch(/restart/i);
      expect(plan.code).toBe(2);
    });

    it('a source restart during CDC is retried: the stream resumes from its checkpoint, nothing lost or doubled', async () => {
      await my.query(`CREATE DATABASE restarted; CREATE TABLE restarted.t (id int PRIMARY KEY, v int)`);
      const dir = writeProject(
        declaration(job('restarted', 'restarted', 'restarted_pg', '', 'continuous')),
        mkdtempSync(join(tmpdir(), 'migrate-my8-restart-')),
      );
      expect((await runCli(['apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
      const worker = spawnCli(['worker'], { cwd: dir });
      children.push(worker);
      const write = async (from: number, n: number) => {
        const w = await connectSource('restarted');
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
      await waitFor('the rows after the restart streamed', async () => (await count()) === 600, 120_000, 300);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain('transient failure, retrying');
      const [dups] = await pg.query<{ n: string }>(
        'SELECT (count(*) - count(DISTINCT id))::text AS n FROM restarted.t',
        'restarted_pg',
      );
      expect(dups?.n).toBe('0');
    }, 300_000);

    it('kill -9 of apply in the full dump under writes: the next apply resumes, promote, verify equal', async () => {
      await my.query(`CREATE DATABASE resumed;
        CREATE TABLE resumed.small (id int PRIMARY KEY, v int);
        CREATE TABLE resumed.big (id bigint PRIMARY KEY, v int, pad varchar(200));`);
      await my.query(
        `${DEEP_CTE}
         INSERT INTO small ${SEQ(1000)} SELECT n, n FROM seq;
         INSERT INTO big ${SEQ(300_000)} SELECT n, n, REPEAT('y', 200) FROM seq;`,
        'resumed',
      );
      const writer = await connectSource('resumed');
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
      const decl = (state: string) => declaration(job('resumed', 'resumed', 'resumed_pg', '', 'continuous', state));
      const dir = writeProject(decl('running'), mkdtempSync(join(tmpdir(), 'migrate-my8-kill-')));
      const first = spawnCli(['apply', '--auto-approve'], { cwd: dir });
      children.push(first);
      await waitForDumpMidway(dir, 'resumed');
      first.child.kill('SIGKILL');
      await first.exited;
      const again = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
      expect(again.stdout).toContain('Apply complete');
      expect(again.code).toBe(0);
      running = false;
      await writing;
      await writer.end();
      writeProject(decl('promoted'), dir);
      const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
      expect(promote.stdout).toContain('Apply complete');
      const verify = await runCli(['verify', 'resumed'], { cwd: dir, timeoutMs: 300_000 });
      expect(verify.stdout).toContain('equal     resumed: resumed.big');
      expect(verify.stdout).toContain('equal     resumed: resumed.small');
      expect(verify.code).toBe(0);
    }, 600_000);

    it('TRUNCATE replicates; a schema change holds back only its table (Running with errors), the rest streams', async () => {
      await my.query(`CREATE DATABASE ddl; CREATE TABLE ddl.a (id int PRIMARY KEY, v int); CREATE TABLE ddl.b (id int PRIMARY KEY, v int);
        INSERT INTO ddl.a VALUES (1, 1), (2, 2); INSERT INTO ddl.b VALUES (1, 1), (2, 2);`);
      const dir = writeProject(
        declaration(job('ddl', 'ddl', 'ddl_pg', '', 'continuous')),
        mkdtempSync(join(tmpdir(), 'migrate-my8-ddl-')),
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
    }, 300_000);
  });
});
