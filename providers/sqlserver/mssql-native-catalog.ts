/**
 * What only a SQL Server destination reads from a SQL Server source's
 * catalog (`Catalog.native`): identity seeds and increments, whether an
 * index or key is clustered, and the database's default collation.
 */
import type { Catalog } from '../catalog.js';

export interface SqlServerIdentity {
  column: string;
  /** Seed and increment as text (decimal(38,0) identities exceed 2^53). */
  seed: string;
  increment: string;
}

export interface SqlServerNativeTable {
  identity: SqlServerIdentity | null;
  /** The primary key is the clustered index (the SQL Server default). */
  clusteredPrimaryKey: boolean;
}

export interface SqlServerNativeCatalog {
  engine: 'sqlserver';
  /** The source database's default collation (`Latin1_General_CI_AS`…). */
  collation: string | null;
  /** Per `schema.table`. */
  tables: Record<string, SqlServerNativeTable>;
}

/** The SQL Server detail of `catalog`, or null when it came from another engine. */
export function sqlServerNative(catalog: Catalog): SqlServerNativeCatalog | null {
  const n = catalog.native as Partial<SqlServerNativeCatalog> | undefined;
  return catalog.engine === 'sqlserver' && n?.engine === 'sqlserver' ? (n as SqlServerNativeCatalog) : null;
}
