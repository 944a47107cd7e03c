import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { parsePrometheusText, sampleSum, sampleValue, type PromFamily } from '../harness/prometheus-text.js';
import { runCli } from '../harness/run-cli.js';
import { spawnCli, type RunningCli } from '../harness/spawn-cli.js';
import { waitFor } from '../harness/wait-for.js';
import { writeProject } from '../harness/project.js';

// a continuous job served by `migrate worker --metrics-address`: its /metrics,
// scraped over HTTP and parsed, must agree with what the destination holds

const SECRET = 'pw-Zq81-never-in-logs';
const TABLES = ['public.items', 'public.notes'] as const;
const ROWS = { 'public.items': 5_000, 'public.notes': 1_200 };

let src: PgServer;
let dst: PgServer;
let worker: RunningCli | null = null;
let dir: string;
let port: number;
let base: string;

type Families = Map<string, PromFamily>;

async function get(path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

async function scrape(): Promise<Families> {
  const res = await get('/metrics');
  expect(res.status).toBe(200);
  expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(res.body);
}

const job = { migration: 'live' };
const applied = (m: Families, kind: string) => sampleSum(m, 'migrate_changes_applied_total', { ...job, database: 'shop', kind });

async function destinationCount(table: string): Promise<number> {
  const [row] = await dst.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`, 'shop_new');
  return Number(row?.n);
}

function portClosed(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(p, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres({ major: 17 }), startPostgres({ major: 17 })]);
  await src.query('CREATE DATABASE shop');
  await src.query(
    `CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL);
     INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, ${ROWS['public.items']}) g;
     CREATE TABLE notes (id bigserial PRIMARY KEY, body text);
     INSERT INTO notes (body) SELECT repeat('n', g % 50) FROM generate_series(1, ${ROWS['public.notes']}) g;`,
    'shop',
  );
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dir = mkdtempSync(join(tmpdir(), 'migrate-metrics-'));
  writeProject(
    `version: 1
profiles:
  src: { engine: postgres, host: 127.0.0.1, port: ${src.port}, user: postgres, password: "\${env:SRC_PASSWORD}" }
  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }
jobs:
  live:
    source: src
    destination: dst
    type: continuous
    state: running
    parallelism: 2
    databases:
      - name: shop
        target: shop_new
