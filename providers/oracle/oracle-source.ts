/**
 * An Oracle database (a service: the PDB holding the tables) as a source:
 * its user schemas are the schemas, read `AS OF SCN` one snapshot SCN
 * (oracle-snapshot.ts) and followed with LogMiner (oracle-change-stream.ts).
 * Positions are SCN-based (oracle-scn.ts). The only thing created on the
 * source is the flush table of the change stream.
 */
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
import { OracleChangeAssembler } from './oracle-change-assembler.js';
import { ensureFlushTable, FLUSH_TABLE, OracleChangeStream } from './oracle-change-stream.js';
import { OracleChecksummer } from './oracle-checksummer.js';
import { connectOracle, oracleRows, withOracle } from './oracle-connection.js';
import type { OracleConnection } from './oracle-driver.js';
import { introspectOracle } from './oracle-introspector.js';
import { OLDEST_LOG_SCN } from './oracle-logminer-sql.js';
import { checkOracleSourcePrerequisites, databaseFacts, tableLoggingProblems } from './oracle-prerequisites.js';
import { quoteOracleIdent, quoteOracleQualified } from './oracle-quote.js';
import { capturedTable, type CapturedTable } from './oracle-row-change.js';
import { compareOraclePositions, formatOraclePosition, parseOraclePosition, parseScn } from './oracle-scn.js';
import { currentScn, OracleSnapshot } from './oracle-snapshot.js';
import { copiedColumns } from './oracle-sql.js';

/** A configuration problem found when capture starts (a person fixes it; the job retries). */
export class OracleCaptureSetupError extends Error {
  readonly errorNum = 1031; // classified like ORA-01031 insufficient privileges: a configuration error
}

export class OracleSource implements SourceProvider {
  /** Rows are decoded by the worker: one reader per range is the bound, so large tables are read in parallel. */
  readonly preferredRangeBytes = 64 * 1024 * 1024;
  /** Tables whose changes are captured, per database (set by the snapshot and selection changes). */
  private readonly captured = new Map<string, TableDef[]>();
  private readonly heads = new Map<string, Promise<OracleConnection>>();

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  checkPrerequisites(req: { databases: string[]; continuous: boolean }): Promise<Diagnostic[]> {
    return checkOracleSourcePrerequisites(this.profile, req);
  }

  introspect(database: string, selection: TableSelection): Promise<Catalog> {
    return withOracle(this.profile, database, (c) => introspectOracle(c, database, selection));
  }

  /** Oracle is never a destination: no destination compares its schema objects. */
  async describeSchema(): Promise<SchemaObjectSummary[] | null> {
    return null;
  }

