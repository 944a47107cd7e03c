import type { Diagnostic } from '../../contract/diagnostic.js';
import { actionLoss } from '../plan/action-loss.js';
import type { PlanAction } from '../plan/plan-action.js';
import type { Policy } from './policy.js';

/**
 * `policy: { destructive: deny }`: each destructive action is an error (the
 * plan fails with exit 1), for pull-request plans that must not propose
 * data loss. Other policies add nothing here (approval is checked by apply).
 */
export function denyDiagnostics(actions: readonly PlanAction[], policy: Policy): Diagnostic[] {
  if (policy.destructive !== 'deny') return [];
  return actions
    .filter((a) => a.destructive)
    .map((a) => ({
      severity: 'error' as const,
      summary: `policy denies destructive actions: ${a.address} (${actionLoss(a)})`,
      detail:
        'the policy sets destructive: deny, and --allow-destructive does not override it: revert the change, or make it where the policy allows destructive actions',
      field: 'policy.destructive',
      address: a.address,
      ...(policy.location ? { location: policy.location } : {}),
    }));
}
