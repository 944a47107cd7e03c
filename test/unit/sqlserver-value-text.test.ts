import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import { offsetText, sqlServerLiteral } from '../../providers/sqlserver/mssql-literal.js';
import {
  baseTypeName,
  canonicalText,
  escapeInterchange,
  interchangeLine,
  selectExpression,
  shortestFloat32,
} from '../../providers/sqlserver/mssql-value-text.js';

const int32: CanonicalType = { kind: 'int', bits: 32, unsigned: false };
const int64: CanonicalType = { kind: 'int', bits: 64, unsigned: false };
const dec: CanonicalType = { kind: 'decimal', precision: 38, scale: 10 };
const f32: CanonicalType = { kind: 'float', bits: 32 };
const f64: CanonicalType = { kind: 'float', bits: 64 };
const text: CanonicalType = { kind: 'text', length: null, fixed: false, charset: null };
const bytes: CanonicalType = { kind: 'bytes', length: null, fixed: false };
const ts7: CanonicalType = { kind: 'timestamp', precision: 7, withZone: false };
const tsz3: CanonicalType = { kind: 'timestamp', precision: 3, withZone: true };
const geo: CanonicalType = { kind: 'geometry', subtype: 'geometry', srid: null };

describe('select expressions (the server renders what JS would round)', () => {
  it.each([
    ['money', dec, 'CONVERT(varchar(40), [c], 2) AS [c]'],
    ['smallmoney', dec, 'CONVERT(varchar(40), [c], 2) AS [c]'],
    ['decimal', dec, 'CONVERT(varchar(50), [c]) AS [c]'],
    ['numeric', dec, 'CONVERT(varchar(50), [c]) AS [c]'],
    ['date', { kind: 'date' }, 'CONVERT(char(10), [c], 23) AS [c]'],
    ['smalldatetime', ts7, 'CONVERT(char(19), [c], 120) AS [c]'],
    ['datetime', ts7, 'CONVERT(varchar(27), [c], 121) AS [c]'],
    ['datetime2', ts7, 'CONVERT(varchar(27), [c], 121) AS [c]'],
    ['datetimeoffset', tsz3, "CONVERT(varchar(27), CAST(SWITCHOFFSET([c], '+00:00') AS datetime2(3)), 121) + '+00' AS [c]"],
    ['time', { kind: 'time', precision: 7, extended: false }, 'CONVERT(varchar(16), [c]) AS [c]'],
    ['uniqueidentifier', { kind: 'uuid' }, 'LOWER(CONVERT(char(36), [c])) AS [c]'],
    ['xml', text, 'CONVERT(nvarchar(max), [c]) AS [c]'],
    ['hierarchyid', text, '[c].ToString() AS [c]'],
    ['int', int32, '[c] AS [c]'],
    ['bigint', int64, '[c] AS [c]'],
    ['varbinary', bytes, '[c] AS [c]'],
    ['nvarchar', text, '[c] AS [c]'],
    ['float', f64, '[c] AS [c]'],
  ] as [string, CanonicalType, string][])('%s', (typeName, canonical, sql) => {
    expect(selectExpression({ name: 'c', typeName, canonical })).toBe(sql);
  });

  it('builds geometry bytes as little-endian SRID then WKB', () => {
    const sql = selectExpression({ name: 'g', typeName: 'geography', canonical: geo }, 'x.');
    expect(sql).toContain('CAST((x.[g].STSrid / 1) & 255 AS binary(1))');
    expect(sql).toContain('CAST((x.[g].STSrid / 16777216) & 255 AS binary(1))');
    expect(sql).toContain('x.[g].STAsBinary()');
    expect(sql).toMatch(/^CASE WHEN x\.\[g\] IS NULL THEN NULL/);
  });

  it('quotes the column and refuses sql_variant', () => {
    expect(selectExpression({ name: 'a]b', typeName: 'int', canonical: int32 })).toBe('[a]]b] AS [a]]b]');
    expect(() => selectExpression({ name: 'v', typeName: 'sql_variant', canonical: text })).toThrow(/sql_variant/);
  });

  it.each([
    ['decimal(12,2)', 'decimal'],
    ['nvarchar(max)', 'nvarchar'],
    ['DateTime2(7)', 'datetime2'],
    ['int', 'int'],
  ])('base type of %s is %s', (native, base) => {
    expect(baseTypeName(native)).toBe(base);
  });
});

