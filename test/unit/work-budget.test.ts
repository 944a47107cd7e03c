import { describe, expect, it } from 'vitest';
import { TIER, WorkBudget } from '../../engine/runtime/work-budget.js';

/** A unit that resolves when told to, recording when it started. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { done, open };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WorkBudget', () => {
  it('never runs more than the limit at once', async () => {
    const budget = new WorkBudget(() => 3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        budget.run({ tier: 0, size: i }, async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(budget.active).toBe(0);
    expect(budget.queued).toBe(0);
  });

  it.each([
    {
      name: 'larger first within a tier',
      queued: [
        { tier: 0, size: 1 },
        { tier: 0, size: 30 },
        { tier: 0, size: 20 },
      ],
      order: [1, 2, 0],
    },
    {
      name: 'lower tier first whatever the size',
      queued: [
        { tier: TIER.next, size: 1000 },
        { tier: TIER.open, size: 1 },
        { tier: TIER.next, size: 5000 },
      ],
      order: [1, 2, 0],
    },
    {
      name: 'arrival order among equals',
      queued: [
        { tier: 0, size: 5 },
        { tier: 0, size: 5 },
        { tier: 0, size: 5 },
      ],
      order: [0, 1, 2],
    },
  ])('orders waiting units: $name', async ({ queued, order }) => {
    const budget = new WorkBudget(() => 1);
    const blocker = gate();
    const first = budget.run({ tier: 0, size: 0 }, () => blocker.done);
    await tick();
    const started: number[] = [];
    const all = queued.map((p, i) => budget.run(p, async () => void started.push(i)));
    blocker.open();
    await Promise.all([first, ...all]);
    expect(started).toEqual(order);
  });

  it('sees work queued in the continuation of a finished unit before handing its slot on', async () => {
    const budget = new WorkBudget(() => 1);
    const started: string[] = [];
    const nextDb = budget.run({ tier: TIER.next, size: 10 }, async () => void started.push('open b'));
    const openA = budget.run({ tier: TIER.next, size: 100 }, async () => {
      started.push('open a');
      return 'a';
    });
    // the caller of "open a" queues a's tables right when it returns
    const tables = openA.then(() =>
      Promise.all([1, 2].map((i) => budget.run({ tier: TIER.open, size: i }, async () => void started.push(`a.t${i}`)))),
    );
    await Promise.all([nextDb, tables]);
    expect(started).toEqual(['open a', 'a.t2', 'a.t1', 'open b']);
  });

  it('applies a larger limit on refresh and a smaller one as units end', async () => {
    let limit = 1;
    const budget = new WorkBudget(() => limit);
    const gates = Array.from({ length: 4 }, gate);
    const runs = gates.map((g) => budget.run({ tier: 0, size: 0 }, () => g.done));
    await tick();
    expect(budget.active).toBe(1);
    expect(budget.free).toBe(0);
    limit = 3;
    expect(budget.free).toBe(2);
    budget.refresh();
    await tick();
    expect(budget.active).toBe(3);
    limit = 1;
    gates[0]?.open();
    await tick();
    expect(budget.active).toBe(2);
    expect(budget.free).toBe(0);
    for (const g of gates) g.open();
    await Promise.all(runs);
  });

  it('drops a waiting unit whose signal aborts, and rejects with the reason', async () => {
    const budget = new WorkBudget(() => 1);
    const blocker = gate();
    const first = budget.run({ tier: 0, size: 0 }, () => blocker.done);
    const abort = new AbortController();
    let ran = false;
    const waiting = budget.run(
      { tier: 0, size: 0 },
      async () => {
        ran = true;
      },
      abort.signal,
    );
    await tick();
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(budget.queued).toBe(0);
    blocker.open();
    await first;
    expect(ran).toBe(false);
  });

  it('passes a unit failure to its caller and keeps going', async () => {
    const budget = new WorkBudget(() => 1);
    const bad = budget.run({ tier: 0, size: 1 }, () => Promise.reject(new Error('copy failed')));
    const sync = budget.run({ tier: 0, size: 0 }, () => {
      throw new Error('thrown synchronously');
    });
    const good = budget.run({ tier: 0, size: 0 }, async () => 'ok');
    await expect(bad).rejects.toThrow('copy failed');
    await expect(sync).rejects.toThrow('thrown synchronously');
    await expect(good).resolves.toBe('ok');
  });
});
