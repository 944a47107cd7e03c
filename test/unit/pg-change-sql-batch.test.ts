import { describe, expect, it } from 'vitest';
import type { ChangeEvent, ChangeRelation } from '../../providers/change-event.js';
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
const types: Record<string, string> = { aid: 'integer', abalance: 'integer', note: 'text' };
const columnType = (_r: ChangeRelation, c: string) => types[c];
const update = (aid: number, balance: number | null, note = 'n'): ChangeEvent => ({
  kind: 'update',
  relation: accounts,
  old: null,
  new: { columns: ['aid', 'abalance', 'note'], values: [String(aid), balance === null ? null : String(balance), note] },
});

const narrowUpdate: ChangeEvent = {
  kind: 'update',
  relation: accounts,
  old: null,
  new: { columns: ['aid', 'abalance'], values: ['2', '2'] },
};

describe('batched updates (UPDATE … FROM VALUES)', () => {
  it('writes a run of key-preserving updates as one statement with a typed first row', () => {
    const events = Array.from({ length: 500 }, (_, i) => update(i + 1, i * 10));
    const { sql, counts } = changesToSql(events, { columnType });
    expect(sql.match(/UPDATE /g)).toHaveLength(1);
    expect(sql).toContain(`FROM (VALUES ('1'::integer, '0'::integer, 'n'::text), ('2', '10', 'n')`);
    expect(sql).toMatch(/\) AS v\(k0, c0, c1\) WHERE t\."aid" = v\.k0;$/);
    expect(counts.get('public.accounts')).toEqual({ inserts: 0, updates: 500, deletes: 0 });
  });

  it('keeps only the last image of a key updated twice in the run (NULLs included)', () => {
    const { sql } = changesToSql([update(1, 5), update(2, 6), update(1, null, 'last')], { columnType });
    expect(sql).toContain(`(VALUES ('1'::integer, NULL::integer, 'last'::text), ('2', '6', 'n'))`);
  });

  it('falls back to one UPDATE per row without column types, for key changes, and for unchanged TOAST values', () => {
    expect(changesToSql([update(1, 1), update(2, 2)]).sql.match(/UPDATE /g)).toHaveLength(2);
    const keyChange: ChangeEvent = {
      kind: 'update',
      relation: accounts,
      old: { columns: ['aid'], values: ['1'] },
      new: { columns: ['aid', 'abalance', 'note'], values: ['9', '1', 'x'] },
    };
    expect(changesToSql([keyChange], { columnType }).sql).toBe(
      `UPDATE "public"."accounts" SET "aid" = '9', "abalance" = '1', "note" = 'x' WHERE "aid" = '1';`,
    );
  });

  it('starts a new statement when the set of updated columns changes', () => {
    const { sql } = changesToSql([update(1, 1), narrowUpdate], {
      columnType,
    });
    expect(sql.match(/UPDATE /g)).toHaveLength(2);
  });
});
