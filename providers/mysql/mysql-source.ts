import type { TableSelection } from '../../contract/declaration.js';
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { Catalog, QualifiedName, SchemaObjectSummary, TableDef } from '../catalog.js';
import type {
  ChangeStream,
  CopyFormat,
  ProviderContext,
  ResolvedProfile,
  SequenceValue,
  SnapshotRequest,
  SourceProvider,
  SourceSnapshot,
  TableChecksummer,
} from '../provider.js';
import { mysqlConnectionOptions, mysqlRows, withMySql } from './mysql-connection.js';
import { BinlogReader } from './binlog/binlog-reader.js';
import { textDecoders, type TextDecoderOf } from './mysql-charset.js';
import { MySqlChangeStream } from './mysql-change-stream.js';
import { introspectMySql } from './mysql-introspector.js';
import { compareBinlogPositions, parseBinlogPosition } from './mysql-position.js';
import { checkMySqlSourcePrerequisites } from './mysql-prerequisites.js';
import { quoteMySqlIdent, quoteMySqlQualified } from './mysql-quote.js';
import { currentBinlogPosition, MySqlSnapshot } from './mysql-snapshot.js';
import { MySqlChecksummer } from './mysql-checksummer.js';
import { zeroDateRule } from '../zero-dates.js';
import { mysqlSchemaSummaries } from './mysql-describe-schema.js';

/** A MySQL/MariaDB server as a source: a database is one schema of tables. */
export class MySqlSource implements SourceProvider {
  readonly changesOmitCascades = true;
  /** Rows are decoded by the worker (mysql2): one reader per range is the bound, so large tables are read in parallel. */
  readonly preferredRangeBytes = 64 * 1024 * 1024;
  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  async checkPrerequisites(req: { databases: string[]; continuous: boolean }): Promise<Diagnostic[]> {
    return checkMySqlSourcePrerequisites(this.profile, req);
  }

  introspect(database: string, selection: TableSelection): Promise<Catalog> {
    return withMySql(this.profile, database, (c) => introspectMySql(c, database, selection));
  }

  /** Tables, views, routines, triggers and events as a MySQL destination's are compared (mysql-describe-schema.ts). */
  async describeSchema(database: string, selection: TableSelection): Promise<SchemaObjectSummary[] | null> {
    return mysqlSchemaSummaries(await this.introspect(database, selection));
  }

  async estimateSizes(databases: readonly string[]): Promise<Map<string, number>> {
    if (!databases.length) return new Map();
    const rows = await withMySql(this.profile, undefined, (c) =>
      mysqlRows<{ db: string; bytes: string | null }>(
        c,
        `SELECT TABLE_SCHEMA AS db, SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes FROM information_schema.TABLES
          WHERE TABLE_SCHEMA IN (${databases.map(() => '?').join(', ')}) GROUP BY TABLE_SCHEMA`,
        [...databases],
      ),
    );
    return new Map(rows.map((r) => [r.db, Number(r.bytes ?? 0)]));
  }

  async openSnapshot(req: SnapshotRequest): Promise<SourceSnapshot> {
    return MySqlSnapshot.open(this.profile, req.database, {
      readers: req.readers ?? 1,
      position: req.cdc,
      logger: this.ctx.logger,
    });
  }

  /**
   * AUTO_INCREMENT counters (sequence `table.column`): the next value the
   * source would hand out, never below the column's maximum.
   */
  async readSequences(database: string, sequences: QualifiedName[]): Promise<SequenceValue[]> {
    if (!sequences.length) return [];
    return withMySql(this.profile, database, async (c) => {
      // MySQL 8 caches information_schema statistics for a day by default
      await c.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
      const out: SequenceValue[] = [];
      for (const s of sequences) {
        const dot = s.name.lastIndexOf('.');
        const table = s.name.slice(0, dot);
        const column = s.name.slice(dot + 1);
        const [row] = await mysqlRows<{ ai: string | null; mx: string | null }>(
          c,
          `SELECT (SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?) AS ai,
                  (SELECT MAX(${quoteMySqlIdent(column)}) FROM ${quoteMySqlQualified({ schema: database, name: table })}) AS mx`,
          [database, table],
        );
        const next = BigInt(row?.ai ?? '1');
        const max = row?.mx == null ? 0n : BigInt(row.mx);
        const last = next - 1n > max ? next - 1n : max;
        out.push({ sequence: s, lastValue: last > 0n ? String(last) : '1', isCalled: last > 0n });
      }
      return out;
    });
  }

