import { describe, expect, it } from 'vitest';
import { SnapshotReaders } from '../../providers/snapshot-readers.js';

describe('the readers of one snapshot', () => {
  it('hands out idle readers, queues the rest in order, and passes a released reader to the next waiting', async () => {
    const pool = new SnapshotReaders(['a', 'b'], 'shop');
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect(new Set([first, second])).toEqual(new Set(['a', 'b']));
    const order: string[] = [];
    const third = pool.acquire().then((r) => order.push(`third:${r}`));
    const fourth = pool.acquire().then((r) => order.push(`fourth:${r}`));
    pool.release(first);
    pool.release(second);
    await Promise.all([third, fourth]);
    expect(order).toEqual([`third:${first}`, `fourth:${second}`]);
  });

  it('a dropped reader is gone; with none left, and once closed, taking one fails naming the snapshot', async () => {
    const pool = new SnapshotReaders(['only'], 'shop');
    const r = await pool.acquire();
    pool.drop(r);
    await expect(pool.acquire()).rejects.toThrow('no reader of the snapshot of shop is left');
    const closing = new SnapshotReaders(['x', 'y'], 'crm');
    expect(closing.close()).toEqual(['x', 'y']);
    await expect(closing.acquire()).rejects.toThrow('the snapshot of crm is closed');
  });
});
