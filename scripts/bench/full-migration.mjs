// Full migration (schema + data + indexes) into a fresh target database, per peer:
// migrate, pgcopydb clone, pg_dump -Fd -j + pg_restore -j, and the raw binary COPY pipe.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startActivitySampler } from './activity-sampler.mjs';
import { SOURCE_DB, verifyCounts } from './dataset.mjs';
import { MigrateProject, migratePhases } from './migrate-cli.mjs';
import { cpuMeter, serverCpu } from './proc-stats.mjs';
import { interleavedRounds, log, removeDirOnCleanup, run, seconds, sh, sleep, start, tail } from './util.mjs';

const TARGETS = { migrate: 't_migrate', pgcopydb: 't_pgcopydb', pgdump: 't_pgdump', raw: 't_raw' };

export function toolEnv(tools) {
  // pgcopydb runs pg_dump/pg_restore/psql itself: give it the version 15 ones first
  const dir = tools.pg_dump.replace(/\/pg_dump$/, '');
  return { PATH: `${dir}:${process.env.PATH}` };
}

/**
 * Start every peer from the same state: checkpoint both servers, then flush the
 * OS's dirty pages (with fsync=off a checkpoint leaves gigabytes of the previous
 * step's writes in the page cache, and their writeback would slow the next peer).
 */
export async function quiesce(servers) {
  await Promise.all(servers.map((s) => s.query('CHECKPOINT')));
  await run('sync', []);
  await sleep(1000);
}

/** Run one peer: fresh target db, sampler + CPU meter around `body`, then verify counts and drop the target. */
export async function measurePeer(name, ctx, body) {
  const { source, dest, sourceCounts } = ctx;
  const target = TARGETS[name];
  await dest.query(`DROP DATABASE IF EXISTS ${target}`);
  await dest.query(`CREATE DATABASE ${target}`);
  await quiesce([source, dest]);
  log(`${name}: start`);
  const sampler = await startActivitySampler(dest, target, 250, () => ({
    src: serverCpu(source.dataDir),
    dst: serverCpu(dest.dataDir),
  }));
  const meter = cpuMeter([source, dest]);
  const t0 = performance.now();
  let extra;
  let error = null;
  try {
    extra = await body(target);
  } catch (err) {
    error = err.message;
  }
  const wallMs = performance.now() - t0;
  const cpu = meter.end();
  const activity = await sampler.stop();
  let verify = { ok: false, diffs: ['not verified: the run failed'] };
  if (!error) verify = await verifyCounts(sourceCounts, dest, target);
  const result = {
    peer: name,
    wallS: seconds(extra?.timedMs ?? wallMs),
    ...(extra?.timedMs !== undefined ? { untimedPrepS: seconds(wallMs - extra.timedMs) } : {}),
    ok: !error && verify.ok,
    error,
    countsMatch: verify.ok,
    countDiffs: verify.diffs,
    cpu,
    destinationActivity: activity,
    ...(extra?.details ?? {}),
  };
  log(
    `${name}: ${error ? `FAILED: ${tail(error, 5)}` : `${result.wallS} s`}${verify.ok ? ', row counts match' : `, ROW COUNTS DIFFER: ${verify.diffs.join('; ')}`}`,
  );
  await dest.query(`DROP DATABASE IF EXISTS ${target}`);
  return result;
}

async function runMigrate(ctx, target) {
  const project = new MigrateProject({
    source: ctx.source,
    destination: ctx.dest,
    job: 'bench-full',
    type: 'one-time',
    database: SOURCE_DB,
    target,
    parallelism: ctx.cfg.jobs,
  });
  project.declare('running');
  const res = await project.apply();
  const job = await project.status();
  if (job?.status !== 'COMPLETED') throw new Error(`migrate job ended as ${job?.status}: ${JSON.stringify(job?.error)}`);
  const phases = migratePhases(job);
  // CLI start, plan/refresh, recording state, worker pick-up, completion polling, shutdown
  if (phases?.jobS != null) phases.outsideJobS = Math.round((res.ms / 1000 - phases.jobS) * 10) / 10;
  return {
    timedMs: res.ms,
    details: { process: { peakRssMb: res.peakRssMb, cpuS: res.cpuS }, migratePhases: phases },
  };
}

async function runPgcopydb(ctx, target) {
  const { cfg, tools, source, dest } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgcopydb-'));
  const cleanup = removeDirOnCleanup(dir);
  const args = [
    'clone',
    '--source',
    source.url(SOURCE_DB),
    '--target',
    dest.url(target),
    '--table-jobs',
    String(cfg.jobs),
    '--index-jobs',
    String(cfg.jobs),
    '--dir',
    join(dir, 'work'),
  ];
  if (cfg.pgcopydbSplit) args.push('--split-tables-larger-than', cfg.pgcopydbSplit);
  const res = await run(tools.pgcopydb, args, { env: toolEnv(tools) });
  await run('rm', ['-rf', dir]);
  cleanup();
  return {
    timedMs: res.ms,
    details: { command: `pgcopydb ${args.join(' ').replace(/postgres:\/\/\S+/g, (u) => u.replace(/\/\/[^/]+/, '//…'))}` },
  };
}

