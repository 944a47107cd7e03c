/**
 * One consistent read point of a SQL Server database for several readers,
 * and the LSN where its change stream meets it (mssql-cdc-sql.ts): a
 * fencing connection holds shared locks on the selected tables, so no write
 * to them is in flight; every reader starts a SNAPSHOT transaction and
 * reads (its snapshot starts there); the first one forces a log record
 * (`SAVE TRANSACTION`) and reads its own transaction's LSN — above every
 * commit the snapshots see; the fence is released. Writers wait only for
 * that long. SQL Server cannot share one snapshot between sessions, but
 * with the fence held the readers' snapshots hold the same rows of the
 * selected tables.
 */
import { Readable } from 'node:stream';
import type { Logger } from '../../contract/logger.js';
import type { ColumnDef, QualifiedName, TableDef } from '../catalog.js';
import type { CopyFormat, ResolvedProfile, SourceSnapshot, TableRange } from '../provider.js';
import { fenceSql, snapshotStartSql, TRANSACTION_LSN_SQL } from './mssql-cdc-sql.js';
import { SqlServerSession } from './mssql-connection.js';
import { boundaryQuery, keyRanges, rangeCount, rangeQuery } from './mssql-key-ranges.js';
import { lsnFromDecimal } from './mssql-lsn.js';
import { snapshotPosition } from './mssql-position.js';
import { canonicalText, interchangeLine } from './mssql-value-text.js';
import { SnapshotReaders } from '../snapshot-readers.js';

/** Encoded bytes handed on at a time (bounded). */
const CHUNK_BYTES = 64 * 1024;

/** The columns a copy moves: computed and rowversion columns are the destination's own. */
export function copiedColumns(columns: readonly ColumnDef[]): ColumnDef[] {
  return columns.filter((c) => c.generated === null && c.canonical !== undefined);
}

interface Reader {
  s: SqlServerSession;
}

export interface SqlServerSnapshotOptions {
  database: string;
  tables: QualifiedName[];
  readers: number;
  /** CDC is on (the position is needed). */
  cdc: boolean;
  logger: Logger;
}

export class SqlServerSnapshot implements SourceSnapshot {
  private constructor(
    readonly id: string,
    readonly position: string | null,
    private readonly readers: SnapshotReaders<Reader>,
  ) {}

  static async open(profile: ResolvedProfile, opts: SqlServerSnapshotOptions): Promise<SqlServerSnapshot> {
    const fence = await SqlServerSession.open(profile, opts.database);
    const sessions: SqlServerSession[] = [];
    try {
      for (let i = 0; i < Math.max(1, opts.readers); i++) sessions.push(await SqlServerSession.open(profile, opts.database));
      const started = Date.now();
      await fence.batch(`BEGIN TRANSACTION;\n${fenceSql(opts.tables)}`);
      let lsn: string;
      try {
        for (const s of sessions) {
          await s.batch(
            `SET TRANSACTION ISOLATION LEVEL SNAPSHOT;\nBEGIN TRANSACTION;\n${snapshotStartSql(opts.tables, opts.cdc)}`,
          );
        }
        const [row] = await (sessions[0] as SqlServerSession).rows(TRANSACTION_LSN_SQL);
        if (!row?.[0])
          throw new Error(`the snapshot transaction of ${opts.database} has no LSN (sys.dm_tran_database_transactions)`);
        lsn = lsnFromDecimal(String(row[0]));
      } finally {
        await fence.batch('IF @@TRANCOUNT > 0 ROLLBACK').catch(() => undefined);
        opts.logger.info('writers waited for the snapshot fence', { database: opts.database, ms: Date.now() - started });
      }
      await fence.close();
      return new SqlServerSnapshot(
        `${opts.database}@${lsn}`,
        opts.cdc ? snapshotPosition(lsn) : null,
        new SnapshotReaders<Reader>(
          sessions.map((s) => ({ s })),
          opts.database,
        ),
      );
    } catch (err) {
      fence.destroy();
      for (const s of sessions) s.destroy();
      throw err;
    }
  }

  async planRanges(table: TableDef, targetBytes: number): Promise<TableRange[]> {
    const key = table.primaryKey?.columns ?? [];
    const n = rangeCount(table.estimatedBytes, targetBytes);
    if (n < 2 || !key.length || table.estimatedRows < n * 2) return [{ id: 'all', predicate: null }];
    const keyCols = key.map((k) => table.columns.find((c) => c.name === k));
    if (keyCols.some((c) => !c?.canonical)) return [{ id: 'all', predicate: null }];
    const reader = await this.readers.acquire();
    try {
      const rows = await reader.s.rows(boundaryQuery(table, key, Math.ceil(table.estimatedRows / n)));
      const boundaries = rows.map((r) => r.map((v, i) => canonicalText((keyCols[i] as ColumnDef).canonical!, v)));
      return keyRanges(table, key, boundaries);
    } finally {
      this.readers.release(reader);
    }
  }

  async readRange(table: TableDef, range: TableRange, format: CopyFormat): Promise<Readable> {
    if (format !== 'interchange-text') throw new Error(`a SQL Server source cannot produce ${format}`);
    const columns = copiedColumns(table.columns);
    const types = columns.map((c) => c.canonical!);
    const reader = await this.readers.acquire();
    let parts: string[] = [];
    let size = 0;
    let handle: ReturnType<SqlServerSession['stream']> | null = null;
    let paused = false;
    const out = new Readable({
      highWaterMark: 4 * CHUNK_BYTES,
      read: () => {
        if (paused) {
          paused = false;
          handle?.resume();
        }
      },
    });
    const flush = (): boolean => {
      if (!size) return true;
      const chunk = Buffer.from(parts.join(''));
      parts = [];
      size = 0;
      return out.push(chunk);
    };
    handle = reader.s.stream(rangeQuery(table, columns, range.predicate), (row) => {
      const line = interchangeLine(row.map((v, i) => canonicalText(types[i] as (typeof types)[number], v)));
      parts.push(line);
      size += line.length;
      if (size < CHUNK_BYTES) return true;
      const more = flush();
      if (!more) paused = true;
      return more;
    });
    handle.done.then(
      () => {
        flush();
        out.push(null);
        this.readers.release(reader);
      },
      (err: Error) => {
        // a reader whose query was cut off mid-result cannot serve another range
        reader.s.destroy();
        this.readers.drop(reader);
        out.destroy(new Error(`reading ${table.schema}.${table.name}: ${err.message}`, { cause: err }));
      },
    );
    out.on('close', () => {
      if (!out.readableEnded) handle?.cancel();
    });
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.readers.close().map(async (r) => {
        await r.s.batch('IF @@TRANCOUNT > 0 COMMIT').catch(() => undefined);
        await r.s.close().catch(() => r.s.destroy());
      }),
    );
  }
}
