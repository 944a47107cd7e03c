import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDesired } from '../../engine/plan/build-desired.js';
import { makePlan } from '../../engine/plan/make-plan.js';
import type { PlanDocument } from '../../engine/plan/plan-document.js';
import { plan } from '../../engine/plan/planner.js';
import { GITHUB_COMMENT_LIMIT, renderPlanMarkdown } from '../../engine/plan/render-plan-markdown.js';
import type { Diagnostic } from '../../engine/diagnostics/diagnostic.js';
import {
  declaration,
  defaultProfiles,
  desired,
  jobConfig,
  jobRecord,
  jobSpec,
  planDocument,
  profileRecord,
  profileSpec,
  runtime,
  stateDoc,
  T0,
} from './plan-fixtures.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/plan-markdown/', import.meta.url));

/** Compare with test/fixtures/plan-markdown/NAME.md exactly; `UPDATE_GOLDEN=1` rewrites the file. */
function golden(name: string, text: string): void {
  const file = `${FIXTURES}${name}.md`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

function planned(...args: Parameters<typeof plan>): PlanDocument {
  const r = plan(...args);
  return planDocument(r.actions, r.diagnostics);
}

describe('renderPlanMarkdown (golden)', () => {
  it('a create plan: summary first, one collapsible diff per address, the saved plan as next command', () => {
    const doc = planned(desired({ shop: jobConfig() }), null, {});
    golden('create', renderPlanMarkdown(doc, { planFile: 'plan.json' }));
  });

  it('a destructive plan (replace + delete + database removal): the warning block lists what each address loses', () => {
    const state = stateDoc([
      jobRecord('orders'),
      jobRecord('legacy'),
      jobRecord('crm', {
        databases: [...jobConfig().databases, { name: 'archive', target: 'archive', tables: { include: ['*.*'], exclude: [] } }],
      }),
    ]);
    const runtimes = {
      orders: runtime('orders', 1, 'RUNNING', 'CDC'),
      legacy: runtime('legacy', 1, 'RUNNING', 'CDC'),
      crm: runtime('crm', 1, 'RUNNING', 'CDC'),
    };
    const doc = planned(desired({ orders: jobConfig({ type: 'one-time' }), crm: jobConfig() }), state, runtimes);
    expect(doc.actions.map((a) => [a.kind, a.address])).toEqual([
      ['delete-job', 'job.legacy'],
      ['replace-job', 'job.orders'],
      ['remove-database', 'job.crm.database.archive'],
    ]);
    golden('destructive', renderPlanMarkdown(doc, { planFile: 'plan.json' }));
  });

  it('drift: a take-over, a vanished slot, retention, keyless tables and type mappings are all visible', () => {
    const state = stateDoc([jobRecord('copy'), jobRecord('feed')]);
    const runtimes = { copy: runtime('copy', 1, 'RUNNING', 'FULL_DUMP'), feed: runtime('feed', 1, 'FAILED', 'CDC') };
    const leases = { copy: { workerId: 'w-1', expiresAt: '2024-05-01T09:00:00.000Z', heartbeatAt: '2024-05-01T08:59:45.000Z' } };
    const r = plan(desired({ copy: jobConfig(), feed: jobConfig() }), state, runtimes, {
      service: { leases: leases as never, now: new Date(T0) },
    });
    const refresh: Diagnostic[] = [
      {
        severity: 'warning',
        summary:
          'drift: job.feed: the replication slot or publication migrate_feed_shop on shop was removed outside migrate: changes since then are lost to this job',
        address: 'job.feed',
      },
      {
        severity: 'warning',
        summary:
          'source keeps binary logs for 2 h (binlog_expire_logs_seconds / expire_logs_days): a dump or a stop longer than that loses the change stream',
        detail: 'raise binlog_expire_logs_seconds (or expire_logs_days) above the time the full dump and any pause will take',
        field: 'binlog_expire_logs_seconds',
      },
      {
        severity: 'warning',
        summary: 'job.feed.database.shop: public.events, public.audit_log have no primary key',
        detail: 'their updates and deletes are matched on the destination by the whole old row',
        address: 'job.feed.database.shop',
      },
      {
        severity: 'warning',
        summary: 'job.feed.database.shop: 2 column types of shop mapped for PostgreSQL in a way that is not the obvious one',
        detail:
          'shop.orders.paid: tinyint(1) → boolean (tinyint(1) read as a flag)\nshop.orders.total: decimal(65,30) → numeric (precision above 1000 digits?)',
        field: 'types',
      },
    ];
    const doc = planDocument(r.actions, [...refresh, ...r.diagnostics]);
    expect(doc.actions.map((a) => a.kind)).toEqual(expect.arrayContaining(['take-over', 'transition']));
    golden('drift', renderPlanMarkdown(doc));
  });

  it('a failed plan (protect): errors first, no next command but the fix', () => {
    const decl = declaration([profileSpec('src'), profileSpec('dst')], [jobSpec('orders', { protect: true, type: 'one-time' })]);
    const state = stateDoc([jobRecord('orders', { protect: true })], {
      src: profileRecord({ host: 'src.internal' }),
      dst: profileRecord({ host: 'dst.internal' }),
    });
    const doc = makePlan(decl, state, { orders: runtime('orders', 1, 'RUNNING', 'CDC') }, new Date(T0), {}, [], {
      profiles: state.profiles,
      jobs: { orders: { ...jobConfig({ type: 'one-time' }), protect: true } },
    });
    expect(doc.diagnostics.map((d) => [d.severity, d.field])).toEqual([['error', 'jobs.orders.protect']]);
    golden('protected', renderPlanMarkdown(doc, { planFile: 'plan.json' }));
  });

  it('a long plan is cut under the limit with a note; the summary and destructive block stay whole (golden, small limit)', () => {
    const jobs = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`job${String(i).padStart(2, '0')}`, jobConfig()]));
    const doc = planned(desired(jobs), stateDoc([jobRecord('gone')]), { gone: runtime('gone', 1, 'RUNNING', 'CDC') });
    const md = renderPlanMarkdown(doc, { maxLength: 4000, planFile: 'plan.json' });
    expect(md.length).toBeLessThan(4000);
    golden('truncated', md);
  });
});

