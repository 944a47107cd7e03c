/**
 * The queries of the CDC change stream and of the snapshot's meeting point
 * (shared/research/sqlserver-oracle.md; Materialize's and Debezium's SQL
 * Server sources):
 * - the snapshot LSN: a second connection holds shared locks on the
 *   selected tables (no write to them is in flight), the snapshot
 *   transaction reads `cdc.change_tables` (its snapshot starts there), then
 *   `SAVE TRANSACTION` makes it write a log record, and the LSN of its own
 *   transaction (`sys.dm_tran_database_transactions`) is above every commit
 *   the snapshot sees; the locks are released. Not `fn_cdc_get_max_lsn`,
 *   which lags the log by the capture job's latency.
 * - changes: the change tables read directly, so `__$command_id` orders a
 *   split primary-key update; bounded by commit LSN, both ends inclusive.
 */
import type { QualifiedName } from '../catalog.js';
import { quoteSqlServerIdent, quoteSqlServerLiteral, quoteSqlServerQualified } from './mssql-quote.js';
import { selectExpression, type ReadColumn } from './mssql-value-text.js';

/**
 * Shared table locks held by the fencing connection (in an open transaction)
 * until the snapshot has its LSN. `TOP (1)` of a real scan: a `TOP (0)` or
 * `WHERE 1 = 0` may be answered without touching the table, so without its lock.
 */
export function fenceSql(tables: readonly QualifiedName[]): string {
  return tables
    .map(
      (t) =>
        `SELECT COUNT(*) FROM (SELECT TOP (1) 1 AS [x] FROM ${quoteSqlServerQualified(t)} WITH (TABLOCK, HOLDLOCK)) AS [fence];`,
    )
    .join('\n');
}

export const SNAPSHOT_SAVEPOINT = 'migrate_snapshot';

/**
 * Run in each snapshot transaction (SNAPSHOT isolation, BEGIN TRANSACTION
 * done) while the fence holds: its snapshot starts at its first read of a
 * user table (the first selected one; `cdc.change_tables` with CDC on), and
 * the savepoint forces a log record, so the transaction has an LSN.
 */
export function snapshotStartSql(tables: readonly QualifiedName[], cdc: boolean): string {
  const [first] = tables;
  const reads = [
    ...(cdc ? ['SELECT TOP (1) object_id FROM cdc.change_tables;'] : []),
    ...(first ? [`SELECT COUNT(*) FROM (SELECT TOP (1) 1 AS [x] FROM ${quoteSqlServerQualified(first)}) AS [start];`] : []),
  ];
  return `${reads.join('\n')}\nSAVE TRANSACTION ${SNAPSHOT_SAVEPOINT};`;
}

/** The LSN of the current transaction's first log record, as decimal (mssql-lsn.ts `lsnFromDecimal`). */
export const TRANSACTION_LSN_SQL = `SELECT CAST(t.database_transaction_begin_lsn AS varchar(30)) AS lsn
  FROM sys.dm_tran_database_transactions t
  JOIN sys.dm_tran_current_transaction c ON c.transaction_id = t.transaction_id
 WHERE t.database_id = DB_ID()`;

/** The highest commit LSN the capture job has written (what the stream may read up to). */
export const MAX_LSN_SQL = 'SELECT CONVERT(varchar(22), sys.fn_cdc_get_max_lsn(), 1) AS lsn';

/** The log's current end (promote compares to it): the newest LSN the database has written. */
export const CURRENT_LSN_SQL = `SELECT CONVERT(varchar(22), MAX(start_lsn), 1) AS lsn FROM cdc.lsn_time_mapping`;

/** Lowest LSN still held for a capture instance (below it, changes were cleaned up). */
export function minLsnSql(captureInstance: string): string {
  return `SELECT CONVERT(varchar(22), sys.fn_cdc_get_min_lsn(${quoteSqlServerLiteral(captureInstance)}), 1) AS lsn`;
}

/** Capture instances with their tables and start LSNs (a newer instance of a table means a schema change). */
export const CAPTURE_INSTANCES_SQL = `SELECT ct.capture_instance, OBJECT_SCHEMA_NAME(ct.source_object_id) AS table_schema,
       OBJECT_NAME(ct.source_object_id) AS table_name, CONVERT(varchar(22), ct.start_lsn, 1) AS start_lsn,
       ct.role_name, ct.create_date
  FROM cdc.change_tables ct
 ORDER BY table_schema, table_name, ct.create_date`;

/** Captured columns of every capture instance, in column order. */
export const CAPTURED_COLUMNS_SQL = `SELECT ct.capture_instance, cc.column_name, cc.column_ordinal
  FROM cdc.captured_columns cc
  JOIN cdc.change_tables ct ON ct.object_id = cc.object_id
 ORDER BY ct.capture_instance, cc.column_ordinal`;

/** Commit times of the commits in [from, to] (UTC, ISO). */
export function commitTimesSql(from: string, to: string): string {
  return `SELECT CONVERT(varchar(22), start_lsn, 1) AS lsn,
       CONVERT(varchar(30), DATEADD(minute, DATEDIFF(minute, GETDATE(), GETUTCDATE()), tran_end_time), 126) AS commit_time
  FROM cdc.lsn_time_mapping WHERE start_lsn BETWEEN ${from} AND ${to}`;
}

/** `0x…` LSN text as a binary(10) literal. */
export function lsnLiteral(lsn: string): string {
  if (!/^0x[0-9A-Fa-f]{20}$/.test(lsn)) throw new Error(`not an LSN literal: ${lsn}`);
  return `CONVERT(binary(10), '${lsn}', 1)`;
}

/**
 * The changes of one capture instance with commit LSN in [from, to], in
 * change order, the captured columns in their canonical read forms.
 * `direct`: the change table itself (with `__$command_id`); otherwise the
 * documented function `cdc.fn_cdc_get_all_changes_<ci>` (no command id:
 * ordered by operation after the sequence value, as Debezium does).
 */
export function changesSql(
  captureInstance: string,
  columns: readonly ReadColumn[],
  from: string,
  to: string,
  direct = true,
): string {
  const meta = `CONVERT(varchar(22), c.__$start_lsn, 1) AS [__$start_lsn], CONVERT(varchar(22), c.__$seqval, 1) AS [__$seqval], c.__$operation AS [__$operation]`;
  const values = columns.map((col) => selectExpression(col, 'c.')).join(', ');
  const list = values ? `, ${values}` : '';
  if (direct) {
    return `SELECT ${meta}, c.__$command_id AS [__$command_id]${list}
  FROM cdc.${quoteSqlServerIdent(`${captureInstance}_CT`)} AS c
 WHERE c.__$start_lsn BETWEEN ${lsnLiteral(from)} AND ${lsnLiteral(to)}
 ORDER BY c.__$start_lsn, c.__$seqval, c.__$command_id, c.__$operation`;
  }
  return `SELECT ${meta}, 0 AS [__$command_id]${list}
  FROM cdc.${quoteSqlServerIdent(`fn_cdc_get_all_changes_${captureInstance}`)}(${lsnLiteral(from)}, ${lsnLiteral(to)}, N'all update old') AS c
 ORDER BY c.__$start_lsn, c.__$seqval, c.__$operation`;
}
