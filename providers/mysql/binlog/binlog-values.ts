/**
 * One column value of a row image, by the column's binlog type: integers as
 * decimal text (signedness from the TABLE_MAP), DECIMAL/temporal/BIT/ENUM/
 * SET/JSON as text, character and binary data as bytes (a view into the
 * event: the consumer decodes text with the column's collation).
 */
import { BinlogError } from './binlog-error.js';
import type { BinlogCursor } from './binlog-cursor.js';
import type { BinlogColumn, BinlogTextDecoder, BinlogValue } from './binlog-types.js';
import { ColumnType } from './binlog-column-type.js';
import { BINARY_COLLATION } from './binlog-collation.js';
import { readDecimal } from './binlog-decimal.js';
import { float32Text, float64Text } from './binlog-float.js';
import { decodeJsonBinary } from './binlog-json.js';
import {
  readDate,
  readDatetime,
  readDatetime2,
  readTime,
  readTime2,
  readTimestamp,
  readTimestamp2,
  readYear,
} from './binlog-temporal.js';

/**
 * Read the (non-NULL) value of `col` at the cursor; with `text`, a character
 * column's value is the text it returns (see BinlogTextDecoder).
 */
export function readValue(c: BinlogCursor, col: BinlogColumn, text?: BinlogTextDecoder): BinlogValue {
  const b = c.buf;
  switch (col.type) {
    case ColumnType.TINY: {
      const at = c.take(1);
      return String(col.unsigned ? b.readUInt8(at) : b.readInt8(at));
    }
    case ColumnType.SHORT: {
      const at = c.take(2);
      return String(col.unsigned ? b.readUInt16LE(at) : b.readInt16LE(at));
    }
    case ColumnType.INT24: {
      const v = c.u24();
      return String(col.unsigned || v < 0x80_0000 ? v : v - 0x100_0000);
    }
    case ColumnType.LONG: {
      const at = c.take(4);
      return String(col.unsigned ? b.readUInt32LE(at) : b.readInt32LE(at));
    }
    case ColumnType.LONGLONG:
      return readLongLong(c, col.unsigned);
    case ColumnType.FLOAT:
      return float32Text(b.readFloatLE(c.take(4)));
    case ColumnType.DOUBLE:
      return float64Text(b.readDoubleLE(c.take(8)));
    case ColumnType.NEWDECIMAL:
      return readDecimal(c, col.precision ?? 0, col.scale ?? 0);
    case ColumnType.NULL:
      return null;
    case ColumnType.YEAR:
      return readYear(c);
    case ColumnType.DATE:
      return readDate(c);
    case ColumnType.TIME2:
      return readTime2(c, col.fsp ?? 0);
    case ColumnType.DATETIME2:
      return readDatetime2(c, col.fsp ?? 0);
    case ColumnType.TIMESTAMP2:
      return readTimestamp2(c, col.fsp ?? 0);
    case ColumnType.TIME:
      return readTime(c);
    case ColumnType.DATETIME:
      return readDatetime(c);
    case ColumnType.TIMESTAMP:
      return readTimestamp(c);
    case ColumnType.BIT:
      return readBit(c, col.bits ?? 0);
    case ColumnType.ENUM:
      return readEnum(c, col);
    case ColumnType.SET:
      return readSet(c, col);
    case ColumnType.VARCHAR:
    case ColumnType.VAR_STRING: {
      const n = (col.maxLength ?? 0) < 256 ? c.u8() : c.u16();
      if (text && col.collation !== BINARY_COLLATION) {
        const at = c.take(n);
        return text(b, at, at + n, col);
      }
      return c.bytes(n);
    }
    case ColumnType.STRING: {
      const n = (col.maxLength ?? 0) < 256 ? c.u8() : c.u16();
      if (text && col.collation !== BINARY_COLLATION) {
        const at = c.take(n);
        return text(b, at, at + n, col);
      }
      const bytes = c.bytes(n);
      // the server strips CHAR padding when it logs a row; BINARY(n) pads with 0x00, which SELECT returns
      if (col.collation === BINARY_COLLATION && bytes.length < (col.maxLength ?? 0)) {
        return Buffer.concat([bytes], col.maxLength);
      }
      return bytes;
    }
    case ColumnType.BLOB: {
      const n = c.uint(col.maxLength ?? 0);
      if (text && col.collation !== BINARY_COLLATION) {
        const at = c.take(n);
        return text(b, at, at + n, col);
      }
      return c.bytes(n);
    }
    case ColumnType.GEOMETRY:
      return c.bytes(c.uint(col.maxLength ?? 0));
    case ColumnType.JSON:
      return decodeJsonBinary(c.bytes(c.uint(col.maxLength ?? 0)));
    default:
      throw new BinlogError(
        'UNKNOWN_COLUMN_TYPE',
        `column ${col.name} has binlog type ${col.type}, which this reader cannot decode: the row would be lost`,
      );
  }
}

/** BIGINT: exact via two 32-bit halves while the value fits a double exactly, BigInt beyond. */
function readLongLong(c: BinlogCursor, unsigned: boolean): string {
  const at = c.take(8);
  const lo = c.buf.readUInt32LE(at);
  const hi = unsigned ? c.buf.readUInt32LE(at + 4) : c.buf.readInt32LE(at + 4);
  if (hi >= -0x20_0000 && hi < 0x20_0000) return String(hi * 0x1_0000_0000 + lo);
  return (unsigned ? c.buf.readBigUInt64LE(at) : c.buf.readBigInt64LE(at)).toString();
}

/** BIT(n): big-endian bytes as n '0'/'1' characters. */
function readBit(c: BinlogCursor, bits: number): string {
  const bytes = c.bytes((bits + 7) >> 3);
  let s = '';
  for (const byte of bytes) s += byte.toString(2).padStart(8, '0');
  return s.slice(s.length - bits);
}

/** ENUM: a 1- or 2-byte index; 0 is the error value '' (an invalid value inserted in non-strict mode). */
function readEnum(c: BinlogCursor, col: BinlogColumn): string {
  const i = c.uint(col.maxLength ?? 1);
  if (i === 0) return '';
  const label = col.labels?.[i - 1];
  if (label === undefined)
    throw new BinlogError('MALFORMED_EVENT', `ENUM ${col.name}: index ${i} of ${col.labels?.length ?? 0} labels`);
  return label;
}

/** SET: a 1–8 byte little-endian bitmap over the labels, as the comma-joined labels in definition order. */
function readSet(c: BinlogCursor, col: BinlogColumn): string {
  const bitmap = c.bytes(col.maxLength ?? 1);
  const labels = col.labels ?? [];
  const out: string[] = [];
  for (let i = 0; i < bitmap.length * 8; i++) {
    if (((bitmap[i >> 3] as number) >> (i & 7)) & 1) {
      const label = labels[i];
      if (label === undefined) throw new BinlogError('MALFORMED_EVENT', `SET ${col.name}: bit ${i} of ${labels.length} labels`);
      out.push(label);
    }
  }
  return out.join(',');
}
