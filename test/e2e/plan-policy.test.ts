import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../harness/embedded-postgres.js';
import { runCli } from '../harness/run-cli.js';
import { sampleShopSql } from '../harness/sample-data.js';
import { writeProject } from '../harness/project.js';

/** Policies (protect, policy: deny / require-approval) and the Markdown plan, through the real CLI. */

const SECRET = 'pa55-w0rd-never-in-a-comment';
const env = { SRC_PASSWORD: SECRET };

let src: PgServer;
let dst: PgServer;

interface ProjectOptions {
  /** Extra lines under the job (e.g. `protect: true`), indented 4 spaces. */
  job?: string[];
  /** Databases of the job. */
  databases?: string[];
  /** The destination profile the job uses (`dst` or its alias `dst2`, the same server). */
  destination?: string;
  /** A top-level `policy:` block (YAML lines). */
  policy?: string[];
  /** Leave the job out (its profiles stay). */
  noJob?: boolean;
}

function yaml(name: string, o: ProjectOptions = {}): string {
  const lines = [
    'version: 1',
    ...(o.policy ?? []),
    'profiles:',
    `  src: { engine: postgres, host: 127.0.0.1, port: ${src.port}, user: postgres, password: "\${env:SRC_PASSWORD}" }`,
    `  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }`,
    `  dst2: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }`,
  ];
  if (!o.noJob) {
    lines.push(
      'jobs:',
      `  ${name}:`,
      '    source: src',
      `    destination: ${o.destination ?? 'dst'}`,
      '    type: one-time',
      ...(o.job ?? []).map((l) => `    ${l}`),
      '    databases:',
      ...(o.databases ?? ['shop']).map((d) => `      - { name: ${d}, target: ${name}_${d} }`),
    );
  }
  return `${lines.join('\n')}\n`;
}

const cli = (args: string[], dir: string, extra: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });

/** A project whose job `name` has been applied and completed (so replacing or removing is destructive). */
async function appliedProject(name: string, o: ProjectOptions = {}): Promise<string> {
  const dir = writeProject(yaml(name, o));
  const applied = await cli(['apply', '--auto-approve'], dir);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  return dir;
}

const rewrite = (dir: string, name: string, o: ProjectOptions) => writeFileSync(join(dir, 'migrate.yaml'), yaml(name, o));

/** A `--policy` file in `ci/`: every YAML file directly in the declaration directory is part of the declaration. */
function policyFile(dir: string, name: string, text: string): string {
  mkdirSync(join(dir, 'ci'), { recursive: true });
  writeFileSync(join(dir, 'ci', name), text);
  return join('ci', name);
}

beforeAll(async () => {
  [src, dst] = await Promise.all([startPostgres(), startPostgres()]);
  for (const db of ['shop', 'crm']) {
    await src.query(`CREATE DATABASE ${db}`);
    await src.query(sampleShopSql(200), db);
  }
});

afterAll(async () => {
  await Promise.all([src?.stop(true), dst?.stop(true)]);
});

describe('protect: true through the CLI', () => {
  it('a replacement is a plan error naming the job and the field, and apply refuses it even with --allow-destructive', async () => {
    const dir = await appliedProject('guarded', { job: ['protect: true'] });
    rewrite(dir, 'guarded', { job: ['protect: true'], destination: 'dst2' });

    const plan = await cli(['plan', '--detailed-exitcode'], dir);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(
      /migrate\.yaml:\d+:\d+: error: job\.guarded is protected \(protect: true\): the plan would replace it \(jobs\.guarded\.protect\)/,
    );
    expect(plan.stdout).toContain('--allow-destructive does not override protect');
    // the refused action is still shown, for the reviewer
    expect(plan.stdout).toContain('# job.guarded must be replaced');

    const apply = await cli(['apply', '--auto-approve', '--allow-destructive'], dir);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain('job.guarded is protected (protect: true)');
    expect(apply.stdout).not.toContain('Recorded:');
  });

  it('removing a protected job from the declaration is refused too (the recorded protect holds)', async () => {
    const dir = await appliedProject('kept', { job: ['protect: true'] });
    rewrite(dir, 'kept', { noJob: true });
    const plan = await cli(['plan'], dir);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('error: job.kept is protected (protect: true): the plan would delete it (jobs.kept.protect)');
    expect(plan.stdout).toContain('declare it again with protect: false, apply, then remove it');
    const apply = await cli(['apply', '--auto-approve', '--allow-destructive'], dir);
    expect(apply.code).toBe(1);

    // lifting it: protect: false applied first (an in-place update), then the removal goes through
    rewrite(dir, 'kept', { job: ['protect: false'] });
    const lift = await cli(['apply', '--auto-approve'], dir);
    expect(lift.stdout).toContain('~ protect = true -> false');
    expect(lift.code).toBe(0);
    rewrite(dir, 'kept', { noJob: true });
    const removed = await cli(['apply', '--auto-approve', '--allow-destructive', '--no-wait'], dir);
    expect(removed.stdout).toContain('# job.kept will be destroyed');
    expect(removed.code).toBe(0);
  });

  it('a saved plan made before the job was protected is refused at apply', async () => {
    const dir = await appliedProject('late');
    rewrite(dir, 'late', { destination: 'dst2' });
    expect((await cli(['plan', '-out', 'plan.json'], dir)).code).toBe(0);
    rewrite(dir, 'late', { destination: 'dst2', job: ['protect: true'] });
    const apply = await cli(['apply', 'plan.json', '--allow-destructive'], dir);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('job.late is protected (protect: true): the plan would replace it');
    expect(apply.stderr).toContain('apply refused by policy: nothing was changed.');
  });
});

