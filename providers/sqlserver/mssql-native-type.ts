/**
 * SQL Server column types → canonical types (DESIGN §7a), as data: one rule
 * per system type, tested table-driven (test/unit/sqlserver-native-type.test.ts).
 * The choices that are not the obvious one, and why:
 * - `tinyint` is 0..255: an unsigned 8-bit integer.
 * - `money` / `smallmoney` are exact decimals of scale 4: `decimal(19,4)` / `decimal(10,4)`.
 * - `datetime` keeps 1/300 s (`.000`, `.003`, `.007`): `timestamp(3)`;
 *   `smalldatetime`: `timestamp(0)`; `datetime2(p)` / `time(p)` keep their
 *   precision, 7 (100 ns) included — the text carries all 7 digits; a
 *   destination holding fewer rounds (PostgreSQL: microseconds).
 * - `datetimeoffset(p)`: a timestamp with zone, its text in UTC (`+00`): the
 *   instant is exact, the original offset is not kept.
 * - `xml`: text (no canonical xml kind); `hierarchyid`: text, its path form
 *   (`/1/3/`, what `hierarchyid::Parse` reads back).
 * - `geometry` / `geography`: canonical geometry, SRID per value (4-byte
 *   little-endian SRID + WKB, as every engine's geometry text is).
 * - `rowversion` (`timestamp`): 8 bytes the server writes itself.
 * - `sql_variant`, CLR user-defined types, `vector`: no canonical kind holds
 *   them — an error naming the column (the plan shows it; a per-job `types:`
 *   rule cannot help, since no text form is exact for every value).
 */
import type { CanonicalType } from '../canonical-type.js';

/** The type facts of one column as sys.columns and sys.types give them. */
export interface SqlServerColumnType {
  /** Name of the system base type, lowercase (`int`, `nvarchar`, `datetime2`…); an alias type's base type. */
  typeName: string;
  /** sys.columns.max_length: bytes (an nvarchar(10) is 20), -1 for `(max)`. */
  maxLength: number;
  /** sys.columns.precision (decimal digits; float: 24 or 53). */
  precision: number;
  /** sys.columns.scale (decimal scale; fractional-second digits of time, datetime2, datetimeoffset). */
  scale: number;
  /** The column, for messages (`dbo.orders.payload`). */
  column?: string;
  /** A CLR user-defined type (sys.types.is_assembly_type) other than the built-in hierarchyid, geometry, geography. */
  assembly?: boolean;
}

/** A column whose type no canonical kind holds: the plan names it as an error. */
export class UnmappableSqlServerTypeError extends Error {
  constructor(
    readonly column: string,
    readonly type: string,
    reason: string,
  ) {
    super(`column ${column} has type ${type}, which ${reason}`);
  }
}

type Rule = (c: SqlServerColumnType) => CanonicalType;

const chars = (c: SqlServerColumnType, bytesPerChar: number): number | null =>
  c.maxLength < 0 ? null : Math.floor(c.maxLength / bytesPerChar);

