import { formatDiagnostic } from '../diagnostics/diagnostic.js';
import type { DatabaseRecord } from '../../state/state-document.js';
import type { JobAction } from '../lifecycle/lifecycle-table.js';
import type { FieldChange, PlanAction, PlanActionKind } from './plan-action.js';
import { actionSymbol } from './plan-action.js';
import type { PlanDocument } from './plan-document.js';

const HEADERS: Record<Exclude<PlanActionKind, 'create-job' | 'transition' | 'take-over'>, string> = {
  'create-profile': 'will be created',
  'update-profile': 'will be updated in-place',
  'delete-profile': 'will be destroyed',
  'replace-job': 'must be replaced',
  'delete-job': 'will be destroyed',
  'update-job': 'will be updated in-place',
  'add-database': 'will be added',
  'remove-database': 'will be removed',
  'update-database': 'will be updated in-place',
};

const TRANSITION_VERBS: Record<Exclude<JobAction, 'delete'>, string> = {
  start: 'started',
  stop: 'stopped',
  resume: 'resumed',
  restart: 'restarted',
  promote: 'promoted',
};

/** `will be created`, `must be replaced`, `will be restarted`…: the verb phrase of an action's header. */
export function actionHeader(a: PlanAction): string {
  if (a.kind === 'create-job') return a.start ? 'will be created and started' : 'will be created';
  if (a.kind === 'transition') return `will be ${TRANSITION_VERBS[a.action]}`;
  if (a.kind === 'take-over') return 'will be taken over';
  return HEADERS[a.kind];
}

const show = (v: unknown): string => (v === null || v === undefined ? 'null' : JSON.stringify(v));

function pad(sym: string): string {
  return sym.padStart(3, ' ');
}

function dbLine(d: DatabaseRecord): string {
  const sel = `include ${d.tables.include.join(', ')}${d.tables.exclude.length ? `; exclude ${d.tables.exclude.join(', ')}` : ''}`;
  return `database ${show(d.name)} -> ${show(d.target)} (tables: ${sel})`;
}

function changeLine(c: FieldChange): string {
  const mark = c.forcesReplacement ? ' # forces replacement' : '';
  if (c.before === null) return `+ ${c.path} = ${show(c.after)}${mark}`;
  if (c.after === null) return `- ${c.path} = ${show(c.before)}${mark}`;
  return `~ ${c.path} = ${show(c.before)} -> ${show(c.after)}${mark}`;
}

function body(a: PlanAction): string[] {
  switch (a.kind) {
    case 'create-profile':
      // the fingerprint is never shown; a profile without password has nothing to show
      return Object.entries(a.after)
        .filter(([k, v]) => k !== 'passwordFingerprint' && !(k === 'passwordRef' && v === null))
        .map(([k, v]) => `+ ${k} = ${show(v)}`);
    case 'create-job':
      return [
        `+ source      = ${show(a.after.source)}`,
        `+ destination = ${show(a.after.destination)}`,
        `+ type        = ${show(a.after.type)}`,
        `+ state       = ${show(a.after.desiredState)}`,
        `+ parallelism = ${show(a.after.parallelism)}`,
        ...a.after.databases.map((d) => `+ ${dbLine(d)}`),
      ];
    case 'replace-job':
    case 'update-profile':
    case 'update-job':
    case 'update-database':
      return a.changes.map(changeLine);
    case 'transition':
      return [`~ status = ${show(a.observed.status)}${a.observed.substatus ? ` (${a.observed.substatus})` : ''} -> ${a.action}`];
    case 'add-database':
      return [`+ ${dbLine(a.database)}`];
    case 'remove-database':
      return [`- ${dbLine(a.database)}`];
    case 'delete-job':
      return [`- status = ${show(a.observed.status)}`];
    case 'take-over':
      return [`~ worker = none since ${a.observed.unservedSince ?? 'unknown'} -> this apply`];
    case 'delete-profile':
      return [];
  }
}

/** One action's block as the human plan prints it (header, reason, symbol and address, field lines). */
export function actionLines(a: PlanAction): string[] {
  const destructive = a.destructive ? '  [DESTRUCTIVE]' : '';
  return [
    `  # ${a.address} ${actionHeader(a)}${destructive}`,
    `  #   ${a.reason}`,
    `${pad(actionSymbol(a))} ${a.address}`,
    ...body(a).map((l) => `      ${l}`),
  ];
}

/** The human plan: Terraform-like blocks, diagnostics, and one final summary line. */
export function renderPlan(doc: PlanDocument): string {
  const lines: string[] = [];
  if (doc.actions.length) {
    lines.push('migrate will perform the following actions:', '');
    for (const a of doc.actions) lines.push(...actionLines(a), '');
  }
  for (const d of doc.diagnostics) lines.push(formatDiagnostic(d), '');
  if (doc.diagnostics.some((d) => d.severity === 'error')) {
    lines.push('Plan failed: fix the errors above.');
  } else if (!doc.actions.length) {
    lines.push('No changes. The declaration matches the recorded state.');
  } else {
    const { add, change, destroy } = doc.summary;
    if (doc.destructive) {
      const approval =
        doc.policy?.destructive === 'require-approval'
          ? ` and --approved-by NAME (policy: one of ${doc.policy.approvers.join(', ')})`
          : '';
      lines.push(`Destructive actions are marked [DESTRUCTIVE]: apply needs --allow-destructive${approval} for them.`);
    }
    lines.push(`Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`);
  }
  return lines.join('\n');
}
