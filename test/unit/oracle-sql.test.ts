import { describe, expect, it } from 'vitest';
import type { ColumnDef, TableDef } from '../../providers/catalog.js';
import {
  addLogfileBlock,
  archivedLogsQuery,
  contentsQuery,
  END_LOGMINER,
  onlineLogsQuery,
  startLogMinerBlock,
} from '../../providers/oracle/oracle-logminer-sql.js';
import { quoteOracleIdent, quoteOracleLiteral, quoteOracleQualified } from '../../providers/oracle/oracle-quote.js';
import {
  asOfSelect,
  copiedColumns,
  integerKeyColumn,
  keyBoundsQuery,
  keyRanges,
  rowidRanges,
  rowidTilesQuery,
  selectExpression,
  SESSION_SETUP,
} from '../../providers/oracle/oracle-sql.js';

const column = (name: string, nativeType: string, more: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  nativeType,
  nullable: true,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  binarySafe: false,
  canonical: { kind: 'text', length: null, fixed: false, charset: null },
  ...more,
});
const table = (columns: ColumnDef[], pk: string[] = []): TableDef => ({
  schema: 'APP',
  name: 'ORDERS',
  kind: 'table',
  partitionOf: null,
  partitionBound: null,
  partitionKey: null,
  columns,
  primaryKey: pk.length ? { name: 'PK', kind: 'primary', definition: '', columns: pk, references: null } : null,
  constraints: [],
  indexes: [],
  estimatedRows: 0,
  estimatedBytes: 0,
  pages: 0,
  replicaIdentity: 'default',
  comment: null,
});

describe('quoting', () => {
  it.each([
    ['ORDERS', '"ORDERS"'],
    ['Mixed Case', '"Mixed Case"'],
    ['a"b', '"a""b"'],
  ])('%s → %s', (name, want) => {
    expect(quoteOracleIdent(name)).toBe(want);
  });
  it('quotes qualified names and literals, refuses NUL', () => {
    expect(quoteOracleQualified({ schema: 'APP', name: 'T' })).toBe('"APP"."T"');
    expect(quoteOracleLiteral("it's")).toBe("'it''s'");
    expect(() => quoteOracleIdent('a\u0000')).toThrow();
  });
});

