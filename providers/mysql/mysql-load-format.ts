/**
 * The `mysql-text` copy format between two MySQL servers: `LOAD DATA`'s own
 * default file format (tab between fields, newline after rows, `\N` for NULL,
 * backslash escapes for backslash, tab, newline, carriage return and NUL)
 * over the source's stored bytes — every text column in its own charset
 * (read with `character_set_results = binary`), loaded with `CHARACTER SET
 * binary`, so nothing is converted on the way and zero dates stay zero dates.
 * Two types need a form `LOAD DATA` can take: BIT travels as its unsigned
 * number, FLOAT widened to DOUBLE (its exact value; FLOAT's own text rounds).
 */
import type { ColumnDef } from '../catalog.js';
import { quoteMySqlIdent, quoteMySqlQualified } from './mysql-quote.js';

const isBit = (c: ColumnDef) => /^bit\b/i.test(c.nativeType);
const isFloat = (c: ColumnDef) => /^float\b/i.test(c.nativeType);
const isJson = (c: ColumnDef) => /^json\b/i.test(c.nativeType);

/** The SELECT list of a `mysql-text` read. */
export function mysqlTextSelectList(columns: readonly ColumnDef[]): string {
  return columns
    .map((c) => {
      const q = quoteMySqlIdent(c.name);
      if (isBit(c)) return `CAST(${q} AS UNSIGNED)`;
      if (isFloat(c)) return `CAST(${q} AS DOUBLE)`;
      return q;
    })
    .join(', ');
}

const BACKSLASH = 0x5c;

/** One value with LOAD DATA's escapes (only when it needs them). */
export function escapeLoadData(v: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    if (b === BACKSLASH || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x00) extra++;
  }
  if (!extra) return v;
  const out = Buffer.allocUnsafe(v.length + extra);
  let o = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    const esc = b === BACKSLASH ? BACKSLASH : b === 0x09 ? 0x74 : b === 0x0a ? 0x6e : b === 0x0d ? 0x72 : b === 0 ? 0x30 : -1;
    if (esc < 0) out[o++] = b;
    else {
      out[o++] = BACKSLASH;
      out[o++] = esc;
    }
  }
  return out;
}

const NULL_TEXT = Buffer.from('\\N');
const TAB = Buffer.from('\t');
const NEWLINE = Buffer.from('\n');

/** Appends one row (the server's value bytes, null for NULL) as a LOAD DATA line to `out`; returns its length. */
export function encodeLoadDataRow(row: readonly (Buffer | null)[], out: Buffer[]): number {
  let bytes = 0;
  for (let i = 0; i < row.length; i++) {
    const raw = row[i];
    const part = raw === null || raw === undefined ? NULL_TEXT : escapeLoadData(raw);
    out.push(part, i === row.length - 1 ? NEWLINE : TAB);
    bytes += part.length + 1;
  }
  return bytes;
}

/** `LOAD DATA LOCAL INFILE` of a `mysql-text` stream of `columns` into `database`.`table`. */
export function loadDataStatement(database: string, table: string, columns: readonly ColumnDef[]): string {
  const targets: string[] = [];
  const sets: string[] = [];
  columns.forEach((c, i) => {
    const q = quoteMySqlIdent(c.name);
    if (isBit(c)) {
      targets.push(`@c${i}`);
      sets.push(`${q} = CAST(@c${i} AS UNSIGNED)`);
    } else if (isJson(c)) {
      // MySQL 8's JSON refuses binary strings
      targets.push(`@c${i}`);
      sets.push(`${q} = CONVERT(@c${i} USING utf8mb4)`);
    } else targets.push(q);
  });
  return (
    `LOAD DATA LOCAL INFILE 'rows' INTO TABLE ${quoteMySqlQualified({ schema: database, name: table })} CHARACTER SET binary ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${targets.join(', ')})` +
    (sets.length ? ` SET ${sets.join(', ')}` : '')
  );
}
