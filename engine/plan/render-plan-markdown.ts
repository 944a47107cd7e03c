import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { actionLoss } from './action-loss.js';
import type { PlanAction } from './plan-action.js';
import { actionSymbol } from './plan-action.js';
import type { PlanDocument } from './plan-document.js';
import { codeSpan, escapeHtml, escapeMarkdown, fenced } from './markdown-text.js';
import { actionHeader, actionLines } from './render-plan.js';

/** GitHub refuses comments of this many characters or more. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** The hidden first line CI looks for to update its previous comment instead of adding one. */
export const PLAN_COMMENT_MARKER = '<!-- migrate-plan -->';

export interface MarkdownPlanOptions {
  /** The result stays strictly shorter than this (characters). Default: GitHub's comment limit, 65,536. */
  maxLength?: number;
  /** The file the plan was saved to (`plan -out`): the next command applies exactly it. Default: none, `migrate apply`. */
  planFile?: string;
  /** The apply command to suggest, before its flags. Default `migrate apply [planFile]`. */
  applyCommand?: string;
}

/** Room kept for the truncation note, whatever its numbers. */
const NOTE_RESERVE = 400;

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** Escape a line for a list item's continuation: inert text that cannot start a list, heading or code block. */
function continuation(line: string): string {
  const text = escapeMarkdown(line.trim()).replace(/^([-+#=]|\d+[.)])/, (m) => `\\${m}`);
  return `  ${text}`;
}

function diagnosticItem(d: Diagnostic): string {
  const loc = d.location;
  const where = loc ? `${codeSpan(`${loc.file}:${loc.line}:${loc.column}`)} ` : '';
  const field = d.field ? ` (${codeSpan(d.field)})` : '';
  const detail = d.detail ? d.detail.split('\n').map(continuation) : [];
  return [`- ${where}${escapeMarkdown(d.summary)}${field}`, ...detail].join('\n');
}

function summaryLine(doc: PlanDocument, errors: number): string {
  if (doc.actions.length) {
    const { add, change, destroy } = doc.summary;
    const line = `**Plan: ${add} to add, ${change} to change, ${destroy} to destroy.**`;
    return errors ? `${line}\n\n**Plan failed: ${plural(errors, 'error')}** (below): it cannot be applied.` : line;
  }
  if (errors)
    return `**Plan failed: ${plural(errors, 'error')}.** Nothing can be applied until ${errors === 1 ? 'it is' : 'they are'} fixed.`;
  return '**No changes.** The declaration matches the recorded state.';
}

function needs(doc: PlanDocument, errors: number): string {
  if (errors) return 'the plan fails (errors below), so none of them can be applied';
  const p = doc.policy;
  if (p?.destructive === 'deny') return 'the policy denies them (`destructive: deny`): this plan cannot be applied';
  if (p?.destructive === 'require-approval')
    return `apply needs \`--allow-destructive\` and \`--approved-by\` one of: ${p.approvers.map(escapeMarkdown).join(', ')}`;
  return 'apply needs `--allow-destructive`';
}

/** Every destructive address and what it loses; never truncated. */
function destructiveBlock(doc: PlanDocument, errors: number): string | null {
  const destructive = doc.actions.filter((a) => a.destructive);
  if (!destructive.length) return null;
  return [
    '> [!CAUTION]',
    `> **${plural(destructive.length, 'destructive action')}**: ${needs(doc, errors)}.`,
    ...destructive.map((a) => `> - ${codeSpan(a.address)} ${escapeMarkdown(actionHeader(a))}: ${escapeMarkdown(actionLoss(a))}`),
  ].join('\n');
}

/** Terraform PR tooling's trick: the symbol in column 0 so GitHub colours the line (`~` as `!`, "changed"). */
function diffLine(line: string): string {
  return line.replace(/^(\s*)(-\/\+|[-+~])(?=\s)/, (_, space: string, sym: string) => `${sym === '~' ? '!' : sym}${space}`);
}

function detailsBlock(address: string, actions: PlanAction[]): string {
  const first = actions[0] as PlanAction;
  const headers = [...new Set(actions.map(actionHeader))].join(', ');
  const flag = actions.some((a) => a.destructive) ? ' <b>(destructive)</b>' : '';
  const body = actions.map((a) => actionLines(a).map(diffLine).join('\n')).join('\n\n');
  return [
    `<details><summary><code>${escapeHtml(`${actionSymbol(first)} ${address}`)}</code> ${escapeHtml(headers)}${flag}</summary>`,
    '',
    fenced('diff', body),
    '',
    '</details>',
  ].join('\n');
}

function nextStep(doc: PlanDocument, errors: number, opts: MarkdownPlanOptions): string {
  if (errors) return '**Next:** fix the errors above, then plan again.';
  if (!doc.actions.length) return '**Next:** nothing to apply.';
  const base = opts.applyCommand ?? `migrate apply${opts.planFile ? ` ${opts.planFile}` : ''}`;
  const approval = doc.destructive && doc.policy?.destructive === 'require-approval';
  const flags = `${doc.destructive ? ' --allow-destructive' : ''}${approval ? ' --approved-by NAME' : ''}`;
  const who = approval ? ` (NAME: one of ${doc.policy?.approvers.map(escapeMarkdown).join(', ')})` : '';
  return `**Next:** ${codeSpan(`${base}${flags}`)}${who}`;
}

/** Greedily keep items (in order) while they fit in `budget` characters; the rest are counted. */
function fit(items: string[], budget: number): { kept: string[]; used: number } {
  const kept: string[] = [];
  let used = 0;
  for (const item of items) {
    if (used + item.length + 2 > budget) break;
    kept.push(item);
    used += item.length + 2;
  }
  return { kept, used };
}

/**
 * A plan as a pull-request comment (Atlantis / Terraform PR tooling style):
 * the summary line first, destructive actions and what they lose in a
 * warning block, errors, drift and warnings, then one collapsible section per
 * address with the lines `migrate plan` prints, and the next command. Pure.
 * Stays under `maxLength`: diagnostics and details are cut with a note naming
 * how many were left out; the summary, destructive block and next command
 * never are. User-provided text is escaped; the plan holds no secret.
 */
export function renderPlanMarkdown(doc: PlanDocument, opts: MarkdownPlanOptions = {}): string {
  const max = opts.maxLength ?? GITHUB_COMMENT_LIMIT;
  const errors = doc.diagnostics.filter((d) => d.severity === 'error');
  const warnings = doc.diagnostics.filter((d) => d.severity === 'warning');
  const driftWarnings = warnings.filter((d) => d.summary.startsWith('drift:'));
  const otherWarnings = warnings.filter((d) => !d.summary.startsWith('drift:'));
  const takeOvers = doc.actions.filter((a) => a.kind === 'take-over');

  const head = [PLAN_COMMENT_MARKER, summaryLine(doc, errors.length), destructiveBlock(doc, errors.length)].filter(
    (s): s is string => s !== null,
  );
  const tail = [
    nextStep(doc, errors.length, opts),
    `<sub>Plan made ${escapeHtml(doc.createdAt)} against state serial ${doc.state.serial}.</sub>`,
  ];
  let budget = max - 1 - [...head, ...tail].reduce((n, s) => n + s.length + 2, 0) - NOTE_RESERVE;

  const sections: { title: string; items: string[]; unit: 'diagnostic' | 'address' }[] = [
    { title: '#### Errors', items: errors.map(diagnosticItem), unit: 'diagnostic' },
    {
      title: '#### Drift',
      items: [
        ...takeOvers.map((a) => `- ${codeSpan(a.address)} ${escapeMarkdown(actionHeader(a))}: ${escapeMarkdown(a.reason)}`),
        ...driftWarnings.map(diagnosticItem),
      ],
      unit: 'diagnostic',
    },
    { title: '#### Warnings', items: otherWarnings.map(diagnosticItem), unit: 'diagnostic' },
    { title: '#### Details', items: groupByAddress(doc.actions).map(([addr, as]) => detailsBlock(addr, as)), unit: 'address' },
  ];
  const middle: string[] = [];
  const omitted = { diagnostic: 0, address: 0 };
  for (const s of sections) {
    if (!s.items.length) continue;
    const { kept, used } = fit(s.items, budget - s.title.length - 2);
    omitted[s.unit] += s.items.length - kept.length;
    if (!kept.length) continue;
    // diagnostics read as one list; details are separate blocks
    middle.push(s.title, ...(s.unit === 'diagnostic' ? [kept.join('\n')] : kept));
    budget -= used + s.title.length + 2;
  }
  if (omitted.diagnostic || omitted.address) middle.push(truncationNote(omitted, opts));
  return `${[...head, ...middle, ...tail].join('\n\n')}\n`;
}

function truncationNote(omitted: { diagnostic: number; address: number }, opts: MarkdownPlanOptions): string {
  const parts = [
    omitted.address ? `the details of ${plural(omitted.address, 'address', 'addresses')}` : null,
    omitted.diagnostic ? plural(omitted.diagnostic, 'diagnostic') : null,
  ].filter(Boolean);
  const show = opts.planFile ? ` (${codeSpan(`migrate show ${opts.planFile}`)} prints it)` : '';
  return [
    '> [!NOTE]',
    `> Left out to stay under GitHub's comment limit: ${parts.join(' and ')}. The full plan is in the job log${show}.`,
  ].join('\n');
}

function groupByAddress(actions: readonly PlanAction[]): [string, PlanAction[]][] {
  const groups = new Map<string, PlanAction[]>();
  for (const a of actions) {
    const group = groups.get(a.address);
    if (group) group.push(a);
    else groups.set(a.address, [a]);
  }
  return [...groups];
}
