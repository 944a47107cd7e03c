/**
 * Row changes as T-SQL for a SQL Server destination, in source order:
 * runs of inserts into one table become one `MERGE` (an upsert: a row
 * the full load already holds is overwritten, never duplicated) of up to
 * 1,000 rows; updates and deletes address the row by its key (or, keyless,
 * by every old value, one row: `TOP (1)`). Identity columns are written as
 * the source had them (`SET IDENTITY_INSERT … ON` around the statements of
 * that table); computed and rowversion columns never.
 */
import type { CanonicalType } from '../canonical-type.js';
import type { QualifiedName } from '../catalog.js';
import type { ChangeEvent, ColumnValue, RowImage } from '../change-event.js';
import { UNCHANGED } from '../change-event.js';
import { sqlServerLiteral } from './mssql-literal.js';
import { quoteSqlServerIdent, quoteSqlServerQualified } from './mssql-quote.js';

/** What the apply needs of a destination table. */
export interface ApplyTable {
  table: QualifiedName;
  /** Writable columns (not computed, not rowversion) with their native and canonical types. */
  columns: ReadonlyMap<string, { nativeType: string; canonical?: CanonicalType }>;
  /** Key columns (primary key, or a unique key of NOT NULL columns); empty: keyless. */
  key: readonly string[];
  /** The identity column (written with IDENTITY_INSERT ON, never in an UPDATE's SET), or null. */
  identityColumn: string | null;
}

/** Most rows of one table value constructor (a T-SQL limit). */
export const MAX_VALUES_ROWS = 1000;

type RowChange = Extract<ChangeEvent, { kind: 'insert' | 'update' | 'delete' }>;

const q = quoteSqlServerIdent;

function valueOf(img: RowImage, name: string): ColumnValue | undefined {
  const i = img.columns.indexOf(name);
  return i < 0 ? undefined : img.values[i];
}

function literal(t: ApplyTable, name: string, v: ColumnValue): string {
  if (v === UNCHANGED) throw new Error(`column ${name} arrived without a value`);
  const c = t.columns.get(name);
  if (!c) throw new Error(`column ${name} is not a writable column of ${t.table.schema}.${t.table.name}`);
  return sqlServerLiteral(c.nativeType, c.canonical, v);
}

/** Writable columns an image carries, in image order. */
function written(t: ApplyTable, img: RowImage): string[] {
  return img.columns.filter((c, i) => t.columns.has(c) && img.values[i] !== UNCHANGED);
}

/** `[k] = v AND …` of the key (or every old column of a keyless table, NULL-safe). */
export function whereRow(t: ApplyTable, old: RowImage): string {
  const cols = t.key.length ? [...t.key] : written(t, old);
  return cols
    .map((c) => {
      const v = valueOf(old, c);
      if (v === undefined) throw new Error(`the old image of ${t.table.schema}.${t.table.name} has no ${c}`);
      return v === null ? `${q(c)} IS NULL` : `${q(c)} = ${literal(t, c, v)}`;
    })
    .join(' AND ');
}

/** One MERGE upserting `rows` (keyless: a plain INSERT; `tablock`: a bulk load's, holding the table lock). */
export function insertSql(t: ApplyTable, rows: readonly RowImage[], opts: { tablock?: boolean } = {}): string {
  const first = rows[0];
  if (!first) return '';
  const cols = written(t, first);
  const table = quoteSqlServerQualified(t.table);
  const values = rows.map((r) => `(${cols.map((c) => literal(t, c, valueOf(r, c) ?? null)).join(', ')})`).join(',\n  ');
  const list = cols.map(q).join(', ');
  if (!t.key.length) return `INSERT INTO ${table}${opts.tablock ? ' WITH (TABLOCK)' : ''} (${list}) VALUES\n  ${values};`;
  const on = t.key.map((k) => `d.${q(k)} = s.${q(k)}`).join(' AND ');
  const set = cols.filter((c) => !t.key.includes(c) && c !== t.identityColumn);
  return `MERGE ${table} WITH (HOLDLOCK) AS d
USING (VALUES
  ${values}) AS s (${list})
ON ${on}${set.length ? `\nWHEN MATCHED THEN UPDATE SET ${set.map((c) => `d.${q(c)} = s.${q(c)}`).join(', ')}` : ''}
WHEN NOT MATCHED THEN INSERT (${list}) VALUES (${cols.map((c) => `s.${q(c)}`).join(', ')});`;
}

