import mysql from 'mysql2';
import { describe, expect, it } from 'vitest';
import type { ChangeEvent, ChangeRelation } from '../../providers/change-event.js';
import {
  type MySqlColumnInfo,
  type MySqlTableInfo,
  mysqlChangeStatements,
  mysqlLiteral,
  mysqlValueKind,
} from '../../providers/mysql/mysql-change-sql.js';
import {
  createTableIfNotExists,
  foreignKeyClauses,
  normalizeCreate,
  retargetDatabase,
  withoutDefiner,
  withoutForeignKeys,
} from '../../providers/mysql/mysql-ddl.js';
import { loadDataStatement, mysqlTextSelectList } from '../../providers/mysql/mysql-load-format.js';
import { RawRowsCommand } from '../../providers/mysql/mysql-raw-rows.js';
import type { ColumnDef } from '../../providers/catalog.js';
import { columnDefault } from '../../providers/mysql/mysql-introspector.js';

describe('destination column kinds', () => {
  it.each([
    ['int', 'number'],
    ['bigint', 'number'],
    ['decimal', 'number'],
    ['double', 'number'],
    ['year', 'number'],
    ['varbinary', 'binary'],
    ['binary', 'binary'],
    ['longblob', 'binary'],
    ['point', 'binary'],
    ['geometry', 'binary'],
    ['bit', 'bit'],
    ['timestamp', 'timestamp'],
    ['datetime', 'text'],
    ['varchar', 'text'],
    ['longtext', 'text'],
    ['json', 'text'],
    ['enum', 'text'],
  ])('%s → %s', (dt, kind) => expect(mysqlValueKind(dt)).toBe(kind));
});

describe('canonical text → MySQL literals', () => {
  it.each([
    [null, 'text', 'NULL'],
    ['12345678901234567890', 'number', '12345678901234567890'],
    ['-0.50', 'number', '-0.50'],
    ['1e+300', 'number', '1e+300'],
    ['not a number', 'number', "'not a number'"],
    ['\\x00ff', 'binary', "X'00ff'"],
    ['\\x', 'binary', "''"],
    ['0101', 'bit', "b'0101'"],
    ['2024-01-01 00:00:00.500000+00', 'timestamp', "'2024-01-01 00:00:00.500000'"],
    ['0000-00-00 00:00:00', 'timestamp', "'0000-00-00 00:00:00'"],
    ["it's \\ \n", 'text', "'it\\'s \\\\ \\n'"],
    ['ünï ✓', 'text', "'ünï ✓'"],
  ] as const)('%j as %s', (v, kind, lit) => expect(mysqlLiteral(v, kind)).toBe(lit));

  it('quotes text exactly as mysql.escape does, with or without characters to escape', () => {
    const samples = [
      '',
      'plain',
      'a"b',
      'nul\0',
      'sub\x1a',
      'bs\b',
      'tab\t',
      'cr\r',
      "q'",
      'back\\slash',
      '✓ ünï',
      `${'x'.repeat(300)}'`,
    ];
    for (const v of samples) expect(mysqlLiteral(v, 'text')).toBe(mysql.escape(v));
  });
});

const rel = (name: string, keys: string[], cols: string[]): ChangeRelation => ({
  engine: 'mysql',
  schema: 'shop',
  name,
  id: 0,
  columns: cols.map((c) => ({ name: c, isKey: keys.includes(c), typeOid: 0 })),
  replicaIdentity: keys.length ? 'default' : 'full',
});

const info = (
  entries: Record<string, Partial<MySqlColumnInfo>>,
  table: Partial<Omit<MySqlTableInfo, 'columns'>> = {},
): MySqlTableInfo => ({
  columns: new Map(Object.entries(entries).map(([k, v]) => [k, { kind: 'text', generated: false, ...v } as MySqlColumnInfo])),
  primaryKey: [],
  onlyPrimaryUnique: true,
  independent: false,
  ...table,
});

