import { describe, expect, it } from 'vitest';
import { mapForeignCatalog } from '../../providers/postgres/pg-foreign-catalog.js';
import { assembleSqlServerCatalog } from '../../providers/sqlserver/mssql-catalog-rows.js';

const col = (name: string, id: number, base: string, more: Record<string, unknown> = {}) => ({
  table_schema: 'Sales',
  table_name: 'Orders',
  column_name: name,
  column_id: id,
  base_type: base,
  is_assembly_type: false,
  max_length: 4,
  precision: 10,
  scale: 0,
  is_nullable: true,
  is_identity: false,
  is_computed: false,
  db_collation: 'Latin1_General_CI_AS',
  ...more,
});

const catalog = (extra: Record<string, unknown>[] = []) =>
  assembleSqlServerCatalog(
    {
      database: 'shop',
      version: '16.0',
      collation: 'Latin1_General_CI_AS',
      user: 'dbo',
      tables: [{ table_schema: 'Sales', table_name: 'Orders', est_rows: 1, est_bytes: 1 }],
      columns: [
        col('Id', 1, 'int', { is_identity: true, is_nullable: false, identity_seed: '1', identity_increment: '1' }),
        col('Total', 2, 'money', { precision: 19, scale: 4, default_definition: '((0))' }),
        col('At', 3, 'datetime2', { scale: 7, default_definition: '(sysdatetime())' }),
        col('Seen', 4, 'datetimeoffset', { scale: 3 }),
        col('Uid', 5, 'uniqueidentifier', { max_length: 16 }),
        col('Doc', 6, 'xml', { max_length: -1 }),
        col('Raw', 7, 'varbinary', { max_length: -1 }),
        col('Flag', 8, 'bit', { max_length: 1, default_definition: '((1))' }),
        col('Tiny', 9, 'tinyint', { max_length: 1 }),
        col('Twice', 10, 'money', { is_computed: true, computed_definition: '([Total]*(2))' }),
        ...extra,
      ],
      indexes: [
        {
          table_schema: 'Sales',
          table_name: 'Orders',
          index_name: 'PK_Orders',
          type_desc: 'CLUSTERED',
          is_primary_key: true,
          column_name: 'Id',
          key_ordinal: 1,
          is_descending_key: false,
          is_included_column: false,
        },
      ],
      foreignKeys: [],
      checks: [],
      codeObjects: [],
      sequences: [],
    },
    () => true,
  );

describe('a SQL Server catalog through the PostgreSQL destination’s canonical path', () => {
  it('maps every column by its canonical type, lowercasing names', () => {
    const m = mapForeignCatalog(catalog());
    expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(m.columns.map((c) => [c.column, c.nativeType, c.pgType])).toEqual([
      ['Sales.Orders.Id', 'int', 'integer'],
      ['Sales.Orders.Total', 'money', 'numeric(19,4)'],
      ['Sales.Orders.At', 'datetime2(7)', 'timestamp(6)'],
      ['Sales.Orders.Seen', 'datetimeoffset(3)', 'timestamptz(3)'],
      ['Sales.Orders.Uid', 'uniqueidentifier', 'uuid'],
      ['Sales.Orders.Doc', 'xml', 'text'],
      ['Sales.Orders.Raw', 'varbinary(max)', 'bytea'],
      ['Sales.Orders.Flag', 'bit', 'boolean'],
      ['Sales.Orders.Tiny', 'tinyint', 'smallint'],
    ]);
    const [t] = m.catalog.tables;
    expect(t).toMatchObject({ schema: 'sales', name: 'orders' });
    expect(t?.primaryKey?.columns).toEqual(['id']);
  });

  it('makes the identity an identity with its counter carried, and converts literal and current-time defaults', () => {
    const m = mapForeignCatalog(catalog());
    const [t] = m.catalog.tables;
    const byName = new Map(t?.columns.map((c) => [c.name, c]));
    expect(byName.get('id')?.identity).toBe('by-default');
    expect(m.catalog.sequences.some((s) => s.identity && s.ownedBy?.column === 'id')).toBe(true);
    expect(byName.get('total')?.default).toBe("'0'");
    expect(byName.get('flag')?.default).toBe('true');
    expect(byName.get('at')?.default).toBe('CURRENT_TIMESTAMP');
  });

  it('names the computed column as not converted', () => {
    const m = mapForeignCatalog(catalog());
    expect(m.catalog.notMigrated?.find((n) => n.kind === 'generated column')?.name).toBe('Sales.Orders.Twice');
  });

  it('makes a sql_variant column a plan error naming it', () => {
    const m = mapForeignCatalog(catalog([col('V', 11, 'sql_variant', { max_length: 8016 })]));
    const errors = m.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.summary).toContain('Sales.Orders.V');
  });
});
