/**
 * Large tables split by key ranges (read in parallel under one snapshot):
 * boundary keys every `step` rows in key order, and the predicate of each
 * range `[previous boundary, boundary)` — a row-value comparison written
 * out, since T-SQL has no `(a, b) >= (x, y)`.
 */
import type { ColumnDef, TableDef } from '../catalog.js';
import type { TableRange } from '../provider.js';
import { sqlServerLiteral } from './mssql-literal.js';
import { quoteSqlServerIdent, quoteSqlServerQualified } from './mssql-quote.js';
import { baseTypeName, selectExpression } from './mssql-value-text.js';

/** How many ranges a table of `bytes` makes at `targetBytes` each (1: read whole). */
export function rangeCount(bytes: number, targetBytes: number, maxRanges = 256): number {
  if (targetBytes <= 0 || bytes <= targetBytes) return 1;
  return Math.min(maxRanges, Math.ceil(bytes / targetBytes));
}

function keyColumns(t: TableDef, key: readonly string[]): ColumnDef[] {
  return key.map((k) => {
    const c = t.columns.find((x) => x.name === k);
    if (!c?.canonical) throw new Error(`key column ${k} of ${t.schema}.${t.name} has no canonical type`);
    return c;
  });
}

/** The query reading boundary keys (canonical text) every `step` rows, in key order. */
export function boundaryQuery(t: TableDef, key: readonly string[], step: number): string {
  const cols = keyColumns(t, key);
  const order = cols.map((c) => quoteSqlServerIdent(c.name)).join(', ');
  const select = cols
    .map((c) => selectExpression({ name: c.name, typeName: baseTypeName(c.nativeType), canonical: c.canonical! }, 'k.'))
    .join(', ');
  return `SELECT ${select} FROM (SELECT ${order}, ROW_NUMBER() OVER (ORDER BY ${order}) AS [__rn] FROM ${quoteSqlServerQualified(t)}) AS k WHERE k.[__rn] % ${Math.max(1, Math.floor(step))} = 0 ORDER BY k.[__rn]`;
}

/**
 * `key <op> bound` as an expanded row comparison. `binaryText`: text keys
 * compare by code point (`COLLATE Latin1_General_BIN2`), as another engine's
 * destination compares them — a case-insensitive collation would not.
 */
export function keyComparison(
  cols: readonly ColumnDef[],
  bound: readonly (string | null)[],
  op: '>=' | '<' | '>' | '<=',
  binaryText = false,
): string {
  const strict = op === '>=' || op === '>' ? '>' : '<';
  const lit = (i: number) =>
    sqlServerLiteral((cols[i] as ColumnDef).nativeType, (cols[i] as ColumnDef).canonical, bound[i] ?? null);
  const ref = (c: ColumnDef) =>
    binaryText && c.canonical?.kind === 'text'
      ? `${quoteSqlServerIdent(c.name)} COLLATE Latin1_General_BIN2`
      : quoteSqlServerIdent(c.name);
  const terms: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const eq = cols.slice(0, i).map((c, j) => `${ref(c)} = ${lit(j)}`);
    const last = i === cols.length - 1;
    const cmp = `${ref(cols[i] as ColumnDef)} ${last ? op : strict} ${lit(i)}`;
    terms.push(eq.length ? `(${[...eq, cmp].join(' AND ')})` : cmp);
  }
  return terms.length === 1 ? (terms[0] as string) : `(${terms.join(' OR ')})`;
}

/** Ranges from sorted boundary keys: `[null, b1)`, `[b1, b2)`, …, `[bn, null)`. Ids stable for resume. */
export function keyRanges(
  t: TableDef,
  key: readonly string[],
  boundaries: readonly (readonly (string | null)[])[],
): TableRange[] {
  if (!boundaries.length) return [{ id: 'all', predicate: null }];
  const cols = keyColumns(t, key);
  const n = boundaries.length + 1;
  const out: TableRange[] = [];
  for (let i = 0; i < n; i++) {
    const lower = i === 0 ? null : keyComparison(cols, boundaries[i - 1] as readonly (string | null)[], '>=');
    const upper = i === n - 1 ? null : keyComparison(cols, boundaries[i] as readonly (string | null)[], '<');
    out.push({ id: `${i + 1}/${n}`, predicate: [lower, upper].filter(Boolean).join(' AND ') });
  }
  return out;
}

/** The SELECT of one range, every column in its canonical read form (generated and rowversion columns left out). */
export function rangeQuery(t: TableDef, columns: readonly ColumnDef[], predicate: string | null): string {
  const list = columns
    .map((c) => selectExpression({ name: c.name, typeName: baseTypeName(c.nativeType), canonical: c.canonical! }))
    .join(', ');
  return `SELECT ${list} FROM ${quoteSqlServerQualified(t)}${predicate ? ` WHERE ${predicate}` : ''}`;
}
