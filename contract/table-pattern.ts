import type { TableSelection } from './declaration.js';

/**
 * Table patterns are `schema.table` globs matched case-sensitively against
 * catalog names: `*` is any run of characters, `?` exactly one. A part may be
 * double-quoted to make everything inside literal (dots, `*`, `?`), with `""`
 * for a quote: `"my.schema"."Order*"`. Unquoted parts allow letters, digits,
 * `_`, `$`, `-` and the glob characters; anything else must be quoted.
 */
interface PartMatcher {
  test(name: string): boolean;
}

interface ParsedPattern {
  schema: PartMatcher;
  table: PartMatcher;
  /** The table part is an unquoted `*` alone: the pattern covers whole schemas. */
  everyTable: boolean;
}

type Part = { quoted: true; text: string } | { quoted: false; text: string };

const UNQUOTED_CHAR = /[\p{L}\p{N}_$\-*?]/u;

/** Splits a pattern into its parts, or returns the reason it is invalid. */
function splitPattern(pattern: string): Part[] | string {
  if (pattern.trim() === '') return 'empty pattern';
  const parts: Part[] = [];
  let i = 0;
  for (;;) {
    if (pattern[i] === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= pattern.length) return 'unterminated quote';
        if (pattern[i] === '"') {
          if (pattern[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += pattern[i];
        i++;
      }
      if (text === '') return 'empty quoted name';
      parts.push({ quoted: true, text });
    } else {
      let text = '';
      for (const ch of pattern.slice(i)) {
        if (ch === '.') break;
        if (ch === '"') return 'a quote may only wrap a whole name, e.g. "my.schema".orders';
        if (!UNQUOTED_CHAR.test(ch)) {
          return `invalid character "${ch}": quote names with other characters, e.g. public."odd[name]"`;
        }
        text += ch;
      }
      i += text.length;
      if (text === '') return parts.length === 0 ? 'missing schema name before "."' : 'missing table name after "."';
      parts.push({ quoted: false, text });
    }
    if (i >= pattern.length) break;
    if (pattern[i] !== '.') return 'a quoted name must be followed by "." or the end of the pattern';
    i++;
    if (i >= pattern.length) return 'missing table name after "."';
  }
  if (parts.length === 1) {
    return 'missing "." between schema and table: write schema.table (e.g. public.* for every table in public)';
  }
  if (parts.length > 2) return 'too many "." separators: a pattern is schema.table (quote names containing dots)';
  return parts;
}

/** `null` when `pattern` is valid, otherwise a one-line reason. */
export function validateTablePattern(pattern: string): string | null {
  const parts = splitPattern(pattern);
  return typeof parts === 'string' ? parts : null;
}

function compilePart(part: Part): PartMatcher {
  if (part.quoted || !/[*?]/.test(part.text)) {
    const literal = part.text;
    return { test: (name) => name === literal };
  }
  let source = '';
  for (const ch of part.text) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // `s` so `*` also crosses newlines; `u` so `?` is one code point, not one UTF-16 unit.
  const re = new RegExp(`^${source}$`, 'su');
  return { test: (name) => re.test(name) };
}

function compilePattern(pattern: string): ParsedPattern {
  const parts = splitPattern(pattern);
  if (typeof parts === 'string') throw new Error(`invalid table pattern ${JSON.stringify(pattern)}: ${parts}`);
  const [schema, table] = parts as [Part, Part];
  return { schema: compilePart(schema), table: compilePart(table), everyTable: !table.quoted && table.text === '*' };
}

/**
 * A predicate for a selection: a table is selected when any `include`
 * pattern matches it and no `exclude` pattern does. Patterns must already be
 * valid (the loader checks them); an invalid one throws. System schemas are
 * the caller's business: `*.*` matches them too.
 */
export function compileSelection(sel: TableSelection): (schema: string, table: string) => boolean {
  const include = sel.include.map(compilePattern);
  const exclude = sel.exclude.map(compilePattern);
  const hit = (list: ParsedPattern[], schema: string, table: string): boolean =>
    list.some((p) => p.schema.test(schema) && p.table.test(table));
  return (schema, table) => hit(include, schema, table) && !hit(exclude, schema, table);
}

/**
 * Schemas no selection ever covers: the server's own (PostgreSQL
 * `pg_catalog`, `pg_toast*`, `pg_temp*`, and `information_schema`) and
 * the destination's control schema `_migrate`.
 */
export function isSystemSchema(schema: string): boolean {
  return (
    schema === 'pg_catalog' ||
    schema === 'information_schema' ||
    schema === '_migrate' ||
    schema.startsWith('pg_toast') ||
    schema.startsWith('pg_temp')
  );
}

/**
 * A predicate for the schemas a selection covers, whose other objects
 * (types, functions, views, sequences…) are migrated with the selected
 * tables: a schema is selected when some `include` pattern's schema part
 * matches it and no `exclude` pattern whose table part is a bare `*` (the
 * whole schema) does. `public.orders` therefore selects schema `public`;
 * `public.audit_*` in `exclude` does not deselect it, `public.*` does. A
 * schema with no table at all is selected the same way. System schemas
 * (`isSystemSchema`) never are. Patterns must already be valid.
 */
export function compileSchemaSelection(sel: TableSelection): (schema: string) => boolean {
  const include = sel.include.map(compilePattern);
  const exclude = sel.exclude.map(compilePattern).filter((p) => p.everyTable);
  return (schema) =>
    !isSystemSchema(schema) && include.some((p) => p.schema.test(schema)) && !exclude.some((p) => p.schema.test(schema));
}
