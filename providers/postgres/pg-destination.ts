import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { SchemaSettings, TableSelection } from '../../contract/declaration.js';
import type { Diagnostic } from '../../contract/diagnostic.js';
import { ZERO_DATE_TEXT } from '../canonical-type.js';
import type { Catalog, NotMigratedObject, QualifiedName, SchemaObjectSummary, TableDef } from '../catalog.js';
import { qualifiedKey } from '../catalog.js';
import type { ChangeEvent, ChangeRelation, RowImage } from '../change-event.js';
import type {
  PreparedChanges,
  TableChecksummer,
  ApplySession,
  CopyFormat,
  DestinationProvider,
  LoadResult,
  ProviderContext,
  ResolvedProfile,
  SequenceValue,
  TableLoadMarker,
} from '../provider.js';
import { describeEndpoint, pgClientConfig, withPg, withPgGroup } from './pg-connection.js';
import { INTROSPECT_CONNECTIONS } from './pg-read-group.js';
import { CopyInFrames, CopyOutFrames } from './pg-copy-frames.js';
import { copyColumnList, copyOptions } from './pg-copy-sql.js';
import { buildPostDataPlan, buildSchemaDdl, finalizeDdl } from './pg-ddl.js';
import { PgChecksummer } from './pg-checksummer.js';
import { checkPostgresCatalog, destinationGaps } from './pg-check-catalog.js';
import { describePostgresSchema } from './pg-describe-schema.js';
import { quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';
import { CONTROL_SCHEMA, controlSchemaDdl } from './pg-control-schema.js';
import { PgApplySession, probeReplicaRole } from './pg-apply-session.js';
import { PgPreparedChanges, type ColumnTypeCache, type ZeroDateChanges } from './pg-prepared-changes.js';
import {
  describeKey,
  ZeroDateError,
  zeroDateFilter,
  zeroDateKindOfPgType,
  zeroDateReplacement,
  zeroDateRule,
} from './pg-zero-dates.js';
import { zeroDateKindOfColumn, type ZeroDateRule } from '../zero-dates.js';
import {
  isForeignCatalog,
  isForeignTable,
  mapForeignCatalog,
  mapForeignName,
  mapForeignTable,
  pgName,
} from './pg-foreign-catalog.js';

/** A catalog of another engine as the PostgreSQL catalog it becomes (pg-foreign-catalog.ts); ours as it is. */
function ownCatalog(catalog: Catalog, settings?: SchemaSettings): Catalog {
  return isForeignCatalog(catalog) ? mapForeignCatalog(catalog, settings?.types, zeroDateRule(settings)).catalog : catalog;
}

function ownTable(table: TableDef): TableDef {
  return isForeignTable(table) ? mapForeignTable(table) : table;
}

/** Another engine's relations under their PostgreSQL names (one mapped relation per source relation). */
const mappedRelations = new WeakMap<ChangeRelation, { rel: ChangeRelation; columns: readonly string[] }>();

function ownRelation(rel: ChangeRelation): { rel: ChangeRelation; columns: readonly string[] } {
  let m = mappedRelations.get(rel);
  if (!m) {
    const columns = rel.columns.map((c) => ({ ...c, name: pgName(c.name) }));
    m = { rel: { ...rel, ...mapForeignName(rel), engine: 'postgres', columns }, columns: columns.map((c) => c.name) };
    mappedRelations.set(rel, m);
  }
  return m;
}

function ownChange(e: ChangeEvent): ChangeEvent {
  if (e.kind === 'begin' || e.kind === 'commit' || e.kind === 'schema') return e;
  if (e.kind === 'truncate') {
    return e.relations.some((r) => r.engine && r.engine !== 'postgres')
      ? { ...e, relations: e.relations.map((r) => (r.engine && r.engine !== 'postgres' ? ownRelation(r).rel : r)) }
      : e;
  }
  if (!e.relation.engine || e.relation.engine === 'postgres') return e;
  const { rel, columns } = ownRelation(e.relation);
  const image = (i: RowImage): RowImage => ({ columns, values: i.values });
  if (e.kind === 'insert') return { ...e, relation: rel, new: image(e.new) };
  if (e.kind === 'delete') return { ...e, relation: rel, old: image(e.old) };
  return { ...e, relation: rel, old: e.old ? image(e.old) : null, new: image(e.new) };
}

function ownName(q: QualifiedName): QualifiedName {
  return 'columns' in q && isForeignTable(q as TableDef) ? mapForeignName(q) : q;
}

export class PostgresDestination implements DestinationProvider {
  readonly engine = 'postgres' as const;
  /** A table loaded in one range is written frozen in the transaction that empties it: split only the very large. */
  preferredRangeBytes(): number {
    return 4 * 1024 * 1024 * 1024;
  }
  readonly acceptedFormats: readonly CopyFormat[] = ['pg-binary', 'pg-text', 'interchange-text'];
  private readonly pools = new Map<string, pg.Pool>();
  /** Column types per target database (for batched updates); reset when the schema changes. */
  private readonly columnTypes = new Map<string, ColumnTypeCache>();
  /** What checkCatalog found this server keeps differently, per catalog checked (see destinationGaps). */
  private readonly gaps = new WeakMap<Catalog, NotMigratedObject[]>();
  /** Per target: can apply sessions switch triggers and FK checks off (superuser)? */
  private readonly replicaRole = new Map<string, boolean>();

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  async checkPrerequisites(): Promise<Diagnostic[]> {
    return withPg(this.profile, this.profile.database, async (c) => {
      const res = await c.query<{ ok: string }>(
        'SELECT (rolcreatedb OR rolsuper)::text AS ok FROM pg_roles WHERE rolname = current_user',
      );
      if (res.rows[0]?.ok !== 'true') {
        return [
          {
            severity: 'error' as const,
            summary: `destination user "${this.profile.user}" cannot create databases`,
            detail: `run: ALTER ROLE "${this.profile.user}" CREATEDB (or create the target databases beforehand)`,
            field: 'rolcreatedb',
          },
        ];
      }
      return [];
    });
  }

  async prepareDatabase(target: string, mode: 'create-if-missing' | 'wipe'): Promise<void> {
    await this.closePool(target);
    await withPg(this.profile, this.profile.database, async (c) => {
      if (mode === 'wipe') {
        this.ctx.logger.info('dropping destination database for restart', { database: target });
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(target)} WITH (FORCE)`);
      }
      const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [target]);
      if (!exists.rowCount) await c.query(`CREATE DATABASE ${quoteIdent(target)}`);
    });
    await this.withClient(target, (c) => c.query(controlSchemaDdl()));
  }

  async createSchema(target: string, source: Catalog, phase: 'pre-data' | 'post-data', settings: SchemaSettings): Promise<void> {
    this.columnTypes.delete(target);
    const catalog = ownCatalog(source, settings);
    if (phase === 'pre-data') {
      await this.runStatements(target, buildSchemaDdl(catalog, settings).preData);
      return;
    }
    // every table's own post-data was built by createTablePostData; what needs all of them comes now
    await this.runStatements(target, buildPostDataPlan(catalog, settings).final);
  }

  /** Roles and extensions are per server: checked on the control database, the target may not exist yet. */
  async checkCatalog(_target: string, catalog: Catalog, settings: SchemaSettings): Promise<Diagnostic[]> {
    if (isForeignCatalog(catalog)) return foreignCatalogDiagnostics(catalog, settings);
    return withPg(this.profile, this.profile.database, async (c) => {
      const gaps = await destinationGaps(c, catalog);
      // notMigrated names them too (status)
      this.gaps.set(catalog, gaps);
      return checkPostgresCatalog(c, catalog, settings, gaps);
    });
  }

  notMigrated(catalog: Catalog, settings: SchemaSettings): NotMigratedObject[] {
    if (!isForeignCatalog(catalog)) return [...(this.gaps.get(catalog) ?? [])];
    return (mapForeignCatalog(catalog, settings.types, zeroDateRule(settings)).catalog.notMigrated ?? []).slice(
      (catalog.notMigrated ?? []).length,
    );
  }

  async describeSchema(target: string, selection: TableSelection): Promise<SchemaObjectSummary[]> {
    return withPgGroup(this.profile, target, INTROSPECT_CONNECTIONS, ([c, ...helpers]) =>
      describePostgresSchema(c as pg.ClientBase, target, selection, helpers),
    );
  }

  async createTablePostData(target: string, source: Catalog, table: QualifiedName): Promise<void> {
    const catalog = ownCatalog(source);
    const name = isForeignCatalog(source) ? mapForeignName(table) : table;
    const group = buildPostDataPlan(catalog).tables.find((g) => qualifiedKey(g.table) === qualifiedKey(name));
    if (group) await this.runStatements(target, group.statements);
  }

  private async runStatements(target: string, statements: readonly string[]): Promise<void> {
    if (!statements.length) return;
    await this.withClient(target, async (c) => {
      await c.query("SET maintenance_work_mem = '512MB'");
      for (const sql of statements) {
        try {
          await c.query(sql);
        } catch (err) {
          throw new Error(
            `creating schema on ${describeEndpoint(this.profile, target)} failed: ${(err as Error).message}\n  statement: ${sql}`,
            {
              cause: err,
            },
          );
        }
      }
      await c.query('RESET maintenance_work_mem');
    });
  }

  async nonEmptyTables(target: string, sourceTables: readonly QualifiedName[]): Promise<QualifiedName[]> {
    if (!sourceTables.length) return [];
    const tables = sourceTables.map(ownName);
    return this.withClient(target, async (c) => {
      // a few round trips whatever the number of tables: which exist, then which of those hold a row
      const existing = await c.query<{ i: string }>(
        `SELECT i::text FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i) WHERE to_regclass(name) IS NOT NULL`,
        [tables.map(quoteQualified)],
      );
      const present = existing.rows.map((r) => tables[Number(r.i) - 1]).filter((t): t is QualifiedName => !!t);
      const out: QualifiedName[] = [];
      for (let from = 0; from < present.length; from += 500) {
        const chunk = present.slice(from, from + 500);
        const probes = chunk.map((t, i) => `SELECT ${i} AS i WHERE EXISTS (SELECT 1 FROM ${quoteQualified(t)})`);
        const busy = await c.query<{ i: string }>(probes.join(' UNION ALL '));
        for (const r of busy.rows) out.push(sourceTables[tables.indexOf(chunk[Number(r.i)] as QualifiedName)] as QualifiedName);
      }
      return out;
    });
  }

  async openLoadConnections(target: string, connections: number): Promise<void> {
    const pool = this.pool(target);
    // held together so that each is a new connection, then left idle in the pool for the copies
    const opened = await Promise.allSettled(
      Array.from({ length: Math.max(0, connections - pool.idleCount) }, () => pool.connect()),
    );
    for (const r of opened) if (r.status === 'fulfilled') r.value.release();
  }

  async truncateTable(target: string, table: TableDef): Promise<void> {
    await this.withClient(target, (c) => c.query(`TRUNCATE ONLY ${quoteQualified(ownTable(table))}`));
  }

  async loadRange(
    target: string,
    sourceTable: TableDef,
    format: CopyFormat,
    data: Readable,
    opts: { truncateFirst: boolean },
  ): Promise<LoadResult> {
    const table = ownTable(sourceTable);
    const pool = this.pool(target);
    const client = await pool.connect();
    const pid = (client as unknown as { processID?: number }).processID;
    let failed: unknown;
    // an aborted read must also interrupt a statement waiting on the server (a lock, COPY input)
    let settled = false;
    const onAbort = () => {
      if (!settled) void this.cancelBackend(pid).catch(() => undefined);
    };
    data.once('error', onAbort);
    try {
      // one round trip before the COPY
      await client.query(
        `BEGIN; SET LOCAL synchronous_commit = off${opts.truncateFirst ? `; TRUNCATE ONLY ${quoteQualified(table)}` : ''}`,
      );
      // FREEZE needs the table truncated (or created) in this transaction; partitioned parents hold no rows
      const extra = opts.truncateFirst ? ['FREEZE'] : [];
      const sql = `COPY ${quoteQualified(table)} (${copyColumnList(table)}) FROM STDIN ${copyOptions(format, extra)}`;
      let bytes = 0;
      let rows: () => number;
      let zeroDates: ReturnType<typeof zeroDateFilter> = null;
      if (data instanceof CopyOutFrames) {
        // a PostgreSQL source's frames go to the server as they came: no row is unwrapped and wrapped again
        const ingest = client.query(new CopyInFrames(sql));
        await pipeline(data, ingest);
        bytes = data.bytes;
        rows = () => ingest.rowCount ?? data.rows;
      } else {
        const ingest = client.query(copyStreams.from(sql));
        const counter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            cb(null, chunk);
          },
        });
        // another engine's zero dates (MySQL) become what the job's zeroDates says, counted
        zeroDates =
          format === 'interchange-text' && isForeignTable(sourceTable)
            ? zeroDateFilter({
                table: qualifiedKey(sourceTable),
                columns: sourceTable.columns.filter((c) => c.generated === null),
                key: sourceTable.primaryKey?.columns ?? [],
                rule: zeroDateRule(this.ctx.settings),
              })
            : null;
        await (zeroDates ? pipeline(data, counter, zeroDates, ingest) : pipeline(data, counter, ingest));
        rows = () => Number(ingest.rowCount ?? 0);
      }
      await client.query('COMMIT');
      return { rows: rows(), bytes, ...(zeroDates?.count ? { zeroDatesReplaced: zeroDates.count } : {}) };
    } catch (err) {
      // no ROLLBACK round trip: the connection may be stuck behind a lock or mid-COPY.
      // Releasing it with the error closes it, and the server rolls the transaction back.
      failed = err;
      // the server may still be waiting for COPY data: cancel so the connection closes now
      await this.cancelBackend(pid).catch(() => undefined);
      throw new Error(`loading ${qualifiedKey(table)} into ${target} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      settled = true;
      data.off('error', onAbort);
      client.release(failed instanceof Error ? failed : undefined);
    }
  }

  async markTableLoaded(target: string, m: TableLoadMarker): Promise<void> {
    await this.withClient(target, (c) =>
      c.query(
        `INSERT INTO ${CONTROL_SCHEMA}.full_load_tables (job, generation, schema_name, table_name, rows, bytes, sync_position)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (job, generation, schema_name, table_name)
         DO UPDATE SET rows = EXCLUDED.rows, bytes = EXCLUDED.bytes, sync_position = EXCLUDED.sync_position, loaded_at = now()`,
        [m.job, m.generation, m.table.schema, m.table.name, String(m.rows), String(m.bytes), m.syncPosition],
      ),
    );
  }

  async loadedTables(
    target: string,
    job: string,
    generation: number,
  ): Promise<Map<string, LoadResult & { syncPosition: string | null }>> {
    return this.withClient(target, async (c) => {
      const res = await c.query<{
        schema_name: string;
        table_name: string;
        rows: string;
        bytes: string;
        sync_position: string | null;
      }>(
        `SELECT schema_name, table_name, rows, bytes, sync_position FROM ${CONTROL_SCHEMA}.full_load_tables WHERE job = $1 AND generation = $2`,
        [job, generation],
      );
      return new Map(
        res.rows.map((r) => [
          `${r.schema_name}.${r.table_name}`,
          { rows: Number(r.rows), bytes: Number(r.bytes), syncPosition: r.sync_position },
        ]),
      );
    });
  }

  async forgetTable(target: string, job: string, generation: number, table: QualifiedName): Promise<void> {
    await this.withClient(target, (c) =>
      c.query(
        `DELETE FROM ${CONTROL_SCHEMA}.full_load_tables WHERE job = $1 AND generation = $2 AND schema_name = $3 AND table_name = $4`,
        [job, generation, table.schema, table.name],
      ),
    );
  }

  async prepareChanges(target: string, sourceEvents: ChangeEvent[]): Promise<PreparedChanges> {
    const events = sourceEvents.map(ownChange);
    const sourceKeys = new Map<string, string>();
    for (const e of sourceEvents) {
      if (
        (e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete') &&
        e.relation.engine &&
        e.relation.engine !== 'postgres'
      ) {
        sourceKeys.set(qualifiedKey(ownRelation(e.relation).rel), qualifiedKey(e.relation));
      }
    }
    let types = this.columnTypes.get(target);
    if (!types) this.columnTypes.set(target, (types = new Map()));
    await this.loadColumnTypes(target, types, events);
    const cache = types;
    const columnType = (rel: ChangeRelation, column: string) => cache.get(qualifiedKey(rel))?.get(column);
    const fitted = sourceKeys.size
      ? this.fitForeignImages(target, events, columnType, sourceKeys)
      : { events, zeroDates: undefined };
    // regroup only once a session proved that triggers and FKs can be switched off — never for
    // another engine's changes: a binary log leaves out what cascading foreign keys did, so this
    // destination's own keys must run (in source order)
    return new PgPreparedChanges(
      fitted.events,
      columnType,
      this.replicaRole.get(target) === true && !sourceKeys.size,
      sourceKeys.size ? sourceKeys : undefined,
      fitted.zeroDates,
    );
  }

  /**
   * Another engine's row images as this destination's tables take them:
   * columns the mapping left out (generated columns: named as not converted)
   * dropped, and zero dates (MySQL `0000-00-00`), which have no PostgreSQL
   * value, as the job's `zeroDates` says — NULL or its value, counted per
   * table as the full dump does; under `error`, the table's changes in the
   * batch are left out and the table is rejected (held back), naming column
   * and key.
   */
  private fitForeignImages(
    target: string,
    events: ChangeEvent[],
    columnType: (rel: ChangeRelation, column: string) => string | undefined,
    sourceKeys: ReadonlyMap<string, string>,
  ): { events: ChangeEvent[]; zeroDates: ZeroDateChanges } {
    const rule = zeroDateRule(this.ctx.settings);
    const zero: ZeroDateChanges = { counts: new Map(), rejected: new Map() };
    const perColumn = new Map<string, number>();
    const layouts = new Map<readonly string[], { columns: string[]; keep: number[] | null }>();
    // a new image's zero dates are converted and counted (or reject the table); a before-image's are
    // converted only (its row was counted when it arrived; `error` never let one arrive)
    const fit = (rel: ChangeRelation, image: RowImage, isNew: boolean): RowImage => {
      let layout = layouts.get(image.columns);
      if (!layout) {
        // a table this destination does not know keeps every column (its apply fails, naming it)
        const known = image.columns.some((c) => columnType(rel, c) !== undefined);
        const keep = image.columns.flatMap((c, i) => (known && columnType(rel, c) === undefined ? [] : [i]));
        layout =
          keep.length === image.columns.length
            ? { columns: image.columns as string[], keep: null }
            : { columns: keep.map((i) => image.columns[i] as string), keep };
        layouts.set(image.columns, layout);
      }
      const values = layout.keep ? layout.keep.map((i) => image.values[i] ?? null) : [...image.values];
      const columns = layout.columns;
      values.forEach((v, i) => {
        if (typeof v !== 'string' || !ZERO_DATE_TEXT.test(v)) return;
        const column = columns[i] as string;
        const kind = zeroDateKindOfPgType(columnType(rel, column));
        if (!kind) return;
        const table = qualifiedKey(rel);
        if (!isNew) {
          values[i] = zeroDateReplacement(rule, kind);
          return;
        }
        if (rule === 'error') {
          if (zero.rejected.has(table)) return;
          const keyNames = rel.columns.filter((c) => c.isKey).map((c) => c.name);
          const keyValues = keyNames.map((k) => {
            const at = columns.indexOf(k);
            return at < 0 ? null : ((values[at] as string | null | undefined) ?? null);
          });
          zero.rejected.set(
            table,
            new ZeroDateError(sourceKeys.get(table) ?? table, column, v, describeKey(keyNames, keyValues)),
          );
          return;
        }
        values[i] = zeroDateReplacement(rule, kind);
        zero.counts.set(table, (zero.counts.get(table) ?? 0) + 1);
        const k = `${sourceKeys.get(table) ?? table}.${column}`;
        perColumn.set(k, (perColumn.get(k) ?? 0) + 1);
      });
      return { columns, values };
    };
    const out = events.map((e): ChangeEvent => {
      if (e.kind === 'insert') return { ...e, new: fit(e.relation, e.new, true) };
      if (e.kind === 'update') {
        return { ...e, old: e.old ? fit(e.relation, e.old, false) : null, new: fit(e.relation, e.new, true) };
      }
      if (e.kind === 'delete') return { ...e, old: fit(e.relation, e.old, false) };
      return e;
    });
    if (perColumn.size) {
      const to = rule === 'null' || rule === 'error' ? 'NULL' : rule.value;
      this.ctx.logger.warn(`zero dates written as ${to}`, { database: target, ...Object.fromEntries(perColumn) });
    }
    if (!zero.rejected.size) return { events: out, zeroDates: zero };
    // a rejected table's changes in this batch are not applied (the engine holds the table back)
    for (const table of zero.rejected.keys()) zero.counts.delete(table);
    const kept = out.filter(
      (e) =>
        !((e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete') && zero.rejected.has(qualifiedKey(e.relation))),
    );
    return { events: kept, zeroDates: zero };
  }

  async beginApply(target: string): Promise<ApplySession> {
    const client = await this.pool(target).connect();
    let replicaRole = this.replicaRole.get(target);
    if (replicaRole === undefined) {
      try {
        replicaRole = await probeReplicaRole(client);
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      this.replicaRole.set(target, replicaRole);
    }
    return new PgApplySession(client, (err) => client.release(err), replicaRole);
  }

  /**
   * Destination column types of written tables not seen before (one query
   * for all of them): what set-based apply casts each value's text to.
   * Domains resolve to their base type and no typmod is kept, so assigning
   * the value to the column applies length, precision and domain checks
   * like a literal would (arrays of domains: arrays of the base type).
   */
  private async loadColumnTypes(target: string, types: ColumnTypeCache, events: ChangeEvent[]): Promise<void> {
    const missing = new Map<string, [string, string]>();
    const seen = new Set<ChangeRelation>();
    for (const e of events) {
      if ((e.kind !== 'update' && e.kind !== 'insert') || seen.has(e.relation)) continue;
      seen.add(e.relation);
      const key = qualifiedKey(e.relation);
      if (!types.has(key)) missing.set(key, [e.relation.schema, e.relation.name]);
    }
    if (!missing.size) return;
    const pairs = [...missing.values()];
    const res = await this.withClient(target, (c) =>
      c.query<{ s: string; t: string; col: string; type: string }>(
        `WITH RECURSIVE chain(start, typ) AS (
           SELECT oid, typbasetype FROM pg_type WHERE typtype = 'd'
           UNION ALL
           SELECT chain.start, ty.typbasetype FROM chain JOIN pg_type ty ON ty.oid = chain.typ WHERE ty.typtype = 'd'
         ), dom AS (
           SELECT chain.start, chain.typ FROM chain JOIN pg_type ty ON ty.oid = chain.typ WHERE ty.typtype <> 'd'
         ), cols AS (
           SELECT n.nspname AS s, c.relname AS t, a.attname AS col, COALESCE(d.typ, a.atttypid) AS typ
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN dom d ON d.start = a.atttypid
            WHERE a.attnum > 0 AND NOT a.attisdropped
              AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
         )
         SELECT cols.s, cols.t, cols.col,
                CASE WHEN ed.typ IS NOT NULL THEN format_type(ed.typ, -1) || '[]' ELSE format_type(cols.typ, -1) END AS type
           FROM cols JOIN pg_type ty ON ty.oid = cols.typ
           LEFT JOIN dom ed ON ty.typcategory = 'A' AND ed.start = ty.typelem`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      ),
    );
    for (const key of missing.keys()) types.set(key, new Map());
    for (const r of res.rows) types.get(qualifiedKey({ schema: r.s, name: r.t }))?.set(r.col, r.type);
  }

  async readCheckpoint(target: string, job: string, database: string): Promise<string | null> {
    return this.withClient(target, async (c) => {
      const res = await c.query<{ position: string }>(
        `SELECT position FROM ${CONTROL_SCHEMA}.cdc_checkpoint WHERE job = $1 AND database = $2`,
        [job, database],
      );
      return res.rows[0]?.position ?? null;
    });
  }

  async setSequences(target: string, catalog: Catalog, values: SequenceValue[]): Promise<void> {
    if (!values.length) return;
    const foreign = isForeignCatalog(catalog);
    await this.withClient(target, async (c) => {
      for (const v of values) {
        // another engine's counter (MySQL AUTO_INCREMENT) is its column's identity here
        const owner = foreign ? catalog.sequences.find((s) => qualifiedKey(s) === qualifiedKey(v.sequence))?.ownedBy : null;
        const sequence = owner
          ? `pg_get_serial_sequence(${quoteLiteral(quoteQualified(mapForeignName(owner.table)))}, ${quoteLiteral(mapForeignName({ schema: '', name: owner.column }).name)})`
          : `${quoteLiteral(quoteQualified(v.sequence))}::regclass`;
        // setval takes the text form: 64-bit values never pass through a JS number
        await c.query(`SELECT setval(${sequence}, ${quoteLiteral(v.lastValue)}::bigint, ${v.isCalled})`);
      }
    });
  }

  /** Settings do not matter here: owners and grants were applied in post-data. */
  async finalize(target: string, catalog: Catalog, settings: SchemaSettings): Promise<void> {
    await this.runStatements(target, finalizeDdl(ownCatalog(catalog, settings)));
  }

  checksummer(target: string): TableChecksummer {
    return new PgChecksummer(this.profile, target);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.keys()].map((k) => this.closePool(k)));
  }

  private async cancelBackend(pid: number | undefined): Promise<void> {
    if (!pid) return;
    await withPg(this.profile, this.profile.database, (c) => c.query('SELECT pg_cancel_backend($1)', [pid]));
  }

  private pool(target: string): pg.Pool {
    let pool = this.pools.get(target);
    if (!pool) {
      pool = new pg.Pool({
        ...pgClientConfig(this.profile, target, { applicationName: 'migrate:load' }),
        max: 64,
        // the job's work budget bounds connections in use; idle ones of a finished database must not pile up
        idleTimeoutMillis: 250,
      });
      pool.on('error', () => undefined);
      // a checked-out client whose server connection is terminated between two queries emits 'error' with no
      // listener (the pool listens only while it is idle), which would end the process; the next query fails instead
      pool.on('connect', (client) => client.on('error', () => undefined));
      this.pools.set(target, pool);
    }
    return pool;
  }

  private async closePool(target: string): Promise<void> {
    const pool = this.pools.get(target);
    this.pools.delete(target);
    await pool?.end().catch(() => undefined);
  }

  private async withClient<T>(target: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool(target).connect();
    let failed: unknown;
    try {
      return await fn(client);
    } catch (err) {
      failed = err;
      throw err;
    } finally {
      client.release(failed instanceof Error ? failed : undefined);
    }
  }
}

/** What the plan shows of a foreign catalog: mapping errors, what is not converted, and every mapping that is not the obvious one. */
function foreignCatalogDiagnostics(catalog: Catalog, settings: SchemaSettings): Diagnostic[] {
  const mapping = mapForeignCatalog(catalog, settings.types, zeroDateRule(settings));
  const out = [...mapping.diagnostics];
  const noted = mapping.columns.filter((c) => c.note);
  if (noted.length) {
    out.push({
      severity: 'warning',
      summary: `${noted.length} column type${noted.length === 1 ? '' : 's'} of ${catalog.database} mapped for PostgreSQL in a way that is not the obvious one`,
      detail: noted.map((c) => `${c.column}: ${c.nativeType} → ${c.pgType} (${c.note})`).join('\n'),
      field: 'types',
    });
  }
  const zero = zeroDateWarning(catalog, zeroDateRule(settings));
  if (zero) out.push(zero);
  return out;
}

/**
 * The tables whose date and timestamp columns may hold zero dates (the
 * source allows them, or a column's default is one) and what they become:
 * the plan names them, status counts them.
 */
export function zeroDateWarning(catalog: Catalog, rule: ZeroDateRule): Diagnostic | null {
  const tables: string[] = [];
  for (const t of catalog.tables) {
    const cols = t.columns.filter(
      (c) =>
        c.generated === null &&
        zeroDateKindOfColumn(c) !== null &&
        (catalog.zeroDatesAllowed === true || ZERO_DATE_TEXT.test((c.default ?? '').replace(/^'/, ''))),
    );
    if (cols.length) tables.push(`${qualifiedKey(t)} (${cols.map((c) => c.name).join(', ')})`);
  }
  if (!tables.length) return null;
  const names = tables.map((t) => t.slice(0, t.indexOf(' (')));
  const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  const becomes =
    rule === 'null'
      ? 'they arrive as NULL (the default)'
      : rule === 'error'
        ? 'a table holding one is held back, naming the column and key'
        : `they arrive as ${rule.value}`;
  return {
    severity: 'warning',
    summary: `zero dates: ${shown} may hold MySQL zero dates (0000-00-00, a zero month or day): ${becomes}`,
    detail:
      `${catalog.zeroDatesAllowed ? "the source's sql_mode allows zero dates (no NO_ZERO_DATE, NO_ZERO_IN_DATE with strict mode); " : ''}` +
      `status counts them per table (zeroDatesReplaced)\n${tables.join('\n')}`,
    field: 'zeroDates',
  };
}
