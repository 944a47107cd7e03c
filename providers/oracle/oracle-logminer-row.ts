/**
 * Rows of V$LOGMNR_CONTENTS as mining events. A statement longer than one
 * row's SQL_REDO (4000 bytes) continues in the next rows, each but the last
 * with CSF = 1: they are joined first. OPERATION_CODE says what a row is:
 * 1 insert, 2 delete, 3 update, 5 DDL, 6 start, 7 commit, 36 rollback; 0
 * (internal) and 25 (SELECT FOR UPDATE) carry nothing to apply. Every other
 * operation on a captured table (LOB writes, XML document operations,
 * UNSUPPORTED, a row LogMiner could not rebuild SQL for) is a named error:
 * skipping one would silently lose a change.
 */
import { parseScn } from './oracle-scn.js';

/** The columns the change query selects (oracle-logminer-sql.ts), values as our sessions fetch them. */
export interface LogMinerRow {
  SCN: string;
  /** Meaningful only with COMMITTED_DATA_ONLY (not used): a commit row's own SCN is its commit SCN. */
  COMMIT_SCN: string | null;
  OPERATION_CODE: number;
  OPERATION: string;
  /** RAWTOHEX(XID): 16 hex digits. */
  XID: string;
  SEG_OWNER: string | null;
  TABLE_NAME: string | null;
  SQL_REDO: string | null;
  CSF: number;
  /** 1 on a row that undoes an earlier one (a statement rolled back to a savepoint or failed). */
  ROLLBACK: number;
  /** `YYYY-MM-DD HH24:MI:SS` in the database time zone. */
  TIMESTAMP: string | null;
  /** 0 valid SQL, 2 SQL_REDO could not be built (INFO says why). */
  STATUS: number | null;
  INFO: string | null;
}

export type MiningEvent =
  | { kind: 'start'; scn: bigint; xid: string }
  | { kind: 'commit'; scn: bigint; xid: string; time: string | null }
  | { kind: 'rollback'; scn: bigint; xid: string }
  | {
      kind: 'dml';
      op: 'insert' | 'update' | 'delete';
      scn: bigint;
      xid: string;
      owner: string;
      table: string;
      sql: string;
      /** Undoes an earlier change of the same transaction: applied as it is, in order (see oracle-transaction-buffer.ts). */
      undo: boolean;
    }
  | { kind: 'ddl'; scn: bigint; xid: string; owner: string; table: string; sql: string };

/** A change LogMiner mined but this stream cannot apply: the job stops on it, naming the fix. */
export class UnsupportedRedoOperationError extends Error {}

const DML: Record<number, 'insert' | 'delete' | 'update'> = { 1: 'insert', 2: 'delete', 3: 'update' };

/** What to do about each operation that is not plain row SQL. */
const UNSUPPORTED: Record<number, string> = {
  9: 'a LOB written through its locator (SELECT_LOB_LOCATOR / LOB_WRITE): values over 4000 bytes written piecewise are not mined into SQL; write whole LOB values in one statement, or exclude the table',
  10: 'a LOB written piecewise (LOB_WRITE): not decodable into a row image; exclude the table or write whole LOB values',
  11: 'a LOB trimmed in place (LOB_TRIM): not decodable into a row image',
  28: 'a LOB erased in place (LOB_ERASE): not decodable into a row image',
  68: 'an XMLTYPE document operation (XML DOC BEGIN): XMLTYPE columns are not mapped',
  70: 'an XMLTYPE document operation (XML DOC WRITE): XMLTYPE columns are not mapped',
  71: 'an XMLTYPE document operation (XML DOC END): XMLTYPE columns are not mapped',
  255: 'an operation LogMiner does not support (UNSUPPORTED: compressed tables, an unsupported column type or storage)',
};

const IGNORED = new Set([0, 25, 34]);

/**
 * Joins CSF continuation rows and turns rows into events. `captured` says
 * whether a table's changes matter (others' DML is skipped without parsing).
 */
export class LogMinerRowDecoder {
  private pending: LogMinerRow | null = null;
  private pendingSql: string[] = [];

  constructor(private readonly captured: (owner: string, table: string) => boolean) {}

  /** One row in mining order; an event when the row (with its continuations) is complete. */
  push(row: LogMinerRow): MiningEvent | null {
    if (this.pending) {
      if (row.XID !== this.pending.XID || row.OPERATION_CODE !== this.pending.OPERATION_CODE) {
        throw new UnsupportedRedoOperationError(
          `LogMiner row continuation (CSF) broken at SCN ${row.SCN}: expected more of transaction ${this.pending.XID}, got ${row.XID} ${row.OPERATION}`,
        );
      }
      this.pendingSql.push(row.SQL_REDO ?? '');
      if (row.CSF === 1) return null;
      const whole = { ...this.pending, SQL_REDO: this.pendingSql.join(''), CSF: 0 };
      this.pending = null;
      this.pendingSql = [];
      return this.decode(whole);
    }
    if (row.CSF === 1) {
      this.pending = row;
      this.pendingSql = [row.SQL_REDO ?? ''];
      return null;
    }
    return this.decode(row);
  }

  /** A statement still waiting for its continuation rows (the window ended inside it: mine it again). */
  get incomplete(): boolean {
    return this.pending !== null;
  }

  private decode(row: LogMinerRow): MiningEvent | null {
    const scn = parseScn(row.SCN);
    const xid = row.XID.toUpperCase();
    switch (row.OPERATION_CODE) {
      case 6:
        return { kind: 'start', scn, xid };
      case 7:
        return { kind: 'commit', scn, xid, time: row.TIMESTAMP };
      case 36:
        return { kind: 'rollback', scn, xid };
    }
    const owner = row.SEG_OWNER ?? '';
    const table = row.TABLE_NAME ?? '';
    if (IGNORED.has(row.OPERATION_CODE) || !this.captured(owner, table)) return null;
    const where = `${owner}.${table} at SCN ${row.SCN} (transaction ${xid})`;
    if (row.OPERATION_CODE === 5) return { kind: 'ddl', scn, xid, owner, table, sql: row.SQL_REDO ?? '' };
    const op = DML[row.OPERATION_CODE];
    if (!op) {
      const why = UNSUPPORTED[row.OPERATION_CODE] ?? `operation ${row.OPERATION} (code ${row.OPERATION_CODE})`;
      throw new UnsupportedRedoOperationError(`cannot replicate a change of ${where}: ${why}`);
    }
    if (row.STATUS === 2 || !row.SQL_REDO) {
      throw new UnsupportedRedoOperationError(
        `LogMiner could not rebuild the ${op} of ${where}: ${row.INFO ?? 'no SQL_REDO'} (supplemental logging missing, or the table changed since: restart the table)`,
      );
    }
    if (/^OBJ# \d+$/.test(table) || owner === 'UNKNOWN') {
      throw new UnsupportedRedoOperationError(
        `the dictionary no longer knows the table of a change at SCN ${row.SCN}: it was dropped or altered`,
      );
    }
    return { kind: 'dml', op, scn, xid, owner, table, sql: row.SQL_REDO, undo: row.ROLLBACK === 1 };
  }
}
