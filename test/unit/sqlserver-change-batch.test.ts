import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../providers/change-event.js';
import { takeBatch } from '../../providers/sqlserver/mssql-change-batch.js';
import type { DecodedTransaction } from '../../providers/sqlserver/mssql-change-rows.js';

const rel = { schema: 'dbo', name: 't', id: 0, columns: [], replicaIdentity: 'default' as const };

/** A transaction of `rows` inserts (begin + rows + commit events). */
function tx(n: number, rows: number): DecodedTransaction {
  const end = `end${n}`;
  const events: ChangeEvent[] = [
    { kind: 'begin', xid: String(n), finalPosition: `start${n}`, commitTime: `t${n}` },
    ...Array.from({ length: rows }, (_, i) => ({
      kind: 'insert' as const,
      relation: rel,
      new: { columns: ['id'], values: [`${n}.${i}`] },
    })),
    { kind: 'commit', commitPosition: end, endPosition: end, commitTime: `t${n}` },
  ];
  return { commitLsn: String(n), events, endPosition: end, bytes: 0 };
}

describe('change batches', () => {
  it('takes whole transactions up to the event bound', () => {
    const queue = [tx(1, 2), tx(2, 2), tx(3, 2)];
    const b = takeBatch(queue, { sent: 0 }, 9);
    expect([b.transactions, b.events.length, b.endPosition, b.lastCommitTime, b.partial]).toEqual([2, 8, 'end2', 't2', false]);
    expect(queue).toHaveLength(1);
  });

  it('always takes one whole transaction that fits, and nothing from an empty queue', () => {
    expect(takeBatch([tx(1, 3)], { sent: 0 }, 5).transactions).toBe(1);
    expect(takeBatch([], { sent: 0 }, 5)).toEqual({
      events: [],
      endPosition: null,
      lastCommitTime: null,
      transactions: 0,
      partial: false,
    });
  });

  it('sends a transaction larger than a batch in partial pieces, its commit in the last', () => {
    const queue = [tx(1, 10), tx(2, 1)];
    const cursor = { sent: 0 };
    const pieces = [];
    for (;;) {
      const b = takeBatch(queue, cursor, 4);
      pieces.push(b);
      if (!b.partial) break;
    }
    expect(pieces.map((b) => [b.events.length, b.partial, b.transactions, b.endPosition])).toEqual([
      [4, true, 0, null],
      [4, true, 0, null],
      [4, false, 1, 'end1'],
    ]);
    expect(pieces.flatMap((b) => b.events)).toEqual(tx(1, 10).events);
    expect(pieces[0]!.events[0]!.kind).toBe('begin');
    expect(cursor.sent).toBe(0);
    expect(takeBatch(queue, cursor, 4).endPosition).toBe('end2');
  });

  it('does not start a large transaction behind complete ones', () => {
    const queue = [tx(1, 1), tx(2, 10)];
    const b = takeBatch(queue, { sent: 0 }, 5);
    expect([b.transactions, b.partial, b.endPosition]).toEqual([1, false, 'end1']);
  });
});
