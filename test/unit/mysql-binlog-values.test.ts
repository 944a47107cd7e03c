/**
 * Value decoders of the binlog reader, table-driven, on bytes built by hand
 * the way the server writes them (MySQL `Field::pack`, `decimal2bin`,
 * `my_*_packed_to_binary`), including edges no test server here produces.
 */
import { describe, expect, test } from 'vitest';
import { BinlogCursor } from '../../providers/mysql/binlog/binlog-cursor.js';
import { ColumnType } from '../../providers/mysql/binlog/binlog-column-type.js';
import { decimalSize } from '../../providers/mysql/binlog/binlog-decimal.js';
import { float32Text, float64Text } from '../../providers/mysql/binlog/binlog-float.js';
import type { BinlogColumn, BinlogValue } from '../../providers/mysql/binlog/binlog-types.js';
import { readValue } from '../../providers/mysql/binlog/binlog-values.js';

function col(type: number, extra: Partial<BinlogColumn> = {}): BinlogColumn {
  return { index: 0, name: 'c', type, typeName: 't', nullable: true, unsigned: false, primaryKey: false, ...extra };
}

/** Decode `bytes` as one value of `column`, checking every byte is consumed. */
function decode(column: BinlogColumn, bytes: Buffer): BinlogValue {
  const c = new BinlogCursor(bytes);
  const v = readValue(c, column);
  expect(c.remaining).toBe(0);
  return v;
}

const le = (n: bigint, size: number): Buffer => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return b;
};
const be = (n: bigint, size: number): Buffer => Buffer.from(le(n, size)).reverse();

describe('integers', () => {
  const cases: [number, boolean, bigint, number, string][] = [
    [ColumnType.TINY, false, -128n, 1, '-128'],
    [ColumnType.TINY, false, 127n, 1, '127'],
    [ColumnType.TINY, true, 255n, 1, '255'],
    [ColumnType.SHORT, false, -32768n, 2, '-32768'],
    [ColumnType.SHORT, true, 65535n, 2, '65535'],
    [ColumnType.INT24, false, -8388608n, 3, '-8388608'],
    [ColumnType.INT24, false, 8388607n, 3, '8388607'],
    [ColumnType.INT24, true, 16777215n, 3, '16777215'],
    [ColumnType.LONG, false, -2147483648n, 4, '-2147483648'],
    [ColumnType.LONG, true, 4294967295n, 4, '4294967295'],
    [ColumnType.LONGLONG, false, -9223372036854775808n, 8, '-9223372036854775808'],
    [ColumnType.LONGLONG, false, 9223372036854775807n, 8, '9223372036854775807'],
    [ColumnType.LONGLONG, true, 18446744073709551615n, 8, '18446744073709551615'],
    [ColumnType.LONGLONG, false, -1n, 8, '-1'],
    [ColumnType.LONGLONG, false, 9007199254740993n, 8, '9007199254740993'],
    [ColumnType.LONGLONG, false, -9007199254740993n, 8, '-9007199254740993'],
    [ColumnType.LONGLONG, false, 4503599627370495n, 8, '4503599627370495'],
    [ColumnType.LONGLONG, false, -4503599627370496n, 8, '-4503599627370496'],
  ];
  test.each(cases)('type %i unsigned=%s %s', (type, unsigned, value, size, text) => {
    const twos = value < 0n ? (1n << BigInt(size * 8)) + value : value;
    expect(decode(col(type, { unsigned }), le(twos, size))).toBe(text);
  });
});

/** MySQL decimal2bin, written independently of the decoder: groups of 9 digits, sign bit, inversion. */
function decimalBytes(text: string, precision: number, scale: number): Buffer {
  const negative = text.startsWith('-');
  const [ip = '', fp = ''] = text.replace('-', '').split('.');
  const intg = precision - scale;
  const intDigits = ip.padStart(intg, '0');
  const fracDigits = fp.padEnd(scale, '0');
  const dig2bytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
  const parts: Buffer[] = [];
  const put = (digits: string) => {
    if (!digits) return;
    const n = dig2bytes[digits.length] as number;
    parts.push(be(BigInt(digits), n));
  };
  const lead = intg % 9;
  put(intDigits.slice(0, lead));
  for (let i = lead; i < intg; i += 9) put(intDigits.slice(i, i + 9));
  const fullFrac = Math.floor(scale / 9) * 9;
  for (let i = 0; i < fullFrac; i += 9) put(fracDigits.slice(i, i + 9));
  put(fracDigits.slice(fullFrac));
  const b = Buffer.concat(parts);
  b[0] = (b[0] as number) ^ 0x80;
  if (negative) for (let i = 0; i < b.length; i++) b[i] = (b[i] as number) ^ 0xff;
  return b;
}

