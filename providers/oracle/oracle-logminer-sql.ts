/**
 * The SQL of one LogMiner window (oracle-mining-window.ts): add its logs,
 * start the session over [STARTSCN, ENDSCN] with the online catalog as
 * dictionary, read V$LOGMNR_CONTENTS, end the session.
 *
 * DICT_FROM_ONLINE_CATALOG: names and types come from the current data
 * dictionary — no dictionary in the redo stream to build, but a table
 * altered since the change was written is mined with today's columns (the
 * stream turns DDL on a captured table into a `schema` event, and LogMiner
 * marks rows it cannot rebuild: both named, never guessed).
 *
 * COMMITTED_DATA_ONLY is not used: with it LogMiner buffers whole
 * transactions in the server's PGA and, over bounded SCN windows, drops the
 * rows of a transaction that began before the window (estuary/connectors
 * #2663). Without it every row arrives as written, interleaved; our buffer
 * (oracle-transaction-buffer.ts) holds open transactions across windows,
 * spills long ones to disk, and emits each at its commit.
 */
import { quoteOracleLiteral } from './oracle-quote.js';

/** The first log of a session replaces the list (NEW), the others are added (ADDFILE). */
export function addLogfileBlock(file: string, first: boolean): string {
  return `BEGIN DBMS_LOGMNR.ADD_LOGFILE(LOGFILENAME => ${quoteOracleLiteral(file)}, OPTIONS => DBMS_LOGMNR.${first ? 'NEW' : 'ADDFILE'}); END;`;
}

export function startLogMinerBlock(startScn: bigint, endScn: bigint): string {
  if (endScn < startScn) throw new RangeError(`an empty LogMiner window (${startScn}..${endScn})`);
  return `BEGIN DBMS_LOGMNR.START_LOGMNR(STARTSCN => ${startScn}, ENDSCN => ${endScn}, OPTIONS => DBMS_LOGMNR.DICT_FROM_ONLINE_CATALOG); END;`;
}

export const END_LOGMINER = 'BEGIN DBMS_LOGMNR.END_LOGMNR; END;';

/** The operations read besides the captured owners' rows: START, COMMIT, ROLLBACK of every transaction. */
const CONTROL_OPERATIONS = [6, 7, 36];

/**
 * The rows of a window: transaction control of everyone, everything of the
 * captured owners (which tables matter is decided while decoding, so an
 * unsupported operation on a captured table is seen, not filtered away).
 * In V$LOGMNR_CONTENTS' own order: SCN order, continuation rows in sequence.
 */
export function contentsQuery(startScn: bigint, endScn: bigint, owners: readonly string[]): string {
  if (!owners.length) throw new Error('no schema to capture');
  return (
    `SELECT TO_CHAR(SCN) AS SCN, TO_CHAR(COMMIT_SCN) AS COMMIT_SCN, OPERATION_CODE, OPERATION, RAWTOHEX(XID) AS XID,` +
    ` SEG_OWNER, TABLE_NAME, SQL_REDO, CSF, "ROLLBACK", TO_CHAR("TIMESTAMP", 'YYYY-MM-DD HH24:MI:SS') AS "TIMESTAMP", STATUS, INFO` +
    ` FROM V$LOGMNR_CONTENTS WHERE SCN >= ${startScn} AND SCN <= ${endScn}` +
    ` AND (OPERATION_CODE IN (${CONTROL_OPERATIONS.join(', ')}) OR SEG_OWNER IN (${owners.map(quoteOracleLiteral).join(', ')}))`
  );
}

export const CURRENT_SCN = 'SELECT TO_CHAR(CURRENT_SCN) AS SCN FROM V$DATABASE';

/** The oldest start SCN of the open transactions (V$TRANSACTION), for a snapshot's restart SCN. */
export const OLDEST_OPEN_TRANSACTION = 'SELECT TO_CHAR(MIN(START_SCN)) AS SCN FROM V$TRANSACTION';

/** Archived logs that meet [start, end]. */
export function archivedLogsQuery(startScn: bigint, endScn: bigint): string {
  return (
    `SELECT NAME, THREAD# AS THREAD, SEQUENCE# AS SEQ, TO_CHAR(FIRST_CHANGE#) AS FIRST_SCN, TO_CHAR(NEXT_CHANGE#) AS NEXT_SCN` +
    ` FROM V$ARCHIVED_LOG WHERE NAME IS NOT NULL AND STATUS = 'A' AND DELETED = 'NO' AND STANDBY_DEST = 'NO'` +
    ` AND NEXT_CHANGE# > ${startScn} AND FIRST_CHANGE# <= ${endScn}`
  );
}

/** Online logs (one member each) that meet [start, end]. */
export function onlineLogsQuery(startScn: bigint, endScn: bigint): string {
  return (
    `SELECT MIN(F.MEMBER) AS NAME, L.THREAD# AS THREAD, L.SEQUENCE# AS SEQ, TO_CHAR(L.FIRST_CHANGE#) AS FIRST_SCN,` +
    ` TO_CHAR(L.NEXT_CHANGE#) AS NEXT_SCN FROM V$LOG L JOIN V$LOGFILE F ON F.GROUP# = L.GROUP#` +
    ` WHERE L.STATUS IN ('CURRENT', 'ACTIVE', 'INACTIVE') AND L.NEXT_CHANGE# > ${startScn} AND L.FIRST_CHANGE# <= ${endScn}` +
    ` GROUP BY L.THREAD#, L.SEQUENCE#, L.FIRST_CHANGE#, L.NEXT_CHANGE#`
  );
}

/** The oldest SCN still in an available log (captureGap). */
export const OLDEST_LOG_SCN =
  `SELECT TO_CHAR(MIN(SCN)) AS SCN FROM (SELECT MIN(FIRST_CHANGE#) AS SCN FROM V$ARCHIVED_LOG WHERE STATUS = 'A' AND DELETED = 'NO'` +
  ` UNION ALL SELECT MIN(FIRST_CHANGE#) FROM V$LOG)`;
