/**
 * Reads the PostgreSQL catalog of a selection into the Catalog model: the
 * selected tables, and every object of the selected schemas an application
 * needs — types, routines, operators, casts, collations, sequences, views,
 * triggers, rules, policies, statistics, extensions, owners and privileges —
 * plus what they need from other schemas, and `notMigrated` for what exists
 * but is not recreated. Works on PostgreSQL 14–18.
 */
import type pg from 'pg';
import type { TableSelection } from '../../contract/declaration.js';
import { compileSchemaSelection, compileSelection } from '../../contract/table-pattern.js';
import type { Catalog } from '../catalog.js';
import { readCasts } from './pg-introspect-casts.js';
import { readCollations } from './pg-introspect-collations.js';
import { readEventTriggers } from './pg-introspect-event-triggers.js';
import { readExtensions } from './pg-introspect-extensions.js';
import { graphExclusions, unsupportedObjects } from './pg-introspect-not-migrated.js';
import { readOperators } from './pg-introspect-operators.js';
import { readAggregates, readRoutines } from './pg-introspect-routines.js';
import { readDefaultPrivileges, readSchemas } from './pg-introspect-schemas.js';
import { readSequences } from './pg-introspect-sequences.js';
import { readNotNulls, readTypedTables, readUnloggedSequences } from './pg-introspect-table-extras.js';
import { readPolicies, readRules, readStatistics, readTriggers } from './pg-introspect-table-objects.js';
import { chooseTables, readRelations, readTables } from './pg-introspect-tables.js';
import { readUserTypes } from './pg-introspect-types.js';
import { readViews } from './pg-introspect-views.js';
import type { PgNativeCatalog } from './pg-native-catalog.js';
import { buildObjectGraph, type PgObjectGraph } from './pg-object-graph.js';
import { readObjectIndex } from './pg-object-index.js';
import { PgReadGroup } from './pg-read-group.js';
import { rows, type Queryable } from './pg-rows.js';

/**
 * Introspect `database` through `client` for `selection` (see
 * compileSelection for tables, compileSchemaSelection for schemas).
 *
 * The session's `search_path` is emptied while reading so every name in the
 * generated definitions comes schema-qualified, and restored afterwards.
 * Values are read as text, so the client's type parsers do not matter.
 */
export async function introspectPostgres(
  client: pg.ClientBase,
  database: string,
  selection: TableSelection,
  /** More connections to the same database: independent reads run on them in parallel. Default none. */
  helpers: readonly pg.ClientBase[] = [],
): Promise<Catalog> {
  const all = [client, ...helpers];
  const settings = await Promise.all(
    all.map(async (c) => {
      const [s] = await rows(
        c,
        `select current_setting('server_version') as version, current_setting('server_version_num') as num,
                current_setting('search_path') as path, current_user as "user", set_config('search_path', '', false) as emptied`,
      );
      return s;
    }),
  );
  const [first] = settings;
  const restore = () =>
    Promise.all(all.map((c, i) => c.query('select set_config($1, $2, false)', ['search_path', settings[i]?.path ?? ''])));
  let catalog: Catalog;
  try {
    catalog = await readCatalog(new PgReadGroup(all), database, selection, first?.version ?? '', Number(first?.num ?? 0));
    catalog.sourceUser = first?.user ?? '';
  } catch (err) {
    // inside a failed transaction the restore cannot run, but the rollback undoes our set_config too
    await restore().catch(() => undefined);
    throw err;
  }
  await restore();
  return catalog;
}

/** OIDs of migrated entities of catalog `cls` (and of one of `kinds`, when given). */
function migratedOids(graph: PgObjectGraph, cls: string, kinds?: string[]): string[] {
  const out: string[] = [];
  for (const id of graph.migrated) {
    const e = graph.index.entities.get(id);
    if (e && e.cls === cls && (!kinds || kinds.includes(e.kind))) out.push(e.oid);
  }
  return out;
}

