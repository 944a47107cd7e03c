import { describe, expect, it } from 'vitest';
import { compileSchemaSelection, compileSelection, validateTablePattern } from '../../engine/config/table-pattern.js';

describe('validateTablePattern', () => {
  it.each([
    '*.*',
    'public.*',
    'public.orders',
    'sales.order_?',
    'app$1.t-1',
    'Été.Ünïcode',
    '"my.schema"."Order*"',
    '"with ""quote"""."x"',
    'public."odd[name]"',
    '"a b".*',
  ])('accepts %s', (pattern) => {
    expect(validateTablePattern(pattern)).toBeNull();
  });

  it.each([
    ['', 'empty pattern'],
    ['   ', 'empty pattern'],
    ['public', 'missing "." between schema and table: write schema.table (e.g. public.* for every table in public)'],
    ['a.b.c', 'too many "." separators: a pattern is schema.table (quote names containing dots)'],
    ['public.[x]', 'invalid character "[": quote names with other characters, e.g. public."odd[name]"'],
    ['public.a b', 'invalid character " ": quote names with other characters, e.g. public."odd[name]"'],
    ['.orders', 'missing schema name before "."'],
    ['public.', 'missing table name after "."'],
    ['"open.x', 'unterminated quote'],
    ['"".x', 'empty quoted name'],
    ['"a"b.x', 'a quoted name must be followed by "." or the end of the pattern'],
    ['a"b".x', 'a quote may only wrap a whole name, e.g. "my.schema".orders'],
  ])('rejects %j: %s', (pattern, reason) => {
    expect(validateTablePattern(pattern)).toBe(reason);
  });
});

describe('compileSelection', () => {
  const cases: Array<{ include: string[]; exclude: string[]; yes: [string, string][]; no: [string, string][] }> = [
    {
      include: ['*.*'],
      exclude: [],
      yes: [
        ['public', 'orders'],
        ['pg_catalog', 'pg_class'],
        ['a.b', 'c'],
      ],
      no: [],
    },
    {
      include: ['public.*'],
      exclude: ['public.audit_*'],
      yes: [
        ['public', 'orders'],
        ['public', 'audit'],
        ['public', 'audit'],
      ],
      no: [
        ['public', 'audit_log'],
        ['Public', 'orders'],
        ['other', 'orders'],
      ],
    },
    {
      // `?` is exactly one character (a code point, not a UTF-16 unit).
      include: ['s.t?'],
      exclude: [],
      yes: [
        ['s', 't1'],
        ['s', 'tx'],
        ['s', 't😀'],
      ],
      no: [
        ['s', 't'],
        ['s', 't12'],
        ['S', 't1'],
      ],
    },
    {
      // Quoted parts are literal: dots, `*` and `?` match only themselves.
      include: ['"my.schema"."Order*"', '"x?".*'],
      exclude: [],
      yes: [
        ['my.schema', 'Order*'],
        ['x?', 'anything'],
      ],
      no: [
        ['my.schema', 'Orders'],
        ['myXschema', 'Order*'],
        ['x1', 'anything'],
      ],
    },
    {
      // Regex metacharacters in names are literal too.
      include: ['app$.*'],
      exclude: ['*.tmp-*'],
      yes: [['app$', 'orders']],
      no: [
        ['app', 'orders'],
        ['appX', 'orders'],
        ['app$', 'tmp-1'],
      ],
    },
    {
      include: ['"say ""hi""".*'],
      exclude: [],
      yes: [['say "hi"', 't']],
      no: [['say hi', 't']],
    },
    {
      // `*` spans any characters, including none and newlines.
      include: ['*a*.*'],
      exclude: [],
      yes: [
        ['a', 't'],
        ['xay', 't'],
        ['x\nay', 't'],
      ],
      no: [['xyz', 't']],
    },
  ];

  it.each(cases)('include $include exclude $exclude', ({ include, exclude, yes, no }) => {
    const selected = compileSelection({ include, exclude });
    for (const [schema, table] of yes) expect(selected(schema, table), `${schema}.${table}`).toBe(true);
    for (const [schema, table] of no) expect(selected(schema, table), `${schema}.${table}`).toBe(false);
  });

  it('selects nothing with an empty include list', () => {
    expect(compileSelection({ include: [], exclude: [] })('public', 'orders')).toBe(false);
  });

  it('throws on an invalid pattern (the loader rejects them first)', () => {
    expect(() => compileSelection({ include: ['public'], exclude: [] })).toThrow(/invalid table pattern "public"/);
  });
});

describe('compileSchemaSelection', () => {
  const cases: Array<{ include: string[]; exclude: string[]; yes: string[]; no: string[] }> = [
    { include: ['*.*'], exclude: [], yes: ['public', 'util', 'a.b', 'pg_catalogue'], no: [] },
    // a table pattern selects its schema; excluding some of its tables does not deselect it
    { include: ['public.orders'], exclude: ['public.audit_*'], yes: ['public'], no: ['util', 'Public'] },
    // an exclude pattern for every table of a schema removes the schema
    { include: ['*.*'], exclude: ['tmp.*', 'scratch_*.*'], yes: ['public', 'tmp2'], no: ['tmp', 'scratch_1'] },
    // a quoted "*" is a literal table name, not every table
    { include: ['*.*'], exclude: ['tmp."*"'], yes: ['tmp'], no: [] },
    // a glob table part other than a bare * is not the whole schema
    { include: ['*.*'], exclude: ['tmp.*_log', 'x.?*'], yes: ['tmp', 'x'], no: [] },
    { include: ['sales_?.*', '"my.schema".t'], exclude: [], yes: ['sales_1', 'my.schema'], no: ['sales_10', 'my'] },
    // system schemas and the control schema are never selected
    {
      include: ['*.*', 'pg_catalog.*', 'information_schema.*'],
      exclude: [],
      yes: [],
      no: ['pg_catalog', 'information_schema', 'pg_toast', 'pg_toast_temp_1', 'pg_temp_3', '_migrate'],
    },
  ];

  it.each(cases)('include $include exclude $exclude', ({ include, exclude, yes, no }) => {
    const selected = compileSchemaSelection({ include, exclude });
    for (const schema of yes) expect(selected(schema), schema).toBe(true);
    for (const schema of no) expect(selected(schema), schema).toBe(false);
  });

  it('selects nothing with an empty include list', () => {
    expect(compileSchemaSelection({ include: [], exclude: [] })('public')).toBe(false);
  });
});
