import { PassThrough, type Readable } from 'node:stream';
import mysql from 'mysql2';
import type { Connection, Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import type { SchemaSettings } from '../../contract/declaration.js';
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { Catalog, QualifiedName, SchemaObjectSummary, TableDef } from '../catalog.js';
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
import { MySqlApplySession, MySqlPreparedChanges } from './mysql-apply-session.js';
import { type MySqlTableInfo, mysqlChangeStatements, mysqlValueKind } from './mysql-change-sql.js';
import { MySqlChecksummer } from './mysql-checksummer.js';
import { zeroDateRule } from '../zero-dates.js';
import { connectMySql, mysqlConnectionOptions, mysqlRows, withMySql } from './mysql-connection.js';
import { CDC_CHECKPOINT, CONTROL_DDL, FULL_LOAD_TABLES } from './mysql-control.js';
import { createTableIfNotExists, foreignKeyClauses, retargetDatabase, withoutDefiner } from './mysql-ddl.js';
import { mysqlSchemaSummaries } from './mysql-describe-schema.js';
import { copiedColumns } from './mysql-interchange.js';
import { introspectMySql } from './mysql-introspector.js';
import { loadDataStatement } from './mysql-load-format.js';
import { isMySqlNativeCatalog, type MySqlCodeObject, type MySqlNativeCatalog } from './mysql-native-catalog.js';
import { quoteMySqlIdent, quoteMySqlQualified } from './mysql-quote.js';

/**
 * Loads and applies keep the source's values as they are: no strict mode
 * (zero dates, which the source holds, load as zero dates) and an explicit 0
 * in an AUTO_INCREMENT column stays 0.
 */
const SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';
const LOAD_SESSION = `SET SESSION time_zone = '+00:00', sql_mode = '${SQL_MODE}', foreign_key_checks = 0, unique_checks = 0`;
const APPLY_SESSION = `SET SESSION time_zone = '+00:00', sql_mode = '${SQL_MODE}', foreign_key_checks = 1`;

/**
 * A MySQL/MariaDB server as the destination of a MySQL source: tables from
 * the source's own `SHOW CREATE TABLE` (charsets, collations, generated
 * columns, keys, AUTO_INCREMENT counters), routines and views before the
 * rows, triggers and events at finalize (they must not fire while changes
 * are applied: the binary log already holds what they did); rows through
 * `LOAD DATA LOCAL INFILE` streamed from the source's reader; changes in
 * batches committed with their checkpoint (mysql-apply-session.ts).
 */
export class MySqlDestination implements DestinationProvider {
  readonly engine = 'mysql' as const;
  /**
   * InnoDB takes parallel LOAD DATA of one table's key ranges well: split
   * anything sizeable — but not a table with an AUTO_INCREMENT column, whose
   * bulk loads hold the table's AUTO-INC lock to their end (MariaDB's
   * innodb_autoinc_lock_mode=1): they would queue behind each other.
   */
  preferredRangeBytes(table: TableDef): number {
    return table.columns.some((c) => c.autoIncrement) ? 4 * 1024 * 1024 * 1024 : 32 * 1024 * 1024;
  }
  readonly acceptedFormats: readonly CopyFormat[] = ['mysql-text'];
  private loadPool: Pool | null = null;
  private applyPool: Pool | null = null;
  private controlReady: Promise<void> | null = null;
  /** Destination tables per target database (for change SQL); reset when the schema changes. */
  private readonly tables = new Map<string, Map<string, MySqlTableInfo>>();

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  async checkPrerequisites(): Promise<Diagnostic[]> {
    return withMySql(this.profile, undefined, async (c) => {
      const out: Diagnostic[] = [];
      const [v] = await mysqlRows(c, 'SELECT @@version AS version, @@local_infile AS local_infile');
      if (v?.local_infile !== '1') {
        out.push({
          severity: 'error',
          summary: `local_infile is OFF on the destination ${this.profile.host}:${this.profile.port}: rows are loaded with LOAD DATA LOCAL INFILE`,
          detail:
            'Run SET PERSIST local_infile = 1 (MySQL 8) or set local_infile=1 in the server configuration (MariaDB: on by default).',
          field: 'local_infile',
        });
      }
      return out;
    });
  }

  /** A MySQL destination recreates MySQL catalogs only (the registry refuses other pairs). */
  async checkCatalog(_target: string, catalog: Catalog): Promise<Diagnostic[]> {
    if (catalog.engine !== 'mysql' || !isMySqlNativeCatalog(catalog.native)) {
      return [{ severity: 'error', summary: `a MySQL destination takes MySQL sources only (this source is ${catalog.engine})` }];
    }
    return [];
  }

  async prepareDatabase(target: string, mode: 'create-if-missing' | 'wipe'): Promise<void> {
    await this.ensureControl();
    await withMySql(this.profile, undefined, async (c) => {
      const db = quoteMySqlIdent(target);
      const exists = (await mysqlRows(c, 'SELECT 1 AS x FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [target]))
        .length;
      if (mode === 'wipe') await c.query(`DROP DATABASE IF EXISTS ${db}`);
      // markers and checkpoints of a target that is gone (wiped, or dropped by hand) describe nothing
      if (mode === 'wipe' || !exists) {
        await c.query(`DELETE FROM ${FULL_LOAD_TABLES} WHERE target_db = ?`, [target]);
        await c.query(`DELETE FROM ${CDC_CHECKPOINT} WHERE target_db = ?`, [target]);
      }
      await c.query(`CREATE DATABASE IF NOT EXISTS ${db}`);
    });
    this.tables.delete(target);
  }

  async createSchema(target: string, catalog: Catalog, phase: 'pre-data' | 'post-data'): Promise<void> {
    if (phase === 'post-data') return; // keys are in each CREATE TABLE; triggers and events wait for finalize
    const native = nativeOf(catalog);
    await this.withTarget(target, async (c) => {
      const db = quoteMySqlIdent(target);
      await c.query(
        `ALTER DATABASE ${db} CHARACTER SET ${native.charset}${native.collation ? ` COLLATE ${native.collation}` : ''}`,
      );
      await c.query(`SET SESSION foreign_key_checks = 0, sql_mode = '${SQL_MODE}'`);
      for (const t of catalog.tables) {
        const create = native.createTable[t.name];
        if (!create) throw new Error(`the source gave no CREATE TABLE for ${catalog.database}.${t.name}`);
        await c.query(retargetDatabase(createTableIfNotExists(create), catalog.database, target));
      }
      await addMissingForeignKeys(c, target, catalog, native);
      const existing = await existingObjects(c, target);
      const routines = native.objects.filter((o) => (o.kind === 'function' || o.kind === 'procedure') && !existing.has(key(o)));
      for (const o of routines) await runCreate(c, o, catalog.database, target);
      // a view can read another view: create what can be created until nothing more can
      let views = native.objects.filter((o) => o.kind === 'view' && !existing.has(key(o)));
      while (views.length) {
        const failures: { o: MySqlCodeObject; err: Error }[] = [];
        for (const o of views) await runCreate(c, o, catalog.database, target).catch((err: Error) => failures.push({ o, err }));
        if (failures.length === views.length) {
          const f = failures[0] as { o: MySqlCodeObject; err: Error };
          throw new Error(`cannot create the view ${target}.${f.o.name}: ${f.err.message}`, { cause: f.err });
        }
        views = failures.map((f) => f.o);
      }
    });
    this.tables.delete(target);
  }

  /** Keys and indexes came with each table's CREATE TABLE. */
  async createTablePostData(): Promise<void> {}

  async nonEmptyTables(target: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]> {
    if (!tables.length) return [];
    return withMySql(this.profile, undefined, async (c) => {
      const present = new Set(
        (
          await mysqlRows<{ name: string }>(
            c,
            'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
            [target],
          )
        ).map((r) => r.name),
      );
      const out: QualifiedName[] = [];
      for (const t of tables) {
        if (!present.has(t.name)) continue;
        const rows = await mysqlRows(c, `SELECT 1 AS x FROM ${quoteMySqlQualified({ schema: target, name: t.name })} LIMIT 1`);
        if (rows.length) out.push(t);
      }
      return out;
    });
  }

  async truncateTable(target: string, table: TableDef): Promise<void> {
    await this.withLoadConnection((c) => c.query(`TRUNCATE TABLE ${quoteMySqlQualified({ schema: target, name: table.name })}`));
  }

  /**
   * One range in one transaction. The source's stream is counted on its way;
   * should it fail (or be destroyed) mid-way, the load is rolled back — the
   * server cannot tell a cut stream from its end. Warnings (a value the
   * column did not take as it is) fail the load: nothing is changed silently.
   */
  async loadRange(
    target: string,
    table: TableDef,
    format: CopyFormat,
    data: Readable,
    opts: { truncateFirst: boolean },
  ): Promise<LoadResult> {
    if (format !== 'mysql-text') throw new Error(`a MySQL destination cannot load ${format}`);
    const name = { schema: target, name: table.name };
    return this.withLoadConnection(async (c) => {
      if (opts.truncateFirst) await c.query(`TRUNCATE TABLE ${quoteMySqlQualified(name)}`);
      let bytes = 0;
      let failure: Error | null = null;
      const counted = new PassThrough();
      // its failures are this load's (`failure`), whoever still listens
      counted.on('error', () => undefined);
      data.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!counted.write(chunk)) data.pause();
      });
      counted.on('drain', () => data.resume());
      data.on('end', () => counted.end());
      data.on('error', (err) => {
        failure = err;
        counted.destroy(err);
      });
      data.on('close', () => {
        if (!data.readableEnded && !failure) {
          failure = new Error(`the read of ${table.schema}.${table.name} was aborted`);
          counted.destroy(failure);
        }
      });
      await c.query('START TRANSACTION');
      try {
        const [res] = await c.query<ResultSetHeader>({
          sql: loadDataStatement(target, table.name, copiedColumns(table.columns)),
          infileStreamFactory: () => counted,
        });
        if (failure) throw failure;
        if (res.warningStatus) {
          const warnings = await mysqlRows<{ Message: string }>(c, 'SHOW WARNINGS LIMIT 3');
          throw new Error(
            `loading ${target}.${table.name}: the destination changed ${res.warningStatus} value(s) on the way: ${warnings.map((w) => w.Message).join('; ')}`,
          );
        }
        await c.query('COMMIT');
        return { rows: res.affectedRows, bytes };
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (!data.destroyed) data.destroy();
        throw failure && err !== failure ? new Error((failure as Error).message, { cause: failure }) : err;
      }
    });
  }

  async markTableLoaded(target: string, m: TableLoadMarker): Promise<void> {
    await this.withLoadConnection((c) =>
      c.query(
        `INSERT INTO ${FULL_LOAD_TABLES} (target_db, job, generation, schema_name, table_name, \`rows\`, bytes, sync_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE \`rows\` = VALUES(\`rows\`), bytes = VALUES(bytes), sync_position = VALUES(sync_position),
           loaded_at = CURRENT_TIMESTAMP(6)`,
        [target, m.job, m.generation, m.table.schema, m.table.name, m.rows, m.bytes, m.syncPosition],
      ),
    );
  }

  async loadedTables(
    target: string,
    job: string,
    generation: number,
  ): Promise<Map<string, LoadResult & { syncPosition: string | null }>> {
    await this.ensureControl();
    const rows = await withMySql(this.profile, undefined, (c) =>
      mysqlRows<{ s: string; t: string; rows: string; bytes: string; sp: string | null }>(
        c,
        `SELECT schema_name AS s, table_name AS t, \`rows\`, bytes, sync_position AS sp FROM ${FULL_LOAD_TABLES}
          WHERE target_db = ? AND job = ? AND generation = ?`,
        [target, job, generation],
      ),
    );
    return new Map(rows.map((r) => [`${r.s}.${r.t}`, { rows: Number(r.rows), bytes: Number(r.bytes), syncPosition: r.sp }]));
  }

  async forgetTable(target: string, job: string, generation: number, table: QualifiedName): Promise<void> {
    await this.withLoadConnection((c) =>
      c.query(
        `DELETE FROM ${FULL_LOAD_TABLES} WHERE target_db = ? AND job = ? AND generation = ? AND schema_name = ? AND table_name = ?`,
        [target, job, generation, table.schema, table.name],
      ),
    );
  }

  async prepareChanges(target: string, events: ChangeEvent[]): Promise<PreparedChanges> {
    let tables = this.tables.get(target);
    const needed = new Set<string>();
    for (const e of events) {
      if (e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete') needed.add(e.relation.name);
      else if (e.kind === 'truncate') for (const r of e.relations) needed.add(r.name);
    }
    if (!tables || [...needed].some((t) => !tables?.has(t))) {
      tables = await this.readTables(target);
      this.tables.set(target, tables);
    }
    const known = tables;
    const statements = mysqlChangeStatements(target, events, (t) => known.get(t));
    let size = 0;
    for (const s of statements) size += s.inserts + s.updates + s.deletes;
    return new MySqlPreparedChanges(statements, size);
  }

  async beginApply(target: string): Promise<ApplySession> {
    const conn = await this.pool('apply').getConnection();
    return new MySqlApplySession(conn, target);
  }

  async readCheckpoint(target: string, job: string, database: string): Promise<string | null> {
    await this.ensureControl();
    const [row] = await withMySql(this.profile, undefined, (c) =>
      mysqlRows<{ position: string }>(
        c,
        `SELECT position FROM ${CDC_CHECKPOINT} WHERE target_db = ? AND job = ? AND database_name = ?`,
        [target, job, database],
      ),
    );
    return row?.position ?? null;
  }

  /** AUTO_INCREMENT counters (sequence `table.column`) to the source's next value; InnoDB never lowers them below its rows. */
  async setSequences(target: string, _catalog: Catalog, values: SequenceValue[]): Promise<void> {
    if (!values.length) return;
    await this.withLoadConnection(async (c) => {
      for (const v of values) {
        const table = v.sequence.name.slice(0, v.sequence.name.lastIndexOf('.'));
        const next = v.isCalled ? BigInt(v.lastValue) + 1n : BigInt(v.lastValue);
        await c.query(`ALTER TABLE ${quoteMySqlQualified({ schema: target, name: table })} AUTO_INCREMENT = ${next}`);
      }
    });
  }

  /** Triggers and events, once no more changes are applied (the source's status of each event kept). */
  async finalize(target: string, catalog: Catalog, _settings: SchemaSettings): Promise<void> {
    const native = nativeOf(catalog);
    await this.withTarget(target, async (c) => {
      const existing = await existingObjects(c, target);
      for (const o of native.objects) {
        if ((o.kind === 'trigger' || o.kind === 'event') && !existing.has(key(o)))
          await runCreate(c, o, catalog.database, target);
      }
    });
  }

  /** Every object of the target database (it holds what the selection created; anything else is extra). */
  async describeSchema(target: string): Promise<SchemaObjectSummary[]> {
    const catalog = await this.withTarget(target, (c) => introspectMySql(c, target, { include: ['*.*'], exclude: [] }));
    return mysqlSchemaSummaries(catalog);
  }

  checksummer(target: string): TableChecksummer {
    // zero dates stay zero dates here: hashed as the source's reader hashes them (zeroDates)
    return new MySqlChecksummer(this.profile, target, zeroDateRule(this.ctx.settings));
  }

  async close(): Promise<void> {
    const pools = [this.loadPool, this.applyPool];
    this.loadPool = this.applyPool = null;
    await Promise.all(pools.map((p) => p?.end().catch(() => undefined)));
  }

  private ensureControl(): Promise<void> {
    this.controlReady ??= withMySql(this.profile, undefined, async (c) => {
      for (const ddl of CONTROL_DDL) await c.query(ddl);
    }).catch((err: unknown) => {
      this.controlReady = null;
      throw err;
    });
    return this.controlReady;
  }

  private pool(kind: 'load' | 'apply'): Pool {
    const existing = kind === 'load' ? this.loadPool : this.applyPool;
    if (existing) return existing;
    const core = mysql.createPool({
      ...mysqlConnectionOptions(this.profile),
      multipleStatements: kind === 'apply',
      // apply SQL comes with its literals: no placeholder scan over megabytes of statements
      ...(kind === 'apply'
        ? { queryFormat: (sql: string, values: unknown) => (hasValues(values) ? mysql.format(sql, values as never) : sql) }
        : {}),
      connectionLimit: 64,
      maxIdle: 8,
      idleTimeout: 30_000,
      waitForConnections: true,
    });
    const setup = kind === 'load' ? LOAD_SESSION : APPLY_SESSION;
    core.on('connection', (conn) => {
      conn.on('error', () => undefined);
      conn.query(setup);
    });
    const p = core.promise();
    if (kind === 'load') this.loadPool = p;
    else this.applyPool = p;
    return p;
  }

  private async withLoadConnection<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    await this.ensureControl();
    const c = await this.pool('load').getConnection();
    try {
      const out = await fn(c);
      c.release();
      return out;
    } catch (err) {
      c.destroy();
      throw err;
    }
  }

  /** A connection whose default database is `target` (the source's DDL names its objects unqualified). */
  private async withTarget<T>(target: string, fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await connectMySql(this.profile, target);
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => c.destroy());
    }
  }

  private async readTables(target: string): Promise<Map<string, MySqlTableInfo>> {
    const [columns, indexes, foreignKeys, triggers] = await withMySql(this.profile, undefined, (c) =>
      Promise.all([
        mysqlRows<{ t: string; c: string; dt: string; extra: string | null }>(
          c,
          'SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS dt, EXTRA AS extra FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?',
          [target],
        ),
        mysqlRows<{ t: string; i: string; c: string }>(
          c,
          'SELECT TABLE_NAME AS t, INDEX_NAME AS i, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX',
          [target],
        ),
        mysqlRows<{ t: string; s: string; rs: string; rt: string }>(
          c,
          `SELECT TABLE_NAME AS t, TABLE_SCHEMA AS s, REFERENCED_TABLE_SCHEMA AS rs, REFERENCED_TABLE_NAME AS rt
             FROM information_schema.KEY_COLUMN_USAGE
            WHERE REFERENCED_TABLE_NAME IS NOT NULL AND (TABLE_SCHEMA = ? OR REFERENCED_TABLE_SCHEMA = ?)`,
          [target, target],
        ),
        mysqlRows<{ t: string }>(
          c,
          'SELECT EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?',
          [target],
        ),
      ]),
    );
    const out = new Map<string, MySqlTableInfo>();
    const tableOf = (t: string): MySqlTableInfo => {
      let info = out.get(t);
      if (!info) {
        info = { columns: new Map(), primaryKey: [], onlyPrimaryUnique: true, independent: true };
        out.set(t, info);
      }
      return info;
    };
    for (const r of columns) {
      tableOf(r.t).columns.set(r.c, { kind: mysqlValueKind(r.dt), generated: /\bgenerated\b/i.test(r.extra ?? '') });
    }
    for (const r of indexes) {
      const info = tableOf(r.t);
      if (r.i === 'PRIMARY') info.primaryKey = [...info.primaryKey, r.c];
      else info.onlyPrimaryUnique = false;
    }
    for (const r of foreignKeys) {
      if (r.s === target) tableOf(r.t).independent = false;
      if (r.rs === target) tableOf(r.rt).independent = false;
    }
    for (const r of triggers) tableOf(r.t).independent = false;
    return out;
  }
}

