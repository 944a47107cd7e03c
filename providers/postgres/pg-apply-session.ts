import type pg from 'pg';
import type { ChangeEvent } from '../change-event.js';
import type { ApplyCounts, ApplySession, PreparedChanges } from '../provider.js';
import type { PgPreparedChanges } from './pg-prepared-changes.js';
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
 * One destination transaction of applied changes. Each apply() is one
 * round trip (a multi-statement simple query); commit() writes the
 * checkpoint in the same transaction, so a batch and its source position are
 * durable together or not at all.
 */
export class PgApplySession implements ApplySession {
  private done = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly release: (err?: Error) => void,
    /** Whether triggers and FK checks are off in this session (session_replication_role = replica). */
    readonly replicaRole: boolean,
  ) {}

  static async begin(client: pg.PoolClient, release: (err?: Error) => void): Promise<PgApplySession> {
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
    return new PgApplySession(client, release, replicaRole);
  }

  async apply(changes: PreparedChanges): Promise<ApplyCounts> {
    const prepared = changes as PgPreparedChanges;
    const tables = new Map<string, { inserts: number; updates: number; deletes: number }>();
    const failed = new Map<string, Error>();
    if (!prepared.size) return { tables, failed };
    try {
      await this.client.query(`SAVEPOINT batch; ${prepared.sql}; RELEASE SAVEPOINT batch`);
      for (const [k, v] of prepared.counts) tables.set(k, v);
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
      for (const [table, events] of groupByTable(prepared.events)) {
        const part = changesToSql(events, { columnType: prepared.columnType });
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
