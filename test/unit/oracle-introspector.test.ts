import { describe, expect, it } from 'vitest';
import { oracleCatalog, type OracleCatalogRows } from '../../providers/oracle/oracle-introspector.js';
import { mapForeignCatalog } from '../../providers/postgres/pg-foreign-catalog.js';

type Row = Record<string, string | null>;
const column = (table: string, name: string, dataType: string, more: Row = {}): Row => ({
  OWNER: 'APP',
  TABLE_NAME: table,
  COLUMN_NAME: name,
  DATA_TYPE: dataType,
  DATA_TYPE_OWNER: null,
  DATA_LENGTH: '22',
  DATA_PRECISION: null,
  DATA_SCALE: null,
  CHAR_LENGTH: '0',
  CHAR_USED: null,
  NULLABLE: 'Y',
  DATA_DEFAULT: null,
  VIRTUAL_COLUMN: 'NO',
  COMMENTS: null,
  ...more,
});
const constraint = (table: string, name: string, type: string, more: Row = {}): Row => ({
  OWNER: 'APP',
  TABLE_NAME: table,
  CONSTRAINT_NAME: name,
  CONSTRAINT_TYPE: type,
  R_OWNER: null,
  R_CONSTRAINT_NAME: null,
  DELETE_RULE: null,
  SEARCH_CONDITION_VC: null,
  GENERATED: 'USER NAME',
  INDEX_NAME: null,
  ...more,
});
const consCol = (name: string, col: string, pos = 1): Row => ({
  OWNER: 'APP',
  CONSTRAINT_NAME: name,
  TABLE_NAME: '',
  COLUMN_NAME: col,
  POSITION: String(pos),
});

