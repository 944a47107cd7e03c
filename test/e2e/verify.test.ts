import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { runCli } from '../harness/run-cli.js';
import { sampleShopSql } from '../harness/sample-data.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';
import { pgDeclaration, writeProject } from '../harness/project.js';
import { startWriter } from '../harness/writer.js';

let src: PgServer;
let dst: PgServer;
const children: RunningCli[] = [];

function project(db: string, target: string, type: string, extra = ''): string {
  return writeProject(
    pgDeclaration(
      src,
      dst,
      `  j:
    source: src
    destination: dst
    type: ${type}
${extra}    databases: [{ name: ${db}, target: ${target} }]
`,
    ),
  );
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 })]);
  for (const db of ['v_once', 'v_live', 'v_gate']) {
    await src.query(`CREATE DATABASE ${db}`);
    await src.query(sampleShopSql(30_000), db);
  }
});

afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

describe('migrate verify', () => {
  it('exit 0 when equal; exit 3 naming the table and the first differing keys after the destination is tampered with', async () => {
    const dir = project('v_once', 'v_once_dst', 'one-time');
    expect((await runCli(['apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
    const ok = await runCli(['verify', 'j', '--chunk-rows', '5000'], { cwd: dir });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/Equal: \d+ source rows compared/);
    expect(ok.code).toBe(0);

    await dst.query(
      `SET session_replication_role = replica;
       UPDATE public.orders SET notes = 'tampered' WHERE id = 12345;
       DELETE FROM public.customers WHERE id = 77;
       INSERT INTO "Sales Dept"."Order Lines" VALUES (1, 99999999, 'extra', true);
       DELETE FROM public.events WHERE id = 4242;`,
      'v_once_dst',
    );
    const bad = await runCli(['verify', 'j', '--json'], { cwd: dir });
    expect(bad.code).toBe(3);
    const report = JSON.parse(bad.stdout) as {
      equal: boolean;
      databases: { tables: { table: string; status: string; differences: { key: string; kind: string }[] }[] }[];
    };
    expect(report.equal).toBe(false);
    const byTable = Object.fromEntries(report.databases[0]!.tables.map((t) => [t.table, t]));
    expect(byTable['public.orders']?.differences).toEqual([{ key: '["12345"]', kind: 'different' }]);
    expect(byTable['public.customers']?.differences).toEqual([{ key: '["77"]', kind: 'missing on destination' }]);
    expect(byTable['Sales Dept.Order Lines']?.differences).toEqual([{ key: '["1", "99999999"]', kind: 'extra on destination' }]);
    expect(
      byTable['public.events_2025']?.status ?? byTable['public.events_other']?.status ?? byTable['public.events_2026']?.status,
    ).toBeDefined();
    const eventsDiff = ['public.events_2025', 'public.events_2026', 'public.events_other'].flatMap(
      (t) => byTable[t]?.differences ?? [],
    );
    expect(eventsDiff).toHaveLength(1);
    expect(eventsDiff[0]?.key).toMatch(/^\["4242", "\d{4}-\d{2}-\d{2}"\]$/);
    expect(byTable['public.products']?.status).toBe('equal');
  });

  it('verifies a continuous job while it streams under writes (exit 0)', async () => {
    const dir = project('v_live', 'v_live_dst', 'continuous');
    expect((await runCli(['apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
    const w = spawnCli(['worker', '--lease-ttl', '3'], { cwd: dir });
    children.push(w);
    const writer = startWriter(src.url('v_live'), 3);
    await new Promise((r) => setTimeout(r, 2000));
    const res = await runCli(['verify', 'j'], { cwd: dir });
    await writer.stop();
    expect(res.stdout).not.toContain('DIFFERENT');
    expect(res.code).toBe(0);
    await waitFor('worker keeps running', async () => w.child.exitCode === null);
  });

  it('verify: true gates promote: a difference makes promote refuse (job Failed, slot kept)', async () => {
    const dir = project('v_gate', 'v_gate_dst', 'continuous', '    verify: true\n');
    expect((await runCli(['apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
    await dst.query(
      "SET session_replication_role = replica; UPDATE public.products SET title = 'tampered' WHERE sku = md5('p7')::uuid",
      'v_gate_dst',
    );
    const yaml = join(dir, 'migrate.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('type: continuous', 'type: continuous\n    state: promoted'));
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir });
    expect(promote.code).toBe(1);
    expect(promote.stderr).toMatch(
      /promote refused: verify found differences in public\.products \(\["[0-9a-f-]{36}"\] different\)/,
    );
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout) as {
      jobs: { status: string; substatus: string }[];
    };
    expect(status.jobs[0]).toMatchObject({ status: 'FAILED', substatus: 'PROMOTE_IN_PROGRESS' });
    const slots = await src.query("SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'migrate_j_v_gate%'");
    expect(slots).toHaveLength(1);
  });
});
