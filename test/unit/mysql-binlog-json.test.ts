/**
 * MySQL binary JSON (json_binary.h) decoded to JSON text, on documents built
 * by hand: no MySQL server runs here and MariaDB stores JSON as text.
 */
import { describe, expect, test } from 'vitest';
import { decodeJsonBinary } from '../../providers/mysql/binlog/binlog-json.js';

type J =
  | null
  | boolean
  | string
  | { int64: bigint }
  | { uint64: bigint }
  | { double: number }
  | { opaque: [number, Buffer] }
  | number
  | J[]
  | { [k: string]: J };

const T = {
  SOBJ: 0,
  LOBJ: 1,
  SARR: 2,
  LARR: 3,
  LIT: 4,
  I16: 5,
  U16: 6,
  I32: 7,
  U32: 8,
  I64: 9,
  U64: 10,
  DBL: 11,
  STR: 12,
  OPQ: 15,
};

function varLen(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/** [type, inline value bytes or null, out-of-line data or null]. */
function scalar(v: J, large: boolean): [number, Buffer | null, Buffer | null] {
  const w = large ? 4 : 2;
  const inl = (n: number, signed: boolean) => {
    const b = Buffer.alloc(w);
    if (w === 2 && signed) b.writeInt16LE(n);
    else if (w === 2) b.writeUInt16LE(n);
    else if (signed) b.writeInt32LE(n);
    else b.writeUInt32LE(n);
    return b;
  };
  if (v === null) return [T.LIT, inl(0, false), null];
  if (v === true) return [T.LIT, inl(1, false), null];
  if (v === false) return [T.LIT, inl(2, false), null];
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    return [T.STR, null, Buffer.concat([varLen(s.length), s])];
  }
  if (typeof v === 'number') {
    if (v >= -32768 && v <= 32767) return [T.I16, inl(v, true), null];
    if (v >= 0 && v <= 65535) return [T.U16, inl(v, false), null];
    const b = Buffer.alloc(4);
    if (v < 0) b.writeInt32LE(v);
    else b.writeUInt32LE(v);
    return large ? [v < 0 ? T.I32 : T.U32, b, null] : [v < 0 ? T.I32 : T.U32, null, b];
  }
  if (Array.isArray(v)) return [large ? T.LARR : T.SARR, null, container(v, large)];
  if ('int64' in v) return [T.I64, null, Buffer.from(new BigInt64Array([v.int64 as bigint]).buffer)];
  if ('uint64' in v) return [T.U64, null, Buffer.from(new BigUint64Array([v.uint64 as bigint]).buffer)];
  if ('double' in v) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v.double as number);
    return [T.DBL, null, b];
  }
  if ('opaque' in v) {
    const [type, data] = v.opaque as [number, Buffer];
    return [T.OPQ, null, Buffer.concat([Buffer.from([type]), varLen(data.length), data])];
  }
  return [large ? T.LOBJ : T.SOBJ, null, container(v as { [k: string]: J }, large)];
}

/** count, size, key entries, value entries, keys, values; offsets from the start of the container. */
function container(v: J[] | { [k: string]: J }, large: boolean): Buffer {
  const w = large ? 4 : 2;
  const isObj = !Array.isArray(v);
  const keys = isObj ? Object.keys(v) : [];
  const values: J[] = isObj ? keys.map((k) => (v as { [k: string]: J })[k] as J) : (v as J[]);
  const n = values.length;
  const header = 2 * w + (isObj ? n * (w + 2) : 0) + n * (1 + w);
  const keyBytes = keys.map((k) => Buffer.from(k, 'utf8'));
  let offset = header + keyBytes.reduce((a, b) => a + b.length, 0);
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  for (const value of values) {
    const [type, inline, out] = scalar(value, large);
    const e = Buffer.alloc(1 + w);
    e[0] = type;
    if (inline) inline.copy(e, 1);
    else {
      if (w === 2) e.writeUInt16LE(offset, 1);
      else e.writeUInt32LE(offset, 1);
      data.push(out as Buffer);
      offset += (out as Buffer).length;
    }
    entries.push(e);
  }
  const head = Buffer.alloc(2 * w);
  const size = offset;
  if (w === 2) {
    head.writeUInt16LE(n, 0);
    head.writeUInt16LE(size, 2);
  } else {
    head.writeUInt32LE(n, 0);
    head.writeUInt32LE(size, 4);
  }
  let keyOffset = header;
  const keyEntries = keyBytes.map((k) => {
    const e = Buffer.alloc(w + 2);
    if (w === 2) e.writeUInt16LE(keyOffset, 0);
    else e.writeUInt32LE(keyOffset, 0);
    e.writeUInt16LE(k.length, w);
    keyOffset += k.length;
    return e;
  });
  return Buffer.concat([head, ...keyEntries, ...entries, ...keyBytes, ...data]);
}

