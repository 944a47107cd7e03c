import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import type { ChangeEvent } from '../../providers/change-event.js';
import {
  compareChangeRows,
  decodeChangeRows,
  layoutRelation,
  mergeChangeRows,
  type CaptureLayout,
  type ChangeRow,
} from '../../providers/sqlserver/mssql-change-rows.js';
import { commitEnd, transactionStart } from '../../providers/sqlserver/mssql-position.js';

const int: CanonicalType = { kind: 'int', bits: 32, unsigned: false };
const text: CanonicalType = { kind: 'text', length: 50, fixed: false, charset: null };
const dec: CanonicalType = { kind: 'decimal', precision: 19, scale: 4 };

const orders: CaptureLayout = {
  captureInstance: 'dbo_orders',
  table: { schema: 'dbo', name: 'orders' },
  columns: ['id', 'note', 'total'],
  canonical: [int, text, dec],
  key: ['id'],
};
const items: CaptureLayout = {
  captureInstance: 'dbo_items',
  table: { schema: 'dbo', name: 'items' },
  columns: ['sku', 'qty'],
  canonical: [text, int],
  key: [],
};

const L = (n: number) => `0x${n.toString(16).toUpperCase().padStart(20, '0')}`;
const row = (layout: CaptureLayout, commit: number, seq: number, op: number, values: unknown[], commandId = 0): ChangeRow => ({
  layout,
  startLsn: L(commit),
  seqval: L(seq),
  operation: op,
  commandId,
  values,
});

/** Events without relations, for compact expectations. */
function brief(events: ChangeEvent[]): unknown[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'begin':
        return ['begin', e.finalPosition];
      case 'commit':
        return ['commit', e.endPosition];
      case 'insert':
        return ['insert', e.relation.name, e.new.values];
      case 'update':
        return ['update', e.relation.name, e.old?.values ?? null, e.new.values];
      case 'delete':
        return ['delete', e.relation.name, e.old.values];
      default:
        return [e.kind];
    }
  });
}

