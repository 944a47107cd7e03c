/**
 * A SQL Server database as a destination of a SQL Server source: DDL from
 * the source's native types (mssql-ddl.ts), rows loaded from the
 * interchange stream, changes applied with their checkpoint in one
 * transaction (mssql-apply-session.ts), identity and sequence counters set
 * at promote. Load markers and checkpoints live in the target's `_migrate`
 * schema (mssql-control.ts).
 *
 * Loading: tedious `BulkLoad` where it sends every value exactly, INSERT of
 * exact literals otherwise (see loadRange and README.md here).
 */
import type { Readable } from 'node:stream';
import type { EngineKind, SchemaSettings, TableSelection } from '../../contract/declaration.js';
import type { Diagnostic } from '../../contract/diagnostic.js';
import { qualifiedKey, type Catalog, type QualifiedName, type SchemaObjectSummary, type TableDef } from '../catalog.js';
import type { ChangeEvent } from '../change-event.js';
import type {
  ApplySession,
  CopyFormat,
  DestinationProvider,
  LoadResult,
  PreparedChanges,
  ProviderContext,
  ResolvedProfile,
  SequenceValue,
  TableChecksummer,
  TableLoadMarker,
} from '../provider.js';
import { SqlServerApplySession, SqlServerPreparedChanges } from './mssql-apply-session.js';
import { changeStatements, insertSql, MAX_VALUES_ROWS, type ApplyTable } from './mssql-change-sql.js';
import { SqlServerChecksummer } from './mssql-checksummer.js';
import { bulkColumns, bulkHints, type BulkColumn } from './mssql-bulk-values.js';
import { BULK_PACKET_SIZE, SqlServerSession, withSqlServer } from './mssql-connection.js';
import { CONTROL_DDL, forgetTableSql, loadedTablesSql, markTableLoadedSql, readCheckpointSql } from './mssql-control.js';
import {
  createSchemaSql,
  createTableSql,
  emptyTableSql,
  foreignKeysSql,
  reseedIdentitySql,
  restartSequenceSql,
  tablePostDataSql,
} from './mssql-ddl.js';
import { LineSplitter, parseInterchangeLine } from './mssql-interchange-parse.js';
import { sqlServerNative } from './mssql-native-catalog.js';
import { quoteSqlServerIdent, quoteSqlServerLiteral, quoteSqlServerQualified } from './mssql-quote.js';
import { copiedColumns } from './mssql-snapshot.js';
import { readTargetTables } from './mssql-target-tables.js';

type RowChange = Extract<ChangeEvent, { kind: 'insert' | 'update' | 'delete' }>;

export class SqlServerDestination implements DestinationProvider {
  readonly engine: EngineKind = 'sqlserver';
  readonly acceptedFormats: readonly CopyFormat[] = ['interchange-text'];
  private readonly tables = new Map<string, Map<string, ApplyTable>>();

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  async checkPrerequisites(): Promise<Diagnostic[]> {
    return withSqlServer(this.profile, undefined, async (s) => {
      const [r] = await s.rows(
        `SELECT HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE'), IS_SRVROLEMEMBER('dbcreator'), IS_SRVROLEMEMBER('sysadmin')`,
      );
      if (r && r.some((v) => Number(v) === 1)) return [];
      return [
        {
          severity: 'warning',
          summary: `destination user "${this.profile.user}" cannot create databases: each target database must exist already, owned by or writable for it`,
          detail: `run: ALTER SERVER ROLE dbcreator ADD MEMBER [${this.profile.user}]`,
          field: 'permissions',
        },
      ];
    });
  }

