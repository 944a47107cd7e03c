/**
 * The PostgreSQL introspector and DDL generator against real servers: a rich
 * schema on PostgreSQL 14 is read, recreated on PostgreSQL 17, and read back.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableSelection } from '../../engine/config/declaration.js';
import type { Catalog, TableDef } from '../../providers/catalog.js';
import { buildPostDataPlan, buildSchemaDdl, createIndexIfNotExists, finalizeDdl } from '../../providers/postgres/pg-ddl.js';
import { introspectPostgres } from '../../providers/postgres/pg-introspector.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../../providers/postgres/pg-quote.js';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';

const FIXTURE = readFileSync(new URL('../fixtures/pg/rich-schema.sql', import.meta.url), 'utf8');
const EVERYTHING: TableSelection = { include: ['*.*'], exclude: [] };

let source: PgServer;
let dest: PgServer;

async function withClient<T>(server: PgServer, db: string, fn: (c: pg.Client) => Promise<T>, stringsOnly = false): Promise<T> {
  const client = new pg.Client({
    connectionString: server.url(db),
    ...(stringsOnly ? { types: { getTypeParser: () => (v: string) => v } } : {}),
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function introspect(server: PgServer, db: string, match: TableSelection = EVERYTHING): Promise<Catalog> {
  return withClient(server, db, (c) => introspectPostgres(c, db, match));
}

async function run(server: PgServer, db: string, statements: string[]): Promise<void> {
  await withClient(server, db, async (c) => {
    for (const sql of statements) {
      try {
        await c.query(sql);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n  statement: ${sql}`, { cause: err });
      }
    }
  });
}

async function freshDatabase(server: PgServer, db: string): Promise<void> {
  await server.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
  await server.query(`CREATE DATABASE ${quoteIdent(db)}`);
}

/**
 * PostgreSQL 16 stopped qualifying column names in deparsed single-relation
 * queries (`SELECT accounts.id FROM public.accounts` became `SELECT id FROM
 * public.accounts`): the same view reads back differently from 14 and 17.
 */
function unqualifySingleRelation(definition: string): string {
  const from = [...definition.matchAll(/\bFROM\s+[^\s.]+\.(\w+)/g)];
  const rel = from[0]?.[1];
  if (from.length !== 1 || !rel || /\bJOIN\b/.test(definition)) return definition;
  return definition.replace(new RegExp(`(?<![\\w."])${rel}\\.`, 'g'), '');
}

/**
 * What cannot match between a source and a destination on another version:
 * the server version, planner estimates, and the view deparse change above.
 */
function comparable(catalog: Catalog): unknown {
  const { serverVersion: _v, ...rest } = catalog;
  return {
    ...rest,
    tables: catalog.tables.map((t) => ({ ...t, estimatedRows: 0, estimatedBytes: 0, pages: 0 })),
    views: catalog.views.map((v) => ({ ...v, definition: unqualifySingleRelation(v.definition) })),
  };
}

function table(catalog: Catalog, schema: string, name: string): TableDef {
  const t = catalog.tables.find((x) => x.schema === schema && x.name === name);
  if (!t) throw new Error(`no table ${schema}.${name} in catalog`);
  return t;
}

beforeAll(async () => {
  [source, dest] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 })]);
  await source.query('CREATE DATABASE rich');
  await source.query(FIXTURE, 'rich');
  await source.query('ANALYZE', 'rich');
});

afterAll(async () => {
  await Promise.all([source?.stop(true), dest?.stop(true)]);
});

describe('pg-quote', () => {
  it('always quotes identifiers and literals', () => {
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteQualified({ schema: 'my schema', name: 'User Table' })).toBe('"my schema"."User Table"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
  });

  it('rewrites index definitions to IF NOT EXISTS and lets partitioned indexes cascade', () => {
    expect(createIndexIfNotExists('CREATE INDEX "we "" ON ONLY" ON ONLY public.t USING btree (a)')).toBe(
      'CREATE INDEX IF NOT EXISTS "we "" ON ONLY" ON public.t USING btree (a)',
    );
    expect(createIndexIfNotExists('CREATE UNIQUE INDEX x ON public.t USING btree (a)')).toBe(
      'CREATE UNIQUE INDEX IF NOT EXISTS x ON public.t USING btree (a)',
    );
  });
});

