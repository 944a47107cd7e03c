import { describe, expect, it } from 'vitest';
import {
  nextWindowRange,
  oldestAvailableScn,
  planMiningWindow,
  RedoGapError,
  type RedoLogRow,
} from '../../providers/oracle/oracle-mining-window.js';

const MAX = 18446744073709551615n;
const log = (seq: number, first: number, next: bigint | number, archived: boolean, thread = 1): RedoLogRow => ({
  name: `${archived ? '/arch' : '/redo'}/t${thread}_${seq}.log`,
  thread,
  sequence: seq,
  firstScn: BigInt(first),
  nextScn: BigInt(next),
  archived,
});

describe('mining windows', () => {
  it.each([
    // [last mined, current, max span, want]
    ['100', '100', '1000', null],
    ['100', '90', '1000', null],
    ['100', '101', '1000', ['101', '101']],
    ['100', '5000', '1000', ['101', '1100']],
    ['100', '1100', '1000', ['101', '1100']],
    ['0', '18446744073709551615', '1', ['1', '1']],
  ] as const)('after %s with the database at %s (span %s): %j', (last, current, span, want) => {
    const r = nextWindowRange(BigInt(last), BigInt(current), BigInt(span));
    expect(r === null ? null : [String(r.startScn), String(r.endScn)]).toEqual(want);
  });

  it('refuses an empty span', () => {
    expect(() => nextWindowRange(1n, 5n, 0n)).toThrow(RangeError);
  });

  const LOGS = [
    log(10, 1000, 2000, true),
    log(11, 2000, 3000, true),
    log(11, 2000, 3000, false), // still online too
    log(12, 3000, 4000, false),
    log(13, 4000, MAX, false), // current
  ];

  it.each([
    ['inside one archived log', 1500, 1600, ['/arch/t1_10.log']],
    ['the archived copy wins over the online one', 2100, 2200, ['/arch/t1_11.log']],
    ['across archived and online logs', 1999, 3500, ['/arch/t1_10.log', '/arch/t1_11.log', '/redo/t1_12.log']],
    ['up to the current log', 3999, 4500, ['/redo/t1_12.log', '/redo/t1_13.log']],
    ['at a log boundary (NEXT_CHANGE# is exclusive)', 2000, 2000, ['/arch/t1_11.log']],
  ] as const)('%s', (_name, start, end, files) => {
    expect(planMiningWindow({ startScn: BigInt(start), endScn: BigInt(end) }, LOGS).files).toEqual(files);
  });

  it('names the gap when the log holding the start is gone', () => {
    const logs = LOGS.filter((l) => l.sequence !== 10);
    expect(() => planMiningWindow({ startScn: 1500n, endScn: 2500n }, logs)).toThrow(RedoGapError);
    expect(() => planMiningWindow({ startScn: 1500n, endScn: 2500n }, logs)).toThrow(/SCN 1500 .*oldest available: 2000/);
  });

  it('names a missing sequence inside the window', () => {
    const logs = LOGS.filter((l) => l.sequence !== 11);
    expect(() => planMiningWindow({ startScn: 1500n, endScn: 3500n }, logs)).toThrow(/sequence 11 of thread 1/);
  });

  it('takes every thread of a RAC database, by thread then sequence', () => {
    const logs = [log(5, 100, 300, true, 2), log(7, 100, 200, true, 1), log(8, 200, 400, false, 1), log(6, 300, MAX, false, 2)];
    expect(planMiningWindow({ startScn: 150n, endScn: 350n }, logs).files).toEqual([
      '/arch/t1_7.log',
      '/redo/t1_8.log',
      '/arch/t2_5.log',
      '/redo/t2_6.log',
    ]);
  });

  it('refuses an empty window and reports no logs as a gap', () => {
    expect(() => planMiningWindow({ startScn: 5n, endScn: 4n }, LOGS)).toThrow(RangeError);
    expect(() => planMiningWindow({ startScn: 5n, endScn: 6n }, [])).toThrow(RedoGapError);
  });

  it('knows the oldest SCN still available', () => {
    expect(oldestAvailableScn(LOGS)).toBe(1000n);
    expect(oldestAvailableScn([])).toBeNull();
  });
});
