import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../providers/canonical-type.js';
import { UNCHANGED, type ChangeEvent } from '../../providers/change-event.js';
import { OracleChangeAssembler } from '../../providers/oracle/oracle-change-assembler.js';
import {
  LogMinerRowDecoder,
  UnsupportedRedoOperationError,
  type LogMinerRow,
  type MiningEvent,
} from '../../providers/oracle/oracle-logminer-row.js';
import { parseRedoSql } from '../../providers/oracle/oracle-redo-sql.js';
import { capturedTable, oracleDdlChange, RedoLayoutError, redoChangeEvent } from '../../providers/oracle/oracle-row-change.js';
import { compareOraclePositions, snapshotPosition } from '../../providers/oracle/oracle-scn.js';

const INT: CanonicalType = { kind: 'int', bits: 32, unsigned: false };
const TEXT: CanonicalType = { kind: 'text', length: 50, fixed: false, charset: null };
const CLOB: CanonicalType = { kind: 'text', length: null, fixed: false, charset: null };
const ORDERS = capturedTable(
  'APP',
  'ORDERS',
  [
    { name: 'ID', canonical: INT },
    { name: 'NAME', canonical: TEXT },
    { name: 'NOTE', canonical: CLOB },
  ],
  ['ID'],
);
const LOG = capturedTable('APP', 'LOG', [{ name: 'MSG', canonical: TEXT }], []);
const TABLES = new Map([
  ['APP.ORDERS', ORDERS],
  ['APP.LOG', LOG],
]);

const XA = '0A00010000000001';
const XB = '0A00010000000002';
const XC = '0B00010000000003';

function row(scn: number, op: number, xid: string, more: Partial<LogMinerRow> = {}): LogMinerRow {
  return {
    SCN: String(scn),
    COMMIT_SCN: op === 7 ? String(scn) : null,
    OPERATION_CODE: op,
    OPERATION: String(op),
    XID: xid,
    SEG_OWNER: op === 6 || op === 7 || op === 36 ? null : 'APP',
    TABLE_NAME: op === 6 || op === 7 || op === 36 ? null : 'ORDERS',
    SQL_REDO: null,
    CSF: 0,
    ROLLBACK: 0,
    TIMESTAMP: '2024-01-02 03:04:05',
    STATUS: 0,
    INFO: null,
    ...more,
  };
}
const ins = (scn: number, xid: string, id: number, name = `n${id}`, table = 'ORDERS') =>
  row(scn, 1, xid, {
    TABLE_NAME: table,
    SQL_REDO:
      table === 'ORDERS'
        ? `insert into "APP"."ORDERS"("ID","NAME","NOTE") values ('${id}','${name}',NULL);`
        : `insert into "APP"."LOG"("MSG") values ('${name}');`,
  });
const commit = (scn: number, xid: string) => row(scn, 7, xid);
const rollback = (scn: number, xid: string) => row(scn, 36, xid);

