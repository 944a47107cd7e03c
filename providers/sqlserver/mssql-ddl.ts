/**
 * T-SQL DDL of a SQL Server destination from a SQL Server source's catalog
 * (homogeneous: every column's `nativeType` verbatim). Each statement is
 * idempotent (guarded by OBJECT_ID / sys.indexes), so a re-run after a
 * killed worker keeps what exists:
 * - pre-data: schemas, then tables with identity (seed, increment),
 *   computed columns (`PERSISTED` when stored), collations, defaults, NULL-ness;
 * - table post-data: primary key (clustered or not), unique and check
 *   constraints, indexes;
 * - post-data: foreign keys (created `NOCHECK`-free: rows are loaded whole by then).
 */
import type { ColumnDef, ConstraintDef, IndexColumn, IndexDef, QualifiedName, TableDef } from '../catalog.js';
import type { SqlServerNativeTable } from './mssql-native-catalog.js';
import { quoteSqlServerIdent, quoteSqlServerLiteral, quoteSqlServerQualified } from './mssql-quote.js';

const q = quoteSqlServerIdent;

export function createSchemaSql(schema: string): string {
  return `IF SCHEMA_ID(${quoteSqlServerLiteral(schema)}) IS NULL EXEC(${quoteSqlServerLiteral(`CREATE SCHEMA ${q(schema)}`)})`;
}

/** One column of CREATE TABLE. */
export function columnSql(c: ColumnDef, native: SqlServerNativeTable | null): string {
  if (c.generated !== null) return `${q(c.name)} AS ${c.generated}${c.generatedKind === 'virtual' ? '' : ' PERSISTED'}`;
  const parts = [q(c.name), c.nativeType];
  const identity = native?.identity?.column === c.name ? native.identity : null;
  if (identity) parts.push(`IDENTITY(${identity.seed},${identity.increment})`);
  else if (c.identity) parts.push('IDENTITY(1,1)');
  if (c.collation) parts.push(`COLLATE ${c.collation}`);
  parts.push(c.nullable ? 'NULL' : 'NOT NULL');
  if (c.default !== null && !identity && !c.identity) parts.push(`DEFAULT ${c.default}`);
  return parts.join(' ');
}

export function createTableSql(t: TableDef, native: SqlServerNativeTable | null): string {
  const table = quoteSqlServerQualified(t);
  const cols = t.columns.map((c) => `  ${columnSql(c, native)}`).join(',\n');
  return `IF OBJECT_ID(${quoteSqlServerLiteral(table)}, N'U') IS NULL\nCREATE TABLE ${table} (\n${cols}\n)`;
}

/** Key columns as `[a] ASC, [b] DESC`. */
export function keyColumnsSql(cols: readonly (string | IndexColumn)[]): string {
  return cols.map((c) => (typeof c === 'string' ? `${q(c)} ASC` : `${q(c.name)} ${c.descending ? 'DESC' : 'ASC'}`)).join(', ');
}

/** A primary key's `definition` as the introspector writes it. */
export function primaryKeyDefinition(columns: readonly (string | IndexColumn)[], clustered: boolean): string {
  return `PRIMARY KEY ${clustered ? 'CLUSTERED' : 'NONCLUSTERED'} (${keyColumnsSql(columns)})`;
}

/** `ALTER TABLE … ADD CONSTRAINT name <definition>` unless a constraint of that name exists in the schema. */
export function addConstraintSql(t: QualifiedName, c: ConstraintDef): string {
  const name = `${q(t.schema)}.${q(c.name)}`;
  return `IF OBJECT_ID(${quoteSqlServerLiteral(name)}) IS NULL\nALTER TABLE ${quoteSqlServerQualified(t)} ADD CONSTRAINT ${q(c.name)} ${c.definition}`;
}

/** A foreign key's definition from its engine-neutral form. */
export function foreignKeyDefinition(c: ConstraintDef): string {
  if (!c.references || !c.referencedColumns) return c.definition;
  const actions = [
    c.onDelete && c.onDelete !== 'NO ACTION' ? ` ON DELETE ${c.onDelete}` : '',
    c.onUpdate && c.onUpdate !== 'NO ACTION' ? ` ON UPDATE ${c.onUpdate}` : '',
  ].join('');
  return `FOREIGN KEY (${c.columns.map(q).join(', ')}) REFERENCES ${quoteSqlServerQualified(c.references)} (${c.referencedColumns.map(q).join(', ')})${actions}`;
}

/** CREATE INDEX text from an index's engine-neutral form (the introspector's `definition`). */
export function createIndexSql(
  t: QualifiedName,
  i: Pick<IndexDef, 'name' | 'unique' | 'columns'> & { clustered?: boolean; include?: string[]; filter?: string | null },
): string {
  const kind = `${i.unique ? 'UNIQUE ' : ''}${i.clustered ? 'CLUSTERED' : 'NONCLUSTERED'}`;
  const include = i.include?.length ? ` INCLUDE (${i.include.map(q).join(', ')})` : '';
  const where = i.filter ? ` WHERE ${i.filter}` : '';
  return `CREATE ${kind} INDEX ${q(i.name)} ON ${quoteSqlServerQualified(t)} (${keyColumnsSql(i.columns ?? [])})${include}${where}`;
}

/** An index's `definition`, guarded so an existing index of that name is kept. */
export function guardedIndexSql(t: QualifiedName, i: IndexDef): string {
  const table = quoteSqlServerQualified(t);
  return `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(${quoteSqlServerLiteral(table)}) AND name = ${quoteSqlServerLiteral(i.name)})\n${i.definition}`;
}

/** A table's post-data statements: primary key, unique and check constraints, indexes (foreign keys come later). */
export function tablePostDataSql(t: TableDef): string[] {
  const out: string[] = [];
  if (t.primaryKey) out.push(addConstraintSql(t, t.primaryKey));
  for (const c of t.constraints) if (c.kind === 'unique' || c.kind === 'check') out.push(addConstraintSql(t, c));
  for (const i of t.indexes) out.push(guardedIndexSql(t, i));
  return out;
}

export function foreignKeysSql(t: TableDef): string[] {
  return t.constraints
    .filter((c) => c.kind === 'foreign')
    .map((c) => addConstraintSql(t, { ...c, definition: foreignKeyDefinition(c) }));
}

/**
 * The identity counter at promote: the next value the source would hand out
 * (`lastValue` from IDENT_CURRENT), never below what the rows hold.
 */
export function reseedIdentitySql(t: QualifiedName, lastValue: string): string {
  if (!/^-?\d+$/.test(lastValue)) throw new Error(`not an identity value: ${lastValue}`);
  return `DBCC CHECKIDENT (${quoteSqlServerLiteral(quoteSqlServerQualified(t))}, RESEED, ${lastValue}) WITH NO_INFOMSGS`;
}

/** A SEQUENCE object's counter at promote. */
export function restartSequenceSql(s: QualifiedName, nextValue: string): string {
  if (!/^-?\d+$/.test(nextValue)) throw new Error(`not a sequence value: ${nextValue}`);
  return `ALTER SEQUENCE ${quoteSqlServerQualified(s)} RESTART WITH ${nextValue}`;
}

/** Empty a table (TRUNCATE cannot run on a table a foreign key references: DELETE then). */
export function emptyTableSql(t: QualifiedName, referenced: boolean): string {
  return referenced ? `DELETE FROM ${quoteSqlServerQualified(t)}` : `TRUNCATE TABLE ${quoteSqlServerQualified(t)}`;
}