describe('CDC change rows → canonical change events', () => {
  it('decodes operation 1 delete, 2 insert, 3+4 one update with its before image', () => {
    const txs = decodeChangeRows([
      row(orders, 10, 1, 2, [1, 'new', '1.5000']),
      row(orders, 10, 2, 3, [1, 'new', '1.5000']),
      row(orders, 10, 2, 4, [1, 'changed', '2.0000']),
      row(orders, 10, 3, 1, [1, 'changed', '2.0000']),
    ]);
    expect(txs).toHaveLength(1);
    expect(brief(txs[0]!.events)).toEqual([
      ['begin', transactionStart(L(10))],
      ['insert', 'orders', ['1', 'new', '1.5000']],
      ['update', 'orders', ['1', 'new', '1.5000'], ['1', 'changed', '2.0000']],
      ['delete', 'orders', ['1', 'changed', '2.0000']],
      ['commit', commitEnd(L(10))],
    ]);
    expect(txs[0]!.endPosition).toBe(commitEnd(L(10)));
    expect(txs[0]!.bytes).toBeGreaterThan(0);
  });

  it("takes an after image without its before image (N'all' mode) as an update without old", () => {
    const [tx] = decodeChangeRows([row(orders, 10, 1, 4, [1, 'x', '0.0000'])]);
    expect(brief(tx!.events)[1]).toEqual(['update', 'orders', null, ['1', 'x', '0.0000']]);
  });

  it('refuses a before image whose after image is not next to it', () => {
    expect(() => decodeChangeRows([row(orders, 10, 1, 3, [1, 'a', null])])).toThrow(/no after image/);
    expect(() => decodeChangeRows([row(orders, 10, 1, 3, [1, 'a', null]), row(orders, 10, 2, 4, [1, 'b', null])])).toThrow(
      /no after image/,
    );
    expect(() => decodeChangeRows([row(orders, 10, 1, 3, [1, 'a', null]), row(items, 10, 1, 4, ['s', 1])])).toThrow(
      /no after image/,
    );
  });

  it('refuses an unknown operation and rows out of order', () => {
    expect(() => decodeChangeRows([row(orders, 10, 1, 5, [1, null, null])])).toThrow(/unknown __\$operation 5/);
    expect(() => decodeChangeRows([row(orders, 11, 1, 2, [1, null, null]), row(orders, 10, 1, 2, [2, null, null])])).toThrow(
      /out of order/,
    );
  });

  it('splits transactions at each commit LSN, in commit order', () => {
    const txs = decodeChangeRows([
      row(orders, 10, 1, 2, [1, null, null]),
      row(items, 10, 2, 2, ['a', 1]),
      row(orders, 12, 1, 2, [2, null, null]),
    ]);
    expect(txs.map((t) => t.commitLsn)).toEqual([L(10), L(12)]);
    expect(brief(txs[0]!.events).map((e) => (e as unknown[])[0])).toEqual(['begin', 'insert', 'insert', 'commit']);
  });

  it('keeps a split primary-key update (delete + insert of one seqval) in command-id order', () => {
    // UPDATE orders SET id = id + 1 over ids 1 and 2: SQL Server writes deletes and inserts told apart by __$command_id
    const rows = [
      row(orders, 20, 5, 2, [3, 'b', null], 4),
      row(orders, 20, 5, 1, [2, 'b', null], 3),
      row(orders, 20, 5, 2, [2, 'a', null], 2),
      row(orders, 20, 5, 1, [1, 'a', null], 1),
    ].sort(compareChangeRows);
    const [tx] = decodeChangeRows(rows);
    expect(brief(tx!.events).slice(1, -1)).toEqual([
      ['delete', 'orders', ['1', 'a', null]],
      ['insert', 'orders', ['2', 'a', null]],
      ['delete', 'orders', ['2', 'b', null]],
      ['insert', 'orders', ['3', 'b', null]],
    ]);
  });

  it('orders by commit LSN, seqval, command id, operation', () => {
    const a = row(orders, 1, 1, 3, [], 0);
    const cases: [ChangeRow, ChangeRow, number][] = [
      [a, row(orders, 2, 0, 1, []), -1],
      [a, row(orders, 1, 2, 1, []), -1],
      [a, row(orders, 1, 1, 1, [], 1), -1],
      [a, row(orders, 1, 1, 4, []), -1],
      [a, row(orders, 1, 1, 2, []), 1],
      [a, row(items, 1, 1, 3, []), 0],
    ];
    for (const [x, y, want] of cases) expect(compareChangeRows(x, y)).toBe(want);
  });

  it('merges the change lists of several capture instances into one order, stable on ties', () => {
    const o = [row(orders, 1, 1, 2, [1, null, null]), row(orders, 3, 1, 2, [3, null, null])];
    const i = [row(items, 2, 1, 2, ['b', 2]), row(items, 3, 1, 2, ['c', 3]), row(items, 4, 1, 2, ['d', 4])];
    const merged = mergeChangeRows([o, i, []]);
    expect(merged.map((r) => [r.startLsn, r.layout.captureInstance])).toEqual([
      [L(1), 'dbo_orders'],
      [L(2), 'dbo_items'],
      [L(3), 'dbo_orders'],
      [L(3), 'dbo_items'],
      [L(4), 'dbo_items'],
    ]);
    expect(mergeChangeRows([])).toEqual([]);
  });

  it('skips events at or before a resume point inside a commit', () => {
    const rows = [
      row(orders, 10, 1, 2, [1, null, null]),
      row(orders, 10, 2, 1, [9, null, null]),
      row(orders, 10, 2, 2, [10, null, null]),
      row(orders, 10, 3, 3, [1, null, null]),
      row(orders, 10, 3, 4, [1, 'x', null]),
    ];
    const [tx] = decodeChangeRows(rows, { skipThrough: { commitLsn: L(10), changeLsn: L(2), serial: 0 } });
    expect(brief(tx!.events).slice(1, -1)).toEqual([
      ['insert', 'orders', ['10', null, null]],
      ['update', 'orders', ['1', null, null], ['1', 'x', null]],
    ]);
    expect(decodeChangeRows(rows, { skipThrough: { commitLsn: L(10), changeLsn: L(3), serial: 0 } })).toEqual([]);
  });

  it('stamps begin and commit with the commit time of cdc.lsn_time_mapping', () => {
    const [tx] = decodeChangeRows([row(orders, 10, 1, 2, [1, null, null])], {
      commitTime: (lsn) => (lsn === L(10) ? '2024-05-01T10:00:00.000Z' : undefined),
    });
    const times = tx!.events
      .filter((e) => e.kind === 'begin' || e.kind === 'commit')
      .map((e) => (e as { commitTime: string }).commitTime);
    expect(times).toEqual(['2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00.000Z']);
  });

  it('shares one relation per capture instance, keys marked, keyless tables full', () => {
    const relations = new Map();
    const txs = decodeChangeRows(
      [row(orders, 1, 1, 2, [1, null, null]), row(orders, 2, 1, 2, [2, null, null]), row(items, 3, 1, 2, ['a', 1])],
      { relations },
    );
    const rels = txs.flatMap((t) =>
      t.events.filter((e) => e.kind === 'insert').map((e) => (e as { relation: unknown }).relation),
    );
    expect(rels[0]).toBe(rels[1]);
    expect(relations.size).toBe(2);
    expect(layoutRelation(orders)).toEqual({
      engine: 'sqlserver',
      schema: 'dbo',
      name: 'orders',
      id: 0,
      columns: [
        { name: 'id', isKey: true, typeOid: 0 },
        { name: 'note', isKey: false, typeOid: 0 },
        { name: 'total', isKey: false, typeOid: 0 },
      ],
      replicaIdentity: 'default',
    });
    expect(layoutRelation(items).replicaIdentity).toBe('full');
  });

  it('converts values through the canonical types (bytes, booleans, exact integers)', () => {
    const layout: CaptureLayout = {
      captureInstance: 'dbo_v',
      table: { schema: 'dbo', name: 'v' },
      columns: ['b', 'flag', 'big'],
      canonical: [{ kind: 'bytes', length: null, fixed: false }, { kind: 'boolean' }, { kind: 'int', bits: 64, unsigned: false }],
      key: [],
    };
    const [tx] = decodeChangeRows([row(layout, 1, 1, 2, [Buffer.from('hi'), true, '9223372036854775807'])]);
    expect(brief(tx!.events)[1]).toEqual(['insert', 'v', ['\\x6869', 't', '9223372036854775807']]);
  });
});
