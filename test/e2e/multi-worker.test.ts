import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { runCli } from '../harness/run-cli.js';
import { checksumSql, SAMPLE_TABLES, sampleShopSql } from '../harness/sample-data.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';
import { writeProject } from '../harness/project.js';
import { startWriter, type Writer } from '../harness/writer.js';

/**
 * Three `migrate worker` processes share one continuous job of six databases
 * through the postgres state backend (one lease per database). One worker is
 * killed -9 in the full dump, another in CDC, under writes on every
 * database: the survivors take the databases over from their checkpoints,
 * every database ends equal to its source, and no database was ever served
 * by two workers at once (from the workers' own logs).
 */

const DBS = ['mw_a', 'mw_b', 'mw_c', 'mw_d', 'mw_e', 'mw_f'];
const TTL_S = 3;

let src: PgServer;
let dst: PgServer;
const children: RunningCli[] = [];
const blockers: pg.Client[] = [];

interface JobJson {
  status: string;
  substatus: string | null;
  error: { message: string } | null;
  databases: { name: string; migrationState: string; appliedChanges: number; workerId?: string | null }[];
}

interface Spawned {
  cli: RunningCli;
  /** When the test killed it (ms since epoch). */
  killedAt: number | null;
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres(), startPostgres()]);
  await dst.query('CREATE DATABASE control');
  for (const db of DBS) {
    await src.query(`CREATE DATABASE ${db}`);
    await src.query(sampleShopSql(15_000), db);
  }
});

afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  for (const b of blockers) await b.end().catch(() => undefined);
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

function declaration(): string {
  return `version: 1
backend: { type: postgres, profile: control }
profiles:
  src: { engine: postgres, host: 127.0.0.1, port: ${src.port}, user: postgres }
  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }
  control: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres, database: control }
jobs:
  shared:
    source: src
    destination: dst
    type: continuous
    state: running
    parallelism: 2
    databases:
${DBS.map((d) => `      - { name: ${d}, target: ${d}_dst }`).join('\n')}
`;
}

async function job(dir: string): Promise<JobJson> {
  const res = await runCli(['status', '--json'], { cwd: dir });
  const j = (JSON.parse(res.stdout) as { jobs: JobJson[] }).jobs[0];
  if (!j) throw new Error(res.stdout + res.stderr);
  return j;
}

/** Live leases whose key starts with `prefix` (none before the first worker created the backend's tables). */
async function leases(prefix: string): Promise<{ job: string; worker_id: string }[]> {
  const [exists] = await dst.query<{ t: string | null }>(`SELECT to_regclass('migrate_state.lease')::text AS t`, 'control');
  if (!exists?.t) return [];
  return dst.query<{ job: string; worker_id: string }>(
    `SELECT job, worker_id FROM migrate_state.lease WHERE starts_with(job, '${prefix}') AND expires_at > now() ORDER BY job`,
    'control',
  );
}

/** Per database, the intervals each worker served it, from the workers' JSON logs (a kill ends them). */
function servedIntervals(workers: Spawned[]): Map<string, { worker: number; from: number; to: number }[]> {
  const out = new Map<string, { worker: number; from: number; to: number }[]>();
  workers.forEach((w, i) => {
    const open = new Map<string, number>();
    for (const line of w.cli.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as { msg: string; time: string; database?: string };
      if (!e.database) continue;
      const at = Date.parse(e.time);
      if (e.msg === 'database leased') open.set(e.database, at);
      if (e.msg === 'database released') {
        const from = open.get(e.database);
        if (from !== undefined)
          (out.get(e.database) ?? out.set(e.database, []).get(e.database)!).push({ worker: i, from, to: at });
        open.delete(e.database);
      }
    }
    for (const [db, from] of open) {
      (out.get(db) ?? out.set(db, []).get(db)!).push({ worker: i, from, to: w.killedAt ?? Number.POSITIVE_INFINITY });
    }
  });
  return out;
}

