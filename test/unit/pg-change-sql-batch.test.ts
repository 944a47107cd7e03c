import { describe, expect, it } from 'vitest';
import { UNCHANGED, type ChangeEvent, type ChangeRelation, type ColumnValue } from '../../providers/change-event.js';
import { changesToSql } from '../../providers/postgres/pg-change-sql.js';

const accounts: ChangeRelation = {
  id: 1,
  schema: 'public',
  name: 'accounts',
  replicaIdentity: 'default',
  columns: [
    { name: 'aid', isKey: true, typeOid: 23 },
    { name: 'abalance', isKey: false, typeOid: 23 },
    { name: 'note', isKey: false, typeOid: 25 },
  ],
};
const tags: ChangeRelation = {
  id: 2,
  schema: 'public',
  name: 'tags',
  replicaIdentity: 'default',
  columns: [
    { name: 'name', isKey: true, typeOid: 25 },
    { name: 'n', isKey: false, typeOid: 23 },
  ],
};
const types: Record<string, string> = { aid: 'integer', abalance: 'integer', note: 'text', name: 'text', n: 'integer' };
const columnType = (_r: ChangeRelation, c: string) => types[c];
/** Row images of a stream share their column array. */
const ACCOUNT_COLUMNS = ['aid', 'abalance', 'note'];
const update = (aid: number, balance: number | null, note: ColumnValue = 'n'): ChangeEvent => ({
  kind: 'update',
  relation: accounts,
  old: null,
  new: { columns: ACCOUNT_COLUMNS, values: [String(aid), balance === null ? null : String(balance), note] },
});
const insert = (aid: number, note: ColumnValue): ChangeEvent => ({
  kind: 'insert',
  relation: accounts,
  new: { columns: ACCOUNT_COLUMNS, values: [String(aid), '0', note] },
});
const statements = (sql: string) => (sql ? sql.split(';\n') : []);

describe('set-based updates (UPDATE … FROM unnest)', () => {
  it('writes a run of key-preserving updates as one statement, casting each array to its column type', () => {
    const events = Array.from({ length: 500 }, (_, i) => update(i + 1, i * 10));
    const { sql, counts } = changesToSql(events, { columnType });
    expect(statements(sql)).toHaveLength(1);
    expect(sql).toMatch(
      /^UPDATE ONLY "public"\."accounts" AS t SET "abalance" = v\.c0::integer, "note" = v\.c1::text FROM unnest\('\{"1","2",/,
    );
    expect(sql).toMatch(/::text\[\]\) AS v\(k0, c0, c1\) WHERE t\."aid" = v\.k0::integer;$/);
    expect(counts.get('public.accounts')).toEqual({ inserts: 0, updates: 500, deletes: 0 });
  });

  it('orders rows by key: numerically for integer keys, as text otherwise', () => {
    const { sql } = changesToSql([update(10, 1), update(9, 2), update(100, 3), update(-5, 4)], { columnType });
    expect(sql).toContain(`unnest('{"-5","9","10","100"}'::text[], '{"4","2","1","3"}'::text[]`);
    const tag = (name: string, n: string): ChangeEvent => ({
      kind: 'update',
      relation: tags,
      old: null,
      new: { columns: ['name', 'n'], values: [name, n] },
    });
    expect(changesToSql([tag('b', '1'), tag('a', '2'), tag('B', '3')], { columnType }).sql).toContain(
      `unnest('{"B","a","b"}'::text[], '{"3","2","1"}'::text[])`,
    );
  });

  it('keeps only the last image of a key updated twice in the run (NULLs included)', () => {
    const { sql } = changesToSql([update(1, 5), update(2, 6), update(1, null, 'last')], { columnType });
    expect(sql).toContain(`unnest('{"1","2"}'::text[], '{NULL,"6"}'::text[], '{"last","n"}'::text[])`);
  });

  it('falls back to one UPDATE per row without column types and for key changes', () => {
    expect(statements(changesToSql([update(1, 1), update(2, 2)]).sql)).toEqual([
      `UPDATE ONLY "public"."accounts" SET "abalance" = '1', "note" = 'n' WHERE "aid" = '1'`,
      `UPDATE ONLY "public"."accounts" SET "abalance" = '2', "note" = 'n' WHERE "aid" = '2';`,
    ]);
    const keyChange: ChangeEvent = {
      kind: 'update',
      relation: accounts,
      old: { columns: ['aid'], values: ['1'] },
      new: { columns: ACCOUNT_COLUMNS, values: ['9', '1', 'x'] },
    };
    expect(changesToSql([keyChange], { columnType }).sql).toBe(
      `UPDATE ONLY "public"."accounts" SET "aid" = '9', "abalance" = '1', "note" = 'x' WHERE "aid" = '1';`,
    );
  });

  it('leaves unchanged TOAST values out of SET, in a statement of their own shape', () => {
    const { sql } = changesToSql([update(1, 1), update(2, 2, UNCHANGED), update(3, 3, UNCHANGED), update(4, 4)], {
      columnType,
    });
    expect(statements(sql)).toEqual([
      `UPDATE ONLY "public"."accounts" AS t SET "abalance" = v.c0::integer, "note" = v.c1::text FROM unnest('{"1"}'::text[], '{"1"}'::text[], '{"n"}'::text[]) AS v(k0, c0, c1) WHERE t."aid" = v.k0::integer`,
      `UPDATE ONLY "public"."accounts" AS t SET "abalance" = v.c0::integer FROM unnest('{"2","3"}'::text[], '{"2","3"}'::text[]) AS v(k0, c0) WHERE t."aid" = v.k0::integer`,
      `UPDATE ONLY "public"."accounts" AS t SET "abalance" = v.c0::integer, "note" = v.c1::text FROM unnest('{"4"}'::text[], '{"4"}'::text[], '{"n"}'::text[]) AS v(k0, c0, c1) WHERE t."aid" = v.k0::integer;`,
    ]);
  });
});