describe('renderPlanMarkdown', () => {
  it(`keeps a 5,000-address plan under GitHub's ${GITHUB_COMMENT_LIMIT} characters, saying how many addresses were left out`, () => {
    const jobs = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`job-${i}`, jobConfig()]));
    const doc = planned(desired(jobs), null, {});
    const md = renderPlanMarkdown(doc, { planFile: 'plan.json' });
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).toMatch(/^<!-- migrate-plan -->\n\n\*\*Plan: 5002 to add, 0 to change, 0 to destroy\.\*\*/);
    const kept = (md.match(/<details>/g) ?? []).length;
    expect(kept).toBeGreaterThan(100);
    expect(md).toContain(
      `> Left out to stay under GitHub's comment limit: the details of ${5002 - kept} addresses. The full plan is in the job log (\`migrate show plan.json\` prints it).`,
    );
    expect(md.trimEnd().endsWith('</sub>')).toBe(true);
    expect(md).toContain('**Next:** `migrate apply plan.json`');
  });

  it('never cuts the destructive block, even when it alone is long', () => {
    const names = Array.from({ length: 300 }, (_, i) => `old-${i}`);
    const state = stateDoc(names.map((n) => jobRecord(n)));
    const runtimes = Object.fromEntries(names.map((n) => [n, runtime(n, 1, 'RUNNING', 'CDC')]));
    const md = renderPlanMarkdown(planned(desired({}), state, runtimes), { maxLength: 20_000 });
    for (const n of names) expect(md).toContain(`> - \`job.${n}\` will be destroyed:`);
    expect(md).toContain("Left out to stay under GitHub's comment limit: the details of 300 addresses.");
  });

  it('names the approval a require-approval policy needs in the next command', () => {
    const state = stateDoc([jobRecord('orders')]);
    const doc = planned(desired({}), state, { orders: runtime('orders', 1, 'RUNNING', 'CDC') });
    const md = renderPlanMarkdown({ ...doc, policy: { destructive: 'require-approval', approvers: ['alice', 'bob'] } });
    expect(md).toContain('apply needs `--allow-destructive` and `--approved-by` one of: alice, bob.');
    expect(md).toContain('**Next:** `migrate apply --allow-destructive --approved-by NAME` (NAME: one of alice, bob)');
  });

  it('escapes user-provided names: no HTML, no mention, no broken code fence', () => {
    const evil = 'x`<img src=1 onerror=alert(1)>@admins```';
    const doc = planned(
      desired({ shop: jobConfig({ databases: [{ name: evil, target: evil, tables: { include: ['*.*'], exclude: [] } }] }) }),
      null,
      {},
    );
    const withWarning = {
      ...doc,
      diagnostics: [{ severity: 'warning' as const, summary: `${evil} has no primary key **bold**` }],
    };
    const md = renderPlanMarkdown(withWarning);
    // inside a fenced block text is inert; the fence is longer than any backtick run in it
    const fences = md.match(/^(`{3,})diff\n[\s\S]*?\n\1$/gm) ?? [];
    expect(fences).toHaveLength(3);
    expect(fences.filter((f) => f.startsWith('````diff\n'))).toHaveLength(1);
    const prose = fences.reduce((s, f) => s.replace(f, ''), md);
    expect(prose).not.toContain('<img');
    expect(prose).not.toContain('@admins');
    expect(prose).toContain('x\\`&lt;img src=1 onerror=alert(1)&gt;&#64;admins\\`\\`\\` has no primary key \\*\\*bold\\*\\*');
  });

  it('never shows a secret: a profile password resolved from the environment appears nowhere', () => {
    const secret = 'hunter2-Sup3r-secret';
    process.env.MIGRATE_TEST_MD_PW = secret;
    try {
      const decl = declaration(
        [profileSpec('src', { password: '${env:MIGRATE_TEST_MD_PW}' }), profileSpec('dst')],
        [jobSpec('shop')],
      );
      const recorded = stateDoc([], {
        ...defaultProfiles(),
        src: profileRecord({ passwordRef: 'env:OLD', passwordFingerprint: 'ab'.repeat(16) }),
      });
      const doc = makePlan(decl, recorded, {}, new Date(T0), {}, [], buildDesired(decl, recorded.profiles));
      const md = renderPlanMarkdown(doc);
      expect(md).toContain('profile.src');
      expect(md).toContain('env:MIGRATE_TEST_MD_PW');
      expect(md).not.toContain(secret);
      expect(JSON.stringify(doc)).not.toContain(secret);
    } finally {
      delete process.env.MIGRATE_TEST_MD_PW;
    }
  });

  it('says there is nothing to do for an empty plan', () => {
    expect(renderPlanMarkdown(planDocument([]))).toBe(
      [
        '<!-- migrate-plan -->',
        '',
        '**No changes.** The declaration matches the recorded state.',
        '',
        '**Next:** nothing to apply.',
        '',
        `<sub>Plan made ${T0} against state serial 3.</sub>`,
        '',
      ].join('\n'),
    );
  });
});
