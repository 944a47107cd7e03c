import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import type { Catalog, ColumnDef, TableDef } from '../../providers/catalog.js';
import { zeroDatesAllowed } from '../../providers/mysql/mysql-introspector.js';
import { zeroDateWarning } from '../../providers/postgres/pg-destination.js';
import { mapForeignCatalog } from '../../providers/postgres/pg-foreign-catalog.js';
import { isZeroDateAt, zeroDateFilter, zeroDateKindOfPgType } from '../../providers/postgres/pg-zero-dates.js';
import { zeroDateReplacement, zeroDateRule, type ZeroDateKind, type ZeroDateRule } from '../../providers/zero-dates.js';

function col(name: string, canonical: CanonicalType, extra: Partial<ColumnDef> = {}): ColumnDef {
  return {
    name,
    nativeType: canonical.kind,
    nullable: true,
    default: null,
    identity: null,
    generated: null,
    collation: null,
    binarySafe: false,
    canonical,
    ...extra,
  } as ColumnDef;
}

const DATE: CanonicalType = { kind: 'date' };
const DATETIME: CanonicalType = { kind: 'timestamp', precision: 0, withZone: false };
const TIMESTAMP: CanonicalType = { kind: 'timestamp', precision: 6, withZone: true };
const INT: CanonicalType = { kind: 'int', bits: 32, unsigned: false };
const TEXT: CanonicalType = { kind: 'text', length: null, fixed: false, charset: 'utf8mb4' };

const COLUMNS = [col('id', INT), col('d', DATE), col('note', TEXT), col('dt', DATETIME), col('ts', TIMESTAMP)];

/** Runs `lines` through the filter in chunks of `chunk` bytes; the output text and the count. */
async function filter(rule: ZeroDateRule, text: string, chunk = 7): Promise<{ out: string; count: number }> {
  const f = zeroDateFilter({ table: 'shop.t', columns: COLUMNS, key: ['id'], rule });
  if (!f) throw new Error('no filter');
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(parts)
      .pipe(f)
      .on('data', (b: Buffer) => out.push(b))
      .on('end', resolve)
      .on('error', reject);
    f.on('error', reject);
  });
  return { out: Buffer.concat(out).toString(), count: f.count };
}

describe('zeroDates rule', () => {
  it.each([
    [undefined, 'null'],
    ['null', 'null'],
    ['error', 'error'],
    ['-infinity', { value: '-infinity' }],
    ['1970-01-01', { value: '1970-01-01' }],
  ])('zeroDates %s → %j', (v, rule) => {
    expect(zeroDateRule(v === undefined ? undefined : { owners: 'keep', grants: 'keep', zeroDates: v })).toEqual(rule);
  });

  it.each<[ZeroDateRule, ZeroDateKind, string | null]>([
    ['null', 'date', null],
    ['null', 'timestamptz', null],
    [{ value: '-infinity' }, 'date', '-infinity'],
    [{ value: '-infinity' }, 'timestamp', '-infinity'],
    [{ value: 'infinity' }, 'timestamptz', 'infinity'],
    [{ value: '1970-01-01' }, 'date', '1970-01-01'],
    [{ value: '1970-01-01' }, 'timestamp', '1970-01-01 00:00:00'],
    [{ value: '1970-01-01' }, 'timestamptz', '1970-01-01 00:00:00+00'],
  ])('%j in a %s column → %s', (rule, kind, text) => {
    expect(zeroDateReplacement(rule, kind)).toBe(text);
  });

  it.each([
    ['date', 'date'],
    ['timestamp without time zone', 'timestamp'],
    ['timestamp(6) with time zone', 'timestamptz'],
    ['text', null],
    [undefined, null],
  ])('PostgreSQL type %s is a %s column', (t, kind) => {
    expect(zeroDateKindOfPgType(t)).toBe(kind);
  });

  it.each([
    ['0000-00-00', true],
    ['0000-00-00 00:00:00', true],
    ['2020-00-15', true],
    ['2020-05-00 10:00:00', true],
    ['2020-05-01', false],
    ['0000-01-01', false],
    ['\\N', false],
    ['-infinity', false],
  ])('zero date %s: %s', (v, zero) => {
    const b = Buffer.from(`x\t${v}\ty`);
    expect(isZeroDateAt(b, 2, 2 + v.length)).toBe(zero);
  });

  it.each([
    ['STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', false],
    ['STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION', true],
    ['NO_ZERO_IN_DATE,NO_ZERO_DATE', true],
    ['', true],
    [null, false],
  ])('sql_mode %s allows zero dates: %s', (mode, allowed) => {
    expect(zeroDatesAllowed(mode)).toBe(allowed);
  });
});

