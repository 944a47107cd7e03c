import { describe, expect, it } from 'vitest';
import type { ColumnDef, TableDef } from '../../providers/catalog.js';
import {
  captureInstanceChange,
  CaptureInstanceChangedError,
  chooseCaptureInstances,
  type CaptureInstanceRow,
} from '../../providers/sqlserver/mssql-capture-instances.js';
import {
  CAPTURE_INSTANCES_SQL,
  changesSql,
  commitTimesSql,
  fenceSql,
  lsnLiteral,
  minLsnSql,
  snapshotStartSql,
  TRANSACTION_LSN_SQL,
} from '../../providers/sqlserver/mssql-cdc-sql.js';
import { boundaryQuery, keyComparison, keyRanges, rangeCount, rangeQuery } from '../../providers/sqlserver/mssql-key-ranges.js';

const column = (name: string, nativeType: string, canonical: ColumnDef['canonical']): ColumnDef => ({
  name,
  nativeType,
  nullable: false,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  binarySafe: false,
  canonical,
});
const table: TableDef = {
  schema: 'dbo',
  name: 'events',
  kind: 'table',
  partitionOf: null,
  partitionBound: null,
  partitionKey: null,
  columns: [
    column('tenant', 'nvarchar(20)', { kind: 'text', length: 20, fixed: false, charset: null }),
    column('at', 'datetime2(7)', { kind: 'timestamp', precision: 7, withZone: false }),
    column('amount', 'money', { kind: 'decimal', precision: 19, scale: 4 }),
  ],
  primaryKey: null,
  constraints: [],
  indexes: [],
  estimatedRows: 0,
  estimatedBytes: 0,
  pages: 0,
  replicaIdentity: 'default',
  comment: null,
};
const [tenant, at] = table.columns as [ColumnDef, ColumnDef];

describe('key ranges', () => {
  it.each([
    [0, 100, 1],
    [100, 100, 1],
    [101, 100, 2],
    [1000, 100, 10],
    [10 ** 12, 1, 256],
    [500, 0, 1],
  ])('%d bytes at %d per range: %d ranges', (bytes, target, n) => {
    expect(rangeCount(bytes, target)).toBe(n);
  });

  it('reads boundary keys every step rows in key order, as canonical text', () => {
    expect(boundaryQuery(table, ['tenant', 'at'], 5000)).toBe(
      'SELECT k.[tenant] AS [tenant], CONVERT(varchar(27), k.[at], 121) AS [at] FROM (SELECT [tenant], [at], ROW_NUMBER() OVER (ORDER BY [tenant], [at]) AS [__rn] FROM [dbo].[events]) AS k WHERE k.[__rn] % 5000 = 0 ORDER BY k.[__rn]',
    );
    expect(() => boundaryQuery(table, ['missing'], 10)).toThrow(/key column missing/);
  });

  it('writes row-value comparisons out', () => {
    expect(keyComparison([tenant], ['a'], '>=')).toBe("[tenant] >= N'a'");
    expect(keyComparison([tenant, at], ['a', '2024-01-01 00:00:00.0000000'], '<')).toBe(
      "([tenant] < N'a' OR ([tenant] = N'a' AND [at] < CAST(N'2024-01-01 00:00:00.0000000' AS datetime2(7))))",
    );
    expect(keyComparison([tenant, at], ["o'", 'x'], '>=')).toBe(
      "([tenant] > N'o''' OR ([tenant] = N'o''' AND [at] >= CAST(N'x' AS datetime2(7))))",
    );
  });

  it('makes n+1 ranges of n boundaries, covering everything once, ids stable', () => {
    const ranges = keyRanges(table, ['tenant'], [['g'], ['p']]);
    expect(ranges).toEqual([
      { id: '1/3', predicate: "[tenant] < N'g'" },
      { id: '2/3', predicate: "[tenant] >= N'g' AND [tenant] < N'p'" },
      { id: '3/3', predicate: "[tenant] >= N'p'" },
    ]);
    expect(keyRanges(table, ['tenant'], [])).toEqual([{ id: 'all', predicate: null }]);
  });

  it('selects a range in canonical read forms', () => {
    expect(rangeQuery(table, table.columns, "[tenant] >= N'g'")).toBe(
      "SELECT [tenant] AS [tenant], CONVERT(varchar(27), [at], 121) AS [at], CONVERT(varchar(40), [amount], 2) AS [amount] FROM [dbo].[events] WHERE [tenant] >= N'g'",
    );
    expect(rangeQuery(table, [tenant], null)).toBe('SELECT [tenant] AS [tenant] FROM [dbo].[events]');
  });
});

