import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import type { RedoValue } from '../../providers/oracle/oracle-redo-sql.js';
import { canonicalRedoValue } from '../../providers/oracle/oracle-redo-value.js';
import {
  canonicalBytes,
  canonicalDateTime,
  canonicalDouble,
  canonicalFloat32,
  canonicalInterval,
  canonicalNumber,
  decodeUnistr,
  OracleValueError,
  parseOracleFloat,
  trimCharPadding,
} from '../../providers/oracle/oracle-value-text.js';

describe('NUMBER text', () => {
  it.each([
    ['0', '0'],
    ['12', '12'],
    ['-12', '-12'],
    ['.5', '0.5'],
    ['-.5', '-0.5'],
    ['+3.25', '3.25'],
    ['1.50', '1.50'],
    ['007', '7'],
    ['1E+5', '100000'],
    ['1.25E+1', '12.5'],
    ['1.25e3', '1250'],
    ['1.2E-3', '0.0012'],
    ['-1.2E-10', '-0.00000000012'],
    ['9.99999999999999999999999999999999999999E+125', `999999999999999999999999999999999999999${'0'.repeat(87)}`],
    ['1E-130', `0.${'0'.repeat(129)}1`],
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345678'],
    ['-0', '0'],
    [' 42 ', '42'],
  ])('%s → %s', (text, want) => {
    expect(canonicalNumber(text)).toBe(want);
  });

  it.each([[''], ['.'], ['abc'], ['1,5'], ['~'], ['1e'], ['--1']])('rejects %j', (text) => {
    expect(() => canonicalNumber(text)).toThrow(OracleValueError);
  });
});

