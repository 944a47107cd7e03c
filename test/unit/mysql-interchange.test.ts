import { describe, expect, it } from 'vitest';
import type { ColumnDef } from '../../providers/catalog.js';
import { escapeCopyText, isZeroDate, RowEncoder } from '../../providers/mysql/mysql-interchange.js';
import { compareBinlogPositions, parseBinlogPosition } from '../../providers/mysql/mysql-position.js';
import type { BinlogColumn, BinlogValue } from '../../providers/mysql/binlog/binlog-types.js';
import { canonicalBinlogValue, ddlChange } from '../../providers/mysql/mysql-change-stream.js';

const col = (name: string, canonical: ColumnDef['canonical']): ColumnDef => ({
  name,
  nativeType: '',
  nullable: true,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  binarySafe: false,
  ...(canonical ? { canonical } : {}),
});

describe('interchange text of MySQL values', () => {
  it.each([
    ['plain', 'plain'],
    ['a\tb', 'a\\tb'],
    ['line\nnext\r', 'line\\nnext\\r'],
    ['back\\slash', 'back\\\\slash'],
    ['ünï ✓', 'ünï ✓'],
    ['', ''],
  ])('escapes %j', (raw, copy) => {
    expect(escapeCopyText(Buffer.from(raw)).toString()).toBe(copy);
  });

  it.each([
    ['0000-00-00', true],
    ['0000-00-00 00:00:00', true],
    ['2020-00-15', true],
    ['2020-05-00 10:00:00', true],
    ['2020-05-01', false],
    ['0001-01-01 00:00:00.000000', false],
  ])('zero date %s: %s', (v, zero) => {
    expect(isZeroDate(Buffer.from(v))).toBe(zero);
  });

  it('encodes one line per row: bytes as hex, BIT as digits, TIMESTAMP in UTC with its zone, zero dates as they are (counted; the destination converts them)', () => {
    const enc = new RowEncoder([
      col('b', { kind: 'bytes', length: null, fixed: false }),
      col('bits', { kind: 'bit', length: 10 }),
      col('ts', { kind: 'timestamp', precision: 6, withZone: true }),
      col('dt', { kind: 'timestamp', precision: 0, withZone: false }),
      col('t', { kind: 'text', length: null, fixed: false, charset: 'utf8mb4' }),
      col('n', { kind: 'decimal', precision: 65, scale: 30 }),
    ]);
    const out: Buffer[] = [];
    enc.encode(
      [
        Buffer.from([0x00, 0x5c, 0xff]),
        Buffer.from([0x02, 0x01]),
        Buffer.from('2024-02-29 23:59:59.999999'),
        Buffer.from('0000-00-00 00:00:00'),
        Buffer.from('x\ty'),
        Buffer.from('-99999999999999999999999999999999999.999999999999999999999999999999'),
      ],
      out,
    );
    enc.encode([null, null, null, null, null, null], out);
    expect(Buffer.concat(out).toString()).toBe(
      '\\\\x005cff\t1000000001\t2024-02-29 23:59:59.999999+00\t0000-00-00 00:00:00\tx\\ty\t-99999999999999999999999999999999999.999999999999999999999999999999\n' +
        '\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n',
    );
    expect(enc.counts.zeroDates).toEqual(new Map([['dt', 1]]));
  });
});

describe('binary-log positions', () => {
  it('order by file sequence, then offset', () => {
    const sorted = ['binlog.000010:4', 'binlog.000002:900', 'binlog.000002:1200', 'binlog.000009:77777'].sort(
      compareBinlogPositions,
    );
    expect(sorted).toEqual(['binlog.000002:900', 'binlog.000002:1200', 'binlog.000009:77777', 'binlog.000010:4']);
    expect(compareBinlogPositions('mysql-bin.000001:4', 'mysql-bin.000001:4')).toBe(0);
  });
  it.each(['', 'binlog:4', 'binlog.000001', 'binlog.000001:-1', 'binlog.000001:x'])('rejects %j', (p) => {
    expect(() => parseBinlogPosition(p)).toThrow(/not a binary-log position/);
  });
});