const ROWS: OracleCatalogRows = {
  version: '23.4.0.24.05',
  tables: [
    {
      OWNER: 'APP',
      TABLE_NAME: 'ORDERS',
      NUM_ROWS: '1000',
      AVG_ROW_LEN: '50',
      IOT_TYPE: null,
      PARTITIONED: 'NO',
      COMMENTS: 'the orders',
    },
    {
      OWNER: 'APP',
      TABLE_NAME: 'CUSTOMERS',
      NUM_ROWS: null,
      AVG_ROW_LEN: null,
      IOT_TYPE: null,
      PARTITIONED: 'NO',
      COMMENTS: null,
    },
    { OWNER: 'APP', TABLE_NAME: 'DOCS', NUM_ROWS: '1', AVG_ROW_LEN: '10', IOT_TYPE: null, PARTITIONED: 'NO', COMMENTS: null },
    { OWNER: 'OTHER', TABLE_NAME: 'T', NUM_ROWS: '1', AVG_ROW_LEN: '1', IOT_TYPE: null, PARTITIONED: 'NO', COMMENTS: null },
  ],
  columns: [
    column('ORDERS', 'ID', 'NUMBER', { NULLABLE: 'N' }),
    column('ORDERS', 'CUSTOMER_ID', 'NUMBER', { DATA_PRECISION: '10', DATA_SCALE: '0', NULLABLE: 'N' }),
    column('ORDERS', 'CODE', 'VARCHAR2', { DATA_LENGTH: '40', CHAR_LENGTH: '10', CHAR_USED: 'C', NULLABLE: 'N' }),
    column('ORDERS', 'TOTAL', 'NUMBER', { DATA_PRECISION: '12', DATA_SCALE: '2', DATA_DEFAULT: '0 ' }),
    column('ORDERS', 'AT', 'TIMESTAMP(9) WITH TIME ZONE', { DATA_DEFAULT: 'SYSTIMESTAMP\n' }),
    column('ORDERS', 'DOUBLED', 'NUMBER', { VIRTUAL_COLUMN: 'YES', DATA_DEFAULT: '"TOTAL"*2' }),
    column('CUSTOMERS', 'ID', 'NUMBER', { DATA_PRECISION: '10', DATA_SCALE: '0', NULLABLE: 'N' }),
    column('CUSTOMERS', 'NAME', 'VARCHAR2', { DATA_LENGTH: '100', CHAR_LENGTH: '100', CHAR_USED: 'B' }),
    column('DOCS', 'ID', 'NUMBER', { DATA_PRECISION: '5', DATA_SCALE: '0' }),
    column('DOCS', 'BODY', 'XMLTYPE', { DATA_TYPE_OWNER: 'SYS' }),
    column('T', 'X', 'NUMBER'),
  ],
  identities: [
    { OWNER: 'APP', TABLE_NAME: 'ORDERS', COLUMN_NAME: 'ID', GENERATION_TYPE: 'BY DEFAULT', SEQUENCE_NAME: 'ISEQ$$_1' },
  ],
  constraints: [
    constraint('ORDERS', 'ORDERS_PK', 'P', { INDEX_NAME: 'ORDERS_PK' }),
    constraint('ORDERS', 'ORDERS_CODE_UK', 'U', { INDEX_NAME: 'ORDERS_CODE_UK' }),
    constraint('ORDERS', 'ORDERS_CUST_FK', 'R', { R_OWNER: 'APP', R_CONSTRAINT_NAME: 'CUSTOMERS_PK', DELETE_RULE: 'CASCADE' }),
    constraint('ORDERS', 'SYS_C001', 'C', { SEARCH_CONDITION_VC: '"CODE" IS NOT NULL', GENERATED: 'GENERATED NAME' }),
    constraint('ORDERS', 'ORDERS_TOTAL_CK', 'C', { SEARCH_CONDITION_VC: 'TOTAL >= 0' }),
    constraint('CUSTOMERS', 'CUSTOMERS_PK', 'P', { INDEX_NAME: 'CUSTOMERS_PK' }),
  ],
  consColumns: [
    consCol('ORDERS_PK', 'ID'),
    consCol('ORDERS_CODE_UK', 'CODE'),
    consCol('ORDERS_CUST_FK', 'CUSTOMER_ID'),
    consCol('SYS_C001', 'CODE'),
    consCol('ORDERS_TOTAL_CK', 'TOTAL'),
    consCol('CUSTOMERS_PK', 'ID'),
  ],
  indexes: [
    {
      OWNER: 'APP',
      INDEX_NAME: 'ORDERS_PK',
      TABLE_OWNER: 'APP',
      TABLE_NAME: 'ORDERS',
      INDEX_TYPE: 'NORMAL',
      UNIQUENESS: 'UNIQUE',
    },
    {
      OWNER: 'APP',
      INDEX_NAME: 'ORDERS_CODE_UK',
      TABLE_OWNER: 'APP',
      TABLE_NAME: 'ORDERS',
      INDEX_TYPE: 'NORMAL',
      UNIQUENESS: 'UNIQUE',
    },
    {
      OWNER: 'APP',
      INDEX_NAME: 'ORDERS_AT_IX',
      TABLE_OWNER: 'APP',
      TABLE_NAME: 'ORDERS',
      INDEX_TYPE: 'NORMAL',
      UNIQUENESS: 'NONUNIQUE',
    },
    {
      OWNER: 'APP',
      INDEX_NAME: 'ORDERS_UPPER_IX',
      TABLE_OWNER: 'APP',
      TABLE_NAME: 'ORDERS',
      INDEX_TYPE: 'FUNCTION-BASED NORMAL',
      UNIQUENESS: 'NONUNIQUE',
    },
  ],
  indColumns: [
    { INDEX_OWNER: 'APP', INDEX_NAME: 'ORDERS_AT_IX', COLUMN_NAME: 'AT', POS: '1', DESCEND: 'DESC' },
    { INDEX_OWNER: 'APP', INDEX_NAME: 'ORDERS_AT_IX', COLUMN_NAME: 'TOTAL', POS: '2', DESCEND: 'ASC' },
    { INDEX_OWNER: 'APP', INDEX_NAME: 'ORDERS_UPPER_IX', COLUMN_NAME: 'SYS_NC00007$', POS: '1', DESCEND: 'ASC' },
  ],
  objects: [
    { OWNER: 'APP', OBJECT_NAME: 'ORDERS_V', OBJECT_TYPE: 'VIEW' },
    { OWNER: 'APP', OBJECT_NAME: 'PKG', OBJECT_TYPE: 'PACKAGE' },
    { OWNER: 'OTHER', OBJECT_NAME: 'P', OBJECT_TYPE: 'PROCEDURE' },
  ],
};

