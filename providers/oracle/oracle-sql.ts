/**
 * The SQL of the full dump and verify: every table read `AS OF SCN` one
 * snapshot SCN (flashback query), each column in a text form that is exact
 * (oracle-value-text.ts turns it into canonical text), and the ranges that
 * split a large table for parallel readers — integer key bounds when the
 * primary key is one integer column, else ROWID ranges of equal row counts
 * (NTILE over the snapshot's ROWIDs: no extra privilege, unlike extents).
 */
import type { ColumnDef, TableDef } from '../catalog.js';
import type { TableRange } from '../provider.js';
import { quoteOracleIdent, quoteOracleLiteral, quoteOracleQualified } from './oracle-quote.js';

export const DATE_FORMAT = 'SYYYY-MM-DD HH24:MI:SS';
export const TIMESTAMP_FORMAT = 'SYYYY-MM-DD HH24:MI:SS.FF9';
export const TIMESTAMP_TZ_FORMAT = 'SYYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM';

/**
 * Session settings every connection of ours runs with: the text forms of
 * dates and timestamps (LogMiner prints SQL_REDO values in them too), `.` as
 * the decimal point, and UTC as the session zone (WITH LOCAL TIME ZONE
 * values are shown in it).
 */
export const SESSION_SETUP =
  `ALTER SESSION SET NLS_DATE_FORMAT = '${DATE_FORMAT}' NLS_TIMESTAMP_FORMAT = '${TIMESTAMP_FORMAT}'` +
  ` NLS_TIMESTAMP_TZ_FORMAT = '${TIMESTAMP_TZ_FORMAT}' NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'`;

/** How one column is selected for an exact text (or Buffer / IEEE number) value. */
export function selectExpression(c: ColumnDef): string {
  const q = quoteOracleIdent(c.name);
  const native = c.nativeType.toUpperCase();
  if (native === 'DATE') return `TO_CHAR(${q}, '${DATE_FORMAT}')`;
  if (/^TIMESTAMP(\(\d\))? WITH LOCAL TIME ZONE$/.test(native)) {
    return `TO_CHAR(SYS_EXTRACT_UTC(CAST(${q} AS TIMESTAMP WITH TIME ZONE)), '${TIMESTAMP_FORMAT}')`;
  }
  if (/^TIMESTAMP(\(\d\))? WITH TIME ZONE$/.test(native)) return `TO_CHAR(SYS_EXTRACT_UTC(${q}), '${TIMESTAMP_FORMAT}')`;
  if (/^TIMESTAMP(\(\d\))?$/.test(native)) return `TO_CHAR(${q}, '${TIMESTAMP_FORMAT}')`;
  if (native.startsWith('INTERVAL')) return `TO_CHAR(${q})`;
  if (native === 'ROWID') return `ROWIDTOCHAR(${q})`;
  if (native.startsWith('UROWID')) return `CAST(${q} AS VARCHAR2(4000))`;
  if (native === 'JSON') return `JSON_SERIALIZE(${q} RETURNING CLOB)`;
  if (native === 'BOOLEAN') return `CASE WHEN ${q} THEN 1 WHEN NOT ${q} THEN 0 END`;
  return q;
}

/** The columns a copy moves: virtual columns are computed by the destination (or not converted). */
export function copiedColumns(columns: readonly ColumnDef[]): ColumnDef[] {
  return columns.filter((c) => c.generated === null && c.canonical !== undefined);
}

/** `SELECT … FROM t AS OF SCN s [WHERE range]`. */
export function asOfSelect(table: TableDef, columns: readonly ColumnDef[], scn: bigint, predicate: string | null): string {
  if (!columns.length) throw new Error(`${table.schema}.${table.name} has no column to copy`);
  return (
    `SELECT ${columns.map(selectExpression).join(', ')} FROM ${quoteOracleQualified(table)} AS OF SCN ${scn}` +
    (predicate ? ` WHERE ${predicate}` : '')
  );
}

/** `MIN/MAX` of an integer key at the snapshot. */
export function keyBoundsQuery(table: TableDef, column: string, scn: bigint): string {
  const q = quoteOracleIdent(column);
  return `SELECT TO_CHAR(MIN(${q})) AS LO, TO_CHAR(MAX(${q})) AS HI FROM ${quoteOracleQualified(table)} AS OF SCN ${scn}`;
}

/** ROWID tiles of about equal row counts at the snapshot: one row per tile with its first and last ROWID. */
export function rowidTilesQuery(table: TableDef, tiles: number, scn: bigint): string {
  return (
    `SELECT ROWIDTOCHAR(MIN(RID)) AS LO, ROWIDTOCHAR(MAX(RID)) AS HI FROM ` +
    `(SELECT ROWID AS RID, NTILE(${Math.max(1, Math.floor(tiles))}) OVER (ORDER BY ROWID) AS TILE FROM ${quoteOracleQualified(table)} AS OF SCN ${scn}) ` +
    `GROUP BY TILE ORDER BY TILE`
  );
}

/** Integer key ranges [lo, hi] split in `parts` (the first and last open-ended). */
export function keyRanges(column: string, lo: bigint, hi: bigint, parts: number): TableRange[] {
  const span = hi - lo + 1n;
  const n = BigInt(parts) > span ? Number(span) : Math.max(1, parts);
  if (n < 2) return [{ id: 'all', predicate: null }];
  const q = quoteOracleIdent(column);
  const step = span / BigInt(n);
  const out: TableRange[] = [];
  for (let i = 0; i < n; i++) {
    const from = lo + step * BigInt(i);
    const to = lo + step * BigInt(i + 1);
    const lower = i === 0 ? null : `${q} >= ${from}`;
    const upper = i === n - 1 ? null : `${q} < ${to}`;
    out.push({ id: `${i + 1}/${n}`, predicate: [lower, upper].filter(Boolean).join(' AND ') || null });
  }
  return out;
}

/** ROWID tiles as ranges; consecutive, so together they cover every row of the snapshot. */
export function rowidRanges(tiles: readonly { lo: string; hi: string }[]): TableRange[] {
  if (tiles.length < 2) return [{ id: 'all', predicate: null }];
  return tiles.map((t, i) => {
    const lower = i === 0 ? null : `ROWID >= CHARTOROWID(${quoteOracleLiteral(t.lo)})`;
    const upper = i === tiles.length - 1 ? null : `ROWID <= CHARTOROWID(${quoteOracleLiteral(t.hi)})`;
    return { id: `rowid ${i + 1}/${tiles.length}`, predicate: [lower, upper].filter(Boolean).join(' AND ') || null };
  });
}

/** The single integer primary-key column key ranges split on, or null. */
export function integerKeyColumn(table: TableDef): ColumnDef | null {
  const pk = table.primaryKey?.columns ?? [];
  if (pk.length !== 1) return null;
  const col = table.columns.find((c) => c.name === pk[0]);
  if (!col) return null;
  const t = col.canonical;
  return t?.kind === 'int' || (t?.kind === 'decimal' && t.scale === 0) ? col : null;
}
