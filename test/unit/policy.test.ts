import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyToState } from '../../engine/apply/apply-to-state.js';
import { loadDeclaration } from '../../engine/config/load-declaration.js';
import { loadPolicyFile } from '../../engine/config/load-policy-file.js';
import { plan } from '../../engine/plan/planner.js';
import { checkApproval } from '../../engine/policy/check-approval.js';
import { DEFAULT_POLICY, stricterPolicy, type Policy } from '../../engine/policy/policy.js';
import { policyDiagnostics } from '../../engine/policy/policy-diagnostics.js';
import { desired, jobConfig, jobRecord, runtime, stateDoc, T0 } from './plan-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'migrate-policy-'));
let n = 0;
function file(text: string): string {
  const dir = join(scratch, String(n++));
  mkdirSync(dir);
  writeFileSync(join(dir, 'migrate.yaml'), text);
  return join(dir, 'migrate.yaml');
}

const DECL = `version: 1
profiles:
  a: { engine: postgres, host: a, user: u }
  b: { engine: postgres, host: b, user: u }
jobs:
  j:
    source: a
    destination: b
    protect: true
    databases: [{ name: s }]
`;

const policy = (destructive: Policy['destructive'], approvers: string[] = []): Policy => ({ destructive, approvers });

describe('declaring protect and policy', () => {
  it('reads protect (default false) and the policy block (default allow, no approvers) with its location', async () => {
    const path = file(`${DECL}policy:\n  destructive: require-approval\n  approvers: [alice]\n`);
    const { declaration, diagnostics } = await loadDeclaration(path);
    expect(diagnostics).toEqual([]);
    expect(declaration?.jobs.j?.protect).toBe(true);
    expect(declaration?.policy).toEqual({
      destructive: 'require-approval',
      approvers: ['alice'],
      location: { file: path, line: 11, column: 1 },
    });
    const plain = await loadDeclaration(file(DECL.replace('    protect: true\n', '')));
    expect(plain.declaration?.jobs.j?.protect).toBe(false);
    expect(plain.declaration?.policy).toEqual({ destructive: 'allow', approvers: [] });
  });

  it('rejects a bad policy with file:line:column: unknown mode, require-approval without approvers, two files', async () => {
    const bad = await loadDeclaration(file(`${DECL}policy: { destructive: never }\n`));
    expect(bad.diagnostics.map((d) => [d.field, d.location?.line])).toEqual([['policy.destructive', 11]]);
    expect(bad.diagnostics[0]?.summary).toMatch(/allow, require-approval, deny|allow.*deny/);
    const noone = await loadDeclaration(file(`${DECL}policy: { destructive: require-approval }\n`));
    expect(noone.diagnostics[0]?.summary).toContain('approvers');
    expect(noone.diagnostics[0]?.detail).toContain('list at least one name in `approvers`');

    const dir = join(scratch, 'two');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), `${DECL}policy: { destructive: deny }\n`);
    writeFileSync(join(dir, 'b.yaml'), 'version: 1\npolicy: { destructive: allow }\n');
    const two = await loadDeclaration(dir);
    expect(two.diagnostics.map((d) => d.summary)).toEqual([
      expect.stringMatching(/^policy is declared in two files: first at .*a\.yaml:11:1$/),
    ]);
  });

  it('loads a --policy file holding only a policy block', async () => {
    const ok = await loadPolicyFile(file('policy:\n  destructive: deny\n'));
    expect(ok.policy).toMatchObject({ destructive: 'deny', approvers: [] });
    const stray = await loadPolicyFile(file('jobs: {}\npolicy:\n  destructive: deny\n  approver: [x]\n'));
    expect(stray.policy).toBeNull();
    expect(stray.diagnostics.map((d) => [d.field, d.location?.line, d.location?.column])).toEqual([
      ['jobs', 1, 1],
      ['policy.approver', 4, 3],
    ]);
  });
});

describe('stricterPolicy', () => {
  it('lets a --policy file tighten, never loosen; approver lists intersect', () => {
    expect(stricterPolicy(policy('allow'), policy('deny')).destructive).toBe('deny');
    expect(stricterPolicy(policy('require-approval', ['a']), policy('allow'))).toEqual(policy('require-approval', ['a']));
    expect(stricterPolicy(policy('deny'), policy('require-approval', ['a'])).destructive).toBe('deny');
    expect(stricterPolicy(policy('require-approval', ['a', 'b']), policy('require-approval', ['b', 'c'])).approvers).toEqual([
      'b',
    ]);
  });
});

