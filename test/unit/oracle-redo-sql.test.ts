import { describe, expect, it } from 'vitest';
import { parseRedoSql, type RedoStatement, type RedoValue } from '../../providers/oracle/oracle-redo-sql.js';
import { RedoSyntaxError, tokenizeRedo } from '../../providers/oracle/oracle-redo-tokenizer.js';

const s = (text: string): RedoValue => ({ kind: 'string', text });
const NULL: RedoValue = { kind: 'null' };
const call = (name: string, ...args: RedoValue[]): RedoValue => ({ kind: 'call', name, args });

describe('the SQL_REDO tokenizer', () => {
  it.each([
    [`'it''s'`, [{ kind: 'string', text: "it's" }]],
    [`''`, [{ kind: 'string', text: '' }]],
    [`'a\nb\r\nc'`, [{ kind: 'string', text: 'a\nb\r\nc' }]],
    [`'tab\there;'`, [{ kind: 'string', text: 'tab\there;' }]],
    [`"My ""Col"""`, [{ kind: 'ident', text: 'My "Col"' }]],
    [
      `"A"."B"`,
      [
        { kind: 'ident', text: 'A' },
        { kind: 'punct', text: '.' },
        { kind: 'ident', text: 'B' },
      ],
    ],
    ['12.50', [{ kind: 'number', text: '12.50' }]],
    ['.5', [{ kind: 'number', text: '.5' }]],
    ['1E+10', [{ kind: 'number', text: '1E+10' }]],
    ['2e-3', [{ kind: 'number', text: '2e-3' }]],
    [
      '-7',
      [
        { kind: 'punct', text: '-' },
        { kind: 'number', text: '7' },
      ],
    ],
    [
      "'a' || 'b'",
      [
        { kind: 'string', text: 'a' },
        { kind: 'punct', text: '||' },
        { kind: 'string', text: 'b' },
      ],
    ],
    [
      'EMPTY_CLOB()',
      [
        { kind: 'word', text: 'EMPTY_CLOB' },
        { kind: 'punct', text: '(' },
        { kind: 'punct', text: ')' },
      ],
    ],
    ['SYS$X#1', [{ kind: 'word', text: 'SYS$X#1' }]],
    ["'é😀ü'", [{ kind: 'string', text: 'é😀ü' }]],
  ])('%j', (sql, tokens) => {
    expect(tokenizeRedo(sql)).toEqual(tokens);
  });

  it.each([[`'unterminated`], [`"unterminated`], ['a @ b'], ['x ? y'], ["'ok' ! "]])('rejects %j', (sql) => {
    expect(() => tokenizeRedo(sql)).toThrow(RedoSyntaxError);
  });
});

