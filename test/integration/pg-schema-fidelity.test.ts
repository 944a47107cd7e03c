/**
 * Schema fidelity of PostgreSQL pairs on real servers: a shop schema with
 * every object kind the provider migrates (test/fixtures/pg/fidelity-schema.sql)
 * goes through the providers as the engine drives them, and describeSchema
 * must read the same on both sides — before finalize except for `enabled`,
 * after finalize exactly. Triggers must not fire before finalize (whatever
 * the session's replication role) and must fire as on the source after it.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaObjectSummary } from '../../providers/catalog.js';
import type { PostgresDestination } from '../../providers/postgres/pg-destination.js';
import type { PostgresSource } from '../../providers/postgres/pg-source.js';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { buildSchemaDdl } from '../../providers/postgres/pg-ddl.js';
import { EVERYTHING, KEEP, SKIP, cutOver, migrateSchema, pgDestination, pgSource } from '../harness/pg-providers.js';

const FIXTURE = readFileSync(new URL('../fixtures/pg/fidelity-schema.sql', import.meta.url), 'utf8');
const LEFTOVERS = readFileSync(new URL('../fixtures/pg/fidelity-leftovers.sql', import.meta.url), 'utf8');
const ROLES = 'DO $$ BEGIN CREATE ROLE app_owner; CREATE ROLE app_reader; CREATE ROLE app_writer; END $$';

let s14: PgServer;
let s17: PgServer;
let d17: PgServer;
let dest: PostgresDestination;

beforeAll(async () => {
  [s14, s17, d17] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 }), startPostgres({ major: 17 })]);
  for (const s of [s14, s17, d17]) await s.query(ROLES);
  for (const s of [s14, s17]) {
    await s.query('CREATE DATABASE shop');
    await s.query(FIXTURE, 'shop');
  }
  dest = pgDestination(d17);
});

afterAll(async () => {
  await dest?.close();
  await Promise.all([s14?.stop(true), s17?.stop(true), d17?.stop(true)]);
});

/** One statement at a time on one session (some may not run in a transaction block). */
async function runEach(server: PgServer, db: string, script: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.url(db) });
  await client.connect();
  try {
    for (const sql of script.split(/;\s*\n/)) if (sql.replace(/--.*$/gm, '').trim()) await client.query(sql);
  } finally {
    await client.end();
  }
}

const withoutEnabled = (list: SchemaObjectSummary[]) => list.map(({ enabled: _e, ...rest }) => rest);

/** Inserts a product and reports which triggers fired (new rows in events_log by trigger name). */
async function firedOnInsert(db: string, id: number, replica: boolean): Promise<string[]> {
  const marker = await d17.query<{ n: string }>('SELECT coalesce(max(id), 0)::text AS n FROM shop.events_log', db);
  await d17.query(
    // an explicit key, as replicated rows have (the identity is ALWAYS again after finalize)
    `${replica ? 'SET session_replication_role = replica; ' : ''}INSERT INTO shop.products (id, sku, name, price, stock)
       OVERRIDING SYSTEM VALUE VALUES (${id}, 'TST-${String(id).padStart(4, '0')}', 'probe', 1, 1)`,
    db,
  );
  const rows = await d17.query<{ t: string }>(
    `SELECT trigger_name AS t FROM shop.events_log WHERE id > ${marker[0]?.n ?? '0'} ORDER BY trigger_name`,
    db,
  );
  return rows.map((r) => r.t);
}