  async checkCatalog(_target: string, catalog: Catalog): Promise<Diagnostic[]> {
    if (catalog.engine === 'sqlserver') {
      // rows travel as canonical text: a column no canonical type holds (sql_variant, a CLR type) cannot be copied
      return catalog.tables.flatMap((t) =>
        t.columns
          .filter((c) => c.generated === null && c.canonical === undefined)
          .map((c) => ({
            severity: 'error' as const,
            summary: `column ${t.schema}.${t.name}.${c.name} of type ${c.nativeType} cannot be copied: its values have no exact text form`,
            detail: 'exclude its table from the job, or change the column on the source',
            field: 'types',
          })),
      );
    }
    return [
      {
        severity: 'error',
        summary: `a SQL Server destination takes SQL Server sources only (this catalog is ${catalog.engine}'s)`,
        detail: 'use a PostgreSQL destination for other engines',
      },
    ];
  }

  async prepareDatabase(target: string, mode: 'create-if-missing' | 'wipe'): Promise<void> {
    const db = quoteSqlServerIdent(target);
    const lit = quoteSqlServerLiteral(target);
    await withSqlServer(this.profile, 'master', async (s) => {
      if (mode === 'wipe') {
        await s.batch(
          `IF DB_ID(${lit}) IS NOT NULL BEGIN ALTER DATABASE ${db} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE ${db}; END`,
        );
      }
      await s.batch(`IF DB_ID(${lit}) IS NULL CREATE DATABASE ${db}`);
    });
    this.tables.delete(target);
    await withSqlServer(this.profile, target, async (s) => {
      for (const sql of CONTROL_DDL) await s.batch(sql);
    });
  }

  async createSchema(
    target: string,
    catalog: Catalog,
    phase: 'pre-data' | 'post-data',
    _settings: SchemaSettings,
  ): Promise<void> {
    const native = sqlServerNative(catalog);
    await withSqlServer(this.profile, target, async (s) => {
      if (phase === 'pre-data') {
        for (const schema of catalog.schemas) await s.batch(createSchemaSql(schema));
        for (const q of catalog.sequences.filter((x) => !x.identity)) {
          await s.batch(
            `IF OBJECT_ID(${quoteSqlServerLiteral(quoteSqlServerQualified(q))}, N'SO') IS NULL CREATE SEQUENCE ${quoteSqlServerQualified(q)} AS ${q.dataType} START WITH ${q.start} INCREMENT BY ${q.increment} MINVALUE ${q.min} MAXVALUE ${q.max}${q.cycle ? ' CYCLE' : ''}`,
          );
        }
        for (const t of catalog.tables) await s.batch(createTableSql(t, native?.tables[qualifiedKey(t)] ?? null));
      } else {
        for (const t of catalog.tables) for (const sql of foreignKeysSql(t)) await s.batch(sql);
      }
    });
    this.tables.delete(target);
  }

  async createTablePostData(target: string, catalog: Catalog, table: QualifiedName): Promise<void> {
    const t = catalog.tables.find((x) => x.schema === table.schema && x.name === table.name);
    if (!t) return;
    await withSqlServer(this.profile, target, async (s) => {
      for (const sql of tablePostDataSql(t)) await s.batch(sql);
    });
  }

  async nonEmptyTables(target: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]> {
    return withSqlServer(this.profile, target, async (s) => {
      const out: QualifiedName[] = [];
      for (const t of tables) {
        const q = quoteSqlServerLiteral(quoteSqlServerQualified(t));
        const [r] = await s.rows(
          `IF OBJECT_ID(${q}, N'U') IS NOT NULL SELECT TOP (1) 1 FROM ${quoteSqlServerQualified(t)} ELSE SELECT NULL`,
        );
        if (r && r[0] !== null && r[0] !== undefined) out.push(t);
      }
      return out;
    });
  }

  async truncateTable(target: string, table: TableDef): Promise<void> {
    await withSqlServer(this.profile, target, (s) => this.empty(s, table));
  }

  private async empty(s: SqlServerSession, table: QualifiedName): Promise<void> {
    const [r] = await s.rows(
      `SELECT COUNT(*) FROM sys.foreign_keys WHERE referenced_object_id = OBJECT_ID(${quoteSqlServerLiteral(quoteSqlServerQualified(table))})`,
    );
    await s.batch(emptyTableSql(table, Number(r?.[0] ?? 0) > 0));
  }

