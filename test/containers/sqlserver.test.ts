import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MSSQLServerContainer, type StartedMSSQLServerContainer } from '@testcontainers/mssqlserver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../contract/logger.js';
import type { ChangeBatch, ResolvedProfile } from '../../providers/provider.js';
import { SqlServerSession } from '../../providers/sqlserver/mssql-connection.js';
import { sqlserverProvider } from '../../providers/sqlserver/mssql-provider.js';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { containerRuntimeUnavailable } from '../harness/mysql-container.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * SQL Server 2022 (a container: `MSSQL_IMAGE`, default
 * mcr.microsoft.com/mssql/server:2022-latest, SQL Server Agent on) as a
 * source and a destination:
 * - provider level, always when a container runtime exists: prerequisites
 *   named one by one, the catalog's canonical types, a snapshot whose LSN
 *   meets the change stream exactly (rows written during the dump arrive
 *   once), CDC changes in order (a primary-key update not reordered),
 *   SQL Server → SQL Server load and apply, verify-equal checksums;
 * - through the real CLI, once `sqlserver` is in the provider registry:
 *   one-time and continuous SQL Server → PostgreSQL 17 (embedded), kill -9
 *   of the worker during CDC, promote, verify equal.
 * Without a container runtime the whole suite is skipped with the reason
 * (MIGRATE_CONTAINERS_REQUIRED=1 makes that an error, e.g. in a CI with Docker).
 */
const IMAGE = process.env.MSSQL_IMAGE?.trim() || 'mcr.microsoft.com/mssql/server:2022-latest';
const SKIP = await containerRuntimeUnavailable();
if (SKIP) {
  if (process.env.MIGRATE_CONTAINERS_REQUIRED) throw new Error(`MIGRATE_CONTAINERS_REQUIRED is set, but ${SKIP}`);
  console.warn(`SKIPPED: SQL Server container suite (${IMAGE}): ${SKIP}`);
}
const TITLE = `SQL Server (${IMAGE}, container)${SKIP ? ` — SKIPPED: ${SKIP}` : ''}`;
const PASSWORD_ENV = 'MIGRATE_TEST_MSSQL_PASSWORD';
const PASSWORD = `Mig-${Math.random().toString(36).slice(2, 10)}-A1!`;

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let mssql: StartedMSSQLServerContainer;
let pg: PgServer;
const children: RunningCli[] = [];

function profile(): ResolvedProfile {
  return {
    engine: 'sqlserver',
    host: mssql.getHost(),
    port: mssql.getPort(),
    user: 'sa',
    password: PASSWORD,
    tls: { mode: 'require' },
  } as unknown as ResolvedProfile;
}

async function sql(db: string | undefined, text: string): Promise<unknown[][]> {
  const s = await SqlServerSession.open(profile(), db);
  try {
    return await s.rows(text);
  } finally {
    await s.close();
  }
}

/** A database with snapshot isolation and CDC on, and `tables` (DDL) each tracked with all columns. */
async function cdcDatabase(name: string, ddl: string, tables: string[]): Promise<void> {
  await sql('master', `CREATE DATABASE [${name}]; ALTER DATABASE [${name}] SET ALLOW_SNAPSHOT_ISOLATION ON;`);
  await sql(name, 'EXEC sys.sp_cdc_enable_db');
  await sql(name, ddl);
  for (const t of tables) {
    await sql(name, `EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'${t}', @role_name = NULL`);
  }
}

async function readAll(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += (chunk as Buffer).toString();
  return out;
}

/** Batches of a stream until `enough` says so. */
async function changesUntil(
  stream: { read(n: number, ms: number): Promise<ChangeBatch> },
  enough: (all: ChangeBatch[]) => boolean,
) {
  const all: ChangeBatch[] = [];
  await waitFor(
    'the CDC capture job to deliver the changes',
    async () => {
      const b = await stream.read(10_000, 1_000);
      if (b.events.length) all.push(b);
      return enough(all);
    },
    120_000,
    10,
  );
  return all;
}