async function readCatalog(
  client: Queryable,
  database: string,
  selection: TableSelection,
  serverVersion: string,
  versionNum: number,
): Promise<Catalog> {
  const schemaSelected = compileSchemaSelection(selection);
  // reads issued together run in parallel when the client is a read group
  const [allSchemas, relations, index] = await Promise.all([
    readSchemas(client),
    readRelations(client),
    readObjectIndex(client, versionNum),
  ]);
  const chosen = chooseTables(relations, compileSelection(selection));
  const tableOids = new Set(chosen.map((r) => r.oid));
  const graph = buildObjectGraph(index, { schemaSelected, tables: tableOids });
  const oids = (cls: string, kinds?: string[]) => migratedOids(graph, cls, kinds);
  const relationOids = [...tableOids, ...oids('pg_class', ['v', 'm', 'i', 'I'])];

  const [
    tables,
    types,
    sequences,
    views,
    defaults,
    routines,
    aggregates,
    operators,
    casts,
    collations,
    triggers,
    rules,
    policies,
    statistics,
    eventTriggers,
    { extensions, versions },
    excluded,
    unsupported,
    typedTables,
    unloggedSequences,
    { notNulls, notValid },
  ] = await Promise.all([
    readTables(client, versionNum, chosen, graph),
    readUserTypes(client, versionNum, oids('pg_type')),
    readSequences(client, oids('pg_class', ['S']), tableOids),
    readViews(client, oids('pg_class', ['v', 'm']), new Set(oids('pg_class', ['i', 'I'])), graph.dependencies),
    readDefaultPrivileges(client, schemaSelected),
    readRoutines(client, oids('pg_proc', ['f', 'p', 'w'])),
    readAggregates(client, oids('pg_proc', ['a'])),
    readOperators(client, oids('pg_operator')),
    readCasts(client, oids('pg_cast')),
    readCollations(client, versionNum, oids('pg_collation')),
    readTriggers(client, oids('pg_trigger')),
    readRules(client, oids('pg_rewrite')),
    readPolicies(client, oids('pg_policy')),
    readStatistics(client, oids('pg_statistic_ext')),
    readEventTriggers(client, oids('pg_event_trigger')),
    readExtensions(client),
    graphExclusions(client, graph),
    unsupportedObjects(client, schemaSelected, relationOids),
    readTypedTables(client, [...tableOids]),
    readUnloggedSequences(client, versionNum, oids('pg_class', ['S'])),
    readNotNulls(client, versionNum, [...tableOids]),
  ]);
  // a NOT VALID NOT NULL (18+) sets attnotnull, but rows may hold NULLs: the column is created nullable
  for (const c of notValid) {
    const t = tables.find((x) => x.schema === c.table.schema && x.name === c.table.name);
    const col = t?.columns.find((x) => x.name === c.column);
    if (col) col.nullable = true;
  }
  const native: PgNativeCatalog = {
    format: 'pg-native/1',
    schemas: allSchemas.filter((s) => schemaSelected(s.name)),
    routines,
    aggregates,
    operators,
    casts,
    collations,
    composites: types.composites,
    ranges: types.ranges,
    triggers,
    rules,
    policies,
    statistics,
    eventTriggers,
    defaultPrivileges: defaults.defaults,
    dependencies: graph.dependencies,
  };
  if (typedTables.length) native.typedTables = typedTables;
  if (unloggedSequences.length) native.unloggedSequences = unloggedSequences;
  if (Object.keys(versions).length) native.extensionVersions = versions;
  if (notNulls.length) native.notNulls = notNulls;
  const notMigrated = [...excluded, ...unsupported, ...defaults.notMigrated];

  const schemaSet = new Set<string>(native.schemas.map((s) => s.name));
  for (const id of graph.migrated) {
    const e = graph.index.entities.get(id);
    if (e?.schema) schemaSet.add(e.schema);
  }
  for (const e of extensions) if (e.schema !== 'pg_catalog') schemaSet.add(e.schema);
  const catalog: Catalog = {
    engine: 'postgres',
    serverVersion,
    database,
    schemas: [...schemaSet].sort(),
    extensions,
    enums: types.enums,
    sequences,
    tables,
    views,
    native,
  };
  if (types.domains.length > 0) catalog.domains = types.domains;
  if (notMigrated.length > 0) catalog.notMigrated = notMigrated;
  return catalog;
}