async function runPgDump(ctx, target) {
  const { cfg, tools, source, dest } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgdump-'));
  const cleanup = removeDirOnCleanup(dir);
  const dump = await run(tools.pg_dump, ['-Fd', '-j', String(cfg.jobs), '-f', join(dir, 'dump'), '-d', source.url(SOURCE_DB)], {
    env: toolEnv(tools),
  });
  const restore = await run(tools.pg_restore, ['-j', String(cfg.jobs), '-d', dest.url(target), join(dir, 'dump')], {
    env: toolEnv(tools),
  });
  await run('rm', ['-rf', dir]);
  cleanup();
  return { timedMs: dump.ms + restore.ms, details: { pgDumpS: seconds(dump.ms), pgRestoreS: seconds(restore.ms) } };
}

/**
 * The raw ceiling: schema via `pg_restore --section=pre-data` (untimed), then
 * timed: every table `psql COPY … TO STDOUT (FORMAT binary) | psql COPY … FROM
 * STDIN (FORMAT binary)`, N pipes at a time, largest table first, then
 * `pg_restore --section=post-data -j N` (indexes, PKs, constraints in parallel).
 */
async function runRaw(ctx, target) {
  const { cfg, tools, source, dest } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
  const cleanup = removeDirOnCleanup(dir);
  const schema = join(dir, 'schema.dump');
  const env = toolEnv(tools);
  await run(tools.pg_dump, ['-Fc', '--schema-only', '-f', schema, '-d', source.url(SOURCE_DB)], { env });
  await run(tools.pg_restore, ['--section=pre-data', '-d', dest.url(target), schema], { env });
  const tables = await source.query(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS q, pg_table_size(c.oid) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY pg_table_size(c.oid) DESC`,
    SOURCE_DB,
  );
  const psql = (url, sql) => `${sh(tools.psql)} -X -q -v ON_ERROR_STOP=1 -d ${sh(url)} -c ${sh(sql)}`;
  const t0 = performance.now();
  const queue = [...tables];
  const errors = [];
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const cmd = `set -o pipefail; ${psql(source.url(SOURCE_DB), `COPY ${t.q} TO STDOUT (FORMAT binary)`)} | ${psql(dest.url(target), `COPY ${t.q} FROM STDIN (FORMAT binary)`)}`;
      const res = await start('bash', ['-c', cmd], { env }).done;
      if (res.code !== 0) errors.push(`${t.q}: ${tail(res.err)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(cfg.jobs, tables.length) }, worker));
  if (errors.length) throw new Error(errors.join('\n'));
  const dataMs = performance.now() - t0;
  const post = await run(tools.pg_restore, ['--section=post-data', '-j', String(cfg.jobs), '-d', dest.url(target), schema], {
    env,
  });
  await run('rm', ['-rf', dir]);
  cleanup();
  return {
    timedMs: dataMs + post.ms,
    details: {
      dataS: seconds(dataMs),
      postDataS: seconds(post.ms),
      note: 'schema (pre-data) created untimed; timed = data pipes + post-data (pg_restore -j N)',
    },
  };
}

export const PEERS = { migrate: runMigrate, pgcopydb: runPgcopydb, pgdump: runPgDump, raw: runRaw };

/**
 * Run the selected peers `cfg.repeat` rounds, interleaved (a noisy neighbour
 * hits every peer alike) and in reverse order every other round (no peer is
 * always first after the warm-up, or always last). Each peer's reported
 * result is its fastest successful round; `rounds` keeps every wall time.
 */
export async function runFullMigrations(ctx) {
  if (ctx.cfg.warmup) {
    // the first load into a fresh destination cluster pays for creating (zero-filling) WAL
    // segments and data files; measured rounds 1 vs 2 showed it costs the first peer up to 6 s
    log('warm-up: one untimed raw COPY pipe run (discarded), so the first measured peer is not penalized');
    const warm = await measurePeer('raw', ctx, (target) => PEERS.raw(ctx, target));
    if (!warm.ok) throw new Error(`warm-up failed: ${warm.error ?? warm.countDiffs.join('; ')}`);
  }
  const peers = Object.keys(PEERS).filter((name) => ctx.cfg.peers.has(name));
  const { best } = await interleavedRounds(peers, ctx.cfg.repeat, (name) =>
    measurePeer(name, ctx, (target) => PEERS[name](ctx, target)),
  );
  return best;
}
