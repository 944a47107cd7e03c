/**
 * The binlog reader against a real MariaDB 10.11 (ROW, FULL image, FULL
 * metadata, CRC32): every value it decodes is compared with what SELECT
 * returns from the same server; transaction boundaries, positions, rotate,
 * DDL, resume (by file/offset and by GTID), backpressure on a large
 * transaction, and the hard error on a compressed binlog.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MARIADB_SKIP, startMariaDb, type MariaDbServer } from '../harness/mariadb.js';
import { BinlogReader, type BinlogReaderOptions } from '../../providers/mysql/binlog/binlog-reader.js';
import { MySqlSource } from '../../providers/mysql/mysql-source.js';
import type { BinlogEvent, BinlogRowsEvent, BinlogStart, BinlogValue } from '../../providers/mysql/binlog/binlog-types.js';

const skip = MARIADB_SKIP;
let server: MariaDbServer;
let dbs = 0;

beforeAll(async () => {
  if (skip) return;
  server = await startMariaDb();
  // TIMESTAMP values read back in UTC, the zone the reader prints them in
  await server.query("SET GLOBAL time_zone = '+00:00'");
});
afterAll(async () => {
  await server?.stop(true);
});

async function masterStatus(s: MariaDbServer = server): Promise<{ file: string; offset: number }> {
  const [row] = await s.query<{ File: string; Position: string }>('SHOW MASTER STATUS');
  if (!row) throw new Error('no binlog');
  return { file: row.File, offset: Number(row.Position) };
}

async function freshDb(): Promise<string> {
  const db = `bl${++dbs}`;
  await server.query(`CREATE DATABASE ${db}`);
  return db;
}

function open(start: BinlogStart, extra: Partial<BinlogReaderOptions> = {}, s: MariaDbServer = server): Promise<BinlogReader> {
  return BinlogReader.open({
    connection: { host: '127.0.0.1', port: s.port, user: 'root' },
    start,
    heartbeatSeconds: 1,
    ...extra,
  });
}

/** Events until `stop` says so (or a heartbeat after the source went idle, when `untilIdle`). */
async function collect(reader: BinlogReader, stop: (ev: BinlogEvent, all: BinlogEvent[]) => boolean): Promise<BinlogEvent[]> {
  const out: BinlogEvent[] = [];
  for (;;) {
    const ev = await reader.next();
    if (!ev) return out;
    out.push(ev);
    if (stop(ev, out)) return out;
  }
}

/** Read from `start` until the reader reaches `end` (a SHOW MASTER STATUS taken after the writes). */
async function readUntil(start: BinlogStart, end: { file: string; offset: number }): Promise<BinlogEvent[]> {
  const reader = await open(start);
  try {
    return await collect(
      reader,
      (ev) => ev.position.file === end.file && ev.position.offset >= end.offset && !reader.inTransaction(),
    );
  } finally {
    await reader.close();
  }
}

const rowsOf = (events: BinlogEvent[], table: string): BinlogRowsEvent[] =>
  events.filter(
    (e): e is BinlogRowsEvent => (e.kind === 'write' || e.kind === 'update' || e.kind === 'delete') && e.table === table,
  );

