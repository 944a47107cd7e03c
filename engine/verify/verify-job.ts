import type { DestinationProvider, SourceProvider } from '../../providers/provider.js';
import type { DatabaseRecord } from '../../state/state-document.js';
import { compareSchemas, type SchemaCompareOptions, type SchemaComparison } from './verify-schema.js';
import { verifyTable, type TableVerification, type VerifyTableOptions } from './verify-table.js';

export interface DatabaseVerification {
  name: string;
  target: string;
  equal: boolean;
  /** Schema objects compared by kind, name and definition (absent when not asked for, or not comparable). */
  schema?: SchemaComparison;
  /** Why the schema was not compared although asked for (the source's objects cannot be compared with the destination's). */
  schemaNotCompared?: string;
  tables: TableVerification[];
}

export interface VerifyOptions extends VerifyTableOptions {
  /** Compare the schema objects too, with these rules. */
  schema?: Omit<SchemaCompareOptions, 'notMigrated'>;
}

export interface JobVerification {
  job: string;
  equal: boolean;
  rowsCompared: number;
  databases: DatabaseVerification[];
}

/**
 * Verify the given databases: their schema objects (when `opts.schema`), then
 * every selected table's rows (tables removed from the selection are not compared).
 */
export async function verifyDatabases(
  job: string,
  source: SourceProvider,
  destination: DestinationProvider,
  databases: DatabaseRecord[],
  opts: VerifyOptions,
  onTable?: (db: string, t: TableVerification) => void,
  onSchema?: (db: string, s: SchemaComparison) => void,
): Promise<JobVerification> {
  const out: JobVerification = { job, equal: true, rowsCompared: 0, databases: [] };
  for (const db of databases) {
    const catalog = await source.introspect(db.name, db.tables);
    const dbv: DatabaseVerification = { name: db.name, target: db.target, equal: true, tables: [] };
    if (opts.schema) {
      // schema objects compare between two servers of one engine; across engines rows do (through the type map)
      const a = catalog.engine === destination.engine ? await source.describeSchema(db.name, db.tables) : null;
      if (a === null) {
        dbv.schemaNotCompared = 'schema objects are not compared between engines (rows are, through the type map)';
      } else {
        const b = await destination.describeSchema(db.target, db.tables);
        dbv.schema = compareSchemas(a, b, { ...opts.schema, notMigrated: catalog.notMigrated ?? [] });
        if (dbv.schema.differences.length) dbv.equal = false;
        onSchema?.(db.name, dbv.schema);
      }
    }
    const src = source.checksummer(db.name);
    const dst = destination.checksummer(db.target);
    try {
      for (const table of catalog.tables.filter((t) => t.kind !== 'partitioned')) {
        const tv = await verifyTable(src, dst, table, opts);
        dbv.tables.push(tv);
        out.rowsCompared += tv.rowsSource;
        if (tv.status === 'different') dbv.equal = false;
        onTable?.(db.name, tv);
      }
    } finally {
      await Promise.all([src.close(), dst.close()]);
    }
    out.databases.push(dbv);
    if (!dbv.equal) out.equal = false;
  }
  return out;
}
