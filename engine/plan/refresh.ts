import type { Declaration } from '../config/declaration.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { observedStatus } from '../lifecycle/observed-status.js';
import type { Catalog } from '../../providers/catalog.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import { artifactName } from '../runtime/artifact-name.js';
import { endsCheck, type CatalogCache } from '../runtime/catalog-cache.js';
import { describeError } from '../runtime/combine-errors.js';
import { checkJobEnds, inspectDatabase, type JobEnds } from '../runtime/job-prerequisites.js';
import type { Logger } from '../runtime/logger.js';
import { timed } from '../runtime/timed.js';
import { resolveProfile } from '../runtime/resolve-profile.js';
import { providerFor } from '../../providers/provider-registry.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { Lease } from '../../state/state-backend.js';
import type { DatabaseRecord, JobConfigRecord, ProfileRecord, StateDocument } from '../../state/state-document.js';
import { buildDesired } from './build-desired.js';
import { makePlan } from './make-plan.js';
import type { PlanAction } from './plan-action.js';
import type { PlanDocument } from './plan-document.js';

export interface RefreshResult {
  runtimes: Record<string, JobRuntime | null>;
  diagnostics: Diagnostic[];
}

/** At most this many jobs are checked at once (each opens a connection per end, and one per database inspected). */
const CHECK_CONCURRENCY = 4;

/**
 * Cheap live checks before planning (Terraform's refresh): a continuous job
 * whose replication slot or publication vanished behind our back is drift —
 * it is reported as Failed so the plan proposes the restart it needs.
 * Nothing is written; an unreachable server is a warning, not an error.
 */
export async function refresh(
  state: StateDocument | null,
  runtimes: Record<string, JobRuntime | null>,
  logger: Logger,
  at: Date,
): Promise<RefreshResult> {
  const out: Record<string, JobRuntime | null> = { ...runtimes };
  const diagnostics: Diagnostic[] = [];
  for (const record of Object.values(state?.jobs ?? {})) {
    if (record.type !== 'continuous' || !state) continue;
    const rt = runtimes[record.name] ?? null;
    const { status } = observedStatus(record, rt);
    if (!rt || !['RUNNING', 'RUNNING_WITH_ERRORS', 'STOPPED'].includes(status)) continue;
    const profile = state.profiles[record.source];
    if (!profile) continue;
    const source = (await providerFor(profile.engine)).source(resolveProfile(record.source, profile), { logger });
    const dstProfile = state.profiles[record.destination];
    const destination =
      source.captureGap && dstProfile
        ? (await providerFor(dstProfile.engine)).destination(resolveProfile(record.destination, dstProfile), { logger })
        : null;
    try {
      for (const db of rt.databases) {
        if (db.migrationState !== 'CDC' && db.migrationState !== 'READY_TO_COMPLETE') continue;
        const declared = record.databases.find((d) => d.name === db.name);
        if (!declared) continue;
        const name = artifactName(record.name, db.name, state.lineage);
        let message: string | null;
        if (source.captureGap && destination) {
          const checkpoint = await destination.readCheckpoint(declared.target, record.name, db.name);
          message = checkpoint ? await source.captureGap(db.name, checkpoint) : null;
        } else {
          message = (await source.artifactsExist(db.name, name))
            ? null
            : `the replication slot or publication ${name} on ${db.name} was removed outside migrate: changes since then are lost to this job`;
        }
        if (message === null) continue;
        diagnostics.push({
          severity: 'warning',
          summary: `drift: job.${record.name}: ${message}`,
          address: `job.${record.name}`,
        });
        out[record.name] = {
          ...rt,
          status: 'FAILED',
          error: { message, at: at.toISOString(), phase: rt.substatus, fatal: true },
        };
      }
    } catch (err) {
      diagnostics.push({
        severity: 'warning',
        summary: `could not refresh job.${record.name}: ${describeError(err)}`,
        address: `job.${record.name}`,
      });
    } finally {
      await source.close();
      await destination?.close();
    }
  }
  return { runtimes: out, diagnostics };
}

/** A job the plan would run (start, resume, restart, take over, or a database added to it), and which databases. */
interface RunCheck {
  name: string;
  job: JobConfigRecord;
  databases: DatabaseRecord[];
  /** Name keyless tables (a continuous job's first start). */
  keyless: boolean;
}

function runChecks(actions: readonly PlanAction[], state: StateDocument | null): RunCheck[] {
  const byJob = new Map<string, RunCheck>();
  const add = (name: string, job: JobConfigRecord | undefined, dbs: DatabaseRecord[], keyless: boolean) => {
    if (!job) return;
    const c = byJob.get(name) ?? { name, job, databases: [], keyless: false };
    for (const d of dbs) if (!c.databases.some((x) => x.name === d.name)) c.databases.push(d);
    c.keyless ||= keyless;
    byJob.set(name, c);
  };
  for (const a of actions) {
    if ((a.kind === 'create-job' || a.kind === 'replace-job') && a.start) add(a.name, a.after, a.after.databases, true);
    if (a.kind === 'transition' && a.action !== 'stop' && a.action !== 'promote') {
      add(a.name, a.after, a.after.databases, a.action !== 'resume');
    }
    if (a.kind === 'take-over') {
      const job = state?.jobs[a.name];
      add(a.name, job, job?.databases ?? [], false);
    }
    if (a.kind === 'add-database') add(a.name, state?.jobs[a.name], [a.database], true);
  }
  // a selection changed on a running job: its backfill is inspected under the new selection
  for (const a of actions) {
    if (a.kind !== 'update-database') continue;
    const c = byJob.get(a.name);
    if (c) c.databases = c.databases.map((d) => (d.name === a.database.name ? a.database : d));
    else add(a.name, state?.jobs[a.name], [a.database], true);
  }
  return [...byJob.values()];
}

