import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { PlanDocument } from '../plan/plan-document.js';
import { observedStatus } from '../lifecycle/observed-status.js';
import type { StateBackend } from '../../state/state-backend.js';
import { emptyState } from '../../state/new-lineage.js';
import type { StateDocument } from '../../state/state-document.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import { applyToState } from './apply-to-state.js';
import type { Logger } from '../runtime/logger.js';
import { artifactName } from '../runtime/artifact-name.js';
import { resolveProfile } from '../runtime/resolve-profile.js';
import { providerFor } from '../../providers/provider-registry.js';
import type { DatabaseRecord, JobRecord } from '../../state/state-document.js';

export class StalePlanError extends Error {
  constructor(detail: string) {
    super(`plan is stale: ${detail}; run \`migrate plan\` again`);
    this.name = 'StalePlanError';
  }
}

/**
 * Refuse a saved plan whose state moved since it was made: another apply
 * (serial/lineage), or a job whose observed status changed under it.
 */
export function assertFresh(plan: PlanDocument, state: StateDocument | null, runtimes: Record<string, JobRuntime | null>): void {
  const lineage = state?.lineage ?? null;
  const serial = state?.serial ?? 0;
  if (plan.state.lineage === null && lineage !== null) {
    throw new StalePlanError(`it was made before any state existed, and the state is now at serial ${serial}`);
  }
  if (plan.state.lineage !== lineage) {
    throw new StalePlanError(
      `it was made for state lineage ${plan.state.lineage ?? '(none)'}, the state is now ${lineage ?? '(none)'}`,
    );
  }
  if (plan.state.serial !== serial) {
    throw new StalePlanError(`it was made at state serial ${plan.state.serial}, the state is now at serial ${serial}`);
  }
  for (const a of plan.actions) {
    if (!('observed' in a)) continue;
    const record = state?.jobs[a.name];
    if (!record) throw new StalePlanError(`${a.address} is no longer in the state`);
    const now = observedStatus(record, runtimes[a.name] ?? null);
    if (now.status !== a.observed.status || now.substatus !== a.observed.substatus) {
      throw new StalePlanError(`${a.address} was ${a.observed.status} when planned and is ${now.status} now`);
    }
  }
}

export function whoAmI(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `uid${process.getuid?.() ?? '?'}@${hostname()}`;
  }
}

/**
 * Record the plan's actions in the state (the caller holds the lock). Returns the new state.
 * `by` is who the audit trail names (default: user@host; apply adds the approver of destructive actions).
 */
export async function executePlan(
  backend: StateBackend,
  plan: PlanDocument,
  state: StateDocument | null,
  at: Date,
  logger: Logger,
  by: string = whoAmI(),
): Promise<StateDocument> {
  const base = state ?? emptyState();
  const next = applyToState(base, plan.actions, at.toISOString(), by, () => randomUUID());
  await backend.write(next);
  for (const a of plan.actions) {
    const old = base.jobs[a.name as string];
    if (a.kind === 'delete-job' || a.kind === 'replace-job') {
      // source artifacts go (the source must not keep WAL for us); destination data stays
      if (old) await dropJobArtifacts(base, old, old.databases, logger);
      // a replaced or deleted job starts over: its old runtime report no longer describes it
      const lease = await backend.readLease(a.name);
      if (!lease || new Date(lease.expiresAt).getTime() < at.getTime()) await backend.deleteRuntime(a.name);
    } else if (a.kind === 'remove-database' && old) {
      const lease = await backend.readLease(a.name);
      // a live worker drops them itself when it stops the database's stream
      if (!lease || new Date(lease.expiresAt).getTime() < at.getTime()) await dropJobArtifacts(base, old, [a.database], logger);
    }
  }
  return next;
}

async function dropJobArtifacts(
  state: StateDocument,
  job: JobRecord,
  databases: DatabaseRecord[],
  logger: Logger,
): Promise<void> {
  if (job.type !== 'continuous' || job.generation === 0) return;
  const profile = state.profiles[job.source];
  if (!profile) return;
  const source = (await providerFor(profile.engine)).source(resolveProfile(job.source, profile), { logger });
  try {
    for (const db of databases) {
      await source
        .dropArtifacts(db.name, artifactName(job.name, db.name, state.lineage))
        .catch((err: Error) =>
          logger.warn(`could not remove the replication slot/publication of job.${job.name} on ${db.name}: ${err.message}`),
        );
    }
  } finally {
    await source.close();
  }
}