describe('checkApproval', () => {
  const gate = policy('require-approval', ['alice', 'bob']);
  it('asks for a named approver only when the plan is destructive and the policy requires it', () => {
    expect(checkApproval(DEFAULT_POLICY, true, undefined)).toEqual({ kind: 'not-needed' });
    expect(checkApproval(gate, false, undefined)).toEqual({ kind: 'not-needed' });
    expect(checkApproval(gate, true, undefined)).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('--approved-by NAME'),
    });
    expect(checkApproval(gate, true, ' ')).toMatchObject({ kind: 'refused' });
    expect(checkApproval(gate, true, 'mallory')).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('"mallory" is not an approver'),
    });
    expect(checkApproval(gate, true, 'bob')).toEqual({ kind: 'approved', by: 'bob' });
  });
});

describe('policyDiagnostics', () => {
  const state = stateDoc([
    jobRecord('p', {
      protect: true,
      databases: [...jobConfig().databases, { name: 'crm', target: 'crm', tables: { include: ['*.*'], exclude: [] } }],
    }),
    jobRecord('free'),
  ]);
  const runtimes = { p: runtime('p', 1, 'RUNNING', 'CDC'), free: runtime('free', 1, 'RUNNING', 'CDC') };
  const declared = (protect: boolean) => ({
    p: { protect, location: { file: 'm.yaml', line: 7, column: 3 } },
    free: { protect: false },
  });

  it('refuses replace, restart, database removal and delete of a protected job, naming the job and the field', () => {
    const cases = [
      { want: { p: jobConfig({ type: 'one-time', protect: true }), free: jobConfig() }, restart: [], says: 'would replace it' },
      { want: { p: jobConfig({ protect: true }), free: jobConfig() }, restart: ['job.p'], says: 'would restart it' },
      { want: { p: jobConfig(), free: jobConfig() }, restart: [], says: 'would remove database crm from it' },
    ];
    for (const c of cases) {
      // restart is legal from Failed, not from Running
      const rts = c.restart.length ? { ...runtimes, p: runtime('p', 1, 'FAILED', 'CDC') } : runtimes;
      const r = plan(desired(c.want), state, rts, { restart: c.restart });
      const d = policyDiagnostics(r.actions, { policy: DEFAULT_POLICY, declared: declared(true), recorded: state.jobs });
      expect(d.map((x) => [x.severity, x.field, x.location?.line])).toContainEqual(['error', 'jobs.p.protect', 7]);
      expect(d.map((x) => x.summary).join('\n')).toContain(`job.p is protected (protect: true): the plan ${c.says}`);
    }
    // undeclared: the recorded protect holds
    const gone = plan(desired({ free: jobConfig() }), state, runtimes);
    const d = policyDiagnostics(gone.actions, {
      policy: DEFAULT_POLICY,
      declared: { free: { protect: false } },
      recorded: state.jobs,
    });
    expect(d.map((x) => x.summary)).toEqual(['job.p is protected (protect: true): the plan would delete it']);
    // declared protect: false lifts it (Terraform semantics)
    const lifted = plan(desired({ p: jobConfig({ type: 'one-time' }), free: jobConfig() }), state, runtimes);
    expect(
      policyDiagnostics(lifted.actions, { policy: DEFAULT_POLICY, declared: declared(false), recorded: state.jobs }),
    ).toEqual([]);
  });

  it('deny turns every destructive action into an error located at the policy', () => {
    const r = plan(desired({ p: jobConfig({ protect: true }) }), state, runtimes);
    const d = policyDiagnostics(r.actions, {
      policy: { ...policy('deny'), location: { file: 'ci/pr.yaml', line: 1, column: 1 } },
      declared: declared(true),
      recorded: state.jobs,
    });
    expect(d.map((x) => [x.field, x.address, x.location?.file])).toEqual([
      ['jobs.p.protect', 'job.p.database.crm', 'm.yaml'],
      ['policy.destructive', 'job.free', 'ci/pr.yaml'],
      ['policy.destructive', 'job.p.database.crm', 'ci/pr.yaml'],
    ]);
  });

  it('protect is recorded: changing it is an in-place update, and apply writes it to state', () => {
    const s = stateDoc([jobRecord('free')]);
    const r = plan(desired({ free: jobConfig({ protect: true }) }), s, { free: runtime('free', 1, 'RUNNING', 'CDC') });
    expect(r.actions).toMatchObject([
      {
        kind: 'update-job',
        reason: 'settings changed',
        destructive: false,
        changes: [{ path: 'protect', before: false, after: true }],
      },
    ]);
    const next = applyToState(s, r.actions, T0, 'test');
    expect(next.jobs.free?.protect).toBe(true);
  });
});
