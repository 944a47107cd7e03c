/**
 * Canonical text values (DESIGN §7a) as T-SQL literals of a column's native
 * type, exact: the text is what the server parses (`CAST(N'…' AS type)`),
 * bytes are `0x` hex, booleans 1/0. Apply statements and key-range
 * predicates embed values this way, so a batch is one text whatever the
 * number of values (no 2,100-parameter bound).
 */
import type { CanonicalType } from '../canonical-type.js';
import { quoteSqlServerLiteral } from './mssql-quote.js';
import { baseTypeName } from './mssql-value-text.js';

/** `…+00` (canonical UTC) as SQL Server's offset form `… +00:00`. */
export function offsetText(text: string): string {
  const m = /(\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*([+-]\d\d)(?::?(\d\d))?$/.exec(text);
  if (!m) return text;
  return `${text.slice(0, m.index)}${m[1]} ${m[2]}:${m[3] ?? '00'}`;
}

/** A literal of `nativeType` holding canonical `text` (null: NULL). */
export function sqlServerLiteral(nativeType: string, canonical: CanonicalType | undefined, text: string | null): string {
  if (text === null) return 'NULL';
  const base = baseTypeName(nativeType);
  const kind = canonical?.kind;
  if (kind === 'boolean' || base === 'bit') {
    if (text === 't' || text === 'true' || text === '1') return '1';
    if (text === 'f' || text === 'false' || text === '0') return '0';
    throw new Error(`not a boolean: ${text}`);
  }
  if (kind === 'bytes' || ['binary', 'varbinary', 'image', 'rowversion', 'timestamp'].includes(base)) {
    const hex = text.startsWith('\\x') ? text.slice(2) : text;
    if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`not a bytes text: ${text.slice(0, 40)}`);
    return `0x${hex}`;
  }
  if (kind === 'int' && /^-?\d+$/.test(text)) return text;
  if ((kind === 'decimal' || base === 'decimal' || base === 'numeric') && /^-?\d+(\.\d+)?$/.test(text)) {
    return `CAST(${text} AS ${nativeType})`;
  }
  if (base === 'geometry' || base === 'geography') {
    // canonical geometry: 4-byte little-endian SRID then WKB
    const hex = text.startsWith('\\x') ? text.slice(2) : text;
    const srid = Buffer.from(hex.slice(0, 8), 'hex').readUInt32LE(0);
    return `${base}::STGeomFromWKB(0x${hex.slice(8)}, ${srid})`;
  }
  if (base === 'hierarchyid') return `hierarchyid::Parse(${quoteSqlServerLiteral(text)})`;
  const value = base === 'datetimeoffset' ? offsetText(text) : text;
  if (['char', 'varchar', 'nchar', 'nvarchar', 'text', 'ntext', 'sysname'].includes(base)) return quoteSqlServerLiteral(value);
  return `CAST(${quoteSqlServerLiteral(value)} AS ${nativeType})`;
}