/** Run `tasks` with at most `limit` at a time; results in task order. */
async function pooled<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < tasks.length; i = next++) results[i] = await (tasks[i] as () => Promise<T>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}

/**
 * What `apply` would run must be able to run: each job's ends are checked
 * (connect, authenticate, settings, privileges) and each database it would
 * dump is inspected (objects not migrated, keyless tables, roles and
 * extensions the destination lacks). Errors fail the plan, naming the profile
 * and the setting, before anything is written. A few checks run at once.
 */
async function checkRuns(
  checks: RunCheck[],
  profiles: Record<string, ProfileRecord>,
  logger: Logger,
  catalogs: CatalogCache | undefined,
): Promise<Diagnostic[]> {
  const opened: { check: RunCheck; ends: JobEnds; source: ResolvedProfile; destination: ResolvedProfile }[] = [];
  const out: Diagnostic[] = [];
  for (const check of checks) {
    const { name, job } = check;
    const src = profiles[job.source];
    const dst = profiles[job.destination];
    if (!src || !dst) continue;
    try {
      const source = resolveProfile(job.source, src);
      const destination = resolveProfile(job.destination, dst);
      opened.push({
        check,
        source,
        destination,
        ends: {
          name,
          job,
          source: (await providerFor(src.engine)).source(source, { logger }),
          destination: (await providerFor(dst.engine)).destination(destination, { logger }),
        },
      });
    } catch (err) {
      out.push({ severity: 'error', summary: `job.${name}: ${describeError(err)}`, address: `job.${name}` });
    }
  }
  try {
    // both at once (the plan waits for them); a job whose ends fail reports only that, not what follows from it
    const inspections = opened.flatMap(({ check, ends, source }, job) =>
      check.databases.map((db) => ({
        job,
        run: () =>
          timed(logger, 'inspect', { job: check.name, database: db.name }, () =>
            inspect(ends, db, check.keyless, (c) => catalogs?.put(source, db.name, db.tables, c)),
          ),
      })),
    );
    const [endResults, found] = await Promise.all([
      pooled(
        opened.map(
          ({ check, ends }) =>
            () =>
              timed(logger, 'check job ends', { job: check.name }, () => checkJobEnds(ends, check.databases)),
        ),
        CHECK_CONCURRENCY,
      ),
      pooled(
        inspections.map((i) => i.run),
        CHECK_CONCURRENCY,
      ),
    ]);
    const failedEnds = new Set(endResults.flatMap((r, job) => (r.some((d) => d.severity === 'error') ? [job] : [])));
    opened.forEach(({ check, source, destination }, job) => {
      if (failedEnds.has(job)) return;
      // apply's worker starts these jobs within moments: it need not check again
      catalogs?.putChecked(source, destination, endsCheck(check.job, check.databases));
    });
    const inspected = found.filter((_, i) => !failedEnds.has(inspections[i]?.job ?? -1));
    return [...out, ...endResults.flat(), ...inspected.flat()];
  } finally {
    await Promise.all(opened.flatMap(({ ends }) => [ends.source.close(), ends.destination.close()]));
  }
}

async function inspect(
  ends: JobEnds,
  db: DatabaseRecord,
  keyless: boolean,
  keep: (catalog: Catalog) => void,
): Promise<Diagnostic[]> {
  try {
    const catalog = await ends.source.introspect(db.name, db.tables);
    keep(catalog);
    return await inspectDatabase(ends, db, catalog, { keyless });
  } catch (err) {
    const address = `job.${ends.name}.database.${db.name}`;
    return [{ severity: 'error', summary: `${address}: cannot read the source catalog: ${describeError(err)}`, address }];
  }
}

/** Refresh (unless `refresh` is false), then plan: what `plan` prints and `apply` runs without a saved plan. */
export async function refreshAndPlan(
  decl: Declaration,
  state: StateDocument | null,
  runtimes: Record<string, JobRuntime | null>,
  opts: {
    restart: string[];
    refresh?: boolean;
    logger: Logger;
    at: Date;
    leases: Record<string, Lease | null>;
    /** Filled with the catalogs read while checking, for the jobs' first introspection (apply). */
    catalogs?: CatalogCache;
  },
): Promise<PlanDocument> {
  const options = { restart: opts.restart, service: { leases: opts.leases, now: opts.at } };
  // once: every secret is fingerprinted with a deliberately slow hash
  const desired = buildDesired(decl, state?.profiles);
  if (opts.refresh === false) return makePlan(decl, state, runtimes, opts.at, options, [], desired);
  const refreshed = await timed(opts.logger, 'refresh', {}, () => refresh(state, runtimes, opts.logger, opts.at));
  const first = makePlan(decl, state, refreshed.runtimes, opts.at, options, refreshed.diagnostics, desired);
  const checks = runChecks(first.actions, state);
  if (!checks.length) return first;
  const profiles = { ...state?.profiles, ...desired.profiles };
  const found = await timed(opts.logger, 'plan checks', {}, () => checkRuns(checks, profiles, opts.logger, opts.catalogs));
  if (!found.length) return first;
  return makePlan(decl, state, refreshed.runtimes, opts.at, options, [...refreshed.diagnostics, ...found], desired);
}
