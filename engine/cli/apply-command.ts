import { hostname } from 'node:os';
import { settlement } from '../apply/settled.js';
import { assertFresh, executePlan, StalePlanError, whoAmI } from '../apply/execute-plan.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { refreshAndPlan } from '../plan/refresh.js';
import type { PlanDocument } from '../plan/plan-document.js';
import { renderPlan } from '../plan/render-plan.js';
import { progressMode } from '../progress/progress-mode.js';
import { jobLine } from '../progress/render-status.js';
import { TtyProgress } from '../progress/tty-progress.js';
import { systemClock } from '../runtime/clock.js';
import { CatalogCache } from '../runtime/catalog-cache.js';
import { Worker } from '../runtime/worker.js';
import { leaseAlive } from '../../state/lease-liveness.js';
import { LockError, type StateBackend } from '../../state/state-backend.js';
import { loadOrFail } from './load-or-fail.js';
import { openBackend, readRecorded } from './cli-context.js';
import { confirm, isInteractive } from './confirm.js';
import { CliError, EXIT } from './exit-codes.js';
import { collectStatus } from './status-command.js';
import { stderrLogger } from './stderr-logger.js';
import { readPlanFile } from './read-plan-file.js';
import { withPolicyFile } from './policy-option.js';
import { checkApproval } from '../policy/check-approval.js';
import { DEFAULT_POLICY, stricterPolicy, type Policy } from '../policy/policy.js';
import { policyDiagnostics } from '../policy/policy-diagnostics.js';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';

export interface ApplyOptions {
  file: string;
  autoApprove?: boolean;
  allowDestructive?: boolean;
  /** Seconds to wait for jobs to reach their desired state (0 = no limit). */
  timeout?: number;
  wait?: boolean;
  restart?: string[];
  /** Run live checks before planning (default true; `--no-refresh` to skip). */
  refresh?: boolean;
  /** A YAML file with a `policy:` block, applied on top of the declared one (stricter wins). */
  policy?: string;
  /** Who approves the destructive actions (policy `destructive: require-approval`); default env MIGRATE_APPROVED_BY. */
  approvedBy?: string;
  /** False for `--no-color`: plain progress lines even on a terminal (as do NO_COLOR and CI). */
  color?: boolean;
}

/**
 * `migrate apply [PLANFILE]`: lock, plan (or load a saved plan and check it
 * is fresh), confirm, record the new desired state, then drive the jobs with
 * an embedded worker until each reaches its desired state.
 */
