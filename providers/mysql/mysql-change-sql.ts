/**
 * Row changes (canonical change events from a MySQL source) as the SQL a
 * MySQL destination executes, in source order: consecutive inserts into a
 * table become one multi-row INSERT, consecutive deletes by key one DELETE …
 * IN, updates one UPDATE each (only the columns that changed), a TRUNCATE a
 * DELETE (TRUNCATE would commit the apply transaction). Values are canonical
 * text turned back into literals by the destination column's type: `\x` hex
 * for binary strings and geometry, BIT digits, TIMESTAMP without its `+00`
 * (sessions run in UTC). Generated columns are never written: the
 * destination computes them.
 */
import mysql from 'mysql2';
import type { ChangeEvent, ChangeRelation, ColumnValue } from '../change-event.js';
import { UNCHANGED } from '../change-event.js';
import { quoteMySqlIdent } from './mysql-quote.js';

/** How a destination column takes a canonical text value. */
export type MySqlValueKind = 'text' | 'number' | 'binary' | 'bit' | 'timestamp';

export interface MySqlColumnInfo {
  kind: MySqlValueKind;
  generated: boolean;
}

/** Destination columns of one table by name (absent: the table is unknown to the destination). */
export type ColumnsOf = (table: string) => Map<string, MySqlColumnInfo> | undefined;

/** information_schema.COLUMNS DATA_TYPE → how its values are written. */
export function mysqlValueKind(dataType: string): MySqlValueKind {
  const t = dataType.toLowerCase();
  if (/^(tiny|small|medium|big)?int(eger)?$|^(decimal|numeric|float|double|real|year)$/.test(t)) return 'number';
  if (
    /^(var)?binary$|blob$|^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection)$/.test(
      t,
    )
  ) {
    return 'binary';
  }
  if (t === 'bit') return 'bit';
  if (t === 'timestamp') return 'timestamp';
  return 'text';
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A canonical text value as a MySQL literal for a column of `kind`. */
export function mysqlLiteral(v: ColumnValue, kind: MySqlValueKind): string {
  if (v === null) return 'NULL';
  if (v === UNCHANGED) throw new Error('a MySQL source never leaves a value out of a row image');
  switch (kind) {
    case 'number':
      return NUMBER.test(v) ? v : mysql.escape(v);
    case 'binary':
      return v.startsWith('\\x') && /^[0-9a-f]*$/i.test(v.slice(2))
        ? v.length > 2
          ? `X'${v.slice(2)}'`
          : "''"
        : mysql.escape(v);
    case 'bit':
      return /^[01]+$/.test(v) ? `b'${v}'` : mysql.escape(v);
    case 'timestamp':
      return mysql.escape(v.endsWith('+00') ? v.slice(0, -3) : v);
    default:
      return mysql.escape(v);
  }
}

/** One statement and the table (`schema.table` in the source's names) it changes. */
export interface MySqlStatement {
  table: string;
  sql: string;
  /** Row changes it holds, by kind. */
  inserts: number;
  updates: number;
  deletes: number;
}

/** Bound of one statement's text (max_allowed_packet is 16 MiB by default on MariaDB, 64 MiB on MySQL 8). */
const MAX_STATEMENT_BYTES = 4 * 2 ** 20;
const MAX_ROWS_PER_STATEMENT = 1000;

type RowChange = Extract<ChangeEvent, { kind: 'insert' | 'update' | 'delete' }>;

/**
 * The statements of `events` for database `target` (begin/commit/schema
 * events carry no rows and are skipped). A table the destination does not
 * have raises: it was never created, which no retry fixes.
 */
