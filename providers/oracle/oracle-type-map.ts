/**
 * Oracle column types → canonical types (DESIGN §7a), as data: one rule per
 * Oracle type family, matched on ALL_TAB_COLUMNS facts. The PostgreSQL
 * destination renders the canonical type (pg-type-map.ts):
 *
 * | Oracle | canonical | PostgreSQL |
 * | --- | --- | --- |
 * | NUMBER(p,0), p ≤ 4 / ≤ 9 / ≤ 18 | int16 / int32 / int64 | smallint / integer / bigint |
 * | NUMBER(p,0), p > 18; NUMBER(p,s) | decimal(p,s) (negative s: decimal(p−s,0); s > p: decimal(s,s)) | numeric(p,s) |
 * | NUMBER, NUMBER(*,s), FLOAT(b) | decimal (unbounded) | numeric |
 * | BINARY_FLOAT / BINARY_DOUBLE | float32 / float64 | real / double precision |
 * | VARCHAR2, NVARCHAR2 (n) | text(n chars) | varchar(n) |
 * | CHAR, NCHAR (n) | char(n) (blanks trimmed, as the MySQL pair) | varchar(n) |
 * | CLOB, NCLOB | text | text |
 * | RAW(n) / BLOB | bytes(n) / bytes | bytea |
 * | DATE (has a time of day) | timestamp(0) | timestamp(0) |
 * | TIMESTAMP(p) | timestamp(p) | timestamp(min(p,6)): 7–9 fraction digits round to microseconds |
 * | TIMESTAMP(p) WITH [LOCAL] TIME ZONE | timestamp(p) with zone (the instant; the offset is not kept) | timestamptz |
 * | INTERVAL YEAR TO MONTH / DAY TO SECOND | interval | interval |
 * | ROWID, UROWID | text | varchar |
 * | BOOLEAN (23ai) / JSON (21c) | boolean / json | boolean / jsonb |
 *
 * Not mapped (named errors the plan shows): LONG, LONG RAW (deprecated,
 * neither flashback-safe nor mined exactly: convert to CLOB/BLOB first),
 * BFILE (a file outside the database), XMLTYPE, SDO_GEOMETRY, ANYDATA, REF,
 * VECTOR and every user-defined object, collection or REF type.
 */
import type { CanonicalType } from '../canonical-type.js';

/** One column's type facts as ALL_TAB_COLUMNS gives them. */
export interface OracleColumnType {
  /** DATA_TYPE (`NUMBER`, `VARCHAR2`, `TIMESTAMP(6) WITH TIME ZONE`, `XMLTYPE`…). */
  dataType: string;
  /** DATA_TYPE_OWNER: set for object types (user-defined, MDSYS.SDO_GEOMETRY, SYS.XMLTYPE). */
  dataTypeOwner: string | null;
  dataLength: number | null;
  dataPrecision: number | null;
  dataScale: number | null;
  charLength: number | null;
  /** CHAR_USED: `B` byte or `C` char length semantics. */
  charUsed: string | null;
}

/** A column whose type no canonical kind holds: the plan names it as an error. */
export class UnmappableOracleTypeError extends Error {}

const NOT_MAPPED: Record<string, string> = {
  LONG: 'LONG is deprecated and cannot be read consistently AS OF an SCN nor mined exactly: ALTER TABLE … MODIFY (col CLOB) first',
  'LONG RAW':
    'LONG RAW is deprecated and cannot be read consistently AS OF an SCN nor mined exactly: ALTER TABLE … MODIFY (col BLOB) first',
  BFILE: 'BFILE points to a file outside the database: its contents are not in the redo log',
  XMLTYPE:
    'XMLTYPE has no canonical type (and LogMiner mines it as separate XML operations): store it as CLOB, or exclude the table',
  SDO_GEOMETRY:
    'SDO_GEOMETRY is an object type: export it as WKB (SDO_UTIL.TO_WKBGEOMETRY) into a BLOB column, or exclude the table',
  ANYDATA: 'ANYDATA holds values of any type: no single column type receives it',
  VECTOR: 'VECTOR has no canonical type',
  MLSLABEL: 'MLSLABEL (Trusted Oracle) has no canonical type',
};

/** The digits an integer NUMBER(p) needs → the smallest integer that holds every value. */
function intOf(precision: number): CanonicalType {
  if (precision <= 4) return { kind: 'int', bits: 16, unsigned: false };
  if (precision <= 9) return { kind: 'int', bits: 32, unsigned: false };
  if (precision <= 18) return { kind: 'int', bits: 64, unsigned: false };
  return { kind: 'decimal', precision, scale: 0 };
}

function numberType(p: number | null, s: number | null): CanonicalType {
  // NUMBER and NUMBER(*,s) store up to 38 significant digits at any scale: only unbounded numeric holds them all
  if (p === null) return s === 0 ? { kind: 'decimal', precision: 38, scale: 0 } : { kind: 'decimal', precision: null, scale: 0 };
  const scale = s ?? 0;
  if (scale < 0) return intOf(p - scale);
  if (scale === 0) return intOf(p);
  // NUMBER(3,5) holds 0.00123: five fraction digits, no integer digits
  return { kind: 'decimal', precision: Math.max(p, scale), scale };
}

