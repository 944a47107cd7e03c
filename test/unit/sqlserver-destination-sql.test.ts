import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import type { ColumnDef, TableDef } from '../../providers/catalog.js';
import type { ChangeEvent, ChangeRelation, RowImage } from '../../providers/change-event.js';
import { UNCHANGED } from '../../providers/change-event.js';
import {
  changeStatements,
  deleteSql,
  insertSql,
  MAX_VALUES_ROWS,
  updateSql,
  whereRow,
  type ApplyTable,
} from '../../providers/sqlserver/mssql-change-sql.js';
import {
  CONTROL_DDL,
  forgetTableSql,
  loadedTablesSql,
  markTableLoadedSql,
  readCheckpointSql,
  writeCheckpointSql,
} from '../../providers/sqlserver/mssql-control.js';
import {
  addConstraintSql,
  columnSql,
  createIndexSql,
  createSchemaSql,
  createTableSql,
  emptyTableSql,
  foreignKeysSql,
  primaryKeyDefinition,
  reseedIdentitySql,
  restartSequenceSql,
  tablePostDataSql,
} from '../../providers/sqlserver/mssql-ddl.js';
import { sqlServerNative } from '../../providers/sqlserver/mssql-native-catalog.js';

const int: CanonicalType = { kind: 'int', bits: 32, unsigned: false };
const text: CanonicalType = { kind: 'text', length: 50, fixed: false, charset: null };

const column = (name: string, nativeType: string, more: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  nativeType,
  nullable: true,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  binarySafe: false,
  ...more,
});

const orders: TableDef = {
  schema: 'sales',
  name: 'orders',
  kind: 'table',
  partitionOf: null,
  partitionBound: null,
  partitionKey: null,
  columns: [
    column('id', 'int', { nullable: false, identity: 'by-default' }),
    column('note', 'nvarchar(50)', { collation: 'Latin1_General_CS_AS' }),
    column('qty', 'int', { nullable: false, default: '((1))' }),
    column('price', 'money', { nullable: false }),
    column('total', 'money', { generated: '([qty]*[price])' }),
    column('shown', 'nvarchar(60)', { generated: "(concat([note],N'!'))", generatedKind: 'virtual' }),
  ],
  primaryKey: {
    name: 'PK_orders',
    kind: 'primary',
    definition: primaryKeyDefinition(['id'], true),
    columns: ['id'],
    references: null,
  },
  constraints: [
    { name: 'UQ_note', kind: 'unique', definition: 'UNIQUE NONCLUSTERED ([note] ASC)', columns: ['note'], references: null },
    { name: 'CK_qty', kind: 'check', definition: 'CHECK ([qty]>(0))', columns: ['qty'], references: null },
    {
      name: 'FK_customer',
      kind: 'foreign',
      definition: '',
      columns: ['customer_id'],
      references: { schema: 'sales', name: 'customers' },
      referencedColumns: ['id'],
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
    },
  ],
  indexes: [{ name: 'IX_qty', definition: 'CREATE NONCLUSTERED INDEX [IX_qty] ON [sales].[orders] ([qty] DESC)' }],
  estimatedRows: 0,
  estimatedBytes: 0,
  pages: 0,
  replicaIdentity: 'default',
  comment: null,
};

const native = { identity: { column: 'id', seed: '1000', increment: '5' }, clusteredPrimaryKey: true };