/** Tables tied by foreign keys: their changes keep source order. */
const TABLES = new Map([
  ['t', info({ id: { kind: 'number' }, name: {}, total: { kind: 'number', generated: true } }, { primaryKey: ['id'] })],
  ['k', info({ a: { kind: 'number' }, b: { kind: 'binary' }, v: {} }, { primaryKey: ['a', 'b'] })],
  ['nokey', info({ x: {}, y: { kind: 'bit' } })],
]);
const T = rel('t', ['id'], ['id', 'name', 'total']);
const K = rel('k', ['a', 'b'], ['a', 'b', 'v']);
const N = rel('nokey', [], ['x', 'y']);
const img = (r: ChangeRelation, values: (string | null)[]) => ({ columns: r.columns.map((c) => c.name), values });

describe('change statements', () => {
  const sql = (events: ChangeEvent[]) => mysqlChangeStatements('shop_copy', events, (t) => TABLES.get(t)).map((s) => s.sql);

  it('groups consecutive inserts of a table into one INSERT, leaves out generated columns, keeps source order', () => {
    expect(
      sql([
        { kind: 'insert', relation: T, new: img(T, ['1', 'a', '9']) },
        { kind: 'insert', relation: T, new: img(T, ['2', null, '9']) },
        { kind: 'insert', relation: K, new: img(K, ['1', '\\x01', 'v']) },
        { kind: 'insert', relation: T, new: img(T, ['3', 'c', '9']) },
      ]),
    ).toEqual([
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (1, 'a'), (2, NULL)",
      "INSERT INTO `shop_copy`.`k` (`a`, `b`, `v`) VALUES (1, X'01', 'v')",
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (3, 'c')",
    ]);
  });

  it('updates only what changed, by the old key; a key change moves the row', () => {
    expect(
      sql([
        { kind: 'update', relation: T, old: img(T, ['1', 'a', '9']), new: img(T, ['1', 'b', '10']) },
        { kind: 'update', relation: T, old: img(T, ['1', 'b', '9']), new: img(T, ['5', 'b', '9']) },
        { kind: 'update', relation: T, old: img(T, ['5', 'b', '9']), new: img(T, ['5', 'b', '9']) },
      ]),
    ).toEqual([
      "UPDATE `shop_copy`.`t` SET `name` = 'b' WHERE `id` = 1",
      'UPDATE `shop_copy`.`t` SET `id` = 5 WHERE `id` = 1',
      'DO 0',
    ]);
  });

  it('deletes by key in one IN list (composite keys as row values); keyless tables by the whole image, one row', () => {
    expect(
      sql([
        { kind: 'delete', relation: T, old: img(T, ['1', 'a', '9']) },
        { kind: 'delete', relation: T, old: img(T, ['2', 'a', '9']) },
        { kind: 'delete', relation: K, old: img(K, ['1', '\\x01', 'v']) },
        { kind: 'delete', relation: K, old: img(K, ['2', '\\x02', 'v']) },
        { kind: 'delete', relation: N, old: img(N, [null, '1']) },
        { kind: 'update', relation: N, old: img(N, ['a', '1']), new: img(N, ['b', '1']) },
      ]),
    ).toEqual([
      'DELETE FROM `shop_copy`.`t` WHERE `id` IN (1, 2)',
      "DELETE FROM `shop_copy`.`k` WHERE (`a`, `b`) IN ((1, X'01'), (2, X'02'))",
      "DELETE FROM `shop_copy`.`nokey` WHERE `x` <=> NULL AND `y` <=> b'1' LIMIT 1",
      "UPDATE `shop_copy`.`nokey` SET `x` = 'b' WHERE `x` <=> 'a' AND `y` <=> b'1' LIMIT 1",
    ]);
  });

  it('a TRUNCATE is a DELETE (it would commit the apply transaction); counts per table under the source names', () => {
    const out = mysqlChangeStatements(
      'shop_copy',
      [
        { kind: 'insert', relation: T, new: img(T, ['1', 'a', '9']) },
        { kind: 'truncate', relations: [T, K], cascade: false, restartIdentity: false },
      ],
      (t) => TABLES.get(t),
    );
    expect(out.map((s) => [s.table, s.sql, s.inserts])).toEqual([
      ['shop.t', "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (1, 'a')", 1],
      ['shop.t', 'DELETE FROM `shop_copy`.`t`', 0],
      ['shop.k', 'DELETE FROM `shop_copy`.`k`', 0],
    ]);
  });

  it('a table or column the destination lacks is an error naming it', () => {
    const X = rel('gone', ['id'], ['id']);
    expect(() => sql([{ kind: 'insert', relation: X, new: img(X, ['1']) }])).toThrow(/shop_copy\.gone does not exist/);
    const T2 = rel('t', ['id'], ['id', 'extra']);
    expect(() => sql([{ kind: 'insert', relation: T2, new: img(T2, ['1', 'x']) }])).toThrow(/column extra of shop_copy\.t/);
  });

  it('splits a long run of inserts into bounded statements', () => {
    const many: ChangeEvent[] = Array.from({ length: 2500 }, (_, i) => ({
      kind: 'insert',
      relation: T,
      new: img(T, [String(i), 'x', '0']),
    }));
    const out = mysqlChangeStatements('shop_copy', many, (t) => TABLES.get(t));
    expect(out.map((s) => s.inserts)).toEqual([1000, 1000, 500]);
  });
});

