#!/usr/bin/env node
// The quickstart: two embedded PostgreSQL servers (14 = "legacy", 17 = "cloud"),
// a sample shop database, and the real CLI driving plan → apply → status,
// then a row-for-row checksum comparison. Leaves nothing running.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../dist/test/harness/embedded-postgres.js';
import { checksumSql, SAMPLE_TABLES, sampleShopSql } from '../dist/test/harness/sample-data.js';

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
    type: one-time
    state: running
    parallelism: optimal
    databases:
      - name: shop
        tables: { include: ["*.*"], exclude: ["public.audit_*"] }
`,
  );
  process.stdout.write(`declaration: ${join(dir, 'migrate.yaml')}\n`);

  step('Validate');
  migrate(dir, ['validate']);
  step('Plan (exit code 2 = changes)');
  migrate(dir, ['plan', '--detailed-exitcode'], [2]);
  step('Apply');
  const started = Date.now();
  migrate(dir, ['apply', '--auto-approve']);
  const seconds = (Date.now() - started) / 1000;
  step('Status');
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
  process.stdout.write(`\nMigrated in ${seconds.toFixed(1)} s (apply wall time). ${equal ? 'Destination equals source.' : 'MISMATCH!'}\n`);
  process.exitCode = equal ? 0 : 1;
} catch (err) {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  await Promise.all(servers.map((s) => s.stop(true)));
}
