import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import {
  oracleCanonicalType,
  oracleNativeType,
  UnmappableOracleTypeError,
  type OracleColumnType,
} from '../../providers/oracle/oracle-type-map.js';
import { defaultPgType } from '../../providers/postgres/pg-type-map.js';

const col = (dataType: string, more: Partial<OracleColumnType> = {}): OracleColumnType => ({
  dataType,
  dataTypeOwner: null,
  dataLength: null,
  dataPrecision: null,
  dataScale: null,
  charLength: null,
  charUsed: null,
  ...more,
});
const num = (p: number | null, s: number | null) => col('NUMBER', { dataPrecision: p, dataScale: s, dataLength: 22 });
const int = (bits: 16 | 32 | 64): CanonicalType => ({ kind: 'int', bits, unsigned: false });
const dec = (precision: number | null, scale: number): CanonicalType => ({ kind: 'decimal', precision, scale });

describe('the Oracle → canonical type map', () => {
  const cases: [string, OracleColumnType, CanonicalType, string, string][] = [
    // [label, column, canonical, native text, PostgreSQL type]
    ['NUMBER(1)', num(1, 0), int(16), 'NUMBER(1)', 'smallint'],
    ['NUMBER(4)', num(4, 0), int(16), 'NUMBER(4)', 'smallint'],
    ['NUMBER(5)', num(5, 0), int(32), 'NUMBER(5)', 'integer'],
    ['NUMBER(9)', num(9, 0), int(32), 'NUMBER(9)', 'integer'],
    ['NUMBER(10)', num(10, 0), int(64), 'NUMBER(10)', 'bigint'],
    ['NUMBER(18)', num(18, 0), int(64), 'NUMBER(18)', 'bigint'],
    ['NUMBER(19)', num(19, 0), dec(19, 0), 'NUMBER(19)', 'numeric(19,0)'],
    ['NUMBER(38)', num(38, 0), dec(38, 0), 'NUMBER(38)', 'numeric(38,0)'],
    ['NUMBER(10,2)', num(10, 2), dec(10, 2), 'NUMBER(10,2)', 'numeric(10,2)'],
    ['NUMBER(38,10)', num(38, 10), dec(38, 10), 'NUMBER(38,10)', 'numeric(38,10)'],
    ['NUMBER(3,5): fraction digits only', num(3, 5), dec(5, 5), 'NUMBER(3,5)', 'numeric(5,5)'],
    ['NUMBER(5,-2): rounded to hundreds', num(5, -2), int(32), 'NUMBER(5,-2)', 'integer'],
    ['NUMBER(17,-3)', num(17, -3), dec(20, 0), 'NUMBER(17,-3)', 'numeric(20,0)'],
    ['NUMBER without precision', num(null, null), dec(null, 0), 'NUMBER', 'numeric'],
    ['NUMBER(*,0) / INTEGER', num(null, 0), dec(38, 0), 'NUMBER(*,0)', 'numeric(38,0)'],
    ['NUMBER(*,2)', num(null, 2), dec(null, 0), 'NUMBER(*,2)', 'numeric'],
    ['FLOAT', col('FLOAT', { dataPrecision: 126 }), dec(null, 0), 'FLOAT(126)', 'numeric'],
    ['FLOAT(10)', col('FLOAT', { dataPrecision: 10 }), dec(null, 0), 'FLOAT(10)', 'numeric'],
    ['BINARY_FLOAT', col('BINARY_FLOAT'), { kind: 'float', bits: 32 }, 'BINARY_FLOAT', 'real'],
    ['BINARY_DOUBLE', col('BINARY_DOUBLE'), { kind: 'float', bits: 64 }, 'BINARY_DOUBLE', 'double precision'],
    [
      'VARCHAR2(20 CHAR)',
      col('VARCHAR2', { dataLength: 80, charLength: 20, charUsed: 'C' }),
      { kind: 'text', length: 20, fixed: false, charset: null },
      'VARCHAR2(20 CHAR)',
      'varchar(20)',
    ],
    [
      'VARCHAR2(20 BYTE)',
      col('VARCHAR2', { dataLength: 20, charLength: 20, charUsed: 'B' }),
      { kind: 'text', length: 20, fixed: false, charset: null },
      'VARCHAR2(20 BYTE)',
      'varchar(20)',
    ],
    [
      'NVARCHAR2(10)',
      col('NVARCHAR2', { dataLength: 20, charLength: 10, charUsed: 'C' }),
      { kind: 'text', length: 10, fixed: false, charset: null },
      'NVARCHAR2(10)',
      'varchar(10)',
    ],
    [
      'CHAR(3)',
      col('CHAR', { dataLength: 3, charLength: 3, charUsed: 'B' }),
      { kind: 'text', length: 3, fixed: true, charset: null },
      'CHAR(3 BYTE)',
      'varchar(3)',
    ],
    [
      'NCHAR(2)',
      col('NCHAR', { dataLength: 4, charLength: 2, charUsed: 'C' }),
      { kind: 'text', length: 2, fixed: true, charset: null },
      'NCHAR(2)',
      'varchar(2)',
    ],
    ['CLOB', col('CLOB', { dataLength: 4000 }), { kind: 'text', length: null, fixed: false, charset: null }, 'CLOB', 'text'],
    ['NCLOB', col('NCLOB'), { kind: 'text', length: null, fixed: false, charset: null }, 'NCLOB', 'text'],
    ['RAW(16)', col('RAW', { dataLength: 16 }), { kind: 'bytes', length: 16, fixed: false }, 'RAW(16)', 'bytea'],
    ['BLOB', col('BLOB'), { kind: 'bytes', length: null, fixed: false }, 'BLOB', 'bytea'],
    ['DATE (with its time of day)', col('DATE'), { kind: 'timestamp', precision: 0, withZone: false }, 'DATE', 'timestamp(0)'],
    ['TIMESTAMP(6)', col('TIMESTAMP(6)'), { kind: 'timestamp', precision: 6, withZone: false }, 'TIMESTAMP(6)', 'timestamp(6)'],
    ['TIMESTAMP(9)', col('TIMESTAMP(9)'), { kind: 'timestamp', precision: 9, withZone: false }, 'TIMESTAMP(9)', 'timestamp(6)'],
    ['TIMESTAMP(0)', col('TIMESTAMP(0)'), { kind: 'timestamp', precision: 0, withZone: false }, 'TIMESTAMP(0)', 'timestamp(0)'],
    [
      'TIMESTAMP(9) WITH TIME ZONE',
      col('TIMESTAMP(9) WITH TIME ZONE'),
      { kind: 'timestamp', precision: 9, withZone: true },
      'TIMESTAMP(9) WITH TIME ZONE',
      'timestamptz(6)',
    ],
    [
      'TIMESTAMP(3) WITH LOCAL TIME ZONE',
      col('TIMESTAMP(3) WITH LOCAL TIME ZONE'),
      { kind: 'timestamp', precision: 3, withZone: true },
      'TIMESTAMP(3) WITH LOCAL TIME ZONE',
      'timestamptz(3)',
    ],
    [
      'INTERVAL YEAR(2) TO MONTH',
      col('INTERVAL YEAR(2) TO MONTH'),
      { kind: 'interval' },
      'INTERVAL YEAR(2) TO MONTH',
      'interval',
    ],
    [
      'INTERVAL DAY(2) TO SECOND(6)',
      col('INTERVAL DAY(2) TO SECOND(6)'),
      { kind: 'interval' },
      'INTERVAL DAY(2) TO SECOND(6)',
      'interval',
    ],
    [
      'ROWID',
      col('ROWID', { dataLength: 10 }),
      { kind: 'text', length: 18, fixed: false, charset: null },
      'ROWID',
      'varchar(18)',
    ],
    [
      'UROWID',
      col('UROWID', { dataLength: 4000 }),
      { kind: 'text', length: 4000, fixed: false, charset: null },
      'UROWID(4000)',
      'varchar(4000)',
    ],
    ['BOOLEAN (23ai)', col('BOOLEAN'), { kind: 'boolean' }, 'BOOLEAN', 'boolean'],
    ['JSON (21c)', col('JSON'), { kind: 'json' }, 'JSON', 'jsonb'],
  ];

  it.each(cases)('%s', (_label, c, canonical, native, pg) => {
    expect(oracleCanonicalType(c)).toEqual(canonical);
    expect(oracleNativeType(c)).toBe(native);
    expect(defaultPgType(canonical, '"x"').type).toBe(pg);
  });

  it.each([
    ['LONG', col('LONG'), /MODIFY \(col CLOB\)/],
    ['LONG RAW', col('LONG RAW'), /MODIFY \(col BLOB\)/],
    ['BFILE', col('BFILE'), /outside the database/],
    ['XMLTYPE', col('XMLTYPE', { dataTypeOwner: 'SYS' }), /XMLTYPE/],
    ['SDO_GEOMETRY', col('SDO_GEOMETRY', { dataTypeOwner: 'MDSYS' }), /object type|SDO_GEOMETRY/],
    ['ANYDATA', col('ANYDATA', { dataTypeOwner: 'SYS' }), /ANYDATA/],
    ['a user-defined object type', col('ADDRESS_T', { dataTypeOwner: 'APP' }), /APP\.ADDRESS_T is a user-defined/],
    ['a VARRAY', col('PHONES_T', { dataTypeOwner: 'APP' }), /user-defined/],
    ['a REF', col('REF ADDRESS_T'), /object reference/],
    ['VECTOR (23ai)', col('VECTOR'), /VECTOR/],
    ['MLSLABEL', col('MLSLABEL'), /MLSLABEL/],
    ['an unknown interval', col('INTERVAL SOMETHING'), /interval/],
    ['an unknown type', col('WEIRD'), /no canonical form/],
  ])('%s is named as not mapped', (_label, c, reason) => {
    expect(() => oracleCanonicalType(c)).toThrow(UnmappableOracleTypeError);
    expect(() => oracleCanonicalType(c)).toThrow(reason);
  });

  it('names the owner of a user-defined type in its native text', () => {
    expect(oracleNativeType(col('ADDRESS_T', { dataTypeOwner: 'APP' }))).toBe('APP.ADDRESS_T');
    expect(oracleNativeType(col('XMLTYPE', { dataTypeOwner: 'SYS' }))).toBe('XMLTYPE');
  });
});