describe('DECIMAL', () => {
  test('the example in MySQL strings/decimal.cc', () => {
    const d = col(ColumnType.NEWDECIMAL, { precision: 14, scale: 4 });
    expect(decode(d, Buffer.from('810DFB38D204D2', 'hex'))).toBe('1234567890.1234');
    expect(decode(d, Buffer.from('7EF204C72DFB2D', 'hex'))).toBe('-1234567890.1234');
  });
  const cases: [string, number, number][] = [
    ['0.000000000000000000000000000000', 65, 30],
    ['-0.000000000000000000000000000001', 65, 30],
    ['99999999999999999999999999999999999.999999999999999999999999999999', 65, 30],
    ['-99999999999999999999999999999999999.999999999999999999999999999999', 65, 30],
    ['-1.500000000000000000000000000000', 65, 30],
    ['12345678901234567890123456789012345678901234567890123456789012345', 65, 0],
    ['-0.5', 1, 1],
    ['0.12345', 5, 5],
    ['-7', 1, 0],
    ['10.01', 4, 2],
    ['-123456789.987654321', 18, 9],
  ];
  test.each(cases)('%s as DECIMAL(%i,%i)', (text, precision, scale) => {
    const bytes = decimalBytes(text, precision, scale);
    expect(bytes.length).toBe(decimalSize(precision, scale));
    expect(decode(col(ColumnType.NEWDECIMAL, { precision, scale }), bytes)).toBe(text);
  });
});

describe('FLOAT and DOUBLE', () => {
  const floats: [number, string][] = [
    [0.1, '0.1'],
    [3.4028234663852886e38, '3.4028235e+38'],
    [1.401298464324817e-45, '1e-45'],
    [-0, '-0'],
    [16777217, '16777216'],
    [123.456, '123.456'],
  ];
  test.each(floats)('float32 %d', (v, text) => {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    expect(decode(col(ColumnType.FLOAT), b)).toBe(text);
    expect(Math.fround(Number(text))).toBe(b.readFloatLE(0));
  });
  test('float32Text is the shortest round trip for many values', () => {
    const b = Buffer.alloc(4);
    for (let i = 0; i < 2000; i++) {
      b.writeUInt32LE((Math.imul(i, 2654435761) >>> 0) & 0x7f7fffff);
      const v = b.readFloatLE(0);
      const t = float32Text(v);
      expect(Math.fround(Number(t))).toBe(v);
      const digits = t.replace(/^-|e.*$|\./g, '').replace(/^0+|0+$/g, '').length;
      if (digits > 1) expect(Math.fround(Number(v.toPrecision(digits - 1)))).not.toBe(v);
    }
  });
  test.each([
    [0.1, '0.1'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [-0, '-0'],
  ])('double %d', (v, text) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    expect(decode(col(ColumnType.DOUBLE), b)).toBe(text);
    expect(float64Text(v)).toBe(text);
  });
});

/** DATETIME2 bytes: 5 big-endian (offset 2^39) + fraction of (fsp+1)/2 bytes. */
function datetime2(y: number, mo: number, d: number, h: number, mi: number, s: number, micros: number, fsp: number): Buffer {
  const ymd = BigInt(((y * 13 + mo) << 5) | d);
  const hms = BigInt((h << 12) | (mi << 6) | s);
  const int = be((ymd << 17n) | hms | (1n << 39n), 5);
  return Buffer.concat([int, fractionBytes(micros, fsp)]);
}

function fractionBytes(micros: number, fsp: number): Buffer {
  if (fsp === 0) return Buffer.alloc(0);
  if (fsp <= 2) return be(BigInt(Math.floor(micros / 10_000)), 1);
  if (fsp <= 4) return be(BigInt(Math.floor(micros / 100)), 2);
  return be(BigInt(micros), 3);
}

