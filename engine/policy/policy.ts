import type { SourceLocation } from '../../contract/diagnostic.js';

/**
 * What a team allows of destructive actions: `allow` (default, today's
 * behaviour: `--allow-destructive` or a yes on a terminal), `require-approval`
 * (also a named approver), `deny` (the plan fails).
 */
export type DestructivePolicy = 'allow' | 'require-approval' | 'deny';

/** The part of a policy a saved plan records (schemas/plan.schema.json `policy`). */
export interface PolicyRecord {
  destructive: DestructivePolicy;
  /** Names `--approved-by` accepts under require-approval; default none. */
  approvers: string[];
}

/** A declared (`policy:`) or `--policy FILE` policy, with where it was written. */
export interface Policy extends PolicyRecord {
  /** Absent for the default policy. */
  location?: SourceLocation;
}

export const DEFAULT_POLICY: Readonly<PolicyRecord> = Object.freeze({ destructive: 'allow', approvers: [] });

const RANK: Record<DestructivePolicy, number> = { allow: 0, 'require-approval': 1, deny: 2 };

/**
 * The stricter of two policies, so a `--policy` file (or a saved plan's
 * policy) can tighten the declared one but never loosen it. When both require
 * approval and both name approvers, only names on both lists count.
 */
export function stricterPolicy(a: Policy, b: Policy): Policy {
  const [strict, other] = RANK[b.destructive] > RANK[a.destructive] ? [b, a] : [a, b];
  const approvers =
    strict.destructive === 'require-approval' && other.destructive === 'require-approval' && other.approvers.length
      ? strict.approvers.filter((n) => other.approvers.includes(n))
      : [...strict.approvers];
  return { ...strict, approvers };
}

/** What a plan document records of a policy: nothing for the default. */
export function policyRecord(p: PolicyRecord): PolicyRecord | undefined {
  return p.destructive === 'allow' ? undefined : { destructive: p.destructive, approvers: [...p.approvers] };
}
