/**
 * A SQL Server database's catalog from the rows of its catalog queries
 * (mssql-introspect-queries.ts), pure: every column with its `nativeType`
 * and canonical type (a column no canonical kind holds is listed in
 * `notMigrated` with its reason — the plan makes it an error for another
 * engine), keys, constraints and indexes in engine-neutral form besides
 * their T-SQL text, identity seeds in `native` for a SQL Server destination,
 * and code objects (views, procedures, functions, triggers) named as not
 * converted.
 */
import type { Catalog, ColumnDef, ConstraintDef, IndexDef, NotMigratedObject, SequenceDef, TableDef } from '../catalog.js';
import { primaryKeyDefinition, createIndexSql } from './mssql-ddl.js';
import { normalizeSqlServerDefault } from './mssql-default.js';
import type { SqlServerNativeCatalog, SqlServerNativeTable } from './mssql-native-catalog.js';
import { isServerWritten, sqlServerCanonicalType, sqlServerTypeText, UnmappableSqlServerTypeError } from './mssql-native-type.js';

export type CatalogRow = Record<string, unknown>;

export interface SqlServerCatalogRows {
  database: string;
  version: string;
  collation: string | null;
  user: string;
  tables: CatalogRow[];
  columns: CatalogRow[];
  indexes: CatalogRow[];
  foreignKeys: CatalogRow[];
  checks: CatalogRow[];
  codeObjects: CatalogRow[];
  sequences: CatalogRow[];
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1';
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const key = (r: CatalogRow, s = 'table_schema', t = 'table_name') => `${str(r[s])}.${str(r[t])}`;

const ACTIONS: Record<string, string> = {
  NO_ACTION: 'NO ACTION',
  CASCADE: 'CASCADE',
  SET_NULL: 'SET NULL',
  SET_DEFAULT: 'SET DEFAULT',
};

function group(rows: readonly CatalogRow[], by: (r: CatalogRow) => string): Map<string, CatalogRow[]> {
  const out = new Map<string, CatalogRow[]>();
  for (const r of rows) {
    const k = by(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

function columnDef(r: CatalogRow, notMigrated: NotMigratedObject[]): ColumnDef {
  const name = `${key(r)}.${str(r.column_name)}`;
  const type = {
    typeName: str(r.base_type).toLowerCase(),
    maxLength: num(r.max_length),
    precision: num(r.precision),
    scale: num(r.scale),
    column: name,
    assembly: bool(r.is_assembly_type),
  };
  const def: ColumnDef = {
    name: str(r.column_name),
    nativeType: sqlServerTypeText(type),
    nullable: bool(r.is_nullable),
    default: r.default_definition == null ? null : normalizeSqlServerDefault(str(r.default_definition)),
    identity: bool(r.is_identity) ? 'by-default' : null,
    generated: bool(r.is_computed) ? optStr(r.computed_definition) : isServerWritten(type.typeName) ? 'rowversion' : null,
    collation: r.collation_name && r.collation_name !== r.db_collation ? str(r.collation_name) : null,
    binarySafe: false,
    comment: optStr(r.comment),
  };
  // the identity counter, as another engine's destination knows it (MySQL's AUTO_INCREMENT)
  if (bool(r.is_identity)) def.autoIncrement = true;
  if (bool(r.is_computed)) def.generatedKind = bool(r.is_persisted) ? 'stored' : 'virtual';
  try {
    def.canonical = sqlServerCanonicalType(type);
  } catch (err) {
    if (!(err instanceof UnmappableSqlServerTypeError)) throw err;
    notMigrated.push({ kind: 'column', name, reason: err.message });
  }
  return def;
}

/** The catalog of the tables `match` selects. */
export function assembleSqlServerCatalog(rows: SqlServerCatalogRows, match: (schema: string, table: string) => boolean): Catalog {
  const notMigrated: NotMigratedObject[] = [];
  const columns = group(rows.columns, (r) => key(r));
  const indexes = group(rows.indexes, (r) => `${key(r)}\u0000${str(r.index_name)}`);
  const fks = group(rows.foreignKeys, (r) => `${key(r)}\u0000${str(r.constraint_name)}`);
  const checks = group(rows.checks, (r) => key(r));
  const native: SqlServerNativeCatalog = { engine: 'sqlserver', collation: rows.collation, tables: {} };
  const tables: TableDef[] = [];
  for (const t of rows.tables) {
    const schema = str(t.table_schema);
    const name = str(t.table_name);
    if (!match(schema, name)) continue;
    const k = `${schema}.${name}`;
    const cols = (columns.get(k) ?? []).map((c) => columnDef(c, notMigrated));
    const idRow = (columns.get(k) ?? []).find((c) => bool(c.is_identity));
    const nt: SqlServerNativeTable = {
      identity: idRow
        ? {
            column: str(idRow.column_name),
            seed: str(idRow.identity_seed) || '1',
            increment: str(idRow.identity_increment) || '1',
          }
        : null,
      clusteredPrimaryKey: true,
    };
    let primaryKey: ConstraintDef | null = null;
    const constraints: ConstraintDef[] = [];
    const idx: IndexDef[] = [];
    for (const [ik, parts] of indexes) {
      if (!ik.startsWith(`${k}\u0000`)) continue;
      const first = parts[0] as CatalogRow;
      const keyParts = parts.filter((p) => !bool(p.is_included_column));
      const neutral = keyParts.map((p) => ({ name: str(p.column_name), descending: bool(p.is_descending_key) }));
      const clustered = str(first.type_desc) === 'CLUSTERED';
      const indexName = str(first.index_name);
      if (bool(first.is_primary_key)) {
        nt.clusteredPrimaryKey = clustered;
        primaryKey = {
          name: indexName,
          kind: 'primary',
          definition: primaryKeyDefinition(neutral, clustered),
          columns: neutral.map((c) => c.name),
          references: null,
        };
      } else if (bool(first.is_unique_constraint)) {
        constraints.push({
          name: indexName,
          kind: 'unique',
          definition: `UNIQUE ${clustered ? 'CLUSTERED' : 'NONCLUSTERED'} (${neutral.map((c) => `[${c.name.replace(/]/g, ']]')}] ${c.descending ? 'DESC' : 'ASC'}`).join(', ')})`,
          columns: neutral.map((c) => c.name),
          references: null,
        });
      } else {
        const include = parts.filter((p) => bool(p.is_included_column)).map((p) => str(p.column_name));
        idx.push({
          name: indexName,
          definition: createIndexSql(
            { schema, name },
            {
              name: indexName,
              unique: bool(first.is_unique),
              columns: neutral,
              clustered,
              include,
              filter: optStr(first.filter_definition),
            },
          ),
          columns: neutral,
          unique: bool(first.is_unique),
          method: clustered ? 'CLUSTERED' : 'NONCLUSTERED',
        });
      }
    }
    for (const c of checks.get(k) ?? []) {
      constraints.push({
        name: str(c.constraint_name),
        kind: 'check',
        definition: `CHECK ${str(c.definition)}`,
        columns: [],
        references: null,
      });
    }
    for (const [fk, parts] of fks) {
      if (!fk.startsWith(`${k}\u0000`)) continue;
      const first = parts[0] as CatalogRow;
      const c: ConstraintDef = {
        name: str(first.constraint_name),
        kind: 'foreign',
        definition: '',
        columns: parts.map((p) => str(p.column_name)),
        references: { schema: str(first.ref_schema), name: str(first.ref_table) },
        referencedColumns: parts.map((p) => str(p.ref_column)),
        onDelete: ACTIONS[str(first.on_delete)] ?? 'NO ACTION',
        onUpdate: ACTIONS[str(first.on_update)] ?? 'NO ACTION',
      };
      c.definition = `FOREIGN KEY (${c.columns.map((x) => `[${x}]`).join(', ')}) REFERENCES [${c.references?.schema}].[${c.references?.name}] (${(c.referencedColumns ?? []).map((x) => `[${x}]`).join(', ')})`;
      constraints.push(c);
    }
    native.tables[k] = nt;
    tables.push({
      schema,
      name,
      kind: 'table',
      partitionOf: null,
      partitionBound: null,
      partitionKey: null,
      columns: cols,
      primaryKey,
      constraints,
      indexes: idx,
      estimatedRows: num(t.est_rows),
      estimatedBytes: num(t.est_bytes),
      pages: 0,
      replicaIdentity: primaryKey ? 'default' : 'full',
      comment: optStr(t.comment),
    });
  }
  const schemas = [...new Set(tables.map((t) => t.schema))];
  const sequences: SequenceDef[] = rows.sequences
    .filter((s) => schemas.includes(str(s.sequence_schema)))
    .map((s) => ({
      schema: str(s.sequence_schema),
      name: str(s.sequence_name),
      dataType: str(s.data_type),
      start: str(s.start_value),
      increment: str(s.increment),
      min: str(s.min_value),
      max: str(s.max_value),
      cache: str(s.cache_size),
      cycle: bool(s.is_cycling),
      ownedBy: null,
      identity: false,
    }));
  // identity counters travel as sequences `table.column` (set at promote), as MySQL's AUTO_INCREMENT does
  for (const t of tables) {
    const id = native.tables[`${t.schema}.${t.name}`]?.identity;
    if (!id) continue;
    const c = t.columns.find((x) => x.name === id.column);
    sequences.push({
      schema: t.schema,
      name: `${t.name}.${id.column}`,
      dataType: c?.nativeType ?? 'bigint',
      start: id.seed,
      increment: id.increment,
      min: '1',
      max: '9223372036854775807',
      cache: '1',
      cycle: false,
      ownedBy: { table: { schema: t.schema, name: t.name }, column: id.column },
      identity: true,
    });
  }
  const kinds: Record<string, string> = {
    VIEW: 'view',
    SQL_STORED_PROCEDURE: 'procedure',
    SQL_SCALAR_FUNCTION: 'function',
    SQL_INLINE_TABLE_VALUED_FUNCTION: 'function',
    SQL_TABLE_VALUED_FUNCTION: 'function',
    SQL_TRIGGER: 'trigger',
    SYNONYM: 'synonym',
  };
  for (const o of rows.codeObjects) {
    if (!schemas.includes(str(o.object_schema))) continue;
    notMigrated.push({
      kind: kinds[str(o.type_desc)] ?? str(o.type_desc).toLowerCase(),
      name: `${str(o.object_schema)}.${str(o.object_name)}`,
      reason: 'SQL Server code objects are not converted: recreate it on the destination',
    });
  }
  return {
    engine: 'sqlserver',
    serverVersion: rows.version,
    database: rows.database,
    schemas,
    extensions: [],
    enums: [],
    sequences,
    tables,
    views: [],
    notMigrated,
    sourceUser: rows.user,
    native,
  };
}