describe('change statements of independent tables (no foreign key, no trigger)', () => {
  const FREE = new Map([
    [
      't',
      info(
        { id: { kind: 'number' }, name: {}, total: { kind: 'number', generated: true } },
        { primaryKey: ['id'], independent: true },
      ),
    ],
    ['k', info({ a: { kind: 'number' }, b: { kind: 'binary' }, v: {} }, { primaryKey: ['a', 'b'], independent: true })],
    ['u', info({ id: { kind: 'number' }, email: {} }, { primaryKey: ['id'], onlyPrimaryUnique: false, independent: true })],
    ['nokey', info({ x: {}, y: { kind: 'bit' } }, { independent: true })],
    ['linked', info({ id: { kind: 'number' } }, { primaryKey: ['id'] })],
  ]);
  const U = rel('u', ['id'], ['id', 'email']);
  const L = rel('linked', ['id'], ['id']);
  const run = (events: ChangeEvent[]) => mysqlChangeStatements('shop_copy', events, (t) => FREE.get(t));
  const sql = (events: ChangeEvent[]) => run(events).map((s) => s.sql);
  const ins = (r: ChangeRelation, v: (string | null)[]): ChangeEvent => ({ kind: 'insert', relation: r, new: img(r, v) });
  const upd = (r: ChangeRelation, o: (string | null)[], n: (string | null)[]): ChangeEvent => ({
    kind: 'update',
    relation: r,
    old: img(r, o),
    new: img(r, n),
  });
  const del = (r: ChangeRelation, o: (string | null)[]): ChangeEvent => ({ kind: 'delete', relation: r, old: img(r, o) });

  it('nets a batch per key: deletes, then new rows, then the last image of updated rows as an upsert', () => {
    expect(
      sql([
        ins(T, ['1', 'a', '0']),
        upd(T, ['7', 'x', '0'], ['7', 'y', '0']),
        del(T, ['8', 'z', '0']),
        upd(T, ['1', 'a', '0'], ['1', 'b', '0']), // a new row updated: still one insert, last image
        upd(T, ['7', 'y', '0'], ['7', 'w', '0']), // two updates: one write
        ins(T, ['2', 'c', '0']),
        del(T, ['2', 'c', '0']), // inserted and deleted: nothing
        del(T, ['9', 'q', '0']),
        ins(T, ['9', 'r', '0']), // deleted and inserted again: an upsert
      ]),
    ).toEqual([
      'DELETE FROM `shop_copy`.`t` WHERE `id` IN (8)',
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (1, 'b')",
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (7, 'w'), (9, 'r') ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)",
    ]);
  });

  it('new and updated rows interleaved in the source are still one INSERT and one upsert', () => {
    const events = Array.from({ length: 6 }, (_, i) =>
      i % 2 ? upd(T, [String(100 + i), 'a', '0'], [String(100 + i), 'b', '0']) : ins(T, [String(i), 'n', '0']),
    );
    expect(sql(events)).toEqual([
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (0, 'n'), (2, 'n'), (4, 'n')",
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (101, 'b'), (103, 'b'), (105, 'b') ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)",
    ]);
  });

  it('a key change is the old key deleted and the new key written; chains of key changes end at the last key', () => {
    expect(
      sql([
        upd(K, ['1', '\\x01', 'v'], ['2', '\\x01', 'v']),
        upd(K, ['2', '\\x01', 'v'], ['3', '\\x01', 'w']),
        upd(T, ['1', 'a', '0'], ['5', 'a', '0']),
      ]),
    ).toEqual([
      "DELETE FROM `shop_copy`.`k` WHERE (`a`, `b`) IN ((1, X'01'))",
      "INSERT INTO `shop_copy`.`k` (`a`, `b`, `v`) VALUES (3, X'01', 'w')",
      'DELETE FROM `shop_copy`.`t` WHERE `id` IN (1)',
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (5, 'a')",
    ]);
  });

  it('counts every source change once, on the first statement of its table, even when netting leaves nothing to write', () => {
    const out = run([ins(T, ['1', 'a', '0']), upd(T, ['1', 'a', '0'], ['1', 'b', '0']), del(T, ['1', 'b', '0'])]);
    expect(out.map((s) => [s.table, s.sql, s.inserts, s.updates, s.deletes])).toEqual([['shop.t', 'DO 0', 1, 1, 1]]);
    const two = run([ins(T, ['1', 'a', '0']), del(T, ['5', 'a', '0']), upd(T, ['6', 'a', '0'], ['6', 'b', '0'])]);
    expect(two.reduce((n, s) => n + s.inserts + s.updates + s.deletes, 0)).toBe(3);
  });

  it('a TRUNCATE drops what was netted before it and deletes every row first', () => {
    expect(
      sql([
        ins(T, ['1', 'a', '0']),
        { kind: 'truncate', relations: [T], cascade: false, restartIdentity: false },
        ins(T, ['2', 'b', '0']),
      ]),
    ).toEqual(['DELETE FROM `shop_copy`.`t`', "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (2, 'b')"]);
  });

  it('takes each table on its own, tables tied by keys first in source order', () => {
    expect(
      sql([
        ins(T, ['1', 'a', '0']),
        ins(L, ['1']),
        ins(T, ['2', 'b', '0']),
        del(L, ['5']),
        ins(L, ['2']),
        ins(T, ['3', 'c', '0']),
      ]),
    ).toEqual([
      'INSERT INTO `shop_copy`.`linked` (`id`) VALUES (1)',
      'DELETE FROM `shop_copy`.`linked` WHERE `id` IN (5)',
      'INSERT INTO `shop_copy`.`linked` (`id`) VALUES (2)',
      "INSERT INTO `shop_copy`.`t` (`id`, `name`) VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    ]);
  });

  it('a secondary unique key or no key keeps the order of the table (an upsert could match another row)', () => {
    expect(
      sql([
        upd(U, ['1', 'a@x'], ['1', 'b@x']),
        ins(N, ['p', '1']),
        ins(U, ['2', 'a@x']),
        upd(U, ['2', 'a@x'], ['2', 'c@x']),
        del(N, ['p', '1']),
      ]),
    ).toEqual([
      "UPDATE `shop_copy`.`u` SET `email` = 'b@x' WHERE `id` = 1",
      "INSERT INTO `shop_copy`.`u` (`id`, `email`) VALUES (2, 'a@x')",
      "UPDATE `shop_copy`.`u` SET `email` = 'c@x' WHERE `id` = 2",
      "INSERT INTO `shop_copy`.`nokey` (`x`, `y`) VALUES ('p', b'1')",
      "DELETE FROM `shop_copy`.`nokey` WHERE `x` <=> 'p' AND `y` <=> b'1' LIMIT 1",
    ]);
  });

  it('a stream key that is not the destination primary key is not netted', () => {
    const T2 = rel('t', ['name'], ['id', 'name', 'total']);
    expect(sql([upd(T2, ['1', 'a', '0'], ['1', 'b', '0']), upd(T2, ['1', 'b', '0'], ['1', 'c', '0'])])).toEqual([
      "UPDATE `shop_copy`.`t` SET `name` = 'b' WHERE `name` = 'a'",
      "UPDATE `shop_copy`.`t` SET `name` = 'c' WHERE `name` = 'b'",
    ]);
  });

  it('a table with only key columns upserts without changing anything', () => {
    const KO = rel('ko', ['id'], ['id']);
    const only = new Map([['ko', info({ id: { kind: 'number' } }, { primaryKey: ['id'], independent: true })]]);
    expect(mysqlChangeStatements('db', [del(KO, ['1']), ins(KO, ['1'])], (t) => only.get(t)).map((s) => s.sql)).toEqual([
      'INSERT INTO `db`.`ko` (`id`) VALUES (1) ON DUPLICATE KEY UPDATE `id` = `id`',
    ]);
  });
});