describe('set-based inserts (INSERT … SELECT FROM unnest)', () => {
  it.each<[string, ColumnValue, string]>([
    ['plain text', 'abc', `'{"abc"}'`],
    ['NULL', null, `'{NULL}'`],
    ['the word NULL', 'NULL', `'{"NULL"}'`],
    ['empty string', '', `'{""}'`],
    ['double quote', 'a"b', `E'{"a\\\\"b"}'`],
    ['backslash', 'c:\\dir', `E'{"c:\\\\\\\\dir"}'`],
    ['single quote', "it's", `'{"it''s"}'`],
    ['braces and commas', '{x,y}', `'{"{x,y}"}'`],
    ['newline and tab', 'a\nb\tc', `'{"a\nb\tc"}'`],
  ])('escapes %s as an array element inside a string literal', (_name, value, expected) => {
    const { sql } = changesToSql([insert(1, value)], { columnType });
    expect(sql).toBe(
      `INSERT INTO "public"."accounts" ("aid", "abalance", "note") OVERRIDING SYSTEM VALUE SELECT v.c0::integer, v.c1::integer, v.c2::text ` +
        `FROM unnest('{"1"}'::text[], '{"0"}'::text[], ${expected}::text[]) AS v(c0, c1, c2);`,
    );
  });

  it('caps a statement at 5000 rows and keeps source order for inserts', () => {
    const events = Array.from({ length: 12_000 }, (_, i) => insert(12_000 - i, 'x'));
    const { sql, counts } = changesToSql(events, { columnType });
    const parts = statements(sql);
    expect(parts).toHaveLength(3);
    expect(parts[0]).toContain(`unnest('{"12000","11999",`);
    expect(counts.get('public.accounts')?.inserts).toBe(12_000);
  });

  it('uses VALUES of untyped literals when a column type is unknown', () => {
    const { sql } = changesToSql([insert(1, 'a'), insert(2, 'b')], {
      columnType: (_r, c) => (c === 'note' ? undefined : 'integer'),
    });
    expect(sql).toBe(
      `INSERT INTO "public"."accounts" ("aid", "abalance", "note") OVERRIDING SYSTEM VALUE VALUES ('1', '0', 'a'), ('2', '0', 'b');`,
    );
  });

  it('starts a new statement when the kind or table changes, never reordering across them', () => {
    const del: ChangeEvent = { kind: 'delete', relation: accounts, old: { columns: ['aid'], values: ['1'] } };
    const { sql } = changesToSql([insert(1, 'a'), update(1, 2), del, insert(1, 'b')], { columnType });
    expect(statements(sql).map((s) => s.split(' ')[0])).toEqual(['INSERT', 'UPDATE', 'DELETE', 'INSERT']);
  });
});