describe('CDC and snapshot queries', () => {
  const read = [
    { name: 'id', typeName: 'int', canonical: { kind: 'int' as const, bits: 32 as const, unsigned: false } },
    { name: 'amount', typeName: 'money', canonical: { kind: 'decimal' as const, precision: 19, scale: 4 } },
  ];
  const from = '0x0000002A000001F80003';
  const to = '0x0000002B000000000001';

  it('reads a change table directly, ordered by commit LSN, seqval, command id, operation', () => {
    const sql = changesSql('dbo_orders', read, from, to);
    expect(sql).toContain('FROM cdc.[dbo_orders_CT] AS c');
    expect(sql).toContain(`WHERE c.__$start_lsn BETWEEN CONVERT(binary(10), '${from}', 1) AND CONVERT(binary(10), '${to}', 1)`);
    expect(sql).toContain('c.__$command_id AS [__$command_id], c.[id] AS [id], CONVERT(varchar(40), c.[amount], 2) AS [amount]');
    expect(sql).toMatch(/ORDER BY c\.__\$start_lsn, c\.__\$seqval, c\.__\$command_id, c\.__\$operation$/);
  });

  it('or through fn_cdc_get_all_changes with both update images', () => {
    const sql = changesSql('dbo_orders', read, from, to, false);
    expect(sql).toContain(
      `FROM cdc.[fn_cdc_get_all_changes_dbo_orders](CONVERT(binary(10), '${from}', 1), CONVERT(binary(10), '${to}', 1), N'all update old') AS c`,
    );
    expect(sql).toContain('0 AS [__$command_id]');
    expect(sql).toMatch(/ORDER BY c\.__\$start_lsn, c\.__\$seqval, c\.__\$operation$/);
  });

  it('takes LSN literals only in their text form', () => {
    expect(lsnLiteral(from)).toBe(`CONVERT(binary(10), '${from}', 1)`);
    expect(() => lsnLiteral("0x'; DROP TABLE x --")).toThrow();
    expect(() => changesSql('ci', read, 'nope', to)).toThrow();
  });

  it('fences the tables with shared locks and starts the snapshot with a savepoint', () => {
    expect(
      fenceSql([
        { schema: 'dbo', name: 'a' },
        { schema: 's', name: 'b]' },
      ]),
    ).toBe(
      'SELECT COUNT(*) FROM (SELECT TOP (1) 1 AS [x] FROM [dbo].[a] WITH (TABLOCK, HOLDLOCK)) AS [fence];\n' +
        'SELECT COUNT(*) FROM (SELECT TOP (1) 1 AS [x] FROM [s].[b]]] WITH (TABLOCK, HOLDLOCK)) AS [fence];',
    );
    const t = [{ schema: 'dbo', name: 'a' }];
    expect(snapshotStartSql(t, true)).toBe(
      'SELECT TOP (1) object_id FROM cdc.change_tables;\nSELECT COUNT(*) FROM (SELECT TOP (1) 1 AS [x] FROM [dbo].[a]) AS [start];\nSAVE TRANSACTION migrate_snapshot;',
    );
    expect(snapshotStartSql(t, false)).not.toContain('cdc.');
    expect(snapshotStartSql([], false)).toBe('\nSAVE TRANSACTION migrate_snapshot;');
    expect(TRANSACTION_LSN_SQL).toContain('database_transaction_begin_lsn');
    expect(TRANSACTION_LSN_SQL).toContain('sys.dm_tran_current_transaction');
  });

  it('quotes capture instance names in function arguments', () => {
    expect(minLsnSql("x'y")).toBe("SELECT CONVERT(varchar(22), sys.fn_cdc_get_min_lsn(N'x''y'), 1) AS lsn");
    expect(CAPTURE_INSTANCES_SQL).toContain('cdc.change_tables');
    expect(commitTimesSql(lsnLiteral(from), lsnLiteral(to))).toContain('cdc.lsn_time_mapping');
  });
});

describe('capture instances', () => {
  const ci = (name: string, start: string, columns: string[], table = 'orders'): CaptureInstanceRow => ({
    captureInstance: name,
    schema: 'dbo',
    table,
    startLsn: `0x${start.padStart(20, '0')}`,
    columns,
  });
  const tables = [
    { schema: 'dbo', name: 'orders' },
    { schema: 'dbo', name: 'items' },
  ];
  const columnsOf = (t: { name: string }) => (t.name === 'orders' ? ['id', 'note'] : ['sku']);

  it('reads the newest instance that captures every column', () => {
    const rows = [
      ci('dbo_orders', '10', ['id', 'note']),
      ci('dbo_orders_v2', '20', ['id', 'note', 'extra']),
      ci('dbo_items', '5', ['sku'], 'items'),
    ];
    const chosen = chooseCaptureInstances(rows, tables, columnsOf);
    expect(chosen.get('dbo.orders')?.captureInstance).toBe('dbo_orders_v2');
    expect(chosen.get('dbo.items')?.captureInstance).toBe('dbo_items');
  });

  it('skips instances that leave a column out, and tables with none', () => {
    const rows = [ci('dbo_orders', '10', ['id', 'note']), ci('dbo_orders_partial', '30', ['id'])];
    const chosen = chooseCaptureInstances(rows, tables, columnsOf);
    expect(chosen.get('dbo.orders')?.captureInstance).toBe('dbo_orders');
    expect(chosen.has('dbo.items')).toBe(false);
  });

  it('reports nothing while the instances read are still the only ones', () => {
    const rows = [ci('dbo_orders', '10', ['id', 'note'])];
    expect(captureInstanceChange(chooseCaptureInstances(rows, tables, columnsOf), rows)).toBeNull();
  });

  it('names a new capture instance of a table as an error', () => {
    const rows = [ci('dbo_orders', '10', ['id', 'note'])];
    const reading = chooseCaptureInstances(rows, tables, columnsOf);
    const err = captureInstanceChange(reading, [...rows, ci('dbo_orders_v2', '20', ['id', 'note', 'x'])]);
    expect(err).toBeInstanceOf(CaptureInstanceChangedError);
    expect(err?.code).toBe('SQLSERVER_CAPTURE_INSTANCE_CHANGED');
    expect(err?.message).toMatch(/dbo\.orders changed on the source: the job reads dbo_orders, the table now has dbo_orders_v2/);
  });

  it('names a dropped capture instance, and a changed column list', () => {
    const rows = [ci('dbo_orders', '10', ['id', 'note'])];
    const reading = chooseCaptureInstances(rows, tables, columnsOf);
    expect(captureInstanceChange(reading, [])?.message).toMatch(/was dropped on the source/);
    expect(captureInstanceChange(reading, [ci('dbo_orders', '10', ['id'])])?.message).toMatch(/columns changed/);
  });
});