describe('SQL_REDO statements', () => {
  const cases: [string, string, RedoStatement][] = [
    [
      'insert with every literal kind',
      `insert into "APP"."ORDERS"("ID","NAME","PRICE","AT","TS","TZ","RAWV","NOTE","NADA") values ('1','O''Brien','12.5',TO_DATE(' 2024-01-02 03:04:05', 'SYYYY-MM-DD HH24:MI:SS'),TO_TIMESTAMP(' 2024-01-02 03:04:05.123456789'),TO_TIMESTAMP_TZ(' 2024-01-02 03:04:05.1 +02:00'),HEXTORAW('0aff'),EMPTY_CLOB(),NULL);`,
      {
        op: 'insert',
        schema: 'APP',
        table: 'ORDERS',
        values: [
          ['ID', s('1')],
          ['NAME', s("O'Brien")],
          ['PRICE', s('12.5')],
          ['AT', call('TO_DATE', s(' 2024-01-02 03:04:05'), s('SYYYY-MM-DD HH24:MI:SS'))],
          ['TS', call('TO_TIMESTAMP', s(' 2024-01-02 03:04:05.123456789'))],
          ['TZ', call('TO_TIMESTAMP_TZ', s(' 2024-01-02 03:04:05.1 +02:00'))],
          ['RAWV', call('HEXTORAW', s('0aff'))],
          ['NOTE', call('EMPTY_CLOB')],
          ['NADA', NULL],
        ],
      },
    ],
    [
      'insert without trailing semicolon, unquoted numbers, negatives',
      `insert into "S"."T"("A","B","C") values (1,-2.5,+3)`,
      {
        op: 'insert',
        schema: 'S',
        table: 'T',
        values: [
          ['A', { kind: 'number', text: '1' }],
          ['B', { kind: 'number', text: '-2.5' }],
          ['C', { kind: 'number', text: '3' }],
        ],
      },
    ],
    [
      'insert of a mixed-case quoted table and column',
      `insert into "App"."My ""T"""("Col a") values ('x');`,
      { op: 'insert', schema: 'App', table: 'My "T"', values: [['Col a', s('x')]] },
    ],
    [
      'insert of a value with newlines and a semicolon inside',
      `insert into "S"."T"("A") values ('line1\nline2; not the end');`,
      { op: 'insert', schema: 'S', table: 'T', values: [['A', s('line1\nline2; not the end')]] },
    ],
    [
      'insert with UNISTR and a concatenation',
      `insert into "S"."T"("N") values (UNISTR('\\00e4') || 'bc');`,
      { op: 'insert', schema: 'S', table: 'T', values: [['N', call('||', call('UNISTR', s('\\00e4')), s('bc'))]] },
    ],
    [
      'update with a WHERE of values and IS NULL, ROWID dropped',
      `update "S"."T" set "A" = '2', "B" = NULL where "ID" = '1' and "A" = '1' and "B" IS NULL and ROWID = 'AAAR3sAAEAAAACXAAA';`,
      {
        op: 'update',
        schema: 'S',
        table: 'T',
        set: [
          ['A', s('2')],
          ['B', NULL],
        ],
        where: [
          ['ID', s('1')],
          ['A', s('1')],
          ['B', NULL],
        ],
      },
    ],
    [
      'update with typed values',
      `update "S"."T" set "D" = TO_DSINTERVAL('+01 02:03:04.500000'), "Y" = TO_YMINTERVAL('-02-03') where "ID" = '9';`,
      {
        op: 'update',
        schema: 'S',
        table: 'T',
        set: [
          ['D', call('TO_DSINTERVAL', s('+01 02:03:04.500000'))],
          ['Y', call('TO_YMINTERVAL', s('-02-03'))],
        ],
        where: [['ID', s('9')]],
      },
    ],
    [
      'update without WHERE (no supplemental logging)',
      `update "S"."T" set "A" = 'x';`,
      { op: 'update', schema: 'S', table: 'T', set: [['A', s('x')]], where: [] },
    ],
    [
      'delete',
      `delete from "S"."T" where "ID" = '3' and "NOTE" IS NULL and ROWID = 'AAAR3s';`,
      {
        op: 'delete',
        schema: 'S',
        table: 'T',
        where: [
          ['ID', s('3')],
          ['NOTE', NULL],
        ],
      },
    ],
    [
      "LogMiner's Unsupported Type marker",
      `insert into "S"."T"("A","X") values ('1',Unsupported Type);`,
      {
        op: 'insert',
        schema: 'S',
        table: 'T',
        values: [
          ['A', s('1')],
          ['X', call('UNSUPPORTED TYPE')],
        ],
      },
    ],
    [
      'upper-case keywords',
      `DELETE FROM "S"."T" WHERE "ID" = '3'`,
      { op: 'delete', schema: 'S', table: 'T', where: [['ID', s('3')]] },
    ],
  ];

  it.each(cases)('%s', (_name, sql, want) => {
    expect(parseRedoSql(sql)).toEqual(want);
  });

  it.each([
    ['a DDL statement', 'create table x (a number)'],
    ['a PL/SQL LOB write', `DECLARE loc_c CLOB; BEGIN select "C" into loc_c from "S"."T" where ROWID = 'x' for update; END;`],
    ['columns and values that do not match', `insert into "S"."T"("A","B") values ('1');`],
    ['a table without its schema', `insert into "T"("A") values ('1');`],
    ['garbage after the statement', `delete from "S"."T" where "A" = '1'; delete`],
    ['an unknown bare word as a value', `insert into "S"."T"("A") values (SYSDATE);`],
    ['a truncated statement', `insert into "S"."T"("A") values ('1'`],
    ['a number sign without a number', `insert into "S"."T"("A") values (-'1');`],
    ['an empty statement', ''],
  ])('rejects %s', (_name, sql) => {
    expect(() => parseRedoSql(sql)).toThrow(RedoSyntaxError);
  });

  it('parses a long statement joined from continuation rows', () => {
    const big = 'x'.repeat(20_000);
    const sql = `insert into "S"."T"("A","B") values ('${big}','y');`;
    expect(parseRedoSql(sql)).toEqual({
      op: 'insert',
      schema: 'S',
      table: 'T',
      values: [
        ['A', s(big)],
        ['B', s('y')],
      ],
    });
  });
});
