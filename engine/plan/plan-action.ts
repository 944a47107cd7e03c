import type { JobAction } from '../lifecycle/lifecycle-table.js';
import type { JobStatus, Substatus } from '../lifecycle/job-status.js';
import type { DatabaseRecord, JobConfigRecord, ProfileRecord } from '../../state/state-document.js';

/** One changed field: `path: before -> after` (values already redacted). */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
  /** True when the change forces the job to be replaced. */
  forcesReplacement?: boolean;
}

/** The observed status an action was planned against; apply re-checks it. */
export interface ObservedStatus {
  status: JobStatus;
  substatus: Substatus | null;
  /**
   * Set when the job has work to do but no live worker holds its lease: when
   * it was last served (the lease's last heartbeat, else its last report).
   */
  unservedSince?: string;
  /** Set on a Failed job that never wrote to the destination: restarting it wipes nothing. */
  pristine?: true;
}

interface ActionBase {
  address: string;
  /** Why the planner proposes this (shown in the `# … will be …` header). */
  reason: string;
  /** Loses data or in-flight work; needs `--allow-destructive`. */
  destructive: boolean;
}

/**
 * Plan actions, a discriminated union on `kind`. Each carries everything apply
 * needs to execute it exactly as shown, without recomputing.
 */
export type PlanAction =
  | (ActionBase & { kind: 'create-profile'; name: string; after: ProfileRecord })
  | (ActionBase & { kind: 'update-profile'; name: string; after: ProfileRecord; changes: FieldChange[] })
  | (ActionBase & { kind: 'delete-profile'; name: string })
  | (ActionBase & { kind: 'create-job'; name: string; after: JobConfigRecord; start: boolean })
  | (ActionBase & {
      kind: 'replace-job';
      name: string;
      after: JobConfigRecord;
      start: boolean;
      changes: FieldChange[];
      observed: ObservedStatus;
    })
  | (ActionBase & { kind: 'delete-job'; name: string; observed: ObservedStatus })
  | (ActionBase & { kind: 'update-job'; name: string; changes: FieldChange[]; after: JobConfigRecord })
  | (ActionBase & {
      kind: 'transition';
      name: string;
      action: Exclude<JobAction, 'delete'>;
      observed: ObservedStatus;
      after: JobConfigRecord;
    })
  | (ActionBase & { kind: 'take-over'; name: string; observed: ObservedStatus })
  | (ActionBase & { kind: 'add-database'; name: string; database: DatabaseRecord })
  | (ActionBase & { kind: 'remove-database'; name: string; database: DatabaseRecord })
  | (ActionBase & { kind: 'update-database'; name: string; database: DatabaseRecord; changes: FieldChange[] });

export type PlanActionKind = PlanAction['kind'];

/** Terraform's symbols: `+` create, `~` change in place, `-` destroy, `-/+` replace. */
export function actionSymbol(a: PlanAction): '+' | '~' | '-' | '-/+' {
  switch (a.kind) {
    case 'create-profile':
    case 'create-job':
    case 'add-database':
      return '+';
    case 'delete-profile':
    case 'delete-job':
    case 'remove-database':
      return '-';
    case 'replace-job':
      return '-/+';
    case 'transition':
      return a.action === 'restart' ? '-/+' : '~';
    default:
      return '~';
  }
}
