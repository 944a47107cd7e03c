import { qualifiedKey } from '../catalog.js';
import type pg from 'pg';
import type { ChangeEvent } from '../change-event.js';
import type { ApplyCheckpoint, ApplyCounts, ApplySession, PreparedChanges } from '../provider.js';
import type { PgPreparedChanges } from './pg-prepared-changes.js';
import { changesToSql } from './pg-change-sql.js';
import { CONTROL_SCHEMA } from './pg-control-schema.js';
import { quoteLiteral } from './pg-quote.js';

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
    if (e.kind === 'truncate') for (const r of e.relations) push(qualifiedKey(r), { ...e, relations: [r] });
    else if (e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete') push(qualifiedKey(e.relation), e);
  }
  return out;
}

/** `INSERT … ON CONFLICT` of the checkpoint row, as literals (it rides in the batch's one round trip). */
function checkpointSql(c: ApplyCheckpoint): string {
  return (
    `INSERT INTO ${CONTROL_SCHEMA}.cdc_checkpoint (job, database, position, updated_at) ` +
    `VALUES (${quoteLiteral(c.job)}, ${quoteLiteral(c.database)}, ${quoteLiteral(c.position)}, now()) ` +
    `ON CONFLICT (job, database) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`
  );
}

/**
 * Can this connection switch triggers and FK checks off for its
 * transactions (`session_replication_role = replica`, superuser only)?
 * Only "permission denied" (42501) means no; any other failure (a lost
 * connection…) is thrown, so the caller neither caches nor acts on a misread
 * answer. Asked once per target; the answer is cached by the destination.
 */
export async function probeReplicaRole(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('BEGIN; SET LOCAL session_replication_role = replica; ROLLBACK');
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code !== '42501') throw err;
    await client.query('ROLLBACK');
    return false;
  }
}

/**
 * One destination transaction of applied changes. Nothing is sent until
 * there is work: the common batch — begin, changes, checkpoint, commit — is
 * ONE simple-query round trip, so the destination never waits for the
 * worker between statements. A batch's changes run inside a savepoint; a
 * constraint or data error rolls back to it and replays the batch table by
 * table, holding back only the tables the destination rejects. The
 * checkpoint is written in the same transaction as the changes, so a batch
 * and its source position are durable together or not at all.
 */
export class PgApplySession implements ApplySession {
  private begun = false;
  private done = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly release: (err?: Error) => void,
    /** Whether triggers and FK checks are off in this session (session_replication_role = replica). */
    readonly replicaRole: boolean,
  ) {}

  apply(changes: PreparedChanges): Promise<ApplyCounts> {
    return this.run(changes as PgPreparedChanges, null);
  }

  commit(checkpoint: ApplyCheckpoint, changes?: PreparedChanges | null): Promise<ApplyCounts> {
    return this.run((changes ?? null) as PgPreparedChanges | null, checkpoint);
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.begun) await this.client.query('ROLLBACK').catch(() => undefined);
    this.release();
  }

  private async run(prepared: PgPreparedChanges | null, checkpoint: ApplyCheckpoint | null): Promise<ApplyCounts> {
    if (this.done) throw new Error('apply session already ended');
    const tables: ApplyCounts['tables'] = new Map();
    const failed = new Map<string, Error>();
    // tables whose changes prepare left out (zeroDates: error): held back, named with the rest
    for (const [k, err] of prepared?.zeroDates?.rejected ?? []) failed.set(prepared?.sourceKeys?.get(k) ?? k, err);
    const counted = (k: string, v: { inserts: number; updates: number; deletes: number }) => {
      const zero = prepared?.zeroDates?.counts.get(k);
      tables.set(prepared?.sourceKeys?.get(k) ?? k, zero ? { ...v, zeroDatesReplaced: zero } : v);
    };
    const sql = prepared && prepared.size ? prepared.sql : '';
    if (!sql && !checkpoint) return { tables, failed };
    let text = '';
    if (!this.begun) {
      text =
        this.replicaRole && !prepared?.sourceKeys
          ? // triggers and FK checks are the source's business: it already ran them (another engine's
            // changes keep them on: its log leaves out what cascading foreign keys did)
            'BEGIN; SET LOCAL session_replication_role = replica; '
          : 'BEGIN; ';
      this.begun = true;
    }
    if (sql) text += `SAVEPOINT batch; ${sql} RELEASE SAVEPOINT batch; `;
    if (checkpoint) text += `${checkpointSql(checkpoint)}; COMMIT`;
    try {
      await this.client.query(text);
      if (prepared) for (const [k, v] of prepared.counts) counted(k, v);
      if (checkpoint) this.finish();
      return { tables, failed };
    } catch (err) {
      if (!sql || !isDataError(err)) throw this.fail(err as Error);
    }
    // a constraint or data error inside the batch: apply table by table so only the offending table is held back
    try {
      await this.client.query('ROLLBACK TO SAVEPOINT batch');
      for (const [table, events] of groupByTable(prepared?.events ?? [])) {
        const part = changesToSql(events, { columnType: prepared?.columnType });
        if (!part.sql) continue;
        try {
          await this.client.query(`SAVEPOINT t; ${part.sql} RELEASE SAVEPOINT t`);
          for (const [k, v] of part.counts) counted(k, v);
        } catch (err) {
          if (!isDataError(err)) throw err;
          await this.client.query('ROLLBACK TO SAVEPOINT t');
          failed.set(prepared?.sourceKeys?.get(table) ?? table, err as Error);
        }
      }
      if (checkpoint) {
        await this.client.query(`${checkpointSql(checkpoint)}; COMMIT`);
        this.finish();
      }
    } catch (err) {
      throw this.fail(err as Error);
    }
    return { tables, failed };
  }

  private finish(): void {
    this.done = true;
    this.release();
  }

  /** The connection is in an unknown state: release it with the error (pg closes it; the server rolls back). */
  private fail(err: Error): Error {
    if (!this.done) {
      this.done = true;
      this.release(err);
    }
    return new Error(`applying changes failed: ${err.message}`, { cause: err });
  }
}