describe('V$LOGMNR_CONTENTS rows', () => {
  const captured = (o: string, t: string) => TABLES.has(`${o}.${t}`);

  it.each<[string, LogMinerRow, MiningEvent | null]>([
    ['START', row(5, 6, XA), { kind: 'start', scn: 5n, xid: XA }],
    [
      'COMMIT (its COMMIT_SCN)',
      row(9, 7, XA, { COMMIT_SCN: '9' }),
      { kind: 'commit', scn: 9n, xid: XA, time: '2024-01-02 03:04:05' },
    ],
    ['ROLLBACK', row(9, 36, XA), { kind: 'rollback', scn: 9n, xid: XA }],
    [
      'an insert',
      ins(6, XA, 1),
      {
        kind: 'dml',
        op: 'insert',
        scn: 6n,
        xid: XA,
        owner: 'APP',
        table: 'ORDERS',
        sql: ins(6, XA, 1).SQL_REDO as string,
        undo: false,
      },
    ],
    [
      'an undo row (ROLLBACK = 1)',
      row(7, 2, XA, { SQL_REDO: `delete from "APP"."ORDERS" where "ID" = '1';`, ROLLBACK: 1 }),
      {
        kind: 'dml',
        op: 'delete',
        scn: 7n,
        xid: XA,
        owner: 'APP',
        table: 'ORDERS',
        sql: `delete from "APP"."ORDERS" where "ID" = '1';`,
        undo: true,
      },
    ],
    [
      'a DDL',
      row(8, 5, XA, { SQL_REDO: 'truncate table "APP"."ORDERS"' }),
      { kind: 'ddl', scn: 8n, xid: XA, owner: 'APP', table: 'ORDERS', sql: 'truncate table "APP"."ORDERS"' },
    ],
    ['a table not captured', row(6, 1, XA, { TABLE_NAME: 'OTHER', SQL_REDO: 'whatever' }), null],
    ['an unsupported operation of a table not captured', row(6, 255, XA, { TABLE_NAME: 'OTHER' }), null],
    ['INTERNAL', row(6, 0, XA), null],
    ['SELECT FOR UPDATE', row(6, 25, XA), null],
    ['lower-case XIDs are normalised', row(5, 6, XA.toLowerCase()), { kind: 'start', scn: 5n, xid: XA }],
  ])('%s', (_name, r, want) => {
    expect(new LogMinerRowDecoder(captured).push(r)).toEqual(want);
  });

  it.each([
    ['LOB_WRITE', 10, /LOB written piecewise/],
    ['SELECT_LOB_LOCATOR', 9, /locator/],
    ['LOB_TRIM', 11, /LOB_TRIM/],
    ['LOB_ERASE', 28, /LOB_ERASE/],
    ['XML DOC BEGIN', 68, /XMLTYPE/],
    ['UNSUPPORTED', 255, /does not support/],
    ['an unknown code', 99, /code 99/],
  ])('names %s on a captured table as an error', (_name, code, reason) => {
    const d = new LogMinerRowDecoder(captured);
    expect(() => d.push(row(6, code, XA))).toThrow(UnsupportedRedoOperationError);
    expect(() => d.push(row(6, code, XA))).toThrow(reason);
    expect(() => d.push(row(6, code, XA))).toThrow(/APP\.ORDERS at SCN 6/);
  });

  it('names a row LogMiner could not rebuild SQL for', () => {
    const d = new LogMinerRowDecoder(captured);
    expect(() => d.push(row(6, 3, XA, { STATUS: 2, INFO: 'Dictionary Version Mismatch', SQL_REDO: 'x' }))).toThrow(
      /Dictionary Version Mismatch/,
    );
  });

  it('names a table the dictionary lost', () => {
    const d = new LogMinerRowDecoder(() => true);
    expect(() => d.push(row(6, 1, XA, { SEG_OWNER: 'UNKNOWN', TABLE_NAME: 'OBJ# 12345', SQL_REDO: 'x' }))).toThrow(
      /dropped or altered/,
    );
  });

  it('joins CSF continuation rows into one statement', () => {
    const d = new LogMinerRowDecoder(captured);
    const sql = `insert into "APP"."ORDERS"("ID","NAME","NOTE") values ('1','${'x'.repeat(30)}',NULL);`;
    const parts = [sql.slice(0, 10), sql.slice(10, 40), sql.slice(40)];
    expect(d.push(row(6, 1, XA, { SQL_REDO: parts[0] as string, CSF: 1 }))).toBeNull();
    expect(d.incomplete).toBe(true);
    expect(d.push(row(6, 1, XA, { SQL_REDO: parts[1] as string, CSF: 1 }))).toBeNull();
    const ev = d.push(row(6, 1, XA, { SQL_REDO: parts[2] as string, CSF: 0 }));
    expect(ev).toMatchObject({ kind: 'dml', sql });
    expect(d.incomplete).toBe(false);
  });

  it('refuses a continuation of another transaction', () => {
    const d = new LogMinerRowDecoder(captured);
    d.push(row(6, 1, XA, { SQL_REDO: 'insert into', CSF: 1 }));
    expect(() => d.push(row(6, 1, XB, { SQL_REDO: 'x' }))).toThrow(/continuation/);
  });
});