describe('SQL Server destination DDL', () => {
  it('creates schemas idempotently', () => {
    expect(createSchemaSql("o'dd")).toBe("IF SCHEMA_ID(N'o''dd') IS NULL EXEC(N'CREATE SCHEMA [o''dd]')");
  });

  it('renders identity with its seed and increment, collations, defaults and computed columns', () => {
    expect(createTableSql(orders, native)).toBe(
      [
        "IF OBJECT_ID(N'[sales].[orders]', N'U') IS NULL",
        'CREATE TABLE [sales].[orders] (',
        '  [id] int IDENTITY(1000,5) NOT NULL,',
        '  [note] nvarchar(50) COLLATE Latin1_General_CS_AS NULL,',
        '  [qty] int NOT NULL DEFAULT ((1)),',
        '  [price] money NOT NULL,',
        '  [total] AS ([qty]*[price]) PERSISTED,',
        "  [shown] AS (concat([note],N'!'))",
        ')',
      ].join('\n'),
    );
  });

  it('falls back to IDENTITY(1,1) without native detail, and never puts a default on an identity', () => {
    expect(columnSql(column('id', 'bigint', { identity: 'always', nullable: false, default: '(0)' }), null)).toBe(
      '[id] bigint IDENTITY(1,1) NOT NULL',
    );
  });

  it('adds the primary key, unique and check constraints and indexes after the load, guarded', () => {
    const sql = tablePostDataSql(orders);
    expect(sql).toEqual([
      "IF OBJECT_ID(N'[sales].[PK_orders]') IS NULL\nALTER TABLE [sales].[orders] ADD CONSTRAINT [PK_orders] PRIMARY KEY CLUSTERED ([id] ASC)",
      "IF OBJECT_ID(N'[sales].[UQ_note]') IS NULL\nALTER TABLE [sales].[orders] ADD CONSTRAINT [UQ_note] UNIQUE NONCLUSTERED ([note] ASC)",
      "IF OBJECT_ID(N'[sales].[CK_qty]') IS NULL\nALTER TABLE [sales].[orders] ADD CONSTRAINT [CK_qty] CHECK ([qty]>(0))",
      "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[sales].[orders]') AND name = N'IX_qty')\nCREATE NONCLUSTERED INDEX [IX_qty] ON [sales].[orders] ([qty] DESC)",
    ]);
  });

  it('adds foreign keys from their engine-neutral form', () => {
    expect(foreignKeysSql(orders)).toEqual([
      "IF OBJECT_ID(N'[sales].[FK_customer]') IS NULL\nALTER TABLE [sales].[orders] ADD CONSTRAINT [FK_customer] FOREIGN KEY ([customer_id]) REFERENCES [sales].[customers] ([id]) ON DELETE CASCADE",
    ]);
    expect(
      addConstraintSql(orders, { name: 'x', kind: 'check', definition: 'CHECK (1=1)', columns: [], references: null }),
    ).toContain('ADD CONSTRAINT [x] CHECK (1=1)');
  });

  it('renders indexes with direction, INCLUDE and filters', () => {
    expect(
      createIndexSql(orders, {
        name: 'IX_a',
        unique: true,
        columns: [
          { name: 'qty', descending: true },
          { name: 'id', descending: false },
        ],
        include: ['note'],
        filter: '([qty]>(10))',
      }),
    ).toBe(
      'CREATE UNIQUE NONCLUSTERED INDEX [IX_a] ON [sales].[orders] ([qty] DESC, [id] ASC) INCLUDE ([note]) WHERE ([qty]>(10))',
    );
    expect(primaryKeyDefinition(['a', 'b'], false)).toBe('PRIMARY KEY NONCLUSTERED ([a] ASC, [b] ASC)');
  });

  it('sets identity and sequence counters at promote, refusing anything but an integer', () => {
    expect(reseedIdentitySql(orders, '41')).toBe("DBCC CHECKIDENT (N'[sales].[orders]', RESEED, 41) WITH NO_INFOMSGS");
    expect(restartSequenceSql({ schema: 'sales', name: 'seq' }, '-9223372036854775808')).toBe(
      'ALTER SEQUENCE [sales].[seq] RESTART WITH -9223372036854775808',
    );
    expect(() => reseedIdentitySql(orders, '1; DROP TABLE x')).toThrow();
    expect(() => restartSequenceSql(orders, '1.5')).toThrow();
  });

  it('empties a referenced table with DELETE (TRUNCATE is refused there)', () => {
    expect(emptyTableSql(orders, false)).toBe('TRUNCATE TABLE [sales].[orders]');
    expect(emptyTableSql(orders, true)).toBe('DELETE FROM [sales].[orders]');
  });

  it('reads SQL Server native detail only from a SQL Server catalog', () => {
    const base = {
      serverVersion: '16',
      database: 'd',
      schemas: [],
      extensions: [],
      enums: [],
      sequences: [],
      tables: [],
      views: [],
    };
    const n = { engine: 'sqlserver' as const, collation: 'Latin1_General_CI_AS', tables: {} };
    expect(sqlServerNative({ ...base, engine: 'sqlserver', native: n })).toBe(n);
    expect(sqlServerNative({ ...base, engine: 'mysql', native: n })).toBeNull();
    expect(sqlServerNative({ ...base, engine: 'sqlserver' })).toBeNull();
  });
});

