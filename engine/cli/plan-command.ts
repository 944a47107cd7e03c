import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostic, hasErrors } from '../diagnostics/diagnostic.js';
import { systemClock } from '../runtime/clock.js';
import { loadOrFail } from './load-or-fail.js';
import { openBackend, readRecorded } from './cli-context.js';
import { EXIT } from './exit-codes.js';
import { refreshAndPlan } from '../plan/refresh.js';
import { stderrLogger } from './stderr-logger.js';
import { formatPlan, planFormat } from './plan-output.js';
import { withPolicyFile } from './policy-option.js';

export interface PlanCommandOptions {
  file: string;
  /** Shorthand for `format: 'json'`. */
  json?: boolean;
  /** text (default), json or markdown (a pull-request comment). */
  format?: string;
  detailedExitcode?: boolean;
  out?: string;
  restart?: string[];
  /** Run live checks first (default true; `--refresh=false` to skip). */
  refresh?: boolean;
  /** A YAML file with a `policy:` block, applied on top of the declared one (stricter wins). */
  policy?: string;
}

/** `migrate plan`: refresh, diff the declaration against the recorded state, print (and optionally save) the plan. */
export async function planCommand(opts: PlanCommandOptions): Promise<number> {
  const format = planFormat(opts);
  const loaded = await loadOrFail(opts.file);
  const declaration = await withPolicyFile(loaded.declaration, opts.policy);
  const backend = openBackend(declaration);
  const recorded = await readRecorded(backend);
  const { state } = recorded;
  const doc = await refreshAndPlan(declaration, state, recorded.runtimes, {
    restart: opts.restart ?? [],
    refresh: opts.refresh,
    leases: recorded.leases,
    logger: stderrLogger(),
    at: systemClock(),
  });
  for (const w of loaded.warnings) process.stderr.write(`${w}\n`);
  const failed = hasErrors(doc.diagnostics);
  // a failed plan is not saved: do not point the markdown's next command at a file that will not exist
  process.stdout.write(formatPlan(doc, format, failed ? undefined : opts.out));
  if (failed) {
    if (format !== 'text') for (const d of doc.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    return EXIT.ERROR;
  }
  if (opts.out) {
    const path = resolve(opts.out);
    writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    const saved = `Saved the plan to ${path}; run \`migrate apply ${opts.out}\` to execute exactly these actions.\n`;
    if (format === 'text') process.stdout.write(`\n${saved}`);
    else if (format === 'markdown') process.stderr.write(saved);
  }
  if (opts.detailedExitcode && doc.actions.length) return EXIT.CHANGES;
  return EXIT.OK;
}
