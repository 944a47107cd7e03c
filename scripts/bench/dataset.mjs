// Dataset: pgbench tables (pgbench -i -s SCALE) plus one wide table of mixed
// types generated server-side with generate_series.
import { log, run } from './util.mjs';

export const SOURCE_DB = 'bench';

/** ~310 bytes per row on disk (heap), plus a PK and one secondary index. */
export function wideTableSql(rows) {
  return `
CREATE TABLE public.wide_mixed (
  id          bigint PRIMARY KEY,
  uid         uuid NOT NULL,
  title       text NOT NULL,
  body        text,
  attrs       jsonb NOT NULL,
  amount      numeric(18,4) NOT NULL,
  ratio       double precision,
  created_at  timestamptz NOT NULL,
  blob        bytea,
  flags       boolean NOT NULL
);
INSERT INTO public.wide_mixed
SELECT i,
       gen_random_uuid(),
       'item-' || i || '-' || md5(i::text),
       CASE WHEN i % 10 = 0 THEN NULL ELSE repeat(md5((i * 7)::text), 1 + i % 3) END,
       jsonb_build_object('id', i, 'kind', (ARRAY['a','b','c','d'])[1 + i % 4], 'score', (i % 1000) / 7.0,
                          'tags', jsonb_build_array(md5(i::text)::varchar(8), i % 17, i % 2 = 0),
                          'nested', jsonb_build_object('x', i % 100, 'y', 'ü€' || (i % 13))),
       round((random() * 1e6)::numeric, 4),
       random(),
       timestamptz '2020-01-01 00:00:00+00' + (i * interval '37 seconds'),
       CASE WHEN i % 7 = 0 THEN NULL ELSE decode(md5(i::text) || md5((i + 1)::text), 'hex') END,
       i % 3 = 0
  FROM generate_series(1, ${rows}) AS i;
CREATE INDEX wide_mixed_created_at ON public.wide_mixed (created_at);
`;
}

/** Create the dataset on `source` and return its facts (sizes, row counts). */
export async function generateDataset(source, cfg, tools) {
  await source.query(`CREATE DATABASE ${SOURCE_DB}`);
  const t0 = performance.now();
  log(`pgbench -i -s ${cfg.scale} (server-side generation: --init-steps=dtGvp)`);
  await run(tools.pgbench, ['-i', '-s', String(cfg.scale), '--init-steps=dtGvp', '-q', source.url(SOURCE_DB)]);
  log(`wide_mixed: ${cfg.wideRows} rows (text, jsonb, numeric, timestamptz, bytea, uuid, …)`);
  await source.query(wideTableSql(cfg.wideRows), SOURCE_DB);
  // hint bits and visibility map set now, so no peer pays for them during its read
  await source.query('VACUUM (FREEZE, ANALYZE)', SOURCE_DB);
  await source.query('CHECKPOINT');
  const generationS = (performance.now() - t0) / 1000;
  const [size] = await source.query(`SELECT pg_database_size('${SOURCE_DB}')::text AS bytes`);
  const tables = await source.query(
    `SELECT c.relname AS name, pg_table_size(c.oid)::text AS table_bytes, pg_indexes_size(c.oid)::text AS index_bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_table_size(c.oid) DESC`,
    SOURCE_DB,
  );
  const counts = await rowCounts(source, SOURCE_DB);
  return {
    generationS: Math.round(generationS * 10) / 10,
    databaseBytes: Number(size.bytes),
    tables: tables.map((t) => ({
      name: t.name,
      tableBytes: Number(t.table_bytes),
      indexBytes: Number(t.index_bytes),
      rows: counts[t.name],
    })),
  };
}

/** Exact row counts of every user table of `db`, keyed by name. */
export async function rowCounts(server, db) {
  const tables = await server.query(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS q, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_migrate')
        AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1`,
    db,
  );
  if (!tables.length) return {};
  const sql = tables.map((t) => `SELECT '${t.name}' AS name, count(*)::text AS n FROM ${t.q}`).join(' UNION ALL ');
  const rows = await server.query(sql, db);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

/** Compare target row counts with the source's; returns { ok, diffs }. */
export async function verifyCounts(sourceCounts, dest, db) {
  const got = await rowCounts(dest, db);
  const diffs = [];
  for (const [name, n] of Object.entries(sourceCounts)) {
    if (got[name] !== n) diffs.push(`${name}: source ${n}, target ${got[name] ?? 'missing'}`);
  }
  return { ok: diffs.length === 0, diffs };
}

export const prettyBytes = (b) => (b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GiB` : `${(b / (1 << 20)).toFixed(0)} MiB`);

/** `DROP DATABASE IF EXISTS … WITH (FORCE)` for each of `names`. */
export async function dropDatabases(server, names) {
  for (const name of names) await server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** One pgbench database: `pgbench -i -s scale` (server-side generation), frozen and analyzed. */
export async function createPgbenchDatabase(server, tools, name, scale) {
  await server.query(`CREATE DATABASE "${name}"`);
  await run(tools.pgbench, ['-i', '-s', String(scale), '--init-steps=dtGvp', '-q', server.url(name)]);
  await server.query('VACUUM (FREEZE, ANALYZE)', name);
}

/** Size and per-table facts of one database. */
export async function databaseFacts(server, db) {
  const [size] = await server.query(`SELECT pg_database_size(current_database())::text AS bytes`, db);
  const counts = await rowCounts(server, db);
  return { databaseBytes: Number(size.bytes), rows: counts };
}

/**
 * Untimed warm-up of a destination cluster: write about `bytes` (WAL and heap)
 * in a scratch database and drop it, so the first measured peer does not pay
 * for creating (zero-filling) WAL segments the later ones reuse.
 */
export async function warmDestination(dest, bytes) {
  const rows = Math.max(10_000, Math.min(Math.round(bytes / 560), 4_000_000));
  await dropDatabases(dest, ['bench_warmup']);
  await dest.query('CREATE DATABASE bench_warmup');
  await dest.query(
    `CREATE TABLE warm AS SELECT i, repeat(md5(i::text), 16) AS pad FROM generate_series(1, ${rows}) AS i`,
    'bench_warmup',
  );
  await dropDatabases(dest, ['bench_warmup']);
  await dest.query('CHECKPOINT');
}