/** TIME2 bytes per MySQL my_time_packed_to_binary (C `>>` floors, `%` truncates). */
function time2(negative: boolean, h: number, mi: number, s: number, micros: number, fsp: number): Buffer {
  const hms = BigInt((h << 12) | (mi << 6) | s);
  let packed = (hms << 24n) + BigInt(micros);
  if (negative) packed = -packed;
  const intPart = packed >> 24n;
  const fracPart = packed % (1n << 24n);
  if (fsp === 0) return be(intPart + 0x800000n, 3);
  if (fsp <= 2) return Buffer.concat([be(intPart + 0x800000n, 3), Buffer.from([Number(fracPart / 10_000n) & 0xff])]);
  if (fsp <= 4) return Buffer.concat([be(intPart + 0x800000n, 3), be((fracPart / 100n) & 0xffffn, 2)]);
  return be(packed + 0x800000000000n, 6);
}

describe('temporal', () => {
  test.each([
    [[9999, 12, 31, 23, 59, 59, 999999], 6, '9999-12-31 23:59:59.999999'],
    [[1000, 1, 1, 0, 0, 0, 0], 0, '1000-01-01 00:00:00'],
    [[0, 0, 0, 0, 0, 0, 0], 0, '0000-00-00 00:00:00'],
    [[0, 0, 0, 0, 0, 0, 0], 6, '0000-00-00 00:00:00.000000'],
    [[2024, 2, 29, 12, 34, 56, 120000], 2, '2024-02-29 12:34:56.12'],
    [[2024, 2, 29, 12, 34, 56, 123400], 4, '2024-02-29 12:34:56.1234'],
    [[2024, 2, 29, 12, 34, 56, 123450], 5, '2024-02-29 12:34:56.12345'],
    [[2024, 2, 29, 12, 34, 56, 100000], 1, '2024-02-29 12:34:56.1'],
  ] as [number[], number, string][])('DATETIME2 %j fsp %i', (parts, fsp, text) => {
    const [y, mo, d, h, mi, s, us] = parts as [number, number, number, number, number, number, number];
    expect(decode(col(ColumnType.DATETIME2, { fsp }), datetime2(y, mo, d, h, mi, s, us, fsp))).toBe(text);
  });

  test.each([
    [true, 838, 59, 59, 0, 0, '-838:59:59'],
    [true, 838, 59, 59, 0, 6, '-838:59:59.000000'],
    [false, 838, 59, 59, 0, 6, '838:59:59.000000'],
    [true, 0, 0, 1, 0, 0, '-00:00:01'],
    [true, 0, 0, 0, 500000, 6, '-00:00:00.500000'],
    [true, 1, 2, 3, 500000, 1, '-01:02:03.5'],
    [true, 1, 2, 3, 10000, 2, '-01:02:03.01'],
    [true, 25, 0, 0, 123400, 4, '-25:00:00.1234'],
    [true, 12, 0, 0, 123456, 6, '-12:00:00.123456'],
    [false, 0, 0, 0, 0, 3, '00:00:00.000'],
    [false, 100, 30, 15, 999900, 4, '100:30:15.9999'],
  ] as [boolean, number, number, number, number, number, string][])(
    'TIME2 negative=%s %i:%i:%i.%i fsp %i',
    (neg, h, mi, s, us, fsp, text) => {
      expect(decode(col(ColumnType.TIME2, { fsp }), time2(neg, h, mi, s, us, fsp))).toBe(text);
    },
  );

  test('TIMESTAMP2 is UTC, 0 is the zero timestamp', () => {
    const ts = col(ColumnType.TIMESTAMP2, { fsp: 6 });
    expect(decode(ts, Buffer.concat([be(2147483647n, 4), be(999999n, 3)]))).toBe('2038-01-19 03:14:07.999999');
    expect(decode(ts, Buffer.concat([be(1n, 4), be(0n, 3)]))).toBe('1970-01-01 00:00:01.000000');
    expect(decode(ts, Buffer.alloc(7))).toBe('0000-00-00 00:00:00.000000');
    expect(decode(col(ColumnType.TIMESTAMP2, { fsp: 0 }), be(86400n, 4))).toBe('1970-01-02 00:00:00');
    expect(decode(col(ColumnType.TIMESTAMP), le(86400n, 4))).toBe('1970-01-02 00:00:00');
  });

  test('DATE, zero date, YEAR, old TIME and DATETIME', () => {
    expect(decode(col(ColumnType.DATE), le(BigInt((9999 << 9) | (12 << 5) | 31), 3))).toBe('9999-12-31');
    expect(decode(col(ColumnType.DATE), le(0n, 3))).toBe('0000-00-00');
    expect(decode(col(ColumnType.DATE), le(BigInt((2024 << 9) | (2 << 5) | 0), 3))).toBe('2024-02-00');
    expect(decode(col(ColumnType.YEAR), Buffer.from([0]))).toBe('0000');
    expect(decode(col(ColumnType.YEAR), Buffer.from([1]))).toBe('1901');
    expect(decode(col(ColumnType.YEAR), Buffer.from([255]))).toBe('2155');
    expect(decode(col(ColumnType.TIME), le(BigInt(0x1000000 - 8385959), 3))).toBe('-838:59:59');
    expect(decode(col(ColumnType.TIME), le(123456n, 3))).toBe('12:34:56');
    expect(decode(col(ColumnType.DATETIME), le(99991231235959n, 8))).toBe('9999-12-31 23:59:59');
    expect(decode(col(ColumnType.DATETIME), le(0n, 8))).toBe('0000-00-00 00:00:00');
  });
});

