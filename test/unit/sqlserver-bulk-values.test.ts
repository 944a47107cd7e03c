import { TYPES } from 'tedious';
import { describe, expect, it } from 'vitest';
import type { ColumnDef } from '../../providers/catalog.js';
import { bulkColumn, bulkColumns, bulkHints } from '../../providers/sqlserver/mssql-bulk-values.js';

const col = (nativeType: string, nullable = true): ColumnDef => ({
  name: 'c',
  nativeType,
  nullable,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  binarySafe: false,
});

describe('tedious BulkLoad columns', () => {
  it.each([
    ['tinyint', TYPES.TinyInt, '255', 255],
    ['smallint', TYPES.SmallInt, '-32768', -32768],
    ['int', TYPES.Int, '2147483647', 2147483647],
    ['bigint', TYPES.BigInt, '-9223372036854775808', -9223372036854775808n],
    ['bit', TYPES.Bit, 't', true],
    ['bit', TYPES.Bit, 'f', false],
    ['float', TYPES.Float, '0.1', 0.1],
    ['float', TYPES.Float, '1e+300', 1e300],
    ['real', TYPES.Real, '0.1', Math.fround(0.1)],
    ['nvarchar(50)', TYPES.NVarChar, 'ü😀', 'ü😀'],
    ['nchar(3)', TYPES.NChar, 'abc', 'abc'],
    ['sysname', TYPES.NVarChar, 'x', 'x'],
    ['varbinary(max)', TYPES.VarBinary, '\\x00ff', Buffer.from([0, 255])],
    ['binary(2)', TYPES.Binary, '\\xabcd', Buffer.from([0xab, 0xcd])],
    ['uniqueidentifier', TYPES.UniqueIdentifier, '6f9619ff-8b86-d011-b42d-00c04fc964ff', '6f9619ff-8b86-d011-b42d-00c04fc964ff'],
  ] as const)('%s sends %j exactly', (native, type, text, value) => {
    const b = bulkColumn(col(native));
    expect(b?.type).toBe(type);
    expect(b?.value(text)).toEqual(value);
  });

  it.each([
    'decimal(12,2)',
    'numeric(38,0)',
    'money',
    'smallmoney',
    'datetime2(7)',
    'datetime',
    'date',
    'time(7)',
    'datetimeoffset(3)',
    'varchar(10)',
    'char(2)',
    'text',
    'xml',
    'hierarchyid',
    'geography',
    'sql_variant',
  ])('%s loads by INSERT (tedious would round it or pick its code page)', (native) => {
    expect(bulkColumn(col(native))).toBeNull();
  });

  it('takes lengths from the native type, (max) as the largest', () => {
    expect(bulkColumn(col('nvarchar(50)'))?.options).toEqual({ nullable: true, length: 50 });
    expect(bulkColumn(col('nvarchar(max)', false))?.options).toEqual({ nullable: false, length: 2 ** 31 - 1 });
    expect(bulkColumn(col('varbinary(16)'))?.options.length).toBe(16);
  });

  it('refuses texts that are not of the type', () => {
    expect(() => bulkColumn(col('int'))?.value('1.5')).toThrow(/not an integer/);
    expect(() => bulkColumn(col('bigint'))?.value('x')).toThrow(/not an integer/);
    expect(() => bulkColumn(col('bit'))?.value('maybe')).toThrow(/not a boolean/);
    expect(() => bulkColumn(col('varbinary(2)'))?.value('\\xzz')).toThrow(/not a bytes text/);
  });

  it('bulk-loads a table only when every column can', () => {
    expect(bulkColumns([col('int'), col('nvarchar(5)')])?.map((b) => b.type)).toEqual([TYPES.Int, TYPES.NVarChar]);
    expect(bulkColumns([col('int'), col('money')])).toBeNull();
    expect(bulkColumns([])).toEqual([]);
  });

  it('asks for TABLOCK and KEEP_NULLS, and KEEP_IDENTITY for identity values', () => {
    expect(bulkHints(false)).toBe(' WITH (TABLOCK, KEEP_NULLS)');
    expect(bulkHints(true)).toBe(' WITH (TABLOCK, KEEP_NULLS, KEEP_IDENTITY)');
  });
});
