/**
 * The `mysql-text` copy format between two MySQL servers: `LOAD DATA`'s own
 * default file format (tab between fields, newline after rows, `\N` for NULL,
 * backslash escapes for backslash, tab, newline, carriage return and NUL)
 * over the source's stored bytes — every text column in its own charset
 * (read with `character_set_results = binary`), loaded with `CHARACTER SET
 * binary`, so nothing is converted on the way and zero dates stay zero dates.
 * Two types need a form `LOAD DATA` can take: BIT travels as its unsigned
 * number, FLOAT widened to DOUBLE (its exact value; FLOAT's own text rounds).
 * The lines are made from the row packets (mysql-raw-rows.ts).
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
