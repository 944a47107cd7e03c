import { describe, expect, it } from 'vitest';
import type { ResolvedProfile } from '../../providers/provider.js';
import { assembleSqlServerCatalog, type SqlServerCatalogRows } from '../../providers/sqlserver/mssql-catalog-rows.js';
import { describeSqlServerEndpoint, sqlServerConnectionConfig } from '../../providers/sqlserver/mssql-connection.js';
import { LineSplitter, parseInterchangeLine } from '../../providers/sqlserver/mssql-interchange-parse.js';
import { sqlserverProvider } from '../../providers/sqlserver/mssql-provider.js';
import { normalizeSqlServerDefault } from '../../providers/sqlserver/mssql-default.js';
import { copiedColumns } from '../../providers/sqlserver/mssql-snapshot.js';
import { interchangeLine } from '../../providers/sqlserver/mssql-value-text.js';

const profile = (mode: ResolvedProfile['tls']['mode']): ResolvedProfile =>
  ({
    engine: 'sqlserver',
    host: 'db.example',
    port: 1433,
    user: 'sa',
    password: 's3cret!',
    tls: { mode },
  }) as unknown as ResolvedProfile;

describe('interchange lines back to values', () => {
  it.each([
    ['1\t\\N\tplain', ['1', null, 'plain']],
    ['a\\tb\tc\\nd\te\\\\f\t\\r', ['a\tb', 'c\nd', 'e\\f', '\r']],
    ['\\\\x00ff', ['\\x00ff']],
    ['', ['']],
    ['\\N', [null]],
  ])('%j', (line, values) => {
    expect(parseInterchangeLine(line)).toEqual(values);
  });

  it('round-trips what the source writes', () => {
    const values = ['tab\there', null, 'new\nline', 'back\\slash', '\\x0a', 'é€😀', ''];
    expect(parseInterchangeLine(interchangeLine(values).slice(0, -1))).toEqual(values);
  });

  it('splits chunks into whole lines, a multi-byte character split between chunks kept whole', () => {
    const bytes = Buffer.from('1\té\n2\t😀\n3\tlast');
    const s = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) lines.push(...s.push(bytes.subarray(i, i + 3)));
    lines.push(...s.end());
    expect(lines).toEqual(['1\té', '2\t😀', '3\tlast']);
    expect(new LineSplitter().end()).toEqual([]);
  });
});

describe('tedious connection settings', () => {
  it.each([
    ['disable', false, true],
    ['require', true, true],
    ['verify-ca', true, false],
    ['verify-full', true, false],
  ] as const)('TLS %s: encrypt %s, trust any certificate %s', (mode, encrypt, trust) => {
    const c = sqlServerConnectionConfig(profile(mode), 'shop');
    expect(c.options?.encrypt).toBe(encrypt);
    expect(c.options?.trustServerCertificate).toBe(trust);
    expect(c.options?.database).toBe('shop');
    expect(c.options?.useUTC).toBe(true);
  });

  it('never puts the password in the endpoint text', () => {
    expect(describeSqlServerEndpoint(profile('require'), 'shop')).toBe('sqlserver://sa@db.example:1433/shop');
    expect(describeSqlServerEndpoint(profile('require'))).not.toContain('s3cret');
  });
});

describe('SQL Server errors', () => {
  const server = (n: number) => Object.assign(new Error(`server error ${n}`), { number: n });
  it.each([
    [server(1205), true, false],
    [server(1222), true, false],
    [server(40613), true, false],
    [Object.assign(new Error('socket'), { code: 'ESOCKET' }), true, false],
    [new Error('wrapped', { cause: server(1205) }), true, false],
    [server(18456), false, true],
    [server(4060), false, true],
    [server(229), false, true],
    [server(3952), false, true],
    [Object.assign(new Error('login'), { code: 'ELOGIN' }), false, true],
    [server(2627), false, false],
    [new Error('plain'), false, false],
  ])('%s: transient %s, configuration %s', (err, transient, configuration) => {
    expect(sqlserverProvider.isTransientError(err)).toBe(transient);
    expect(sqlserverProvider.isConfigurationError(err)).toBe(configuration);
  });

  it('is a CDC source and a destination', () => {
    expect(sqlserverProvider.engine).toBe('sqlserver');
    expect(sqlserverProvider.capabilities).toEqual({ cdc: true, destination: true });
  });
});

