import { hostname, userInfo } from 'node:os';
import type { PlanDocument } from '../plan/plan-document.js';
import { observedStatus } from '../lifecycle/observed-status.js';
import type { StateBackend } from '../../state/state-backend.js';
import { emptyState } from '../../state/new-lineage.js';
import type { StateDocument } from '../../state/state-document.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import { applyToState } from './apply-to-state.js';

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
export function assertFresh(
  plan: PlanDocument,
  state: StateDocument | null,
  runtimes: Record<string, JobRuntime | null>,
): void {
  const lineage = state?.lineage ?? null;
  const serial = state?.serial ?? 0;
  if (plan.state.lineage === null && lineage !== null) {
    throw new StalePlanError(`it was made before any state existed, and the state is now at serial ${serial}`);
  }
  if (plan.state.lineage !== lineage) {
    throw new StalePlanError(`it was made for state lineage ${plan.state.lineage ?? '(none)'}, the state is now ${lineage ?? '(none)'}`);
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

/** Record the plan's actions in the state (the caller holds the lock). Returns the new state. */
export async function executePlan(backend: StateBackend, plan: PlanDocument, state: StateDocument | null, at: Date): Promise<StateDocument> {
  const base = state ?? emptyState();
  const next = applyToState(base, plan.actions, at.toISOString(), whoAmI());
  await backend.write(next);
  for (const a of plan.actions) {
    // a replaced or deleted job starts over: its old runtime report no longer describes it
    if (a.kind === 'delete-job' || a.kind === 'replace-job') {
      const lease = await backend.readLease(a.name);
      if (!lease || new Date(lease.expiresAt).getTime() < at.getTime()) await backend.deleteRuntime(a.name);
    }
  }
  return next;
}
