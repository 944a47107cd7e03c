import { describe, expect, it } from 'vitest';
import { buildObjectGraph } from '../../providers/postgres/pg-object-graph.js';
import type { PgEntity, PgObjectIndex, RawDependency } from '../../providers/postgres/pg-object-index.js';

/** A hand-made object index: `cls:oid` entities and pg_depend rows between them. */
function index(entities: PgEntity[], deps: [string, string][]): PgObjectIndex {
  const dependencies: RawDependency[] = deps.map(([from, to]) => {
    const [cls, objid] = from.split(':') as [string, string];
    const [refcls, refobjid] = to.split(':') as [string, string];
    return { cls, objid, refcls, refobjid };
  });
  return { entities: new Map(entities.map((e) => [e.id, e])), dependencies };
}

const rel = (oid: string, schema: string, name: string, kind = 'r', facts = {}): PgEntity => ({
  id: `pg_class:${oid}`,
  cls: 'pg_class',
  oid,
  kind,
  schema,
  name,
  facts: { oid, name, reltype: `9${oid}`, ...facts },
});
const proc = (oid: string, schema: string, name: string, args = ''): PgEntity => ({
  id: `pg_proc:${oid}`,
  cls: 'pg_proc',
  oid,
  kind: 'f',
  schema,
  name: `${name}(${args})`,
  facts: { oid, name, args },
});
const sub = (cls: string, oid: string, kind: string, name: string, parent: string, facts = {}): PgEntity => ({
  id: `${cls}:${oid}`,
  cls,
  oid,
  kind,
  schema: null,
  name,
  parent: `pg_class:${parent}`,
  facts: { oid, name, ...facts },
});

describe('buildObjectGraph', () => {
  const idx = index(
    [
      rel('1', 'app', 'orders'),
      rel('2', 'app', 'hidden'),
      rel('3', 'app', 'peek', 'v'),
      rel('4', 'app', 'peek_more', 'v'),
      rel('5', 'app', 'hidden_id_seq', 'S'),
      { ...rel('6', 'app', 'orders_odd_idx', 'i', { backs_constraint: 'false' }), parent: 'pg_class:1' },
      proc('10', 'util', 'next_code'),
      proc('11', 'util', 'unused'),
      proc('12', 'app', 'orders_of', 'integer'),
      sub('pg_attrdef', '20', 'default', 'code', '1'),
      sub('pg_constraint', '21', 'constraint', 'orders_pkey', '1', { type: 'p', rel: '1', domain: '0' }),
      sub('pg_rewrite', '22', 'rule', '_RETURN', '3'),
      sub('pg_rewrite', '23', 'rule', '_RETURN', '4'),
      {
        id: 'pg_type:91',
        cls: 'pg_type',
        oid: '91',
        kind: 'c',
        schema: 'app',
        name: 'orders',
        facts: { oid: '91', name: 'orders', relid: '1', rel_kind: 'r' },
      },
    ],
    [
      ['pg_attrdef:20', 'pg_proc:10'], // orders.code DEFAULT util.next_code()
      ['pg_rewrite:22', 'pg_class:2'], // peek reads hidden
      ['pg_rewrite:23', 'pg_class:3'], // peek_more reads peek
      ['pg_class:5', 'pg_class:2'], // hidden_id_seq OWNED BY hidden
      ['pg_class:6', 'pg_opclass:30'], // an index with a user operator class
      ['pg_proc:12', 'pg_type:91'], // orders_of() RETURNS SETOF orders
    ],
  );
  const graph = buildObjectGraph(idx, { schemaSelected: (s) => s === 'app', tables: new Set(['1']) });

  it('migrates the selected table, the selected schema, and what they need from elsewhere', () => {
    expect([...graph.migrated].sort()).toEqual(
      ['pg_class:1', 'pg_class:5', 'pg_constraint:21', 'pg_proc:10', 'pg_proc:12'].sort(),
    );
  });

  it('leaves out what needs an unselected table or an object it cannot create, naming it', () => {
    const left = graph.excluded.map((x) => [x.entity.name, x.needs]);
    expect(left.sort()).toEqual(
      [
        ['orders_odd_idx', 'pg_opclass:30'],
        ['peek', 'pg_class:2'],
        ['peek_more', 'pg_class:3'],
      ].sort(),
    );
  });

  it('keys dependencies among what is migrated, the default as a separable part', () => {
    expect(graph.dependencies).toEqual([
      { from: 'relation:"app"."orders"', to: 'routine:"util"."next_code"()', part: 'default:code' },
      { from: 'routine:"app"."orders_of"(integer)', to: 'relation:"app"."orders"' },
    ]);
  });
});
