import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli } from '../harness/spawn-cli.js';
import { checksumSql, SAMPLE_TABLES, sampleShopSql } from '../harness/sample-data.js';

/**
 * Fail early, recover cheaply: a bad credential or an unmet prerequisite is a
 * plan error naming the profile and the setting, before anything is written;
 * a job that fails before writing restarts without being destructive; a job
 * waiting for a fixed credential goes on from where it was.
 */
let src: PgServer;
let dst: PgServer;

function declare(dir: string, opts: { type?: string; db?: string; source?: string } = {}): string {
  return writeProject(
    `version: 1
profiles:
  src: { engine: postgres, host: 127.0.0.1, port: ${src.port}, user: app, password: "\${env:SRC_PW}" }
  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }
jobs:
  j:
    source: src
    destination: dst
    type: ${opts.type ?? 'one-time'}
    databases: [{ name: ${opts.source ?? 'shop'}, target: ${opts.db ?? 'shop'} }]
`,
    dir,
  );
}

async function equalToSource(target: string): Promise<void> {
  for (const t of SAMPLE_TABLES) {
    const [a] = await src.query(checksumSql(t), 'shop');
    const [b] = await dst.query(checksumSql(t), target);
    expect(b, t).toEqual(a);
  }
}

async function databaseExists(server: PgServer, name: string): Promise<boolean> {
  return (await server.query(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length > 0;
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres({ major: 15 }), startPostgres({ major: 17 })]);
  await src.query('CREATE DATABASE shop');
  await src.query(sampleShopSql(3_000), 'shop');
  await src.query("CREATE ROLE app LOGIN SUPERUSER PASSWORD 'right-password'");
  // the harness trusts every local connection; make this role prove its password
  const hba = join(src.dataDir, 'pg_hba.conf');
  writeFileSync(hba, `host all app 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
  await src.query('SELECT pg_reload_conf()');
});

afterAll(async () => {
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

describe('fail early, recover cheaply', () => {
  it('a wrong password is a plan error naming the profile; nothing is written; once fixed the job goes on without a restart', async () => {
    const dir = declare(mkdtempSync(join(tmpdir(), 'migrate-pw-')), { db: 'shop_pw' });
    const wrong = { SRC_PW: 'wrong-password' };

    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env: wrong });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/error: profile\.src \(source of job\.j\): .*password authentication failed for user "app"/);
    expect(plan.stdout).not.toContain('wrong-password');
    const refused = await runCli(['apply', '--auto-approve'], { cwd: dir, env: wrong });
    expect(refused.code).toBe(1);
    expect(existsSync(join(dir, '.migrate', 'state.json'))).toBe(false);
    expect(await databaseExists(dst, 'shop_pw')).toBe(false);

    // past the plan (--no-refresh), the job waits for the credential instead of failing
    const started = await runCli(['apply', '--auto-approve', '--no-refresh'], { cwd: dir, env: wrong, timeoutMs: 90_000 });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain('job.j cannot go on until this is fixed');
    expect(started.stderr).toContain('password authentication failed');
    expect(started.stderr).not.toContain('wrong-password');
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir, env: wrong })).stdout) as {
      jobs: { status: string; error: { retry?: string; code?: string; fatal: boolean } | null; unservedSince?: string }[];
    };
    expect(status.jobs[0]?.status).toBe('STARTING');
    expect(status.jobs[0]?.error).toMatchObject({ retry: 'configuration', code: '28P01', fatal: false });
    expect(status.jobs[0]?.unservedSince).toBeDefined();
    expect(await databaseExists(dst, 'shop_pw')).toBe(false);

    const right = { SRC_PW: 'right-password' };
    const fixed = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env: right });
    expect(fixed.stdout).toContain('~ profile.src');
    expect(fixed.stdout).toContain('# job.j will be taken over');
    expect(fixed.stdout).not.toContain('DESTRUCTIVE');
    expect(fixed.code).toBe(2);
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env: right, timeoutMs: 120_000 });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    await equalToSource('shop_pw');
  });

  it('a continuous job on a source without wal_level=logical: plan names the setting and changes nothing', async () => {
    const replica = await startPostgres({ major: 15, settings: { wal_level: 'replica' } });
    try {
      await replica.query('CREATE DATABASE shop');
      const dir = writeProject(
        `version: 1
profiles:
  src: { engine: postgres, host: 127.0.0.1, port: ${replica.port}, user: postgres }
  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }
jobs:
  j: { source: src, destination: dst, type: continuous, databases: [{ name: shop, target: shop_wal }] }
`,
      );
      const plan = await runCli(['plan'], { cwd: dir });
      expect(plan.code).toBe(1);
      expect(plan.stdout).toMatch(
        /error: profile\.src \(source of job\.j\): source setting wal_level is 'replica'.*\(wal_level\)/,
      );
      expect(existsSync(join(dir, '.migrate'))).toBe(false);
    } finally {
      await replica.stop(true);
    }
  });

  it('a job that fails before writing anything restarts without being destructive', async () => {
    // the target already holds rows: the job refuses to load into it before writing anything
    await dst.query('CREATE DATABASE shop_busy');
    await dst.query('CREATE TABLE public.customers (id bigint); INSERT INTO public.customers VALUES (1)', 'shop_busy');
    const dir = declare(mkdtempSync(join(tmpdir(), 'migrate-busy-')), { db: 'shop_busy' });
    const env = { SRC_PW: 'right-password' };
    const first = await runCli(['apply', '--auto-approve'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('already holds rows in public.customers');

    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.stdout).toContain('# job.j will be restarted');
    expect(plan.stdout).toContain('before writing anything at the destination: it starts again (nothing to wipe)');
    expect(plan.stdout).not.toContain('DESTRUCTIVE');
    expect(plan.code).toBe(2);
    // the rows are gone; the database also holds a table of someone else's, which a wipe would lose
    await dst.query('DROP TABLE public.customers', 'shop_busy');
    await dst.query('CREATE TABLE public.keep_me (id int); INSERT INTO public.keep_me VALUES (42)', 'shop_busy');
    const restart = await runCli(['apply', '--auto-approve'], { cwd: dir, env, timeoutMs: 120_000 });
    expect(restart.stderr).toBe('');
    expect(restart.code).toBe(0);
    await equalToSource('shop_busy');
    // nothing was wiped: an unrelated table of the target database is still there
    expect(await dst.query('SELECT id FROM public.keep_me', 'shop_busy')).toEqual([{ id: '42' }]);
  });

  it('a destination lacking a role the schema names: the job waits naming it, holds no source snapshot meanwhile, and goes on once the role exists', async () => {
    await src.query('CREATE DATABASE ledger');
    await src.query('CREATE ROLE ledger_keeper');
    await src.query(
      `CREATE TABLE public.entries AS SELECT g AS id, md5(g::text) AS memo FROM generate_series(1, 2000) g;
       ALTER TABLE public.entries ADD PRIMARY KEY (id);
       ALTER TABLE public.entries OWNER TO ledger_keeper`,
      'ledger',
    );
    const dir = declare(mkdtempSync(join(tmpdir(), 'migrate-role-')), { source: 'ledger', db: 'ledger' });
    const env = { SRC_PW: 'right-password' };
    // past the plan (which names the role as an error), the database waits for it at the destination
    const waiting = spawnCli(['apply', '--auto-approve', '--no-refresh'], { cwd: dir, env: { ...process.env, ...env } });
    // each attempt may open its snapshot while the destination is checked, and closes it when the check fails:
    // none is left open while the job waits (a leaked one would stay open the whole time)
    const openSnapshots = async () =>
      Number(
        (
          await src.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'migrate:%' AND xact_start IS NOT NULL`,
          )
        )[0]?.n,
      );
    let samples = 0;
    let heldSince: number | null = null;
    let longestHeldMs = 0;
    let exited = false;
    void waiting.exited.then(() => (exited = true));
    while (!exited) {
      if (waiting.output().includes('ledger_keeper')) {
        samples++;
        const now = performance.now();
        if ((await openSnapshots()) > 0) heldSince ??= now;
        else heldSince = null;
        if (heldSince !== null) longestHeldMs = Math.max(longestHeldMs, now - heldSince);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await waiting.exited).toBe(1);
    expect(waiting.output()).toContain('ledger_keeper');
    expect(samples).toBeGreaterThan(10);
    expect(longestHeldMs).toBeLessThan(2_000);

    await dst.query('CREATE ROLE ledger_keeper');
    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env, timeoutMs: 120_000 });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const [a] = await src.query(checksumSql('public.entries'), 'ledger');
    const [b] = await dst.query(checksumSql('public.entries'), 'ledger');
    expect(b).toEqual(a);
    expect(await dst.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'entries'`, 'ledger')).toEqual([
      { tableowner: 'ledger_keeper' },
    ]);
  });
});