describe('several workers on one job (postgres state backend)', () => {
  it('three workers share six databases; kill -9 one mid-dump and another mid-CDC: all equal, never two workers on one database', async () => {
    const dir = writeProject(declaration(), mkdtempSync(join(tmpdir(), 'migrate-multi-')));
    // hold one table's load in every destination database: every dump is provably mid-way when the first worker dies
    for (const db of DBS) {
      await dst.query(`CREATE DATABASE ${db}_dst`);
      await dst.query(
        `CREATE TABLE public.products (sku uuid NOT NULL, title varchar(200) NOT NULL, price numeric(12,2) NOT NULL, weight_kg real,
          rating double precision, stock integer GENERATED BY DEFAULT AS IDENTITY, image bytea, attributes json, available daterange)`,
        `${db}_dst`,
      );
      const b = new pg.Client({ connectionString: dst.url(`${db}_dst`) });
      b.on('error', () => undefined);
      await b.connect();
      await b.query('BEGIN');
      await b.query('LOCK TABLE public.products IN SHARE MODE');
      blockers.push(b);
    }

    const workers: Spawned[] = [0, 1, 2].map(() => {
      const cli = spawnCli(['worker', '--lease-ttl', String(TTL_S), '--log-format', 'json'], {
        cwd: dir,
        env: { MIGRATE_LOG: 'info' },
      });
      children.push(cli);
      return { cli, killedAt: null };
    });
    await waitFor('three workers present', async () => (await leases('_worker/')).length === 3, 30_000, 200);
    const ids = (await leases('_worker/')).map((l) => l.worker_id);
    // each worker counts the others at its next poll (1 s)
    await new Promise((r) => setTimeout(r, 1500));
    // a worker ID is host:pid:random
    const processOf = (id: string): Spawned => {
      const w = workers.find((x) => id.split(':').at(-2) === String(x.cli.child.pid));
      if (!w) throw new Error(`no worker process for ${id}`);
      return w;
    };

    const writers: Writer[] = DBS.map((db, i) => startWriter(src.url(db), 31 + i));
    expect((await runCli(['apply', '--auto-approve', '--no-wait'], { cwd: dir })).code).toBe(0);

    // the six databases spread over the three workers (two each: their fair share)
    await waitFor('every database leased', async () => (await leases('shared/')).length === DBS.length, 30_000, 200).catch(
      (err: Error) => {
        // what the workers said, to see why
        throw new Error(
          `${err.message}\n${workers.map((w) => w.cli.output().split('\n').slice(-15).join('\n')).join('\n---\n')}`,
        );
      },
    );
    const holders = new Map<string, number>();
    for (const l of await leases('shared/')) holders.set(l.worker_id, (holders.get(l.worker_id) ?? 0) + 1);
    expect([...holders.values()].sort()).toEqual([2, 2, 2]);
    // status shows one job, and which worker serves each database
    await waitFor(
      'status names the workers',
      async () => {
        const text = (await runCli(['status'], { cwd: dir })).stdout;
        return DBS.every((d) => new RegExp(`database ${d} -> ${d}_dst: .*, worker \\S+:\\d+:`).test(text));
      },
      30_000,
      500,
    );
    const whoServes = async () => new Map((await leases('shared/')).map((l) => [l.job.slice('shared/'.length), l.worker_id]));

    // kill -9 a worker while all its databases are in the full dump
    await waitFor(
      'dumps under way',
      async () => (await job(dir)).databases.filter((d) => d.migrationState === 'FULL_DUMP').length === DBS.length,
      60_000,
      250,
    );
    const victim1Id = [...(await whoServes()).values()][0]!;
    const orphans1 = [...(await whoServes())].filter(([, w]) => w === victim1Id).map(([d]) => d);
    const w1 = processOf(victim1Id);
    w1.cli.child.kill('SIGKILL');
    w1.killedAt = Date.now();
    await w1.cli.exited;
    for (const b of blockers) await b.query('ROLLBACK');

    // the survivors take its databases over from their checkpoints and reach CDC
    await waitFor(
      'all in CDC, the dead worker’s databases taken over',
      async () => {
        const j = await job(dir);
        const served = await whoServes();
        return (
          j.databases.length === DBS.length &&
          j.databases.every((d) => d.migrationState === 'CDC' || d.migrationState === 'READY_TO_COMPLETE') &&
          orphans1.every((d) => served.get(d) && served.get(d) !== victim1Id)
        );
      },
      120_000,
      500,
    );

    // kill -9 a second worker in CDC, while changes stream
    const served = await whoServes();
    const victim2Id = [...served.values()].find((w) => w !== victim1Id)!;
    await waitFor('changes applied', async () => (await job(dir)).databases.every((d) => d.appliedChanges > 0), 60_000, 250);
    const w2 = processOf(victim2Id);
    w2.cli.child.kill('SIGKILL');
    w2.killedAt = Date.now();
    await w2.cli.exited;

    // the last worker serves all six
    const last = ids.find((id) => id !== victim1Id && id !== victim2Id)!;
    await waitFor(
      'the last worker serves every database',
      async () => [...(await whoServes()).values()].filter((w) => w === last).length === DBS.length,
      60_000,
      500,
    );
    await new Promise((r) => setTimeout(r, 2000));
    for (const w of writers) expect(await w.stop()).toBeGreaterThan(10);
    await waitFor(
      'caught up',
      async () => {
        const j = await job(dir);
        return j.status === 'RUNNING' && j.databases.every((d) => d.migrationState === 'READY_TO_COMPLETE');
      },
      120_000,
      500,
    );
    for (const db of DBS) {
      for (const t of SAMPLE_TABLES) {
        const [a] = await src.query(checksumSql(t), db);
        const [b] = await dst.query(checksumSql(t), `${db}_dst`);
        expect(b, `${t} in ${db}_dst`).toEqual(a);
      }
    }

    // never two workers on one database at once, and each database was served by more than one over the test
    const intervals = servedIntervals(workers);
    for (const db of DBS) {
      const spans = (intervals.get(db) ?? []).sort((a, b) => a.from - b.from);
      expect(spans.length, db).toBeGreaterThan(0);
      for (let i = 1; i < spans.length; i++) {
        expect(
          spans[i]!.from,
          `${db}: served by worker ${spans[i]!.worker} before worker ${spans[i - 1]!.worker} let go`,
        ).toBeGreaterThanOrEqual(spans[i - 1]!.to);
      }
    }
    for (const d of orphans1) expect(new Set((intervals.get(d) ?? []).map((s) => s.worker)).size, d).toBeGreaterThan(1);
  });
});