describe('BINARY_FLOAT / BINARY_DOUBLE', () => {
  it.each([
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [1e21, '1e+21'],
    [5e-324, '5e-324'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [-0, '-0'],
  ])('double %d → %s', (v, want) => {
    expect(canonicalDouble(v)).toBe(want);
  });

  it.each([
    [Math.fround(0.1), '0.1'],
    [Math.fround(3.4028234663852886e38), '3.4028235e+38'],
    [Math.fround(1.17549435e-38), '1.1754944e-38'],
    [Math.fround(16777217), '16777216'],
    [Math.fround(-1.5), '-1.5'],
    [0, '0'],
    [NaN, 'NaN'],
  ])('float32 %d → %s', (v, want) => {
    expect(canonicalFloat32(v)).toBe(want);
    if (Number.isFinite(v)) expect(Math.fround(Number(want))).toBe(v);
  });

  it.each([
    ['1.5E+000', 1.5],
    ['-2.25E-001', -0.225],
    ['Nan', NaN],
    ['Inf', Infinity],
    ['-Inf', -Infinity],
    ['3', 3],
  ])('parses Oracle float text %s', (text, want) => {
    expect(parseOracleFloat(text)).toBe(want);
  });

  it('rejects non-float text', () => {
    expect(() => parseOracleFloat('x')).toThrow(OracleValueError);
    expect(() => parseOracleFloat('')).toThrow(OracleValueError);
  });
});

describe('DATE and TIMESTAMP text', () => {
  it.each([
    [' 2024-01-02 03:04:05', false, '2024-01-02 03:04:05'],
    ['2024-01-02', false, '2024-01-02 00:00:00'],
    [' 2024-01-02 03:04:05.123456789', false, '2024-01-02 03:04:05.123456789'],
    [' 2024-01-02 03:04:05.100000000', false, '2024-01-02 03:04:05.1'],
    [' 2024-01-02 03:04:05.000000000', false, '2024-01-02 03:04:05'],
    ['-0044-03-15 12:00:00', false, '0044-03-15 12:00:00 BC'],
    [' 0001-01-01 00:00:00', false, '0001-01-01 00:00:00'],
    [' 9999-12-31 23:59:59.999999999', false, '9999-12-31 23:59:59.999999999'],
    // WITH TIME ZONE: the instant in UTC
    [' 2024-01-02 03:04:05.5 +02:00', true, '2024-01-02 01:04:05.5+00'],
    [' 2024-01-01 01:00:00 +05:30', true, '2023-12-31 19:30:00+00'],
    [' 2024-12-31 23:30:00 -01:00', true, '2025-01-01 00:30:00+00'],
    [' 2024-02-28 23:00:00 -01:00', true, '2024-02-29 00:00:00+00'],
    [' 2023-02-28 23:00:00 -01:00', true, '2023-03-01 00:00:00+00'],
    [' 2024-01-02 03:04:05 +00:00', true, '2024-01-02 03:04:05+00'],
    [' 2024-01-02 03:04:05 UTC', true, '2024-01-02 03:04:05+00'],
    // SYS_EXTRACT_UTC output and WITH LOCAL TIME ZONE in a UTC session: no offset, already UTC
    [' 2024-01-02 03:04:05.000001', true, '2024-01-02 03:04:05.000001+00'],
    ['-0001-01-01 00:30:00 +01:00', true, '0002-12-31 23:30:00+00 BC'],
  ])('%j (zone %s) → %s', (text, zone, want) => {
    expect(canonicalDateTime(text, zone)).toBe(want);
  });

  it.each([['2024/01/02'], ['24-01-02'], ['2024-01-02 3:04:05'], [' 2024-01-02 03:04:05 Europe/Paris'], ['']])(
    'rejects %j',
    (text) => {
      expect(() => canonicalDateTime(text, true)).toThrow(OracleValueError);
    },
  );

  it('names a time zone region as a session format problem', () => {
    expect(() => canonicalDateTime(' 2024-01-02 03:04:05 Europe/Paris', true)).toThrow(/TZH:TZM/);
  });
});

describe('INTERVAL text', () => {
  it.each([
    ['+01 02:03:04.500000', '1 day 02:03:04.5'],
    ['+000000001 02:03:04.000000000', '1 day 02:03:04'],
    ['+000000002 00:00:00.000000000', '2 days'],
    ['-000000003 00:00:00.000001000', '-3 days -00:00:00.000001'],
    ['-000000001 00:00:00.000000000', '-1 days'],
    ['-00 01:00:00', '-01:00:00'],
    ['+00 00:00:00', '00:00:00'],
    ['+02-03', '2 years 3 mons'],
    ['+01-01', '1 year 1 mon'],
    ['+00-07', '7 mons'],
    ['-000000010-11', '-10 years -11 mons'],
    ['+000000000-00', '00:00:00'],
  ])('%s → %s', (text, want) => {
    expect(canonicalInterval(text)).toBe(want);
  });

  it.each([['1 day'], ['P1D'], ['']])('rejects %j', (text) => {
    expect(() => canonicalInterval(text)).toThrow(OracleValueError);
  });
});

describe('text, national text, bytes', () => {
  it.each([
    ['abc', 'abc'],
    ['\\00e4', 'ä'],
    ['\\00E4\\00DF', 'äß'],
    ['a\\\\b', 'a\\b'],
    ['\\D83D\\DE00', '😀'],
    ['plain', 'plain'],
  ])('UNISTR(%j) → %j', (text, want) => {
    expect(decodeUnistr(text)).toBe(want);
  });

  it('rejects a bad UNISTR escape', () => {
    expect(() => decodeUnistr('\\00g1')).toThrow(OracleValueError);
  });

  it.each([
    ['ab  ', 'ab'],
    ['   ', ''],
    [' a b ', ' a b'],
    ['x\t', 'x\t'],
  ])('CHAR padding of %j → %j', (text, want) => {
    expect(trimCharPadding(text)).toBe(want);
  });

  it.each([
    [Buffer.from([0, 1, 255]), '\\x0001ff'],
    [Buffer.alloc(0), '\\x'],
    ['0AFF', '\\x0aff'],
    ['', '\\x'],
  ])('bytes %j → %s', (v, want) => {
    expect(canonicalBytes(v)).toBe(want);
  });

  it.each([['0AF'], ['ZZ']])('rejects hex %j', (v) => {
    expect(() => canonicalBytes(v)).toThrow(OracleValueError);
  });
});

describe('SQL_REDO values by column type', () => {
  const s = (text: string): RedoValue => ({ kind: 'string', text });
  const call = (name: string, ...args: RedoValue[]): RedoValue => ({ kind: 'call', name, args });
  const INT: CanonicalType = { kind: 'int', bits: 32, unsigned: false };
  const DEC: CanonicalType = { kind: 'decimal', precision: null, scale: 0 };
  const TEXT: CanonicalType = { kind: 'text', length: 10, fixed: false, charset: null };
  const CHAR: CanonicalType = { kind: 'text', length: 5, fixed: true, charset: null };
  const TS: CanonicalType = { kind: 'timestamp', precision: 9, withZone: false };
  const TSTZ: CanonicalType = { kind: 'timestamp', precision: 6, withZone: true };
  const BYTES: CanonicalType = { kind: 'bytes', length: null, fixed: false };
  const F32: CanonicalType = { kind: 'float', bits: 32 };
  const F64: CanonicalType = { kind: 'float', bits: 64 };
  const IV: CanonicalType = { kind: 'interval' };
  const BOOL: CanonicalType = { kind: 'boolean' };

  it.each<[string, RedoValue, CanonicalType, string | null]>([
    ['NULL of any type', { kind: 'null' }, INT, null],
    ['a quoted integer', s('42'), INT, '42'],
    ['an unquoted number', { kind: 'number', text: '-.5' }, DEC, '-0.5'],
    ['a decimal in exponent form', s('1.5E+3'), DEC, '1500'],
    ['text as it is', s("it's"), TEXT, "it's"],
    ['CHAR without its padding', s('ab   '), CHAR, 'ab'],
    ['UNISTR national text', call('UNISTR', s('\\00e4')), TEXT, 'ä'],
    ['a concatenation', call('||', s('a'), call('UNISTR', s('\\00df')), s('c')), TEXT, 'aßc'],
    ['a concatenation with NULL parts', call('||', { kind: 'null' }, s('x')), TEXT, 'x'],
    ['EMPTY_CLOB: an empty, not a NULL, LOB', call('EMPTY_CLOB'), TEXT, ''],
    ['EMPTY_BLOB', call('EMPTY_BLOB'), BYTES, '\\x'],
    ['HEXTORAW', call('HEXTORAW', s('DEADBEEF')), BYTES, '\\xdeadbeef'],
    ['RAW as a hex string', s('0A0B'), BYTES, '\\x0a0b'],
    [
      'TO_DATE',
      call('TO_DATE', s(' 2024-05-06 07:08:09'), s('SYYYY-MM-DD HH24:MI:SS')),
      { kind: 'timestamp', precision: 0, withZone: false },
      '2024-05-06 07:08:09',
    ],
    [
      'TO_TIMESTAMP with 9 digits',
      call('TO_TIMESTAMP', s(' 2024-05-06 07:08:09.123456789')),
      TS,
      '2024-05-06 07:08:09.123456789',
    ],
    ['TO_TIMESTAMP_TZ to UTC', call('TO_TIMESTAMP_TZ', s(' 2024-05-06 07:08:09.5 -03:00')), TSTZ, '2024-05-06 10:08:09.5+00'],
    ['TO_DSINTERVAL', call('TO_DSINTERVAL', s('+01 00:00:01.250000')), IV, '1 day 00:00:01.25'],
    ['TO_YMINTERVAL', call('TO_YMINTERVAL', s('-01-06')), IV, '-1 years -6 mons'],
    ['BINARY_FLOAT', s('1.00000001E-001'), F32, '0.1'],
    ['BINARY_DOUBLE', s('1.0000000000000001E-001'), F64, '0.1'],
    ['BINARY_DOUBLE Nan', s('Nan'), F64, 'NaN'],
    ['BOOLEAN 1', s('1'), BOOL, 't'],
    ['BOOLEAN FALSE', s('FALSE'), BOOL, 'f'],
  ])('%s', (_name, v, type, want) => {
    expect(canonicalRedoValue(v, type, 'S.T.C')).toBe(want);
  });

  it.each<[string, RedoValue, CanonicalType]>([
    ['a date call for a number', call('TO_DATE', s('2024-01-01')), INT],
    ['an unknown function', call('SDO_GEOMETRY', s('x')), TEXT],
    ['a non-number for a number', s('abc'), INT],
    ['a call without its literal', call('HEXTORAW'), BYTES],
    ['a non-boolean', s('maybe'), BOOL],
    ['an Unsupported Type marker', call('UNSUPPORTED TYPE'), TEXT],
  ])('rejects %s', (_name, v, type) => {
    expect(() => canonicalRedoValue(v, type, 'S.T.C')).toThrow(OracleValueError);
  });
});