const col = (table: string, name: string, id: number, base: string, more: Record<string, unknown> = {}) => ({
  table_schema: 'dbo',
  table_name: table,
  column_name: name,
  column_id: id,
  base_type: base,
  is_assembly_type: false,
  max_length: 4,
  precision: 10,
  scale: 0,
  is_nullable: false,
  is_identity: false,
  is_computed: false,
  computed_definition: null,
  is_persisted: null,
  collation_name: null,
  db_collation: 'Latin1_General_CI_AS',
  default_definition: null,
  identity_seed: null,
  identity_increment: null,
  comment: null,
  ...more,
});

const rows: SqlServerCatalogRows = {
  database: 'shop',
  version: '16.0.4135.4',
  collation: 'Latin1_General_CI_AS',
  user: 'dbo',
  tables: [
    { table_schema: 'dbo', table_name: 'orders', est_rows: '1000', est_bytes: '819200', comment: 'the orders' },
    { table_schema: 'dbo', table_name: 'skipped', est_rows: '0', est_bytes: '0', comment: null },
  ],
  columns: [
    col('orders', 'id', 1, 'bigint', { is_identity: true, identity_seed: '100', identity_increment: '10' }),
    col('orders', 'note', 2, 'nvarchar', { max_length: 100, is_nullable: true, collation_name: 'Latin1_General_CS_AS' }),
    col('orders', 'plain', 3, 'varchar', { max_length: -1, collation_name: 'Latin1_General_CI_AS' }),
    col('orders', 'total', 4, 'money', { is_computed: true, computed_definition: '([qty]*(2))', is_persisted: true }),
    col('orders', 'rv', 5, 'timestamp', { max_length: 8 }),
    col('orders', 'v', 6, 'sql_variant', { max_length: 8016 }),
    col('orders', 'qty', 7, 'int', { default_definition: '((1))' }),
  ],
  indexes: [
    {
      table_schema: 'dbo',
      table_name: 'orders',
      index_name: 'PK_orders',
      type_desc: 'CLUSTERED',
      is_primary_key: true,
      is_unique_constraint: false,
      is_unique: true,
      filter_definition: null,
      column_name: 'id',
      key_ordinal: 1,
      is_descending_key: false,
      is_included_column: false,
    },
    {
      table_schema: 'dbo',
      table_name: 'orders',
      index_name: 'IX_qty',
      type_desc: 'NONCLUSTERED',
      is_primary_key: false,
      is_unique_constraint: false,
      is_unique: false,
      filter_definition: '([qty]>(0))',
      column_name: 'qty',
      key_ordinal: 1,
      is_descending_key: true,
      is_included_column: false,
    },
    {
      table_schema: 'dbo',
      table_name: 'orders',
      index_name: 'IX_qty',
      type_desc: 'NONCLUSTERED',
      is_primary_key: false,
      is_unique_constraint: false,
      is_unique: false,
      filter_definition: '([qty]>(0))',
      column_name: 'note',
      key_ordinal: 0,
      is_descending_key: false,
      is_included_column: true,
    },
    {
      table_schema: 'dbo',
      table_name: 'orders',
      index_name: 'UQ_note',
      type_desc: 'NONCLUSTERED',
      is_primary_key: false,
      is_unique_constraint: true,
      is_unique: true,
      filter_definition: null,
      column_name: 'note',
      key_ordinal: 1,
      is_descending_key: false,
      is_included_column: false,
    },
  ],
  foreignKeys: [
    {
      table_schema: 'dbo',
      table_name: 'orders',
      constraint_name: 'FK_c',
      column_name: 'qty',
      ref_schema: 'dbo',
      ref_table: 'skipped',
      ref_column: 'id',
      on_delete: 'CASCADE',
      on_update: 'NO_ACTION',
    },
  ],
  checks: [{ table_schema: 'dbo', table_name: 'orders', constraint_name: 'CK_qty', definition: '([qty]>(0))' }],
  codeObjects: [
    { object_schema: 'dbo', object_name: 'v_orders', type_desc: 'VIEW' },
    { object_schema: 'dbo', object_name: 'p_sync', type_desc: 'SQL_STORED_PROCEDURE' },
    { object_schema: 'other', object_name: 'elsewhere', type_desc: 'VIEW' },
  ],
  sequences: [
    {
      sequence_schema: 'dbo',
      sequence_name: 'seq',
      data_type: 'bigint',
      start_value: '1',
      increment: '1',
      min_value: '1',
      max_value: '9223372036854775807',
      cache_size: '0',
      is_cycling: false,
    },
  ],
};