describe('row changes from SQL_REDO', () => {
  const ev = (sql: string, t = ORDERS) => redoChangeEvent(parseRedoSql(sql), t);

  it('an insert has every column, left-out ones NULL', () => {
    expect(ev(`insert into "APP"."ORDERS"("ID","NAME") values ('7','x');`)).toEqual({
      kind: 'insert',
      relation: ORDERS.relation,
      new: { columns: ['ID', 'NAME', 'NOTE'], values: ['7', 'x', null] },
    });
  });

  it('an update: SET values, WHERE values for the rest, UNCHANGED where neither says', () => {
    const e = ev(`update "APP"."ORDERS" set "NAME" = 'new' where "ID" = '7' and "NAME" = 'old';`) as Extract<
      ChangeEvent,
      { kind: 'update' }
    >;
    expect(e.new.values).toEqual(['7', 'new', UNCHANGED]);
    expect(e.old).toEqual({ columns: ['ID', 'NAME'], values: ['7', 'old'] });
  });

  it('a key update keeps old and new keys apart', () => {
    const e = ev(`update "APP"."ORDERS" set "ID" = '8' where "ID" = '7';`) as Extract<ChangeEvent, { kind: 'update' }>;
    expect(e.new.values).toEqual(['8', UNCHANGED, UNCHANGED]);
    expect(e.old?.values).toEqual(['7']);
  });

  it('old images of one column list share one array', () => {
    const a = ev(`delete from "APP"."ORDERS" where "ID" = '1';`) as Extract<ChangeEvent, { kind: 'delete' }>;
    const b = ev(`delete from "APP"."ORDERS" where "ID" = '2';`) as Extract<ChangeEvent, { kind: 'delete' }>;
    expect(a.old.columns).toBe(b.old.columns);
  });

  it('a keyless table is identified by all its columns', () => {
    expect(LOG.relation.replicaIdentity).toBe('full');
    expect(ORDERS.relation.replicaIdentity).toBe('default');
    expect(ORDERS.relation.columns.map((c) => c.isKey)).toEqual([true, false, false]);
    expect(ORDERS.relation.engine).toBe('oracle');
  });

  it('names a column the layout does not know', () => {
    expect(() => ev(`insert into "APP"."ORDERS"("ID","NEWCOL") values ('7','x');`)).toThrow(RedoLayoutError);
    expect(() => ev(`insert into "APP"."ORDERS"("ID","NEWCOL") values ('7','x');`)).toThrow(/NEWCOL/);
  });

  it('refuses a delete without any column and a statement of another table', () => {
    expect(() => ev(`delete from "APP"."ORDERS";`)).toThrow(/supplemental logging/);
    expect(() => ev(`delete from "APP"."LOG" where "MSG" = 'x';`)).toThrow(RedoLayoutError);
  });

  it.each([
    ['truncate table "APP"."ORDERS"', 'truncate'],
    ['TRUNCATE TABLE APP.ORDERS DROP STORAGE', 'truncate'],
    ['alter table "APP"."ORDERS" add ("X" NUMBER)', 'schema'],
    ['alter table "APP"."ORDERS" drop column "X"', 'schema'],
    ['drop table "APP"."ORDERS" purge', 'schema'],
    ['ALTER TABLE APP.ORDERS ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS', 'ignore'],
    ['grant select on "APP"."ORDERS" to bob', 'ignore'],
    ["comment on table APP.ORDERS is 'x'", 'ignore'],
    ['create index ix on APP.ORDERS (NAME)', 'ignore'],
    ['/* hint */ analyze table APP.ORDERS compute statistics', 'ignore'],
  ] as const)('DDL %j → %s', (sql, want) => {
    expect(oracleDdlChange(sql)).toBe(want);
  });
});