describe('canonical text of tedious values', () => {
  it.each([
    [{ kind: 'boolean' }, true, 't'],
    [{ kind: 'boolean' }, false, 'f'],
    [int32, 2147483647, '2147483647'],
    [int32, -5, '-5'],
    [int64, '9223372036854775807', '9223372036854775807'],
    [int64, 9007199254740993n, '9007199254740993'],
    [dec, '12345678901234567890.1234567890', '12345678901234567890.1234567890'],
    [f64, 0.1, '0.1'],
    [f64, 1e300, '1e+300'],
    [f64, -0, '0'],
    [f32, 0.10000000149011612, '0.1'],
    [f32, 3.4028234663852886e38, '3.4028235e+38'],
    [bytes, Buffer.from([0, 1, 0xfe]), '\\x0001fe'],
    [bytes, Buffer.alloc(0), '\\x'],
    [{ kind: 'uuid' }, '6F9619FF-8B86-D011-B42D-00C04FC964FF', '6f9619ff-8b86-d011-b42d-00c04fc964ff'],
    [ts7, '2024-02-29 23:59:59.9999999', '2024-02-29 23:59:59.9999999'],
    [text, 'tab\there', 'tab\there'],
    [text, null, null],
    [text, undefined, null],
  ] as [CanonicalType, unknown, string | null][])('%o %o → %j', (t, v, want) => {
    expect(canonicalText(t, v)).toBe(want);
  });

  it('refuses what would not be exact', () => {
    expect(() => canonicalText(int64, 2 ** 60)).toThrow(/inexact/);
    expect(() => canonicalText(dec, 1.5)).toThrow(/inexact/);
    expect(() => canonicalText(ts7, new Date())).toThrow(/JS Date/);
    expect(() => canonicalText(text, {})).toThrow(/unexpected/);
  });

  it.each([
    [0.5, '0.5'],
    [1 / 3, '0.33333334'],
    [16777216, '16777216'],
    [1.1754943508222875e-38, '1.1754944e-38'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [NaN, 'NaN'],
  ])('shortest float32 of %d is %s', (v, want) => {
    expect(shortestFloat32(v)).toBe(want);
    if (Number.isFinite(v)) expect(Math.fround(Number(want))).toBe(Math.fround(v));
  });
});

describe('interchange lines', () => {
  it('escapes backslash, tab, newline, carriage return only', () => {
    expect(escapeInterchange('plain é')).toBe('plain é');
    expect(escapeInterchange('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('joins values with tabs, NULL as \\N, bytes keep their escaped prefix', () => {
    expect(interchangeLine(['1', null, '\\x00ff', 'x\ty'])).toBe('1\t\\N\t\\\\x00ff\tx\\ty\n');
  });
});

describe('T-SQL literals of canonical text', () => {
  it.each([
    ['bit', { kind: 'boolean' }, 't', '1'],
    ['bit', { kind: 'boolean' }, 'f', '0'],
    ['int', int32, '-42', '-42'],
    ['bigint', int64, '9223372036854775807', '9223372036854775807'],
    ['decimal(38,10)', dec, '-1.5000000000', 'CAST(-1.5000000000 AS decimal(38,10))'],
    ['money', dec, '12.3400', 'CAST(12.3400 AS money)'],
    ['varbinary(max)', bytes, '\\x00ff', '0x00ff'],
    ['rowversion', bytes, '\\x0000000000000001', '0x0000000000000001'],
    ['nvarchar(50)', text, "O'Brien", "N'O''Brien'"],
    ['varchar(max)', text, '', "N''"],
    ['datetime2(7)', ts7, '2024-01-02 03:04:05.1234567', "CAST(N'2024-01-02 03:04:05.1234567' AS datetime2(7))"],
    ['datetimeoffset(3)', tsz3, '2024-01-02 03:04:05.123+00', "CAST(N'2024-01-02 03:04:05.123 +00:00' AS datetimeoffset(3))"],
    [
      'uniqueidentifier',
      { kind: 'uuid' },
      '6f9619ff-8b86-d011-b42d-00c04fc964ff',
      "CAST(N'6f9619ff-8b86-d011-b42d-00c04fc964ff' AS uniqueidentifier)",
    ],
    ['float', f64, '1e+300', "CAST(N'1e+300' AS float)"],
    ['hierarchyid', text, '/1/3/', "hierarchyid::Parse(N'/1/3/')"],
    ['geography', geo, '\\xe6100000' + '0101000000', 'geography::STGeomFromWKB(0x0101000000, 4326)'],
    ['int', int32, null, 'NULL'],
  ] as [string, CanonicalType, string | null, string][])('%s %j → %s', (native, canonical, value, want) => {
    expect(sqlServerLiteral(native, canonical, value)).toBe(want);
  });

  it('refuses texts that are not of the kind', () => {
    expect(() => sqlServerLiteral('bit', { kind: 'boolean' }, 'maybe')).toThrow(/boolean/);
    expect(() => sqlServerLiteral('varbinary(10)', bytes, "\\x00'; DROP TABLE x --")).toThrow(/bytes/);
  });

  it('never lets a text value out of its quotes', () => {
    expect(sqlServerLiteral('int', int32, '1; DROP TABLE t')).toBe("CAST(N'1; DROP TABLE t' AS int)");
    expect(sqlServerLiteral('decimal(5,2)', dec, '1); DROP TABLE t --')).toBe("CAST(N'1); DROP TABLE t --' AS decimal(5,2))");
  });

  it.each([
    ['2024-01-02 03:04:05+00', '2024-01-02 03:04:05 +00:00'],
    ['2024-01-02 03:04:05.5-0530', '2024-01-02 03:04:05.5 -05:30'],
    ['2024-01-02 03:04:05 +01:00', '2024-01-02 03:04:05 +01:00'],
    ['2024-01-02', '2024-01-02'],
  ])('offset text of %s', (input, want) => {
    expect(offsetText(input)).toBe(want);
  });
});
