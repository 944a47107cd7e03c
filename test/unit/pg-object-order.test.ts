import { describe, expect, it } from 'vitest';
import { orderObjects, type OrderEdge } from '../../providers/postgres/pg-object-order.js';

const show = (keys: string[], edges: OrderEdge[]): string[] =>
  orderObjects(keys, edges).steps.map((s) => (s.part ? `${s.key}#${s.part}` : s.key));

describe('orderObjects', () => {
  const cases: Array<{ name: string; keys: string[]; edges: OrderEdge[]; order: string[] }> = [
    { name: 'keeps the given order without dependencies', keys: ['c', 'a', 'b'], edges: [], order: ['c', 'a', 'b'] },
    {
      name: 'puts dependencies first, otherwise keeps the given order',
      keys: ['fn', 'table', 'view'],
      edges: [{ from: 'fn', to: 'table' }],
      order: ['table', 'fn', 'view'],
    },
    {
      // pagila: rewards_report() RETURNS SETOF customer, so the table goes first although functions come first by kind
      name: 'a function returning a table row type after the table',
      keys: ['routine:rewards_report', 'routine:last_day', 'relation:customer', 'relation:payment'],
      edges: [{ from: 'routine:rewards_report', to: 'relation:customer' }],
      order: ['routine:last_day', 'relation:customer', 'routine:rewards_report', 'relation:payment'],
    },
    {
      name: 'chains and diamonds',
      keys: ['d', 'c', 'b', 'a'],
      edges: [
        { from: 'd', to: 'b' },
        { from: 'd', to: 'c' },
        { from: 'b', to: 'a' },
        { from: 'c', to: 'a' },
      ],
      order: ['a', 'c', 'b', 'd'],
    },
    {
      name: 'ignores unknown keys and self-edges',
      keys: ['a', 'b'],
      edges: [
        { from: 'a', to: 'builtin' },
        { from: 'b', to: 'b' },
        { from: 'ghost', to: 'a' },
      ],
      order: ['a', 'b'],
    },
    {
      name: 'a soft edge outside any cycle stays attached',
      keys: ['fn', 'table'],
      edges: [{ from: 'table', to: 'fn', part: 'default:id' }],
      order: ['fn', 'table'],
    },
    {
      // a column default calls a function that returns the table's row type: the default is set afterwards
      name: 'breaks a table/function cycle at the column default',
      keys: ['routine:next_id', 'relation:t'],
      edges: [
        { from: 'routine:next_id', to: 'relation:t' },
        { from: 'relation:t', to: 'routine:next_id', part: 'default:id' },
      ],
      order: ['relation:t', 'routine:next_id', 'relation:t#default:id'],
    },
    {
      // a domain CHECK calls a function taking the domain: ALTER DOMAIN … ADD CONSTRAINT after the function
      name: 'breaks a domain/function cycle at the CHECK',
      keys: ['type:d', 'routine:ok(d)', 'relation:t'],
      edges: [
        { from: 'type:d', to: 'routine:ok(d)', part: 'check:d_ok' },
        { from: 'routine:ok(d)', to: 'type:d' },
        { from: 'relation:t', to: 'type:d' },
      ],
      order: ['type:d', 'routine:ok(d)', 'type:d#check:d_ok', 'relation:t'],
    },
    {
      name: 'moves every edge of the detached part together',
      keys: ['f', 'g', 't'],
      edges: [
        { from: 'f', to: 't' },
        { from: 't', to: 'f', part: 'default:a' },
        { from: 't', to: 'g', part: 'default:a' },
        { from: 't', to: 'g', part: 'default:b' },
      ],
      order: ['g', 't', 'f', 't#default:a'],
    },
    {
      name: 'a longer cycle is broken where it can be',
      keys: ['a', 'b', 'c'],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a', part: 'check:x' },
      ],
      order: ['c', 'b', 'a', 'c#check:x'],
    },
    {
      name: 'two independent cycles',
      keys: ['f1', 't1', 'f2', 't2'],
      edges: [
        { from: 'f1', to: 't1' },
        { from: 't1', to: 'f1', part: 'default:x' },
        { from: 'f2', to: 't2' },
        { from: 't2', to: 'f2', part: 'default:y' },
      ],
      order: ['t1', 'f1', 't1#default:x', 't2', 'f2', 't2#default:y'],
    },
  ];

  it.each(cases)('$name', ({ keys, edges, order }) => {
    const result = orderObjects(keys, edges);
    expect(show(keys, edges)).toEqual(order);
    expect(result.unresolved).toEqual([]);
    // every edge that was kept is satisfied by the order
    const at = new Map(result.steps.map((s, i) => [s.part ? `${s.key}#${s.part}` : s.key, i]));
    for (const e of edges) {
      if (!keys.includes(e.from) || !keys.includes(e.to) || e.from === e.to) continue;
      const detached = e.part !== undefined && result.detached.get(e.from)?.has(e.part);
      const from = at.get(detached ? `${e.from}#${e.part}` : e.from) ?? -1;
      expect(from, `${e.from} -> ${e.to}`).toBeGreaterThan(at.get(e.to) ?? Infinity);
    }
  });

  it('reports which parts were detached', () => {
    const r = orderObjects(
      ['f', 't'],
      [
        { from: 'f', to: 't' },
        { from: 't', to: 'f', part: 'default:id' },
      ],
    );
    expect([...(r.detached.get('t') ?? [])]).toEqual(['default:id']);
    expect(r.detached.has('f')).toBe(false);
  });

  it('reports a cycle no part can break and still orders everything once', () => {
    const r = orderObjects(
      ['v1', 'v2', 'x'],
      [
        { from: 'v1', to: 'v2' },
        { from: 'v2', to: 'v1' },
      ],
    );
    expect(r.unresolved).toEqual([['v1', 'v2']]);
    expect(r.steps.map((s) => s.key).sort()).toEqual(['v1', 'v2', 'x']);
  });

  it('orders thousands of objects quickly', () => {
    const keys = Array.from({ length: 20000 }, (_, i) => `k${i}`);
    const edges = keys.slice(1).map((k, i) => ({ from: keys[i] as string, to: k }));
    const started = performance.now();
    const r = orderObjects(keys, edges);
    expect(r.steps[0]?.key).toBe('k19999');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