describe('the source DDL as the destination runs it', () => {
  it('leaves out named foreign keys, last line or not, and keeps the others', () => {
    const create = [
      'CREATE TABLE `child` (',
      '  `id` int(11) NOT NULL,',
      '  `a` int(11) DEFAULT NULL,',
      '  PRIMARY KEY (`id`),',
      '  CONSTRAINT `keep` FOREIGN KEY (`a`) REFERENCES `kept` (`id`),',
      '  CONSTRAINT `go``ne` FOREIGN KEY (`a`) REFERENCES `other` (`id`) ON DELETE CASCADE',
      ') ENGINE=InnoDB',
    ].join('\n');
    expect(withoutForeignKeys(create, new Set(['go`ne']))).toBe(
      [
        'CREATE TABLE `child` (',
        '  `id` int(11) NOT NULL,',
        '  `a` int(11) DEFAULT NULL,',
        '  PRIMARY KEY (`id`),',
        '  CONSTRAINT `keep` FOREIGN KEY (`a`) REFERENCES `kept` (`id`)',
        ') ENGINE=InnoDB',
      ].join('\n'),
    );
    expect(withoutForeignKeys(create, new Set(['keep']))).not.toContain('`keep`');
    expect(withoutForeignKeys(create, new Set(['keep']))).toContain('ON DELETE CASCADE\n) ENGINE');
    expect(withoutForeignKeys(create, new Set())).toBe(create);
    expect(foreignKeyClauses(create)).toEqual([
      { name: 'keep', clause: 'CONSTRAINT `keep` FOREIGN KEY (`a`) REFERENCES `kept` (`id`)' },
      { name: 'go`ne', clause: 'CONSTRAINT `go``ne` FOREIGN KEY (`a`) REFERENCES `other` (`id`) ON DELETE CASCADE' },
    ]);
  });

  it.each([
    [
      'CREATE DEFINER=`root`@`localhost` TRIGGER `t` BEFORE INSERT ON `a` FOR EACH ROW SET NEW.x = 1',
      'CREATE TRIGGER `t` BEFORE INSERT ON `a` FOR EACH ROW SET NEW.x = 1',
    ],
    ["CREATE DEFINER='app'@'%' PROCEDURE `p`() SELECT 1", 'CREATE PROCEDURE `p`() SELECT 1'],
    [
      'CREATE ALGORITHM=UNDEFINED DEFINER=`a b`@`10.0.0.%` SQL SECURITY DEFINER VIEW `v` AS select 1',
      'CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1',
    ],
    [
      'CREATE DEFINER=CURRENT_USER EVENT `e` ON SCHEDULE EVERY 1 DAY DO SELECT 1',
      'CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY DO SELECT 1',
    ],
    ['CREATE FUNCTION `f`() RETURNS int RETURN 1', 'CREATE FUNCTION `f`() RETURNS int RETURN 1'],
  ])('drops the definer: %s', (input, out) => expect(withoutDefiner(input)).toBe(out));

  it('makes CREATE TABLE idempotent and retargets qualified references', () => {
    expect(createTableIfNotExists('CREATE TABLE `t` (\n  `id` int\n)')).toBe('CREATE TABLE IF NOT EXISTS `t` (\n  `id` int\n)');
    expect(createTableIfNotExists('CREATE TABLE IF NOT EXISTS `t` (id int)')).toBe('CREATE TABLE IF NOT EXISTS `t` (id int)');
    expect(retargetDatabase('select `shop`.`t`.`a` from `shop`.`t` join `other`.`u`', 'shop', 'copy')).toBe(
      'select `copy`.`t`.`a` from `copy`.`t` join `other`.`u`',
    );
    expect(retargetDatabase('select 1', 'shop', 'shop')).toBe('select 1');
    expect(normalizeCreate('CREATE TABLE `t` (\n  `id` int\n) ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4')).toBe(
      'CREATE TABLE `t` ( `id` int ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
    );
  });
});

