import type { TableSelection } from '../../contract/declaration.js';
import type { Diagnostic } from '../../contract/diagnostic.js';
import { formatDiagnostic } from '../../contract/diagnostic.js';
import { qualifiedKey, type Catalog, type QualifiedName, type SchemaObjectSummary, type TableDef } from '../catalog.js';
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
import { chooseCaptureInstances } from './mssql-capture-instances.js';
import { MAX_LSN_SQL } from './mssql-cdc-sql.js';
import { readCaptureInstances, SqlServerChangeStream, type StreamLayout } from './mssql-change-stream.js';
import { SqlServerChecksummer } from './mssql-checksummer.js';
import { SqlServerSession, withSqlServer } from './mssql-connection.js';
import { introspectSqlServer } from './mssql-introspector.js';
import { normalizeLsn } from './mssql-lsn.js';
import { commitEnd, comparePositions, resumePlan } from './mssql-position.js';
import { tableChecks } from './mssql-prerequisite-checks.js';
import { checkSqlServerSourcePrerequisites } from './mssql-prerequisites.js';
import { quoteSqlServerLiteral, quoteSqlServerQualified } from './mssql-quote.js';
import { copiedColumns, SqlServerSnapshot } from './mssql-snapshot.js';
import { baseTypeName } from './mssql-value-text.js';

const ALL: TableSelection = { include: ['*.*'], exclude: [] };

/**
 * A SQL Server database as a source: snapshot-isolation reads, changes from
 * the CDC change tables. CDC itself (sp_cdc_enable_db / _table) is the
 * DBA's: this source creates nothing on the server, so its artifacts are
 * the capture instances it reads.
 */
export class SqlServerSource implements SourceProvider {
  /** Rows are converted by the worker (tedious): ranges of 256 MiB read in parallel. */
  readonly preferredRangeBytes = 256 * 2 ** 20;

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  checkPrerequisites(req: { databases: string[]; continuous: boolean }): Promise<Diagnostic[]> {
    return checkSqlServerSourcePrerequisites(this.profile, req);
  }

  introspect(database: string, selection: TableSelection): Promise<Catalog> {
    return withSqlServer(this.profile, database, (s) => introspectSqlServer(s, database, selection));
  }

  /** No comparable schema form yet (verify compares rows). */
  async describeSchema(): Promise<SchemaObjectSummary[] | null> {
    return null;
  }

