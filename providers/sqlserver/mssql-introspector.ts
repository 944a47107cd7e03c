import type { TableSelection } from '../../contract/declaration.js';
import { compileSelection } from '../../contract/table-pattern.js';
import type { Catalog } from '../catalog.js';
import { assembleSqlServerCatalog, type CatalogRow } from './mssql-catalog-rows.js';
import type { SqlServerSession } from './mssql-connection.js';
import {
  CHECKS_SQL,
  CODE_OBJECTS_SQL,
  COLUMNS_SQL,
  FOREIGN_KEYS_SQL,
  INDEXES_SQL,
  SEQUENCES_SQL,
  TABLES_SQL,
  VERSION_SQL,
} from './mssql-introspect-queries.js';

/** The catalog of one SQL Server database (the session is connected to it). */
export async function introspectSqlServer(s: SqlServerSession, database: string, selection: TableSelection): Promise<Catalog> {
  // one request at a time on a TDS connection: the queries run in turn
  const [v] = await s.records<CatalogRow>(VERSION_SQL);
  const tables = await s.records<CatalogRow>(TABLES_SQL);
  const columns = await s.records<CatalogRow>(COLUMNS_SQL);
  const indexes = await s.records<CatalogRow>(INDEXES_SQL);
  const foreignKeys = await s.records<CatalogRow>(FOREIGN_KEYS_SQL);
  const checks = await s.records<CatalogRow>(CHECKS_SQL);
  const codeObjects = await s.records<CatalogRow>(CODE_OBJECTS_SQL);
  const sequences = await s.records<CatalogRow>(SEQUENCES_SQL);
  return assembleSqlServerCatalog(
    {
      database,
      version: String(v?.version ?? ''),
      collation: v?.collation ? String(v.collation) : null,
      user: String(v?.user_name ?? ''),
      tables,
      columns,
      indexes,
      foreignKeys,
      checks,
      codeObjects,
      sequences,
    },
    compileSelection(selection),
  );
}