describe('the change assembler', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oracle-assembler-test-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function run(rows: LogMinerRow[], from: string, endScn: number, opts: { maxBytes?: number; maxEvents?: number } = {}) {
    const asm = new OracleChangeAssembler(TABLES, from, { directory: dir, maxBytes: opts.maxBytes });
    const d = new LogMinerRowDecoder((o, t) => asm.isCaptured(o, t));
    for (const r of rows) {
      const ev = d.push(r);
      if (ev) asm.feed(ev);
    }
    asm.windowDone(BigInt(endScn));
    const batches = [];
    while (asm.pending) batches.push(asm.read(opts.maxEvents ?? 1000));
    return { asm, batches, events: batches.flatMap((b) => b.events) };
  }
  const summary = (events: ChangeEvent[]) =>
    events.map((e) =>
      e.kind === 'begin'
        ? `begin ${e.finalPosition}`
        : e.kind === 'commit'
          ? `commit ${e.commitPosition}`
          : e.kind === 'insert'
            ? `insert ${String(e.new.values[0])}`
            : e.kind,
    );

  it('emits committed transactions in commit order, interleaved rows apart, rollbacks dropped', () => {
    const rows = [
      row(100, 6, XA),
      ins(101, XA, 1),
      row(102, 6, XB),
      ins(103, XB, 2),
      ins(104, XA, 3),
      row(105, 6, XC),
      ins(106, XC, 4),
      commit(107, XB),
      rollback(108, XC),
      commit(109, XA),
    ];
    const { events, asm } = run(rows, snapshotPosition(99n, 99n), 120);
    expect(summary(events)).toEqual([
      `begin 107:${XB}@101`,
      'insert 2',
      `commit 107:${XB}@101`,
      `begin 109:${XA}@109`,
      'insert 1',
      'insert 3',
      `commit 109:${XA}@109`,
    ]);
    expect(asm.processedPosition()).toBe('121@121');
  });

  it('orders transactions committed at one SCN by XID', () => {
    const rows = [ins(101, XB, 2), ins(102, XA, 1), commit(110, XB), commit(110, XA)];
    const { events } = run(rows, '100@100', 120);
    // XB, queued behind XA at the same SCN, started at 101: a resume from XA's commit must see its row
    expect(summary(events).filter((s) => s.startsWith('commit'))).toEqual([`commit 110:${XA}@101`, `commit 110:${XB}@110`]);
  });

  it('skips what the snapshot or the checkpoint already holds, exactly', () => {
    const rows = [
      ins(95, XA, 1),
      ins(96, XB, 2),
      ins(97, XC, 3),
      commit(100, XA),
      commit(101, XA.replace('1', '9')),
      commit(101, XB),
      commit(102, XC),
    ];
    // snapshot AS OF SCN 100: XA is in it
    expect(summary(run(rows, snapshotPosition(100n, 95n), 120).events).filter((s) => s.startsWith('commit'))).toEqual([
      `commit 101:${XB}@97`,
      `commit 102:${XC}@102`,
    ]);
    // checkpoint at XB's commit: only XC follows
    expect(summary(run(rows, `101:${XB}@97`, 120).events).filter((s) => s.startsWith('commit'))).toEqual([
      `commit 102:${XC}@102`,
    ]);
  });

  it('a resume from a checkpoint restarts at its restart SCN and loses no transaction that straddled it', () => {
    // XA starts at 101, XB at 103 and commits at 105 (the checkpoint), XA commits at 110
    const rows = [ins(101, XA, 1), ins(103, XB, 2), commit(105, XB), ins(106, XA, 3), commit(110, XA)];
    const first = run(rows, '100@100', 120);
    const checkpoint = first.batches[0]?.events.find((e) => e.kind === 'commit' && e.commitPosition.startsWith('105')) as Extract<
      ChangeEvent,
      { kind: 'commit' }
    >;
    expect(checkpoint.commitPosition).toBe(`105:${XB}@101`); // XA is still open: restart at its start
    // killed after the checkpoint: the resumed stream mines again from SCN 101
    const resumed = new OracleChangeAssembler(TABLES, checkpoint.commitPosition, { directory: dir });
    expect(resumed.startScn).toBe(101n);
    const d = new LogMinerRowDecoder((o, t) => resumed.isCaptured(o, t));
    for (const r of rows.filter((r) => BigInt(r.SCN) >= resumed.startScn)) {
      const ev = d.push(r);
      if (ev) resumed.feed(ev);
    }
    resumed.windowDone(120n);
    const again = resumed.read(1000).events;
    expect(summary(again)).toEqual([`begin 110:${XA}@110`, 'insert 1', 'insert 3', `commit 110:${XA}@110`]);
  });

  it('keeps a transaction open across mining windows', () => {
    const asm = new OracleChangeAssembler(TABLES, '100@100', { directory: dir });
    const d = new LogMinerRowDecoder((o, t) => asm.isCaptured(o, t));
    const feed = (r: LogMinerRow) => {
      const ev = d.push(r);
      if (ev) asm.feed(ev);
    };
    feed(ins(101, XA, 1));
    asm.windowDone(150n);
    expect(asm.pending).toBe(false);
    expect(asm.processedPosition()).toBe('151@101'); // restart at the open transaction's start
    feed(ins(160, XA, 2));
    feed(commit(170, XA));
    asm.windowDone(200n);
    expect(summary(asm.read(1000).events)).toEqual([`begin 170:${XA}@170`, 'insert 1', 'insert 2', `commit 170:${XA}@170`]);
    expect(asm.processedPosition()).toBe('201@201');
  });

  it('splits a transaction larger than a batch into partial batches, the last one whole', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => ins(101 + i, XA, i)),
      commit(120, XA),
      ins(121, XB, 99),
      commit(122, XB),
    ];
    const { batches } = run(rows, '100@100', 130, { maxEvents: 4 });
    expect(batches.map((b) => [b.events.length, b.partial, b.transactions])).toEqual([
      [4, true, 0],
      [4, true, 0],
      [4, false, 1], // the last 3 rows and the commit
      [3, false, 1],
    ]);
    expect(batches[2]?.endPosition).toBe(`120:${XA}@120`);
  });

  it('streams a spilled long transaction back in order', () => {
    const rows = [...Array.from({ length: 500 }, (_, i) => ins(101 + i, XA, i)), commit(700, XA)];
    const { events, asm } = run(rows, '100@100', 800, { maxBytes: 2000 });
    expect(asm.buffer.spills).toBeGreaterThan(0);
    expect(
      events.filter((e) => e.kind === 'insert').map((e) => (e as Extract<ChangeEvent, { kind: 'insert' }>).new.values[0]),
    ).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
  });

  it('holds a commit back until every commit at its SCN is known', () => {
    const asm = new OracleChangeAssembler(TABLES, '100@100', { directory: dir });
    asm.feed({
      kind: 'dml',
      op: 'insert',
      scn: 101n,
      xid: XB,
      owner: 'APP',
      table: 'ORDERS',
      sql: ins(101, XB, 2).SQL_REDO as string,
      undo: false,
    });
    asm.feed({ kind: 'commit', scn: 110n, xid: XB, time: null });
    expect(asm.pending).toBe(false);
    asm.feed({ kind: 'start', scn: 111n, xid: XC });
    expect(asm.pending).toBe(true);
  });

  it('turns a TRUNCATE into a truncate event and other DDL into a schema event', () => {
    const rows = [
      row(101, 5, XA, { SQL_REDO: 'truncate table "APP"."ORDERS"' }),
      commit(102, XA),
      row(103, 5, XB, { SQL_REDO: 'alter table "APP"."ORDERS" add ("X" NUMBER)' }),
      commit(104, XB),
    ];
    const kinds = run(rows, '100@100', 110).events.map((e) => e.kind);
    expect(kinds).toEqual(['begin', 'truncate', 'commit', 'begin', 'schema', 'commit']);
  });

  it('a DDL without a COMMIT row of its own is still emitted and holds no restart SCN back', () => {
    const rows = [row(101, 5, XA, { SQL_REDO: 'alter table "APP"."ORDERS" add ("Y" NUMBER)' }), ins(102, XB, 1), commit(103, XB)];
    const { events, asm } = run(rows, '100@100', 110);
    expect(events.map((e) => e.kind)).toEqual(['begin', 'schema', 'commit', 'begin', 'insert', 'commit']);
    expect(asm.processedPosition()).toBe('111@111');
  });

  it('positions of emitted transactions only grow', () => {
    const rows = [ins(101, XA, 1), ins(102, XB, 2), ins(103, XC, 3), commit(104, XC), commit(104, XA), commit(105, XB)];
    const commits = run(rows, '100@100', 110)
      .events.filter((e) => e.kind === 'commit')
      .map((e) => (e as Extract<ChangeEvent, { kind: 'commit' }>).commitPosition);
    for (let i = 1; i < commits.length; i++)
      expect(compareOraclePositions(commits[i - 1] as string, commits[i] as string)).toBe(-1);
  });
});