/**
 * Foreign keys of the catalog a table made earlier lacks: one left out while
 * the table it references was not selected, now that it is (checks off: the
 * rows are reloaded with it).
 */
async function addMissingForeignKeys(c: Connection, target: string, catalog: Catalog, native: MySqlNativeCatalog): Promise<void> {
  const have = new Set(
    (
      await mysqlRows<{ t: string; n: string }>(
        c,
        'SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?',
        [target],
      )
    ).map((r) => `${r.t}\u0000${r.n}`),
  );
  for (const t of catalog.tables) {
    // the clause as the source prints it (its defaults left out), so definitions compare equal
    for (const { name, clause } of foreignKeyClauses(native.createTable[t.name] ?? '')) {
      if (have.has(`${t.name}\u0000${name}`)) continue;
      await c.query(retargetDatabase(`ALTER TABLE ${quoteMySqlIdent(t.name)} ADD ${clause}`, catalog.database, target));
    }
  }
}

function hasValues(values: unknown): boolean {
  return Array.isArray(values) ? values.length > 0 : values != null;
}

function nativeOf(catalog: Catalog): MySqlNativeCatalog {
  if (!isMySqlNativeCatalog(catalog.native)) {
    throw new Error(`a MySQL destination needs a MySQL source's catalog (this one is from ${catalog.engine})`);
  }
  return catalog.native;
}

