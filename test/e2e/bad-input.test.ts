import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import PQueue from 'p-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCases, baseText } from '../bad-input/cases.js';
import type { BadInputCase, ExpectedDiagnostic } from '../bad-input/cases.js';
import { diffTrees, parseDiagnostics, snapshotTree } from '../bad-input/project.js';
import type { Entry, PrintedDiagnostic } from '../bad-input/project.js';
import { runCli } from '../harness/run-cli.js';
import type { CliResult } from '../harness/run-cli.js';

/**
 * The bad-input contract of the CLI, at scale: for every malformed
 * declaration, in a project that already has applied state, `validate`,
 * `apply --auto-approve` (and `plan`, for a sample) exit 1, print every
 * problem as `file:line:column: error: … (field)`, and leave `.migrate/` —
 * and the whole project directory — untouched: same files, same bytes, same
 * modification times, no lock.
 *
 * Cases without a position (listed in `pathCases`: a missing path, a
 * directory without YAML files) instead name the path in the message.
 *
 * Needs the built CLI (`npx tsc -p tsconfig.build.json`). Nothing connects to
 * a database: every job is `state: not-started` and profiles point at port 1.
 */

const cases = allCases();
const commands = (c: BadInputCase): string[][] => [
  ['validate'],
  ...(c.allCommands ? [['plan']] : []),
  ['apply', '--auto-approve'],
];

interface Run {
  command: string;
  result: CliResult;
  changes: string[];
}

interface CaseResult {
  dir: string;
  stateBefore: Map<string, Entry>;
  runs: Run[];
}

let root: string;
let template: string;
let templateState: Map<string, Entry>;
const queue = new PQueue({ concurrency: 4 });

async function runCase(c: BadInputCase, index: number): Promise<CaseResult> {
  const dir = join(root, `case-${String(index).padStart(3, '0')}`);
  cpSync(template, dir, { recursive: true, preserveTimestamps: true });
  if (c.removeDeclaration) rmSync(join(dir, 'migrate.yaml'));
  for (const [name, text] of Object.entries(c.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const stateBefore = snapshotTree(join(dir, '.migrate'));
  const runs: Run[] = [];
  // One command at a time per project, so a stray write is pinned on the command that made it.
  for (const command of commands(c)) {
    const before = snapshotTree(dir);
    const result = await runCli([...command, ...(c.args ?? [])], { cwd: dir, timeoutMs: 60_000 });
    runs.push({ command: command.join(' '), result, changes: diffTrees(before, snapshotTree(dir)) });
  }
  return { dir, stateBefore, runs };
}

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'migrate-bad-input-')));
  template = join(root, 'template');
  mkdirSync(join(template, 'certs'), { recursive: true });
  writeFileSync(join(template, 'certs', 'ca.pem'), '-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n');
  // Two applies: state.json at serial 2 and the state.json.backup it replaced.
  for (const parallelism of ['4', '2']) {
    writeFileSync(
      join(template, 'migrate.yaml'),
      baseText((t) => ((t.jobs as { copy: { parallelism: string } }).copy.parallelism = parallelism)),
    );
    const applied = await runCli(['apply', '--auto-approve', '--no-wait'], { cwd: template, timeoutMs: 60_000 });
    if (applied.code !== 0) throw new Error(`setting up the applied project failed (exit ${applied.code}):\n${applied.stderr}`);
  }
  templateState = snapshotTree(join(template, '.migrate'));
});

afterAll(async () => {
  queue.clear();
  await queue.onIdle();
  if (root) rmSync(root, { recursive: true, force: true });
});

function describeDiagnostics(list: PrintedDiagnostic[]): string {
  return list.map((d) => `${d.file ?? ''}:${d.line ?? ''}:${d.column ?? ''} ${d.summary} (${d.field ?? '-'})`).join('\n');
}

function matches(d: PrintedDiagnostic, e: ExpectedDiagnostic, dir: string): boolean {
  if (d.severity !== 'error') return false;
  if (d.file !== join(dir, e.file ?? 'migrate.yaml')) return false;
  if (e.line !== undefined && d.line !== e.line) return false;
  if (e.column !== undefined && d.column !== e.column) return false;
  if (e.field === null && d.field !== undefined) return false;
  if (typeof e.field === 'string' && d.field !== e.field) return false;
  if (typeof e.summary === 'string' ? !d.summary.includes(e.summary) : !e.summary.test(d.summary)) return false;
  if (e.detail !== undefined && !d.detail.includes(e.detail)) return false;
  return true;
}

describe('malformed declarations through the real CLI', () => {
  it('has at least 100 cases, and a project with applied state to break', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(cases.filter((c) => c.allCommands).length).toBeGreaterThanOrEqual(20);
    expect([...templateState.keys()].sort()).toEqual(['state.json', 'state.json.backup']);
    const state = templateState.get('state.json');
    expect(state?.kind === 'file' && (JSON.parse(state.bytes.toString()) as { serial: number }).serial).toBe(2);
  });

  // Concurrent tests, but at most 4 CLI processes at a time (each case runs its commands one after another).
  it.concurrent.for(cases)('$name', async (c, { expect }) => {
    const { dir, stateBefore, runs } = await queue.add(() => runCase(c, cases.indexOf(c)));
    // The copied project really holds the applied state (copies keep the bytes; mtimes may round).
    expect(diffTrees(templateState, stateBefore, { bytesOnly: true })).toEqual([]);
    expect(runs.map((r) => r.command)).toEqual(commands(c).map((cmd) => cmd.join(' ')));

    for (const { command, result, changes } of runs) {
      const context = `${command}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
      expect(result.code, context).toBe(1);
      expect(result.stdout, context).toBe('');
      expect(changes, `${command} wrote to the project`).toEqual([]);

      const { diagnostics, finalLine, unexpected } = parseDiagnostics(result.stderr);
      expect(unexpected, context).toEqual([]);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      expect(finalLine, context).toBe(`${errors.length} error(s) in the declaration; nothing was changed.`);
      expect(errors.length, context).toBeGreaterThan(0);

      if (c.noPosition) {
        // No line to point at: one message, naming the path as resolved from the project directory.
        expect(errors, context).toHaveLength(1);
        expect(errors[0]?.file, context).toBeUndefined();
        expect(errors[0]?.summary, context).toContain(resolve(dir, c.noPosition.path));
      } else {
        const file = c.expect[0]?.file ?? 'migrate.yaml';
        expect(result.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `));
        // Every diagnostic points into a file of the project.
        for (const d of errors) {
          expect(d.file && d.file.startsWith(`${dir}/`), context).toBe(true);
          expect(d.line, context).toBeGreaterThanOrEqual(1);
          expect(d.column, context).toBeGreaterThanOrEqual(1);
        }
      }
      for (const e of c.expect) {
        const found = c.noPosition
          ? errors.some((d) => d.summary.includes(e.summary as string))
          : errors.some((d) => matches(d, e, dir));
        expect(
          found,
          `${command}: expected ${JSON.stringify({ ...e, summary: String(e.summary) })} among\n${describeDiagnostics(errors)}`,
        ).toBe(true);
      }
      if (c.secret) {
        expect(result.stdout.includes(c.secret), `${command} echoed the secret`).toBe(false);
        expect(result.stderr.includes(c.secret), `${command} echoed the secret`).toBe(false);
      }
    }
    // And, spelled out, the state directory is exactly what the apply left there.
    expect(diffTrees(stateBefore, snapshotTree(join(dir, '.migrate')))).toEqual([]);
  });
});