describe.skipIf(!!SKIP)(TITLE, () => {
  beforeAll(async () => {
    mssql = await new MSSQLServerContainer(IMAGE)
      .acceptLicense()
      .withPassword(PASSWORD)
      .withEnvironment({ MSSQL_AGENT_ENABLED: 'true' })
      .start();
    process.env[PASSWORD_ENV] = PASSWORD;
    pg = await startPostgres({ major: 17 });
  });

  afterAll(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await pg?.stop(true);
    await mssql?.stop();
  });

  it('names each prerequisite that is missing, and passes once set', async () => {
    await sql('master', 'CREATE DATABASE plain_db');
    const source = sqlserverProvider.source(profile(), { logger: quiet });
    const before = await source.checkPrerequisites({ databases: ['plain_db', 'missing_db'], continuous: true });
    expect(before.map((d) => d.field)).toEqual(['allow_snapshot_isolation', 'is_cdc_enabled', 'databases']);
    await sql('master', 'ALTER DATABASE plain_db SET ALLOW_SNAPSHOT_ISOLATION ON');
    await sql('plain_db', 'EXEC sys.sp_cdc_enable_db');
    const after = await source.checkPrerequisites({ databases: ['plain_db'], continuous: true });
    expect(after.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('reads the catalog with canonical types, a snapshot meeting the change stream at its LSN, and changes in order', async () => {
    await cdcDatabase(
      'shop',
      `CREATE TABLE dbo.orders (id int IDENTITY(1,1) PRIMARY KEY, note nvarchar(50) COLLATE Latin1_General_CS_AS, total money NOT NULL,
         at datetime2(7) NOT NULL, off datetimeoffset(3), uid uniqueidentifier, raw varbinary(max), doc xml, flag bit,
         big bigint, price decimal(38,10), f real, g geography, h hierarchyid, computed AS (total * 2) PERSISTED);
       INSERT INTO dbo.orders (note, total, at, off, uid, raw, doc, flag, big, price, f, g, h)
       VALUES (N'ü', 12.3456, '2024-02-29 23:59:59.9999999', '2024-01-01 10:00:00.123 +02:00', NEWID(), 0x00FF, N'<a/>', 1,
               9223372036854775807, 1234567890123456789012345678.0123456789, 0.1, geography::Point(47.65, -122.34, 4326), hierarchyid::Parse('/1/3/'));`,
      ['orders'],
    );
    const source = sqlserverProvider.source(profile(), { logger: quiet });
    const catalog = await source.introspect('shop', { include: ['dbo.*'], exclude: [] });
    const orders = catalog.tables.find((t) => t.name === 'orders');
    expect(orders?.columns.map((c) => [c.name, c.nativeType, c.canonical?.kind])).toContainEqual([
      'at',
      'datetime2(7)',
      'timestamp',
    ]);
    const snapshot = await source.openSnapshot({
      database: 'shop',
      artifactName: 'a',
      cdc: true,
      tables: [{ schema: 'dbo', name: 'orders' }],
    });
    expect(snapshot.position).toMatch(/^0x[0-9A-F]{20}:0x0{20}:0$/);
    // written after the snapshot: must arrive through the change stream, not the dump
    await sql('shop', `INSERT INTO dbo.orders (note, total, at) VALUES (N'after', 1, SYSUTCDATETIME())`);
    const dump = await readAll(await snapshot.readRange(orders!, { id: 'all', predicate: null }, 'interchange-text'));
    await snapshot.close();
    const lines = dump.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('12.3456\t2024-02-29 23:59:59.9999999\t2024-01-01 08:00:00.123+00');
    await sql(
      'shop',
      `UPDATE dbo.orders SET note = N'changed' WHERE id = 1; DELETE FROM dbo.orders WHERE id = 2;
       CREATE TABLE dbo.pk (id int PRIMARY KEY); INSERT INTO dbo.pk VALUES (1), (2);`,
    );
    const stream = await source.streamChanges('shop', 'a', null, snapshot.position);
    const batches = await changesUntil(
      stream,
      (all) => all.flatMap((b) => b.events).filter((e) => e.kind === 'delete').length >= 1,
    );
    await stream.close();
    const rows = batches.flatMap((b) => b.events).filter((e) => e.kind !== 'begin' && e.kind !== 'commit');
    expect(rows.map((e) => e.kind)).toEqual(['insert', 'update', 'delete']);
    const update = rows[1] as Extract<(typeof rows)[number], { kind: 'update' }>;
    expect(update.old?.values[1]).toBe('ü');
    expect(update.new.values[1]).toBe('changed');
    for (const b of batches) expect(source.comparePositions(b.endPosition!, snapshot.position!)).toBeGreaterThan(0);
  });

  it('keeps a split primary-key update in order, and names a capture-instance change', async () => {
    await cdcDatabase('keys', 'CREATE TABLE dbo.k (id int PRIMARY KEY, v int); INSERT INTO dbo.k VALUES (1, 10), (2, 20);', [
      'k',
    ]);
    const source = sqlserverProvider.source(profile(), { logger: quiet });
    const from = await source.currentPosition('keys');
    await sql('keys', 'UPDATE dbo.k SET id = id + 1');
    const stream = await source.streamChanges('keys', 'a', from);
    const batches = await changesUntil(
      stream,
      (all) => all.flatMap((b) => b.events).filter((e) => e.kind === 'insert').length >= 2,
    );
    const ids = batches
      .flatMap((b) => b.events)
      .filter((e) => e.kind === 'insert' || e.kind === 'delete' || e.kind === 'update')
      .map((e) => `${e.kind}:${String((e.kind === 'delete' ? e.old : e.new).values[0])}`);
    // applied in this order the rows end as (2, 10), (3, 20) whatever the keys' overlap
    expect(ids.filter((x) => x.startsWith('insert')).sort()).toEqual(['insert:2', 'insert:3']);
    await sql(
      'keys',
      `ALTER TABLE dbo.k ADD extra int NULL;
      EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'k', @role_name = NULL, @capture_instance = N'dbo_k_v2'`,
    );
    await expect(
      (async () => {
        for (let i = 0; i < 30; i++) await stream.read(1000, 1_000);
      })(),
    ).rejects.toThrow(/capture instance of dbo\.k changed on the source/);
    await stream.close();
  });

  it('SQL Server → SQL Server: schema with identity, computed columns and collations, load, apply, equal checksums', async () => {
    await cdcDatabase(
      'homo',
      `CREATE TABLE dbo.t (id bigint IDENTITY(100,5) PRIMARY KEY, name nvarchar(40) COLLATE Latin1_General_CS_AS NOT NULL,
         amount decimal(20,4), at datetime2(7), tot AS (amount * 2) PERSISTED, INDEX ix_name NONCLUSTERED (name DESC));
       INSERT INTO dbo.t (name, amount, at) SELECT TOP (2000) CONCAT(N'n', ROW_NUMBER() OVER (ORDER BY (SELECT 1))), 1.2345, SYSUTCDATETIME()
         FROM sys.all_objects a CROSS JOIN sys.all_objects b;`,
      ['t'],
    );
    const source = sqlserverProvider.source(profile(), { logger: quiet });
    const dest = sqlserverProvider.destination(profile(), { logger: quiet });
    const catalog = await source.introspect('homo', { include: ['dbo.*'], exclude: [] });
    const t = catalog.tables[0]!;
    await dest.prepareDatabase('homo_copy', 'wipe');
    await dest.createSchema('homo_copy', catalog, 'pre-data', {} as never);
    const snapshot = await source.openSnapshot({ database: 'homo', artifactName: 'a', cdc: true, tables: [t] });
    const result = await dest.loadRange(
      'homo_copy',
      t,
      'interchange-text',
      await snapshot.readRange(t, { id: 'all', predicate: null }, 'interchange-text'),
      {
        truncateFirst: true,
      },
    );
    await snapshot.close();
    expect(result.rows).toBe(2000);
    await dest.createTablePostData('homo_copy', catalog, t);
    await sql(
      'homo',
      `UPDATE dbo.t SET name = N'renamed' WHERE id = 100; DELETE FROM dbo.t WHERE id = 105; INSERT INTO dbo.t (name) VALUES (N'new')`,
    );
    const stream = await source.streamChanges('homo', 'a', null, snapshot.position);
    const batches = await changesUntil(
      stream,
      (all) => all.flatMap((b) => b.events).filter((e) => e.kind === 'insert').length >= 1,
    );
    await stream.close();
    const session = await dest.beginApply('homo_copy');
    const last = batches[batches.length - 1]!;
    await session.commit(
      { job: 'j', database: 'homo', position: last.endPosition! },
      await dest.prepareChanges(
        'homo_copy',
        batches.flatMap((b) => b.events),
      ),
    );
    expect(await dest.readCheckpoint('homo_copy', 'j', 'homo')).toBe(last.endPosition);
    await dest.setSequences('homo_copy', catalog, await source.readSequences('homo', catalog.sequences));
    const a = await source.checksummer('homo').chunk(t, ['id'], null, null);
    const b = await dest.checksummer('homo_copy').chunk(t, ['id'], null, null);
    expect(b).toEqual(a);
    const [[next]] = (await sql('homo_copy', `INSERT INTO dbo.t (name) OUTPUT inserted.id VALUES (N'after promote')`)) as [
      [unknown],
    ];
    const [[srcMax]] = (await sql('homo', 'SELECT MAX(id) FROM dbo.t')) as [[unknown]];
    expect(BigInt(String(next))).toBeGreaterThan(BigInt(String(srcMax)));
  });

  it('SQL Server → SQL Server through tedious BulkLoad (a table of exactly-sent types), identity values kept', async () => {
    await cdcDatabase(
      'bulk',
      `CREATE TABLE dbo.b (id int IDENTITY(1,1) PRIMARY KEY, s nvarchar(40) NOT NULL, raw varbinary(16), big bigint, f float, u uniqueidentifier);
       INSERT INTO dbo.b (s, raw, big, f, u) SELECT TOP (5000) N'ü😀', 0x00FF, 9223372036854775807, 0.1, NEWID()
         FROM sys.all_objects a CROSS JOIN sys.all_objects b;
       DELETE FROM dbo.b WHERE id % 7 = 0;`,
      ['b'],
    );
    const source = sqlserverProvider.source(profile(), { logger: quiet });
    const dest = sqlserverProvider.destination(profile(), { logger: quiet });
    const catalog = await source.introspect('bulk', { include: ['dbo.*'], exclude: [] });
    const t = catalog.tables[0]!;
    await dest.prepareDatabase('bulk_copy', 'wipe');
    await dest.createSchema('bulk_copy', catalog, 'pre-data', {} as never);
    const snapshot = await source.openSnapshot({ database: 'bulk', artifactName: 'a', cdc: false, tables: [t] });
    const started = Date.now();
    const result = await dest.loadRange(
      'bulk_copy',
      t,
      'interchange-text',
      await snapshot.readRange(t, { id: 'all', predicate: null }, 'interchange-text'),
      { truncateFirst: true },
    );
    await snapshot.close();
    console.info(`BulkLoad: ${result.rows} rows in ${Date.now() - started} ms`);
    const a = await source.checksummer('bulk').chunk(t, ['id'], null, null);
    const b = await dest.checksummer('bulk_copy').chunk(t, ['id'], null, null);
    expect(b).toEqual(a);
  });

  describe('through the CLI', () => {
    const declaration = (jobs: string) => `version: 1
profiles:
  src: { engine: sqlserver, host: ${mssql.getHost()}, port: ${mssql.getPort()}, user: sa, password: "\${env:${PASSWORD_ENV}}", tls: { mode: require } }
  dst: { engine: postgres, host: 127.0.0.1, port: ${pg.port}, user: postgres }
jobs:
${jobs}`;
    const job = (name: string, db: string, target: string, type: string, state: string) => `  ${name}:
    source: src
    destination: dst
    type: ${type}
    state: ${state}
    databases:
      - { name: ${db}, target: ${target} }
`;

    it('one-time SQL Server → PostgreSQL: every value, verify equal', async () => {
      await cdcDatabase(
        'once',
        `CREATE TABLE dbo.items (id int PRIMARY KEY, name nvarchar(20), price money, at datetime2(7), u uniqueidentifier, b varbinary(max));
         INSERT INTO dbo.items VALUES (1, N'é', 1.2345, '2024-01-01 00:00:00.1234567', '6F9619FF-8B86-D011-B42D-00C04FC964FF', 0x00FF), (2, NULL, NULL, NULL, NULL, NULL);`,
        ['items'],
      );
      const dir = writeProject(
        declaration(job('once', 'once', 'once_pg', 'one-time', 'running')),
        mkdtempSync(join(tmpdir(), 'migrate-mssql-')),
      );
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
      expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
      const rows = await pg.query<Record<string, string | null>>(
        'SELECT id::text, name, price::text, u::text FROM dbo.items ORDER BY id',
        'once_pg',
      );
      expect(rows[0]).toEqual({ id: '1', name: 'é', price: '1.2345', u: '6f9619ff-8b86-d011-b42d-00c04fc964ff' });
      const verify = await runCli(['verify', 'once'], { cwd: dir });
      expect(verify.code).toBe(0);
    });

    it('continuous SQL Server → PostgreSQL under writes, kill -9 of the worker in CDC, promote, verify equal', async () => {
      await cdcDatabase(
        'live',
        `CREATE TABLE dbo.o (id int IDENTITY PRIMARY KEY, n int NOT NULL, s nvarchar(30));
        INSERT INTO dbo.o (n, s) SELECT TOP (3000) 1, N'x' FROM sys.all_objects a CROSS JOIN sys.all_objects b;`,
        ['o'],
      );
      let running = true;
      const writing = (async () => {
        for (let i = 0; running; i++) {
          await sql(
            'live',
            `BEGIN TRAN; INSERT INTO dbo.o (n, s) VALUES (${i}, N'w'); UPDATE dbo.o SET n = n + 1 WHERE id = ${(i % 3000) + 1}; DELETE FROM dbo.o WHERE id = ${((i * 7) % 3000) + 1}; COMMIT;`,
          );
        }
      })();
      const decl = (state: string) => declaration(job('live', 'live', 'live_pg', 'continuous', state));
      const dir = writeProject(decl('running'), mkdtempSync(join(tmpdir(), 'migrate-mssql-cdc-')));
      const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
      expect({ code: apply.code, out: apply.stdout + apply.stderr }).toMatchObject({ code: 0 });
      const first = spawnCli(['worker'], { cwd: dir });
      children.push(first);
      await new Promise((r) => setTimeout(r, 15_000));
      first.child.kill('SIGKILL');
      await first.exited;
      const worker = spawnCli(['worker'], { cwd: dir });
      children.push(worker);
      await new Promise((r) => setTimeout(r, 15_000));
      running = false;
      await writing;
      writeProject(decl('promoted'), dir);
      worker.child.kill('SIGTERM');
      await worker.exited;
      const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
      expect(promote.code).toBe(0);
      const verify = await runCli(['verify', 'live'], { cwd: dir });
      expect(verify.stdout).toContain('equal');
      expect(verify.code).toBe(0);
    });
  });
});
