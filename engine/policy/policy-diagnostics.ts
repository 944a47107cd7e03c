import type { Diagnostic } from '../../contract/diagnostic.js';
import type { PlanAction } from '../plan/plan-action.js';
import { denyDiagnostics } from './deny-diagnostics.js';
import type { Policy } from './policy.js';
import { protectDiagnostics, type ProtectedJob } from './protect-diagnostics.js';

export interface PolicyInput {
  policy: Policy;
  /** Declared jobs (their `protect` and location). */
  declared: Readonly<Record<string, ProtectedJob>>;
  /** Jobs as recorded in state (their recorded `protect`). */
  recorded: Readonly<Record<string, ProtectedJob>>;
}

/**
 * The policy errors of a set of actions: protected jobs and `destructive:
 * deny`. Pure; plan adds them to the document (keeping the actions, so a
 * reviewer sees what was refused) and apply re-checks a saved plan with them.
 */
export function policyDiagnostics(actions: readonly PlanAction[], input: PolicyInput): Diagnostic[] {
  return [...protectDiagnostics(actions, input.declared, input.recorded), ...denyDiagnostics(actions, input.policy)];
}
