import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import { defaultPgType } from '../../providers/postgres/pg-type-map.js';
import {
  isServerWritten,
  sqlServerCanonicalType,
  sqlServerTypeText,
  SQLSERVER_TYPE_RULES,
  UnmappableSqlServerTypeError,
  type SqlServerColumnType,
} from '../../providers/sqlserver/mssql-native-type.js';

const col = (typeName: string, more: Partial<SqlServerColumnType> = {}): SqlServerColumnType => ({
  typeName,
  maxLength: 0,
  precision: 0,
  scale: 0,
  column: 'dbo.t.c',
  ...more,
});

/** Every SQL Server type: its native text, canonical type, and the PostgreSQL type it becomes by default. */
const CASES: [SqlServerColumnType, string, CanonicalType, string][] = [
  [col('bit', { maxLength: 1, precision: 1 }), 'bit', { kind: 'boolean' }, 'boolean'],
  [col('tinyint', { maxLength: 1, precision: 3 }), 'tinyint', { kind: 'int', bits: 8, unsigned: true }, 'smallint'],
  [col('smallint', { maxLength: 2, precision: 5 }), 'smallint', { kind: 'int', bits: 16, unsigned: false }, 'smallint'],
  [col('int', { maxLength: 4, precision: 10 }), 'int', { kind: 'int', bits: 32, unsigned: false }, 'integer'],
  [col('bigint', { maxLength: 8, precision: 19 }), 'bigint', { kind: 'int', bits: 64, unsigned: false }, 'bigint'],
  [col('decimal', { precision: 12, scale: 2 }), 'decimal(12,2)', { kind: 'decimal', precision: 12, scale: 2 }, 'numeric(12,2)'],
  [col('decimal', { precision: 38, scale: 0 }), 'decimal(38,0)', { kind: 'decimal', precision: 38, scale: 0 }, 'numeric(38,0)'],
  [
    col('numeric', { precision: 38, scale: 38 }),
    'numeric(38,38)',
    { kind: 'decimal', precision: 38, scale: 38 },
    'numeric(38,38)',
  ],
  [col('money', { precision: 19, scale: 4 }), 'money', { kind: 'decimal', precision: 19, scale: 4 }, 'numeric(19,4)'],
  [col('smallmoney', { precision: 10, scale: 4 }), 'smallmoney', { kind: 'decimal', precision: 10, scale: 4 }, 'numeric(10,4)'],
  [col('float', { maxLength: 8, precision: 53 }), 'float', { kind: 'float', bits: 64 }, 'double precision'],
  [col('float', { maxLength: 4, precision: 24 }), 'real', { kind: 'float', bits: 32 }, 'real'],
  [col('real', { maxLength: 4, precision: 24 }), 'real', { kind: 'float', bits: 32 }, 'real'],
  [col('char', { maxLength: 10 }), 'char(10)', { kind: 'text', length: 10, fixed: true, charset: null }, 'varchar(10)'],
  [
    col('varchar', { maxLength: 255 }),
    'varchar(255)',
    { kind: 'text', length: 255, fixed: false, charset: null },
    'varchar(255)',
  ],
  [col('varchar', { maxLength: -1 }), 'varchar(max)', { kind: 'text', length: null, fixed: false, charset: null }, 'text'],
  [col('nchar', { maxLength: 20 }), 'nchar(10)', { kind: 'text', length: 10, fixed: true, charset: null }, 'varchar(10)'],
  [col('nvarchar', { maxLength: 100 }), 'nvarchar(50)', { kind: 'text', length: 50, fixed: false, charset: null }, 'varchar(50)'],
  [col('nvarchar', { maxLength: -1 }), 'nvarchar(max)', { kind: 'text', length: null, fixed: false, charset: null }, 'text'],
  [col('sysname', { maxLength: 256 }), 'sysname', { kind: 'text', length: 128, fixed: false, charset: null }, 'varchar(128)'],
  [col('text', { maxLength: 16 }), 'text', { kind: 'text', length: null, fixed: false, charset: null }, 'text'],
  [col('ntext', { maxLength: 16 }), 'ntext', { kind: 'text', length: null, fixed: false, charset: null }, 'text'],
  [col('xml', { maxLength: -1 }), 'xml', { kind: 'text', length: null, fixed: false, charset: null }, 'text'],
  [
    col('hierarchyid', { maxLength: 892 }),
    'hierarchyid',
    { kind: 'text', length: 4000, fixed: false, charset: null },
    'varchar(4000)',
  ],
  [col('binary', { maxLength: 16 }), 'binary(16)', { kind: 'bytes', length: 16, fixed: true }, 'bytea'],
  [col('varbinary', { maxLength: 100 }), 'varbinary(100)', { kind: 'bytes', length: 100, fixed: false }, 'bytea'],
  [col('varbinary', { maxLength: -1 }), 'varbinary(max)', { kind: 'bytes', length: null, fixed: false }, 'bytea'],
  [col('image', { maxLength: 16 }), 'image', { kind: 'bytes', length: null, fixed: false }, 'bytea'],
  [col('timestamp', { maxLength: 8 }), 'rowversion', { kind: 'bytes', length: 8, fixed: true }, 'bytea'],
  [col('rowversion', { maxLength: 8 }), 'rowversion', { kind: 'bytes', length: 8, fixed: true }, 'bytea'],
  [col('date', { maxLength: 3, precision: 10 }), 'date', { kind: 'date' }, 'date'],
  [col('time', { maxLength: 5, precision: 16, scale: 7 }), 'time(7)', { kind: 'time', precision: 7, extended: false }, 'time(6)'],
  [col('time', { maxLength: 3, precision: 8, scale: 0 }), 'time(0)', { kind: 'time', precision: 0, extended: false }, 'time(0)'],
  [
    col('datetime2', { maxLength: 8, precision: 27, scale: 7 }),
    'datetime2(7)',
    { kind: 'timestamp', precision: 7, withZone: false },
    'timestamp(6)',
  ],
  [
    col('datetime2', { maxLength: 6, precision: 19, scale: 0 }),
    'datetime2(0)',
    { kind: 'timestamp', precision: 0, withZone: false },
    'timestamp(0)',
  ],
  [
    col('datetime', { maxLength: 8, precision: 23, scale: 3 }),
    'datetime',
    { kind: 'timestamp', precision: 3, withZone: false },
    'timestamp(3)',
  ],
  [
    col('smalldatetime', { maxLength: 4, precision: 16 }),
    'smalldatetime',
    { kind: 'timestamp', precision: 0, withZone: false },
    'timestamp(0)',
  ],
  [
    col('datetimeoffset', { maxLength: 10, precision: 34, scale: 7 }),
    'datetimeoffset(7)',
    { kind: 'timestamp', precision: 7, withZone: true },
    'timestamptz(6)',
  ],
  [
    col('datetimeoffset', { maxLength: 8, precision: 26, scale: 0 }),
    'datetimeoffset(0)',
    { kind: 'timestamp', precision: 0, withZone: true },
    'timestamptz(0)',
  ],
  [col('uniqueidentifier', { maxLength: 16 }), 'uniqueidentifier', { kind: 'uuid' }, 'uuid'],
  [col('json', { maxLength: -1 }), 'json', { kind: 'json' }, 'jsonb'],
  [
    col('geometry', { maxLength: -1, assembly: true }),
    'geometry',
    { kind: 'geometry', subtype: 'geometry', srid: null },
    'bytea',
  ],
  [
    col('geography', { maxLength: -1, assembly: true }),
    'geography',
    { kind: 'geometry', subtype: 'geometry', srid: null },
    'bytea',
  ],
];

