/** What the apply and the load need of a destination's tables, read from its catalog once per target. */
import type { QualifiedName } from '../catalog.js';
import { qualifiedKey } from '../catalog.js';
import type { ApplyTable } from './mssql-change-sql.js';
import type { SqlServerSession } from './mssql-connection.js';
import { sqlServerCanonicalType, sqlServerTypeText } from './mssql-native-type.js';

export const TARGET_COLUMNS_SQL = `SELECT s.name, t.name, c.name,
       CASE WHEN ty.is_assembly_type = 1 OR ty.is_user_defined = 0 THEN ty.name ELSE TYPE_NAME(ty.system_type_id) END,
       c.max_length, c.precision, c.scale, c.is_identity, c.is_computed, ty.is_assembly_type,
       CASE WHEN EXISTS (SELECT 1 FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
                          WHERE i.object_id = c.object_id AND i.is_primary_key = 1 AND ic.column_id = c.column_id) THEN 1 ELSE 0 END
  FROM sys.columns c
  JOIN sys.tables t ON t.object_id = c.object_id
  JOIN sys.schemas s ON s.schema_id = t.schema_id
  JOIN sys.types ty ON ty.user_type_id = c.user_type_id
 WHERE t.is_ms_shipped = 0
 ORDER BY s.name, t.name, c.column_id`;

/** Writable columns, key and identity of every table of the target (keyed `schema.table`). */
export async function readTargetTables(s: SqlServerSession): Promise<Map<string, ApplyTable>> {
  const out = new Map<string, ApplyTable & { columns: Map<string, { nativeType: string }>; key: string[] }>();
  for (const r of await s.rows(TARGET_COLUMNS_SQL)) {
    const table: QualifiedName = { schema: String(r[0]), name: String(r[1]) };
    const k = qualifiedKey(table);
    let t = out.get(k);
    if (!t) out.set(k, (t = { table, columns: new Map(), key: [], identityColumn: null }));
    const name = String(r[2]);
    const type = { typeName: String(r[3]).toLowerCase(), maxLength: Number(r[4]), precision: Number(r[5]), scale: Number(r[6]) };
    if (r[10] === 1 || r[10] === true) t.key.push(name);
    if (r[7] === true) t.identityColumn = name;
    if (r[8] === true || type.typeName === 'timestamp' || type.typeName === 'rowversion') continue;
    let canonical;
    try {
      canonical = sqlServerCanonicalType({ ...type, assembly: r[9] === true });
    } catch {
      canonical = undefined;
    }
    t.columns.set(name, { nativeType: sqlServerTypeText(type), ...(canonical ? { canonical } : {}) });
  }
  return out;
}