  /** The binary log needs nothing created on the source. */
  async dropArtifacts(): Promise<void> {}

  async artifactsExist(): Promise<boolean> {
    return true;
  }

  async setCapturedTables(): Promise<void> {}

  /** The binary-log file of `checkpoint` was purged: the changes after it are gone. */
  async captureGap(_database: string, checkpoint: string): Promise<string | null> {
    const { file } = parseBinlogPosition(checkpoint);
    const logs = await withMySql(this.profile, undefined, (c) => mysqlRows<{ Log_name: string }>(c, 'SHOW BINARY LOGS'));
    if (logs.some((l) => l.Log_name === file)) return null;
    return `the binary log ${file} holding the changes after the checkpoint ${checkpoint} was purged on the source (binlog_expire_logs_seconds, PURGE BINARY LOGS; oldest kept: ${logs[0]?.Log_name ?? 'none'}): changes since then are lost to this job`;
  }

  /** The binary log from `from` (a commit end), or from the snapshot the dump read at. */
  async streamChanges(
    database: string,
    _artifact: string,
    from: string | null,
    snapshotStart?: string | null,
  ): Promise<ChangeStream> {
    const start = from ?? snapshotStart ?? null;
    if (!start) throw new Error(`no position to stream ${database}'s changes from: the full dump recorded none`);
    const p = parseBinlogPosition(start);
    const decoders = await this.textDecoders();
    const reader = await BinlogReader.open({
      connection: mysqlConnectionOptions(this.profile),
      start: { file: p.file, offset: p.offset },
      database,
      heartbeatSeconds: 1,
      maxBufferedBytes: 4 * 2 ** 20,
    });
    return new MySqlChangeStream(reader, database, start, decoders);
  }

  /**
   * Bytes of binary log the server keeps (SHOW BINARY LOGS: every file, kept
   * by time — binlog_expire_logs_seconds — not held for this job), or null
   * when the user may not list them.
   */
  async retainedBytes(): Promise<number | null> {
    return withMySql(this.profile, undefined, async (c) => {
      const rows = await mysqlRows<{ File_size?: string }>(c, 'SHOW BINARY LOGS').catch(() => null);
      return rows ? rows.reduce((n, r) => n + Number(r.File_size ?? 0), 0) : null;
    });
  }

  /** The server's collations as text decoders, read once (every stream of the job, every reopen, shares them). */
  private decoders: Promise<TextDecoderOf> | null = null;

  private textDecoders(): Promise<TextDecoderOf> {
    this.decoders ??= withMySql(this.profile, undefined, (c) =>
      mysqlRows<{ id: string; charset: string }>(
        c,
        'SELECT ID AS id, CHARACTER_SET_NAME AS charset FROM information_schema.COLLATIONS WHERE ID IS NOT NULL',
      ),
    ).then((rows) => textDecoders(rows.map((r) => ({ id: Number(r.id), charset: r.charset }))));
    this.decoders.catch(() => (this.decoders = null)); // a failed read is tried again by the next stream
    return this.decoders;
  }

  async currentPosition(): Promise<string> {
    const position = await withMySql(this.profile, undefined, currentBinlogPosition);
    if (!position) throw new Error(`the binary log is off on ${this.profile.host}:${this.profile.port} (log_bin)`);
    return position;
  }

  comparePositions(a: string, b: string): number {
    return compareBinlogPositions(a, b);
  }

  /** Tables with neither a primary key nor a unique key over NOT NULL columns. */
  async tablesWithoutKey(_database: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]> {
    return tables.filter((t) => {
      const def = t as Partial<TableDef>;
      if (def.primaryKey) return false;
      const notNull = new Set((def.columns ?? []).filter((c) => !c.nullable).map((c) => c.name));
      return !(def.indexes ?? []).some((i) => i.unique && (i.columns ?? []).every((c) => notNull.has(c.name) && !c.prefixLength));
    });
  }

  /** Full row images are in the binary log already (binlog_row_image = FULL). */
  async enableFullRowIdentity(): Promise<void> {}

  checksummer(database: string): TableChecksummer {
    return new MySqlChecksummer(this.profile, database, zeroDateRule(this.ctx.settings));
  }

  /** Its own bytes to a MySQL destination; canonical text to any other. */
  formatsFor(): CopyFormat[] {
    return ['mysql-text', 'interchange-text'];
  }

  async close(): Promise<void> {}
}