/** The table of the type test: one column per type, the SELECT expression giving its exact text. */
const COLUMNS: [name: string, ddl: string, select: string][] = [
  ['ti', 'tinyint', 'CAST(ti AS CHAR)'],
  ['tiu', 'tinyint unsigned', 'CAST(tiu AS CHAR)'],
  ['si', 'smallint', 'CAST(si AS CHAR)'],
  ['siu', 'smallint unsigned', 'CAST(siu AS CHAR)'],
  ['mi', 'mediumint', 'CAST(mi AS CHAR)'],
  ['miu', 'mediumint unsigned', 'CAST(miu AS CHAR)'],
  ['i', 'int', 'CAST(i AS CHAR)'],
  ['iu', 'int unsigned', 'CAST(iu AS CHAR)'],
  ['bi', 'bigint', 'CAST(bi AS CHAR)'],
  ['biu', 'bigint unsigned', 'CAST(biu AS CHAR)'],
  ['d', 'decimal(65,30)', 'CAST(d AS CHAR)'],
  ['d2', 'decimal(10,2) unsigned', 'CAST(d2 AS CHAR)'],
  ['f', 'float', 'CAST(CAST(f AS DOUBLE) AS CHAR)'],
  ['db', 'double', 'CAST(db AS CHAR)'],
  ['dt', 'date', 'CAST(dt AS CHAR)'],
  ['dtm', 'datetime(6)', 'CAST(dtm AS CHAR)'],
  ['dtm0', 'datetime', 'CAST(dtm0 AS CHAR)'],
  ['dtm3', 'datetime(3)', 'CAST(dtm3 AS CHAR)'],
  ['ts', 'timestamp(6) NULL', 'CAST(ts AS CHAR)'],
  ['tm', 'time(6)', 'CAST(tm AS CHAR)'],
  ['tm0', 'time', 'CAST(tm0 AS CHAR)'],
  ['tm1', 'time(1)', 'CAST(tm1 AS CHAR)'],
  ['y', 'year', 'CAST(y AS CHAR)'],
  ['b1', 'bit(1)', 'LPAD(BIN(b1), 1, "0")'],
  ['b64', 'bit(64)', 'LPAD(BIN(b64), 64, "0")'],
  ['b10', 'bit(10)', 'LPAD(BIN(b10), 10, "0")'],
  ['e', "enum('a','b c','ü')", 'CAST(e AS CHAR)'],
  ['st', "set('a','b','c','d')", 'CAST(st AS CHAR)'],
  ['el', "enum('é','b') charset latin1", 'CAST(el AS CHAR)'],
  ['sl', "set('ä','ö','ü') charset latin1", 'CAST(sl AS CHAR)'],
  ['j', 'json', 'HEX(j)'],
  ['cu', 'char(10) charset utf8mb4', 'HEX(cu)'],
  ['vu', 'varchar(300) charset utf8mb4', 'HEX(vu)'],
  ['tu', 'text charset utf8mb4', 'HEX(tu)'],
  ['cw', 'char(255) charset utf8mb4', 'HEX(cw)'], // 1020 bytes: the length folds into the type byte of the metadata
  ['cl', 'char(10) charset latin1', 'HEX(cl)'],
  ['vl', 'varchar(20) charset latin1', 'HEX(vl)'],
  ['tl', 'mediumtext charset latin1', 'HEX(tl)'],
  ['bn', 'binary(4)', 'HEX(bn)'],
  ['vb', 'varbinary(10)', 'HEX(vb)'],
  ['bl', 'blob', 'HEX(bl)'],
  ['lb', 'longblob', 'HEX(lb)'],
  ['g', 'geometry', 'HEX(g)'],
  ['p', 'point', 'HEX(p)'],
];

const ROWS = [
  `(1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
    '-12345678901234567890123456789012345.123456789012345678901234567890', 99999999.99, 3.4028234e38, 1.7976931348623157e308,
    '9999-12-31', '9999-12-31 23:59:59.999999', '1000-01-01 00:00:00', '2024-02-29 12:34:56.789', '2038-01-19 03:14:07.999999',
    '-838:59:59.000000', '838:59:59', '-00:00:00.5', 2155, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
    b'1000000001', 'ü', 'a,c,d', 'é', 'ä,ü', '{"k": [1, 2.5, "é", {"n": 18446744073709551615}]}',
    'héllo 😀', REPEAT('ü', 300), REPEAT('字', 1000), REPEAT('😀', 255), 'café', 'naïve', REPEAT('é', 70000),
    x'00ff', x'0001020304', x'deadbeef', REPEAT(x'00ff', 40000),
    ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))', 4326), ST_GeomFromText('POINT(1.5 -2.25)', 3857))`,
  `(2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0,
    '0.000000000000000000000000000001', 0, -1.17549435e-38, -2.2250738585072014e-308,
    '1000-01-01', '1000-01-01 00:00:00.000000', '9999-12-31 23:59:59', '1970-01-01 00:00:00.001', '1970-01-01 00:00:01.000000',
    '838:59:59.999999', '-838:59:59', '00:00:00.1', 1901, b'0', b'0', b'0000000001', 'a', '', 'b', '', '[]',
    '', '', '', 'é', '', '', '', x'', x'', x'', x'', ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(0 0)'))`,
  `(3, ${Array(COLUMNS.length).fill('NULL').join(', ')})`,
  // zero dates and the ENUM error value exist only in non-strict mode
  `(4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
    '0000-00-00 00:00:00', '0000-00-00 00:00:00', '00:00:00', '00:00:00', '00:00:00', 0, b'0', b'0', b'0', 'invalid', 'b', 'x', 'ö',
    'null', ' ', 'x ', 'trailing  ', 'w ', 'a', 'b ', ' ', x'01', x'00', x'00', x'00', NULL, NULL)`,
];