const col = (name: string, nativeType: string): ColumnDef => ({
  name,
  nativeType,
  nullable: true,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  binarySafe: false,
});

/** A length-encoded string field. */
const field = (v: Buffer | null): Buffer => {
  if (v === null) return Buffer.from([0xfb]);
  if (v.length < 0xfb) return Buffer.concat([Buffer.from([v.length]), v]);
  const len = Buffer.alloc(4);
  len[0] = 0xfd;
  len.writeUIntLE(v.length, 1, 3);
  return Buffer.concat([len, v]);
};
const EOF = Buffer.from([0xfe, 0, 0, 0x22, 0]);

/** Feed a whole result set (column count, definitions, EOF, rows, EOF) to the command, as mysql2 would. */
async function rawRead(
  rows: (Buffer | null)[][],
  columns: number,
  packets?: Buffer[],
): Promise<{ text: Buffer; sent: Buffer[]; paused: boolean }> {
  const sent: Buffer[] = [];
  let paused = false;
  const conn = {
    config: { clientFlags: 0 },
    writePacket: (p: { buffer: Buffer }) => sent.push(p.buffer),
    _resetSequenceId: () => undefined,
    pause: () => void (paused = true),
    resume: () => void (paused = false),
  };
  const cmd = new RawRowsCommand('SELECT 1', 't.x');
  const feed = (b: Buffer) => cmd.execute({ buffer: b, offset: 0, end: b.length }, conn);
  cmd.execute(undefined, conn);
  const all = packets ?? [
    Buffer.from([columns]),
    ...Array.from({ length: columns }, () => Buffer.from('def')),
    EOF,
    ...rows.map((r) => Buffer.concat(r.map(field))),
    EOF,
  ];
  for (const p of all) if (feed(p)) break;
  const chunks: Buffer[] = [];
  for await (const c of cmd.output) chunks.push(c as Buffer);
  return { text: Buffer.concat(chunks), sent, paused };
}