  async estimateSizes(databases: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const db of databases) {
      const bytes = await withSqlServer(this.profile, db, async (s) => {
        const [r] = await s.rows('SELECT CAST(SUM(used_pages) * 8192 AS varchar(20)) FROM sys.allocation_units');
        return Number(r?.[0] ?? 0);
      }).catch(() => null);
      if (bytes !== null) out.set(db, bytes);
    }
    return out;
  }

  openSnapshot(req: SnapshotRequest): Promise<SourceSnapshot> {
    return SqlServerSnapshot.open(this.profile, {
      database: req.database,
      tables: req.tables,
      readers: req.readers ?? 1,
      cdc: req.cdc,
      logger: this.ctx.logger,
    });
  }

  /** Identity counters (`table.column`: IDENT_CURRENT, never below the column's maximum) and SEQUENCE values. */
  async readSequences(database: string, sequences: QualifiedName[]): Promise<SequenceValue[]> {
    if (!sequences.length) return [];
    return withSqlServer(this.profile, database, async (s) => {
      const out: SequenceValue[] = [];
      for (const q of sequences) {
        const dot = q.name.lastIndexOf('.');
        if (dot > 0) {
          const table = { schema: q.schema, name: q.name.slice(0, dot) };
          const column = q.name.slice(dot + 1);
          const [r] = await s.rows(
            `SELECT CAST(IDENT_CURRENT(${quoteSqlServerLiteral(quoteSqlServerQualified(table))}) AS varchar(40)), CAST(MAX([${column.replace(/]/g, ']]')}]) AS varchar(40)) FROM ${quoteSqlServerQualified(table)}`,
          );
          const cur = r?.[0] == null ? null : BigInt(String(r[0]).replace(/\..*$/, ''));
          const max = r?.[1] == null ? null : BigInt(String(r[1]));
          const last = cur === null ? max : max === null || cur > max ? cur : max;
          out.push({ sequence: q, lastValue: last === null ? '1' : String(last), isCalled: last !== null });
        } else {
          const [r] = await s.rows(
            `SELECT CAST(current_value AS varchar(40)) FROM sys.sequences WHERE object_id = OBJECT_ID(${quoteSqlServerLiteral(quoteSqlServerQualified(q))})`,
          );
          out.push({ sequence: q, lastValue: String(r?.[0] ?? '1'), isCalled: r?.[0] != null });
        }
      }
      return out;
    });
  }

  /** Capture instances are the DBA's (sp_cdc_enable_table): nothing of ours to drop. */
  async dropArtifacts(): Promise<void> {}

  /** CDC is on for the database. */
  async artifactsExist(database: string): Promise<boolean> {
    return withSqlServer(this.profile, undefined, async (s) => {
      const [r] = await s.rows(`SELECT is_cdc_enabled FROM sys.databases WHERE name = ${quoteSqlServerLiteral(database)}`);
      return r?.[0] === true;
    });
  }

  /** Every table must be tracked with one capture instance of all its columns: an error naming each one that is not. */
  async setCapturedTables(database: string, _artifact: string, tables: QualifiedName[]): Promise<void> {
    const catalog = await this.introspect(database, ALL);
    const rows = await withSqlServer(this.profile, database, readCaptureInstances);
    const problems: Diagnostic[] = [];
    for (const t of tables) {
      const def = catalog.tables.find((x) => x.schema === t.schema && x.name === t.name);
      const instances = rows.filter((r) => r.schema === t.schema && r.table === t.name);
      problems.push(
        ...tableChecks(
          {
            database,
            schema: t.schema,
            name: t.name,
            trackedByCdc: instances.length > 0,
            columns: copiedColumns(def?.columns ?? []).map((c) => c.name),
            captureInstances: instances.map((i) => ({
              name: i.captureInstance,
              capturedColumns: i.columns,
              roleName: null,
              inRole: true,
            })),
          },
          this.profile.user,
        ).filter((d) => d.severity === 'error'),
      );
    }
    if (problems.length) throw new Error(problems.map(formatDiagnostic).join('\n'));
  }

  async streamChanges(
    database: string,
    _artifact: string,
    from: string | null,
    snapshotStart?: string | null,
  ): Promise<ChangeStream> {
    const start = from ?? snapshotStart ?? null;
    if (!start) throw new Error(`no position to stream ${database}'s changes from: the full dump recorded none`);
    const { fromLsn, skipThrough } = resumePlan(start);
    const catalog = await this.introspect(database, ALL);
    const session = await SqlServerSession.open(this.profile, database);
    try {
      const rows = await readCaptureInstances(session);
      const byKey = new Map(catalog.tables.map((t) => [qualifiedKey(t), t]));
      const tracked = catalog.tables.filter((t) => rows.some((r) => r.schema === t.schema && r.table === t.name));
      const reading = chooseCaptureInstances(rows, tracked, (t) =>
        copiedColumns(byKey.get(qualifiedKey(t))?.columns ?? []).map((c) => c.name),
      );
      const layouts: StreamLayout[] = [];
      for (const [k, ci] of reading) {
        const t = byKey.get(k) as TableDef;
        const cols = copiedColumns(t.columns);
        layouts.push({
          captureInstance: ci.captureInstance,
          table: { schema: t.schema, name: t.name },
          columns: cols.map((c) => c.name),
          canonical: cols.map((c) => c.canonical!),
          typeNames: cols.map((c) => baseTypeName(c.nativeType)),
          key: t.primaryKey?.columns ?? [],
        });
      }
      return new SqlServerChangeStream(session, database, layouts, reading, fromLsn, skipThrough, start);
    } catch (err) {
      session.destroy();
      throw err;
    }
  }

  /** The capture job's newest commit: what the stream can reach. */
  async currentPosition(database: string): Promise<string> {
    return withSqlServer(this.profile, database, async (s) => {
      const [r] = await s.rows(MAX_LSN_SQL);
      if (!r?.[0])
        throw new Error(`change data capture of ${database} has no LSN yet (is it enabled, and SQL Server Agent running?)`);
      return commitEnd(normalizeLsn(String(r[0])));
    });
  }

  comparePositions(a: string, b: string): number {
    return comparePositions(a, b);
  }

  /** Tables with neither a primary key nor a unique index of NOT NULL columns. */
  async tablesWithoutKey(_database: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]> {
    return tables.filter((t) => {
      const def = t as Partial<TableDef>;
      if (def.primaryKey) return false;
      const notNull = new Set((def.columns ?? []).filter((c) => !c.nullable).map((c) => c.name));
      const keys = [...(def.indexes ?? []).filter((i) => i.unique).map((i) => (i.columns ?? []).map((c) => c.name))];
      for (const c of def.constraints ?? []) if (c.kind === 'unique') keys.push(c.columns);
      return !keys.some((k) => k.length > 0 && k.every((c) => notNull.has(c)));
    });
  }

  /** CDC captures whole rows already. */
  async enableFullRowIdentity(): Promise<void> {}

  checksummer(database: string): TableChecksummer {
    return new SqlServerChecksummer(this.profile, database);
  }

  /** Canonical text to every destination (the contract has no TDS-native format yet). */
  formatsFor(): CopyFormat[] {
    return ['interchange-text'];
  }

  async close(): Promise<void> {}
}