describe('zero dates in a full dump (interchange-text COPY lines)', () => {
  const input =
    '1\t0000-00-00\tnote\\twith tab\t2020-01-02 03:04:05\t2020-01-02 03:04:05+00\n' +
    '2\t2021-03-04\t\\N\t0000-00-00 00:00:00\t0000-00-00 00:00:00\n' +
    '3\t2020-00-15\tx\t\\N\t\\N\n';

  it.each<[string, ZeroDateRule, string, number]>([
    [
      'null',
      'null',
      '1\t\\N\tnote\\twith tab\t2020-01-02 03:04:05\t2020-01-02 03:04:05+00\n' +
        '2\t2021-03-04\t\\N\t\\N\t\\N\n' +
        '3\t\\N\tx\t\\N\t\\N\n',
      4,
    ],
    [
      '-infinity',
      { value: '-infinity' },
      '1\t-infinity\tnote\\twith tab\t2020-01-02 03:04:05\t2020-01-02 03:04:05+00\n' +
        '2\t2021-03-04\t\\N\t-infinity\t-infinity\n' +
        '3\t-infinity\tx\t\\N\t\\N\n',
      4,
    ],
    [
      '1970-01-01',
      { value: '1970-01-01' },
      '1\t1970-01-01\tnote\\twith tab\t2020-01-02 03:04:05\t2020-01-02 03:04:05+00\n' +
        '2\t2021-03-04\t\\N\t1970-01-01 00:00:00\t1970-01-01 00:00:00+00\n' +
        '3\t1970-01-01\tx\t\\N\t\\N\n',
      4,
    ],
  ])('zeroDates %s', async (_name, rule, expected, count) => {
    for (const chunk of [1, 7, 64, 4096]) {
      expect(await filter(rule, input, chunk)).toEqual({ out: expected, count });
    }
  });

  it('passes lines without zero dates as they are', async () => {
    const text = '1\t2021-03-04\tx\t\\N\t2020-01-02 03:04:05+00\n';
    expect(await filter('null', text, 5)).toEqual({ out: text, count: 0 });
  });

  it('zeroDates: error fails the load naming the table, the column and the key', async () => {
    await expect(filter('error', input)).rejects.toThrow(
      'zero date 0000-00-00 in shop.t.d (key id=1): zeroDates is error — fix the row on the source, or set zeroDates to null or a replacement value',
    );
  });

  it('needs no filter for a table without date or timestamp columns', () => {
    expect(zeroDateFilter({ table: 'shop.t', columns: [col('id', INT), col('n', TEXT)], key: ['id'], rule: 'null' })).toBeNull();
  });
});

describe('zero dates in the type map and the plan', () => {
  const table = (columns: ColumnDef[]): TableDef =>
    ({
      schema: 'shop',
      name: 'orders',
      kind: 'table',
      columns,
      primaryKey: { name: 'PRIMARY', kind: 'primary', definition: 'PRIMARY KEY (id)', columns: ['id'], references: null },
      constraints: [],
      indexes: [],
      partitionKey: null,
      partitionBound: null,
      partitionOf: null,
      estimatedRows: 0,
      estimatedBytes: 0,
    }) as unknown as TableDef;
  const catalog = (t: TableDef, allowed: boolean): Catalog => ({
    engine: 'mysql',
    serverVersion: '10.11',
    database: 'shop',
    schemas: ['shop'],
    extensions: [],
    enums: [],
    sequences: [],
    tables: [t],
    views: [],
    ...(allowed ? { zeroDatesAllowed: true } : {}),
  });
  const withZeroDefault = table([
    col('id', INT, { nullable: false }),
    col('created', DATETIME, { nullable: false, default: "'0000-00-00 00:00:00'" }),
    col('n', TEXT),
  ]);

  it.each<[string, ZeroDateRule, boolean, string | null, string]>([
    ['null', 'null', true, null, 'NOT NULL dropped: zero dates arrive as NULL'],
    ['error', 'error', false, null, 'zero-date default dropped: zeroDates is error'],
    ['1970-01-01', { value: '1970-01-01' }, false, "'1970-01-01 00:00:00'", 'zero-date default: 1970-01-01, as zeroDates says'],
    ['-infinity', { value: '-infinity' }, false, "'-infinity'", 'zero-date default: -infinity, as zeroDates says'],
  ])('a NOT NULL column with a zero-date default under zeroDates %s', (_name, rule, nullable, def, note) => {
    const m = mapForeignCatalog(catalog(withZeroDefault, false), [], rule);
    const created = m.catalog.tables[0]?.columns.find((c) => c.name === 'created');
    expect(created?.nullable).toBe(nullable);
    expect(created?.default).toBe(def);
    expect(m.columns.find((c) => c.column === 'shop.orders.created')?.note).toBe(note);
  });

  it.each<[string, TableDef, boolean, ZeroDateRule, string | null]>([
    ['sql_mode allows zero dates', table([col('id', INT), col('d', DATE), col('n', TEXT)]), true, 'null', 'shop.orders (d)'],
    ['strict sql_mode, no zero default', table([col('id', INT), col('d', DATE)]), false, 'null', null],
    ['strict sql_mode, a zero-date default', withZeroDefault, false, { value: '1970-01-01' }, 'shop.orders (created)'],
    ['no date column', table([col('id', INT), col('n', TEXT)]), true, 'null', null],
  ])('plan warning: %s', (_name, t, allowed, rule, listed) => {
    const w = zeroDateWarning(catalog(t, allowed), rule);
    if (listed === null) {
      expect(w).toBeNull();
      return;
    }
    expect(w?.severity).toBe('warning');
    expect(w?.field).toBe('zeroDates');
    expect(w?.summary).toMatch(/^zero dates: shop\.orders may hold MySQL zero dates/);
    expect(w?.detail).toContain(listed);
  });
});
