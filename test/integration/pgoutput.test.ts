/**
 * pgoutput decoding and change SQL against real servers: a workload of awkward
 * values and change shapes on a PostgreSQL 17 (and 14) source is read from a
 * logical slot as raw pgoutput bytes, decoded, turned into SQL and applied on a
 * destination seeded with the same starting data; every table must then match.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNCHANGED, type ChangeEvent, type ChangeRelation } from '../../providers/change-event.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import { silentLogger } from '../../engine/runtime/logger.js';
import { changesToSql } from '../../providers/postgres/pg-change-sql.js';
import { PostgresDestination } from '../../providers/postgres/pg-destination.js';
import type { PgPreparedChanges } from '../../providers/postgres/pg-prepared-changes.js';
import { compareLsn, formatLsn, parseLsn } from '../../providers/postgres/pg-lsn.js';
import { quoteIdent, quoteQualified } from '../../providers/postgres/pg-quote.js';
import { PgOutputDecoder, pgTimestampToIso } from '../../providers/postgres/pgoutput-decoder.js';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';

const ODD = { schema: 'Odd Schema', name: 'Mixed "Case" Table' };
const TABLES = [
  { schema: 'public', name: 'awkward' },
  { schema: 'public', name: 'composite' },
  ODD,
  { schema: 'public', name: 'nokey' },
  { schema: 'public', name: 'trunc_me' },
  { schema: 'public', name: 'ident' },
  { schema: 'public', name: 'typed' },
];

const SCHEMA = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE awkward (
  id bigint PRIMARY KEY, n numeric(30,10), f float8, ts timestamptz, iv interval, b bytea, j jsonb,
  u uuid, arr text[], m mood, r int4range, t text, big text);
-- no compression: the big value must be stored out of line to arrive as "unchanged TOAST"
ALTER TABLE awkward ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE TABLE composite (a int, b text, v text, PRIMARY KEY (a, b));
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."Mixed ""Case"" Table" ("Id" int PRIMARY KEY, "Col With Space" text, "quote""col" text);
CREATE TABLE nokey (a int, b text, j json);
ALTER TABLE nokey REPLICA IDENTITY FULL;
CREATE TABLE trunc_me (id int PRIMARY KEY, v text);
CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
-- types whose casts differ from literal assignment (typmods, domains, arrays, ';'-delimited box)
CREATE DOMAIN short_code AS varchar(4) CHECK (VALUE <> 'bad');
CREATE TABLE typed (k char(3) PRIMARY KEY, c char(5), vc varchar(6), bits bit(3), vb varbit(5), num numeric(6,2),
  ts timestamp(2), code short_code, codes short_code[], chars char(2)[], bx box, bxs box[], ints int[][], q "char");
INSERT INTO typed VALUES ('a', 'x', 'y', '101', '1', 1.5, '2020-01-01 00:00:00.12', 'ab', '{cd}', '{ab,c}',
  '((1,1),(0,0))', '{(1,1),(0,0);(2,2),(1,1)}', '{{1,2},{3,4}}', 'q');
INSERT INTO awkward VALUES
  (1, 1.5, 0.1, '2024-02-29 12:34:56.123456+00', '1 day', '\\x00', '{}', NULL, '{a}', 'ok', '[1,5)', 'one', NULL),
  (2, 2.25, 2, '2001-01-01 00:00:00.000001+00', '2 hours', '\\x01', '{"a": 1}', NULL, '{}', 'sad', '[2,3)', 'two', NULL),
  (3, 3, 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'three', NULL),
  (5, 5, 5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'five',
     (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 300) g));
INSERT INTO composite VALUES (1, 'x', 'v1'), (2, 'y', 'v2'), (2, 'z', 'v3');
INSERT INTO "Odd Schema"."Mixed ""Case"" Table" VALUES (1, 'a b', 'q"q');
INSERT INTO nokey VALUES (1, 'dup', '{"k": 1}'), (1, 'dup', '{"k": 1}'), (2, 'dup2', NULL), (2, 'dup2', NULL);
INSERT INTO trunc_me VALUES (1, 'a'), (2, 'b');
INSERT INTO ident (v) VALUES ('first');
`;

const WORKLOAD = [
  `BEGIN;
   INSERT INTO awkward VALUES
    (9223372036854775807, 12345678901234567890.0123456789, 'NaN', '2024-02-29 23:59:59.999999+05:30',
     '1 year 2 mons 3 days 04:05:06.789012', '\\xdeadbeef00ff', '{"a": [1, 2.50, "x\\"y"], "emoji": "😀", "n": null}',
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', ARRAY['a"b', 'c,d', NULL, '', 'back\\slash', ' sp ', 'NULL'], 'happy',
     '[-5,10)', 'héllo wörld 😀 — ∑ 日本', ''),
    (-9223372036854775808, -0.0000000001, 'Infinity', 'infinity', '-1 days -00:00:00.000001', '\\x', '[]', NULL,
     '{}', 'sad', 'empty', NULL, NULL),
    (4, 99999999999999999999.9999999999, '-Infinity', '1970-01-01 00:00:00+00', '0', NULL, '"str"', NULL,
     ARRAY[NULL]::text[], NULL, '(,)', '', 'x'),
    (6, 0, '-0', '0001-01-01 00:00:00+00', '178000000 years', '\\x5c27', 'true', NULL, NULL, NULL, '[1,2]', E'tab\\there', NULL);
   UPDATE awkward SET f = 1e-300, t = '' WHERE id = 1;
   UPDATE awkward SET f = 1.7976931348623157e308 WHERE id = 3;
   UPDATE awkward SET t = NULL, n = NULL WHERE id = 4;
   INSERT INTO composite VALUES (3, 'w', 'new');
   COMMIT;`,
  `UPDATE awkward SET t = 'toast untouched' WHERE id = 5`,
  `BEGIN;
   UPDATE awkward SET id = 100 WHERE id = 2;
   UPDATE composite SET b = 'zz', v = 'moved' WHERE a = 1 AND b = 'x';
   UPDATE awkward SET id = 101 WHERE id = 5;
   COMMIT;`,
  `DELETE FROM awkward WHERE id = 3`,
  `DELETE FROM nokey WHERE ctid = (SELECT ctid FROM nokey WHERE a = 1 LIMIT 1)`,
  `UPDATE nokey SET b = 'changed' WHERE ctid = (SELECT ctid FROM nokey WHERE a = 2 LIMIT 1)`,
  `BEGIN; TRUNCATE trunc_me; INSERT INTO trunc_me VALUES (3, 'after truncate'); COMMIT;`,
  `BEGIN;
   INSERT INTO "Odd Schema"."Mixed ""Case"" Table" VALUES (2, 'x', 'y');
   INSERT INTO composite VALUES (4, 'between', 'b');
   INSERT INTO "Odd Schema"."Mixed ""Case"" Table" VALUES (3, 'z', NULL);
   UPDATE "Odd Schema"."Mixed ""Case"" Table" SET "Col With Space" = 'changed', "quote""col" = 'it''s' WHERE "Id" = 1;
   DELETE FROM "Odd Schema"."Mixed ""Case"" Table" WHERE "Id" = 2;
   COMMIT;`,
  `INSERT INTO ident (v) VALUES ('second')`,
  `INSERT INTO composite SELECT g, 'bulk', 'row ' || g FROM generate_series(1, 500) g`,
  `DELETE FROM composite WHERE b = 'bulk' AND a <= 300`,
  `UPDATE composite SET v = v || '!' WHERE b = 'bulk' AND a > 450`,
  `SELECT pg_replication_origin_create('elsewhere');
   SELECT pg_replication_origin_session_setup('elsewhere');
   BEGIN; INSERT INTO composite VALUES (9, 'origin', 'o'); SELECT pg_logical_emit_message(true, 'pfx', 'hello'); COMMIT;
   SELECT pg_replication_origin_session_reset();`,
  `UPDATE awkward SET big = big || 'tail' WHERE id = 101`,
  `BEGIN;
   INSERT INTO typed VALUES ('b', 'pad', 'six ch', '011', '10101', 1234.57, '1999-12-31 23:59:59.99', 'wxyz',
     '{ab,NULL,"c,d"}', '{"x",NULL}', '((3,4),(1,2))', '{(5,5),(4,4)}', '{{5},{6}}', 'z'),
     ('c"\\', NULL, '', NULL, '', -0.01, NULL, NULL, '{}', '{}', NULL, '{}', '{}', NULL);
   UPDATE typed SET c = 'upd', num = 2.5, codes = '{"e f"}', bxs = '{(9,9),(8,8)}' WHERE k = 'a';
   UPDATE typed SET vc = 'again', ints = '{{7,8},{9,10}}' WHERE k = 'a';
   UPDATE typed SET c = NULL, bits = '111', bx = '((0,0),(1,1))' WHERE k = 'b';
   COMMIT;`,
];

interface Captured {
  messages: { lsn: string; xid: string; data: Buffer }[];
  events: ChangeEvent[];
}

async function exec(server: PgServer, db: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.url(db) });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n  sql: ${sql.slice(0, 2000)}`, { cause: err });
  } finally {
    await client.end();
  }
}

async function checksums(server: PgServer, db: string, tables = TABLES): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) {
    const [row] = await server.query<{ count: string; md5: string | null }>(
      `SELECT count(*), md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) FROM ${quoteQualified(t)} t`,
      db,
    );
    out[`${t.schema}.${t.name}`] = `${row?.count}:${row?.md5}`;
  }
  return out;
}

/** Seed source and destination identically, open the slot, run the workload, read the raw messages. */
async function capture(source: PgServer, dest: PgServer, db: string, destDbs: string[]): Promise<Captured> {
  await source.query(`CREATE DATABASE ${quoteIdent(db)}`);
  await source.query(SCHEMA, db);
  for (const d of destDbs) {
    await dest.query(`CREATE DATABASE ${quoteIdent(d)}`);
    await dest.query(SCHEMA, d);
  }
  await source.query(`CREATE PUBLICATION p FOR ALL TABLES`, db);
  await source.query(`SELECT pg_create_logical_replication_slot('s', 'pgoutput')`, db);
  for (const sql of WORKLOAD) await source.query(sql, db);
  const rows = await source.query<{ lsn: string; xid: string; data: string }>(
    `SELECT lsn, xid, data FROM pg_logical_slot_get_binary_changes('s', NULL, NULL,
       'proto_version', '1', 'publication_names', 'p', 'messages', 'true')`,
    db,
  );
  const messages = rows.map((r) => ({ lsn: r.lsn, xid: r.xid, data: Buffer.from(r.data.slice(2), 'hex') }));
  const decoder = new PgOutputDecoder();
  const events = messages.map((m) => decoder.decode(m.data)).filter((e): e is ChangeEvent => e !== null);
  return { messages, events };
}

