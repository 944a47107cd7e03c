import type { Declaration } from '../config/declaration.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { StateDocument } from '../../state/state-document.js';
import { buildDesired } from './build-desired.js';
import type { DesiredSnapshot } from './desired-snapshot.js';
import type { PlanDocument } from './plan-document.js';
import { summarize } from './plan-document.js';
import { plan, type PlanOptions } from './planner.js';
import { policyRecord } from '../policy/policy.js';
import { policyDiagnostics } from '../policy/policy-diagnostics.js';

/**
 * Declaration + recorded state → a complete plan document (what `plan` prints
 * and `-out` saves), checked against the declaration's policy (`protect`,
 * `policy.destructive: deny`).
 */
export function makePlan(
  decl: Declaration,
  state: StateDocument | null,
  runtimes: Record<string, JobRuntime | null>,
  at: Date,
  options: PlanOptions = {},
  refreshDiagnostics: Diagnostic[] = [],
  /** The declaration as state records it, when the caller has it already (fingerprinting secrets is slow on purpose). */
  desired: DesiredSnapshot = buildDesired(decl, state?.profiles),
): PlanDocument {
  const planned = plan(desired, state, runtimes, options);
  const result = { ...planned, diagnostics: [...refreshDiagnostics, ...planned.diagnostics] };
  const actions = hasErrors(result.diagnostics) ? [] : result.actions;
  // policy errors keep the actions: the reviewer sees what the policy refuses
  const refused = policyDiagnostics(actions, { policy: decl.policy, declared: decl.jobs, recorded: state?.jobs ?? {} });
  const policy = policyRecord(decl.policy);
  return {
    formatVersion: 1,
    createdAt: at.toISOString(),
    declaration: decl.dir,
    state: { lineage: state?.lineage ?? null, serial: state?.serial ?? 0 },
    actions,
    diagnostics: [...result.diagnostics, ...refused],
    summary: summarize(actions),
    destructive: actions.some((a) => a.destructive),
    ...(policy ? { policy } : {}),
  };
}