const applyTable: ApplyTable = {
  table: { schema: 'sales', name: 'orders' },
  columns: new Map([
    ['id', { nativeType: 'int', canonical: int }],
    ['note', { nativeType: 'nvarchar(50)', canonical: text }],
  ]),
  key: ['id'],
  identityColumn: 'id',
};
const keyless: ApplyTable = { ...applyTable, table: { schema: 'dbo', name: 'log' }, key: [], identityColumn: null };
const cols = ['id', 'note', 'total'] as const;
const img = (...values: (string | null | typeof UNCHANGED)[]): RowImage => ({ columns: cols, values });
const rel: ChangeRelation = {
  engine: 'sqlserver',
  schema: 'sales',
  name: 'orders',
  id: 0,
  columns: [],
  replicaIdentity: 'default',
};
const logRel: ChangeRelation = { ...rel, schema: 'dbo', name: 'log' };

describe('SQL Server apply SQL', () => {
  it('upserts inserts with one MERGE, leaving computed columns out', () => {
    expect(insertSql(applyTable, [img('1', "it's", '9'), img('2', null, '9')])).toBe(
      [
        'MERGE [sales].[orders] WITH (HOLDLOCK) AS d',
        'USING (VALUES',
        "  (1, N'it''s'),",
        '  (2, NULL)) AS s ([id], [note])',
        'ON d.[id] = s.[id]',
        'WHEN MATCHED THEN UPDATE SET d.[note] = s.[note]',
        'WHEN NOT MATCHED THEN INSERT ([id], [note]) VALUES (s.[id], s.[note]);',
      ].join('\n'),
    );
    expect(insertSql(applyTable, [])).toBe('');
  });

  it('inserts plainly into a keyless table', () => {
    expect(insertSql(keyless, [img('1', 'a', null)])).toBe("INSERT INTO [dbo].[log] ([id], [note]) VALUES\n  (1, N'a');");
  });

  it('updates by the old key, never setting the identity column', () => {
    expect(updateSql(applyTable, img('1', 'a', null), img('1', 'b', null))).toBe(
      "UPDATE [sales].[orders] SET [note] = N'b' WHERE [id] = 1;",
    );
    expect(updateSql(applyTable, null, img('1', 'b', null))).toBe("UPDATE [sales].[orders] SET [note] = N'b' WHERE [id] = 1;");
  });

  it('moves a row whose identity key changed by delete and insert', () => {
    expect(updateSql(applyTable, img('1', 'a', null), img('7', 'a', null))).toBe(
      'DELETE FROM [sales].[orders] WHERE [id] = 1;\n' + insertSql(applyTable, [img('7', 'a', null)]),
    );
  });

  it('addresses a keyless row by every old value, NULL-safe, one row', () => {
    expect(whereRow(keyless, img('1', null, 'x'))).toBe('[id] = 1 AND [note] IS NULL');
    expect(deleteSql(keyless, img('1', null, null))).toBe('DELETE TOP (1) FROM [dbo].[log] WHERE [id] = 1 AND [note] IS NULL;');
    expect(updateSql({ ...keyless, identityColumn: null }, img('1', null, null), img('1', 'z', null))).toBe(
      "UPDATE TOP (1) [dbo].[log] SET [id] = 1, [note] = N'z' WHERE [id] = 1 AND [note] IS NULL;",
    );
  });

  it('keeps what an image left unchanged, and refuses an old image without the key', () => {
    expect(updateSql(applyTable, img('1', 'a', null), img('1', UNCHANGED, null))).toBe('');
    expect(() => whereRow(applyTable, { columns: ['note'], values: ['a'] })).toThrow(/has no id/);
  });

  it('groups changes per table run in source order, identity inserts switched on around them', () => {
    const events: Extract<ChangeEvent, { kind: 'insert' | 'update' | 'delete' }>[] = [
      { kind: 'insert', relation: rel, new: img('1', 'a', null) },
      { kind: 'insert', relation: rel, new: img('2', 'b', null) },
      { kind: 'delete', relation: rel, old: img('1', 'a', null) },
      { kind: 'insert', relation: logRel, new: img('5', 'l', null) },
      { kind: 'update', relation: rel, old: img('2', 'b', null), new: img('2', 'c', null) },
    ];
    const tableOf = (r: { schema: string }) => (r.schema === 'sales' ? applyTable : keyless);
    const groups = changeStatements(events, tableOf);
    expect(groups.map((g) => [g.table, g.inserts, g.updates, g.deletes])).toEqual([
      ['sales.orders', 2, 0, 1],
      ['dbo.log', 1, 0, 0],
      ['sales.orders', 0, 1, 0],
    ]);
    const first = groups[0]!.sql.split('\n');
    expect(first[0]).toBe('SET IDENTITY_INSERT [sales].[orders] ON;');
    expect(first[first.length - 1]).toBe('SET IDENTITY_INSERT [sales].[orders] OFF;');
    expect(groups[0]!.sql.indexOf('MERGE')).toBeLessThan(groups[0]!.sql.indexOf('DELETE'));
    expect(groups[1]!.sql).not.toContain('IDENTITY_INSERT');
    expect(groups[0]!.reset).toBe('SET IDENTITY_INSERT [sales].[orders] OFF;');
    expect(groups[1]!.reset).toBeNull();
    expect(groups[2]!.sql).toContain('IDENTITY_INSERT');
  });

  it('splits long insert runs at the value-constructor limit', () => {
    const events = Array.from({ length: MAX_VALUES_ROWS + 1 }, (_, i) => ({
      kind: 'insert' as const,
      relation: rel,
      new: img(String(i), null, null),
    }));
    const [g] = changeStatements(events, () => applyTable);
    expect(g!.sql.match(/MERGE/g)).toHaveLength(2);
    expect(g!.inserts).toBe(MAX_VALUES_ROWS + 1);
  });
});