let src17: PgServer;
let src14: PgServer;
let dest: PgServer;
let c17: Captured;

beforeAll(async () => {
  // logical decoding reads only flushed WAL: asynchronous commits would hide the workload's tail
  const settings = { synchronous_commit: 'on' };
  [src17, src14, dest] = await Promise.all([
    startPostgres({ major: 17, settings }),
    startPostgres({ major: 14, settings }),
    startPostgres({ major: 17 }),
  ]);
  c17 = await capture(src17, dest, 'src', ['plain', 'typed']);
});

afterAll(async () => {
  await Promise.all([src17?.stop(true), src14?.stop(true), dest?.stop(true)]);
});

describe('pg-lsn', () => {
  it('parses, formats and compares 64-bit positions', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
    expect(formatLsn(parseLsn('ffffffff/ffffffff'))).toBe('FFFFFFFF/FFFFFFFF');
    expect(compareLsn('0/FF', '1/0')).toBe(-1);
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBe(1);
    expect(compareLsn('A/1', parseLsn('a/1'))).toBe(0);
    expect(() => parseLsn('16B374D848')).toThrow(/not a PostgreSQL LSN/);
    expect(() => formatLsn(-1n)).toThrow(/range/);
  });
});

describe('PgOutputDecoder', () => {
  it('converts commit timestamps with microseconds', () => {
    expect(pgTimestampToIso(0n)).toBe('2000-01-01T00:00:00.000000Z');
    expect(pgTimestampToIso(1n)).toBe('2000-01-01T00:00:00.000001Z');
    expect(pgTimestampToIso(-1n)).toBe('1999-12-31T23:59:59.999999Z');
    // same second again (cached prefix), before 1970, another second
    expect(pgTimestampToIso(-2n)).toBe('1999-12-31T23:59:59.999998Z');
    expect(pgTimestampToIso(-946_684_800_000_001n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(pgTimestampToIso(825_000_000_000_123n)).toBe('2026-02-21T14:40:00.000123Z');
  });

  it('decodes begin and commit with positions matching the slot', () => {
    const begins = c17.events.filter((e) => e.kind === 'begin');
    const commits = c17.events.filter((e) => e.kind === 'commit');
    expect(begins.length).toBe(WORKLOAD.length);
    expect(commits.length).toBe(begins.length);
    const firstBegin = c17.messages.find((m) => m.data[0] === 0x42);
    const decoded = new PgOutputDecoder().decode(firstBegin?.data ?? Buffer.alloc(0));
    expect(decoded).toMatchObject({ kind: 'begin', xid: firstBegin?.xid });
    for (let i = 0; i < begins.length; i++) {
      const b = begins[i]!;
      const c = commits[i]!;
      expect(b.finalPosition).toBe(c.commitPosition);
      expect(compareLsn(c.commitPosition, c.endPosition)).toBe(-1);
      expect(b.commitTime).toBe(c.commitTime);
      expect(b.commitTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    // a transaction committed under a replication origin carries the origin's
    // commit timestamp, which pg_replication_origin_session_setup leaves at 0
    const epoch = begins.filter((b) => b.commitTime === '2000-01-01T00:00:00.000000Z');
    expect(epoch).toHaveLength(1);
    for (const b of begins.filter((x) => !epoch.includes(x))) {
      expect(Math.abs(Date.parse(b.commitTime) - Date.now())).toBeLessThan(10 * 60_000);
    }
    // the SQL interface reports a commit message at the end of the commit record
    const commitRows = c17.messages.filter((m) => m.data[0] === 0x43);
    expect(commitRows.map((m) => m.lsn)).toEqual(commits.map((c) => c.endPosition));
  });

  it('sees every message type the workload produces', () => {
    const types = new Set(c17.messages.map((m) => String.fromCharCode(m.data[0]!)));
    expect([...types].sort()).toEqual(['B', 'C', 'D', 'I', 'M', 'O', 'R', 'T', 'U', 'Y']);
  });

  it('describes relations: names, key flags, replica identity', () => {
    const rels = new Map<string, ChangeRelation>();
    for (const e of c17.events) if ('relation' in e) rels.set(`${e.relation.schema}.${e.relation.name}`, e.relation);
    const odd = rels.get('Odd Schema.Mixed "Case" Table');
    expect(odd?.columns.map((c) => [c.name, c.isKey])).toEqual([
      ['Id', true],
      ['Col With Space', false],
      ['quote"col', false],
    ]);
    expect(
      rels
        .get('public.composite')
        ?.columns.filter((c) => c.isKey)
        .map((c) => c.name),
    ).toEqual(['a', 'b']);
    const nokey = rels.get('public.nokey');
    expect(nokey?.replicaIdentity).toBe('full');
    expect(nokey?.columns.some((c) => c.isKey)).toBe(false);
    expect(rels.get('public.awkward')?.columns.find((c) => c.name === 'id')?.typeOid).toBe(20);
  });

  it('keeps values as exact text, NULL apart from the empty string', () => {
    const inserts = c17.events.filter((e) => e.kind === 'insert' && e.relation.name === 'awkward');
    const row = (id: string) => {
      const e = inserts.find((i) => i.kind === 'insert' && i.new.values[0] === id);
      if (e?.kind !== 'insert') throw new Error(`no insert of ${id}`);
      return Object.fromEntries(e.new.columns.map((c, i) => [c, e.new.values[i]]));
    };
    const max = row('9223372036854775807');
    expect(max.n).toBe('12345678901234567890.0123456789');
    expect(max.f).toBe('NaN');
    expect(max.ts).toMatch(/^2024-02-29 18:29:59\.999999\+00$|^2024-02-29 \d\d:29:59\.999999/);
    expect(max.b).toBe('\\xdeadbeef00ff');
    expect(max.arr).toBe('{"a\\"b","c,d",NULL,"","back\\\\slash"," sp ","NULL"}');
    expect(max.t).toBe('héllo wörld 😀 — ∑ 日本');
    expect(max.big).toBe('');
    expect(row('-9223372036854775808').big).toBeNull();
    expect(row('6').f).toBe('-0');
  });

  it('marks an untouched TOAST value as UNCHANGED and sends the old key when the key changes', () => {
    const updates = c17.events.filter((e) => e.kind === 'update' && e.relation.name === 'awkward');
    const toast = updates.find((e) => e.kind === 'update' && e.new.values[0] === '5');
    expect(toast?.kind === 'update' && toast.new.values[toast.new.columns.indexOf('big')]).toBe(UNCHANGED);
    expect(toast?.kind === 'update' && toast.old).toBeNull();
    const moved = updates.find((e) => e.kind === 'update' && e.new.values[0] === '101');
    expect(moved?.kind === 'update' && moved.old).toEqual({ columns: ['id'], values: ['5'] });
    expect(moved?.kind === 'update' && moved.new.values[moved.new.columns.indexOf('big')]).toBe(UNCHANGED);
    const full = c17.events.find((e) => e.kind === 'delete' && e.relation.name === 'nokey');
    expect(full?.kind === 'delete' && full.old.values).toEqual(['1', 'dup', '{"k": 1}']);
    const trunc = c17.events.find((e) => e.kind === 'truncate');
    expect(trunc).toMatchObject({ kind: 'truncate', cascade: false, restartIdentity: false });
    expect(trunc?.kind === 'truncate' && trunc.relations.map((r) => r.name)).toEqual(['trunc_me']);
  });

  it('fails clearly on unknown messages, unknown relations and binary columns', () => {
    const d = new PgOutputDecoder();
    expect(() => d.decode(Buffer.from('Z'))).toThrow(/unknown pgoutput message type 'Z' \(0x5a\)/);
    expect(() => d.decode(Buffer.from([0x53, 0, 0, 0, 1, 1]))).toThrow(/streaming/);
    const insert = Buffer.from([0x49, 0, 0, 0x30, 0x39, 0x4e, 0, 1, 0x6e]);
    expect(() => d.decode(insert)).toThrow(/relation OID 12345/);
    // Relation 12345 public.t (id int4 key), then an insert with a binary column
    const rel = Buffer.concat([
      Buffer.from([0x52, 0, 0, 0x30, 0x39]),
      Buffer.from('\0t\0d', 'latin1'),
      Buffer.from([0, 1, 1]),
      Buffer.from('id\0', 'latin1'),
      Buffer.from([0, 0, 0, 23, 0xff, 0xff, 0xff, 0xff]),
    ]);
    expect(d.decode(rel)).toBeNull();
    expect(d.decode(insert)).toMatchObject({ relation: { schema: 'pg_catalog', name: 't' }, new: { values: [null] } });
    expect(() => d.decode(Buffer.from([0x49, 0, 0, 0x30, 0x39, 0x4e, 0, 1, 0x62]))).toThrow(/binary format/);
    expect(() => d.decode(Buffer.from([0x49, 0, 0, 0x30]))).toThrow(/truncated/);
  });
});

describe('changesToSql', () => {
  const rel = (name: string, key: string[], cols: string[]): ChangeRelation => ({
    id: 1,
    schema: 'public',
    name,
    replicaIdentity: 'default',
    columns: cols.map((c) => ({ name: c, isKey: key.includes(c), typeOid: 25 })),
  });
  const A = rel('a', ['id'], ['id', 'v']);
  const B = rel('b', ['k1', 'k2'], ['k1', 'k2', 'v']);
  const ins = (r: ChangeRelation, values: (string | null)[]): ChangeEvent => ({
    kind: 'insert',
    relation: r,
    new: { columns: r.columns.map((c) => c.name), values },
  });
  const del = (r: ChangeRelation, values: string[]): ChangeEvent => ({
    kind: 'delete',
    relation: r,
    old: { columns: r.columns.filter((c) => c.isKey).map((c) => c.name), values },
  });
  const upd = (r: ChangeRelation, values: (string | null)[]): ChangeEvent => ({
    kind: 'update',
    relation: r,
    old: null,
    new: { columns: r.columns.map((c) => c.name), values },
  });
  const statements = (sql: string) => sql.split(';\n');

  it('merges a run of inserts into one statement and caps it', () => {
    const run = Array.from({ length: 500 }, (_, i) => ins(A, [String(i), `v${i}`]));
    const { sql, counts } = changesToSql(run);
    expect(statements(sql)).toHaveLength(1);
    expect(sql.match(/INSERT INTO/g)).toHaveLength(1);
    expect(counts.get('public.a')).toEqual({ inserts: 500, updates: 0, deletes: 0 });
    const big = Array.from({ length: 2500 }, (_, i) => ins(A, [String(i), null]));
    expect(statements(changesToSql(big).sql)).toHaveLength(3);
  });

  it('never reorders across tables or kinds', () => {
    const { sql } = changesToSql([
      ins(A, ['1', 'x']),
      ins(B, ['1', '2', 'y']),
      ins(A, ['2', 'z']),
      del(A, ['1']),
      del(A, ['2']),
      del(B, ['1', '2']),
    ]);
    expect(statements(sql)).toEqual([
      `INSERT INTO "public"."a" ("id", "v") OVERRIDING SYSTEM VALUE VALUES ('1', 'x')`,
      `INSERT INTO "public"."b" ("k1", "k2", "v") OVERRIDING SYSTEM VALUE VALUES ('1', '2', 'y')`,
      `INSERT INTO "public"."a" ("id", "v") OVERRIDING SYSTEM VALUE VALUES ('2', 'z')`,
      `DELETE FROM ONLY "public"."a" WHERE "id" IN ('1', '2')`,
      `DELETE FROM ONLY "public"."b" WHERE ("k1", "k2") IN (('1', '2'));`,
    ]);
  });

  it('skips begin/commit and updates that change nothing', () => {
    const ev: ChangeEvent[] = [
      { kind: 'begin', xid: '1', finalPosition: '0/1', commitTime: '' },
      { kind: 'update', relation: B, old: null, new: { columns: ['k1', 'k2', 'v'], values: ['1', '2', UNCHANGED] } },
      { kind: 'commit', commitPosition: '0/1', endPosition: '0/2', commitTime: '' },
    ];
    const { sql, counts } = changesToSql(ev);
    expect(sql).toBe('');
    expect(counts.get('public.b')?.updates).toBe(1);
  });

  it('matches exactly one row on REPLICA IDENTITY FULL tables', () => {
    const full: ChangeRelation = {
      ...rel('f', [], ['a', 'j']),
      replicaIdentity: 'full',
      columns: [
        { name: 'a', isKey: false, typeOid: 23 },
        { name: 'j', isKey: false, typeOid: 114 },
      ],
    };
    const old = { columns: ['a', 'j'], values: [null, '{"k": 1}'] };
    expect(changesToSql([{ kind: 'delete', relation: full, old }]).sql).toBe(
      `DELETE FROM ONLY "public"."f" WHERE ctid = ` +
        `(SELECT ctid FROM ONLY "public"."f" WHERE "a" IS NULL AND "j"::text = '{"k": 1}' LIMIT 1);`,
    );
  });

  it('refuses updates and deletes on tables without a key or old row', () => {
    const bare = rel('bare', [], ['x']);
    expect(() => changesToSql([upd(bare, ['1'])])).toThrow(/public\.bare: it needs a primary key or REPLICA IDENTITY FULL/);
  });

  it('writes a key change as one UPDATE of the old key', () => {
    const moved: ChangeEvent = {
      kind: 'update',
      relation: A,
      old: { columns: ['id'], values: ['1'] },
      new: { columns: ['id', 'v'], values: ['2', 'x'] },
    };
    expect(changesToSql([moved], { columnType: () => 'text' }).sql).toBe(
      `UPDATE ONLY "public"."a" SET "id" = '2', "v" = 'x' WHERE "id" = '1';`,
    );
  });
});

describe('pgoutput → SQL → destination', () => {
  it('PostgreSQL 17 → 17: the destination matches the source after one batch', async () => {
    const { sql, counts } = changesToSql(c17.events);
    // the 500-row INSERT … SELECT arrives as 500 Insert messages and leaves as one statement
    const bulk = sql.split(';\n').filter((st) => st.includes(`'bulk'`) && st.startsWith('INSERT'));
    expect(bulk).toHaveLength(1);
    expect(bulk[0]?.match(/'bulk'/g)).toHaveLength(500);
    expect(counts.get('public.composite')).toEqual({ inserts: 503, updates: 51, deletes: 300 });
    await exec(dest, 'plain', sql);
    expect(await checksums(dest, 'plain')).toEqual(await checksums(src17, 'src'));
  });

  it('PostgreSQL 17 → 17, set-based (unnest of text arrays cast to the destination types): the destination matches', async () => {
    const destination = new PostgresDestination(
      {
        name: 'dest',
        engine: 'postgres',
        host: dest.host,
        port: dest.port,
        user: 'postgres',
        password: undefined,
        database: 'postgres',
        tls: { mode: 'disable' },
        location: { file: 'test', line: 1, column: 1 },
      } as ResolvedProfile,
      { logger: silentLogger },
    );
    try {
      const prepared = (await destination.prepareChanges('typed', c17.events)) as PgPreparedChanges;
      expect(prepared.sql).toMatch(/INSERT INTO "public"\."typed" \([^)]*\) OVERRIDING SYSTEM VALUE SELECT v\.c0::bpchar, /);
      expect(prepared.sql).toContain('v.c6::timestamp without time zone, v.c7::character varying, v.c8::character varying[]');
      // two updates of one row in a run: one row in the statement, the last image
      expect(prepared.sql).toMatch(/UPDATE ONLY "public"\."composite" AS t SET "v" = v\.c0::text FROM unnest\(/);
      await exec(dest, 'typed', prepared.sql);
      expect(await checksums(dest, 'typed')).toEqual(await checksums(src17, 'src'));
    } finally {
      await destination.close();
    }
  });

  it('set-based apply keeps typmod and domain checks (an overflow errors, nothing is truncated)', async () => {
    const rel = c17.events.find((e) => e.kind === 'insert' && e.relation.name === 'typed');
    if (rel?.kind !== 'insert') throw new Error('no typed insert');
    const values = rel.new.values.map((v, i) => (rel.new.columns[i] === 'k' ? 'zz' : v));
    const tooLong = [...values];
    tooLong[rel.new.columns.indexOf('vc')] = 'seven c';
    const badDomain = [...values];
    badDomain[rel.new.columns.indexOf('code')] = 'bad';
    const types: Record<string, string> = {
      k: 'bpchar',
      c: 'bpchar',
      vc: 'character varying',
      bits: '"bit"',
      vb: 'bit varying',
      num: 'numeric',
      ts: 'timestamp without time zone',
      code: 'character varying',
      codes: 'character varying[]',
      chars: 'bpchar[]',
      bx: 'box',
      bxs: 'box[]',
      ints: 'integer[]',
      q: '"char"',
    };
    for (const bad of [tooLong, badDomain]) {
      const { sql } = changesToSql([{ ...rel, new: { ...rel.new, values: bad } }], { columnType: (_r, c) => types[c] });
      expect(sql).toContain('unnest(');
      await expect(exec(dest, 'typed', sql)).rejects.toThrow(
        /value too long for type character varying\(6\)|violates check constraint/,
      );
    }
  });

  it('PostgreSQL 14 → 17: the same workload replicates', async () => {
    const c14 = await capture(src14, dest, 'src', ['from14']);
    const types = new Set(c14.messages.map((m) => String.fromCharCode(m.data[0]!)));
    // PostgreSQL 14 sends no Origin message for a session-origin transaction (17 does)
    expect([...types].sort()).toEqual(['B', 'C', 'D', 'I', 'M', 'R', 'T', 'U', 'Y']);
    await exec(dest, 'from14', changesToSql(c14.events).sql);
    expect(await checksums(dest, 'from14')).toEqual(await checksums(src14, 'src'));
  });
});