describe('the full dump SQL', () => {
  it.each([
    ['DATE', `TO_CHAR("C", 'SYYYY-MM-DD HH24:MI:SS')`],
    ['TIMESTAMP(9)', `TO_CHAR("C", 'SYYYY-MM-DD HH24:MI:SS.FF9')`],
    ['TIMESTAMP(6) WITH TIME ZONE', `TO_CHAR(SYS_EXTRACT_UTC("C"), 'SYYYY-MM-DD HH24:MI:SS.FF9')`],
    [
      'TIMESTAMP(3) WITH LOCAL TIME ZONE',
      `TO_CHAR(SYS_EXTRACT_UTC(CAST("C" AS TIMESTAMP WITH TIME ZONE)), 'SYYYY-MM-DD HH24:MI:SS.FF9')`,
    ],
    ['INTERVAL DAY(2) TO SECOND(6)', 'TO_CHAR("C")'],
    ['INTERVAL YEAR(2) TO MONTH', 'TO_CHAR("C")'],
    ['ROWID', 'ROWIDTOCHAR("C")'],
    ['UROWID(4000)', 'CAST("C" AS VARCHAR2(4000))'],
    ['JSON', 'JSON_SERIALIZE("C" RETURNING CLOB)'],
    ['BOOLEAN', 'CASE WHEN "C" THEN 1 WHEN NOT "C" THEN 0 END'],
    ['NUMBER(10,2)', '"C"'],
    ['VARCHAR2(20 CHAR)', '"C"'],
    ['CLOB', '"C"'],
    ['BLOB', '"C"'],
    ['RAW(16)', '"C"'],
    ['BINARY_DOUBLE', '"C"'],
  ])('selects %s as %s', (native, want) => {
    expect(selectExpression(column('C', native))).toBe(want);
  });

  it('reads a table AS OF one SCN, with a range predicate', () => {
    const t = table([column('ID', 'NUMBER(10)'), column('AT', 'DATE')]);
    expect(asOfSelect(t, t.columns, 123456789012345678n, '"ID" >= 5')).toBe(
      `SELECT "ID", TO_CHAR("AT", 'SYYYY-MM-DD HH24:MI:SS') FROM "APP"."ORDERS" AS OF SCN 123456789012345678 WHERE "ID" >= 5`,
    );
    expect(asOfSelect(t, t.columns, 7n, null)).toBe(
      `SELECT "ID", TO_CHAR("AT", 'SYYYY-MM-DD HH24:MI:SS') FROM "APP"."ORDERS" AS OF SCN 7`,
    );
    expect(() => asOfSelect(t, [], 7n, null)).toThrow(/no column/);
  });

  it('copies neither virtual columns nor columns without a canonical type', () => {
    const cols = [
      column('A', 'NUMBER'),
      column('V', 'NUMBER', { generated: 'A*2' }),
      column('X', 'XMLTYPE', { canonical: undefined }),
    ];
    expect(copiedColumns(cols).map((c) => c.name)).toEqual(['A']);
  });

  it('splits integer keys into ranges that cover everything once', () => {
    expect(keyRanges('ID', 1n, 100n, 4)).toEqual([
      { id: '1/4', predicate: '"ID" < 26' },
      { id: '2/4', predicate: '"ID" >= 26 AND "ID" < 51' },
      { id: '3/4', predicate: '"ID" >= 51 AND "ID" < 76' },
      { id: '4/4', predicate: '"ID" >= 76' },
    ]);
    expect(keyRanges('ID', 5n, 6n, 10)).toEqual([
      { id: '1/2', predicate: '"ID" < 6' },
      { id: '2/2', predicate: '"ID" >= 6' },
    ]);
    expect(keyRanges('ID', 5n, 5n, 10)).toEqual([{ id: 'all', predicate: null }]);
    expect(keyRanges('ID', -9223372036854775808n, 9223372036854775807n, 2)[1]?.predicate).toBe('"ID" >= 0');
  });

  it('splits by ROWID tiles', () => {
    expect(rowidTilesQuery(table([]), 3, 99n)).toBe(
      'SELECT ROWIDTOCHAR(MIN(RID)) AS LO, ROWIDTOCHAR(MAX(RID)) AS HI FROM (SELECT ROWID AS RID, NTILE(3) OVER (ORDER BY ROWID) AS TILE FROM "APP"."ORDERS" AS OF SCN 99) GROUP BY TILE ORDER BY TILE',
    );
    expect(
      rowidRanges([
        { lo: 'AAA1', hi: 'AAA5' },
        { lo: 'AAA6', hi: 'AAA9' },
        { lo: 'AAB1', hi: 'AAB4' },
      ]),
    ).toEqual([
      { id: 'rowid 1/3', predicate: "ROWID <= CHARTOROWID('AAA5')" },
      { id: 'rowid 2/3', predicate: "ROWID >= CHARTOROWID('AAA6') AND ROWID <= CHARTOROWID('AAA9')" },
      { id: 'rowid 3/3', predicate: "ROWID >= CHARTOROWID('AAB1')" },
    ]);
    expect(rowidRanges([{ lo: 'a', hi: 'b' }])).toEqual([{ id: 'all', predicate: null }]);
  });

  it('finds the integer key to split on', () => {
    const int = column('ID', 'NUMBER(10)', { canonical: { kind: 'int', bits: 64, unsigned: false } });
    const big = column('ID', 'NUMBER(38)', { canonical: { kind: 'decimal', precision: 38, scale: 0 } });
    const txt = column('ID', 'VARCHAR2(5)');
    expect(integerKeyColumn(table([int], ['ID']))?.name).toBe('ID');
    expect(integerKeyColumn(table([big], ['ID']))?.name).toBe('ID');
    expect(integerKeyColumn(table([txt], ['ID']))).toBeNull();
    expect(integerKeyColumn(table([int, txt], ['ID', 'ID2']))).toBeNull();
    expect(integerKeyColumn(table([int]))).toBeNull();
    expect(keyBoundsQuery(table([int]), 'ID', 5n)).toBe(
      'SELECT TO_CHAR(MIN("ID")) AS LO, TO_CHAR(MAX("ID")) AS HI FROM "APP"."ORDERS" AS OF SCN 5',
    );
  });

  it('sets the session formats the value parsers read', () => {
    expect(SESSION_SETUP).toContain("NLS_DATE_FORMAT = 'SYYYY-MM-DD HH24:MI:SS'");
    expect(SESSION_SETUP).toContain("NLS_TIMESTAMP_TZ_FORMAT = 'SYYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM'");
    expect(SESSION_SETUP).toContain("TIME_ZONE = '+00:00'");
    expect(SESSION_SETUP).toContain("NLS_NUMERIC_CHARACTERS = '.,'");
  });
});

