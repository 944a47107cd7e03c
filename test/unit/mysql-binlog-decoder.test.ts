/**
 * The binlog event decoder on events built by hand: the MySQL 8 layout
 * (GTID, BEGIN, TABLE_MAP with FULL metadata, v2 rows, XID) that no server
 * here writes, and every event it must refuse rather than skip.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { BinlogDecoder } from '../../providers/mysql/binlog/binlog-decoder.js';
import { EventType } from '../../providers/mysql/binlog/binlog-event-type.js';

let logPos = 4;

/** One event: 19-byte header, body, CRC32. */
function event(type: number, body: Buffer, flags = 0): Buffer {
  const size = 19 + body.length + 4;
  logPos += size;
  const h = Buffer.alloc(19);
  h.writeUInt32LE(1_700_000_000, 0);
  h[4] = type;
  h.writeUInt32LE(7, 5);
  h.writeUInt32LE(size, 9);
  h.writeUInt32LE(logPos, 13);
  h.writeUInt16LE(flags, 17);
  const e = Buffer.concat([h, body, Buffer.alloc(4)]);
  e.writeUInt32LE(crc32(e.subarray(0, size - 4)), size - 4);
  return e;
}

function fde(version: string): Buffer {
  const post = Buffer.alloc(171);
  post[EventType.QUERY - 1] = 13;
  post[EventType.ROTATE - 1] = 8;
  post[EventType.TABLE_MAP - 1] = 8;
  for (const t of [23, 24, 25]) post[t - 1] = 8;
  for (const t of [30, 31, 32]) post[t - 1] = 10;
  const v = Buffer.alloc(50);
  v.write(version, 'latin1');
  const head = Buffer.alloc(2 + 50 + 4 + 1);
  head.writeUInt16LE(4, 0);
  v.copy(head, 2);
  head[56] = 19;
  return event(EventType.FORMAT_DESCRIPTION, Buffer.concat([head, post, Buffer.from([1])]));
}

const lenenc = (n: number) => Buffer.from([n]);
const str = (s: string) => Buffer.concat([lenenc(Buffer.byteLength(s)), Buffer.from(s)]);

function tableId(id: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntLE(id, 0, 6);
  return b;
}

/** TABLE_MAP of db.t (id BIGINT UNSIGNED PK, e ENUM('x','y') NULL) with optional metadata `meta`. */
function tableMap(meta: Buffer[]): Buffer {
  const body = Buffer.concat([
    tableId(42),
    Buffer.from([0, 0]),
    Buffer.from([2]),
    Buffer.from('db\0'),
    Buffer.from([1]),
    Buffer.from('t\0'),
    lenenc(2),
    Buffer.from([8, 254]),
    lenenc(2),
    Buffer.from([247, 1]), // ENUM, pack length 1
    Buffer.from([0b10]),
    ...meta,
  ]);
  return event(EventType.TABLE_MAP, body);
}

const tlv = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type]), lenenc(value.length), value]);
const FULL_META = [
  tlv(1, Buffer.from([0b1000_0000])), // signedness: the one numeric column is unsigned
  tlv(4, Buffer.concat([str('id'), str('e')])),
  tlv(6, Buffer.concat([lenenc(2), str('x'), str('y')])),
  tlv(8, lenenc(0)),
  tlv(10, lenenc(45)),
];

function rowsV2(type: number, present: number, rows: Buffer[]): Buffer {
  const bitmaps = type === EventType.UPDATE_ROWS_V2 ? [present, present] : [present];
  return event(
    type,
    Buffer.concat([tableId(42), Buffer.from([1, 0]), Buffer.from([2, 0]), lenenc(2), Buffer.from(bitmaps), ...rows]),
  );
}

const u64 = (n: bigint) => Buffer.from(new BigUint64Array([n]).buffer);
const mysqlGtid = () =>
  event(
    EventType.GTID,
    Buffer.concat([
      Buffer.from([1]),
      Buffer.from('3E11FA47-71CA-11E1-9E33-C80AA9429562'.replace(/-/g, ''), 'hex'),
      u64(23n),
      Buffer.alloc(17),
    ]),
  );