/**
 * An UPDATE addressing the old row. An identity column cannot be updated:
 * when the change moves it, the row is deleted and inserted again.
 */
export function updateSql(t: ApplyTable, old: RowImage | null, next: RowImage): string {
  const id = t.identityColumn;
  if (id && old && valueOf(old, id) !== undefined && valueOf(old, id) !== valueOf(next, id)) {
    return `${deleteSql(t, old)}\n${insertSql(t, [next])}`;
  }
  const cols = written(t, next).filter((c) => c !== id);
  if (!cols.length) return '';
  const set = cols.map((c) => `${q(c)} = ${literal(t, c, valueOf(next, c) ?? null)}`).join(', ');
  const where = whereRow(t, old ?? next);
  return `UPDATE ${t.key.length ? '' : 'TOP (1) '}${quoteSqlServerQualified(t.table)} SET ${set} WHERE ${where};`;
}

export function deleteSql(t: ApplyTable, old: RowImage): string {
  return `DELETE ${t.key.length ? '' : 'TOP (1) '}FROM ${quoteSqlServerQualified(t.table)} WHERE ${whereRow(t, old)};`;
}

/** One statement group of one table (for per-table failure accounting). */
export interface TableStatements {
  table: string;
  sql: string;
  inserts: number;
  updates: number;
  deletes: number;
  /** What to run when `sql` failed midway (session settings are not undone by a rollback), or null. */
  reset: string | null;
}

/**
 * The statements of row changes in source order: consecutive inserts of a
 * table merged (up to MAX_VALUES_ROWS), identity inserts switched on per run.
 */
export function changeStatements(events: readonly RowChange[], tableOf: (r: QualifiedName) => ApplyTable): TableStatements[] {
  const out: TableStatements[] = [];
  let i = 0;
  while (i < events.length) {
    const ev = events[i] as RowChange;
    const t = tableOf(ev.relation);
    const key = `${t.table.schema}.${t.table.name}`;
    const run: RowChange[] = [];
    while (i < events.length) {
      const e = events[i] as RowChange;
      if (tableOf(e.relation) !== t) break;
      run.push(e);
      i++;
    }
    const group: TableStatements = { table: key, sql: '', inserts: 0, updates: 0, deletes: 0, reset: null };
    const parts: string[] = [];
    let inserts: RowImage[] = [];
    const flush = () => {
      for (let k = 0; k < inserts.length; k += MAX_VALUES_ROWS) parts.push(insertSql(t, inserts.slice(k, k + MAX_VALUES_ROWS)));
      inserts = [];
    };
    for (const e of run) {
      if (e.kind === 'insert') {
        // one MERGE takes rows of one column list
        if (inserts[0] && inserts[0].columns !== e.new.columns) flush();
        inserts.push(e.new);
        group.inserts++;
        continue;
      }
      flush();
      if (e.kind === 'update') {
        parts.push(updateSql(t, e.old, e.new));
        group.updates++;
      } else {
        parts.push(deleteSql(t, e.old));
        group.deletes++;
      }
    }
    flush();
    const table = quoteSqlServerQualified(t.table);
    if (t.identityColumn && (group.inserts || group.updates)) {
      group.sql = [`SET IDENTITY_INSERT ${table} ON;`, ...parts, `SET IDENTITY_INSERT ${table} OFF;`].join('\n');
      group.reset = `SET IDENTITY_INSERT ${table} OFF;`;
    } else group.sql = parts.join('\n');
    out.push(group);
  }
  return out;
}
