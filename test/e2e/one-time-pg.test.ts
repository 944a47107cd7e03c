import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgMajor, type PgServer } from '../harness/embedded-postgres.js';
import { runCli } from '../harness/run-cli.js';
import { checksumSql, SAMPLE_TABLES, sampleShopSql } from '../harness/sample-data.js';

function declaration(src: PgServer, dst: PgServer, extra = ''): string {
  return `version: 1
profiles:
  legacy:
    engine: postgres
    host: 127.0.0.1
    port: ${src.port}
    user: postgres
    password: \${env:SRC_PASSWORD}
  cloud: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }
jobs:
  shop-upgrade:
    source: legacy
    destination: cloud
    type: one-time
    state: running
    parallelism: 4
    databases:
      - name: shop
        target: shop_new
${extra}`;
}

async function checksums(server: PgServer, db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of SAMPLE_TABLES) {
    const [row] = await server.query<{ n: string; sum: string }>(checksumSql(t), db);
    out[t] = `${row?.n}:${row?.sum}`;
  }
  return out;
}

describe.each([
  [14, 17],
  [17, 17],
] as [PgMajor, PgMajor][])('one-time PostgreSQL %i -> %i through the CLI', (srcMajor, dstMajor) => {
  let src: PgServer;
  let dst: PgServer;
  let dir: string;
  const env = { SRC_PASSWORD: 'pa55-w0rd-never-printed', MIGRATE_RANGE_BYTES: String(256 * 1024) };

  beforeAll(async () => {
    [src, dst] = await Promise.all([startPostgres({ major: srcMajor }), startPostgres({ major: dstMajor })]);
    await src.query('CREATE DATABASE shop');
    await src.query(sampleShopSql(20_000), 'shop');
    dir = mkdtempSync(join(tmpdir(), 'migrate-e2e-'));
    writeFileSync(join(dir, 'migrate.yaml'), declaration(src, dst));
  });

  afterAll(async () => {
    await Promise.all([src?.stop(true), dst?.stop(true)]);
  });

  it('validate → plan (exit 2) → apply → COMPLETED → equal checksums → plan says No changes (exit 0)', async () => {
    const validate = await runCli(['validate'], { cwd: dir, env });
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);

    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.stdout).toContain('# job.shop-upgrade will be created and started');
    expect(plan.stdout).toMatch(/Plan: 3 to add, 0 to change, 0 to destroy\.$/m);
    expect(plan.code).toBe(2);

    const apply = await runCli(['apply', '--auto-approve'], { cwd: dir, env });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('Apply complete');

    const status = await runCli(['status', '--json'], { cwd: dir, env });
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout) as {
      jobs: {
        name: string;
        status: string;
        substatus: string | null;
        desiredState: string;
        databases: {
          migrationState: string;
          tables: {
            name: string;
            state: string;
            fullLoadTotalRows: number;
            fullLoadTotalVolumeBytes: number;
            rangesTotal: number;
          }[];
        }[];
      }[];
    };
    const job = view.jobs[0];
    expect(job?.status).toBe('COMPLETED');
    expect(job?.desiredState).toBe('running');
    expect(job?.databases[0]?.migrationState).toBe('COMPLETED');
    const orders = job?.databases[0]?.tables.find((t) => t.name === 'public.orders');
    expect(orders?.fullLoadTotalRows).toBe(20_000);
    expect(orders?.fullLoadTotalVolumeBytes).toBeGreaterThan(0);
    expect(orders?.rangesTotal).toBeGreaterThan(1);

    expect(await checksums(dst, 'shop_new')).toEqual(await checksums(src, 'shop'));

    // sequences and identity continue where the source stopped
    const [seq] = await dst.query<{ v: string }>("SELECT nextval('public.customers_id_seq')::text AS v", 'shop_new');
    expect(seq?.v).toBe('5001');
    const [ins] = await dst.query<{ id: string }>(
      'INSERT INTO public.orders (customer_id, total, placed_at) VALUES (1, 1, now()) RETURNING id::text',
      'shop_new',
    );
    expect(ins?.id).toBe('20001');
    // identity columns end as declared on the source (ALWAYS is restored once loading is over)
    const identity = await dst.query<{ attname: string; attidentity: string }>(
      "SELECT attname, attidentity FROM pg_attribute WHERE attrelid IN ('public.orders'::regclass, 'public.products'::regclass) AND attidentity <> '' ORDER BY 1",
      'shop_new',
    );
    expect(identity).toEqual([
      { attname: 'id', attidentity: 'a' },
      { attname: 'stock', attidentity: 'd' },
    ]);
    // constraints and indexes came over after the data
    const [idx] = await dst.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM pg_indexes WHERE indexname IN ('orders_customer_idx','orders_open_idx')",
      'shop_new',
    );
    expect(idx?.n).toBe('2');
    // every index and constraint, built table by table as loads finished, matches the source's definition
    const definitions = `SELECT 'index ' || indexdef AS d FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema', '_migrate')
      UNION ALL
      SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', '_migrate') AND c.conrelid <> 0
      ORDER BY 1`;
    const srcDefs = await src.query<{ d: string }>(definitions, 'shop');
    expect(srcDefs.length).toBeGreaterThan(5);
    expect(await dst.query<{ d: string }>(definitions, 'shop_new')).toEqual(srcDefs);
    const [view2] = await dst.query<{ n: string }>('SELECT count(*)::text AS n FROM public.big_spenders', 'shop_new');
    const [viewSrc] = await src.query<{ n: string }>('SELECT count(*)::text AS n FROM public.big_spenders', 'shop');
    expect(view2?.n).toBe(viewSrc?.n);

    const again = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);

    // the secret never reached state, plan output or logs
    const stateText = readFileSync(join(dir, '.migrate', 'state.json'), 'utf8');
    for (const text of [stateText, plan.stdout, plan.stderr, apply.stdout, apply.stderr, status.stdout]) {
      expect(text).not.toContain(env.SRC_PASSWORD);
    }
    expect(stateText).toContain('env:SRC_PASSWORD');
  });
});
