import type { Declaration } from '../config/declaration.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { observedStatus } from '../lifecycle/observed-status.js';
import { artifactName } from '../runtime/artifact-name.js';
import type { Logger } from '../runtime/logger.js';
import { resolveProfile } from '../runtime/resolve-profile.js';
import { providerFor } from '../../providers/provider-registry.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { StateDocument } from '../../state/state-document.js';
import { buildDesired } from './build-desired.js';
import { makePlan } from './make-plan.js';
import type { PlanDocument } from './plan-document.js';

export interface RefreshResult {
  runtimes: Record<string, JobRuntime | null>;
  diagnostics: Diagnostic[];
}

/**
 * Cheap live checks before planning (Terraform's refresh): a continuous job
 * whose replication slot or publication vanished behind our back is drift —
 * it is reported as Failed so the plan proposes the restart it needs — and
 * keyless tables of continuous jobs about to start are named as warnings.
 * Nothing is written; an unreachable server is a warning, not an error.
 */
export async function refresh(
  decl: Declaration,
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
    const source = providerFor(profile.engine).source(resolveProfile(record.source, profile), { logger });
    try {
      for (const db of rt.databases) {
        if (db.migrationState !== 'CDC' && db.migrationState !== 'READY_TO_COMPLETE') continue;
        if (!record.databases.some((d) => d.name === db.name)) continue;
        const name = artifactName(record.name, db.name, state.lineage);
        if (await source.artifactsExist(db.name, name)) continue;
        const message = `the replication slot or publication ${name} on ${db.name} was removed outside migrate: changes since then are lost to this job`;
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
        summary: `could not refresh job.${record.name}: ${(err as Error).message}`,
        address: `job.${record.name}`,
      });
    } finally {
      await source.close();
    }
  }

  // keyless tables of continuous jobs that will start now
  const desired = buildDesired(decl, state?.profiles);
  for (const [name, job] of Object.entries(desired.jobs)) {
    const record = state?.jobs[name];
    if (job.type !== 'continuous' || job.desiredState !== 'running' || (record && record.generation > 0)) continue;
    const profile = desired.profiles[job.source];
    if (!profile) continue;
    let source;
    try {
      source = providerFor(profile.engine).source(resolveProfile(job.source, profile), { logger });
      for (const db of job.databases) {
        const catalog = await source.introspect(db.name, db.tables);
        const keyless = await source.tablesWithoutKey(
          db.name,
          catalog.tables.filter((t) => t.kind !== 'partitioned'),
        );
        if (keyless.length) {
          diagnostics.push({
            severity: 'warning',
            summary: `job.${name}: ${keyless.map((t) => `${t.schema}.${t.name}`).join(', ')} in ${db.name} ha${keyless.length > 1 ? 've' : 's'} no primary key`,
            detail:
              'migrate sets REPLICA IDENTITY FULL on them at start so updates and deletes replicate exactly (whole old rows are then written to WAL)',
            address: `job.${name}.database.${db.name}`,
          });
        }
      }
    } catch (err) {
      diagnostics.push({
        severity: 'warning',
        summary: `could not inspect job.${name}'s source: ${(err as Error).message}`,
        address: `job.${name}`,
      });
    } finally {
      await source?.close();
    }
  }
  return { runtimes: out, diagnostics };
}

/** Refresh (unless `refresh` is false), then plan: what `plan` prints and `apply` runs without a saved plan. */
export async function refreshAndPlan(
  decl: Declaration,
  state: StateDocument | null,
  runtimes: Record<string, JobRuntime | null>,
  opts: { restart: string[]; refresh?: boolean; logger: Logger; at: Date },
): Promise<PlanDocument> {
  const refreshed =
    opts.refresh === false ? { runtimes, diagnostics: [] } : await refresh(decl, state, runtimes, opts.logger, opts.at);
  return makePlan(decl, state, refreshed.runtimes, opts.at, { restart: opts.restart }, refreshed.diagnostics);
}
