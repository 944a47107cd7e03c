import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyInFrames, CopyOutFrames } from '../../providers/postgres/pg-copy-frames.js';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';

/** Rows copied between two real servers in their wire frames: exact, and every failure surfaces (never a hang). */
let src: PgServer;
let dst: PgServer;

const TABLE = `CREATE TABLE t (id bigint PRIMARY KEY, label text, amount numeric, at timestamptz, blob bytea, tags text[])`;

async function connect(server: PgServer, db = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: server.url(db) });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

async function copy(format: 'binary' | 'text', opts: { from?: string; into?: string } = {}) {
  const [a, b] = await Promise.all([connect(src), connect(dst)]);
  try {
    await b.query('BEGIN');
    const out = a.query(new CopyOutFrames(`COPY ${opts.from ?? 't'} TO STDOUT (FORMAT ${format})`));
    const into = b.query(new CopyInFrames(`COPY ${opts.into ?? 't'} FROM STDIN (FORMAT ${format})`));
    await pipeline(out, into);
    await b.query('COMMIT');
    return { rows: into.rowCount, scanned: out.rows, bytes: out.bytes };
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
}

const checksum = async (server: PgServer, table = 't') =>
  (
    await server.query<{ n: string; h: string }>(
      `SELECT count(*)::text AS n, md5(string_agg(t::text, ',' ORDER BY id)) AS h FROM ${table} t`,
    )
  )[0];

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 })]);
  await src.query(`${TABLE};
    INSERT INTO t SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'row ' || g || E'\\ttab\\nline ü' END, g * 1.5,
      timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 second', decode(md5(g::text), 'hex'), ARRAY['a', 'b,c', NULL]
    FROM generate_series(1, 100000) g;
    CREATE TABLE empty_t (LIKE t)`);
});

afterAll(async () => {
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

describe('COPY in wire frames between two servers', () => {
  it.each(['binary', 'text'] as const)('%s: every row arrives exactly; rows and payload bytes are counted', async (format) => {
    await dst.query(`DROP TABLE IF EXISTS t; ${TABLE}`);
    const r = await copy(format);
    expect(r.rows).toBe(100_000);
    expect(r.scanned).toBe(format === 'binary' ? 100_000 + 1 : 100_000); // binary: the trailer is a frame of its own
    expect(r.bytes).toBeGreaterThan(1_000_000);
    expect(await checksum(dst)).toEqual(await checksum(src));
  });

  it('an empty table copies zero rows', async () => {
    await dst.query(`DROP TABLE IF EXISTS empty_t; CREATE TABLE empty_t (LIKE t)`);
    const r = await copy('binary', { from: 'empty_t', into: 'empty_t' });
    expect(r.rows).toBe(0);
  });

  it("the destination's rejection surfaces with its code, and the transaction rolls back", async () => {
    await dst.query(`DROP TABLE IF EXISTS t; ${TABLE}; ALTER TABLE t ADD CONSTRAINT small CHECK (id < 50000)`);
    await expect(copy('binary')).rejects.toMatchObject({ code: '23514' });
    expect((await dst.query<{ n: string }>('SELECT count(*)::text AS n FROM t'))[0]?.n).toBe('0');
  });

  it('a source connection terminated mid-copy surfaces as an error, nothing committed', async () => {
    await dst.query(`DROP TABLE IF EXISTS t; ${TABLE}`);
    const [a, b] = await Promise.all([connect(src), connect(dst)]);
    try {
      await b.query('BEGIN');
      const pid = (await a.query<{ p: string }>('SELECT pg_backend_pid()::text AS p')).rows[0]?.p;
      const out = a.query(new CopyOutFrames('COPY (SELECT t.*, pg_sleep(0.00002) FROM t) TO STDOUT (FORMAT text)'));
      const into = b.query(new CopyInFrames('COPY t (id, label, amount, at, blob, tags) FROM STDIN (FORMAT text)'));
      let seen = 0;
      out.on('data', (d: Buffer) => {
        seen += d.length;
        if (seen > 100_000 && seen - d.length <= 100_000) void src.query(`SELECT pg_terminate_backend(${pid})`);
      });
      await expect(pipeline(out, into)).rejects.toThrow();
    } finally {
      await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
    }
    expect((await dst.query<{ n: string }>('SELECT count(*)::text AS n FROM t'))[0]?.n).toBe('0');
  });

  it('a copy aborted by the reader (the source stream destroyed) fails the load, never hangs', async () => {
    await dst.query(`DROP TABLE IF EXISTS t; ${TABLE}`);
    const [a, b] = await Promise.all([connect(src), connect(dst)]);
    try {
      await b.query('BEGIN');
      const out = a.query(new CopyOutFrames('COPY t TO STDOUT (FORMAT binary)'));
      const into = b.query(new CopyInFrames('COPY t FROM STDIN (FORMAT binary)'));
      out.once('data', () => out.destroy(new Error('stopped by the job')));
      await expect(pipeline(out, into)).rejects.toThrow('stopped by the job');
    } finally {
      await Promise.all([a.end().catch(() => undefined), b.end().catch(() => undefined)]);
    }
    expect((await dst.query<{ n: string }>('SELECT count(*)::text AS n FROM t'))[0]?.n).toBe('0');
  });
});
