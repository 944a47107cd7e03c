/**
 * QUERY events: transaction control (BEGIN / COMMIT / ROLLBACK / SAVEPOINT)
 * and statements logged as text (DDL), with the session's default database.
 */
import type { BinlogCursor } from './binlog-cursor.js';

export interface QueryEvent {
  database: string;
  sql: string;
}

/** Decode a QUERY body (cursor at the post-header; `postHeaderLength` from the FDE, 13 in v4). */
export function decodeQuery(c: BinlogCursor, postHeaderLength: number): QueryEvent {
  const start = c.pos;
  c.skip(8); // thread id, execution time
  const dbLength = c.u8();
  c.skip(2); // error code: a statement that failed on the source is still logged when it changed data
  const statusLength = postHeaderLength >= 13 ? c.u16() : 0;
  c.pos = start + postHeaderLength;
  c.skip(statusLength);
  const database = c.string(dbLength);
  c.skip(1);
  return { database, sql: c.rest().toString('utf8') };
}

/** What a statement does to the transaction it is logged in. */
export type QueryRole = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'rollback-to-savepoint' | 'xa' | 'statement';

export function queryRole(sql: string): QueryRole {
  const head = sql.trimStart().slice(0, 32).toUpperCase();
  const whole = head.length < 32 ? head.trimEnd() : '';
  if (whole === 'BEGIN') return 'begin';
  if (whole === 'COMMIT') return 'commit';
  if (whole === 'ROLLBACK') return 'rollback';
  if (/^SAVEPOINT\s/.test(head)) return 'savepoint';
  if (/^ROLLBACK\s+(WORK\s+)?TO\s/.test(head)) return 'rollback-to-savepoint';
  if (/^XA\s/.test(head)) return 'xa';
  return 'statement';
}
