import { describe, expect, it } from 'vitest';
import {
  commitIsAfter,
  compareOraclePositions,
  formatOraclePosition,
  minScn,
  OraclePositionError,
  parseOraclePosition,
  parseScn,
  snapshotPosition,
} from '../../providers/oracle/oracle-scn.js';

const X1 = '0A001B00C4010000';
const X2 = '0A001B00C4010001';
const X9 = 'FF00000000000000';

describe('Oracle positions', () => {
  it.each([
    ['100', null, '100', '100@100'],
    ['100', X1, '90', `100:${X1}@90`],
    ['0', null, '0', '0@0'],
    ['18446744073709551615', X9, '1', `18446744073709551615:${X9}@1`],
  ])('formats and parses SCN %s xid %s restart %s as %s', (scn, xid, restart, text) => {
    const p = { scn: BigInt(scn), xid, restartScn: BigInt(restart) };
    expect(formatOraclePosition(p)).toBe(text);
    expect(parseOraclePosition(text)).toEqual(p);
  });

  it.each([
    ['100'],
    ['100:'],
    ['100@'],
    ['abc@1'],
    ['100:0a001b00c4010000@90'], // lowercase xid is not what we write
    ['100:0A001B@90'],
    ['100@101'], // restart after the position
    ['-1@0'],
    [''],
    ['1.5@1'],
  ])('rejects %j', (text) => {
    expect(() => parseOraclePosition(text)).toThrow(OraclePositionError);
  });

  it('refuses to format a restart after the position, a bad xid, negative SCNs', () => {
    expect(() => formatOraclePosition({ scn: 5n, xid: null, restartScn: 6n })).toThrow(OraclePositionError);
    expect(() => formatOraclePosition({ scn: 5n, xid: 'nothex', restartScn: 1n })).toThrow(OraclePositionError);
    expect(() => formatOraclePosition({ scn: -5n, xid: null, restartScn: -6n })).toThrow(OraclePositionError);
  });

  // ordered list: every earlier entry compares below every later one
  const ORDERED = [`9@1`, `9:${X1}@1`, `9:${X2}@9`, `10@2`, `10:${X1}@1`, `10:${X9}@3`, `11@11`, `99999999999999999999@1`];

  it.each(ORDERED.flatMap((a, i) => ORDERED.map((b, j) => [a, b, Math.sign(i - j)] as const)))(
    'compare(%s, %s) = %i',
    (a, b, want) => {
      expect(compareOraclePositions(a, b)).toBe(want);
    },
  );

  it('ignores the restart SCN in the order', () => {
    expect(compareOraclePositions(`10:${X1}@1`, `10:${X1}@10`)).toBe(0);
    expect(compareOraclePositions('10@1', '10@10')).toBe(0);
  });

  it('compares SCNs beyond 2^53 exactly', () => {
    expect(compareOraclePositions('9007199254740993@1', '9007199254740992@1')).toBe(1);
  });

  describe('snapshots and resume', () => {
    it('a snapshot AS OF SCN S is the boundary before commits at S+1', () => {
      expect(snapshotPosition(1000n, 950n)).toBe('1001@950');
      expect(snapshotPosition(1000n, 2000n)).toBe('1001@1001'); // restart never after the boundary
    });

    it.each([
      // [from, commit SCN, xid, applied?]
      ['1001@950', '1000', X1, false], // committed at the snapshot SCN: in the snapshot
      ['1001@950', '999', X9, false],
      ['1001@950', '1001', X1, true],
      [`1001:${X1}@950`, '1001', X1, false], // the checkpoint itself
      [`1001:${X1}@950`, '1001', X2, true], // same SCN, later XID
      [`1001:${X2}@950`, '1001', X1, false], // same SCN, earlier XID: before the checkpoint
      [`1001:${X2}@950`, '1002', X1, true],
      ['5@5', '5', X1, true],
      ['5@5', '4', X9, false],
    ] as const)('from %s a commit at %s by %s is applied: %s', (from, scn, xid, want) => {
      expect(commitIsAfter(parseOraclePosition(from), BigInt(scn), xid)).toBe(want);
    });

    it("the engine's rule: a table read at a snapshot applies exactly the transactions committed after it", () => {
      const snap = snapshotPosition(1000n, 900n);
      // the engine applies when compare(finalPosition, syncPosition) >= 0; a begin's finalPosition is its commit position
      expect(compareOraclePositions(`1000:${X9}@900`, snap)).toBeLessThan(0);
      expect(compareOraclePositions(`1001:${X1}@900`, snap)).toBeGreaterThan(0);
    });
  });

  it.each([
    ['123', '123'],
    [' 42 ', '42'],
    [7, '7'],
    ['18446744073709551615', '18446744073709551615'],
  ] as const)('parses the SCN %j', (v, want) => {
    expect(parseScn(v)).toBe(BigInt(want));
    expect(parseScn(BigInt(want))).toBe(BigInt(want));
  });

  it.each([['1.5'], ['-1'], [''], [null], [2 ** 60], [-3], ['1e5']])('refuses the SCN %j', (v) => {
    expect(() => parseScn(v as string)).toThrow(OraclePositionError);
  });

  it('takes the smallest SCN', () => {
    expect(minScn(5n, 3n, 9n)).toBe(3n);
    expect(() => minScn()).toThrow(OraclePositionError);
  });
});