describe('BIT, ENUM, SET', () => {
  test.each([
    [1, '01', '1'],
    [1, '00', '0'],
    [64, 'ffffffffffffffff', '1'.repeat(64)],
    [64, '8000000000000001', '1' + '0'.repeat(62) + '1'],
    [10, '0201', '1000000001'],
    [9, '0100', '100000000'],
  ] as [number, string, string][])('BIT(%i) %s', (bits, hex, text) => {
    expect(decode(col(ColumnType.BIT, { bits }), Buffer.from(hex, 'hex'))).toBe(text);
  });

  const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  test('ENUM index 0 is the error value, others are labels (1 and 2 bytes)', () => {
    const e1 = col(ColumnType.ENUM, { maxLength: 1, labels });
    expect(decode(e1, Buffer.from([0]))).toBe('');
    expect(decode(e1, Buffer.from([1]))).toBe('a');
    expect(decode(e1, Buffer.from([9]))).toBe('i');
    const many = Array.from({ length: 300 }, (_, i) => `v${i}`);
    expect(decode(col(ColumnType.ENUM, { maxLength: 2, labels: many }), le(300n, 2))).toBe('v299');
    expect(() => decode(e1, Buffer.from([10]))).toThrow(/index 10/);
  });
  test('SET of several, none, all, across bytes', () => {
    const s2 = col(ColumnType.SET, { maxLength: 2, labels });
    expect(decode(s2, le(0b101n, 2))).toBe('a,c');
    expect(decode(s2, le(0n, 2))).toBe('');
    expect(decode(s2, le(0x1ffn, 2))).toBe(labels.join(','));
    expect(decode(s2, le(0x100n, 2))).toBe('i');
    const wide = Array.from({ length: 64 }, (_, i) => `s${i}`);
    expect(decode(col(ColumnType.SET, { maxLength: 8, labels: wide }), le((1n << 63n) | 1n, 8))).toBe('s0,s63');
  });
});

describe('strings, blobs, geometry', () => {
  test('lengths per metadata, bytes kept as they are', () => {
    expect(decode(col(ColumnType.VARCHAR, { maxLength: 40 }), Buffer.from([3, 0xc3, 0xa9, 0x41]))).toEqual(
      Buffer.from([0xc3, 0xa9, 0x41]),
    );
    expect(decode(col(ColumnType.VARCHAR, { maxLength: 1000 }), Buffer.from([2, 0, 0x00, 0xff]))).toEqual(Buffer.from([0, 0xff]));
    expect(decode(col(ColumnType.STRING, { maxLength: 1020 }), Buffer.from([1, 0, 0x41]))).toEqual(Buffer.from('A'));
    expect(decode(col(ColumnType.STRING, { maxLength: 4 }), Buffer.from([0]))).toEqual(Buffer.alloc(0));
    const long = Buffer.alloc(70_000, 7);
    expect(decode(col(ColumnType.BLOB, { maxLength: 3 }), Buffer.concat([le(70_000n, 3), long]))).toEqual(long);
    expect(decode(col(ColumnType.BLOB, { maxLength: 4 }), Buffer.concat([le(70_000n, 4), long]))).toEqual(long);
    const point = Buffer.from('e61000000101000000000000000000f03f0000000000000040', 'hex');
    expect(decode(col(ColumnType.GEOMETRY, { maxLength: 4 }), Buffer.concat([le(25n, 4), point]))).toEqual(point);
  });
  test('an unknown column type is an error, not a skipped value', () => {
    expect(() => decode(col(ColumnType.VECTOR), Buffer.alloc(4))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_COLUMN_TYPE' }),
    );
    expect(() => decode(col(ColumnType.DECIMAL), Buffer.alloc(4))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_COLUMN_TYPE' }),
    );
  });
});
