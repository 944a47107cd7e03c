import type { PlanDocument } from '../plan/plan-document.js';
import { renderPlan } from '../plan/render-plan.js';
import { renderPlanMarkdown } from '../plan/render-plan-markdown.js';
import { CliError } from './exit-codes.js';

/** How `plan` and `show` print a plan: `text` (default, the terminal plan), `json` (schemas/plan.schema.json), `markdown` (a pull-request comment). */
export type PlanFormat = 'text' | 'json' | 'markdown';
export const PLAN_FORMATS: readonly PlanFormat[] = ['text', 'json', 'markdown'];

/** `--format` wins; `--json` is kept as a shorthand for `--format json`, and contradicting it is an error. */
export function planFormat(opts: { format?: string; json?: boolean }): PlanFormat {
  const format = opts.format ?? (opts.json ? 'json' : 'text');
  if (!PLAN_FORMATS.includes(format as PlanFormat))
    throw new CliError(`--format ${format}: expected one of ${PLAN_FORMATS.join(', ')}`);
  if (opts.json && format !== 'json') throw new CliError(`--json contradicts --format ${format}: use one of them`);
  return format as PlanFormat;
}

/** The plan in `format`, ending with a newline. `planFile` is where it was saved (the markdown's next command). */
export function formatPlan(doc: PlanDocument, format: PlanFormat, planFile?: string): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  if (format === 'markdown') return renderPlanMarkdown(doc, planFile ? { planFile } : {});
  return `${renderPlan(doc)}\n`;
}
