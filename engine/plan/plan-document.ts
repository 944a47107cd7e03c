import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PlanAction } from './plan-action.js';
import { actionSymbol } from './plan-action.js';
import type { PolicyRecord } from '../policy/policy.js';

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
}

/**
 * A plan as printed by `plan --json` and saved by `plan -out FILE`
 * (schema: schemas/plan.schema.json). `state` pins the recorded state it was
 * made against; apply refuses it when that moved ("plan is stale").
 */
export interface PlanDocument {
  formatVersion: 1;
  createdAt: string;
  /** Absolute path of the declaration the plan came from. */
  declaration: string;
  state: { lineage: string | null; serial: number };
  actions: PlanAction[];
  diagnostics: Diagnostic[];
  summary: PlanSummary;
  /** True when any action is destructive. */
  destructive: boolean;
  /** The policy the plan was checked against, when not the default (`destructive: allow`). */
  policy?: PolicyRecord;
}

export function summarize(actions: readonly PlanAction[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, destroy: 0 };
  for (const a of actions) {
    const sym = actionSymbol(a);
    if (sym === '+') s.add++;
    else if (sym === '-') s.destroy++;
    else if (sym === '-/+') {
      s.add++;
      s.destroy++;
    } else s.change++;
  }
  return s;
}
