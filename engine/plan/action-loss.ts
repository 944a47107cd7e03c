import { describeStatus } from '../lifecycle/job-status.js';
import type { PlanAction } from './plan-action.js';

const targets = (dbs: readonly { target: string }[]): string =>
  `destination database${dbs.length === 1 ? '' : 's'} ${dbs.map((d) => d.target).join(', ')}`;

/**
 * What a destructive action loses, in one sentence a reviewer can weigh
 * (the warning block of `plan --format markdown`, policy refusals). Derived
 * from the action kind and what it was planned against; a non-destructive
 * action loses nothing and gets its reason.
 */
export function actionLoss(a: PlanAction): string {
  if (!a.destructive) return a.reason;
  switch (a.kind) {
    case 'replace-job':
      return `the job is deleted and created anew (${a.changes.map((c) => c.path).join(', ')} changed): ${targets(a.after.databases)} wiped and migrated again from the beginning; the in-flight CDC position is lost`;
    case 'delete-job':
      return `the job stops for good (it is ${describeStatus(a.observed.status, a.observed.substatus)}) and its source-side capture artifacts are removed: the in-flight CDC position is lost (destination data is kept)`;
    case 'transition':
      if (a.action === 'restart')
        return `${targets(a.after.databases)} wiped and migrated again from the beginning; the in-flight CDC position is lost`;
      return a.reason;
    case 'remove-database':
      return `replication of ${a.database.name} into ${a.database.target} stops: its CDC position is lost (data already in ${a.database.target} is kept)`;
    default:
      return a.reason;
  }
}
