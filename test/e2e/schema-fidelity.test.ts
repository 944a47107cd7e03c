import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { pgDeclaration, writeProject } from '../harness/project.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * A real-world-shaped schema (functions in several languages, an aggregate
 * used by a view, triggers of every enable mode, RLS, rules, partitions with
 * their own triggers, domains, composite types, a free-standing sequence…)
 * through the real CLI, as a continuous job: the destination's objects equal
 * the source's (verify compares them), triggers never fire on replicated
 * changes, and fire again after promote in their source mode.
 */
const FIXTURE = readFileSync(new URL('../fixtures/pg/fidelity-schema.sql', import.meta.url), 'utf8');
const ROLES = 'DO $$ BEGIN CREATE ROLE app_owner; CREATE ROLE app_reader; CREATE ROLE app_writer; END $$';

let src: PgServer;
let dst: PgServer;
const children: RunningCli[] = [];

function declare(dir: string, state: string): string {
  return writeProject(
    pgDeclaration(
      src,
      dst,
      `  app:
    source: src
    destination: dst
    type: continuous
    state: ${state}
    verify: true
    databases: [{ name: shop, target: shop_app }]
`,
    ),
    dir,
  );
}

/** Trigger log rows per trigger name (the triggers write into shop.events_log). */
async function triggerLog(server: PgServer, db: string): Promise<Record<string, string>> {
  const rows = await server.query<{ trigger_name: string; n: string }>(
    'SELECT trigger_name, count(*)::text AS n FROM shop.events_log GROUP BY 1 ORDER BY 1',
    db,
  );
  return Object.fromEntries(rows.map((r) => [r.trigger_name, r.n]));
}

async function applied(dir: string): Promise<number> {
  const res = await runCli(['status', '--json'], { cwd: dir });
  const job = (JSON.parse(res.stdout) as { jobs: { databases: { appliedChanges: number }[] }[] }).jobs[0];
  return job?.databases[0]?.appliedChanges ?? 0;
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres({ major: 15 }), startPostgres({ major: 17 })]);
  await Promise.all([src.query(ROLES), dst.query(ROLES)]);
  await src.query('CREATE DATABASE shop');
  await src.query(FIXTURE, 'shop');
  await src.query(
    `INSERT INTO shop.products (sku, name, description, price, mood, stock)
     SELECT 'BAS-' || lpad(g::text, 4, '0'), 'Product ' || g, 'a fine thing number ' || g, g, 'ok', g FROM generate_series(1, 50) g`,
    'shop',
  );
  // large objects are not migrated: the plan must say so
  await src.query("SELECT lo_from_bytea(0, 'attachment')", 'shop');
});

afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

describe('a complete schema through a continuous job', () => {
  it('objects equal by catalog definition; triggers silent during CDC, firing after promote in their mode', async () => {
    const dir = declare(mkdtempSync(join(tmpdir(), 'migrate-fidelity-')), 'running');
    const plan = await runCli(['plan'], { cwd: dir });
    expect(plan.code, plan.stdout).toBe(0);
    // what cannot be migrated is named, never silent
    expect(plan.stdout).toMatch(/warning: job\.app\.database\.shop: not migrated: large objects/);

    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 180_000 });
    // (the fixture's two keyless tables get REPLICA IDENTITY FULL, with a warning)
    expect(apply.stderr).not.toMatch(/error|fail/i);
    expect(apply.code).toBe(0);
    const status = await runCli(['status'], { cwd: dir });
    expect(status.stdout).toContain('warning: not migrated:');

    const worker = spawnCli(['worker'], { cwd: dir });
    children.push(worker);
    const before = await applied(dir);
    // changes to tables with triggers of every mode; the source's triggers log them, the destination's must not
    await src.query(
      `INSERT INTO shop.products (sku, name, description, price, mood, stock)
       SELECT 'QRS-' || lpad(g::text, 4, '0'), 'New ' || g, 'another ' || g, g, 'happy', 1 FROM generate_series(1, 20) g;
       UPDATE shop.products SET description = description || ' (revised)' WHERE id % 3 = 0;
       INSERT INTO audit.entries (id, at, what) VALUES (1, '2025-06-01', 'replicated entry');`,
      'shop',
    );
    await waitFor('the changes applied', async () => (await applied(dir)) >= before + 20 + 1, 90_000, 300);
    await waitFor(
      'caught up',
      async () => {
        const v = await runCli(['verify', 'app'], { cwd: dir, timeoutMs: 120_000 });
        return v.code === 0 ? v : null;
      },
      120_000,
      1000,
    );
    // every log row on the destination came from the source: no destination trigger fired
    expect(await triggerLog(dst, 'shop_app')).toEqual(await triggerLog(src, 'shop'));

    declare(dir, 'promoted');
    worker.child.kill('SIGTERM');
    await worker.exited;
    const promote = await runCli(['apply', '--auto-approve'], { cwd: dir, timeoutMs: 180_000 });
    expect(promote.stderr).toBe('');
    expect(promote.code).toBe(0);

    // after promote the enable modes are the source's: verify compares them too now
    const verify = await runCli(['verify', 'app'], { cwd: dir, timeoutMs: 120_000 });
    expect(verify.stdout).toMatch(/equal {5}shop: schema — \d+ objects/);
    expect(verify.code, verify.stdout).toBe(0);
    const [seq] = await dst.query<{ v: string }>('SELECT last_value::text AS v FROM shop.invoice_no', 'shop_app');
    expect(seq?.v).toBe('5000');

    const logBefore = await triggerLog(dst, 'shop_app');
    await dst.query(
      "INSERT INTO shop.products (sku, name, price, mood) VALUES ('NEW-0001', 'After cut-over', 1, 'ok')",
      'shop_app',
    );
    const logAfter = await triggerLog(dst, 'shop_app');
    const fired = (name: string) => Number(logAfter[name] ?? 0) - Number(logBefore[name] ?? 0);
    // origin session: ENABLE and ENABLE ALWAYS fire; REPLICA and DISABLE do not
    expect([fired('t_origin'), fired('t_always'), fired('t_replica'), fired('t_disabled')]).toEqual([1, 1, 0, 0]);
  }, 300_000);
});
