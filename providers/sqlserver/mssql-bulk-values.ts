/**
 * Which tables load through tedious `BulkLoad` (TDS bulk insert) and the
 * value each canonical text becomes for it. Only types tedious sends
 * exactly take that path: integers (bigint as BigInt), bit, float and real,
 * nchar/nvarchar/ntext (UTF-16: no code page in between), binary/varbinary,
 * uniqueidentifier. tedious sends decimal and money through a JS number and
 * dates and times through a JS Date, and char/varchar in a code page of its
 * own choosing: a table with any of those loads by INSERT of exact literals.
 */
import { TYPES } from 'tedious';
import type { DataType } from 'tedious/lib/data-type.js';
import type { ColumnDef } from '../catalog.js';
import { baseTypeName } from './mssql-value-text.js';

export interface BulkColumn {
  name: string;
  type: DataType;
  options: { nullable: boolean; length?: number };
  /** Canonical text → the value tedious sends. */
  value: (text: string) => unknown;
}

const MAX_LENGTH = 2 ** 31 - 1;

/** `(n)` or `(max)` of a native type as a bulk column length. */
function lengthOf(nativeType: string, unit: number): number {
  const m = /\((\d+|max)\)/i.exec(nativeType);
  if (!m || (m[1] as string).toLowerCase() === 'max') return MAX_LENGTH;
  return Number(m[1]) * unit;
}

const hexBytes = (text: string): Buffer => {
  const hex = text.startsWith('\\x') ? text.slice(2) : text;
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`not a bytes text: ${text.slice(0, 40)}`);
  return Buffer.from(hex, 'hex');
};

const integer = (text: string): number => {
  if (!/^-?\d+$/.test(text)) throw new Error(`not an integer: ${text}`);
  return Number(text);
};

/** The bulk column of `c`, or null when tedious would not send its values exactly. */
export function bulkColumn(c: ColumnDef): BulkColumn | null {
  const nullable = c.nullable;
  switch (baseTypeName(c.nativeType)) {
    case 'tinyint':
      return { name: c.name, type: TYPES.TinyInt, options: { nullable }, value: integer };
    case 'smallint':
      return { name: c.name, type: TYPES.SmallInt, options: { nullable }, value: integer };
    case 'int':
      return { name: c.name, type: TYPES.Int, options: { nullable }, value: integer };
    case 'bigint':
      return {
        name: c.name,
        type: TYPES.BigInt,
        options: { nullable },
        value: (t) => {
          if (!/^-?\d+$/.test(t)) throw new Error(`not an integer: ${t}`);
          return BigInt(t);
        },
      };
    case 'bit':
      return {
        name: c.name,
        type: TYPES.Bit,
        options: { nullable },
        value: (t) => {
          if (t === 't' || t === '1' || t === 'true') return true;
          if (t === 'f' || t === '0' || t === 'false') return false;
          throw new Error(`not a boolean: ${t}`);
        },
      };
    case 'float':
      return { name: c.name, type: TYPES.Float, options: { nullable }, value: (t) => Number(t) };
    case 'real':
      return { name: c.name, type: TYPES.Real, options: { nullable }, value: (t) => Math.fround(Number(t)) };
    case 'nchar':
      return { name: c.name, type: TYPES.NChar, options: { nullable, length: lengthOf(c.nativeType, 1) }, value: (t) => t };
    case 'nvarchar':
    case 'sysname':
      return { name: c.name, type: TYPES.NVarChar, options: { nullable, length: lengthOf(c.nativeType, 1) }, value: (t) => t };
    case 'binary':
      return { name: c.name, type: TYPES.Binary, options: { nullable, length: lengthOf(c.nativeType, 1) }, value: hexBytes };
    case 'varbinary':
      return { name: c.name, type: TYPES.VarBinary, options: { nullable, length: lengthOf(c.nativeType, 1) }, value: hexBytes };
    case 'uniqueidentifier':
      return { name: c.name, type: TYPES.UniqueIdentifier, options: { nullable }, value: (t) => t };
    default:
      return null;
  }
}

/** The bulk columns of a table's copied columns, or null when one of them must load by INSERT. */
export function bulkColumns(columns: readonly ColumnDef[]): BulkColumn[] | null {
  const out: BulkColumn[] = [];
  for (const c of columns) {
    const b = bulkColumn(c);
    if (!b) return null;
    out.push(b);
  }
  return out;
}

/**
 * The `INSERT BULK` hints: TABLOCK (a bulk-logged load when the table is
 * empty, and what a range of a job owns anyway), KEEP_NULLS (a NULL stays
 * NULL, not the column default), KEEP_IDENTITY (the source's identity
 * values, which tedious's options cannot ask for).
 */
export function bulkHints(keepIdentity: boolean): string {
  return ` WITH (${['TABLOCK', 'KEEP_NULLS', ...(keepIdentity ? ['KEEP_IDENTITY'] : [])].join(', ')})`;
}
