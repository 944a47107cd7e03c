import { describe, expect, it } from 'vitest';
import { canonicalRowHash, ChunkHasher, normaliseCanonical } from '../../providers/canonical-hash.js';
import type { CanonicalType } from '../../providers/canonical-type.js';

/** The spellings two engines give one value normalise to one text. */
const SAME: [CanonicalType, string, string][] = [
  [{ kind: 'int', bits: 8, unsigned: false }, '1', 'true'],
  [{ kind: 'int', bits: 8, unsigned: false }, '0', 'f'],
  [{ kind: 'bit', length: 1 }, '1', 't'],
  [{ kind: 'float', bits: 32 }, '3.141590118408203', '3.14159'],
  [{ kind: 'float', bits: 64 }, '1e20', '1e+20'],
  [{ kind: 'year' }, '0000', '0'],
  [{ kind: 'time', precision: 6, extended: true }, '-838:59:59.000000', '-838:59:59'],
  [{ kind: 'time', precision: 6, extended: false }, '12:00:00.500000', '12:00:00.5'],
  [{ kind: 'timestamp', precision: 6, withZone: true }, '2038-01-19 03:14:07.999990', '2038-01-19 03:14:07.99999+00'],
  [{ kind: 'timestamp', precision: 0, withZone: false }, '2000-01-01 00:00:00.000000', '2000-01-01 00:00:00'],
  [{ kind: 'json' }, '{"b":1, "a":[1,2]}', '{"a": [1, 2], "b": 1}'],
  [{ kind: 'bytes', length: null, fixed: false }, 'DEADbeef', '\\xdeadbeef'],
];

const DIFFERENT: [CanonicalType, string, string][] = [
  [{ kind: 'int', bits: 32, unsigned: false }, '10', '1'],
  [{ kind: 'decimal', precision: 10, scale: 2 }, '1.10', '1.11'],
  [{ kind: 'text', length: null, fixed: false, charset: null }, 'a', 'a '],
  [{ kind: 'timestamp', precision: 6, withZone: false }, '2000-01-01 00:00:00.1', '2000-01-01 00:00:00.01'],
  [{ kind: 'float', bits: 64 }, '0.1', '0.10000000000000002'],
];

describe('canonical values hash equal across engines exactly when equal', () => {
  it.each(SAME)('%o: %s ≡ %s', (t, a, b) => {
    expect(normaliseCanonical(t, a)).toBe(normaliseCanonical(t, b));
  });
  it.each(DIFFERENT)('%o: %s ≠ %s', (t, a, b) => {
    expect(normaliseCanonical(t, a)).not.toBe(normaliseCanonical(t, b));
  });
  it('tells NULL from every text, and values apart across column boundaries', () => {
    expect(canonicalRowHash([null])).not.toBe(canonicalRowHash(['']));
    expect(canonicalRowHash([null])).not.toBe(canonicalRowHash(['\\N']));
    expect(canonicalRowHash(['ab', 'c'])).not.toBe(canonicalRowHash(['a', 'bc']));
  });
  it('chunk hashes do not depend on row order; an empty chunk is empty', () => {
    const a = new ChunkHasher();
    const b = new ChunkHasher();
    const rows = ['x', 'y', 'z'].map((v) => canonicalRowHash([v]));
    for (const r of rows) a.add(r);
    for (const r of [...rows].reverse()) b.add(r);
    expect(a.digest()).toBe(b.digest());
    expect(a.count).toBe(3);
    expect(new ChunkHasher().digest()).toBe('');
  });
});