describe('the Oracle catalog from dictionary rows', () => {
  const catalog = oracleCatalog(ROWS, 'FREEPDB1', { include: ['APP.*'], exclude: [] });
  const orders = catalog.tables.find((t) => t.name === 'ORDERS');

  it('selects by OWNER.TABLE patterns (Oracle names are upper case)', () => {
    expect(catalog.engine).toBe('oracle');
    expect(catalog.database).toBe('FREEPDB1');
    expect(catalog.serverVersion).toBe('23.4.0.24.05');
    expect(catalog.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['APP.ORDERS', 'APP.CUSTOMERS', 'APP.DOCS']);
    expect(catalog.schemas).toEqual(['APP']);
    expect(oracleCatalog(ROWS, 'X', { include: ['app.*'], exclude: [] }).tables).toEqual([]);
  });

  it('columns carry their Oracle type text and canonical type', () => {
    expect(orders?.columns.map((c) => [c.name, c.nativeType, c.canonical?.kind ?? null, c.nullable])).toEqual([
      ['ID', 'NUMBER', 'int', false],
      ['CUSTOMER_ID', 'NUMBER(10)', 'int', false],
      ['CODE', 'VARCHAR2(10 CHAR)', 'text', false],
      ['TOTAL', 'NUMBER(12,2)', 'decimal', true],
      ['AT', 'TIMESTAMP(9) WITH TIME ZONE', 'timestamp', true],
      ['DOUBLED', 'NUMBER', 'decimal', true],
    ]);
  });

  it('an identity NUMBER is a 64-bit counter carried at promote', () => {
    const id = orders?.columns[0];
    expect(id?.canonical).toEqual({ kind: 'int', bits: 64, unsigned: false });
    expect(id?.autoIncrement).toBe(true);
    expect(id?.default).toBeNull();
    expect(catalog.sequences).toMatchObject([
      { schema: 'APP', name: 'ORDERS.ID', ownedBy: { table: { schema: 'APP', name: 'ORDERS' }, column: 'ID' } },
    ]);
  });

  it('defaults are trimmed, the current time named as such; virtual columns keep their expression', () => {
    expect(orders?.columns.find((c) => c.name === 'TOTAL')?.default).toBe('0');
    expect(orders?.columns.find((c) => c.name === 'AT')?.default).toBe('CURRENT_TIMESTAMP');
    expect(orders?.columns.find((c) => c.name === 'DOUBLED')).toMatchObject({
      generated: '"TOTAL"*2',
      generatedKind: 'virtual',
      default: null,
    });
  });

  it('keys: primary, unique as a unique index, foreign with its action; NOT NULL checks left out; other checks kept', () => {
    expect(orders?.primaryKey).toMatchObject({ name: 'ORDERS_PK', columns: ['ID'] });
    expect(orders?.constraints.map((c) => [c.kind, c.name])).toEqual([
      ['foreign', 'ORDERS_CUST_FK'],
      ['check', 'ORDERS_TOTAL_CK'],
    ]);
    expect(orders?.constraints[0]).toMatchObject({
      references: { schema: 'APP', name: 'CUSTOMERS' },
      referencedColumns: ['ID'],
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
    });
    expect(orders?.indexes.map((i) => [i.name, i.unique, i.columns])).toEqual([
      ['ORDERS_CODE_UK', true, [{ name: 'CODE', descending: false }]],
      [
        'ORDERS_AT_IX',
        false,
        [
          { name: 'AT', descending: true },
          { name: 'TOTAL', descending: false },
        ],
      ],
      ['ORDERS_UPPER_IX', false, [{ name: '', descending: false }]],
    ]);
    expect(orders?.replicaIdentity).toBe('default');
  });

  it('sizes from statistics, zero without them', () => {
    expect(orders?.estimatedBytes).toBe(50_000);
    expect(catalog.tables.find((t) => t.name === 'CUSTOMERS')?.estimatedBytes).toBe(0);
  });

  it('names unmappable columns and code objects of the selected schemas as not migrated', () => {
    expect(catalog.notMigrated).toEqual([
      { kind: 'column', name: 'APP.DOCS.BODY', reason: expect.stringMatching(/XMLTYPE/) },
      { kind: 'view', name: 'APP.ORDERS_V', reason: expect.any(String) },
      { kind: 'package', name: 'APP.PKG', reason: expect.any(String) },
    ]);
    expect(catalog.tables.find((t) => t.name === 'DOCS')?.columns[1]?.canonical).toBeUndefined();
  });

  it('maps to PostgreSQL: lower-case names, identity, unique index, the XMLTYPE column a plan error', () => {
    const mapped = mapForeignCatalog(catalog, []);
    const pgOrders = mapped.catalog.tables.find((t) => t.name === 'orders');
    expect(pgOrders?.schema).toBe('app');
    expect(pgOrders?.columns.map((c) => [c.name, c.nativeType, c.identity])).toEqual([
      ['id', 'bigint', 'by-default'],
      ['customer_id', 'bigint', null],
      ['code', 'varchar(10)', null],
      ['total', 'numeric(12,2)', null],
      ['at', 'timestamptz(6)', null],
    ]);
    expect(pgOrders?.indexes.map((i) => i.definition)).toEqual([
      'CREATE UNIQUE INDEX "orders_orders_code_uk" ON "app"."orders" USING btree ("code")',
      'CREATE INDEX "orders_orders_at_ix" ON "app"."orders" USING btree ("at" DESC, "total")',
    ]);
    // the function-based index is named as not converted
    expect(mapped.catalog.notMigrated?.map((n) => n.name)).toContain('APP.ORDERS.ORDERS_UPPER_IX');
    expect(mapped.diagnostics.map((d) => d.summary)).toEqual([
      expect.stringMatching(/APP\.DOCS\.BODY of type XMLTYPE cannot be mapped/),
    ]);
  });
});
