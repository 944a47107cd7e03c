import { EXIT } from './exit-codes.js';
import { formatPlan, planFormat } from './plan-output.js';
import { readPlanFile } from './read-plan-file.js';

export interface ShowOptions {
  format?: string;
  json?: boolean;
}

/** `migrate show PLANFILE`: print a saved plan (text, JSON or a pull-request comment in Markdown); reads nothing else. */
export function showCommand(planFile: string, opts: ShowOptions): number {
  const format = planFormat(opts);
  process.stdout.write(formatPlan(readPlanFile(planFile), format, planFile));
  return EXIT.OK;
}
