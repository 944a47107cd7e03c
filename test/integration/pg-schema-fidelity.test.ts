/**
 * Schema fidelity of PostgreSQL pairs on real servers: a shop schema with
 * every object kind the provider migrates (test/fixtures/pg/fidelity-schema.sql)
 * goes through the providers as the engine drives them, and describeSchema
 * must read the same on both sides — before finalize except for `enabled`,
 * after finalize exactly. Triggers must not fire before finalize (whatever
 * the session's replication role) and must fire as on the source after it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaObjectSummary } from '../../providers/catalog.js';
import type { PostgresDestination } from '../../providers/postgres/pg-destination.js';
import type { PostgresSource } from '../../providers/postgres/pg-source.js';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { EVERYTHING, KEEP, cutOver, migrateSchema, pgDestination, pgSource } from '../harness/pg-providers.js';

const FIXTURE = readFileSync(new URL('../fixtures/pg/fidelity-schema.sql', import.meta.url), 'utf8');
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
    // until finalize, triggers and rules are disabled and row security is not forced
    const trigger = (list: SchemaObjectSummary[], name: string) => list.find((o) => o.kind === 'trigger' && o.name === name);
    expect(trigger(before, 'shop.products.t_always')?.enabled).toBe('always');
    expect(trigger(migrated, 'shop.products.t_always')?.enabled).toBe('disabled');
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
