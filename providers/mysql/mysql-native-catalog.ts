/**
 * What only a MySQL destination recreates: each selected table's own
 * `SHOW CREATE TABLE` text (charsets, collations, generated columns, table
 * options, partitioning exactly as the source has them), and the database's
 * views, routines, triggers and events with the session settings they were
 * created under. Read on one connection, one statement per object.
 */
import type { Connection } from 'mysql2/promise';
import type { NotMigratedObject } from '../catalog.js';
import { mysqlRows } from './mysql-connection.js';
import { quoteMySqlIdent, quoteMySqlQualified } from './mysql-quote.js';

export type MySqlCodeKind = 'view' | 'function' | 'procedure' | 'trigger' | 'event';

/** One view, routine, trigger or event as the source would create it. */
export interface MySqlCodeObject {
  kind: MySqlCodeKind;
  name: string;
  /** The trigger's table. */
  table?: string;
  /** `SHOW CREATE …` text as the server gives it (DEFINER included). */
  create: string;
  /** The sql_mode it was created under (views: none). */
  sqlMode: string | null;
  /** character_set_client / collation_connection it was created under. */
  charset: string | null;
  collation: string | null;
}

/** Engine-private catalog detail (`Catalog.native` of a MySQL source). */
export interface MySqlNativeCatalog {
  format: 'mysql-native/1';
  /** The database's default charset and collation. */
  charset: string;
  collation: string;
  /** `CREATE TABLE` text per selected table name. */
  createTable: Record<string, string>;
  /** In creation order: routines, then views, then triggers, then events. */
  objects: MySqlCodeObject[];
}

export function isMySqlNativeCatalog(x: unknown): x is MySqlNativeCatalog {
  return typeof x === 'object' && x !== null && (x as { format?: unknown }).format === 'mysql-native/1';
}

type Row = Record<string, string | null>;

/**
 * Views, routines, triggers (of selected tables) and events of `database`,
 * and the CREATE TABLE of each of `tables`.
 */
export async function readMySqlNative(
  conn: Connection,
  database: string,
  tables: readonly string[],
  code: { views: string[]; routines: { name: string; type: string }[]; triggers: string[]; events: string[] },
): Promise<MySqlNativeCatalog> {
  const [db] = await mysqlRows(
    conn,
    'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [database],
  );
  const createTable: Record<string, string> = {};
  for (const t of tables) {
    const [row] = await mysqlRows(conn, `SHOW CREATE TABLE ${quoteMySqlQualified({ schema: database, name: t })}`);
    createTable[t] = (row?.['Create Table'] as string | undefined) ?? '';
  }
  const objects: MySqlCodeObject[] = [];
  const show = async (kind: MySqlCodeKind, name: string, table?: string) => {
    const what = kind === 'view' ? 'VIEW' : kind.toUpperCase();
    const [row] = await mysqlRows<Row>(conn, `SHOW CREATE ${what} ${quoteMySqlIdent(database)}.${quoteMySqlIdent(name)}`);
    if (!row) return;
    const text = row[CREATE_COLUMN[kind]];
    // a routine the connection user may not read shows a NULL body: it cannot be recreated
    objects.push({
      kind,
      name,
      ...(table ? { table } : {}),
      create: text ?? '',
      sqlMode: row.sql_mode ?? null,
      charset: row.character_set_client ?? null,
      collation: row.collation_connection ?? null,
    });
  };
  for (const r of code.routines) await show(r.type.toLowerCase() === 'function' ? 'function' : 'procedure', r.name);
  for (const v of code.views) await show('view', v);
  for (const t of code.triggers) {
    const [table, name] = t.split('\u0000') as [string, string];
    await show('trigger', name, table);
  }
  for (const e of code.events) await show('event', e);
  return { format: 'mysql-native/1', charset: db?.cs ?? 'utf8mb4', collation: db?.co ?? '', createTable, objects };
}

/** The column of `SHOW CREATE …` holding the statement. */
const CREATE_COLUMN: Record<MySqlCodeKind, string> = {
  view: 'Create View',
  function: 'Create Function',
  procedure: 'Create Procedure',
  trigger: 'SQL Original Statement',
  event: 'Create Event',
};

/** The code objects as another engine's destination names them: not converted. */
export function unconvertedCodeObjects(database: string, native: MySqlNativeCatalog): NotMigratedObject[] {
  return native.objects.map((o) => ({
    kind: o.kind,
    name: o.kind === 'trigger' ? `${database}.${o.table}.${o.name}` : `${database}.${o.name}`,
    reason: 'code objects of MySQL sources are not converted to another engine: recreate it on the destination',
  }));
}