`,
    dir,
  );
});

afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

describe('migrate worker --metrics-address', () => {
  it('serves /metrics, /healthz and /readyz whose counters match the destination during CDC', async () => {
    const env = { SRC_PASSWORD: SECRET };
    const apply = await runCli(['apply', '--auto-approve', '--no-wait'], { cwd: dir, env });
    expect(apply.code, apply.stderr).toBe(0);

    // debug: the most lines (the pipeline's timeline names its job and database), none with the password
    worker = spawnCli(['worker', '--metrics-address', `127.0.0.1:${port}`, '--log-format', 'json'], {
      cwd: dir,
      env: { ...env, MIGRATE_LOG: 'debug' },
    });
    await waitFor('/readyz', async () => (await get('/readyz').catch(() => null))?.status === 200, 30_000);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/nope')).status).toBe(404);

    // the dump is done once every table is loaded and the database streams
    const streaming = await waitFor(
      'the job in CDC',
      async () => {
        const m = await scrape();
        const at = (metric: string, labels: Record<string, string>) => sampleSum(m, metric, { ...job, ...labels });
        const loaded = at('migrate_tables', { database: 'shop', state: 'COMPLETED' }) === TABLES.length;
        const cdc =
          at('migrate_database_state', { database: 'shop', state: 'CDC' }) +
            at('migrate_database_state', { database: 'shop', state: 'READY_TO_COMPLETE' }) ===
          1;
        return loaded && cdc && at('migrate_job_phase', { phase: 'CDC' }) === 1 ? m : null;
      },
      90_000,
    ).catch(async (err: Error) => {
      const status = await runCli(['status', '--json'], { cwd: dir });
      throw new Error(
        `${err.message}\nworker:\n${worker?.output()}\nstatus:\n${status.stdout}${status.stderr}\nmetrics:\n${(
          await get('/metrics')
        ).body
          .split('\n')
          .filter((l) => l.startsWith('migrate_'))
          .join('\n')}`,
      );
    });
    expect(sampleValue(streaming, 'migrate_job_status', { ...job, status: 'RUNNING' })).toBe(1);
    expect(sampleValue(streaming, 'migrate_worker_ready')).toBe(1);
    expect(sampleSum(streaming, 'migrate_job_status', job)).toBe(1); // one status at a time
    for (const table of TABLES) {
      const copied = sampleValue(streaming, 'migrate_rows_copied_total', { ...job, database: 'shop', table });
      expect(copied).toBe(ROWS[table]);
      expect(copied).toBe(await destinationCount(table));
      expect(sampleValue(streaming, 'migrate_bytes_copied_total', { ...job, database: 'shop', table })).toBeGreaterThan(0);
    }
    expect(streaming.get('migrate_changes_applied_total')?.type).toBe('counter');
    expect(streaming.has('process_resident_memory_bytes')).toBe(true);
    const before = {
      insert: applied(streaming, 'insert'),
      update: applied(streaming, 'update'),
      delete: applied(streaming, 'delete'),
    };

    // writes of known kinds and counts, one row each, in small transactions, scraped while they run
    const made = { insert: 0, update: 0, delete: 0 };
    const client = new pg.Client({ connectionString: src.url('shop') });
    await client.connect();
    let midScrapes = 0;
    try {
      for (let i = 1; i <= 300; i++) {
        await client.query('BEGIN');
        await client.query('INSERT INTO items VALUES ($1, $2)', [100_000 + i, `new ${i}`]);
        made.insert++;
        await client.query('UPDATE items SET v = v || $2 WHERE id = $1', [i, '+']);
        made.update++;
        if (i % 3 === 0) {
          await client.query('DELETE FROM notes WHERE id = $1', [i]);
          made.delete++;
        }
        await client.query('COMMIT');
        if (i % 100 === 0) {
          const mid = await scrape(); // parses under load; counters never go back
          expect(applied(mid, 'insert')).toBeGreaterThanOrEqual(before.insert);
          midScrapes++;
        }
      }
    } finally {
      await client.end();
    }
    expect(midScrapes).toBe(3);

    const target = {
      insert: before.insert + made.insert,
      update: before.update + made.update,
      delete: before.delete + made.delete,
    };
    const caughtUp = await waitFor(
      'every change applied',
      async () => {
        const m = await scrape();
        return applied(m, 'insert') >= target.insert &&
          applied(m, 'update') >= target.update &&
          applied(m, 'delete') >= target.delete
          ? m
          : null;
      },
      60_000,
    );
    // exactly: wait for the stream to settle, then nothing more than what the source made
    await new Promise((r) => setTimeout(r, 1_500));
    const settled = await scrape();
    for (const kind of ['insert', 'update', 'delete'] as const) {
      expect(applied(caughtUp, kind)).toBe(target[kind]);
      expect(applied(settled, kind)).toBe(target[kind]);
    }
    expect(sampleValue(settled, 'migrate_changes_applied_total', { ...job, table: 'public.notes', kind: 'delete' })).toBe(
      made.delete,
    );
    expect(await destinationCount('public.items')).toBe(ROWS['public.items'] + made.insert);
    expect(await destinationCount('public.notes')).toBe(ROWS['public.notes'] - made.delete);
    expect(sampleValue(settled, 'migrate_apply_lag_seconds', { ...job, database: 'shop' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(settled, 'migrate_job_errors_total', job)).toBe(0);
    // the replication slot's WAL, measured every 10 s
    const retained = await waitFor(
      'retained WAL measured',
      async () => {
        const m = await scrape();
        return m.get('migrate_source_retained_bytes')?.samples.find((s) => s.labels.database === 'shop') ?? null;
      },
      30_000,
      500,
    );
    expect(retained.value).toBeGreaterThanOrEqual(0);
    expect(sampleValue(settled, 'migrate_job_status', { ...job, status: 'RUNNING' })).toBe(1);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await portClosed(port)).toBe(true);
  });

  it('writes JSON log lines with job and database fields and never the password', () => {
    const out = worker?.output() ?? '';
    const lines = out.split('\n').filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(3);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>); // every line is JSON
    for (const e of entries) {
      expect(['debug', 'info', 'warn', 'error']).toContain(e.level);
      expect(typeof e.msg).toBe('string');
      expect(Number.isNaN(Date.parse(String(e.time)))).toBe(false);
    }
    expect(entries.some((e) => e.msg === 'worker started' && String(e.metrics) === `${base}/metrics`)).toBe(true);
    expect(entries.some((e) => e.job === 'live' && e.database === 'shop')).toBe(true);
    expect(out).not.toContain(SECRET);
  });

  it('refuses a bad address and a port in use before serving anything', async () => {
    const bad = await runCli(['worker', '--metrics-address', 'nohost'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('expected HOST:PORT');
    const blocker = (await import('node:http')).createServer();
    const busy = await freePort();
    await new Promise<void>((r) => blocker.listen(busy, '127.0.0.1', r));
    try {
      const res = await runCli(['worker', '--metrics-address', `127.0.0.1:${busy}`], { cwd: dir, env: { SRC_PASSWORD: SECRET } });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`cannot serve metrics on 127.0.0.1:${busy}`);
    } finally {
      blocker.close();
    }
  });
});
