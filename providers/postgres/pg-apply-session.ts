import type pg from 'pg';
import type { ChangeEvent, ChangeRelation } from '../change-event.js';
import type { ApplyCounts, ApplyOptions, ApplySession } from '../provider.js';
import { changesToSql } from './pg-change-sql.js';
import { CONTROL_SCHEMA } from './pg-control-schema.js';

/** Constraint violations (23xxx) and data exceptions (22xxx): the row, not the connection, is the problem. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('23') || code.startsWith('22'));
}

/** Row events per table in their original order (truncates go with each of their tables). */
function groupByTable(events: ChangeEvent[]): Map<string, ChangeEvent[]> {
  const out = new Map<string, ChangeEvent[]>();
  const push = (key: string, e: ChangeEvent) => {
    const list = out.get(key) ?? [];
    list.push(e);
    out.set(key, list);
  };
  for (const e of events) {
    if (e.kind === 'truncate') for (const r of e.relations) push(`${r.schema}.${r.name}`, { ...e, relations: [r] });
    else if (e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete')
      push(`${e.relation.schema}.${e.relation.name}`, e);
  }
  return out;
}

/**
 * The batch regrouped table by table (each table's changes in source order).
 * Only used when triggers and foreign keys are off for the session: row
 * changes to different tables then commute, and long same-table runs become
 * a few multi-row statements instead of one statement per row. A cascading
 * truncate touches other tables, so it is a barrier.
 */
function regroupByTable(events: ChangeEvent[]): ChangeEvent[] {
  const out: ChangeEvent[] = [];
  let groups = new Map<string, ChangeEvent[]>();
  const drain = () => {
    for (const list of groups.values()) out.push(...list);
    groups = new Map();
  };
  for (const e of events) {
    if (e.kind === 'truncate' && (e.cascade || e.relations.length > 1)) {
      drain();
      out.push(e);
      continue;
    }
    const rel = e.kind === 'truncate' ? e.relations[0] : e.kind === 'begin' || e.kind === 'commit' ? undefined : e.relation;
    if (!rel) continue;
    const key = `${rel.schema}.${rel.name}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  drain();
  return out;
}

/** Destination column types per table (`format_type`), for typed batched updates. */
export type ColumnTypeCache = Map<string, Map<string, string>>;

/**
 * One destination transaction of applied changes. Each apply() is one
 * round trip (a multi-statement simple query); commit() writes the
 * checkpoint in the same transaction, so a batch and its source position are
 * durable together or not at all.
 */
export class PgApplySession implements ApplySession {
  /** Final position of the source transaction being applied (for per-table sync checks). */
  private finalPosition = '0/0';
  private done = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly opts: ApplyOptions,
    private readonly release: (err?: Error) => void,
    /** Triggers and FK checks are off: changes to different tables may be regrouped. */
    private readonly replicaRole: boolean,
    private readonly types: ColumnTypeCache,
  ) {}

  static async begin(
    client: pg.PoolClient,
    opts: ApplyOptions,
    release: (err?: Error) => void,
    types: ColumnTypeCache,
  ): Promise<PgApplySession> {
    let replicaRole = true;
    try {
      await client.query('BEGIN');
      // triggers and FK checks are the source's business: it already ran them (needs superuser; optional)
      await client.query('SAVEPOINT srr; SET LOCAL session_replication_role = replica; RELEASE SAVEPOINT srr').catch(() => {
        replicaRole = false;
        return client.query('ROLLBACK TO SAVEPOINT srr');
      });
    } catch (err) {
      release(err as Error);
      throw err;
    }
    return new PgApplySession(client, opts, release, replicaRole, types);
  }

  /** Load the destination column types of tables not seen before (one query for all of them). */
  private async ensureTypes(events: ChangeEvent[]): Promise<void> {
    const missing = new Set<string>();
    for (const e of events) {
      if (e.kind === 'update' && !this.types.has(`${e.relation.schema}.${e.relation.name}`)) {
        missing.add(JSON.stringify([e.relation.schema, e.relation.name]));
      }
    }
    if (!missing.size) return;
    const pairs = [...missing].map((m) => JSON.parse(m) as [string, string]);
    const res = await this.client.query<{ s: string; t: string; col: string; type: string }>(
      `SELECT n.nspname AS s, c.relname AS t, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attnum > 0 AND NOT a.attisdropped
          AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    for (const [s, t] of pairs) this.types.set(`${s}.${t}`, new Map());
    for (const r of res.rows) this.types.get(`${r.s}.${r.t}`)?.set(r.col, r.type);
  }

  async apply(events: ChangeEvent[]): Promise<ApplyCounts> {
    const kept: ChangeEvent[] = [];
    for (const e of events) {
      if (e.kind === 'begin') this.finalPosition = e.finalPosition;
      else if (e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete') {
        if (this.opts.skip?.(e.relation, this.finalPosition)) continue;
        kept.push(e);
      } else if (e.kind === 'truncate') {
        const relations = e.relations.filter((r) => !this.opts.skip?.(r, this.finalPosition));
        if (relations.length) kept.push({ ...e, relations });
      }
    }
    const tables = new Map<string, { inserts: number; updates: number; deletes: number }>();
    const failed = new Map<string, Error>();
    if (!kept.length) return { tables, failed };
    await this.ensureTypes(kept);
    const ordered = this.replicaRole ? regroupByTable(kept) : kept;
    const columnType = (rel: ChangeRelation, column: string) => this.types.get(`${rel.schema}.${rel.name}`)?.get(column);
    const { sql, counts } = changesToSql(ordered, { columnType });
    try {
      await this.client.query(`SAVEPOINT batch; ${sql}; RELEASE SAVEPOINT batch`);
      for (const [k, v] of counts) tables.set(k, v);
      return { tables, failed };
    } catch (err) {
      if (!isDataError(err)) {
        await this.fail(err as Error);
        throw new Error(`applying changes failed: ${(err as Error).message}`, { cause: err });
      }
    }
    // a constraint or data error: apply table by table so only the offending table is held back
    try {
      await this.client.query('ROLLBACK TO SAVEPOINT batch');
      for (const [table, events] of groupByTable(kept)) {
        const part = changesToSql(events, { columnType });
        try {
          await this.client.query(`SAVEPOINT t; ${part.sql}; RELEASE SAVEPOINT t`);
          for (const [k, v] of part.counts) tables.set(k, v);
        } catch (err) {
          if (!isDataError(err)) throw err;
          await this.client.query('ROLLBACK TO SAVEPOINT t');
          failed.set(table, err as Error);
        }
      }
    } catch (err) {
      await this.fail(err as Error);
      throw new Error(`applying changes failed: ${(err as Error).message}`, { cause: err });
    }
    return { tables, failed };
  }

  async commit(checkpoint: { job: string; database: string; position: string }): Promise<void> {
    try {
      await this.client.query(
        `INSERT INTO ${CONTROL_SCHEMA}.cdc_checkpoint (job, database, position, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (job, database) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [checkpoint.job, checkpoint.database, checkpoint.position],
      );
      await this.client.query('COMMIT');
    } catch (err) {
      await this.fail(err as Error);
      throw err;
    }
    this.done = true;
    this.release();
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.client.query('ROLLBACK').catch(() => undefined);
    this.release();
  }

  private async fail(err: Error): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.release(err);
  }
}
