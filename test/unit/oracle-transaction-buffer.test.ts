import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransactionBuffer, type BufferCodec } from '../../providers/oracle/oracle-transaction-buffer.js';

const CODEC: BufferCodec<string> = {
  size: (c) => c.length,
  encode: (c) => JSON.stringify(c),
  decode: (l) => JSON.parse(l) as string,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oracle-buffer-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const all = (buf: TransactionBuffer<string>, below: bigint) =>
  buf.takeCommitted(below).map((t) => {
    const changes = [...t.changes()];
    t.discard();
    return { xid: t.xid, commitScn: String(t.commitScn), startScn: String(t.startScn), changes };
  });

describe('the transaction buffer', () => {
  it('emits a transaction at its commit, with its changes in order', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir });
    buf.add('A', 10n, 'a1');
    buf.add('A', 11n, 'a2');
    expect(all(buf, 100n)).toEqual([]);
    buf.commit('A', 12n, null);
    expect(all(buf, 100n)).toEqual([{ xid: 'A', commitScn: '12', startScn: '10', changes: ['a1', 'a2'] }]);
    expect(buf.openTransactions).toBe(0);
    expect(buf.memoryBytes).toBe(0);
  });

  it('drops a rolled-back transaction', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir });
    buf.add('A', 10n, 'a1');
    buf.rollback('A');
    buf.commit('A', 12n, null); // a commit of nothing captured
    expect(all(buf, 100n)).toEqual([]);
    expect(buf.memoryBytes).toBe(0);
  });

  it('ignores commits and rollbacks of transactions with no captured change', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir });
    buf.commit('X', 5n, null);
    buf.rollback('Y');
    expect(all(buf, 100n)).toEqual([]);
  });

  it('orders committed transactions by commit SCN, then XID, whatever their start order', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir });
    buf.add('B', 1n, 'b');
    buf.add('A', 2n, 'a');
    buf.add('C', 3n, 'c');
    buf.add('D', 4n, 'd');
    buf.commit('C', 20n, null);
    buf.commit('B', 20n, null);
    buf.commit('A', 15n, null);
    buf.commit('D', 30n, null);
    expect(all(buf, 21n).map((t) => t.xid)).toEqual(['A', 'B', 'C']);
    expect(all(buf, 31n).map((t) => t.xid)).toEqual(['D']);
  });

  it('holds back commits at or above the bound (more commits at that SCN may follow)', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir });
    buf.add('A', 1n, 'a');
    buf.commit('A', 20n, null);
    expect(all(buf, 20n)).toEqual([]);
    expect(all(buf, 21n).map((t) => t.xid)).toEqual(['A']);
  });

  it('reports the oldest start of open and not yet taken transactions', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir });
    expect(buf.oldestStart()).toBeNull();
    buf.add('A', 10n, 'a');
    buf.add('B', 5n, 'b');
    expect(buf.oldestStart()).toBe(5n);
    buf.commit('B', 11n, null);
    expect(buf.oldestStart()).toBe(5n); // committed but not taken yet
    all(buf, 12n);
    expect(buf.oldestStart()).toBe(10n);
  });

  it('spills the largest transaction past the memory bound and reads it back in order', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir, maxBytes: 100 });
    for (let i = 0; i < 50; i++) buf.add('BIG', 1n, `big-${String(i).padStart(4, '0')}`); // 8 bytes each
    buf.add('SMALL', 2n, 's');
    expect(buf.spills).toBeGreaterThan(0);
    expect(buf.memoryBytes).toBeLessThanOrEqual(100);
    buf.commit('SMALL', 3n, null);
    buf.commit('BIG', 4n, null);
    const out = all(buf, 5n);
    expect(out.map((t) => t.xid)).toEqual(['SMALL', 'BIG']);
    expect(out[1]?.changes).toEqual(Array.from({ length: 50 }, (_, i) => `big-${String(i).padStart(4, '0')}`));
  });

  it('never holds more than the bound in memory however long a transaction grows (spill, never drop)', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir, maxBytes: 1024 });
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      buf.add('LONG', 1n, `row ${i} ${'ü'.repeat(i % 7)}`);
      expect(buf.memoryBytes).toBeLessThanOrEqual(1024);
    }
    buf.commit('LONG', 2n, null);
    const [t] = buf.takeCommitted(3n);
    let count = 0;
    for (const c of t?.changes() ?? []) {
      expect(c).toBe(`row ${count} ${'ü'.repeat(count % 7)}`);
      count++;
    }
    expect(count).toBe(n);
    t?.discard();
  });

  it('removes the spill file of a rolled-back transaction, and its folder at close', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir, maxBytes: 10 });
    for (let i = 0; i < 10; i++) buf.add('A', 1n, 'xxxxxxxxxx');
    const spillDir = readdirSync(dir);
    expect(spillDir.length).toBe(1);
    expect(readdirSync(join(dir, spillDir[0] as string))).toEqual(['A.jsonl']);
    buf.rollback('A');
    expect(readdirSync(join(dir, spillDir[0] as string))).toEqual([]);
    buf.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps values with newlines and multi-byte characters intact through a spill', () => {
    const buf = new TransactionBuffer(CODEC, { directory: dir, maxBytes: 1 });
    const values = ['a\nb', '😀'.repeat(300_000), 'tab\t', ''];
    for (const v of values) buf.add('A', 1n, v);
    buf.commit('A', 2n, null);
    expect(all(buf, 3n)[0]?.changes).toEqual(values);
  });
});
