import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import {
  mysqlCanonicalType,
  parseLabels,
  UnmappableTypeError,
  type MySqlColumnType,
} from '../../providers/mysql/mysql-native-type.js';
import { allowedTarget, defaultPgType } from '../../providers/postgres/pg-type-map.js';

const col = (dataType: string, columnType: string, more: Partial<MySqlColumnType> = {}): MySqlColumnType => ({
  dataType,
  columnType,
  charMaxLength: null,
  numericPrecision: null,
  numericScale: null,
  datetimePrecision: null,
  charset: null,
  ...more,
});

/** Every MySQL type: its canonical type and the PostgreSQL type it becomes by default. */
const CASES: [MySqlColumnType, CanonicalType, string][] = [
  [col('tinyint', 'tinyint(4)'), { kind: 'int', bits: 8, unsigned: false }, 'smallint'],
  [col('tinyint', 'tinyint(1)'), { kind: 'int', bits: 8, unsigned: false }, 'smallint'],
  [col('tinyint', 'tinyint(3) unsigned'), { kind: 'int', bits: 8, unsigned: true }, 'smallint'],
  [col('smallint', 'smallint(6)'), { kind: 'int', bits: 16, unsigned: false }, 'smallint'],
  [col('smallint', 'smallint(5) unsigned'), { kind: 'int', bits: 16, unsigned: true }, 'integer'],
  [col('mediumint', 'mediumint(9)'), { kind: 'int', bits: 24, unsigned: false }, 'integer'],
  [col('mediumint', 'mediumint(8) unsigned'), { kind: 'int', bits: 24, unsigned: true }, 'bigint'],
  [col('int', 'int(11)'), { kind: 'int', bits: 32, unsigned: false }, 'integer'],
  [col('int', 'int(10) unsigned zerofill'), { kind: 'int', bits: 32, unsigned: true }, 'bigint'],
  [col('bigint', 'bigint(20)'), { kind: 'int', bits: 64, unsigned: false }, 'bigint'],
  [col('bigint', 'bigint(20) unsigned'), { kind: 'int', bits: 64, unsigned: true }, 'numeric(20)'],
  [
    col('decimal', 'decimal(65,30)', { numericPrecision: 65, numericScale: 30 }),
    { kind: 'decimal', precision: 65, scale: 30 },
    'numeric(65,30)',
  ],
  [
    col('decimal', 'decimal(10,0) unsigned', { numericPrecision: 10, numericScale: 0 }),
    { kind: 'decimal', precision: 10, scale: 0 },
    'numeric(10,0)',
  ],
  [col('float', 'float'), { kind: 'float', bits: 32 }, 'real'],
  [col('double', 'double'), { kind: 'float', bits: 64 }, 'double precision'],
  [col('bit', 'bit(1)', { numericPrecision: 1 }), { kind: 'bit', length: 1 }, 'bit(1)'],
  [col('bit', 'bit(64)', { numericPrecision: 64 }), { kind: 'bit', length: 64 }, 'bit(64)'],
  [
    col('char', 'char(3)', { charMaxLength: 3, charset: 'latin1' }),
    { kind: 'text', length: 3, fixed: true, charset: 'latin1' },
    'varchar(3)',
  ],
  [
    col('varchar', 'varchar(255)', { charMaxLength: 255, charset: 'utf8mb4' }),
    { kind: 'text', length: 255, fixed: false, charset: 'utf8mb4' },
    'varchar(255)',
  ],
  [
    col('tinytext', 'tinytext', { charset: 'utf8mb4' }),
    { kind: 'text', length: 255, fixed: false, charset: 'utf8mb4' },
    'varchar(255)',
  ],
  [col('longtext', 'longtext', { charset: 'utf8mb4' }), { kind: 'text', length: null, fixed: false, charset: 'utf8mb4' }, 'text'],
  [col('longtext', 'longtext', { charset: 'utf8mb4', json: true }), { kind: 'json' }, 'jsonb'],
  [col('json', 'json'), { kind: 'json' }, 'jsonb'],
  [col('binary', 'binary(16)', { charMaxLength: 16 }), { kind: 'bytes', length: 16, fixed: true }, 'bytea'],
  [col('varbinary', 'varbinary(10)', { charMaxLength: 10 }), { kind: 'bytes', length: 10, fixed: false }, 'bytea'],
  [col('longblob', 'longblob'), { kind: 'bytes', length: null, fixed: false }, 'bytea'],
  [col('date', 'date'), { kind: 'date' }, 'date'],
  [col('time', 'time(6)', { datetimePrecision: 6 }), { kind: 'time', precision: 6, extended: true }, 'time(6)'],
  [
    col('datetime', 'datetime(3)', { datetimePrecision: 3 }),
    { kind: 'timestamp', precision: 3, withZone: false },
    'timestamp(3)',
  ],
  [
    col('timestamp', 'timestamp', { datetimePrecision: 0 }),
    { kind: 'timestamp', precision: 0, withZone: true },
    'timestamptz(0)',
  ],
  [col('year', 'year(4)'), { kind: 'year' }, 'smallint'],
  [col('enum', "enum('a','it''s','')"), { kind: 'enum', labels: ['a', "it's", ''] }, '"s"."t_c"'],
  [col('set', "set('x','y')"), { kind: 'set', labels: ['x', 'y'] }, 'text'],
  [col('point', 'point'), { kind: 'geometry', subtype: 'point', srid: null }, 'bytea'],
  [col('geomcollection', 'geomcollection'), { kind: 'geometry', subtype: 'geometrycollection', srid: null }, 'bytea'],
  [col('uuid', 'uuid'), { kind: 'uuid' }, 'uuid'],
];

describe('MySQL types → canonical → PostgreSQL', () => {
  it.each(CASES)('%o', (c, canonical, pg) => {
    const t = mysqlCanonicalType(c);
    expect(t).toEqual(canonical);
    expect(defaultPgType(t, '"s"."t_c"').type).toBe(pg);
  });

  it('a type no canonical kind holds is an error naming it', () => {
    expect(() => mysqlCanonicalType(col('inet6', 'inet6'))).toThrow(UnmappableTypeError);
    expect(() => mysqlCanonicalType(col('inet6', 'inet6'))).toThrow(/inet6/);
  });

  it.each([
    ["enum('a','b')", ['a', 'b']],
    ["set('a,b'' x','\\\\y')", ["a,b' x", '\\y']],
    ["enum('')", ['']],
    ["enum('ü','✓')", ['ü', '✓']],
  ])('labels of %s', (type, labels) => {
    expect(parseLabels(type)).toEqual(labels);
  });

  it.each([
    [{ kind: 'int', bits: 8, unsigned: false }, 'boolean', true],
    [{ kind: 'int', bits: 32, unsigned: false }, 'boolean', false],
    [{ kind: 'bit', length: 1 }, 'boolean', true],
    [{ kind: 'bit', length: 2 }, 'boolean', false],
    [{ kind: 'time', precision: 0, extended: true }, 'interval', true],
    [{ kind: 'time', precision: 0, extended: true }, 'date', false],
    [{ kind: 'text', length: 10, fixed: false, charset: null }, 'citext', true],
    [{ kind: 'bytes', length: null, fixed: false }, 'text', false],
    [{ kind: 'json' }, 'json', true],
    [{ kind: 'decimal', precision: 10, scale: 2 }, 'integer', false],
  ] as [CanonicalType, string, boolean][])('types: %o to %s allowed: %s', (t, to, ok) => {
    expect(allowedTarget(t, to)).toBe(ok);
  });
});