/** One rule per system type name. */
export const SQLSERVER_TYPE_RULES: Readonly<Record<string, Rule>> = {
  bit: () => ({ kind: 'boolean' }),
  tinyint: () => ({ kind: 'int', bits: 8, unsigned: true }),
  smallint: () => ({ kind: 'int', bits: 16, unsigned: false }),
  int: () => ({ kind: 'int', bits: 32, unsigned: false }),
  bigint: () => ({ kind: 'int', bits: 64, unsigned: false }),
  decimal: (c) => ({ kind: 'decimal', precision: c.precision || 18, scale: c.scale }),
  numeric: (c) => ({ kind: 'decimal', precision: c.precision || 18, scale: c.scale }),
  money: () => ({ kind: 'decimal', precision: 19, scale: 4 }),
  smallmoney: () => ({ kind: 'decimal', precision: 10, scale: 4 }),
  float: (c) => ({ kind: 'float', bits: c.precision > 0 && c.precision <= 24 ? 32 : 64 }),
  real: () => ({ kind: 'float', bits: 32 }),
  char: (c) => ({ kind: 'text', length: chars(c, 1), fixed: true, charset: null }),
  varchar: (c) => ({ kind: 'text', length: chars(c, 1), fixed: false, charset: null }),
  nchar: (c) => ({ kind: 'text', length: chars(c, 2), fixed: true, charset: null }),
  nvarchar: (c) => ({ kind: 'text', length: chars(c, 2), fixed: false, charset: null }),
  sysname: () => ({ kind: 'text', length: 128, fixed: false, charset: null }),
  text: () => ({ kind: 'text', length: null, fixed: false, charset: null }),
  ntext: () => ({ kind: 'text', length: null, fixed: false, charset: null }),
  xml: () => ({ kind: 'text', length: null, fixed: false, charset: null }),
  hierarchyid: () => ({ kind: 'text', length: 4000, fixed: false, charset: null }),
  binary: (c) => ({ kind: 'bytes', length: c.maxLength < 0 ? null : c.maxLength, fixed: true }),
  varbinary: (c) => ({ kind: 'bytes', length: c.maxLength < 0 ? null : c.maxLength, fixed: false }),
  image: () => ({ kind: 'bytes', length: null, fixed: false }),
  timestamp: () => ({ kind: 'bytes', length: 8, fixed: true }),
  rowversion: () => ({ kind: 'bytes', length: 8, fixed: true }),
  date: () => ({ kind: 'date' }),
  time: (c) => ({ kind: 'time', precision: c.scale, extended: false }),
  datetime2: (c) => ({ kind: 'timestamp', precision: c.scale, withZone: false }),
  datetime: () => ({ kind: 'timestamp', precision: 3, withZone: false }),
  smalldatetime: () => ({ kind: 'timestamp', precision: 0, withZone: false }),
  datetimeoffset: (c) => ({ kind: 'timestamp', precision: c.scale, withZone: true }),
  uniqueidentifier: () => ({ kind: 'uuid' }),
  json: () => ({ kind: 'json' }),
  geometry: () => ({ kind: 'geometry', subtype: 'geometry', srid: null }),
  geography: () => ({ kind: 'geometry', subtype: 'geometry', srid: null }),
};

/** Types that are refused, with the reason the error gives. */
const REFUSED: Readonly<Record<string, string>> = {
  sql_variant:
    'holds values of many types in one column: no canonical type is exact for all of them (convert the column to one type on the source, or leave the table out)',
  vector: 'has no canonical form yet (leave the table out, or store it as varchar(max) JSON on the source)',
  cursor: 'cannot be stored in a table',
  table: 'cannot be stored in a table',
};

/** The canonical type of a SQL Server column; UnmappableSqlServerTypeError for a type no canonical kind holds. */
export function sqlServerCanonicalType(c: SqlServerColumnType): CanonicalType {
  const type = c.typeName.toLowerCase();
  const column = c.column ?? '(column)';
  const refused = REFUSED[type];
  if (refused) throw new UnmappableSqlServerTypeError(column, type, refused);
  const rule = SQLSERVER_TYPE_RULES[type];
  if (!rule || (c.assembly && !['hierarchyid', 'geometry', 'geography'].includes(type))) {
    throw new UnmappableSqlServerTypeError(
      column,
      type,
      'is a CLR or unknown type with no canonical form (leave the table out, or convert the column on the source)',
    );
  }
  return rule(c);
}

const VARIABLE = new Set(['char', 'varchar', 'binary', 'varbinary']);
const NATIONAL = new Set(['nchar', 'nvarchar']);
const FRACTIONAL = new Set(['time', 'datetime2', 'datetimeoffset']);

/** The column's type as T-SQL writes it (`nvarchar(50)`, `varbinary(max)`, `decimal(12,2)`, `datetime2(7)`): `nativeType`. */
export function sqlServerTypeText(c: SqlServerColumnType): string {
  const type = c.typeName.toLowerCase();
  if (VARIABLE.has(type)) return `${type}(${c.maxLength < 0 ? 'max' : c.maxLength})`;
  if (NATIONAL.has(type)) return `${type}(${c.maxLength < 0 ? 'max' : Math.floor(c.maxLength / 2)})`;
  if (type === 'decimal' || type === 'numeric') return `${type}(${c.precision},${c.scale})`;
  if (type === 'float') return c.precision > 0 && c.precision <= 24 ? 'real' : 'float';
  if (FRACTIONAL.has(type)) return `${type}(${c.scale})`;
  if (type === 'timestamp') return 'rowversion';
  return type;
}

/** Columns the server computes itself: never copied, never written by an apply. */
export function isServerWritten(typeName: string): boolean {
  const t = typeName.toLowerCase();
  return t === 'timestamp' || t === 'rowversion';
}
