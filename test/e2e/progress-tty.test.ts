import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { CLI, runCli } from '../harness/run-cli.js';
import { sampleShopSql } from '../harness/sample-data.js';

/** util-linux `script` gives the CLI a pseudo-terminal (stdout.isTTY) without a real one. */
const hasScript = spawnSync('script', ['--version']).status === 0;

/** Run the built CLI with a pseudo-terminal as its stdout; the output is what the terminal received. */
function runOnTerminal(
  args: string,
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} ${args}`, '/dev/null'], {
      cwd: opts.cwd,
      // cli-progress asks the terminal's width; the pseudo-terminal has none: it then assumes 80
      env: { ...process.env, CI: '', NO_COLOR: undefined, TERM: 'xterm', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function declaration(src: PgServer, dst: PgServer, targets: string[]): string {
  return `version: 1
profiles:
  legacy: { engine: postgres, host: 127.0.0.1, port: ${src.port}, user: postgres }
  cloud: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }
jobs:
${targets
  .map(
    (t) => `  copy-${t}:
    source: legacy
    destination: cloud
    type: one-time
    state: running
    databases:
      - name: shop
        target: shop_${t}
`,
  )
  .join('')}`;
}

const BAR = /[█░]{24}/;

describe.skipIf(!hasScript)('progress on a terminal (built CLI under a pseudo-terminal)', () => {
  let src: PgServer;
  let dst: PgServer;
  let dir: string;
  // a clean environment: the suite may itself run in CI
  const env = { CI: '', NO_COLOR: undefined };

  beforeAll(async () => {
    [src, dst] = await Promise.all([startPostgres(), startPostgres()]);
    await src.query('CREATE DATABASE shop');
    await src.query(sampleShopSql(20_000), 'shop');
    // planner estimates: the full dump's total rows, hence an ETA
    await src.query('ANALYZE', 'shop');
    dir = mkdtempSync(join(tmpdir(), 'migrate-e2e-tty-'));
  });

  afterAll(async () => {
    await Promise.all([src?.stop(true), dst?.stop(true)]);
  });

  it('apply draws per-database bars; NO_COLOR and --no-color give the plain lines', async () => {
    writeFileSync(join(dir, 'migrate.yaml'), declaration(src, dst, ['a']));
    const bars = await runOnTerminal('apply --auto-approve', { cwd: dir, env });
    expect(bars.code).toBe(0);
    const text = stripVTControlCharacters(bars.output);
    expect(text).toMatch(BAR);
    expect(text).toMatch(/^ {2}shop .*completed {2}\d[\d,]* rows copied/m);
    expect(text).toContain('Apply complete: every job reached its desired state.');

    // the estimates the bars use are in the status too
    const status = await runCli(['status', '--json'], { cwd: dir, env });
    const view = JSON.parse(status.stdout) as {
      jobs: { databases: { tables: { name: string; fullLoadEstimatedRows?: number; fullLoadTotalRows: number }[] }[] }[];
    };
    const orders = view.jobs[0]?.databases[0]?.tables.find((t) => t.name === 'public.orders');
    expect(orders?.fullLoadTotalRows).toBe(20_000);
    expect(orders?.fullLoadEstimatedRows).toBeGreaterThan(10_000);

    for (const [args, extra] of [
      ['apply --auto-approve', { NO_COLOR: '1' }],
      ['apply --auto-approve --no-color', {}],
    ] as const) {
      const target = Object.keys(extra).length ? 'b' : 'c';
      writeFileSync(join(dir, 'migrate.yaml'), declaration(src, dst, ['a', target]));
      const plain = await runOnTerminal(args, { cwd: dir, env: { ...env, ...extra } });
      expect(plain.code).toBe(0);
      expect(plain.output).not.toMatch(BAR);
      expect(plain.output).not.toContain('\x1b[');
      expect(plain.output).toMatch(new RegExp(`^job\\.copy-${target}: Completed — tables \\d+/\\d+, [\\d,]+ rows, `, 'm'));
      expect(plain.output).toContain('Apply complete: every job reached its desired state.');
    }
  });

  it('status --watch draws the bars until interrupted; --no-color redraws the plain status', async () => {
    writeFileSync(join(dir, 'migrate.yaml'), declaration(src, dst, ['a']));
    const watch = await runOnTerminal('status copy-a --watch --interval 1 & sleep 3; kill -TERM $!; wait $!', {
      cwd: dir,
      env,
    });
    const shown = stripVTControlCharacters(watch.output);
    expect(shown).toMatch(/^job\.copy-a: Completed/m);
    expect(shown).toMatch(BAR);

    const plain = await runOnTerminal('status copy-a --watch --interval 1 --no-color & sleep 3; kill -TERM $!; wait $!', {
      cwd: dir,
      env,
    });
    expect(plain.output).not.toMatch(BAR);
    expect(plain.output).toMatch(/database shop -> shop_a: COMPLETED/);
  });
});
