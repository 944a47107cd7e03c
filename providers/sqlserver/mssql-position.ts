/**
 * Change-stream positions of a SQL Server source, as opaque strings
 * `commitLsn:changeLsn:serial` (the offset Debezium's SQL Server connector
 * keeps): the commit LSN of the transaction (`__$start_lsn`), the change
 * within it (`__$seqval`), and the event's serial among the events of that
 * change (a primary-key update's delete and insert share one `__$seqval`).
 * Ordered by the three parts in turn.
 *
 * - A snapshot position is `L:ZERO:0`, L an LSN taken inside the snapshot
 *   transaction: every transaction the snapshot sees committed below L.
 * - A transaction's `finalPosition` (begin) is `C:ZERO:0`: at or after a
 *   snapshot's position exactly when the snapshot does not hold it.
 * - A commit end is `C:MAX:0`: everything of commit C is applied, reading
 *   resumes at `fn_cdc_increment_lsn(C)`.
 * - Any other position is a point inside commit C: resume reads C again and
 *   skips events up to it.
 */
import { compareLsn, incrementLsn, MAX_LSN, normalizeLsn, ZERO_LSN } from './mssql-lsn.js';

export interface SqlServerPosition {
  commitLsn: string;
  changeLsn: string;
  serial: number;
}

export function formatPosition(p: SqlServerPosition): string {
  if (!Number.isInteger(p.serial) || p.serial < 0) throw new Error(`not a position serial: ${p.serial}`);
  return `${normalizeLsn(p.commitLsn)}:${normalizeLsn(p.changeLsn)}:${p.serial}`;
}

export function parsePosition(text: string): SqlServerPosition {
  const parts = text.split(':');
  const [commit, change, serial] = parts;
  if (parts.length !== 3 || commit === undefined || change === undefined || !/^\d+$/.test(serial ?? '')) {
    throw new Error(`not a SQL Server change position (commitLsn:changeLsn:serial): ${text}`);
  }
  return { commitLsn: normalizeLsn(commit), changeLsn: normalizeLsn(change), serial: Number(serial) };
}

export function comparePositionParts(x: SqlServerPosition, y: SqlServerPosition): number {
  return compareLsn(x.commitLsn, y.commitLsn) || compareLsn(x.changeLsn, y.changeLsn) || Math.sign(x.serial - y.serial);
}

export function comparePositions(a: string, b: string): number {
  return comparePositionParts(parsePosition(a), parsePosition(b));
}

/** The position of a snapshot whose transaction took LSN `lsn`. */
export function snapshotPosition(lsn: string): string {
  return formatPosition({ commitLsn: lsn, changeLsn: ZERO_LSN, serial: 0 });
}

/** Where transaction `commitLsn` starts (a begin's `finalPosition`). */
export function transactionStart(commitLsn: string): string {
  return formatPosition({ commitLsn, changeLsn: ZERO_LSN, serial: 0 });
}

/** The position once all of commit `commitLsn` is applied (a checkpoint). */
export function commitEnd(commitLsn: string): string {
  return formatPosition({ commitLsn, changeLsn: MAX_LSN, serial: 0 });
}

export function isCommitEnd(p: SqlServerPosition): boolean {
  return compareLsn(p.changeLsn, MAX_LSN) === 0;
}

/**
 * Where to read the change functions from to continue after `position`, and
 * the point inside that commit to skip up to (null: take all of it). A
 * snapshot or begin position reads its own LSN (no commit can be there
 * but a later one); a commit end reads from the next LSN.
 */
export function resumePlan(position: string): { fromLsn: string; skipThrough: SqlServerPosition | null } {
  const p = parsePosition(position);
  if (isCommitEnd(p)) return { fromLsn: incrementLsn(p.commitLsn), skipThrough: null };
  if (compareLsn(p.changeLsn, ZERO_LSN) === 0 && p.serial === 0) return { fromLsn: p.commitLsn, skipThrough: null };
  return { fromLsn: p.commitLsn, skipThrough: p };
}