describe('mysql-text rows made from row packets (LOAD DATA format)', () => {
  it.each([
    ['plain', 'plain'],
    ['a\tb\nc\rd', 'a\\tb\\nc\\rd'],
    ['back\\slash', 'back\\\\slash'],
    ['nul\u0000byte', 'nul\\0byte'],
    ['', ''],
  ])('escapes %j', async (raw, out) => {
    expect((await rawRead([[Buffer.from(raw)]], 1)).text.toString()).toBe(`${out}\n`);
  });

  it('writes rows with \\N for NULL, bytes as they are, values longer than 250 bytes', async () => {
    const long = Buffer.alloc(70_000, 0x61);
    const { text, sent } = await rawRead(
      [
        [Buffer.from('1'), null, Buffer.from([0xe9, 0x09])],
        [Buffer.from('2'), long, Buffer.from('')],
      ],
      3,
    );
    expect(text).toEqual(
      Buffer.concat([Buffer.from('1\t\\N\t\xe9\\t\n', 'latin1'), Buffer.from('2\t'), long, Buffer.from('\t\n')]),
    );
    expect(sent[0]?.subarray(4).toString()).toBe('\u0003SELECT 1'); // COM_QUERY
  });

  it('rows faster than the reader pause the connection, and the end never leaves it paused', async () => {
    const row = [Buffer.alloc(300, 0x62)];
    const { text, paused } = await rawRead(
      Array.from({ length: 8000 }, () => row),
      1,
    );
    expect(text.length).toBe(8000 * 301);
    expect(paused).toBe(false);
  });

  it('a server error ends the stream with it, naming what was read', async () => {
    const err = Buffer.concat([
      Buffer.from([0xff, 0x7a, 0x04, 0x23]),
      Buffer.from('42S02'),
      Buffer.from("Table 'x' doesn't exist"),
    ]);
    await expect(rawRead([], 0, [err])).rejects.toThrow("reading t.x: Table 'x' doesn't exist");
  });

  it('a row that does not match its fields is an error, never a short line', async () => {
    await expect(
      rawRead([], 2, [Buffer.from([2]), Buffer.from('d'), Buffer.from('d'), EOF, Buffer.from([5, 0x61])]),
    ).rejects.toThrow(/did not match its 2 fields|out of range|outside buffer/i);
  });

  it('reads BIT as its number and FLOAT as DOUBLE; loads BIT and JSON through variables', () => {
    const cols = [col('id', 'int(11)'), col('b', 'bit(5)'), col('f', 'float'), col('j', 'json'), col('t', 'text')];
    expect(mysqlTextSelectList(cols)).toBe('`id`, CAST(`b` AS UNSIGNED), CAST(`f` AS DOUBLE), `j`, `t`');
    expect(loadDataStatement('copy', 'x', cols)).toBe(
      "LOAD DATA LOCAL INFILE 'rows' INTO TABLE `copy`.`x` CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' " +
        "LINES TERMINATED BY '\\n' (`id`, @c1, `f`, @c3, `t`) SET `b` = CAST(@c1 AS UNSIGNED), `j` = CONVERT(@c3 USING utf8mb4)",
    );
  });
});

describe('column defaults as SQL', () => {
  it.each([
    [null, '', false, null],
    ["'new'", '', true, "'new'"], // MariaDB quotes literals itself
    ['current_timestamp()', '', true, 'current_timestamp()'],
    ['new', '', false, "'new'"], // MySQL: a literal's bare text
    ["it's", '', false, "'it''s'"],
    ['0', '', false, "'0'"],
    ['CURRENT_TIMESTAMP', 'DEFAULT_GENERATED', false, 'CURRENT_TIMESTAMP'],
    ['CURRENT_TIMESTAMP(6)', '', false, 'CURRENT_TIMESTAMP(6)'], // 5.7 leaves it unmarked
    ['(rand() * 10)', 'DEFAULT_GENERATED', false, '(rand() * 10)'],
  ])('%j (%s, mariadb %s) → %j', (def, extra, mariadb, out) => expect(columnDefault(def, extra, mariadb)).toBe(out));
});
