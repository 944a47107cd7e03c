/**
 * SQL Server values as canonical text (DESIGN §7a), exact: the server
 * renders what a JS number or Date would round (decimals, money, dates and
 * times with 100 ns, datetimeoffset in UTC), the worker only what tedious
 * returns exactly (integers up to 32 bits, bigint as a string, float bits,
 * bytes, text). `selectExpression` is what a read selects for a column,
 * `canonicalText` turns the value tedious returns for it into the text.
 */
import type { CanonicalType } from '../canonical-type.js';
import { quoteSqlServerIdent } from './mssql-quote.js';

/** The facts of a column a read needs: its base type name and its canonical type. */
export interface ReadColumn {
  name: string;
  /** System base type, lowercase (`datetime2`, `money`…). */
  typeName: string;
  canonical: CanonicalType;
}

/** The base type of a `nativeType` text (`decimal(12,2)` → `decimal`). */
export function baseTypeName(nativeType: string): string {
  return nativeType.replace(/\(.*$/, '').trim().toLowerCase();
}

/** 4-byte little-endian SRID then WKB: every engine's canonical geometry bytes. */
function geometryBytes(q: string): string {
  const byte = (div: number) => `CAST((${q}.STSrid / ${div}) & 255 AS binary(1))`;
  return `CASE WHEN ${q} IS NULL THEN NULL ELSE ${byte(1)} + ${byte(256)} + ${byte(65536)} + ${byte(16777216)} + ${q}.STAsBinary() END`;
}

/** The SELECT expression (aliased to the column's name) reading `c` in the form `canonicalText` expects. */
export function selectExpression(c: ReadColumn, qualifier = ''): string {
  const q = `${qualifier}${quoteSqlServerIdent(c.name)}`;
  const alias = ` AS ${quoteSqlServerIdent(c.name)}`;
  const t = c.canonical;
  switch (c.typeName) {
    case 'money':
    case 'smallmoney':
      // style 2: all four decimals (style 0 rounds to two)
      return `CONVERT(varchar(40), ${q}, 2)${alias}`;
    case 'decimal':
    case 'numeric':
      return `CONVERT(varchar(50), ${q})${alias}`;
    case 'date':
      return `CONVERT(char(10), ${q}, 23)${alias}`;
    case 'smalldatetime':
      return `CONVERT(char(19), ${q}, 120)${alias}`;
    case 'datetime':
    case 'datetime2':
      return `CONVERT(varchar(27), ${q}, 121)${alias}`;
    case 'datetimeoffset': {
      const p = t.kind === 'timestamp' ? t.precision : 7;
      return `CONVERT(varchar(27), CAST(SWITCHOFFSET(${q}, '+00:00') AS datetime2(${p})), 121) + '+00'${alias}`;
    }
    case 'time':
      return `CONVERT(varchar(16), ${q})${alias}`;
    case 'uniqueidentifier':
      return `LOWER(CONVERT(char(36), ${q}))${alias}`;
    case 'xml':
      return `CONVERT(nvarchar(max), ${q})${alias}`;
    case 'hierarchyid':
      return `${q}.ToString()${alias}`;
    case 'geometry':
    case 'geography':
      return `${geometryBytes(q)}${alias}`;
    case 'sql_variant':
      throw new Error(`column ${c.name} is sql_variant: it has no canonical form`);
    default:
      return `${q}${alias}`;
  }
}

/** The shortest decimal that reads back as the same 32-bit float (a `real` arrives widened to a double). */
export function shortestFloat32(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  const f = Math.fround(v);
  for (let digits = 1; digits <= 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return String(Number(text));
  }
  return String(f);
}

/** The canonical text of the value tedious returned for a column of type `t` (read with `selectExpression`). */
export function canonicalText(t: CanonicalType, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (typeof v === 'number') {
    if (t.kind === 'float') return t.bits === 32 ? shortestFloat32(v) : Number.isFinite(v) ? String(v) : String(v);
    if (t.kind === 'boolean') return v ? 't' : 'f';
    if (!Number.isSafeInteger(v)) throw new Error(`inexact number ${v} for a ${t.kind} value: it must be read as text`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return t.kind === 'uuid' ? v.toLowerCase() : v;
  if (v instanceof Date) throw new Error('a date arrived as a JS Date: it must be read as text (selectExpression)');
  throw new Error(`unexpected value of type ${typeof v}`);
}

/** Escape a canonical text for the interchange stream (PostgreSQL text COPY: backslash, tab, newline, carriage return). */
export function escapeInterchange(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'))
    : text;
}

/** One interchange line of canonical texts (`\N` for NULL). */
export function interchangeLine(values: readonly (string | null)[]): string {
  return `${values.map((v) => (v === null ? '\\N' : escapeInterchange(v))).join('\t')}\n`;
}
