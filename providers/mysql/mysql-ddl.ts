/**
 * A MySQL source's own DDL (`SHOW CREATE …`) as a MySQL destination runs it:
 * idempotent where the server allows (`IF NOT EXISTS`), without the source's
 * DEFINER (the destination connection user defines the object: the source's
 * accounts need not exist there), and with the source database's name in
 * qualified references replaced by the target's when they differ.
 */
import { quoteMySqlIdent } from './mysql-quote.js';

const IDENT = "(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[\\w$.%-]+)";
const DEFINER = new RegExp(`\\s+DEFINER\\s*=\\s*(?:CURRENT_USER(?:\\(\\))?|${IDENT}(?:\\s*@\\s*${IDENT})?)`, 'i');

/** The statement without its `DEFINER=…` clause. */
export function withoutDefiner(create: string): string {
  return create.replace(DEFINER, '');
}

/** `CREATE TABLE` → `CREATE TABLE IF NOT EXISTS` (the first occurrence only). */
export function createTableIfNotExists(create: string): string {
  return create.replace(/^\s*CREATE\s+TABLE\s+(?!IF\s+NOT\s+EXISTS)/i, 'CREATE TABLE IF NOT EXISTS ');
}

/**
 * References qualified with the source database (`src`.`t`) written for the
 * target. Text inside string literals is left alone only where it is not
 * quoted as an identifier; an identifier-quoted `src` followed by a dot is a
 * qualifier in every statement MySQL prints.
 */
export function retargetDatabase(sql: string, source: string, target: string): string {
  if (source === target) return sql;
  const from = `${quoteMySqlIdent(source)}.`;
  return sql.split(from).join(`${quoteMySqlIdent(target)}.`);
}

/**
 * `SHOW CREATE TABLE` text without the named foreign keys (their
 * `CONSTRAINT … FOREIGN KEY …` lines; the comma of the line before goes
 * when the last definition line goes).
 */
export function withoutForeignKeys(create: string, names: ReadonlySet<string>): string {
  if (!names.size) return create;
  const lines = create.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const m = /^\s*CONSTRAINT\s+`((?:[^`]|``)+)`\s+FOREIGN\s+KEY\b/i.exec(line);
    if (m && names.has((m[1] as string).replace(/``/g, '`'))) continue;
    if (/^\)/.test(line) && out.length) out[out.length - 1] = (out[out.length - 1] as string).replace(/,\s*$/, '');
    out.push(line);
  }
  return out.join('\n');
}

/** The `CONSTRAINT … FOREIGN KEY …` clauses of `SHOW CREATE TABLE` text, by constraint name. */
export function foreignKeyClauses(create: string): { name: string; clause: string }[] {
  const out: { name: string; clause: string }[] = [];
  for (const line of create.split('\n')) {
    const m = /^\s*(CONSTRAINT\s+`((?:[^`]|``)+)`\s+FOREIGN\s+KEY\b.*?),?\s*$/i.exec(line);
    if (m) out.push({ name: (m[2] as string).replace(/``/g, '`'), clause: m[1] as string });
  }
  return out;
}

/** A definition as `verify` and idempotence checks compare it: no DEFINER, no AUTO_INCREMENT counter. */
export function normalizeCreate(create: string): string {
  return withoutDefiner(create)
    .replace(/\s+AUTO_INCREMENT=\d+/i, '')
    .replace(/\s+/g, ' ')
    .trim();
}
