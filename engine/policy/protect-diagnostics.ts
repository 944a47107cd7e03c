import type { Diagnostic, SourceLocation } from '../../contract/diagnostic.js';
import { actionLoss } from '../plan/action-loss.js';
import type { PlanAction } from '../plan/plan-action.js';

/** A job as the protect check sees it: declared (with where) or as recorded in state. */
export interface ProtectedJob {
  protect?: boolean;
  location?: SourceLocation;
}

/** What the action would do to its job that `protect: true` forbids, or null when it may go ahead. */
function forbidden(a: PlanAction): string | null {
  switch (a.kind) {
    case 'delete-job':
      return 'delete it';
    case 'replace-job':
      return 'replace it';
    case 'transition':
      return a.action === 'restart' ? 'restart it' : a.destructive ? `${a.action} it` : null;
    case 'remove-database':
      return `remove database ${a.database.name} from it`;
    default:
      return a.destructive ? 'lose data of it' : null;
  }
}

/**
 * `protect: true` (Terraform's prevent_destroy): every action that would
 * delete, replace or restart a protected job, or remove one of its
 * databases, is an error naming the job and the field. No flag overrides it.
 * A declared job is judged by its declaration (so `protect: false` in the
 * same change lifts it, as in Terraform); a job no longer declared by its
 * recorded value, so deleting the declaration does not delete the job.
 */
export function protectDiagnostics(
  actions: readonly PlanAction[],
  declared: Readonly<Record<string, ProtectedJob>>,
  recorded: Readonly<Record<string, ProtectedJob>>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const a of actions) {
    if (!('name' in a) || a.address.startsWith('profile.')) continue;
    const what = forbidden(a);
    if (!what) continue;
    const spec = declared[a.name];
    if (!(spec ? spec.protect : recorded[a.name]?.protect)) continue;
    const field = `jobs.${a.name}.protect`;
    out.push({
      severity: 'error',
      summary: `job.${a.name} is protected (protect: true): the plan would ${what}`,
      detail: `${a.address}: ${actionLoss(a)}.\n${
        spec
          ? `--allow-destructive does not override protect: if you mean it, set protect: false on job "${a.name}", apply, then make this change`
          : `job.${a.name} was applied with protect: true and is no longer declared: declare it again with protect: false, apply, then remove it`
      }`,
      field,
      address: a.address,
      ...(spec?.location ? { location: spec.location } : {}),
    });
  }
  return out;
}
