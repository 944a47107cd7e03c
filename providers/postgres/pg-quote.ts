/**
 * Quoting for generated PostgreSQL SQL. Identifiers are always quoted, even
 * when they would not need it, so reserved words, mixed case and spaces never
 * need a special case and the generated text is identical across versions.
 */
import type { QualifiedName } from '../catalog.js';

/** `"name"` with inner double quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`identifier contains a NUL byte: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."name"`. */
export function quoteQualified(q: QualifiedName): string {
  return `${quoteIdent(q.schema)}.${quoteIdent(q.name)}`;
}

/** A collation as DDL names it: schema-qualified unless it is a built-in one. */
export function quoteCollation(name: string, schema?: string | null): string {
  return schema ? quoteQualified({ schema, name }) : quoteIdent(name);
}

/**
 * A string literal. Like PostgreSQL's `quote_literal`, a value containing a
 * backslash is written as `E'…'` with backslashes doubled, so the result means
 * the same whatever `standard_conforming_strings` is set to.
 */
export function quoteLiteral(s: string): string {
  if (s.includes('\0')) throw new Error('string literal contains a NUL byte');
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/**
 * `$tag$body$tag$` with a tag that does not occur in `body`, for DO blocks that
 * embed definitions taken from the catalog.
 */
export function dollarQuote(body: string): string {
  let tag = 'ddl';
  for (let i = 1; body.includes(`$${tag}$`); i++) tag = `ddl${i}`;
  return `$${tag}$${body}$${tag}$`;
}
