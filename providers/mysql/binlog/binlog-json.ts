/**
 * MySQL's binary JSON (`json_binary.h`) to JSON text, exactly: 64-bit
 * integers through BigInt, doubles as their shortest round-trip text,
 * DECIMAL and temporal "opaque" scalars as MySQL prints them (a number, a
 * quoted date/time string), other opaque values as `"base64:typeN:…"`.
 * MariaDB stores JSON as LONGTEXT and never reaches this decoder.
 */
import { BinlogError } from './binlog-error.js';
import { decodeDecimal } from './binlog-decimal.js';
import { float64Text } from './binlog-float.js';
import { ColumnType } from './binlog-column-type.js';

const SMALL_OBJECT = 0x00;
const LARGE_OBJECT = 0x01;
const SMALL_ARRAY = 0x02;
const LARGE_ARRAY = 0x03;
const LITERAL = 0x04;
const INT16 = 0x05;
const UINT16 = 0x06;
const INT32 = 0x07;
const UINT32 = 0x08;
const INT64 = 0x09;
const UINT64 = 0x0a;
const DOUBLE = 0x0b;
const STRING = 0x0c;
const OPAQUE = 0x0f;

function malformed(what: string): BinlogError {
  return new BinlogError('MALFORMED_EVENT', `binary JSON: ${what}`);
}

/** Decode a whole binary JSON document; an empty one is JSON null (MySQL writes it for a JSON null). */
export function decodeJsonBinary(doc: Buffer): string {
  if (doc.length === 0) return 'null';
  return value(doc, doc[0] as number, 1, doc.length);
}

/** The value of `type` whose data starts at `at` (inside `doc`, before `end`). */
function value(doc: Buffer, type: number, at: number, end: number): string {
  const need = (n: number) => {
    if (at + n > end) throw malformed(`value of type ${type} truncated at ${at}`);
  };
  switch (type) {
    case SMALL_OBJECT:
    case LARGE_OBJECT:
      return container(doc, at, end, type === LARGE_OBJECT, true);
    case SMALL_ARRAY:
    case LARGE_ARRAY:
      return container(doc, at, end, type === LARGE_ARRAY, false);
    case LITERAL:
      need(1);
      return literal(doc[at] as number);
    case INT16:
      need(2);
      return String(doc.readInt16LE(at));
    case UINT16:
      need(2);
      return String(doc.readUInt16LE(at));
    case INT32:
      need(4);
      return String(doc.readInt32LE(at));
    case UINT32:
      need(4);
      return String(doc.readUInt32LE(at));
    case INT64:
      need(8);
      return doc.readBigInt64LE(at).toString();
    case UINT64:
      need(8);
      return doc.readBigUInt64LE(at).toString();
    case DOUBLE:
      need(8);
      return float64Text(doc.readDoubleLE(at));
    case STRING: {
      const [length, from] = varLength(doc, at, end);
      if (from + length > end) throw malformed('string truncated');
      return JSON.stringify(doc.toString('utf8', from, from + length));
    }
    case OPAQUE: {
      need(1);
      const fieldType = doc[at] as number;
      const [length, from] = varLength(doc, at + 1, end);
      if (from + length > end) throw malformed('opaque value truncated');
      return opaque(fieldType, doc.subarray(from, from + length));
    }
    default:
      throw malformed(`unknown value type 0x${type.toString(16)}`);
  }
}

function literal(v: number): string {
  if (v === 0) return 'null';
  if (v === 1) return 'true';
  if (v === 2) return 'false';
  throw malformed(`unknown literal ${v}`);
}

/** Object or array at `at`: count, size, [key entries], value entries; offsets relative to `at`. */
function container(doc: Buffer, at: number, end: number, large: boolean, isObject: boolean): string {
  const w = large ? 4 : 2;
  const read = (p: number) => (large ? doc.readUInt32LE(p) : doc.readUInt16LE(p));
  if (at + 2 * w > end) throw malformed('container header truncated');
  const count = read(at);
  const size = read(at + w);
  const limit = at + size;
  if (limit > end) throw malformed(`container of ${size} bytes overruns its ${end - at}`);
  const keyEntries = at + 2 * w;
  const valueEntries = keyEntries + (isObject ? count * (w + 2) : 0);
  if (valueEntries + count * (1 + w) > limit) throw malformed('container entries truncated');
  const parts: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const entry = valueEntries + i * (1 + w);
    const type = doc[entry] as number;
    const inlined = type === LITERAL || type === INT16 || type === UINT16 || (large && (type === INT32 || type === UINT32));
    const v = inlined ? value(doc, type, entry + 1, entry + 1 + w) : value(doc, type, at + read(entry + 1), limit);
    if (isObject) {
      const keyEntry = keyEntries + i * (w + 2);
      const keyAt = at + read(keyEntry);
      const keyLength = doc.readUInt16LE(keyEntry + w);
      if (keyAt + keyLength > limit) throw malformed('object key truncated');
      parts[i] = `${JSON.stringify(doc.toString('utf8', keyAt, keyAt + keyLength))}: ${v}`;
    } else {
      parts[i] = v;
    }
  }
  return isObject ? `{${parts.join(', ')}}` : `[${parts.join(', ')}]`;
}

/** A length of 7 bits per byte, low bits first, at most 5 bytes; returns [length, where the data starts]. */
function varLength(doc: Buffer, at: number, end: number): [number, number] {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= end) break;
    const b = doc[at + i] as number;
    length += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return [length, at + i + 1];
  }
  throw malformed('bad variable-length size');
}

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Opaque scalars: DECIMAL as a number; DATE/TIME/DATETIME/TIMESTAMP from their packed int64 as quoted text. */
function opaque(fieldType: number, data: Buffer): string {
  switch (fieldType) {
    case ColumnType.NEWDECIMAL: {
      if (data.length < 2) throw malformed('opaque decimal truncated');
      return decodeDecimal(data, 2, data[0] as number, data[1] as number);
    }
    case ColumnType.DATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
    case ColumnType.TIME: {
      if (data.length < 8) throw malformed('opaque temporal truncated');
      return JSON.stringify(packedTemporal(fieldType, data.readBigInt64LE(0)));
    }
    default:
      return JSON.stringify(`base64:type${fieldType}:${data.toString('base64')}`);
  }
}

/** MySQL's in-memory packed temporal (`TIME_to_longlong_*_packed`): (ymdhms << 24) | microseconds. */
function packedTemporal(fieldType: number, packed: bigint): string {
  const negative = packed < 0n;
  const abs = negative ? -packed : packed;
  const micros = Number(abs & 0xffffffn);
  const ymdhms = Number(abs >> 24n);
  const frac = `.${String(micros).padStart(6, '0')}`;
  if (fieldType === ColumnType.TIME) {
    const hours = Math.floor(ymdhms / 4096) % 1024;
    return `${negative ? '-' : ''}${p2(hours)}:${p2((ymdhms >> 6) & 63)}:${p2(ymdhms & 63)}${frac}`;
  }
  const ymd = Math.floor(ymdhms / 2 ** 17);
  const ym = Math.floor(ymd / 32);
  const date = `${String(Math.floor(ym / 13)).padStart(4, '0')}-${p2(ym % 13)}-${p2(ymd % 32)}`;
  if (fieldType === ColumnType.DATE) return date;
  const hms = ymdhms % 2 ** 17;
  return `${date} ${p2(hms >> 12)}:${p2((hms >> 6) & 63)}:${p2(hms & 63)}${frac}`;
}
