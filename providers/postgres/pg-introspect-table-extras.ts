/**
 * Table and sequence details the neutral TableDef/SequenceDef do not carry,
 * read for the PostgreSQL-only part of the catalog: typed tables (`OF
 * type`), UNLOGGED sequences (PostgreSQL 15+), and the NOT NULL constraints
 * PostgreSQL 18 keeps in pg_constraint whose name, NO INHERIT or NOT VALID
 * the column's NOT NULL alone would lose.
 */
import type { QualifiedName } from '../catalog.js';
import type { PgNotNullDef, PgTypedTableDef } from './pg-native-catalog.js';
import { isTrue, nameOf, req, rows, type Queryable } from './pg-rows.js';

const Q_TYPED = `
select n.nspname as schema, c.relname as name, format_type(c.reloftype, null) as type
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.oid = any($1::oid[]) and c.reloftype <> 0
order by 1, 2`;

/** The typed tables among `tableOids`. */
export async function readTypedTables(client: Queryable, tableOids: string[]): Promise<PgTypedTableDef[]> {
  return (await rows(client, Q_TYPED, [tableOids])).map((r) => ({ table: nameOf(r), type: req(r, 'type') }));
}

/** The UNLOGGED sequences among `sequenceOids` (none before PostgreSQL 15, which has no unlogged sequences). */
export async function readUnloggedSequences(
  client: Queryable,
  versionNum: number,
  sequenceOids: string[],
): Promise<QualifiedName[]> {
  if (versionNum < 150000) return [];
  const sql = `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.oid = any($1::oid[]) and c.relpersistence = 'u' order by 1, 2`;
  return (await rows(client, sql, [sequenceOids])).map((r) => nameOf(r));
}

const Q_NOT_NULLS = `
select n.nspname as schema, r.relname as name, a.attname as column, k.conname as constraint,
  k.convalidated::text as validated, k.connoinherit::text as noinherit,
  (k.conislocal and k.coninhcount = 0)::text as own
from pg_constraint k join pg_class r on r.oid = k.conrelid join pg_namespace n on n.oid = r.relnamespace
join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
where k.conrelid = any($1::oid[]) and k.contype = 'n' and not r.relispartition
order by 1, 2, 4`;

/**
 * NOT NULL constraints of `tableOids` (PostgreSQL 18+) a column's plain NOT
 * NULL would not recreate: named otherwise than PostgreSQL names them, NO
 * INHERIT, or NOT VALID. Partitions and inherited copies follow their
 * parents. `notValid`: every column whose NOT NULL is NOT VALID, own or
 * inherited (attnotnull is set, but the rows may hold NULLs).
 */
export async function readNotNulls(
  client: Queryable,
  versionNum: number,
  tableOids: string[],
): Promise<{ notNulls: PgNotNullDef[]; notValid: { table: QualifiedName; column: string }[] }> {
  if (versionNum < 180000) return { notNulls: [], notValid: [] };
  const found = await rows(client, Q_NOT_NULLS, [tableOids]);
  const notValid = found.filter((r) => !isTrue(r.validated)).map((r) => ({ table: nameOf(r), column: req(r, 'column') }));
  const notNulls = found
    .filter((r) => isTrue(r.own))
    .map((r) => ({
      table: nameOf(r),
      column: req(r, 'column'),
      name: req(r, 'constraint'),
      validated: isTrue(r.validated),
      noInherit: isTrue(r.noinherit),
    }))
    .filter((c) => !c.validated || c.noInherit || c.name !== defaultNotNullName(c.table.name, c.column));
  return { notNulls, notValid };
}

/** The name PostgreSQL 18 gives `NOT NULL` on `column` of `table` (when it fits in 63 bytes and is free). */
export const defaultNotNullName = (table: string, column: string): string => `${table}_${column}_not_null`;