/** What the source holds, as text per column, read back from the server. */
async function selectText(db: string, id: number): Promise<(string | null)[]> {
  const sql = `SELECT ${COLUMNS.map(([n, , s]) => `${s} AS \`${n}\``).join(', ')} FROM t WHERE id = ${id}`;
  const [row] = await server.query<Record<string, string | null>>(sql, db);
  if (!row) throw new Error(`no row ${id}`);
  // FLOAT/DOUBLE: the server's text and ours differ in exponent style only ('e308' / 'e+308')
  return COLUMNS.map(([n]) => (row[n] != null && (n === 'f' || n === 'db') ? String(Number(row[n])) : (row[n] ?? null)));
}

/** Our decoded value, as the SELECT expression of its column prints it. */
function asSelectText(name: string, v: BinlogValue): string | null {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return v.toString('hex').toUpperCase();
  if (name === 'f') return String(Math.fround(Number(v))); // the float32, widened: what CAST(f AS DOUBLE) prints
  if (name === 'db') return String(Number(v));
  return v;
}

describe.skipIf(skip)('MariaDB binlog reader', () => {
  test('every type, edge values and NULLs, decoded exactly as SELECT returns them', async () => {
    const db = await freshDb();
    await server.query(`CREATE TABLE t (id int PRIMARY KEY, ${COLUMNS.map(([n, ddl]) => `\`${n}\` ${ddl}`).join(', ')})`, db);
    const start = await masterStatus();
    await server.query(`SET sql_mode = ''; INSERT INTO t VALUES ${ROWS.join(', ')}`, db);
    await server.query(`UPDATE t SET biu = 1, d = -d, ts = '2001-02-03 04:05:06.000007', e = 'b c' WHERE id = 1`, db);
    const beforeDelete = await selectText(db, 2);
    await server.query('DELETE FROM t WHERE id = 2', db);
    const end = await masterStatus();

    const events = await readUntil(start, end);
    const changes = rowsOf(events, 't');
    // rows events hold about 8 KiB of rows (binlog_row_event_max_size): the insert spans several
    const inserts = changes.filter((e) => e.kind === 'write');
    const update = changes.find((e) => e.kind === 'update');
    const del = changes.find((e) => e.kind === 'delete');
    expect(changes.map((e) => e.kind)).toEqual([...inserts.map(() => 'write'), 'update', 'delete']);
    const insert = inserts[0];
    const after = new Map(inserts.flatMap((e) => e.rows).map((r) => [r.after?.[0], r.after]));
    for (const id of [1, 3, 4]) {
      const expected = await selectText(db, id);
      const row = id === 1 ? update?.rows[0]?.after : after.get(String(id));
      const got = COLUMNS.map(([n], i) => asSelectText(n, row?.[i + 1] ?? null));
      expect(Object.fromEntries(COLUMNS.map(([n], i) => [n, got[i]]))).toEqual(
        Object.fromEntries(COLUMNS.map(([n], i) => [n, expected[i]])),
      );
    }
    const deleted = del?.rows[0]?.before;
    expect(COLUMNS.map(([n], i) => asSelectText(n, deleted?.[i + 1] ?? null))).toEqual(beforeDelete);
    // the before image of the update is row 1 as inserted
    expect(update?.rows[0]?.before?.slice(0, 12)).toEqual(after.get('1')?.slice(0, 12));

    const cols = insert?.columns ?? [];
    const byName = (n: string) => cols.find((c) => c.name === n);
    expect(byName('id')?.primaryKey).toBe(true);
    expect([byName('biu')?.unsigned, byName('bi')?.unsigned, byName('d2')?.unsigned]).toEqual([true, false, true]);
    expect([byName('cu')?.collation, byName('cl')?.collation, byName('bl')?.collation, byName('vb')?.collation]).toEqual([
      45, 8, 63, 63,
    ]);
    expect(byName('e')?.labels).toEqual(['a', 'b c', 'ü']);
    expect(byName('st')?.labels).toEqual(['a', 'b', 'c', 'd']);
    expect([byName('el')?.labels, byName('sl')?.labels, byName('el')?.collation]).toEqual([['é', 'b'], ['ä', 'ö', 'ü'], 8]);
    expect([byName('dtm')?.fsp, byName('tm1')?.fsp, byName('b10')?.bits]).toEqual([6, 1, 10]);
    expect([byName('d')?.precision, byName('d')?.scale]).toEqual([65, 30]);
    expect(byName('p')?.geometryType).toBe(1);
    expect([byName('cw')?.maxLength, byName('cu')?.maxLength, byName('vu')?.maxLength]).toEqual([1020, 40, 1200]);
    // text decodes in its column's charset
    const row1 = after.get('1') ?? [];
    const text = (n: string, enc: BufferEncoding) => (row1[cols.findIndex((c) => c.name === n)] as Buffer).toString(enc);
    expect(text('cu', 'utf8')).toBe('héllo 😀');
    expect(text('cl', 'latin1')).toBe('café');
    expect(text('j', 'utf8')).toBe('{"k": [1, 2.5, "é", {"n": 18446744073709551615}]}');
  });

  test('transaction boundaries, positions, rotate and DDL', async () => {
    const db = await freshDb();
    await server.query('CREATE TABLE a (id int PRIMARY KEY, v varchar(20))', db);
    const start = await masterStatus();
    await server.query(
      "BEGIN; INSERT INTO a VALUES (1, 'x'), (2, 'y'); UPDATE a SET v = 'z' WHERE id = 1; DELETE FROM a WHERE id = 2; COMMIT",
      db,
    );
    const afterFirst = await masterStatus();
    await server.query('ALTER TABLE a ADD COLUMN w int DEFAULT 7', db);
    await server.query('FLUSH BINARY LOGS');
    const rotatedTo = await masterStatus();
    await server.query("INSERT INTO a (id, v) VALUES (3, 'after rotate')", db);
    await server.query('CREATE TABLE m (id int PRIMARY KEY) ENGINE=Aria TRANSACTIONAL=0', db);
    await server.query('INSERT INTO m VALUES (1)', db);
    const end = await masterStatus();
    const events = (await readUntil(start, end)).filter((e) => e.kind !== 'heartbeat');
    const shape = events.map((e) =>
      e.kind === 'ddl' ? `ddl:${e.sql}` : 'table' in e ? `${e.kind}:${e.table}:${e.rows.length}` : e.kind,
    );
    expect(shape, JSON.stringify(events.map((e) => [e.kind, e.position]))).toEqual([
      'begin',
      'write:a:2',
      'update:a:1',
      'delete:a:1',
      'commit',
      'ddl:ALTER TABLE a ADD COLUMN w int DEFAULT 7',
      'rotate',
      'begin',
      'write:a:1',
      'commit',
      'ddl:CREATE TABLE m (id int PRIMARY KEY) ENGINE=Aria TRANSACTIONAL=0',
      'begin',
      'write:m:1',
      'commit',
    ]);
    const commits = events.filter((e) => e.kind === 'commit');
    expect(commits[0]?.position).toMatchObject(afterFirst);
    expect(commits.map((c) => c.kind === 'commit' && c.via)).toEqual(['xid', 'xid', 'commit']);
    expect(events[6]?.position).toEqual({ file: rotatedTo.file, offset: 4, gtid: expect.any(String) });
    expect(commits.at(-1)?.position).toMatchObject(end);
    const ddl = events[5];
    expect(ddl).toMatchObject({ kind: 'ddl', database: db, inTransaction: false });
    // every begin carries its GTID, and the commit's position the GTID state that includes it
    const begins = events.filter((e) => e.kind === 'begin');
    begins.forEach((b, i) => {
      expect(b.kind === 'begin' && b.gtid).toMatch(/^0-\d+-\d+$/);
      expect(commits[i]?.position.gtid).toBe(b.kind === 'begin' ? b.gtid : '');
    });
    // the row after the ALTER has the new column, named from the new TABLE_MAP
    const post = rowsOf(events, 'a').at(-1);
    expect(post?.columns.map((c) => c.name)).toEqual(['id', 'v', 'w']);
    expect(post?.rows[0]?.after?.[2]).toBe('7');
  });

  test('resuming from a commit position, by file/offset and by GTID, yields exactly the following transactions', async () => {
    const db = await freshDb();
    await server.query('CREATE TABLE r (id int PRIMARY KEY)', db);
    const start = await masterStatus();
    for (let i = 1; i <= 10; i++) await server.query(`INSERT INTO r VALUES (${i * 2 - 1}), (${i * 2})`, db);
    const end = await masterStatus();
    const all = await readUntil(start, end);
    const ids = (events: BinlogEvent[]) => rowsOf(events, 'r').flatMap((e) => e.rows.map((r) => r.after?.[0]));
    expect(ids(all)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    const fourth = all.filter((e) => e.kind === 'commit')[3];
    if (!fourth) throw new Error('no 4th commit');
    const expected = Array.from({ length: 12 }, (_, i) => String(i + 9));
    const byOffset = await readUntil({ file: fourth.position.file, offset: fourth.position.offset }, end);
    expect(ids(byOffset)).toEqual(expected);
    expect(byOffset.find((e) => e.kind !== 'rotate')?.kind).toBe('begin');
    const byGtid = await readUntil({ gtid: fourth.position.gtid ?? '' }, end);
    expect(ids(byGtid)).toEqual(expected);
    // the GTID state the reader reports matches what the server computes for the same coordinates
    const [pos] = await server.query<{ g: string }>(
      `SELECT BINLOG_GTID_POS('${fourth.position.file}', ${fourth.position.offset}) AS g`,
    );
    expect(fourth.position.gtid).toBe(pos?.g);
  });

  test('a multi-table statement maps every table first, then rows of each, in one transaction; FK cascades are not logged', async () => {
    const db = await freshDb();
    await server.query(
      `CREATE TABLE p (id int PRIMARY KEY, v int);
       CREATE TABLE c (id int PRIMARY KEY, pid int, v int, FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE);
       INSERT INTO p VALUES (1, 0), (2, 0); INSERT INTO c VALUES (10, 1, 0), (20, 2, 0)`,
      db,
    );
    const start = await masterStatus();
    await server.query('UPDATE p JOIN c ON c.pid = p.id SET p.v = 1, c.v = 2', db);
    await server.query('DELETE FROM p WHERE id = 1', db);
    const end = await masterStatus();
    const events = (await readUntil(start, end)).filter((e) => e.kind !== 'heartbeat');
    const shape = events.map((e) => ('table' in e ? `${e.kind}:${e.table}:${e.rows.length}` : e.kind));
    // InnoDB cascades below the SQL layer: the child rows it deletes are not in the binlog (a replica cascades itself)
    expect(shape).toEqual(['begin', 'update:p:2', 'update:c:2', 'commit', 'begin', 'delete:p:1', 'commit']);
  });

  test('heartbeats advance while the source is idle', async () => {
    const start = await masterStatus();
    const reader = await open(start, { heartbeatSeconds: 0.2 });
    try {
      const evs = await collect(reader, (_ev, all) => all.filter((e) => e.kind === 'heartbeat').length >= 2);
      const beat = evs.filter((e) => e.kind === 'heartbeat').at(-1);
      expect(beat?.position).toMatchObject(start);
    } finally {
      await reader.close();
    }
  });

  test('a 50k-row transaction streams with bounded buffering behind a slow consumer', async () => {
    const db = await freshDb();
    await server.query('CREATE TABLE big (id int PRIMARY KEY, pad varchar(200))', db);
    const start = await masterStatus();
    await server.query("INSERT INTO big SELECT seq, REPEAT('p', 150) FROM seq_1_to_50000", db);
    const end = await masterStatus();
    const limit = 256 * 1024;
    const reader = await open(start, { maxBufferedBytes: limit });
    let rows = 0;
    let maxBuffered = 0;
    let events = 0;
    let commits = 0;
    try {
      for (;;) {
        const ev = await reader.next();
        if (!ev) break;
        maxBuffered = Math.max(maxBuffered, reader.bufferedBytes());
        if (ev.kind === 'write') {
          rows += ev.rows.length;
          if (++events % 50 === 0) await new Promise((r) => setTimeout(r, 5)); // a consumer that falls behind
        }
        if (ev.kind === 'commit') {
          commits++;
          expect(ev.position).toMatchObject(end);
          break;
        }
      }
    } finally {
      await reader.close();
    }
    expect([rows, commits]).toEqual([50_000, 1]);
    // bounded by the limit plus what one socket read delivers (a paused socket stops after its current chunk)
    expect(maxBuffered).toBeLessThan(limit + 256 * 1024);
    console.log(
      `50k-row transaction: ${events} rows events, at most ${Math.round(maxBuffered / 1024)} KiB buffered (limit ${limit / 1024} KiB)`,
    );
  });

  test('a start position the server no longer has is a SERVER_ERROR with errno 1236', async () => {
    const reader = await open({ file: 'binlog.999999', offset: 4 });
    await expect(reader.next()).rejects.toMatchObject({ name: 'BinlogError', code: 'SERVER_ERROR', errno: 1236 });
    await reader.close();
  });
});

describe.skipIf(skip)('the source going away', () => {
  test('close() while waiting ends the stream; a killed source is a SERVER_ERROR after the events before it', async () => {
    const own = await startMariaDb();
    try {
      const start = await masterStatus(own);
      const idle = await open(start, { heartbeatSeconds: 30 }, own);
      const waiting = idle.next();
      await new Promise((r) => setTimeout(r, 100));
      await idle.close();
      await expect(waiting).resolves.toBeNull();

      await own.query('CREATE DATABASE k; CREATE TABLE k.t (id int PRIMARY KEY); INSERT INTO k.t VALUES (1)');
      const reader = await open(start, { heartbeatSeconds: 30 }, own);
      const before = await collect(reader, (ev) => ev.kind === 'commit');
      expect(rowsOf(before, 't')).toHaveLength(1);
      await own.kill('SIGKILL');
      await expect(reader.next()).rejects.toMatchObject({ name: 'BinlogError', code: 'SERVER_ERROR' });
      await reader.close();
    } finally {
      await own.stop(true);
    }
  });
});

describe.skipIf(skip)('retained binary log', () => {
  test('the bytes of every binary-log file the server keeps (what migrate_source_retained_bytes reports)', async () => {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const source = new MySqlSource(
      {
        name: 'src',
        engine: 'mysql',
        host: '127.0.0.1',
        port: server.port,
        user: 'root',
        password: undefined,
        database: 'mysql',
        tls: { mode: 'disable' },
        location: { file: 'x', line: 1, column: 1 },
      } as never,
      { logger: quiet as never },
    );
    const logs = await server.query<{ File_size: string }>('SHOW BINARY LOGS');
    const expected = logs.reduce((n, r) => n + Number(r.File_size), 0);
    expect(expected).toBeGreaterThan(0);
    await expect(source.retainedBytes()).resolves.toBe(expected);
  });
});

describe.skipIf(skip)('source settings', () => {
  test('binlog_checksum=NONE reads; a MINIMAL row image and MINIMAL metadata are hard errors naming the setting', async () => {
    const own = await startMariaDb({ settings: { 'binlog-checksum': 'NONE' } });
    try {
      await own.query('CREATE DATABASE s; CREATE TABLE s.t (id int PRIMARY KEY, v varchar(10), w int)');
      const start = await masterStatus(own);
      await own.query("INSERT INTO s.t VALUES (1, 'a', 1)");
      const mid = await masterStatus(own);
      await own.query("SET SESSION binlog_row_image = 'MINIMAL'; UPDATE s.t SET w = 2 WHERE id = 1");
      const reader = await open(start, {}, own);
      expect(reader.session.checksum).toBe('NONE');
      const first = await collect(reader, (ev) => ev.kind === 'commit');
      expect(rowsOf(first, 't')[0]?.rows).toEqual([{ after: ['1', Buffer.from('a'), '1'] }]);
      expect(first.at(-1)?.position).toMatchObject(mid);
      await expect(collect(reader, () => false)).rejects.toMatchObject({
        code: 'PARTIAL_ROW_IMAGE',
        message: expect.stringMatching(/binlog_row_image=FULL/),
      });
      await reader.close();

      await own.query("SET GLOBAL binlog_row_metadata = 'MINIMAL'");
      const later = await masterStatus(own);
      await own.query("INSERT INTO s.t VALUES (2, 'b', 2)");
      const minimal = await open(later, {}, own);
      await expect(collect(minimal, () => false)).rejects.toMatchObject({
        code: 'MISSING_METADATA',
        message: expect.stringMatching(/binlog_row_metadata=FULL/),
      });
      await minimal.close();

      // hints from the catalog are right here because no DDL ran since the event (in general: track the stream's DDL)
      const cols = await own.query<{ COLUMN_NAME: string; COLUMN_TYPE: string; COLUMN_KEY: string }>(
        "SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 's' AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION",
      );
      const hints = cols.map((c) => ({ name: c.COLUMN_NAME, primaryKey: c.COLUMN_KEY === 'PRI' }));
      const hinted = await open(later, { schemaHints: (db, table) => (db === 's' && table === 't' ? hints : undefined) }, own);
      const rows = rowsOf(await collect(hinted, (ev) => ev.kind === 'commit'), 't');
      await hinted.close();
      expect(rows[0]?.columns.map((c) => [c.name, c.primaryKey, c.collation])).toEqual([
        ['id', true, undefined],
        ['v', false, 45], // MINIMAL still carries signedness and charsets
        ['w', false, undefined],
      ]);
      expect(rows[0]?.rows).toEqual([{ after: ['2', Buffer.from('b'), '2'] }]);
    } finally {
      await own.stop(true);
    }
  });
});

describe.skipIf(skip)('MariaDB with log_bin_compress=ON', () => {
  test('a compressed event is a hard error naming the setting', async () => {
    const compressed = await startMariaDb({ settings: { 'log-bin-compress': 'ON' } });
    try {
      await compressed.query('CREATE DATABASE c; CREATE TABLE c.t (id int PRIMARY KEY, v text)');
      const start = await masterStatus(compressed);
      await compressed.query("INSERT INTO c.t VALUES (1, REPEAT('compress me ', 100))");
      const reader = await open(start, {}, compressed);
      const seen: string[] = [];
      const error = await collect(reader, (ev) => {
        seen.push(ev.kind);
        return false;
      }).catch((e: unknown) => e);
      await reader.close();
      expect(error).toMatchObject({
        name: 'BinlogError',
        code: 'COMPRESSED_EVENT',
        message: expect.stringMatching(/log_bin_compress/),
      });
      expect(seen).not.toContain('write');
    } finally {
      await compressed.stop(true);
    }
  });
});