describe('binlog values as canonical text', () => {
  const column = (typeName: string, collation?: number) =>
    ({
      index: 0,
      name: 'c',
      type: 0,
      typeName,
      nullable: true,
      unsigned: false,
      primaryKey: false,
      ...(collation === undefined ? {} : { collation }),
    }) as BinlogColumn;
  it.each([
    [column('varchar', 45), Buffer.from('ünï ✓'), 'ünï ✓'],
    [column('varchar', 8), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x80]), 'café€'],
    [column('blob', 63), Buffer.from([0, 255]), '\\x00ff'],
    [column('geometry', 63), Buffer.from([0xe6, 0x10, 0, 0]), '\\xe6100000'],
    [column('timestamp2'), '2024-01-01 00:00:00.500000', '2024-01-01 00:00:00.500000+00'],
    // zero dates as they are: a MySQL destination keeps them, PostgreSQL's writes NULL (counted)
    [column('datetime2'), '0000-00-00 00:00:00', '0000-00-00 00:00:00'],
    [column('timestamp2'), '0000-00-00 00:00:00', '0000-00-00 00:00:00'],
    [column('date'), '2020-05-00', '2020-05-00'],
    [column('date'), '2020-05-01', '2020-05-01'],
    [column('newdecimal'), '-0.50', '-0.50'],
    [column('bit'), '0101', '0101'],
    [column('varchar', 45), null, null],
  ] as [BinlogColumn, BinlogValue, string | null][])('%o %o', (c, v, text) => {
    expect(canonicalBinlogValue(c, v)).toBe(text);
  });
});

describe('binlog statements: what they do to the captured database', () => {
  it.each([
    ['TRUNCATE TABLE orders', 'shop', { kind: 'truncate', tables: ['orders'] }],
    ['truncate `shop`.`my``t`', 'other', { kind: 'truncate', tables: ['my`t'] }],
    ['TRUNCATE other.t', 'shop', { kind: 'truncate', tables: [] }],
    ['ALTER TABLE orders ADD COLUMN x int', 'shop', { kind: 'schema', tables: ['orders'] }],
    ['ALTER ONLINE TABLE shop.orders DROP x', '', { kind: 'schema', tables: ['orders'] }],
    ['CREATE UNIQUE INDEX i ON orders (a)', 'shop', { kind: 'schema', tables: ['orders'] }],
    ['DROP INDEX i ON `orders`', 'shop', { kind: 'schema', tables: ['orders'] }],
    ['DROP TABLE IF EXISTS a, shop.b, other.c /* generated by server */', 'shop', { kind: 'schema', tables: ['a', 'b'] }],
    ['RENAME TABLE a TO a_old, b TO a', 'shop', { kind: 'schema', tables: ['a', 'b'] }],
    ['CREATE TABLE n (id int)', 'shop', 'ignore'],
    ['CREATE DEFINER=`root`@`%` TRIGGER t BEFORE INSERT ON o FOR EACH ROW SET @x = 1', 'shop', 'ignore'],
    ['CREATE OR REPLACE VIEW v AS SELECT 1', 'shop', 'ignore'],
    ["GRANT SELECT ON shop.* TO 'u'@'%'", 'shop', 'ignore'],
    ['ALTER TABLE other.t ADD x int', 'shop', { kind: 'schema', tables: [] }],
    ['DROP DATABASE shop', '', 'unknown'],
    ['LOCK TABLES orders WRITE', 'shop', 'unknown'],
    ['INSTALL PLUGIN x SONAME "y"', 'other', 'ignore'],
  ])('%s (session %s)', (sql, session, what) => {
    expect(ddlChange(sql, session, 'shop')).toEqual(what);
  });
});
