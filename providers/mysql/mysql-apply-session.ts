import mysql from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import { someCause } from '../error-chain.js';
import type { ApplyCheckpoint, ApplyCounts, ApplySession, PreparedChanges } from '../provider.js';
import type { MySqlStatement } from './mysql-change-sql.js';
import { CDC_CHECKPOINT } from './mysql-control.js';

/** Changes ready to apply on a MySQL destination. */
export class MySqlPreparedChanges implements PreparedChanges {
  constructor(
    readonly statements: readonly MySqlStatement[],
    readonly size: number,
  ) {}
}

/** Server errors about the rows (constraint, data, a missing table or column), not the connection. */
const DATA_ERRNOS = new Set([
  1048, 1054, 1062, 1146, 1216, 1217, 1263, 1264, 1265, 1292, 1366, 1364, 1406, 1411, 1451, 1452, 1690, 3140, 3819, 4025,
]);

export function isMySqlDataError(err: unknown): boolean {
  return someCause(err, (e) => typeof e.errno === 'number' && DATA_ERRNOS.has(e.errno));
}

/** One packet holds at most this much SQL text (max_allowed_packet: 16 MiB on MariaDB, 64 MiB on MySQL 8). */
const MAX_PACKET_TEXT = 8 * 2 ** 20;

function checkpointSql(target: string, c: ApplyCheckpoint): string {
  return (
    `INSERT INTO ${CDC_CHECKPOINT} (target_db, job, database_name, position) ` +
    `VALUES (${mysql.escape(target)}, ${mysql.escape(c.job)}, ${mysql.escape(c.database)}, ${mysql.escape(c.position)}) ` +
    'ON DUPLICATE KEY UPDATE position = VALUES(position), updated_at = CURRENT_TIMESTAMP(6)'
  );
}

/**
 * One destination transaction of applied changes on MySQL. The common batch
 * — begin, changes, checkpoint, commit — is one multi-statement round trip.
 * Foreign-key checks stay on: the binary log does not carry the rows a
 * cascading foreign key changes, so the destination's own keys must cascade
 * them. A batch runs after a savepoint; a data or constraint error rolls
 * back to it and replays the batch statement by statement without the
 * tables the destination rejects (each is reported in `failed`). The
 * checkpoint is written in the same transaction as the changes.
 */
export class MySqlApplySession implements ApplySession {
  private begun = false;
  private done = false;

  constructor(
    private readonly conn: PoolConnection,
    private readonly target: string,
  ) {}

  apply(changes: PreparedChanges): Promise<ApplyCounts> {
    return this.run(changes as MySqlPreparedChanges, null);
  }

  commit(checkpoint: ApplyCheckpoint, changes?: PreparedChanges | null): Promise<ApplyCounts> {
    return this.run((changes as MySqlPreparedChanges | null | undefined) ?? null, checkpoint);
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      if (this.begun) await this.conn.query('ROLLBACK');
      this.conn.release();
    } catch {
      this.conn.destroy();
    }
  }

  private async run(changes: MySqlPreparedChanges | null, checkpoint: ApplyCheckpoint | null): Promise<ApplyCounts> {
    if (this.done) throw new Error('this apply session is already committed or rolled back');
    const statements = changes?.statements ?? [];
    const head = this.begun ? [] : ['START TRANSACTION'];
    this.begun = true;
    const tail = checkpoint ? [checkpointSql(this.target, checkpoint), 'COMMIT'] : [];
    const failed = new Map<string, Error>();
    if (statements.length) {
      try {
        await this.exec([...head, 'SAVEPOINT migrate_batch', ...statements.map((s) => s.sql)]);
      } catch (err) {
        if (!isMySqlDataError(err)) throw err;
        await this.replay(statements, failed);
      }
    } else if (head.length) await this.exec(head);
    if (tail.length) {
      await this.exec(tail);
      this.done = true;
      this.conn.release();
    }
    return { tables: countsOf(statements, failed), failed };
  }

  /** Statement by statement, leaving out each table that fails, until the batch applies. */
  private async replay(statements: readonly MySqlStatement[], failed: Map<string, Error>): Promise<void> {
    for (;;) {
      await this.exec(['ROLLBACK TO SAVEPOINT migrate_batch']);
      let again = false;
      for (const s of statements) {
        if (failed.has(s.table)) continue;
        try {
          await this.conn.query(s.sql);
        } catch (err) {
          if (!isMySqlDataError(err)) throw err;
          failed.set(s.table, err as Error);
          again = true;
          break;
        }
      }
      if (!again) return;
    }
  }

  private async exec(sqls: readonly string[]): Promise<void> {
    let packet: string[] = [];
    let size = 0;
    for (const s of sqls) {
      if (packet.length && size + s.length > MAX_PACKET_TEXT) {
        await this.conn.query(packet.join(';\n'));
        packet = [];
        size = 0;
      }
      packet.push(s);
      size += s.length + 2;
    }
    if (packet.length) await this.conn.query(packet.join(';\n'));
  }
}

function countsOf(statements: readonly MySqlStatement[], failed: Map<string, Error>): ApplyCounts['tables'] {
  const out: ApplyCounts['tables'] = new Map();
  for (const s of statements) {
    if (failed.has(s.table)) continue;
    const c = out.get(s.table) ?? { inserts: 0, updates: 0, deletes: 0 };
    c.inserts += s.inserts;
    c.updates += s.updates;
    c.deletes += s.deletes;
    out.set(s.table, c);
  }
  return out;
}
