import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { runCli } from '../harness/run-cli.js';
import { checksumSql, SAMPLE_TABLES, sampleShopSql } from '../harness/sample-data.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';
import { pgDeclaration, writeProject } from '../harness/project.js';
import { startWriter } from '../harness/writer.js';

let src: PgServer;
let dst: PgServer;
const workers: RunningCli[] = [];

function declare(dir: string, state: string, extra = ''): void {
  writeProject(
    pgDeclaration(
      src,
      dst,
      `  online:
    source: src
    destination: dst
    type: continuous
    state: ${state}
    parallelism: 2
    databases:
      - name: shop
        target: shop_online
${extra}`,
    ),
    dir,
  );
}

async function checksums(server: PgServer, db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of SAMPLE_TABLES) {
    const [row] = await server.query<{ n: string; sum: string }>(checksumSql(t), db);
    out[t] = `${row?.n}:${row?.sum}`;
  }
  return out;
}

interface StatusJson {
  jobs: {
    name: string;
    status: string;
    substatus: string | null;
    error: { message: string } | null;
    databases: {
      name: string;
      migrationState: string;
      appliedChanges: number;
      tables: { name: string; state: string; cdcInsertCounter: number; cdcUpdateCounter: number; cdcDeleteCounter: number }[];
    }[];
  }[];
}

async function status(dir: string): Promise<StatusJson['jobs'][number]> {
  const res = await runCli(['status', '--json'], { cwd: dir });
  const job = (JSON.parse(res.stdout) as StatusJson).jobs[0];
  if (!job) throw new Error(`no job in status: ${res.stdout}${res.stderr}`);
  return job;
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 })]);
  await src.query('CREATE DATABASE shop');
  await src.query(sampleShopSql(60_000), 'shop');
});

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

describe('continuous PostgreSQL 14 -> 17 under concurrent writes', () => {
  it('dumps, streams changes, promotes: destination equals source, sequences caught up, source artifacts removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-cdc-'));
    declare(dir, 'running');
    const writer = startWriter(src.url('shop'), 7);
    const env = { MIGRATE_RANGE_BYTES: String(1024 * 1024) };

    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    let job = await status(dir);
    expect(job.status).toBe('RUNNING');
    expect(job.substatus).toBe('CDC');

    // the long-running worker takes over once apply's embedded worker is gone
    const worker = spawnCli(['worker'], { cwd: dir, env });
    workers.push(worker);
    await waitFor(
      'changes applied by the worker',
      async () => {
        const j = await status(dir);
        return (j.databases[0]?.appliedChanges ?? 0) > 200 && j.status === 'RUNNING';
      },
      90_000,
    );
    const written = await writer.stop();
    expect(written).toBeGreaterThan(50);
    await waitFor('caught up', async () => (await status(dir)).databases[0]?.migrationState === 'READY_TO_COMPLETE', 60_000);

    job = await status(dir);
    const orders = job.databases[0]?.tables.find((t) => t.name === 'public.orders');
    expect(orders?.cdcInsertCounter).toBeGreaterThan(0);
    expect(orders?.cdcDeleteCounter).toBeGreaterThan(0);

    const seqBefore = await src.query<{ v: string }>('SELECT last_value::text AS v FROM public.orders_id_seq', 'shop');
    declare(dir, 'promoted');
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
    expect(plan.stdout).toContain('# job.online will be promoted');
    expect(plan.code).toBe(2);
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 120_000 });
    expect(promote.stderr).toBe('');
    expect(promote.code).toBe(0);
    job = await status(dir);
    expect(job.status).toBe('COMPLETED');

    expect(await checksums(dst, 'shop_online')).toEqual(await checksums(src, 'shop'));
    const [seqAfter] = await dst.query<{ v: string }>('SELECT last_value::text AS v FROM public.orders_id_seq', 'shop_online');
    expect(BigInt(seqAfter?.v ?? '0')).toBeGreaterThanOrEqual(BigInt(seqBefore[0]?.v ?? '0'));
    const slots = await src.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'migrate_%'");
    expect(slots).toEqual([]);
    const pubs = await src.query("SELECT pubname FROM pg_publication WHERE pubname LIKE 'migrate_%'", 'shop');
    expect(pubs).toEqual([]);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