describe('PostgreSQL 14 → 17 schema', () => {
  it('reads the source catalog', async () => {
    const cat = await introspect(source, 'rich');
    expect(cat.engine).toBe('postgres');
    expect(cat.serverVersion).toMatch(/^14\./);
    expect(cat.schemas).toEqual(['Sales', 'ext', 'my schema', 'public']);
    expect(cat.extensions.map((e) => `${e.schema}.${e.name}`)).toEqual([
      'public.btree_gist',
      'public.citext',
      'ext.hstore',
      'public.pg_trgm',
      'public.tablefunc',
      'public.uuid-ossp',
    ]);
    expect(cat.enums.map(({ schema, name, labels }) => ({ schema, name, labels }))).toEqual([
      { schema: 'Sales', name: 'Status', labels: ['new', 'Paid', 'shipped'] },
      { schema: 'public', name: 'mood', labels: ['sad', 'ok', 'happy', 'it\'s "complicated"'] },
      { schema: 'public', name: 'unused_enum', labels: ['never'] },
    ]);
    expect(cat.domains?.map((d) => d.name)).toEqual(['positive_int', 'Short Code']);

    // parents first, and the partition tree is kept
    const names = cat.tables.map((t) => `${t.schema}.${t.name}`);
    expect(names.indexOf('Sales.events')).toBeLessThan(names.indexOf('Sales.events_misc'));
    expect(names.indexOf('Sales.events_misc')).toBeLessThan(names.indexOf('Sales.events_misc_low'));
    const misc = table(cat, 'Sales', 'events_misc');
    expect(misc).toMatchObject({
      kind: 'partitioned',
      partitionOf: { schema: 'Sales', name: 'events' },
      partitionBound: "FOR VALUES IN ('misc', 'other')",
      partitionKey: 'RANGE (id)',
    });
    expect(table(cat, 'public', 'measurements_default').partitionBound).toBe('DEFAULT');
    const m2024 = table(cat, 'public', 'measurements_2024');
    expect(m2024.primaryKey?.inherited).toBe(true);
    expect(m2024.constraints).toEqual([]); // the check and foreign key come from the parent
    expect(m2024.indexes.map((i) => i.name)).toEqual(['measurements_2024_local']);

    const all = table(cat, 'public', 'all_types');
    const col = (n: string) => all.columns.find((c) => c.name === n);
    expect(all.columns.map((c) => c.name).slice(0, 3)).toEqual(['id', 'small', 'i']);
    expect(col('num_fixed')?.nativeType).toBe('numeric(20,5)');
    expect(col('feelings')?.nativeType).toBe('public.mood[]');
    expect(col('code')?.nativeType).toBe('"Sales"."Short Code"');
    expect(col('t')?.collation).toBe('C');
    expect(col('t_length')).toMatchObject({ generated: 'length(t)', default: null });
    expect(col('id')?.default).toBe("nextval('public.all_types_id_seq'::regclass)");
    expect(col('big')?.default).toBe("'9007199254740993'::bigint");
    const unsafe = all.columns.filter((c) => !c.binarySafe).map((c) => c.name);
    // a domain is sent as its base type ("Short Code" is a varchar); enums and extension types carry
    // OIDs, regclass is sent as an OID, aclitem has no binary form
    expect(unsafe).toEqual(['feeling', 'feelings', 'ci', 'hs', 'rc', 'acl']);

    const accounts = table(cat, 'public', 'accounts');
    expect(accounts.columns[0]).toMatchObject({ name: 'id', identity: 'always', nullable: false });
    expect(accounts.comment).toBe("Customer accounts; it's \\important\\");
    expect(accounts.constraints.find((c) => c.kind === 'foreign')).toMatchObject({
      columns: ['parent_id'],
      references: { schema: 'public', name: 'accounts' },
    });
    expect(table(cat, 'my schema', 'User Table').replicaIdentity).toBe('full');
    expect(table(cat, 'Sales', 'order_line')).toMatchObject({
      replicaIdentity: 'index',
      replicaIdentityIndex: 'order_line_pkey',
    });
    expect(table(cat, 'public', 'cache_entries').unlogged).toBe(true);
    // only the foreign key itself, not the per-partition clones PostgreSQL keeps beside it
    expect(table(cat, 'public', 'measurement_notes').constraints.map((c) => c.name)).toEqual([
      'measurement_notes_id_logdate_fkey',
    ]);

    const seq = (n: string) => cat.sequences.find((s) => s.name === n);
    expect(seq('accounts_id_seq')).toMatchObject({ identity: true, start: '100', increment: '10' });
    expect(seq('down_seq')).toMatchObject({ min: '-9223372036854775808', max: '-1', cycle: true, ownedBy: null });
    expect(seq('all_types_id_seq')?.ownedBy).toEqual({ table: { schema: 'public', name: 'all_types' }, column: 'id' });

    expect(cat.views.map((v) => v.name)).toEqual(['Order Summary', 'mv_measurements', 'v_accounts', 'v_accounts_top', 'v_audit']);
    expect(cat.views.find((v) => v.name === 'v_accounts_top')?.dependsOn).toEqual([{ schema: 'public', name: 'v_accounts' }]);
    expect(cat.views.find((v) => v.name === 'mv_measurements')?.indexes?.map((i) => i.name)).toEqual(['mv_measurements_logdate']);
  });

  it('recreates the schema on PostgreSQL 17 and reads back the same catalog', async () => {
    const src = await introspect(source, 'rich');
    const ddl = buildSchemaDdl(src);
    await freshDatabase(dest, 'rich');
    await run(dest, 'rich', ddl.preData);
    await run(dest, 'rich', [...ddl.postData, ...finalizeDdl(src)]);
    const copy = await introspect(dest, 'rich');
    expect(copy.serverVersion).toMatch(/^17\./);
    expect(comparable(copy)).toEqual(comparable(src));
  });

  it('recreates the schema again from the PostgreSQL 17 catalog', async () => {
    const src = await introspect(source, 'rich');
    await freshDatabase(dest, 'first');
    const first = buildSchemaDdl(src);
    await run(dest, 'first', [...first.preData, ...first.postData]);
    const onSeventeen = await introspect(dest, 'first');
    const again = buildSchemaDdl(onSeventeen);
    await freshDatabase(dest, 'again');
    await run(dest, 'again', [...again.preData, ...again.postData]);
    expect(comparable(await introspect(dest, 'again'))).toEqual(comparable({ ...onSeventeen, database: 'again' }));
  });

  it('is idempotent: both phases run twice, and again after a partial post-data run', async () => {
    const src = await introspect(source, 'rich');
    const ddl = buildSchemaDdl(src);
    await freshDatabase(dest, 'twice');
    await run(dest, 'twice', ddl.preData);
    await run(dest, 'twice', ddl.postData.slice(0, Math.floor(ddl.postData.length / 2)));
    await run(dest, 'twice', ddl.preData);
    await run(dest, 'twice', ddl.postData);
    await run(dest, 'twice', [...ddl.postData, ...finalizeDdl(src)]);
    expect(comparable(await introspect(dest, 'twice'))).toEqual(comparable({ ...src, database: 'twice' }));
  });

  it('builds per-table post-data groups that may run in parallel', async () => {
    const src = await introspect(source, 'rich');
    const plan = buildPostDataPlan(src);
    const all = buildSchemaDdl(src);
    expect(plan.tables.flatMap((g) => g.statements).length + plan.final.length).toBe(all.postData.length);
    expect(plan.tables.some((g) => g.table.name === 'measurements_2024')).toBe(false); // grouped with its root
    await freshDatabase(dest, 'parallel');
    await run(dest, 'parallel', all.preData);
    await Promise.all(plan.tables.map((g) => run(dest, 'parallel', g.statements)));
    await run(dest, 'parallel', [...plan.final, ...finalizeDdl(src)]);
    expect(comparable(await introspect(dest, 'parallel'))).toEqual(comparable({ ...src, database: 'parallel' }));
  });

  it('reads only the selection and the objects it needs', async () => {
    const match = { include: ['public.*'], exclude: ['public.audit_*'] };
    const cat = await introspect(source, 'rich', match);
    expect(cat.tables.map((t) => t.name).sort()).toEqual([
      'accounts',
      'all_types',
      'bookings',
      'cache_entries',
      'measurement_notes',
      'measurements',
      'measurements_2023',
      'measurements_2024',
      'measurements_default',
    ]);
    expect(cat.enums.map((e) => e.name)).toEqual(['mood', 'unused_enum']); // every enum of the selected schema
    expect(cat.domains?.map((d) => d.name)).toEqual(['positive_int', 'Short Code']);
    expect(cat.schemas).toEqual(['Sales', 'ext', 'public']); // Sales for the domain
    expect(cat.sequences.map((s) => s.name)).toEqual([
      'accounts_alt_seq',
      'accounts_id_seq',
      'all_types_id_seq',
      'audit_entries_id_seq',
      'bookings_id_seq',
      'down_seq',
      'measurements_id_seq',
      'shared_seq',
    ]);
    // used by bookings.ref, but its owner is not selected
    expect(cat.sequences.find((s) => s.name === 'audit_entries_id_seq')?.ownedBy).toBeNull();
    expect(cat.views.map((v) => v.name)).toEqual(['mv_measurements', 'v_accounts', 'v_accounts_top']);
    // not v_audit, and it says why
    expect(cat.notMigrated).toEqual([
      { kind: 'view', name: 'public.v_audit', reason: 'needs table public.audit_log, which is not selected' },
    ]);
    // every extension of the database, whatever the selection uses
    expect(cat.extensions.map((e) => e.name)).toEqual(['btree_gist', 'citext', 'hstore', 'pg_trgm', 'tablefunc', 'uuid-ossp']);

    const ddl = buildSchemaDdl(cat);
    await freshDatabase(dest, 'selected');
    await run(dest, 'selected', [...ddl.preData, ...ddl.postData, ...finalizeDdl(cat)]);
    const { notMigrated: _left, ...migrated } = cat;
    expect(comparable(await introspect(dest, 'selected', match))).toEqual(comparable({ ...migrated, database: 'selected' }));
  });

  it('keeps a selected partition of an unselected parent as a standalone table', async () => {
    const cat = await introspect(source, 'rich', { include: ['public.measurements_2024'], exclude: [] });
    const [t] = cat.tables;
    expect(cat.tables).toHaveLength(1);
    expect(t).toMatchObject({ kind: 'table', partitionOf: null, partitionBound: null });
    expect(t?.primaryKey?.inherited).toBeUndefined();
    expect(t?.constraints.map((c) => c.kind).sort()).toEqual(['check']);
    // its key to public.accounts cannot be created without that table, and says so
    expect(cat.notMigrated).toContainEqual({
      kind: 'constraint',
      name: 'public.measurements_2024.measurements_account_id_fkey',
      reason: 'needs table public.accounts, which is not selected',
    });
    expect(t?.indexes.map((i) => i.name).sort()).toEqual(['measurements_2024_local', 'measurements_2024_value_idx']);
  });

  it('reads values as text whatever the client parsers, and restores search_path', async () => {
    const viaDefault = await introspect(source, 'rich');
    const viaStrings = await withClient(
      source,
      'rich',
      async (c) => {
        await c.query('SET search_path = "Sales", public');
        const cat = await introspectPostgres(c, 'rich', EVERYTHING);
        const res = await c.query<{ p: string }>("select current_setting('search_path') as p");
        expect(res.rows[0]?.p).toBe('"Sales", public');
        return cat;
      },
      true,
    );
    expect(viaStrings).toEqual(viaDefault);
  });
});