describe('SQL Server → canonical types', () => {
  it.each(CASES)('%o is %s', (c, text, canonical, pg) => {
    expect(sqlServerTypeText(c)).toBe(text);
    expect(sqlServerCanonicalType(c)).toEqual(canonical);
    expect(defaultPgType(canonical, '"e"').type).toBe(pg);
  });

  it('has a case for every rule', () => {
    const covered = new Set(CASES.map(([c]) => c.typeName));
    for (const type of Object.keys(SQLSERVER_TYPE_RULES)) expect(covered, type).toContain(type);
  });

  it('reads type names in any case', () => {
    expect(sqlServerCanonicalType(col('NVarChar', { maxLength: 8 }))).toEqual({
      kind: 'text',
      length: 4,
      fixed: false,
      charset: null,
    });
  });

  it('defaults a decimal without precision to SQL Server’s 18', () => {
    expect(sqlServerCanonicalType(col('decimal'))).toEqual({ kind: 'decimal', precision: 18, scale: 0 });
  });

  it.each([
    ['sql_variant', /dbo\.t\.c has type sql_variant.*many types/],
    ['vector', /vector, which has no canonical form/],
    ['cursor', /cannot be stored/],
    ['table', /cannot be stored/],
    ['my_clr_type', /CLR or unknown type/],
  ])('refuses %s, naming the column', (type, message) => {
    const err = (() => {
      try {
        sqlServerCanonicalType(col(type));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(UnmappableSqlServerTypeError);
    expect((err as UnmappableSqlServerTypeError).column).toBe('dbo.t.c');
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a CLR type even when its name shadows a built-in one', () => {
    expect(() => sqlServerCanonicalType(col('money', { assembly: true }))).toThrow(UnmappableSqlServerTypeError);
    expect(() => sqlServerCanonicalType(col('hierarchyid', { assembly: true }))).not.toThrow();
  });

  it('knows which columns the server writes itself', () => {
    expect(isServerWritten('rowversion')).toBe(true);
    expect(isServerWritten('TIMESTAMP')).toBe(true);
    expect(isServerWritten('datetime2')).toBe(false);
  });
});
