/**
 * A SQL Server database's committed changes as canonical change events,
 * polled from the CDC change tables (mssql-cdc-sql.ts) up to the capture
 * job's newest LSN, every capture instance read over the same LSN window
 * and merged into one change order (mssql-change-rows.ts). Whole
 * transactions at a time (a window always holds whole commits: its bounds
 * are commit LSNs); one larger than a batch goes out as `partial` batches.
 * Each poll checks that the capture instances read are still the tables'
 * (a new one is a named error) and that the window was not cleaned up.
 */
import type { CanonicalType } from '../canonical-type.js';
import type { ChangeRelation } from '../change-event.js';
import type { ChangeBatch, ChangeStream } from '../provider.js';
import { captureInstanceChange, type CaptureInstanceRow } from './mssql-capture-instances.js';
import {
  CAPTURE_INSTANCES_SQL,
  CAPTURED_COLUMNS_SQL,
  changesSql,
  commitTimesSql,
  lsnLiteral,
  MAX_LSN_SQL,
  minLsnSql,
} from './mssql-cdc-sql.js';
import {
  decodeChangeRows,
  mergeChangeRows,
  type CaptureLayout,
  type ChangeRow,
  type DecodedTransaction,
} from './mssql-change-rows.js';
import { takeBatch, type BatchCursor } from './mssql-change-batch.js';
import type { SqlServerSession } from './mssql-connection.js';
import { compareLsn, incrementLsn as nextLsn, normalizeLsn } from './mssql-lsn.js';
import { commitEnd, type SqlServerPosition } from './mssql-position.js';

/** How often the capture instances are checked again. */
const CHECK_EVERY_MS = 10_000;
/** Between polls while the capture job has nothing new. */
const POLL_MS = 500;

export interface StreamLayout extends CaptureLayout {
  /** Base type names of the columns (read forms). */
  typeNames: readonly string[];
}

/** Capture instances as cdc.change_tables and cdc.captured_columns list them. */
export async function readCaptureInstances(s: SqlServerSession): Promise<CaptureInstanceRow[]> {
  const tables = await s.records<Record<string, unknown>>(CAPTURE_INSTANCES_SQL);
  const columns = await s.records<Record<string, unknown>>(CAPTURED_COLUMNS_SQL);
  return tables.map((t) => ({
    captureInstance: String(t.capture_instance),
    schema: String(t.table_schema),
    table: String(t.table_name),
    startLsn: normalizeLsn(String(t.start_lsn)),
    columns: columns.filter((c) => c.capture_instance === t.capture_instance).map((c) => String(c.column_name)),
  }));
}

export class SqlServerChangeStream implements ChangeStream {
  private readonly queue: DecodedTransaction[] = [];
  private readonly relations = new Map<string, ChangeRelation>();
  private readonly cursor: BatchCursor = { sent: 0 };
  private processed: string;
  private lastCheck = 0;
  private failure: Error | null = null;

  constructor(
    private readonly session: SqlServerSession,
    private readonly database: string,
    private readonly layouts: readonly StreamLayout[],
    private readonly reading: ReadonlyMap<string, CaptureInstanceRow>,
    /** The first LSN to read (inclusive) and the point inside it to skip through. */
    private nextFrom: string,
    private skipThrough: SqlServerPosition | null,
    start: string,
  ) {
    this.processed = start;
  }

  async read(maxEvents: number, idleMs: number, flushWhen?: Promise<unknown>): Promise<ChangeBatch> {
    if (this.failure) throw this.failure;
    let flush = false;
    void flushWhen?.then(
      () => void (flush = true),
      () => void (flush = true),
    );
    const deadline = Date.now() + idleMs;
    try {
      while (!this.queue.length) {
        await this.poll();
        if (this.queue.length || flush || Date.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
      }
    } catch (err) {
      throw (this.failure = err as Error);
    }
    return this.take(maxEvents);
  }

  /** The change tables are kept by the cleanup job's retention, not for us: nothing to free. */
  acknowledge(): void {}

  processedPosition(): string {
    return this.processed;
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => this.session.destroy());
  }

  private take(maxEvents: number): ChangeBatch {
    const batch = takeBatch(this.queue, this.cursor, maxEvents);
    if (batch.endPosition) this.processed = batch.endPosition;
    return batch;
  }

  private async poll(): Promise<void> {
    const s = this.session;
    if (Date.now() - this.lastCheck >= CHECK_EVERY_MS) {
      const change = captureInstanceChange(this.reading, await readCaptureInstances(s));
      if (change) throw change;
      this.lastCheck = Date.now();
    }
    const [maxRow] = await s.rows(MAX_LSN_SQL);
    const max = maxRow?.[0] ? normalizeLsn(String(maxRow[0])) : null;
    if (!max || compareLsn(max, this.nextFrom) < 0) return;
    const lists: ChangeRow[][] = [];
    for (const l of this.layouts) {
      const [minRow] = await s.rows(minLsnSql(l.captureInstance));
      const min = minRow?.[0] ? normalizeLsn(String(minRow[0])) : null;
      if (min && compareLsn(min, this.nextFrom) > 0) {
        throw Object.assign(
          new Error(
            `the changes of ${this.database}.${l.table.schema}.${l.table.name} from ${this.nextFrom} on were cleaned up on the source (capture instance ${l.captureInstance} now starts at ${min}: the CDC cleanup job's retention): changes since then are lost to this job; restart it`,
          ),
          { code: 'SQLSERVER_CDC_CLEANED_UP' },
        );
      }
      const read = l.columns.map((name, i) => ({
        name,
        typeName: l.typeNames[i] as string,
        canonical: l.canonical[i] as CanonicalType,
      }));
      const rows = await s.rows(changesSql(l.captureInstance, read, this.nextFrom, max));
      lists.push(
        rows.map((r) => ({
          layout: l,
          startLsn: normalizeLsn(String(r[0])),
          seqval: normalizeLsn(String(r[1])),
          operation: Number(r[2]),
          commandId: Number(r[3] ?? 0),
          values: r.slice(4),
        })),
      );
    }
    const times = new Map<string, string>();
    for (const r of await s.rows(commitTimesSql(lsnLiteral(this.nextFrom), lsnLiteral(max)))) {
      times.set(normalizeLsn(String(r[0])), `${String(r[1])}Z`);
    }
    const txs = decodeChangeRows(mergeChangeRows(lists), {
      skipThrough: this.skipThrough,
      commitTime: (lsn) => times.get(lsn),
      relations: this.relations,
    });
    this.queue.push(...txs);
    this.skipThrough = null;
    this.nextFrom = nextLsn(max);
    // nothing of this database's captured tables up to `max`: it is all processed
    if (!this.queue.length) this.processed = commitEnd(max);
  }
}