const key = (o: { kind: string; name: string }) => `${o.kind}:${o.name}`;

/** Routines, views, triggers and events already on `target` (`kind:name`). */
async function existingObjects(c: Connection, target: string): Promise<Set<string>> {
  const [routines, views, triggers, events] = await Promise.all([
    mysqlRows<{ n: string; k: string }>(
      c,
      'SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS k FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?',
      [target],
    ),
    mysqlRows<{ n: string }>(c, 'SELECT TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [target]),
    mysqlRows<{ n: string }>(c, 'SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [target]),
    mysqlRows<{ n: string }>(c, 'SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?', [target]),
  ]);
  return new Set([
    ...routines.map((r) => `${r.k.toLowerCase()}:${r.n}`),
    ...views.map((r) => `view:${r.n}`),
    ...triggers.map((r) => `trigger:${r.n}`),
    ...events.map((r) => `event:${r.n}`),
  ]);
}

/** Run a code object's CREATE under the settings it was created with, without its definer. */
async function runCreate(c: Connection, o: MySqlCodeObject, source: string, target: string): Promise<void> {
  const settings: string[] = [];
  if (o.sqlMode !== null) settings.push(`sql_mode = ${mysql.escape(o.sqlMode)}`);
  if (o.charset) settings.push(`character_set_client = ${mysql.escape(o.charset)}`);
  if (o.collation) settings.push(`collation_connection = ${mysql.escape(o.collation)}`);
  if (settings.length) await c.query(`SET SESSION ${settings.join(', ')}`);
  try {
    await c.query(retargetDatabase(withoutDefiner(o.create), source, target));
  } catch (err) {
    throw new Error(`cannot create the ${o.kind} ${target}.${o.name}: ${(err as Error).message}`, { cause: err });
  } finally {
    await c.query(
      `SET SESSION sql_mode = '${SQL_MODE}', character_set_client = utf8mb4, collation_connection = utf8mb4_general_ci`,
    );
  }
}