function doc(v: J, large = false): Buffer {
  const [type, inline, out] = scalar(v, large);
  return Buffer.concat([Buffer.from([type]), (inline ?? out) as Buffer]);
}

describe('MySQL binary JSON', () => {
  test.each(
    [
      [null, 'null'],
      [true, 'true'],
      [false, 'false'],
      [0, '0'],
      [-32768, '-32768'],
      [65535, '65535'],
      [-2147483648, '-2147483648'],
      [4294967295, '4294967295'],
      [{ int64: -9223372036854775808n }, '-9223372036854775808'],
      [{ uint64: 18446744073709551615n }, '18446744073709551615'],
      [{ double: 0.1 }, '0.1'],
      [{ double: 1e300 }, '1e+300'],
      ['', '""'],
      ['héllo "wörld"\n\u0001 😀', JSON.stringify('héllo "wörld"\n\u0001 😀')],
    ].map(([v, t]) => [t, v]) as [string, J][],
  )('scalar → %s', (text, v) => {
    expect(decodeJsonBinary(doc(v))).toBe(text);
  });

  test('objects, arrays, nesting, unicode keys, both widths', () => {
    const value: J = {
      a: 1,
      'ключ 🔑': [1, 'two', null, true, { double: 2.5 }, { uint64: 18446744073709551615n }],
      nested: { deeper: { deepest: [[], {}, [[-1]]] } },
      big: 100000,
      neg: -100000,
    };
    const expected =
      '{"a": 1, "ключ 🔑": [1, "two", null, true, 2.5, 18446744073709551615], "nested": {"deeper": {"deepest": [[], {}, [[-1]]]}}, "big": 100000, "neg": -100000}';
    expect(decodeJsonBinary(doc(value, false))).toBe(expected);
    expect(decodeJsonBinary(doc(value, true))).toBe(expected);
    const text = decodeJsonBinary(doc(value));
    expect(JSON.parse(text.replace('18446744073709551615', '0'))).toBeTruthy();
  });

  test('a long string needs a multi-byte length; a large array', () => {
    const s = 'x'.repeat(20_000);
    expect(decodeJsonBinary(doc([s, 'y'], true))).toBe(`["${s}", "y"]`);
    const many = Array.from({ length: 5000 }, (_, i) => i * 7);
    expect(decodeJsonBinary(doc(many, true))).toBe(`[${many.join(', ')}]`);
  });

  test('opaque DECIMAL and temporal values print as MySQL does; others as base64', () => {
    // DECIMAL(14,4) 1234567890.1234: precision, scale, decimal2bin bytes
    const dec = Buffer.concat([Buffer.from([14, 4]), Buffer.from('810DFB38D204D2', 'hex')]);
    expect(decodeJsonBinary(doc({ opaque: [246, dec] }))).toBe('1234567890.1234');
    // DATETIME 2015-01-15 23:24:25.123456 packed: ((ymd << 17 | hms) << 24) | micros
    const ymd = BigInt(((2015 * 13 + 1) << 5) | 15);
    const hms = BigInt((23 << 12) | (24 << 6) | 25);
    const packed = (((ymd << 17n) | hms) << 24n) | 123456n;
    const dt = Buffer.from(new BigInt64Array([packed]).buffer);
    expect(decodeJsonBinary(doc({ opaque: [12, dt] }))).toBe('"2015-01-15 23:24:25.123456"');
    expect(decodeJsonBinary(doc({ opaque: [10, Buffer.from(new BigInt64Array([(ymd << 17n) << 24n]).buffer)] }))).toBe(
      '"2015-01-15"',
    );
    const time = -((BigInt((838 << 12) | (59 << 6) | 59) << 24n) | 0n);
    expect(decodeJsonBinary(doc({ opaque: [11, Buffer.from(new BigInt64Array([time]).buffer)] }))).toBe('"-838:59:59.000000"');
    expect(decodeJsonBinary(doc({ opaque: [252, Buffer.from([1, 2, 3])] }))).toBe('"base64:type252:AQID"');
  });

  test('an empty document is JSON null; corrupt documents throw', () => {
    expect(decodeJsonBinary(Buffer.alloc(0))).toBe('null');
    expect(() => decodeJsonBinary(Buffer.from([0x0c, 0x05, 0x61]))).toThrow(expect.objectContaining({ code: 'MALFORMED_EVENT' }));
    expect(() => decodeJsonBinary(Buffer.from([0x42]))).toThrow(/unknown value type/);
    const truncated = doc({ a: [1, 2, 3] }).subarray(0, 8);
    expect(() => decodeJsonBinary(truncated)).toThrow(expect.objectContaining({ code: 'MALFORMED_EVENT' }));
  });
});