describe('SQL Server control schema', () => {
  it('creates its schema and tables idempotently', () => {
    expect(CONTROL_DDL).toHaveLength(3);
    for (const sql of CONTROL_DDL) expect(sql).toMatch(/^IF (SCHEMA_ID|OBJECT_ID)/);
  });

  it('upserts a checkpoint with quoted values', () => {
    const sql = writeCheckpointSql("j'1", 'shop', '0x00:0x00:0');
    expect(sql).toContain("(N'j''1', N'shop', N'0x00:0x00:0')");
    expect(sql).toMatch(/^MERGE \[_migrate\]\.\[checkpoints\] WITH \(HOLDLOCK\)/);
    expect(readCheckpointSql('j', 'shop')).toBe(
      "SELECT [position] FROM [_migrate].[checkpoints] WHERE [job] = N'j' AND [source_database] = N'shop'",
    );
  });

  it('records, lists and forgets load markers', () => {
    const t = { schema: 'sales', name: 'orders' };
    const sql = markTableLoadedSql({ job: 'j', generation: 2, table: t, rows: 10, bytes: 2048, syncPosition: null });
    expect(sql).toMatch(/^DELETE FROM \[_migrate\]\.\[loaded_tables\]/);
    expect(sql).toContain("VALUES (N'j', 2, N'sales', N'orders', 10, 2048, NULL)");
    expect(loadedTablesSql('j', 2)).toContain("[job] = N'j' AND [generation] = 2");
    expect(forgetTableSql('j', 2, t)).toContain("[table_name] = N'orders'");
  });
});