  async estimateSizes(databases: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const db of databases) {
      const [row] = await withOracle(this.profile, db, (c) =>
        oracleRows(
          c,
          `SELECT TO_CHAR(SUM(NVL(NUM_ROWS, 0) * NVL(AVG_ROW_LEN, 0))) AS BYTES FROM ALL_TABLES
            WHERE OWNER IN (SELECT USERNAME FROM ALL_USERS WHERE ORACLE_MAINTAINED = 'N')`,
        ),
      ).catch(() => [] as Record<string, string | null>[]);
      if (row) out.set(db, Number(row.BYTES ?? 0));
    }
    return out;
  }

  async openSnapshot(req: SnapshotRequest): Promise<SourceSnapshot> {
    if (req.cdc) {
      const problems = await withOracle(this.profile, req.database, (c) => tableLoggingProblems(c, req.tables));
      if (problems.some((d) => d.severity === 'error')) {
        throw new OracleCaptureSetupError(problems.map((d) => `${d.summary}: ${d.detail ?? ''}`).join('; '));
      }
      this.remember(req.database, req.tables);
    }
    return OracleSnapshot.open(this.profile, req.database, { readers: req.readers ?? 1, cdc: req.cdc, logger: this.ctx.logger });
  }

  /** Identity counters (sequence `table.column`): the next value Oracle would hand out, never below the column's maximum. */
  async readSequences(database: string, sequences: QualifiedName[]): Promise<SequenceValue[]> {
    if (!sequences.length) return [];
    return withOracle(this.profile, database, async (c) => {
      const out: SequenceValue[] = [];
      for (const s of sequences) {
        const dot = s.name.lastIndexOf('.');
        const table = s.name.slice(0, dot);
        const column = s.name.slice(dot + 1);
        const [row] = await oracleRows<{ NEXTV: string | null; MX: string | null }>(
          c,
          `SELECT (SELECT TO_CHAR(q.LAST_NUMBER) FROM ALL_TAB_IDENTITY_COLS i JOIN ALL_SEQUENCES q
                     ON q.SEQUENCE_OWNER = i.OWNER AND q.SEQUENCE_NAME = i.SEQUENCE_NAME
                   WHERE i.OWNER = :1 AND i.TABLE_NAME = :2 AND i.COLUMN_NAME = :3) AS NEXTV,
                  (SELECT TO_CHAR(MAX(${quoteOracleIdent(column)})) FROM ${quoteOracleQualified({ schema: s.schema, name: table })}) AS MX
             FROM DUAL`,
          [s.schema, table, column],
        );
        const next = BigInt(row?.NEXTV ?? '1');
        const max = row?.MX == null ? 0n : BigInt(row.MX);
        const last = next - 1n > max ? next - 1n : max;
        out.push({ sequence: s, lastValue: last > 0n ? String(last) : '1', isCalled: last > 0n });
      }
      return out;
    });
  }

  /** The flush table of the change stream (shared by the jobs of one user: it is recreated when needed). */
  async dropArtifacts(database: string): Promise<void> {
    await withOracle(this.profile, database, (c) =>
      c.execute(`DROP TABLE ${FLUSH_TABLE} PURGE`).catch((err: { errorNum?: number }) => {
        if (err.errorNum !== 942) throw err;
      }),
    );
  }

  async artifactsExist(): Promise<boolean> {
    return true;
  }

  async setCapturedTables(database: string, _artifact: string, tables: QualifiedName[]): Promise<void> {
    this.remember(database, tables);
  }

  /** The redo a checkpoint's restart SCN needs is no longer online or archived. */
  async captureGap(database: string, checkpoint: string): Promise<string | null> {
    const { restartScn } = parseOraclePosition(checkpoint);
    const [row] = await withOracle(this.profile, database, (c) => oracleRows<{ SCN: string | null }>(c, OLDEST_LOG_SCN));
    if (!row?.SCN) return null;
    const oldest = parseScn(row.SCN);
    if (oldest <= restartScn) return null;
    return `the redo holding SCN ${restartScn} (where the changes after the checkpoint ${checkpoint} start) is neither online nor archived any more (oldest: ${oldest}): changes since then are lost to this job — keep archived logs longer`;
  }

  async streamChanges(
    database: string,
    _artifact: string,
    from: string | null,
    snapshotStart?: string | null,
  ): Promise<ChangeStream> {
    const start = from ?? snapshotStart ?? null;
    if (!start) throw new Error(`no position to stream ${database}'s changes from: the full dump recorded none`);
    const tables = await this.capturedTables(database);
    const conn = await connectOracle(this.profile, database);
    let inPdb: boolean;
    try {
      await ensureFlushTable(conn);
      const facts = await databaseFacts(conn);
      inPdb = facts.cdb === 'YES' && facts.container !== 'CDB$ROOT';
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
    const assembler = new OracleChangeAssembler(tables, start);
    const owners = [...new Set([...tables.values()].map((t) => t.schema))];
    return new OracleChangeStream(conn, assembler, {
      owners: owners.length ? owners : [this.profile.user.toUpperCase()],
      logger: this.ctx.logger,
      addLogFiles: !inPdb,
    });
  }

  /** Asked every second while streaming: one kept connection per database (dropped when it fails). */
  async currentPosition(database: string): Promise<string> {
    let conn = this.heads.get(database);
    if (!conn) this.heads.set(database, (conn = connectOracle(this.profile, database)));
    let scn: bigint;
    try {
      scn = await currentScn(await conn);
    } catch (err) {
      this.heads.delete(database);
      void conn.then((c) => c.close()).catch(() => undefined);
      throw err;
    }
    return formatOraclePosition({ scn: scn + 1n, xid: null, restartScn: scn + 1n });
  }

  comparePositions(a: string, b: string): number {
    return compareOraclePositions(a, b);
  }

  /** Tables with neither a primary key nor a unique index over NOT NULL columns. */
  async tablesWithoutKey(_database: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]> {
    return tables.filter((t) => {
      const def = t as Partial<TableDef>;
      if (def.primaryKey) return false;
      const notNull = new Set((def.columns ?? []).filter((c) => !c.nullable).map((c) => c.name));
      return !(def.indexes ?? []).some(
        (i) => i.unique && (i.columns ?? []).length > 0 && (i.columns ?? []).every((c) => notNull.has(c.name)),
      );
    });
  }

  /** Keyless tables are identified by every column: ALL COLUMNS supplemental logging. */
  async enableFullRowIdentity(database: string, tables: readonly QualifiedName[]): Promise<void> {
    await withOracle(this.profile, database, async (c) => {
      for (const t of tables) await c.execute(`ALTER TABLE ${quoteOracleQualified(t)} ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS`);
    });
  }

  checksummer(database: string): TableChecksummer {
    return new OracleChecksummer(this.profile, database);
  }

  formatsFor(): CopyFormat[] {
    return ['interchange-text'];
  }

  async close(): Promise<void> {
    const heads = [...this.heads.values()];
    this.heads.clear();
    await Promise.all(heads.map((c) => c.then((x) => x.close()).catch(() => undefined)));
  }

  private remember(database: string, tables: readonly QualifiedName[]): void {
    const defs = tables.filter((t): t is TableDef => Array.isArray((t as Partial<TableDef>).columns));
    if (defs.length) this.captured.set(database, defs);
  }

  /** Change layouts of the captured tables; after a restart (none remembered yet), of every table of the user schemas. */
  private async capturedTables(database: string): Promise<Map<string, CapturedTable>> {
    const defs = this.captured.get(database) ?? (await this.introspect(database, { include: ['*.*'], exclude: [] })).tables;
    const out = new Map<string, CapturedTable>();
    for (const t of defs) {
      // a table with a column of no canonical type cannot be selected (the plan names it): nothing to capture
      if (t.columns.some((c) => c.generated === null && !c.canonical)) continue;
      const columns = copiedColumns(t.columns).map((c) => ({ name: c.name, canonical: c.canonical! }));
      out.set(`${t.schema}.${t.name}`, capturedTable(t.schema, t.name, columns, t.primaryKey?.columns ?? []));
    }
    return out;
  }
}