describe('the catalog from catalog-query rows', () => {
  const catalog = assembleSqlServerCatalog(rows, (_s, t) => t !== 'skipped');
  const [orders] = catalog.tables;

  it('selects tables and carries estimates and comments', () => {
    expect(catalog.tables.map((t) => t.name)).toEqual(['orders']);
    expect(orders).toMatchObject({
      estimatedRows: 1000,
      estimatedBytes: 819200,
      comment: 'the orders',
      replicaIdentity: 'default',
    });
    expect(catalog.engine).toBe('sqlserver');
    expect(catalog.schemas).toEqual(['dbo']);
  });

  it('types every column natively and canonically, collations only where not the database default', () => {
    expect(orders!.columns.map((c) => [c.name, c.nativeType, c.canonical?.kind ?? null, c.collation, c.generated])).toEqual([
      ['id', 'bigint', 'int', null, null],
      ['note', 'nvarchar(50)', 'text', 'Latin1_General_CS_AS', null],
      ['plain', 'varchar(max)', 'text', null, null],
      ['total', 'money', 'decimal', null, '([qty]*(2))'],
      ['rv', 'rowversion', 'bytes', null, 'rowversion'],
      ['v', 'sql_variant', null, null, null],
      ['qty', 'int', 'int', null, null],
    ]);
    expect(orders!.columns[3]!.generatedKind).toBe('stored');
    expect(orders!.columns[0]!.identity).toBe('by-default');
    expect(orders!.columns[6]!.default).toBe('1');
    expect(orders!.columns[0]!.autoIncrement).toBe(true);
    expect(copiedColumns(orders!.columns).map((c) => c.name)).toEqual(['id', 'note', 'plain', 'qty']);
  });

  it('names the column no canonical type holds', () => {
    expect(catalog.notMigrated?.find((n) => n.kind === 'column')).toMatchObject({ name: 'dbo.orders.v' });
    expect(catalog.notMigrated?.find((n) => n.kind === 'column')?.reason).toMatch(/sql_variant/);
  });

  it('reads keys, constraints and indexes in native and neutral form', () => {
    expect(orders!.primaryKey).toMatchObject({
      name: 'PK_orders',
      definition: 'PRIMARY KEY CLUSTERED ([id] ASC)',
      columns: ['id'],
    });
    expect(orders!.constraints.map((c) => [c.kind, c.name, c.definition])).toEqual([
      ['unique', 'UQ_note', 'UNIQUE NONCLUSTERED ([note] ASC)'],
      ['check', 'CK_qty', 'CHECK ([qty]>(0))'],
      ['foreign', 'FK_c', 'FOREIGN KEY ([qty]) REFERENCES [dbo].[skipped] ([id])'],
    ]);
    expect(orders!.constraints[2]).toMatchObject({ onDelete: 'CASCADE', onUpdate: 'NO ACTION', referencedColumns: ['id'] });
    expect(orders!.indexes).toEqual([
      {
        name: 'IX_qty',
        definition: 'CREATE NONCLUSTERED INDEX [IX_qty] ON [dbo].[orders] ([qty] DESC) INCLUDE ([note]) WHERE ([qty]>(0))',
        columns: [{ name: 'qty', descending: true }],
        unique: false,
        method: 'NONCLUSTERED',
      },
    ]);
  });

  it('keeps identity seeds natively and identity counters as sequences', () => {
    expect((catalog.native as { tables: Record<string, unknown> }).tables['dbo.orders']).toEqual({
      identity: { column: 'id', seed: '100', increment: '10' },
      clusteredPrimaryKey: true,
    });
    expect(catalog.sequences.map((s) => [s.name, s.identity, s.ownedBy?.column ?? null])).toEqual([
      ['seq', false, null],
      ['orders.id', true, 'id'],
    ]);
  });

  it('names code objects of the selected schemas as not converted', () => {
    expect(catalog.notMigrated?.filter((n) => n.kind !== 'column').map((n) => [n.kind, n.name])).toEqual([
      ['view', 'dbo.v_orders'],
      ['procedure', 'dbo.p_sync'],
    ]);
  });
});

describe('column defaults in their plainest T-SQL', () => {
  it.each([
    ['((1))', '1'],
    ['((-1.5))', '-1.5'],
    ["(N'new')", "'new'"],
    ["(N'it''s')", "'it''s'"],
    ["(N'ü')", "N'ü'"],
    ["('(x)')", "'(x)'"],
    ['(getdate())', 'CURRENT_TIMESTAMP'],
    ['(sysdatetime())', 'CURRENT_TIMESTAMP'],
    ['(CURRENT_TIMESTAMP)', 'CURRENT_TIMESTAMP'],
    ['(getutcdate())', 'getutcdate()'],
    ['(newid())', 'newid()'],
    ['((1)+(2))', '(1)+(2)'],
    ["(N')')", "')'"],
  ])('%s → %s', (input, want) => {
    expect(normalizeSqlServerDefault(input)).toBe(want);
  });
});
