import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PLAN_COMMENT_MARKER } from '../../engine/plan/render-plan-markdown.js';

/** examples/github-actions/migrate.yml stays coherent with the CLI: its commands, and one comment per pull request. */

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: { script?: string };
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { if: string; steps: Step[] }>;
}

const file = fileURLToPath(new URL('../../examples/github-actions/migrate.yml', import.meta.url));
const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
const runs = (job: string): string => (workflow.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');

interface Comment {
  id: number;
  body: string;
  user: { type: string };
}

/** Run the workflow's github-script step against an in-memory pull request thread. */
async function postComment(dir: string, thread: Comment[]): Promise<void> {
  const step = workflow.jobs.plan?.steps.find((s) => s.uses?.startsWith('actions/github-script'));
  const script = step?.with?.script ?? '';
  const rest = {
    issues: {
      listComments: 'list',
      updateComment: ({ comment_id, body }: { comment_id: number; body: string }) => {
        const c = thread.find((x) => x.id === comment_id);
        if (c) c.body = body;
      },
      createComment: ({ body }: { body: string }) => {
        thread.push({ id: thread.length + 100, body, user: { type: 'Bot' } });
      },
    },
  };
  const github = { rest, paginate: (fn: unknown) => (fn === 'list' ? [...thread] : []) };
  const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 }, serverUrl: 'https://github.com', runId: 1 };
  const require = createRequire(import.meta.url);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...a: unknown[]) => Promise<void>;
    await new AsyncFunction('require', 'github', 'context', script)(require, github, context);
  } finally {
    process.chdir(cwd);
  }
}

describe('examples/github-actions/migrate.yml', () => {
  it('plans on pull requests, applies a fresh saved plan on merge, and runs the drift plan on a schedule', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push', 'schedule']);
    expect(runs('plan')).toContain('npx migrate plan -f migrations/ -out plan.json --detailed-exitcode');
    expect(runs('plan')).toContain('npx migrate show plan.json --format markdown > plan.md');
    expect(runs('apply')).toMatch(
      /npx migrate plan -f migrations\/ -out plan\.json\n[\s\S]*npx migrate apply plan\.json -f migrations\//,
    );
    expect(runs('apply')).toContain('MIGRATE_APPROVED_BY=');
    expect(runs('drift')).toContain('npx migrate plan -f migrations/ -out drift.json --detailed-exitcode');
    expect(runs('drift')).toContain('npx migrate show drift.json --format markdown >> "$GITHUB_STEP_SUMMARY"');
    expect(runs('drift')).toContain('exit "$code"');
  });

  it('creates one comment per pull request and updates it on the next push (found by the marker)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-gha-'));
    const thread: Comment[] = [{ id: 1, body: 'LGTM', user: { type: 'User' } }];
    writeFileSync(join(dir, 'plan.md'), `${PLAN_COMMENT_MARKER}\n\n**Plan: 1 to add, 0 to change, 0 to destroy.**\n`);
    await postComment(dir, thread);
    writeFileSync(join(dir, 'plan.md'), `${PLAN_COMMENT_MARKER}\n\n**No changes.**\n`);
    await postComment(dir, thread);
    expect(thread.map((c) => c.body)).toEqual(['LGTM', `${PLAN_COMMENT_MARKER}\n\n**No changes.**\n`]);

    // a plan that never rendered (the declaration did not load) still updates the same comment
    writeFileSync(join(dir, 'plan.md'), '');
    await postComment(dir, thread);
    expect(thread).toHaveLength(2);
    expect(thread[1]?.body).toMatch(/^<!-- migrate-plan -->\n\n\*\*migrate plan failed before planning\*\*/);
  });
});
