import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import type { ColumnDef } from '../../providers/catalog.js';
import { keyBound, namedBinds, padScale, verifySelectExpression } from '../../providers/oracle/oracle-checksummer.js';
import { escapeCopyText, RowEncoder, valueEncoder } from '../../providers/oracle/oracle-interchange.js';
import { oracleDefault } from '../../providers/oracle/oracle-introspector.js';
import { isConfigurationOracleError, isTransientOracleError } from '../../providers/oracle/oracle-transient-error.js';
import { oracleProvider } from '../../providers/oracle/oracle-provider.js';

const col = (name: string, nativeType: string, canonical: CanonicalType | undefined): ColumnDef => ({
  name,
  nativeType,
  nullable: true,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  binarySafe: false,
  ...(canonical ? { canonical } : {}),
});

describe('dump values as canonical text', () => {
  it.each<[string, string, CanonicalType, unknown, string | null]>([
    ['NUMBER text', 'NUMBER', { kind: 'decimal', precision: null, scale: 0 }, '.5', '0.5'],
    [
      'NUMBER beyond 2^53, exact',
      'NUMBER(38)',
      { kind: 'decimal', precision: 38, scale: 0 },
      '12345678901234567890123456789012345678',
      '12345678901234567890123456789012345678',
    ],
    ['NUMBER(10) as an int', 'NUMBER(10)', { kind: 'int', bits: 64, unsigned: false }, '-9007199254740993', '-9007199254740993'],
    ['NULL', 'NUMBER', { kind: 'decimal', precision: null, scale: 0 }, null, null],
    ['BINARY_FLOAT (an IEEE number)', 'BINARY_FLOAT', { kind: 'float', bits: 32 }, Math.fround(0.1), '0.1'],
    ['BINARY_DOUBLE', 'BINARY_DOUBLE', { kind: 'float', bits: 64 }, 0.1, '0.1'],
    ['BINARY_DOUBLE NaN', 'BINARY_DOUBLE', { kind: 'float', bits: 64 }, NaN, 'NaN'],
    ['DATE text', 'DATE', { kind: 'timestamp', precision: 0, withZone: false }, ' 2024-02-29 23:59:59', '2024-02-29 23:59:59'],
    [
      'TIMESTAMP(9) text',
      'TIMESTAMP(9)',
      { kind: 'timestamp', precision: 9, withZone: false },
      ' 2024-02-29 23:59:59.123456789',
      '2024-02-29 23:59:59.123456789',
    ],
    [
      'TIMESTAMP WITH TIME ZONE in UTC',
      'TIMESTAMP(6) WITH TIME ZONE',
      { kind: 'timestamp', precision: 6, withZone: true },
      ' 2024-02-29 23:59:59.500000000',
      '2024-02-29 23:59:59.5+00',
    ],
    ['a BC date', 'DATE', { kind: 'timestamp', precision: 0, withZone: false }, '-4712-01-01 00:00:00', '4712-01-01 00:00:00 BC'],
    ['INTERVAL', 'INTERVAL DAY(2) TO SECOND(6)', { kind: 'interval' }, '+01 00:00:00.000000', '1 day'],
    ['RAW', 'RAW(4)', { kind: 'bytes', length: 4, fixed: false }, Buffer.from('0aff', 'hex'), '\\x0aff'],
    ['an empty BLOB', 'BLOB', { kind: 'bytes', length: null, fixed: false }, Buffer.alloc(0), '\\x'],
    ['CHAR padding', 'CHAR(5 BYTE)', { kind: 'text', length: 5, fixed: true, charset: null }, 'ab   ', 'ab'],
    ['CLOB', 'CLOB', { kind: 'text', length: null, fixed: false, charset: null }, 'x\ny', 'x\ny'],
    ['BOOLEAN', 'BOOLEAN', { kind: 'boolean' }, '1', 't'],
  ])('%s', (_name, native, canonical, value, want) => {
    expect(valueEncoder(col('C', native, canonical))(value)).toBe(want);
  });

  it('refuses a value of the wrong kind', () => {
    expect(() => valueEncoder(col('C', 'RAW(1)', { kind: 'bytes', length: 1, fixed: false }))('ff')).toThrow(
      /bytes arrived as string/,
    );
    expect(() => valueEncoder(col('C', 'NUMBER', { kind: 'decimal', precision: null, scale: 0 }))({})).toThrow(
      /unexpected object/,
    );
  });

  it('escapes COPY text', () => {
    expect(escapeCopyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(escapeCopyText('plain')).toBe('plain');
  });

  it('encodes lines: tab between columns, \\N for NULL', () => {
    const enc = new RowEncoder([
      col('ID', 'NUMBER(10)', { kind: 'int', bits: 64, unsigned: false }),
      col('N', 'VARCHAR2(10 CHAR)', { kind: 'text', length: 10, fixed: false, charset: null }),
      col('B', 'BLOB', { kind: 'bytes', length: null, fixed: false }),
    ]);
    expect(enc.line(['1', 'a\tb', null])).toBe('1\ta\\tb\t\\N\n');
    expect(enc.line(['2', null, Buffer.from([1])])).toBe('2\t\\N\t\\\\x01\n');
  });
});

describe('verify helpers', () => {
  it('rounds timestamps past microseconds on the server', () => {
    expect(verifySelectExpression(col('T', 'TIMESTAMP(9)', { kind: 'timestamp', precision: 9, withZone: false }))).toBe(
      `TO_CHAR(CAST("T" AS TIMESTAMP(6)), 'SYYYY-MM-DD HH24:MI:SS.FF9')`,
    );
    expect(
      verifySelectExpression(col('T', 'TIMESTAMP(9) WITH TIME ZONE', { kind: 'timestamp', precision: 9, withZone: true })),
    ).toBe(`TO_CHAR(SYS_EXTRACT_UTC(CAST("T" AS TIMESTAMP(6) WITH TIME ZONE)), 'SYYYY-MM-DD HH24:MI:SS.FF9')`);
    expect(verifySelectExpression(col('T', 'TIMESTAMP(3)', { kind: 'timestamp', precision: 3, withZone: false }))).toBe(
      `TO_CHAR("T", 'SYYYY-MM-DD HH24:MI:SS.FF9')`,
    );
  });

  it.each([
    ['1.5', 2, '1.50'],
    ['0', 2, '0.00'],
    ['-3.125', 3, '-3.125'],
    ['7', 0, '7'],
  ] as const)('pads %s to scale %i', (v, scale, want) => {
    expect(padScale(v, col('D', 'NUMBER', { kind: 'decimal', precision: 10, scale }))).toBe(want);
  });

  it('leaves unbounded decimals and other kinds alone', () => {
    expect(padScale('1.5', col('D', 'NUMBER', { kind: 'decimal', precision: null, scale: 0 }))).toBe('1.5');
    expect(padScale(null, col('D', 'NUMBER', { kind: 'decimal', precision: 5, scale: 2 }))).toBeNull();
  });

  it('spells out row-value bounds with named binds', () => {
    expect(keyBound(['A'], '>', 0)).toBe('(("A" > :b1))');
    expect(keyBound(['A', 'B'], '>', 0)).toBe('(("A" > :b1) OR ("A" = :b1 AND "B" > :b2))');
    expect(keyBound(['A', 'B'], '<=', 2)).toBe('(("A" < :b3) OR ("A" = :b3 AND "B" <= :b4))');
    expect(keyBound(['A', 'B', 'C'], '<=', 0)).toBe(
      '(("A" < :b1) OR ("A" = :b1 AND "B" < :b2) OR ("A" = :b1 AND "B" = :b2 AND "C" <= :b3))',
    );
    expect(namedBinds(['x', 'y'])).toEqual({ b1: 'x', b2: 'y' });
  });
});

describe('column defaults', () => {
  it.each([
    [null, null],
    ['NULL ', null],
    ["'abc' ", "'abc'"],
    ['0\n', '0'],
    ['SYSDATE', 'CURRENT_TIMESTAMP'],
    ['systimestamp(6)', 'CURRENT_TIMESTAMP'],
    ['"APP"."SEQ"."NEXTVAL"', '"APP"."SEQ"."NEXTVAL"'],
  ])('%j → %j', (text, want) => {
    expect(oracleDefault(text)).toBe(want);
  });
});

describe('Oracle errors', () => {
  const ora = (n: number) =>
    Object.assign(new Error(`ORA-${String(n).padStart(5, '0')}: x`), { errorNum: n, code: `ORA-${String(n).padStart(5, '0')}` });

  it.each([
    [ora(3113), true, false],
    [ora(3135), true, false],
    [ora(12541), true, false],
    [ora(1033), true, false],
    [ora(60), true, false],
    [Object.assign(new Error('closed'), { code: 'NJS-500', isRecoverable: true }), true, false],
    [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true, false],
    [new Error('wrapped', { cause: ora(3113) }), true, false],
    [ora(1017), false, true],
    [ora(1031), false, true],
    [ora(942), false, true],
    [ora(1555), false, true],
    [ora(1291), false, true],
    [ora(1), false, false], // unique constraint: neither
    [new Error('plain'), false, false],
  ])('%s: transient %s, configuration %s', (err, transient, configuration) => {
    expect(isTransientOracleError(err)).toBe(transient);
    expect(isConfigurationOracleError(err)).toBe(configuration);
  });

  it('is a CDC source and never a destination', () => {
    expect(oracleProvider.engine).toBe('oracle');
    expect(oracleProvider.capabilities).toEqual({ cdc: true, destination: false });
    expect(() => oracleProvider.destination({} as never, {} as never)).toThrow(/not a destination/);
  });
});
