import type { DestinationProvider, SourceProvider } from '../../providers/provider.js';
import type { DatabaseRecord } from '../../state/state-document.js';
import { verifyTable, type TableVerification, type VerifyTableOptions } from './verify-table.js';

export interface DatabaseVerification {
  name: string;
  target: string;
  equal: boolean;
  tables: TableVerification[];
}

export interface JobVerification {
  job: string;
  equal: boolean;
  rowsCompared: number;
  databases: DatabaseVerification[];
}

/** Verify every selected table of the given databases (tables removed from the selection are not compared). */
export async function verifyDatabases(
  job: string,
  source: SourceProvider,
  destination: DestinationProvider,
  databases: DatabaseRecord[],
  opts: VerifyTableOptions,
  onTable?: (db: string, t: TableVerification) => void,
): Promise<JobVerification> {
  const out: JobVerification = { job, equal: true, rowsCompared: 0, databases: [] };
  for (const db of databases) {
    const catalog = await source.introspect(db.name, db.tables);
    const src = source.checksummer(db.name);
    const dst = destination.checksummer(db.target);
    const dbv: DatabaseVerification = { name: db.name, target: db.target, equal: true, tables: [] };
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
