#!/usr/bin/env node
// The quickstart: two embedded PostgreSQL servers (14 = "legacy", 17 = "cloud"),
// a sample shop database with an application writing to it, and the real CLI
// driving an online upgrade: plan → apply (full dump) → CDC under writes →
// promote, then a row-for-row checksum comparison. Leaves nothing running.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../dist/test/harness/embedded-postgres.js';
import { checksumSql, SAMPLE_TABLES, sampleShopSql } from '../dist/test/harness/sample-data.js';
import { startWriter } from '../dist/test/harness/writer.js';

const cli = fileURLToPath(new URL('../bin/migrate.js', import.meta.url));
const rows = Number(process.env.DEMO_ROWS ?? 100_000);

function step(title) {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n`);
}

function migrate(dir, args, allowed = [0]) {
  process.stdout.write(`$ migrate ${args.join(' ')}\n`);
  const res = spawnSync(process.execPath, [cli, ...args], { cwd: dir, stdio: 'inherit', env: process.env });
  if (!allowed.includes(res.status ?? -1)) throw new Error(`migrate ${args[0]} exited with ${res.status}`);
  return res.status;
}

const servers = [];
try {
  step('Starting two embedded PostgreSQL servers (14 → 17)');
  const [legacy, cloud] = await Promise.all([startPostgres({ major: 14 }), startPostgres({ major: 17 })]);
  servers.push(legacy, cloud);
  process.stdout.write(`legacy: PostgreSQL 14 on port ${legacy.port}\ncloud:  PostgreSQL 17 on port ${cloud.port}\n`);

  step(`Loading the sample shop database (${rows.toLocaleString('en-US')} orders)`);
  await legacy.query('CREATE DATABASE shop');
  await legacy.query(sampleShopSql(rows), 'shop');

  const dir = mkdtempSync(join(tmpdir(), 'migrate-demo-'));
  const declare = (state) =>
    writeFileSync(
      join(dir, 'migrate.yaml'),
      `# yaml-language-server: $schema=${fileURLToPath(new URL('../schemas/migrate.schema.json', import.meta.url))}
version: 1
profiles:
  legacy: { engine: postgres, host: 127.0.0.1, port: ${legacy.port}, user: postgres }
  cloud:  { engine: postgres, host: 127.0.0.1, port: ${cloud.port}, user: postgres }
jobs:
  shop-upgrade:
    source: legacy
    destination: cloud
    type: continuous
    state: ${state}
    parallelism: optimal
    databases:
      - name: shop
        tables: { include: ["*.*"], exclude: ["public.audit_*"] }
`,
    );
  declare('running');
  process.stdout.write(`declaration: ${join(dir, 'migrate.yaml')}\n`);

  step('The application keeps writing to legacy during the whole migration');
  const writer = startWriter(legacy.url('shop'), 42);

  step('Validate');
  migrate(dir, ['validate']);
  step('Plan (exit code 2 = changes)');
  migrate(dir, ['plan', '--detailed-exitcode'], [2]);
  step("Apply: full dump inside the replication slot's snapshot, then CDC");
  const started = Date.now();
  migrate(dir, ['apply', '--auto-approve']);
  const dumpSeconds = (Date.now() - started) / 1000;

  step('A worker keeps replicating after apply returns (`migrate worker`)');
  const worker = spawn(process.execPath, [cli, 'worker'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, MIGRATE_LOG: 'warn' },
  });
  await new Promise((r) => setTimeout(r, 4000));
  const writes = await writer.stop();
  process.stdout.write(`the application committed ${writes} transactions on legacy meanwhile\n`);
  await new Promise((r) => setTimeout(r, 2000));
  step('Status while streaming');
  migrate(dir, ['status']);

  step('Cut over: declare state: promoted, plan, apply');
  declare('promoted');
  migrate(dir, ['plan', '--detailed-exitcode'], [2]);
  migrate(dir, ['apply', '--auto-approve']);
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  step('Status after promote');
  migrate(dir, ['status']);

  step('Verify: row-for-row checksums, source vs destination');
  let equal = true;
  for (const table of SAMPLE_TABLES.filter((t) => t !== 'public.audit_log')) {
    const [a] = await legacy.query(checksumSql(table), 'shop');
    const [b] = await cloud.query(checksumSql(table), 'shop');
    const same = a.n === b.n && a.sum === b.sum;
    equal &&= same;
    process.stdout.write(`${same ? 'equal    ' : 'DIFFERENT'} ${table.padEnd(28)} ${a.n} rows  ${a.sum}\n`);
  }
  step('Plan again (nothing left to do)');
  migrate(dir, ['plan', '--detailed-exitcode']);
  process.stdout.write(
    `\nFull dump + catch-up took ${dumpSeconds.toFixed(1)} s; ${equal ? 'destination equals source after promote.' : 'MISMATCH!'}\n`,
  );
  process.exitCode = equal ? 0 : 1;
} catch (err) {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  await Promise.all(servers.map((s) => s.stop(true)));
}
