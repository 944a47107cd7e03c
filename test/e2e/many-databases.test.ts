import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { sampleProcess } from '../harness/process-sampler.js';
import { pgDeclaration, writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { sampleShopSql } from '../harness/sample-data.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';
import { startWriter, type Writer } from '../harness/writer.js';

/**
 * Whole-instance jobs: many databases of mixed sizes in one job share its
 * parallelism (bounded connections and memory), the largest start first, and
 * every database ends equal to its source (verify: row checksums per table).
 */
let src: PgServer;
let dst: PgServer;
const children: RunningCli[] = [];

/** 9 databases: one large, two medium, six small (made from templates: instant). */
const DATABASES = ['big', 'mid1', 'mid2', 's1', 's2', 's3', 's4', 's5', 's6'];
const PARALLELISM = 3;
/** Per side: the job's copies and index builds, snapshot owners of the databases being dumped, a few catalog reads. */
const MAX_CONNECTIONS = 3 * PARALLELISM + 4;
const MAX_RSS = 300 * 2 ** 20;

function declare(dir: string, name: string, type: string, state: string, dbs: string[], prefix: string): void {
  writeProject(
    pgDeclaration(
      src,
      dst,
      `  ${name}:
    source: src
    destination: dst
    type: ${type}
    state: ${state}
    parallelism: ${PARALLELISM}
    databases:
${dbs.map((d) => `      - { name: ${d}, target: ${prefix}${d} }`).join('\n')}
`,
    ),
    dir,
  );
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 })]);
  for (const [template, rows] of [
    ['t_big', 60_000],
    ['t_mid', 15_000],
    ['t_small', 400],
  ] as const) {
    await src.query(`CREATE DATABASE ${template}`);
    await src.query(sampleShopSql(rows), template);
  }
  for (const db of DATABASES) {
    const template = db === 'big' ? 't_big' : db.startsWith('mid') ? 't_mid' : 't_small';
    await src.query(`CREATE DATABASE ${db} TEMPLATE ${template}`);
  }
});

afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

async function verifyAll(dir: string, job: string): Promise<void> {
  const verify = await runCli(['verify', job], { cwd: dir, timeoutMs: 300_000 });
  expect(verify.stdout).not.toContain('DIFFERENT');
  expect(verify.code).toBe(0);
  for (const db of DATABASES) expect(verify.stdout).toContain(`equal     ${db}: public.orders`);
}

describe('a job of many databases of mixed sizes', () => {
  it('one-time: bounded connections and memory, largest database first, every database equal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-many-'));
    declare(dir, 'fleet', 'one-time', 'running', DATABASES, 'once_');
    const apply = spawnCli(['apply', '--auto-approve'], { cwd: dir, env: { MIGRATE_LOG: 'debug' } });
    children.push(apply);
    const sampler = sampleProcess(apply.child.pid ?? 0, [src, dst]);
    const code = await apply.exited;
    const peak = await sampler.stop();
    expect(apply.output()).toContain('Apply complete');
    expect(code).toBe(0);
    expect(peak.rssBytes).toBeGreaterThan(0);
    expect(peak.rssBytes).toBeLessThan(MAX_RSS);
    expect(peak.connections[0]).toBeLessThanOrEqual(MAX_CONNECTIONS);
    expect(peak.connections[1]).toBeLessThanOrEqual(MAX_CONNECTIONS);
    // the largest databases are opened first, the small ones fill in
    const opened = [...apply.output().matchAll(/debug database opening database="(\w+)"/g)].map((m) => m[1]);
    expect(opened).toHaveLength(DATABASES.length);
    expect(opened[0]).toBe('big');
    expect(opened.slice(1, 3).sort()).toEqual(['mid1', 'mid2']);
    await verifyAll(dir, 'fleet');
  });

  it('continuous: all databases stream under writes in one worker, promote, every database equal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-many-cdc-'));
    declare(dir, 'fleet', 'continuous', 'running', DATABASES, 'live_');
    const writers: Writer[] = [startWriter(src.url('big'), 3), startWriter(src.url('s1'), 5)];
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);

    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    const sampler = sampleProcess(worker.child.pid ?? 0, [src, dst]);
    const applied = async () => {
      const res = await runCli(['status', '--json'], { cwd: dir });
      const job = (JSON.parse(res.stdout) as { jobs: { databases: { name: string; appliedChanges: number }[] }[] }).jobs[0];
      return job?.databases ?? [];
    };
    await waitFor(
      'changes applied in both written databases',
      async () => {
        const dbs = await applied();
        return ['big', 's1'].every((n) => (dbs.find((d) => d.name === n)?.appliedChanges ?? 0) > 100);
      },
      120_000,
      500,
    );
    for (const w of writers) await w.stop();

    declare(dir, 'fleet', 'continuous', 'promoted', DATABASES, 'live_');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const peak = await sampler.stop();
    expect(peak.rssBytes).toBeLessThan(MAX_RSS);
    // every database streams: one replication connection each, plus the budgeted work
    expect(peak.connections[0]).toBeLessThanOrEqual(DATABASES.length + MAX_CONNECTIONS);
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 300_000 });
    expect(promote.stderr).toBe('');
    expect(promote.code).toBe(0);
    await verifyAll(dir, 'fleet');
    const slots = await src.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'migrate_%'");
    expect(slots).toEqual([]);
  });
});
