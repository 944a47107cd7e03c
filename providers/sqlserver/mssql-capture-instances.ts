/**
 * Which capture instance the stream reads for each table, and the named
 * error when that changes under a running job. SQL Server keeps at most two
 * capture instances per table; a schema change is made by creating a second
 * one with the new columns (Debezium switches at the new instance's start
 * LSN). This stream does not switch by itself: the table's later changes
 * may need a different destination table, so it stops with an error that
 * says what changed and what to do.
 */
import { qualifiedKey, type QualifiedName } from '../catalog.js';
import { compareLsn } from './mssql-lsn.js';

/** One row of cdc.change_tables. */
export interface CaptureInstanceRow {
  captureInstance: string;
  schema: string;
  table: string;
  /** Its start LSN (`0x…`). */
  startLsn: string;
  /** Captured columns in order (cdc.captured_columns). */
  columns: readonly string[];
}

export class CaptureInstanceChangedError extends Error {
  readonly code = 'SQLSERVER_CAPTURE_INSTANCE_CHANGED';
  constructor(
    readonly table: QualifiedName,
    readonly expected: string,
    readonly found: readonly string[],
  ) {
    super(
      found.length
        ? `the capture instance of ${table.schema}.${table.name} changed on the source: the job reads ${expected}, the table now has ${found.join(', ')} (a schema change made through a new capture instance); restart the job for this table (migrate restart), or drop the new capture instance to go on`
        : `the capture instance ${expected} of ${table.schema}.${table.name} was dropped on the source (sys.sp_cdc_disable_table): its changes are no longer captured; enable CDC on the table again and restart the job for it`,
    );
  }
}

/**
 * The capture instance to read for each table: of those capturing every
 * column in `columnsOf(table)`, the newest (highest start LSN). Tables with
 * none are left out (the prerequisites named them).
 */
export function chooseCaptureInstances(
  rows: readonly CaptureInstanceRow[],
  tables: readonly QualifiedName[],
  columnsOf: (t: QualifiedName) => readonly string[],
): Map<string, CaptureInstanceRow> {
  const out = new Map<string, CaptureInstanceRow>();
  for (const t of tables) {
    const need = columnsOf(t);
    const full = rows
      .filter((r) => r.schema === t.schema && r.table === t.name && need.every((c) => r.columns.includes(c)))
      .sort((a, b) => compareLsn(a.startLsn, b.startLsn));
    const newest = full[full.length - 1];
    if (newest) out.set(qualifiedKey(t), newest);
  }
  return out;
}

/** The first table whose capture instance is not the one being read, or null when all still are. */
export function captureInstanceChange(
  reading: ReadonlyMap<string, CaptureInstanceRow>,
  rows: readonly CaptureInstanceRow[],
): CaptureInstanceChangedError | null {
  for (const current of reading.values()) {
    const mine = rows.filter((r) => r.schema === current.schema && r.table === current.table);
    const same = mine.find((r) => r.captureInstance === current.captureInstance);
    const others = mine.filter((r) => r.captureInstance !== current.captureInstance).map((r) => r.captureInstance);
    if (!same || others.length) {
      return new CaptureInstanceChangedError({ schema: current.schema, name: current.table }, current.captureInstance, others);
    }
    if (same.columns.join('\u0000') !== current.columns.join('\u0000')) {
      return new CaptureInstanceChangedError({ schema: current.schema, name: current.table }, current.captureInstance, [
        `${same.captureInstance} (columns changed)`,
      ]);
    }
  }
  return null;
}