  /**
   * One range in one transaction: tedious `BulkLoad` (32 KiB packets,
   * TABLOCK, KEEP_NULLS, KEEP_IDENTITY) when every column's values go
   * through it exactly (mssql-bulk-values.ts), else INSERT … WITH (TABLOCK)
   * of exact literals, 1,000 rows a statement.
   */
  async loadRange(
    target: string,
    table: TableDef,
    format: CopyFormat,
    data: Readable,
    opts: { truncateFirst: boolean },
  ): Promise<LoadResult> {
    if (format !== 'interchange-text') throw new Error(`a SQL Server destination cannot load ${format}`);
    const t = (await this.targetTables(target)).get(qualifiedKey(table));
    if (!t) throw new Error(`table ${table.schema}.${table.name} does not exist in ${target}`);
    // the stream's columns: the source's copied ones, in table order
    const copied = copiedColumns(table.columns);
    const columns = copied.map((c) => c.name);
    const bulk = bulkColumns(copied);
    const s = await SqlServerSession.open(this.profile, target, bulk ? BULK_PACKET_SIZE : undefined);
    const counted = { rows: 0, bytes: 0 };
    try {
      await s.batch('BEGIN TRANSACTION');
      if (opts.truncateFirst) await this.empty(s, table);
      const identity = !!t.identityColumn && columns.includes(t.identityColumn);
      if (bulk) await this.bulkLoad(s, table, bulk, identity, data, counted);
      else await this.insertLoad(s, table, { ...t, key: [] }, columns, identity, data, counted);
      await s.batch('COMMIT TRANSACTION');
    } catch (err) {
      await s.batch('IF @@TRANCOUNT > 0 ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await s.close().catch(() => s.destroy());
    }
    this.ctx.logger.debug('range loaded', { table: qualifiedKey(table), rows: counted.rows, bytes: counted.bytes, bulk: !!bulk });
    return counted;
  }

  private async insertLoad(
    s: SqlServerSession,
    table: TableDef,
    plain: ApplyTable,
    columns: readonly string[],
    identity: boolean,
    data: Readable,
    counted: LoadResult,
  ): Promise<void> {
    const name = quoteSqlServerQualified(table);
    if (identity) await s.batch(`SET IDENTITY_INSERT ${name} ON`);
    let pending: { columns: readonly string[]; values: (string | null)[] }[] = [];
    const flush = async () => {
      if (!pending.length) return;
      const sql = insertSql(plain, pending, { tablock: true });
      pending = [];
      await s.batch(sql);
    };
    for await (const values of interchangeRows(data, counted)) {
      pending.push({ columns, values });
      if (pending.length >= MAX_VALUES_ROWS) await flush();
    }
    await flush();
    if (identity) await s.batch(`SET IDENTITY_INSERT ${name} OFF`);
  }

  private async bulkLoad(
    s: SqlServerSession,
    table: TableDef,
    columns: readonly BulkColumn[],
    identity: boolean,
    data: Readable,
    counted: LoadResult,
  ): Promise<void> {
    await s.exclusive(
      () =>
        new Promise<void>((resolve, reject) => {
          const bulk = s.conn.newBulkLoad(quoteSqlServerQualified(table), { keepNulls: true, lockTable: true }, (err) =>
            err ? reject(err) : resolve(),
          );
          for (const c of columns) bulk.addColumn(c.name, c.type, c.options);
          // KEEP_IDENTITY is no option of tedious's: the hints are ours
          (bulk as unknown as { getOptionsSql(): string }).getOptionsSql = () => bulkHints(identity);
          async function* rows(): AsyncGenerator<unknown[]> {
            for await (const values of interchangeRows(data, counted)) {
              yield values.map((v, i) => (v === null ? null : (columns[i] as BulkColumn).value(v)));
            }
          }
          s.conn.execBulkLoad(bulk, rows());
        }),
    );
  }

  async markTableLoaded(target: string, marker: TableLoadMarker): Promise<void> {
    await withSqlServer(this.profile, target, (s) => s.batch(markTableLoadedSql(marker)));
  }

  async loadedTables(
    target: string,
    job: string,
    generation: number,
  ): Promise<Map<string, LoadResult & { syncPosition: string | null }>> {
    const rows = await withSqlServer(this.profile, target, (s) => s.rows(loadedTablesSql(job, generation)));
    return new Map(
      rows.map((r) => [
        `${String(r[0])}.${String(r[1])}`,
        { rows: Number(r[2]), bytes: Number(r[3]), syncPosition: r[4] == null ? null : String(r[4]) },
      ]),
    );
  }

  async forgetTable(target: string, job: string, generation: number, table: QualifiedName): Promise<void> {
    await withSqlServer(this.profile, target, (s) => s.batch(forgetTableSql(job, generation, table)));
  }

  async prepareChanges(target: string, events: ChangeEvent[]): Promise<PreparedChanges> {
    const tables = await this.targetTables(target);
    const rows = events.filter((e): e is RowChange => e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete');
    const groups = changeStatements(rows, (r) => {
      const t = tables.get(qualifiedKey(r));
      if (!t) throw new Error(`table ${r.schema}.${r.name} does not exist in ${target}`);
      return t;
    });
    return new SqlServerPreparedChanges(groups, rows.length);
  }

  async beginApply(target: string): Promise<ApplySession> {
    const s = await SqlServerSession.open(this.profile, target);
    return new SqlServerApplySession(s, () => void s.close().catch(() => s.destroy()));
  }

  async readCheckpoint(target: string, job: string, database: string): Promise<string | null> {
    const rows = await withSqlServer(this.profile, target, (s) => s.rows(readCheckpointSql(job, database))).catch(
      (err: { number?: number }) => {
        if (err.number === 208) return []; // no control table yet
        throw err;
      },
    );
    return rows[0]?.[0] == null ? null : String(rows[0][0]);
  }

  /** Identity counters (`table.column`) and SEQUENCE objects, from the source's values. */
  async setSequences(target: string, catalog: Catalog, values: SequenceValue[]): Promise<void> {
    await withSqlServer(this.profile, target, async (s) => {
      for (const v of values) {
        const def = catalog.sequences.find((q) => q.schema === v.sequence.schema && q.name === v.sequence.name);
        if (!def) continue;
        if (def.identity && def.ownedBy) {
          if (v.isCalled) await s.batch(reseedIdentitySql(def.ownedBy.table, v.lastValue));
        } else {
          const next = v.isCalled ? String(BigInt(v.lastValue) + BigInt(def.increment)) : v.lastValue;
          await s.batch(restartSequenceSql(v.sequence, next));
        }
      }
    });
  }

  /** Identity values are set by setSequences; triggers are not migrated: nothing left. */
  async finalize(): Promise<void> {}

  async describeSchema(_target: string, _selection: TableSelection): Promise<SchemaObjectSummary[]> {
    return [];
  }

  checksummer(target: string): TableChecksummer {
    return new SqlServerChecksummer(this.profile, target);
  }

  async close(): Promise<void> {}

  private async targetTables(target: string): Promise<Map<string, ApplyTable>> {
    let t = this.tables.get(target);
    if (!t) {
      t = await withSqlServer(this.profile, target, readTargetTables);
      this.tables.set(target, t);
    }
    return t;
  }
}

/** The rows of an interchange stream as canonical texts, counting rows and bytes. */
async function* interchangeRows(data: Readable, counted: LoadResult): AsyncGenerator<(string | null)[]> {
  const lines = new LineSplitter();
  for await (const chunk of data) {
    for (const line of lines.push(chunk as Buffer)) {
      counted.rows++;
      counted.bytes += Buffer.byteLength(line) + 1;
      yield parseInterchangeLine(line);
    }
  }
  for (const line of lines.end()) {
    counted.rows++;
    counted.bytes += Buffer.byteLength(line) + 1;
    yield parseInterchangeLine(line);
  }
}
