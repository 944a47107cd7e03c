/**
 * One destination transaction of applied changes on SQL Server: the
 * statements of each table run under a savepoint, so a table whose change
 * the server rejects (a constraint, a conversion) is rolled back alone and
 * reported failed while the others apply; the checkpoint is written last
 * and committed with them. An error that dooms the whole transaction
 * (XACT_STATE() = -1: deadlock, lost connection) is thrown: nothing of the
 * batch is committed and it is applied again.
 */
import type { ApplyCheckpoint, ApplyCounts, ApplySession, PreparedChanges } from '../provider.js';
import type { TableStatements } from './mssql-change-sql.js';
import type { SqlServerSession } from './mssql-connection.js';
import { writeCheckpointSql } from './mssql-control.js';

export class SqlServerPreparedChanges implements PreparedChanges {
  constructor(
    readonly groups: readonly TableStatements[],
    readonly size: number,
  ) {}
}

const SAVEPOINT = 'migrate_table';

export class SqlServerApplySession implements ApplySession {
  private begun = false;

  constructor(
    private readonly session: SqlServerSession,
    private readonly onEnd: () => void,
  ) {}

  async apply(changes: PreparedChanges): Promise<ApplyCounts> {
    const counts: ApplyCounts = { tables: new Map(), failed: new Map() };
    const prepared = changes as SqlServerPreparedChanges;
    if (!prepared.groups.length) return counts;
    if (!this.begun) {
      // per-table savepoints need statement errors not to abort the transaction
      await this.session.batch('SET XACT_ABORT OFF; BEGIN TRANSACTION;');
      this.begun = true;
    }
    for (const g of prepared.groups) {
      if (counts.failed.has(g.table) || !g.sql) continue;
      try {
        await this.session.batch(`SAVE TRANSACTION ${SAVEPOINT};\n${g.sql}`);
        const c = counts.tables.get(g.table) ?? { inserts: 0, updates: 0, deletes: 0 };
        c.inserts += g.inserts;
        c.updates += g.updates;
        c.deletes += g.deletes;
        counts.tables.set(g.table, c);
      } catch (err) {
        const [state] = await this.session.rows('SELECT XACT_STATE()').catch(() => [[-1]]);
        if (Number(state?.[0]) !== 1) throw err;
        await this.session.batch(`ROLLBACK TRANSACTION ${SAVEPOINT}${g.reset ? `;\n${g.reset}` : ''}`);
        counts.failed.set(g.table, err as Error);
        counts.tables.delete(g.table);
      }
    }
    return counts;
  }

  async commit(checkpoint: ApplyCheckpoint, changes?: PreparedChanges | null): Promise<ApplyCounts> {
    const counts = changes ? await this.apply(changes) : { tables: new Map(), failed: new Map() };
    const done = writeCheckpointSql(checkpoint.job, checkpoint.database, checkpoint.position);
    try {
      await this.session.batch(this.begun ? `${done}\nCOMMIT TRANSACTION; SET XACT_ABORT ON;` : done);
    } finally {
      this.begun = false;
      this.onEnd();
    }
    return counts;
  }

  async rollback(): Promise<void> {
    try {
      await this.session.batch('IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; SET XACT_ABORT ON;');
    } finally {
      this.begun = false;
      this.onEnd();
    }
  }
}
