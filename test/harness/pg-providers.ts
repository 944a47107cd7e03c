/**
 * The PostgreSQL source and destination providers on harness servers, and a
 * schema migration driven the way the engine drives it: introspect →
 * prepareDatabase → pre-data → rows → each root table's post-data →
 * post-data → (sequences + finalize).
 */
import type { SchemaSettings, TableSelection } from '../../engine/config/declaration.js';
import { silentLogger } from '../../engine/runtime/logger.js';
import type { Catalog } from '../../providers/catalog.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import { PostgresDestination } from '../../providers/postgres/pg-destination.js';
import { PostgresSource } from '../../providers/postgres/pg-source.js';
import type { PgServer } from './embedded-postgres.js';

export const KEEP: SchemaSettings = { owners: 'keep', grants: 'keep' };
export const SKIP: SchemaSettings = { owners: 'skip', grants: 'skip' };
export const EVERYTHING: TableSelection = { include: ['*.*'], exclude: [] };

export function pgProfile(server: PgServer, name = 'pg'): ResolvedProfile {
  return {
    name,
    engine: 'postgres',
    host: server.host,
    port: server.port,
    user: 'postgres',
    password: undefined,
    database: 'postgres',
    tls: { mode: 'disable' },
    location: { file: 'test', line: 1, column: 1 },
  };
}

export const pgSource = (server: PgServer) => new PostgresSource(pgProfile(server, 'source'), { logger: silentLogger });
export const pgDestination = (server: PgServer) =>
  new PostgresDestination(pgProfile(server, 'destination'), { logger: silentLogger });

/** Copy every table's rows inside one snapshot, in the best format both sides take. */
export async function copyRows(
  source: PostgresSource,
  database: string,
  dest: PostgresDestination,
  target: string,
  catalog: Catalog,
) {
  const snapshot = await source.openSnapshot({ database, artifactName: 'migrate_test', cdc: false, tables: [] });
  try {
    for (const table of catalog.tables.filter((t) => t.kind !== 'partitioned')) {
      const format = source.formatsFor(table).find((f) => dest.acceptedFormats.includes(f)) ?? 'pg-text';
      const data = await snapshot.readRange(table, { id: 'all', predicate: null }, format);
      await dest.loadRange(target, table, format, data, { truncateFirst: true });
    }
  } finally {
    await snapshot.close();
  }
}

/** Everything before cut-over: schema phases around the rows, as the engine calls them. */
export async function migrateSchema(
  source: PostgresSource,
  database: string,
  dest: PostgresDestination,
  target: string,
  opts: { selection?: TableSelection; settings?: SchemaSettings; rows?: boolean } = {},
): Promise<Catalog> {
  const settings = opts.settings ?? KEEP;
  const catalog = await source.introspect(database, opts.selection ?? EVERYTHING);
  await dest.prepareDatabase(target, 'wipe');
  await dest.createSchema(target, catalog, 'pre-data', settings);
  if (opts.rows !== false) await copyRows(source, database, dest, target, catalog);
  for (const t of catalog.tables.filter((x) => x.partitionOf === null)) await dest.createTablePostData(target, catalog, t);
  await dest.createSchema(target, catalog, 'post-data', settings);
  return catalog;
}

/** Cut-over: sequences from the source, then finalize. */
export async function cutOver(
  source: PostgresSource,
  database: string,
  dest: PostgresDestination,
  target: string,
  catalog: Catalog,
) {
  await dest.setSequences(target, catalog, await source.readSequences(database, catalog.sequences));
  await dest.finalize(target, catalog, KEEP);
}