function query(sql: string, db = 'db'): Buffer {
  const post = Buffer.alloc(13);
  post[8] = db.length;
  return event(EventType.QUERY, Buffer.concat([post, Buffer.from(db), Buffer.from([0]), Buffer.from(sql)]));
}

function started(version = '8.0.36', database?: string): BinlogDecoder {
  logPos = 4;
  const d = new BinlogDecoder({ file: 'binlog.000001', offset: 4, checksum: 'CRC32', database });
  expect(d.decode(fde(version))).toBeNull();
  return d;
}

describe('MySQL 8 layout', () => {
  test('GTID, BEGIN, TABLE_MAP, WRITE/UPDATE/DELETE v2, XID; positions after each event', () => {
    const d = started();
    expect(d.decode(mysqlGtid())).toBeNull();
    expect(d.decode(query('BEGIN'))).toMatchObject({ kind: 'begin', gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:23' });
    expect(d.inTransaction()).toBe(true);
    expect(d.decode(tableMap(FULL_META))).toBeNull();
    const max = u64(18446744073709551615n);
    const w = d.decode(
      rowsV2(EventType.WRITE_ROWS_V2, 0b11, [
        Buffer.concat([Buffer.from([0]), max, Buffer.from([2])]),
        Buffer.concat([Buffer.from([0b10]), u64(1n)]),
      ]),
    );
    expect(w).toMatchObject({
      kind: 'write',
      database: 'db',
      table: 't',
      rows: [{ after: ['18446744073709551615', 'y'] }, { after: ['1', null] }],
    });
    if (w?.kind !== 'write') throw new Error('not a write');
    expect(w.columns.map((c) => [c.name, c.typeName, c.unsigned, c.primaryKey, c.nullable, c.labels])).toEqual([
      ['id', 'bigint', true, true, false, undefined],
      ['e', 'enum', false, false, true, ['x', 'y']],
    ]);
    const u = d.decode(
      rowsV2(EventType.UPDATE_ROWS_V2, 0b11, [
        Buffer.concat([Buffer.from([0]), u64(1n), Buffer.from([0])]),
        Buffer.concat([Buffer.from([0]), u64(2n), Buffer.from([1])]),
      ]),
    );
    expect(u).toMatchObject({ kind: 'update', rows: [{ before: ['1', ''], after: ['2', 'x'] }] });
    const del = d.decode(rowsV2(EventType.DELETE_ROWS_V2, 0b11, [Buffer.concat([Buffer.from([0]), u64(2n), Buffer.from([1])])]));
    expect(del).toMatchObject({ kind: 'delete', rows: [{ before: ['2', 'x'] }] });
    const commit = d.decode(event(EventType.XID, u64(99n)));
    expect(commit).toMatchObject({ kind: 'commit', via: 'xid', xid: '99', position: { file: 'binlog.000001', offset: logPos } });
    expect(commit?.position.gtid).toBeUndefined();
    expect(d.inTransaction()).toBe(false);
  });

  test("a decoder for one database skips other databases' rows undecoded, keeps its own and every boundary", () => {
    const other = started('8.0.36', 'elsewhere');
    other.decode(query('BEGIN'));
    other.decode(tableMap(FULL_META));
    // a MINIMAL image would be an error if it were decoded: another database's rows are not read at all
    expect(other.decode(rowsV2(EventType.WRITE_ROWS_V2, 0b01, [Buffer.concat([Buffer.from([0]), u64(1n)])]))).toBeNull();
    expect(other.decode(event(EventType.XID, u64(7n)))).toMatchObject({ kind: 'commit', position: { offset: logPos } });
    const own = started('8.0.36', 'db');
    own.decode(query('BEGIN'));
    own.decode(tableMap(FULL_META));
    expect(own.decode(rowsV2(EventType.WRITE_ROWS_V2, 0b11, [Buffer.concat([Buffer.from([0b10]), u64(1n)])]))).toMatchObject({
      kind: 'write',
      rows: [{ after: ['1', null] }],
    });
  });

  test('DDL after a GTID is its own group; ROTATE moves the position', () => {
    const d = started();
    d.decode(mysqlGtid());
    expect(d.decode(query('ALTER TABLE t ADD c INT'))).toMatchObject({
      kind: 'ddl',
      database: 'db',
      sql: 'ALTER TABLE t ADD c INT',
      inTransaction: false,
    });
    const rotate = Buffer.concat([u64(4n), Buffer.from('binlog.000002')]);
    expect(d.decode(event(EventType.ROTATE, rotate))).toMatchObject({
      kind: 'rotate',
      position: { file: 'binlog.000002', offset: 4 },
    });
  });

  test('a MINIMAL row image, missing metadata and a corrupt checksum are errors', () => {
    let d = started();
    d.decode(query('BEGIN'));
    d.decode(tableMap(FULL_META));
    expect(() => d.decode(rowsV2(EventType.WRITE_ROWS_V2, 0b01, [Buffer.concat([Buffer.from([0]), u64(1n)])]))).toThrow(
      expect.objectContaining({
        name: 'BinlogError',
        code: 'PARTIAL_ROW_IMAGE',
        message: expect.stringMatching(/binlog_row_image=FULL/),
      }),
    );
    d = started();
    expect(() => d.decode(tableMap(FULL_META.filter((_, i) => i !== 1)))).toThrow(
      expect.objectContaining({
        code: 'MISSING_METADATA',
        message: expect.stringMatching(/column names.*binlog_row_metadata=FULL/),
      }),
    );
    expect(() => d.decode(tableMap(FULL_META.filter((_, i) => i !== 2)))).toThrow(
      expect.objectContaining({ code: 'MISSING_METADATA' }),
    );
    const bad = query('BEGIN');
    bad[25] = (bad[25] as number) ^ 1;
    expect(() => d.decode(bad)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
  });
});

test("an open file's FORMAT_DESCRIPTION verifies with its in-use flag cleared, as the server checksummed it", () => {
  logPos = 4;
  const e = fde('10.11.19-MariaDB');
  e[17] = (e[17] as number) | 1; // LOG_EVENT_BINLOG_IN_USE_F, set in place after the checksum
  const d = new BinlogDecoder({ file: 'binlog.000001', offset: 4 });
  expect(d.decode(e)).toBeNull();
  e[20] = (e[20] as number) ^ 1;
  expect(() => new BinlogDecoder().decode(e)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
});

test('ENUM labels decode in their charset: latin1 as cp1252, other charsets strictly as UTF-8', () => {
  const labels = (bytes: Buffer[]) =>
    tlv(6, Buffer.concat([lenenc(bytes.length), ...bytes.map((b) => Buffer.concat([lenenc(b.length), b]))]));
  const meta = (collation: number, bytes: Buffer[]) => [
    FULL_META[0] as Buffer,
    FULL_META[1] as Buffer,
    labels(bytes),
    tlv(11, lenenc(collation)),
  ];
  let d = started();
  d.decode(query('BEGIN'));
  d.decode(tableMap(meta(8, [Buffer.from([0x80]), Buffer.from([0xe9])])));
  const w = d.decode(rowsV2(EventType.WRITE_ROWS_V2, 0b11, [Buffer.concat([Buffer.from([0]), u64(1n), Buffer.from([1])])]));
  expect(w?.kind === 'write' && w.columns[1]?.labels).toEqual(['€', 'é']);
  d = started();
  expect(() => d.decode(tableMap(meta(13, [Buffer.from([0x82, 0xa0]), Buffer.from('b')])))).toThrow(
    expect.objectContaining({ code: 'UNKNOWN_COLUMN_TYPE', message: expect.stringMatching(/collation 13/) }),
  );
});

test('without FULL metadata, schema hints supply names, signedness and labels; hints of another table version are refused', () => {
  const hints = [
    { name: 'id', unsigned: true, primaryKey: true },
    { name: 'e', labels: ['x', 'y'] },
  ];
  logPos = 4;
  let d = new BinlogDecoder({
    file: 'binlog.000001',
    offset: 4,
    schemaHints: (db, t) => (db === 'db' && t === 't' ? hints : undefined),
  });
  d.decode(fde('5.7.44-log'));
  d.decode(query('BEGIN'));
  expect(d.decode(tableMap([]))).toBeNull();
  const w = d.decode(
    rowsV2(EventType.WRITE_ROWS_V2, 0b11, [Buffer.concat([Buffer.from([0]), u64(18446744073709551615n), Buffer.from([2])])]),
  );
  expect(w).toMatchObject({ kind: 'write', rows: [{ after: ['18446744073709551615', 'y'] }] });
  expect(w?.kind === 'write' && w.columns.map((c) => [c.name, c.unsigned, c.primaryKey])).toEqual([
    ['id', true, true],
    ['e', false, false],
  ]);
  for (const bad of [[hints[0]], [hints[0], { name: 'e' }], [{ name: 'id' }, hints[1]]]) {
    logPos = 4;
    d = new BinlogDecoder({ schemaHints: () => bad as typeof hints });
    d.decode(fde('5.7.44-log'));
    expect(() => d.decode(tableMap([]))).toThrow(expect.objectContaining({ code: 'MISSING_METADATA' }));
  }
});

describe('events that would lose data are errors, never skips', () => {
  test.each([
    [EventType.TRANSACTION_PAYLOAD, 'TRANSACTION_PAYLOAD'],
    [EventType.PARTIAL_UPDATE_ROWS, 'PARTIAL_UPDATE'],
    [EventType.MARIADB_QUERY_COMPRESSED, 'COMPRESSED_EVENT'],
    [EventType.MARIADB_WRITE_ROWS_COMPRESSED_V1, 'COMPRESSED_EVENT'],
    [EventType.MARIADB_UPDATE_ROWS_COMPRESSED_V1, 'COMPRESSED_EVENT'],
    [EventType.MARIADB_DELETE_ROWS_COMPRESSED_V1, 'COMPRESSED_EVENT'],
    [EventType.MARIADB_WRITE_ROWS_COMPRESSED, 'COMPRESSED_EVENT'],
    [EventType.MARIADB_UPDATE_ROWS_COMPRESSED, 'COMPRESSED_EVENT'],
    [EventType.MARIADB_DELETE_ROWS_COMPRESSED, 'COMPRESSED_EVENT'],
    [EventType.INCIDENT, 'INCIDENT'],
    [EventType.XA_PREPARE, 'UNSUPPORTED_TRANSACTION'],
    [EventType.EXECUTE_LOAD_QUERY, 'UNSUPPORTED_EVENT'],
    [EventType.PRE_GA_WRITE_ROWS, 'UNSUPPORTED_EVENT'],
    [EventType.GTID_TAGGED, 'UNSUPPORTED_EVENT'],
    [200, 'UNSUPPORTED_EVENT'],
  ])('event type %i → %s', (type, code) => {
    const d = started('10.11.19-MariaDB');
    expect(() => d.decode(event(type, Buffer.alloc(30)))).toThrow(expect.objectContaining({ name: 'BinlogError', code }));
  });

  test('an unknown event the server marks ignorable is skipped; known no-data events too', () => {
    const d = started();
    expect(d.decode(event(200, Buffer.alloc(30), 0x80))).toBeNull();
    for (const type of [EventType.ROWS_QUERY, EventType.PREVIOUS_GTIDS, EventType.STOP, EventType.MARIADB_ANNOTATE_ROWS]) {
      expect(d.decode(event(type, Buffer.alloc(10)))).toBeNull();
    }
  });

  test('XA and savepoint rollbacks are refused; SAVEPOINT alone is not', () => {
    const d = started();
    d.decode(query('BEGIN'));
    expect(d.decode(query('SAVEPOINT `s1`'))).toBeNull();
    expect(() => d.decode(query('ROLLBACK TO `s1`'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_TRANSACTION' }));
    expect(() => started().decode(query("XA START X'01'"))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_TRANSACTION' }));
  });
});
