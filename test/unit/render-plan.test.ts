import { describe, expect, it } from 'vitest';
import type { JobStatus, Substatus } from '../../engine/lifecycle/job-status.js';
import type { PlanAction } from '../../engine/plan/plan-action.js';
import { actionSymbol } from '../../engine/plan/plan-action.js';
import { plan } from '../../engine/plan/planner.js';
import { renderPlan } from '../../engine/plan/render-plan.js';
import {
  defaultProfiles,
  desired,
  jobConfig,
  jobRecord,
  planDocument,
  profileRecord,
  runtime,
  stateDoc,
} from './plan-fixtures.js';

const FINGERPRINT = 'f00dfacef00dfacef00dfacef00dface';

function render(...args: Parameters<typeof plan>): string {
  const r = plan(...args);
  return renderPlan(planDocument(r.actions, r.diagnostics));
}

const lastLine = (text: string): string => text.split('\n').at(-1) ?? '';

describe('renderPlan', () => {
  it('prints a mixed plan like Terraform (golden)', () => {
    const profiles = {
      ...defaultProfiles(),
      extra: profileRecord({ host: 'extra.internal', passwordRef: 'env:PW', passwordFingerprint: FINGERPRINT }),
    };
    const state = stateDoc(
      [
        jobRecord('b'),
        jobRecord('c', { desiredState: 'stopped' }),
        jobRecord('e'),
        jobRecord('f'),
        jobRecord('g', { desiredState: 'stopped' }),
      ],
      { ...defaultProfiles(), gone: profileRecord() },
    );
    const runtimes = {
      b: runtime('b', 1, 'RUNNING', 'CDC'),
      c: runtime('c', 1, 'STOPPED', 'CDC'),
      e: runtime('e', 1, 'RUNNING', 'CDC'),
      f: runtime('f', 1, 'RUNNING', 'FULL_DUMP'),
      g: runtime('g', 1, 'STOPPED', 'FULL_DUMP'),
    };
    const want = desired(
      {
        b: jobConfig({ destination: 'extra' }),
        d: jobConfig(),
        e: jobConfig({
          parallelism: 2,
          databases: [
            ...jobConfig().databases,
            { name: 'crm', target: 'crm_v2', tables: { include: ['*.*'], exclude: ['public.tmp_*'] } },
          ],
        }),
        f: jobConfig({ desiredState: 'stopped' }),
        g: jobConfig(),
      },
      profiles,
    );
    expect(render(want, state, runtimes)).toBe(
      [
        'migrate will perform the following actions:',
        '',
        '  # profile.extra will be created',
        '  #   declared, not in state',
        '  + profile.extra',
        '      + engine = "postgres"',
        '      + host = "extra.internal"',
        '      + port = 5432',
        '      + user = "postgres"',
        '      + database = "postgres"',
        '      + tls = {"mode":"disable"}',
        '      + passwordRef = "env:PW"',
        '',
        '  # job.b must be replaced  [DESTRUCTIVE]',
        '  #   destination changed: the job must be replaced',
        '-/+ job.b',
        '      ~ destination = "dst" -> "extra" # forces replacement',
        '',
        '  # job.c will be destroyed',
        '  #   no longer declared (STOPPED); source-side artifacts are removed, destination data is kept',
        '  - job.c',
        '      - status = "STOPPED"',
        '',
        '  # job.d will be created and started',
        '  #   declared with state: running: it will be created and started',
        '  + job.d',
        '      + source      = "src"',
        '      + destination = "dst"',
        '      + type        = "continuous"',
        '      + state       = "running"',
        '      + parallelism = "optimal"',
        '      + database "shop" -> "shop" (tables: include public.*)',
        '',
        '  # job.e.database.crm will be added',
        '  #   added: it gets a full dump, then joins the running job',
        '  + job.e.database.crm',
        '      + database "crm" -> "crm_v2" (tables: include *.*; exclude public.tmp_*)',
        '',
        '  # job.e will be updated in-place',
        '  #   parallelism changes apply in place to the running job',
        '  ~ job.e',
        '      ~ parallelism = "optimal" -> 2',
        '',
        '  # job.f will be stopped',
        '  #   state: running -> stopped',
        '  ~ job.f',
        '      ~ status = "RUNNING" (FULL_DUMP) -> stop',
        '',
        '  # job.g will be restarted  [DESTRUCTIVE]',
        '  #   Stopped in Full dump: a job stopped during the full dump cannot resume, only restart (destination databases are wiped and migrated again)',
        '-/+ job.g',
        '      ~ status = "STOPPED" (FULL_DUMP) -> restart',
        '',
        '  # profile.gone will be destroyed',
        '  #   no longer declared',
        '  - profile.gone',
        '',
        'warning: job.f is in the full dump: once stopped it cannot resume, only restart (which wipes and re-migrates); meanwhile the source keeps WAL for its replication slot',
        '',
        'Destructive actions are marked [DESTRUCTIVE]: apply needs --allow-destructive for them.',
        'Plan: 5 to add, 2 to change, 4 to destroy.',
      ].join('\n'),
    );
  });

  const transition = (
    action: Extract<PlanAction, { kind: 'transition' }>['action'],
    status: JobStatus,
    substatus: Substatus | null,
  ): PlanAction => ({
    kind: 'transition',
    address: 'job.x',
    name: 'x',
    action,
    observed: { status, substatus },
    after: jobConfig(),
    reason: 'because',
    destructive: action === 'restart',
  });

  for (const [action, verb, symbol] of [
    ['start', 'started', '~'],
    ['stop', 'stopped', '~'],
    ['resume', 'resumed', '~'],
    ['restart', 'restarted', '-/+'],
    ['promote', 'promoted', '~'],
  ] as const) {
    it(`heads a ${action} "# job.x will be ${verb}" with ${symbol}`, () => {
      const a = transition(action, 'STOPPED', 'CDC');
      expect(actionSymbol(a)).toBe(symbol);
      const text = renderPlan(planDocument([a]));
      expect(text).toContain(`  # job.x will be ${verb}${action === 'restart' ? '  [DESTRUCTIVE]' : ''}\n`);
      expect(text).toContain(`\n${symbol.padStart(3)} job.x\n`);
      expect(text).toContain(`      ~ status = "STOPPED" (CDC) -> ${action}`);
    });
  }

  it('shows a profile without password without any password line', () => {
    const text = render(desired({}, { ...defaultProfiles(), fresh: profileRecord() }), stateDoc([]), {});
    expect(text).toContain('+ profile.fresh');
    expect(text).not.toMatch(/password/i);
  });

  it('shows a rotated password as (sensitive) and never its fingerprint', () => {
    const before = { ...defaultProfiles(), src: profileRecord({ passwordRef: 'env:PW', passwordFingerprint: FINGERPRINT }) };
    const after = {
      ...defaultProfiles(),
      src: profileRecord({ passwordRef: 'env:PW', passwordFingerprint: FINGERPRINT.replace('f', '0') }),
    };
    const text = render(desired({}, after), stateDoc([], before), {});
    expect(text).toContain('  # profile.src will be updated in-place');
    expect(text).toContain('      ~ passwordFingerprint = "(sensitive)" -> "(sensitive, changed)"');
    expect(text).not.toContain(FINGERPRINT);
    expect(text).not.toContain(FINGERPRINT.replace('f', '0'));
  });

  it('never prints the fingerprint of a new profile', () => {
    const now = { ...defaultProfiles(), fresh: profileRecord({ passwordRef: 'file:/run/pw', passwordFingerprint: FINGERPRINT }) };
    const text = render(desired({}, now), stateDoc([]), {});
    expect(text).toContain('      + passwordRef = "file:/run/pw"');
    expect(text).not.toContain(FINGERPRINT);
  });

  it('prints "old -> new" for in-place changes, +/- for added and removed values', () => {
    const now = {
      ...defaultProfiles(),
      dst: profileRecord({ host: 'dst2.internal', tls: { mode: 'verify-ca', ca: '/ca.pem' } }),
    };
    const text = render(desired({}, now), stateDoc([]), {});
    expect(text).toContain('      ~ host = "dst.internal" -> "dst2.internal"');
    expect(text).toContain('      + tls.ca = "/ca.pem"');
    expect(text).toContain('      ~ tls.mode = "disable" -> "verify-ca"');
  });

  it('marks destructive actions and ends with the summary line', () => {
    const text = render(desired({ x: jobConfig({ databases: [] }) }), stateDoc([jobRecord('x')]), {
      x: runtime('x', 1, 'RUNNING', 'CDC'),
    });
    expect(text).toContain('  # job.x.database.shop will be removed  [DESTRUCTIVE]');
    expect(text).toContain('  - job.x.database.shop');
    expect(lastLine(text)).toBe('Plan: 0 to add, 0 to change, 1 to destroy.');
  });

  it('says "No changes." when nothing is to be done', () => {
    const text = render(desired({ x: jobConfig() }), stateDoc([jobRecord('x')]), { x: runtime('x', 1, 'RUNNING', 'CDC') });
    expect(text).toBe('No changes. The declaration matches the recorded state.');
    expect(lastLine(text)).toMatch(/^No changes\./);
  });

  it('prints errors with what to do, and no summary line', () => {
    const r = plan(desired({ x: jobConfig({ desiredState: 'promoted' }) }), stateDoc([jobRecord('x')]), {
      x: runtime('x', 1, 'RUNNING', 'FULL_DUMP'),
    });
    const text = renderPlan(planDocument([], r.diagnostics));
    expect(text).toContain('error: job.x is Running (Full dump): cannot promote (jobs.x.state)');
    expect(text).toContain('  promote is allowed only in CDC, and the job is RUNNING in FULL_DUMP.');
    expect(lastLine(text)).toBe('Plan failed: fix the errors above.');
    expect(text).not.toMatch(/^Plan: /m);
  });
});
