import type { PolicyRecord } from './policy.js';

export type Approval = { kind: 'not-needed' } | { kind: 'approved'; by: string } | { kind: 'refused'; message: string };

/**
 * `destructive: require-approval`: a plan with destructive actions is applied
 * only with `--approved-by NAME` (or MIGRATE_APPROVED_BY) naming one of the
 * policy's approvers. Names compare exactly (they are what CI passes, e.g. a
 * GitHub login). Not needed under allow; deny never gets here (plan fails).
 */
export function checkApproval(policy: PolicyRecord, destructive: boolean, approvedBy: string | undefined): Approval {
  if (!destructive || policy.destructive !== 'require-approval') return { kind: 'not-needed' };
  const name = approvedBy?.trim();
  const list = policy.approvers.length ? policy.approvers.join(', ') : 'none (the approver lists share no name)';
  if (!name) {
    return {
      kind: 'refused',
      message: `apply refused by policy: destructive actions need an approval (destructive: require-approval); re-run with --allow-destructive --approved-by NAME (or set MIGRATE_APPROVED_BY), NAME one of the approvers: ${list}`,
    };
  }
  if (!policy.approvers.includes(name)) {
    return {
      kind: 'refused',
      message: `apply refused by policy: "${name}" is not an approver of destructive actions; the approvers are: ${list}`,
    };
  }
  return { kind: 'approved', by: name };
}
