import { describe, expect, it } from 'vitest';
import {
  compareLsn,
  decrementLsn,
  incrementLsn,
  lsnFromBigInt,
  lsnFromBytes,
  lsnFromDecimal,
  lsnParts,
  lsnToBigInt,
  lsnToBytes,
  MAX_LSN,
  normalizeLsn,
  ZERO_LSN,
} from '../../providers/sqlserver/mssql-lsn.js';
import {
  commitEnd,
  comparePositions,
  formatPosition,
  isCommitEnd,
  parsePosition,
  resumePlan,
  snapshotPosition,
  transactionStart,
} from '../../providers/sqlserver/mssql-position.js';

const A = '0x0000002A000001F80003';
const B = '0x0000002A000001F80004';
const C = '0x0000002B000000100001';

describe('SQL Server LSNs', () => {
  it.each([
    ['0x0000002A000001F80003', A],
    ['0x0000002a000001f80003', A],
    ['0000002A000001F80003', A],
    ['  0x0000002A000001F80003 ', A],
    [ZERO_LSN, ZERO_LSN],
    [MAX_LSN.toLowerCase(), MAX_LSN],
  ])('normalizes %s', (input, out) => {
    expect(normalizeLsn(input)).toBe(out);
  });

  it.each(['', '0x', '0x123', '0x0000002A000001F8000', '0x0000002A000001F800033', '0xZZ00002A000001F80003', '42'])(
    'refuses %j',
    (bad) => {
      expect(() => normalizeLsn(bad)).toThrow(/not a SQL Server LSN/);
    },
  );

  it('round-trips through bytes and bigint', () => {
    expect(lsnFromBytes(lsnToBytes(A))).toBe(A);
    expect(lsnToBytes(A)).toHaveLength(10);
    expect(lsnFromBigInt(lsnToBigInt(C))).toBe(C);
    expect(() => lsnFromBytes(Buffer.alloc(9))).toThrow(/10 bytes/);
    expect(() => lsnFromBigInt(-1n)).toThrow(/out of range/);
    expect(() => lsnFromBigInt(1n << 80n)).toThrow(/out of range/);
  });

  it.each([
    [A, A, 0],
    [A, B, -1],
    [B, A, 1],
    [B, C, -1],
    [ZERO_LSN, A, -1],
    [MAX_LSN, C, 1],
    ['0x0000002a000001f80003', A, 0],
    // the VLF part dominates though the block part is smaller
    ['0x0000002B000000000000', '0x0000002AFFFFFFFFFFFF', 1],
  ])('compares %s and %s', (a, b, want) => {
    expect(compareLsn(a, b)).toBe(want);
  });

  it.each([
    [A, B],
    ['0x0000002A000001F8FFFF', '0x0000002A000001F90000'],
    ['0x0000002AFFFFFFFFFFFF', '0x0000002B000000000000'],
    [ZERO_LSN, '0x00000000000000000001'],
  ])('increments %s to %s (and back)', (lsn, next) => {
    expect(incrementLsn(lsn)).toBe(next);
    expect(decrementLsn(next)).toBe(normalizeLsn(lsn));
  });

  it('has no LSN after the largest or before zero', () => {
    expect(() => incrementLsn(MAX_LSN)).toThrow(/no LSN follows/);
    expect(() => decrementLsn(ZERO_LSN)).toThrow(/no LSN precedes/);
  });

  it('splits into the VLF:block:slot parts SQL Server prints', () => {
    expect(lsnParts(A)).toEqual({ vlf: 42, block: 504, slot: 3 });
  });

  it.each([
    ['42000000050400003', A],
    ['27000000082400001', '0x0000001B000003380001'],
    ['0', ZERO_LSN],
    ['1000000000000001', '0x00000001000000000001'],
    ['100001', '0x00000000000000010001'],
  ])('reads the decimal LSN %s of sys.dm_tran_database_transactions', (dec, hex) => {
    expect(lsnFromDecimal(dec)).toBe(hex);
  });

  it.each(['', '-1', '12a', '4294967296000000000000000', '1' + '0'.repeat(25)])('refuses the decimal LSN %j', (bad) => {
    expect(() => lsnFromDecimal(bad)).toThrow();
  });
});

describe('SQL Server change positions', () => {
  it('formats and parses commitLsn:changeLsn:serial', () => {
    const p = { commitLsn: A, changeLsn: B, serial: 2 };
    expect(formatPosition(p)).toBe(`${A}:${B}:2`);
    expect(parsePosition(`${A.toLowerCase()}:${B}:2`)).toEqual(p);
  });

  it.each([A, `${A}:${B}`, `${A}:${B}:x`, `${A}:${B}:-1`, `${A}:${B}:1:2`, `nope:${B}:0`])('refuses %j', (bad) => {
    expect(() => parsePosition(bad)).toThrow();
  });

  it('refuses a negative or fractional serial', () => {
    expect(() => formatPosition({ commitLsn: A, changeLsn: A, serial: -1 })).toThrow();
    expect(() => formatPosition({ commitLsn: A, changeLsn: A, serial: 1.5 })).toThrow();
  });

  it('orders by commit, then change, then serial', () => {
    const sorted = [
      snapshotPosition(A),
      `${A}:${A}:0`,
      `${A}:${A}:1`,
      `${A}:${B}:0`,
      commitEnd(A),
      transactionStart(B),
      `${B}:${A}:0`,
      commitEnd(C),
    ];
    const shuffled = [...sorted].reverse();
    shuffled.sort(comparePositions);
    expect(shuffled).toEqual(sorted);
    expect(comparePositions(`${A}:${B}:10`, `${A}:${B}:9`)).toBe(1);
  });

  it('puts a transaction after a snapshot exactly when its commit LSN is above the snapshot LSN', () => {
    const snap = snapshotPosition(B);
    expect(comparePositions(transactionStart(A), snap)).toBeLessThan(0);
    expect(comparePositions(transactionStart(C), snap)).toBeGreaterThan(0);
    // the snapshot's own LSN is its transaction's: no commit carries it, but the rule holds either way
    expect(comparePositions(transactionStart(B), snap)).toBe(0);
  });

  it('resumes after a commit end at the next LSN, taking all of it', () => {
    expect(isCommitEnd(parsePosition(commitEnd(A)))).toBe(true);
    expect(resumePlan(commitEnd(A))).toEqual({ fromLsn: B, skipThrough: null });
  });

  it('resumes from a snapshot or begin position at its own LSN', () => {
    expect(resumePlan(snapshotPosition(C))).toEqual({ fromLsn: C, skipThrough: null });
    expect(resumePlan(transactionStart(A))).toEqual({ fromLsn: A, skipThrough: null });
  });

  it('resumes inside a commit by reading it again and skipping through the position', () => {
    expect(resumePlan(`${A}:${B}:1`)).toEqual({ fromLsn: A, skipThrough: { commitLsn: A, changeLsn: B, serial: 1 } });
  });
});