describe('policy: destructive through the CLI', () => {
  it("deny (declared, or from --policy FILE) fails a plan with a destructive action; allow keeps today's behaviour", async () => {
    const dir = await appliedProject('pr', { databases: ['shop', 'crm'] });
    rewrite(dir, 'pr', { databases: ['shop'] });
    const allowed = await cli(['plan', '--detailed-exitcode'], dir);
    expect(allowed.code).toBe(2);
    expect(allowed.stdout).toContain('apply needs --allow-destructive for them');

    const prPolicy = policyFile(dir, 'pr-policy.yaml', 'policy:\n  destructive: deny\n');
    const denied = await cli(['plan', '--detailed-exitcode', '--policy', prPolicy], dir);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(
      /pr-policy\.yaml:1:1: error: policy denies destructive actions: job\.pr\.database\.crm \(replication of crm into pr_crm stops/,
    );
    expect(denied.stdout).toContain('(policy.destructive)');

    rewrite(dir, 'pr', { databases: ['shop'], policy: ['policy: { destructive: deny }'] });
    const declared = await cli(['plan', '--format', 'markdown'], dir);
    expect(declared.code).toBe(1);
    expect(declared.stdout).toContain('**Plan failed: 1 error** (below): it cannot be applied.');
    expect(declared.stdout).toContain('policy denies destructive actions: job.pr.database.crm');
    const apply = await cli(['apply', '--auto-approve', '--allow-destructive'], dir);
    expect(apply.code).toBe(1);
  });

  it('a broken policy file is an error with file:line:column', async () => {
    const dir = writeProject(yaml('bad'));
    const res = await cli(['plan', '--policy', policyFile(dir, 'p.yaml', 'policy:\n  destructive: sometimes\n')], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/p\.yaml:2:16: error: .*destructive/);
  });

  it('require-approval: apply --allow-destructive also needs --approved-by an approver, and says who approved', async () => {
    const policy = ['policy:', '  destructive: require-approval', '  approvers: [alice, bob]'];
    const dir = await appliedProject('gated', { databases: ['shop', 'crm'], policy });
    rewrite(dir, 'gated', { databases: ['shop'], policy });

    const plan = await cli(['plan', '-out', 'plan.json', '--detailed-exitcode'], dir);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('apply needs --allow-destructive and --approved-by NAME (policy: one of alice, bob)');

    const none = await cli(['apply', 'plan.json', '--allow-destructive'], dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('apply refused by policy: destructive actions need an approval');
    const wrong = await cli(['apply', 'plan.json', '--allow-destructive', '--approved-by', 'mallory'], dir);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('"mallory" is not an approver of destructive actions; the approvers are: alice, bob');
    // a looser --policy file cannot lift it
    const loose = await cli(
      [
        'apply',
        'plan.json',
        '--allow-destructive',
        '--policy',
        policyFile(dir, 'loose.yaml', 'policy: { destructive: allow }\n'),
      ],
      dir,
    );
    expect(loose.stderr).toContain('destructive actions need an approval');
    expect(loose.code).toBe(1);

    const ok = await cli(['apply', 'plan.json', '--allow-destructive', '--no-wait'], dir, { MIGRATE_APPROVED_BY: 'alice' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Destructive actions approved by alice (policy destructive: require-approval).');
    expect(ok.stdout).toContain('Recorded: 0 added, 0 changed, 1 destroyed');
    const state = JSON.parse(readFileSync(join(dir, '.migrate', 'state.json'), 'utf8')) as {
      jobs: Record<string, { history: { action: string; by: string }[] }>;
    };
    expect(state.jobs.gated?.history.at(-1)).toMatchObject({
      action: 'remove-database',
      by: expect.stringMatching(/\(approved by alice\)$/),
    });
  });
});

describe('plan --format markdown and show PLANFILE', () => {
  it('renders the saved plan as a pull-request comment, never with a secret', async () => {
    const dir = writeProject(yaml('review'));
    const plan = await cli(['plan', '-out', 'plan.json', '--detailed-exitcode'], dir);
    expect(plan.code).toBe(2);

    const md = await cli(['show', 'plan.json', '--format', 'markdown'], dir);
    expect(md.code).toBe(0);
    expect(md.stderr).toBe('');
    expect(md.stdout.split('\n').slice(0, 3)).toEqual([
      '<!-- migrate-plan -->',
      '',
      '**Plan: 4 to add, 0 to change, 0 to destroy.**',
    ]);
    expect(md.stdout).toContain('<details><summary><code>+ job.review</code> will be created and started</summary>');
    expect(md.stdout).toContain('+       passwordRef = "env:SRC_PASSWORD"');
    expect(md.stdout).toContain('**Next:** `migrate apply plan.json`');

    const direct = await cli(['plan', '--format', 'markdown'], dir);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toContain('**Next:** `migrate apply`');

    const json = await cli(['show', 'plan.json', '--format', 'json'], dir);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')));
    const text = await cli(['show', 'plan.json'], dir);
    expect(text.stdout).toContain('Plan: 4 to add, 0 to change, 0 to destroy.');

    for (const out of [plan, md, direct, json, text]) expect(out.stdout + out.stderr).not.toContain(SECRET);
    expect(readFileSync(join(dir, 'plan.json'), 'utf8')).not.toContain(SECRET);

    const clash = await cli(['plan', '--json', '--format', 'markdown'], dir);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('--json contradicts --format markdown');
    const missing = await cli(['show', 'nope.json', '--format', 'markdown'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read plan file nope.json');
  });
});
