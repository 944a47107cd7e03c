import type { CanonicalType } from '../canonical-type.js';

/** The type facts of one column as information_schema.COLUMNS gives them. */
export interface MySqlColumnType {
  /** DATA_TYPE, lowercase (`int`, `varchar`, `enum`…). */
  dataType: string;
  /** COLUMN_TYPE (`int(10) unsigned`, `enum('a','b')`, `decimal(10,2)`). */
  columnType: string;
  charMaxLength: number | null;
  numericPrecision: number | null;
  numericScale: number | null;
  datetimePrecision: number | null;
  charset: string | null;
  /** MariaDB stores JSON as LONGTEXT with a `json_valid()` check: the introspector says so. */
  json?: boolean;
}

/** A column whose type no canonical kind holds: the plan names it as an error. */
export class UnmappableTypeError extends Error {}

const INT_BITS: Record<string, 8 | 16 | 24 | 32 | 64> = {
  tinyint: 8,
  smallint: 16,
  mediumint: 24,
  int: 32,
  integer: 32,
  bigint: 64,
};

const TEXT_LENGTH: Record<string, number | null> = {
  tinytext: 255,
  text: null,
  mediumtext: null,
  longtext: null,
};

const GEOMETRY = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/**
 * The labels of `enum('a','b''c')` / `set(…)` as COLUMN_TYPE quotes them
 * (a quote inside a label is doubled; MySQL also accepts backslash escapes there).
 */
export function parseLabels(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const close = columnType.lastIndexOf(')');
  if (open < 0 || close < open) throw new UnmappableTypeError(`cannot read the labels of ${columnType}`);
  const body = columnType.slice(open + 1, close);
  const labels: string[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] !== "'") throw new UnmappableTypeError(`cannot read the labels of ${columnType}`);
    i++;
    let label = '';
    for (;;) {
      if (i >= body.length) throw new UnmappableTypeError(`unterminated label in ${columnType}`);
      const ch = body[i] as string;
      if (ch === "'" && body[i + 1] === "'") {
        label += "'";
        i += 2;
      } else if (ch === '\\' && i + 1 < body.length) {
        label += body[i + 1];
        i += 2;
      } else if (ch === "'") {
        i++;
        break;
      } else {
        label += ch;
        i++;
      }
    }
    labels.push(label);
    if (body[i] === ',') i++;
  }
  return labels;
}

/** `(n)` or `(p,s)` of a COLUMN_TYPE, as numbers. */
function typeArgs(columnType: string): number[] {
  const m = /\(([\d,\s]+)\)/.exec(columnType);
  return m ? (m[1] as string).split(',').map((x) => Number(x.trim())) : [];
}

/** The canonical type of a MySQL/MariaDB column; UnmappableTypeError for a type no canonical kind holds. */
export function mysqlCanonicalType(c: MySqlColumnType): CanonicalType {
  const type = c.dataType.toLowerCase();
  const unsigned = /\bunsigned\b/i.test(c.columnType);
  const bits = INT_BITS[type];
  if (bits) return { kind: 'int', bits, unsigned };
  switch (type) {
    case 'decimal':
    case 'numeric':
    case 'dec':
    case 'fixed':
      return { kind: 'decimal', precision: c.numericPrecision ?? 10, scale: c.numericScale ?? 0 };
    case 'float':
      return { kind: 'float', bits: 32 };
    case 'double':
    case 'real':
    case 'double precision':
      return { kind: 'float', bits: 64 };
    case 'bit':
      return { kind: 'bit', length: c.numericPrecision ?? typeArgs(c.columnType)[0] ?? 1 };
    case 'bool':
    case 'boolean':
      return { kind: 'int', bits: 8, unsigned: false };
    case 'char':
    case 'varchar':
      if (c.json) return { kind: 'json' };
      return { kind: 'text', length: c.charMaxLength, fixed: type === 'char', charset: c.charset };
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      if (c.json) return { kind: 'json' };
      return { kind: 'text', length: TEXT_LENGTH[type] ?? null, fixed: false, charset: c.charset };
    case 'json':
      return { kind: 'json' };
    case 'binary':
    case 'varbinary':
      return { kind: 'bytes', length: c.charMaxLength, fixed: type === 'binary' };
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return { kind: 'bytes', length: null, fixed: false };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', precision: c.datetimePrecision ?? 0, extended: true };
    case 'datetime':
      return { kind: 'timestamp', precision: c.datetimePrecision ?? 0, withZone: false };
    case 'timestamp':
      return { kind: 'timestamp', precision: c.datetimePrecision ?? 0, withZone: true };
    case 'year':
      return { kind: 'year' };
    case 'enum':
      return { kind: 'enum', labels: parseLabels(c.columnType) };
    case 'set':
      return { kind: 'set', labels: parseLabels(c.columnType) };
    case 'uuid':
      return { kind: 'uuid' };
    default:
      if (GEOMETRY.has(type))
        return { kind: 'geometry', subtype: type === 'geomcollection' ? 'geometrycollection' : type, srid: null };
      throw new UnmappableTypeError(`type ${c.columnType} has no canonical form`);
  }
}