export function mysqlChangeStatements(target: string, events: readonly ChangeEvent[], columnsOf: ColumnsOf): MySqlStatement[] {
  const out: MySqlStatement[] = [];
  const db = quoteMySqlIdent(target);
  const qname = (rel: { name: string }) => `${db}.${quoteMySqlIdent(rel.name)}`;
  const infoOf = (rel: ChangeRelation) => {
    const cols = columnsOf(rel.name);
    if (!cols) throw new Error(`the table ${target}.${rel.name} does not exist on the destination`);
    return cols;
  };
  const colInfo = (cols: Map<string, MySqlColumnInfo>, rel: ChangeRelation, name: string): MySqlColumnInfo => {
    const c = cols.get(name);
    if (!c) throw new Error(`the column ${name} of ${target}.${rel.name} does not exist on the destination`);
    return c;
  };
  /** Open multi-row statement being extended. */
  let open: { kind: 'insert' | 'delete'; rel: ChangeRelation; head: string; parts: string[]; bytes: number } | null = null;
  const flush = () => {
    if (!open) return;
    const { kind, rel, head, parts } = open;
    const sql = kind === 'insert' ? `${head} VALUES ${parts.join(', ')}` : `${head}(${parts.join(', ')})`;
    out.push({
      table: `${rel.schema}.${rel.name}`,
      sql,
      inserts: kind === 'insert' ? parts.length : 0,
      updates: 0,
      deletes: kind === 'delete' ? parts.length : 0,
    });
    open = null;
  };
  const extend = (kind: 'insert' | 'delete', rel: ChangeRelation, head: string, part: string) => {
    if (open && (open.kind !== kind || open.rel !== rel || open.head !== head)) flush();
    if (open && (open.parts.length >= MAX_ROWS_PER_STATEMENT || open.bytes + part.length > MAX_STATEMENT_BYTES)) flush();
    if (!open) open = { kind, rel, head, parts: [], bytes: head.length };
    open.parts.push(part);
    open.bytes += part.length + 2;
  };
  const single = (rel: ChangeRelation, sql: string, counts: Partial<Pick<MySqlStatement, 'updates' | 'deletes'>>) => {
    flush();
    out.push({ table: `${rel.schema}.${rel.name}`, sql, inserts: 0, updates: counts.updates ?? 0, deletes: counts.deletes ?? 0 });
  };

  for (const e of events) {
    if (e.kind === 'truncate') {
      flush();
      for (const rel of e.relations) {
        infoOf(rel);
        out.push({ table: `${rel.schema}.${rel.name}`, sql: `DELETE FROM ${qname(rel)}`, inserts: 0, updates: 0, deletes: 0 });
      }
      continue;
    }
    if (e.kind !== 'insert' && e.kind !== 'update' && e.kind !== 'delete') continue;
    const rel = e.relation;
    const cols = infoOf(rel);
    const change = e as RowChange;
    if (change.kind === 'insert') {
      const names: string[] = [];
      const values: string[] = [];
      change.new.columns.forEach((name, i) => {
        const info = colInfo(cols, rel, name);
        if (info.generated) return;
        names.push(quoteMySqlIdent(name));
        values.push(mysqlLiteral(change.new.values[i] as ColumnValue, info.kind));
      });
      extend('insert', rel, `INSERT INTO ${qname(rel)} (${names.join(', ')})`, `(${values.join(', ')})`);
      continue;
    }
    const old = change.old;
    if (!old)
      throw new Error(`an update of ${rel.schema}.${rel.name} came without its before-image (binlog_row_image must be FULL)`);
    const keyNames = rel.columns.filter((c) => c.isKey).map((c) => c.name);
    const keyed = keyNames.length > 0;
    const oldValue = (name: string) => old.values[old.columns.indexOf(name)] as ColumnValue;
    if (change.kind === 'delete' && keyed) {
      const lits = keyNames.map((k) => mysqlLiteral(oldValue(k), colInfo(cols, rel, k).kind));
      const head =
        keyNames.length === 1
          ? `DELETE FROM ${qname(rel)} WHERE ${quoteMySqlIdent(keyNames[0] as string)} IN `
          : `DELETE FROM ${qname(rel)} WHERE (${keyNames.map(quoteMySqlIdent).join(', ')}) IN `;
      extend('delete', rel, head, keyNames.length === 1 ? (lits[0] as string) : `(${lits.join(', ')})`);
      continue;
    }
    // keyless tables: the whole before-image identifies one row
    const where = (keyed ? keyNames : old.columns.filter((n) => !colInfo(cols, rel, n).generated))
      .map((n) => `${quoteMySqlIdent(n)} ${keyed ? '=' : '<=>'} ${mysqlLiteral(oldValue(n), colInfo(cols, rel, n).kind)}`)
      .join(' AND ');
    if (change.kind === 'delete') {
      single(rel, `DELETE FROM ${qname(rel)} WHERE ${where} LIMIT 1`, { deletes: 1 });
      continue;
    }
    const sets: string[] = [];
    change.new.columns.forEach((name, i) => {
      const info = colInfo(cols, rel, name);
      if (info.generated) return;
      const v = change.new.values[i] as ColumnValue;
      if (v === oldValue(name)) return;
      sets.push(`${quoteMySqlIdent(name)} = ${mysqlLiteral(v, info.kind)}`);
    });
    // an update that changed nothing still counts (the source logged it)
    if (!sets.length) {
      single(rel, 'DO 0', { updates: 1 });
      continue;
    }
    single(rel, `UPDATE ${qname(rel)} SET ${sets.join(', ')} WHERE ${where}${keyed ? '' : ' LIMIT 1'}`, { updates: 1 });
  }
  flush();
  return out;
}