describe.each([
  ['17 → 17', () => s17, 'from17'],
  ['14 → 17', () => s14, 'from14'],
])('PostgreSQL %s', (_label, server, target) => {
  let source: PostgresSource;
  beforeAll(() => {
    source = pgSource(server());
  });
  afterAll(() => source?.close());

  it('recreates every object of the selected schemas: describeSchema is equal, before finalize but for enable modes', async () => {
    const catalog = await source.introspect('shop', EVERYTHING);
    expect(catalog.notMigrated ?? []).toEqual([]);
    expect(await dest.checkCatalog(target, catalog, KEEP)).toEqual([]);
    await migrateSchema(source, 'shop', dest, target);
    // a killed worker runs the phases again
    await dest.createSchema(target, catalog, 'pre-data', KEEP);
    for (const t of catalog.tables.filter((x) => x.partitionOf === null)) await dest.createTablePostData(target, catalog, t);
    await dest.createSchema(target, catalog, 'post-data', KEEP);

    const before = await source.describeSchema('shop', EVERYTHING);
    const migrated = await dest.describeSchema(target, EVERYTHING);
    expect(withoutEnabled(migrated)).toEqual(withoutEnabled(before));
    const kinds = new Set(before.map((o) => o.kind));
    for (const kind of [
      'aggregate',
      'cast',
      'collation',
      'constraint',
      'default privileges',
      'domain',
      'enum',
      'event trigger',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    for (const kind of ['extension', 'function', 'index', 'materialized view', 'operator', 'policy', 'procedure', 'rule']) {
      expect(kinds, kind).toContain(kind);
    }
    for (const kind of ['schema', 'sequence', 'statistics', 'table', 'trigger', 'type', 'view', 'window function']) {
      expect(kinds, kind).toContain(kind);
    }
    const definition = (name: string) => migrated.find((o) => o.name === name)?.definition ?? '';
    expect(definition('shop.products')).toContain('CLUSTER ON "products_pkey"');
    expect(definition('shop.products')).toContain('"description" text STORAGE external COMPRESSION pglz');
    expect(definition('shop.note_feed')).toContain(`COLUMN "body" DEFAULT 'untitled'::text`);
    expect(definition('shop.order_lines')).toContain('"token" text DEFAULT shop.next_token()');
    // until finalize, triggers and rules are disabled and row security is not forced
    const trigger = (list: SchemaObjectSummary[], name: string) => list.find((o) => o.kind === 'trigger' && o.name === name);
    expect(trigger(before, 'shop.products.t_always')?.enabled).toBe('always');
    expect(trigger(migrated, 'shop.products.t_always')?.enabled).toBe('disabled');
    // a view's INSTEAD OF trigger cannot be disabled, and never sees replicated rows
    expect(trigger(migrated, 'shop.note_feed.note_feed_insert')?.enabled).toBe('origin');
    expect(migrated.find((o) => o.name === 'shop.orders')?.enabled).toBeNull();
    expect(before.find((o) => o.name === 'shop.orders')?.enabled).toBe('FORCE ROW LEVEL SECURITY');
  });

  it('fires no trigger or rule before finalize, in either replication role', async () => {
    expect(await firedOnInsert(target, 1001, false)).toEqual([]);
    expect(await firedOnInsert(target, 1002, true)).toEqual([]);
    const count = async (table: string) =>
      (await d17.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`, target))[0]?.n;
    const [events, prices] = [await count('shop.events_log'), await count('shop.price_log')];
    for (const role of ['origin', 'replica']) {
      await d17.query(
        `SET session_replication_role = ${role}; INSERT INTO audit.entries VALUES (1${role.length}, '2025-03-01', 'probe');
         UPDATE shop.products SET price = price + 1 WHERE id = 1001`,
        target,
      );
    }
    expect([await count('shop.events_log'), await count('shop.price_log')]).toEqual([events, prices]);
  });

  it('after finalize: describeSchema is equal, enable modes included, and triggers fire as on the source', async () => {
    const catalog = await source.introspect('shop', EVERYTHING);
    await cutOver(source, 'shop', dest, target, catalog);
    await dest.finalize(target, catalog, KEEP); // idempotent
    expect(await dest.describeSchema(target, EVERYTHING)).toEqual(await source.describeSchema('shop', EVERYTHING));

    expect(await firedOnInsert(target, 1003, false)).toEqual(['t_always', 't_origin']);
    expect(await firedOnInsert(target, 1004, true)).toEqual(['t_always', 't_replica']);
    await d17.query('UPDATE shop.products SET price = 7 WHERE id = 1001', target);
    expect(await d17.query<{ n: string }>('SELECT new_price::text AS n FROM shop.price_log', target)).toEqual([{ n: '7.00' }]);
    await d17.query("INSERT INTO audit.entries VALUES (11, '2025-04-01', 'probe')", target);
    const fired = await d17.query<{ t: string }>(
      "SELECT trigger_name AS t FROM shop.events_log WHERE source = 'entries_2025' ORDER BY id DESC LIMIT 2",
      target,
    );
    expect(fired.map((r) => r.t).sort()).toEqual(['entries_2025_own', 'entries_log']);
    // a sequence no column owns got the source's value
    expect(await d17.query<{ v: string }>('SELECT last_value::text AS v FROM shop.invoice_no', target)).toEqual([{ v: '5000' }]);
  });
});

describe('PostgreSQL 17 → 17, a selection of one schema', () => {
  const selection = { include: ['shop.*'], exclude: [] };

  it('brings along what the selected tables need from other schemas, and nothing else', async () => {
    const source = pgSource(s17);
    try {
      const catalog = await migrateSchema(source, 'shop', dest, 'shop_only', { selection });
      expect(catalog.tables.map((t) => `${t.schema}.${t.name}`)).not.toContain('audit.entries');
      // used by shop's columns, defaults and domain checks
      expect(catalog.enums.map((e) => `${e.schema}.${e.name}`)).toEqual(['util.mood']);
      expect(catalog.domains?.map((d) => d.name).sort()).toEqual(['positive', 'sku']);
      expect(catalog.schemas).toEqual(['public', 'shop', 'util']);
      const described = await source.describeSchema('shop', selection);
      expect(described.filter((o) => o.kind === 'schema').map((o) => o.name)).toEqual(['shop']);
      expect(described.some((o) => o.name === 'util.unused_state' || o.kind === 'cast')).toBe(false);
      await cutOver(source, 'shop', dest, 'shop_only', catalog);
      expect(await dest.describeSchema('shop_only', selection)).toEqual(described);
    } finally {
      await source.close();
    }
  });
});

describe('owners and grants', () => {
  it('checkCatalog names every role the destination lacks, and what to do', async () => {
    // roles only the source server has
    await s17.query('CREATE ROLE legacy_owner; CREATE ROLE legacy_reader; CREATE ROLE legacy_policy');
    await s17.query('CREATE DATABASE roles');
    await s17.query(
      `CREATE TABLE public.accounts (id integer PRIMARY KEY, owner_name text);
       ALTER TABLE public.accounts OWNER TO legacy_owner;
       GRANT SELECT ON public.accounts TO legacy_reader;
       ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
       CREATE POLICY mine ON public.accounts TO legacy_policy USING (owner_name = current_user)`,
      'roles',
    );
    const source = pgSource(s17);
    try {
      const catalog = await source.introspect('roles', EVERYTHING);
      const [kept] = await dest.checkCatalog('roles', catalog, KEEP);
      expect(kept).toMatchObject({
        severity: 'error',
        summary: 'roles missing on the destination: legacy_owner, legacy_policy, legacy_reader',
      });
      expect(kept?.detail).toContain('legacy_owner owns table public.accounts');
      expect(kept?.detail).toContain('legacy_reader has privileges on table public.accounts');
      expect(kept?.detail).toContain('set schema.owners: skip and/or schema.grants: skip');
      // skipping owners and grants leaves only what no setting can skip: the role a policy names
      const skipped = await dest.checkCatalog('roles', catalog, SKIP);
      expect(skipped).toEqual([
        expect.objectContaining({ severity: 'error', summary: 'roles missing on the destination: legacy_policy' }),
      ]);
      expect(skipped[0]?.detail).toContain('row-level security policies name them');
    } finally {
      await source.close();
    }
  });

  it('checkCatalog names extensions the destination server does not have', async () => {
    // old_snapshot ships with PostgreSQL 14 and 15, not 17
    await s14.query('CREATE DATABASE exts');
    await s14.query('CREATE EXTENSION old_snapshot; CREATE EXTENSION hstore', 'exts');
    const source = pgSource(s14);
    try {
      const catalog = await source.introspect('exts', EVERYTHING);
      expect(await dest.checkCatalog('exts', catalog, KEEP)).toEqual([
        expect.objectContaining({
          severity: 'error',
          summary: 'extensions not available on the destination server: old_snapshot',
        }),
      ]);
    } finally {
      await source.close();
    }
  });

  it('with owners and grants skipped: no OWNER TO, no GRANT, everything belongs to the migration user', async () => {
    const source = pgSource(s17);
    try {
      const catalog = await source.introspect('shop', EVERYTHING);
      const statements = [...buildSchemaDdl(catalog, SKIP).postData, ...buildSchemaDdl(catalog, SKIP).preData];
      expect(statements.filter((s) => /OWNER TO|\bGRANT\b|DEFAULT PRIVILEGES/.test(s))).toEqual([]);
      await migrateSchema(source, 'shop', dest, 'skipped', { settings: SKIP });
      const described = await dest.describeSchema('skipped', EVERYTHING);
      const owners = new Set(described.map((o) => o.owner).filter((o) => o !== null));
      // public predates the migration: it keeps the destination's own owner
      expect([...owners].sort()).toEqual(['<migration user>', 'pg_database_owner']);
      expect(described.filter((o) => /app_/.test(o.acl ?? '')).map((o) => o.name)).toEqual([]);
      expect(described.filter((o) => o.kind === 'default privileges')).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

describe('what is not migrated', () => {
  it('is reported, each with its reason, and the rest migrates', async () => {
    await s17.query('CREATE DATABASE leftovers');
    await runEach(s17, 'leftovers', LEFTOVERS);
    const selection = { include: ['leftovers.*'], exclude: ['leftovers.hidden'] };
    const source = pgSource(s17);
    try {
      const catalog = await source.introspect('leftovers', selection);
      const reported = (catalog.notMigrated ?? []).map((o) => `${o.kind}: ${o.name}`);
      expect(reported.sort()).toEqual(
        [
          'base type: leftovers.label',
          'database setting: work_mem=8MB',
          'default privileges: for role postgres on tables',
          'foreign server: elsewhere',
          'foreign table: leftovers.remote_orders',
          'function: leftovers.label_in(cstring)',
          'function: leftovers.label_out(leftovers.label)',
          'index: leftovers.kept_v_reverse',
          'large objects: 1 large objects',
          'operator class: leftovers.int4_reverse',
          'operator family: leftovers.int4_reverse',
          'publication: app_pub',
          'subscription: app_sub',
          'tablespace: leftovers.spaced',
          'text search configuration: leftovers.simple_copy',
          'user mapping: postgres on elsewhere',
          'view: leftovers.peek',
        ].sort(),
      );
      const why = (name: string) => catalog.notMigrated?.find((o) => o.name === name)?.reason;
      expect(why('leftovers.peek')).toBe('needs table leftovers.hidden, which is not selected');
      expect(why('leftovers.kept_v_reverse')).toBe(
        'needs operator class leftovers.int4_reverse for access method btree, which is not migrated',
      );
      expect(why('leftovers.label_in(cstring)')).toBe('needs base type leftovers.label, which is not migrated');
      // what is left out is the catalog's to report (the engine does): nothing stops the migration
      expect(await dest.checkCatalog('leftovers', catalog, KEEP)).toEqual([]);
      await migrateSchema(source, 'leftovers', dest, 'leftovers', { selection });
      await cutOver(source, 'leftovers', dest, 'leftovers', catalog);
      expect(await dest.describeSchema('leftovers', selection)).toEqual(await source.describeSchema('leftovers', selection));
    } finally {
      await source.close();
    }
  });
});