const fraction = (t: string, fallback: number) => {
  const m = /\((\d+)\)/.exec(t);
  return m ? Number(m[1]) : fallback;
};

/** The canonical type of an Oracle column; UnmappableOracleTypeError names why a type has none. */
export function oracleCanonicalType(c: OracleColumnType): CanonicalType {
  const type = c.dataType.trim().toUpperCase();
  const notMapped = NOT_MAPPED[type];
  if (notMapped) throw new UnmappableOracleTypeError(notMapped);
  if (c.dataTypeOwner && !['SYS', 'PUBLIC'].includes(c.dataTypeOwner.toUpperCase())) {
    throw new UnmappableOracleTypeError(
      `${c.dataTypeOwner}.${type} is a user-defined object, collection or REF type: no canonical type (flatten it into scalar columns, or exclude the table)`,
    );
  }
  if (/^REF\b/.test(type)) throw new UnmappableOracleTypeError(`${type} is an object reference: no canonical type`);
  if (type.startsWith('TIMESTAMP')) {
    const precision = fraction(type, 6);
    return { kind: 'timestamp', precision, withZone: /WITH (LOCAL )?TIME ZONE$/.test(type) };
  }
  if (type.startsWith('INTERVAL')) {
    if (/^INTERVAL YEAR(\(\d+\))? TO MONTH$/.test(type) || /^INTERVAL DAY(\(\d+\))? TO SECOND(\(\d+\))?$/.test(type)) {
      return { kind: 'interval' };
    }
    throw new UnmappableOracleTypeError(`unknown interval type ${type}`);
  }
  switch (type) {
    case 'NUMBER':
      return numberType(c.dataPrecision, c.dataScale);
    case 'INTEGER':
    case 'INT':
    case 'SMALLINT':
      return { kind: 'decimal', precision: 38, scale: 0 };
    case 'FLOAT':
      // FLOAT(b) is a NUMBER with b binary digits of precision and any scale: exact only as unbounded numeric
      return { kind: 'decimal', precision: null, scale: 0 };
    case 'BINARY_FLOAT':
      return { kind: 'float', bits: 32 };
    case 'BINARY_DOUBLE':
      return { kind: 'float', bits: 64 };
    case 'VARCHAR2':
    case 'NVARCHAR2':
    case 'VARCHAR':
      return { kind: 'text', length: c.charLength || c.dataLength, fixed: false, charset: null };
    case 'CHAR':
    case 'NCHAR':
      return { kind: 'text', length: c.charLength || c.dataLength, fixed: true, charset: null };
    case 'CLOB':
    case 'NCLOB':
      return { kind: 'text', length: null, fixed: false, charset: null };
    case 'RAW':
      return { kind: 'bytes', length: c.dataLength, fixed: false };
    case 'BLOB':
      return { kind: 'bytes', length: null, fixed: false };
    case 'DATE':
      return { kind: 'timestamp', precision: 0, withZone: false };
    case 'ROWID':
      return { kind: 'text', length: 18, fixed: false, charset: null };
    case 'UROWID':
      return { kind: 'text', length: c.dataLength ?? 4000, fixed: false, charset: null };
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'JSON':
      return { kind: 'json' };
    default:
      throw new UnmappableOracleTypeError(`type ${type} has no canonical form`);
  }
}

/** The column's type as Oracle DDL writes it, for `nativeType` (`NUMBER(10,2)`, `VARCHAR2(20 CHAR)`). */
export function oracleNativeType(c: OracleColumnType): string {
  const type = c.dataType.trim().toUpperCase();
  const owner = c.dataTypeOwner && !['SYS', 'PUBLIC'].includes(c.dataTypeOwner.toUpperCase()) ? `${c.dataTypeOwner}.` : '';
  switch (type) {
    case 'NUMBER':
      if (c.dataPrecision === null) return c.dataScale === null ? 'NUMBER' : `NUMBER(*,${c.dataScale})`;
      return c.dataScale ? `NUMBER(${c.dataPrecision},${c.dataScale})` : `NUMBER(${c.dataPrecision})`;
    case 'FLOAT':
      return c.dataPrecision === null ? 'FLOAT' : `FLOAT(${c.dataPrecision})`;
    case 'VARCHAR2':
    case 'CHAR':
      return `${type}(${c.charLength || c.dataLength}${c.charUsed === 'C' ? ' CHAR' : ' BYTE'})`;
    case 'NVARCHAR2':
    case 'NCHAR':
      return `${type}(${c.charLength || c.dataLength})`;
    case 'RAW':
      return `RAW(${c.dataLength})`;
    case 'UROWID':
      return `UROWID(${c.dataLength})`;
    default:
      return `${owner}${type}`;
  }
}