describe('the LogMiner SQL', () => {
  it('adds logs, the first replacing the list', () => {
    expect(addLogfileBlock('/u01/arch/1_10.arc', true)).toBe(
      "BEGIN DBMS_LOGMNR.ADD_LOGFILE(LOGFILENAME => '/u01/arch/1_10.arc', OPTIONS => DBMS_LOGMNR.NEW); END;",
    );
    expect(addLogfileBlock("/o'dd/x.log", false)).toBe(
      "BEGIN DBMS_LOGMNR.ADD_LOGFILE(LOGFILENAME => '/o''dd/x.log', OPTIONS => DBMS_LOGMNR.ADDFILE); END;",
    );
  });

  it('starts a window on the online catalog, without COMMITTED_DATA_ONLY', () => {
    const sql = startLogMinerBlock(100n, 200n);
    expect(sql).toBe(
      'BEGIN DBMS_LOGMNR.START_LOGMNR(STARTSCN => 100, ENDSCN => 200, OPTIONS => DBMS_LOGMNR.DICT_FROM_ONLINE_CATALOG); END;',
    );
    expect(sql).not.toContain('COMMITTED_DATA_ONLY');
    expect(() => startLogMinerBlock(5n, 4n)).toThrow(RangeError);
    expect(END_LOGMINER).toBe('BEGIN DBMS_LOGMNR.END_LOGMNR; END;');
  });

  it('reads transaction control of everyone and the captured owners’ rows', () => {
    const sql = contentsQuery(100n, 200n, ['APP', "O'X"]);
    expect(sql).toContain('FROM V$LOGMNR_CONTENTS WHERE SCN >= 100 AND SCN <= 200');
    expect(sql).toContain("AND (OPERATION_CODE IN (6, 7, 36) OR SEG_OWNER IN ('APP', 'O''X'))");
    expect(sql).toContain('RAWTOHEX(XID) AS XID');
    expect(sql).toContain('TO_CHAR(SCN) AS SCN'); // never a JS number
    expect(sql).toContain('CSF');
    expect(sql).toContain('ROLLBACK');
    expect(() => contentsQuery(1n, 2n, [])).toThrow();
  });

  it('lists the logs of a window, SCNs as text', () => {
    expect(archivedLogsQuery(10n, 20n)).toContain(
      "STATUS = 'A' AND DELETED = 'NO' AND STANDBY_DEST = 'NO' AND NEXT_CHANGE# > 10 AND FIRST_CHANGE# <= 20",
    );
    expect(archivedLogsQuery(10n, 20n)).toContain('TO_CHAR(NEXT_CHANGE#)');
    expect(onlineLogsQuery(10n, 20n)).toContain(
      "L.STATUS IN ('CURRENT', 'ACTIVE', 'INACTIVE') AND L.NEXT_CHANGE# > 10 AND L.FIRST_CHANGE# <= 20",
    );
  });
});