export async function applyCommand(planFile: string | undefined, opts: ApplyOptions): Promise<number> {
  const logger = stderrLogger();
  logger.debug('command started', { sinceStartMs: Math.round(performance.now()) });
  const declaration = await withPolicyFile((await loadOrFail(opts.file)).declaration, opts.policy);
  const backend = openBackend(declaration);
  logger.debug('declaration loaded', { sinceStartMs: Math.round(performance.now()) });
  let lock;
  try {
    lock = await backend.lock({ who: whoAmI(), host: hostname(), pid: process.pid, operation: 'apply' });
  } catch (err) {
    if (err instanceof LockError) throw new CliError(`Error acquiring the state lock: ${err.message}`, EXIT.LOCKED);
    throw err;
  }
  if (lock.tookOverFrom) {
    const h = lock.tookOverFrom;
    process.stderr.write(
      `Took over the state lock ${h.id} of ${h.who} (pid ${h.pid} on ${h.host}, operation ${h.operation}, since ${h.created}): that process is no longer running.\n`,
    );
  }

  const interrupted = new AbortController();
  const forced = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!interrupted.signal.aborted) {
      process.stderr.write(
        `\n${sig} received: stopping gracefully (jobs stay resumable, the lock is released); repeat to stop now...\n`,
      );
      interrupted.abort();
    } else forced.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let worker: Worker | null = null;
  try {
    const { state, runtimes, leases } = await readRecorded(backend);
    logger.debug('state read', { sinceStartMs: Math.round(performance.now()) });
    const catalogs = new CatalogCache();
    let plan: PlanDocument;
    let policy: Policy = declaration.policy;
    if (planFile) {
      plan = readPlanFile(planFile);
      try {
        assertFresh(plan, state, runtimes);
      } catch (err) {
        if (err instanceof StalePlanError) throw new CliError(err.message);
        throw err;
      }
      // the policy may have tightened since the plan was saved, never loosened: check it again
      policy = stricterPolicy(policy, plan.policy ?? DEFAULT_POLICY);
      const refused = policyDiagnostics(plan.actions, { policy, declared: declaration.jobs, recorded: state?.jobs ?? {} });
      if (refused.length) {
        throw new CliError(`${refused.map(formatDiagnostic).join('\n')}\napply refused by policy: nothing was changed.`);
      }
    } else {
      plan = await refreshAndPlan(declaration, state, runtimes, {
        restart: opts.restart ?? [],
        refresh: opts.refresh,
        catalogs,
        logger,
        at: systemClock(),
        leases,
      });
    }
    process.stdout.write(`${renderPlan(plan)}\n`);
    logger.debug('plan shown', { sinceStartMs: Math.round(performance.now()) });
    if (hasErrors(plan.diagnostics)) return EXIT.ERROR;

    let current = state;
    if (plan.actions.length) {
      const interactive = isInteractive();
      if (plan.destructive && !opts.allowDestructive && !interactive) {
        throw new CliError(
          'the plan has destructive actions (marked [DESTRUCTIVE]); re-run with --allow-destructive to allow them',
        );
      }
      const approval = checkApproval(policy, plan.destructive, opts.approvedBy ?? process.env.MIGRATE_APPROVED_BY);
      if (approval.kind === 'refused') throw new CliError(approval.message);
      if (approval.kind === 'approved') {
        process.stdout.write(`Destructive actions approved by ${approval.by} (policy destructive: require-approval).\n`);
        logger.info('destructive actions approved', { approvedBy: approval.by });
      }
      // a saved plan was reviewed when it was made (Terraform semantics): no second confirmation
      if (!opts.autoApprove && !planFile) {
        if (!interactive) {
          throw new CliError(
            'apply needs confirmation: no terminal to ask on; re-run with --auto-approve (after reviewing the plan)',
          );
        }
        const question = plan.destructive
          ? '\nDo you want to perform these actions, INCLUDING THE DESTRUCTIVE ONES?'
          : '\nDo you want to perform these actions?';
        if (!(await confirm(question))) {
          process.stdout.write('Apply cancelled.\n');
          return EXIT.ERROR;
        }
      }
      // the audit trail (state history) names the approver next to who ran apply
      const by = approval.kind === 'approved' ? `${whoAmI()} (approved by ${approval.by})` : whoAmI();
      current = await executePlan(backend, plan, state, systemClock(), logger, by);
      const { add, change, destroy } = plan.summary;
      process.stdout.write(
        `\nRecorded: ${add} added, ${change} changed, ${destroy} destroyed (state serial ${current.serial}).\n`,
      );
    }
    if (opts.wait === false || !current) return EXIT.OK;

    const jobs = Object.keys(current.jobs).filter((n) => declaration.jobs[n]);
    const catchUp = new Set(plan.actions.filter((a) => a.kind === 'take-over').map((a) => a.name));
    worker = new Worker({ backend, logger, clock: systemClock, jobs, catalogs, exclusive: true });
    worker.start();
    const embedded = worker;
    const bars =
      progressMode({ isTTY: process.stdout.isTTY, env: process.env, color: opts.color }) === 'bars'
        ? new TtyProgress(process.stdout)
        : null;
    let code: number;
    try {
      code = await waitForJobs(backend, jobs, catchUp, opts.timeout ?? 0, interrupted.signal, () => embedded.nextRunEnd(), bars);
    } finally {
      bars?.stop();
    }
    await worker.shutdown(10_000, forced.signal);
    worker = null;
    if (code === EXIT.OK) {
      const candidates = jobs.filter(
        (n) => current?.jobs[n]?.type === 'continuous' && current.jobs[n]?.desiredState === 'running',
      );
      const streaming: string[] = [];
      for (const n of candidates) if (!leaseAlive(await backend.readLease(n), new Date())) streaming.push(n);
      if (streaming.length) {
        process.stdout.write(
          `${streaming.map((n) => `job.${n}`).join(', ')} stream${streaming.length > 1 ? '' : 's'} changes only while a worker serves ${streaming.length > 1 ? 'them' : 'it'}: keep \`migrate worker\` running (this apply's embedded worker stops now).\n`,
        );
      }
    }
    return code;
  } finally {
    await worker?.shutdown(10_000, forced.signal);
    await backend.unlock(lock.id).catch(() => undefined);
    await backend.close?.();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** How long apply keeps waiting for a job blocked on a setting or credential before it reports it and returns. */
const BLOCKED_GRACE_MS = 10_000;
/** …and for a job that cannot reach its servers to start. */
const UNREACHABLE_GRACE_MS = 30_000;

async function waitForJobs(
  backend: StateBackend,
  jobs: string[],
  /** Jobs taken over: continuous ones are settled only once caught up. */
  catchUp: ReadonlySet<string>,
  timeoutSec: number,
  signal: AbortSignal,
  /** Resolves when the embedded worker finished running a job: look again at once rather than at the next poll. */
  runEnded: () => Promise<void>,
  /** Live bars on a terminal; null: plain lines, one per change (and every 30 s). */
  bars: TtyProgress | null,
): Promise<number> {
  const started = Date.now();
  const last = new Map<string, string>();
  /** When each job was first seen blocked on a setting or credential (a fix may be under way: give it a moment). */
  const blockedSince = new Map<string, number>();
  let lastPrint = 0;
  for (;;) {
    const views = await collectStatus(backend, undefined, { service: false });
    const mine = views.filter((v) => jobs.includes(v.name));
    const now = Date.now();
    const states = mine.map((v) => {
      let s = settlement(v, { catchUp: catchUp.has(v.name) });
      if (s === 'blocked') {
        const since = blockedSince.get(v.name) ?? now;
        blockedSince.set(v.name, since);
        // a setting is rarely fixed in seconds; an unreachable server may be restarting: give it longer
        if (now - since < (v.error?.retry === 'configuration' ? BLOCKED_GRACE_MS : UNREACHABLE_GRACE_MS)) s = 'pending';
      } else blockedSince.delete(v.name);
      return { v, s };
    });
    if (bars) bars.render(mine, now);
    else {
      for (const { v } of states) {
        const key = `${v.status}/${v.substatus}/${v.databases.map((d) => d.fullLoadCompletedTables).join(',')}`;
        if (last.get(v.name) !== key || now - lastPrint > 30_000) {
          process.stdout.write(`${jobLine(v)}\n`);
          last.set(v.name, key);
          lastPrint = now;
        }
      }
    }
    if (states.every((x) => x.s !== 'pending')) {
      bars?.stop();
      const failed = states.filter((x) => x.s === 'failed');
      const blocked = states.filter((x) => x.s === 'blocked');
      for (const { v } of failed)
        process.stderr.write(`job.${v.name} failed in ${v.substatus ?? 'no phase'}: ${v.error?.message ?? 'unknown error'}\n`);
      for (const { v } of blocked) {
        process.stderr.write(
          `job.${v.name} cannot go on until this is fixed: ${v.error?.message ?? 'unknown error'}\n` +
            `  it keeps its progress: fix the cause, then run \`migrate apply\` again (a running \`migrate worker\` retries by itself)\n`,
        );
      }
      process.stdout.write(
        failed.length || blocked.length
          ? 'Apply finished with jobs that did not reach their desired state.\n'
          : 'Apply complete: every job reached its desired state.\n',
      );
      return failed.length || blocked.length ? EXIT.ERROR : EXIT.OK;
    }
    if (signal.aborted) return EXIT.INTERRUPTED;
    if (timeoutSec > 0 && now - started > timeoutSec * 1000) {
      bars?.stop();
      process.stderr.write(
        `\ntimed out after ${timeoutSec}s waiting for jobs to reach their desired state; they keep their progress (run \`migrate apply\` or \`migrate worker\` to continue)\n`,
      );
      return EXIT.TIMEOUT;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, 200);
      signal.addEventListener('abort', done, { once: true });
      void runEnded().then(done);
    });
  }
}
