import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostic, hasErrors } from '../diagnostics/diagnostic.js';
import { renderPlan } from '../plan/render-plan.js';
import { systemClock } from '../runtime/clock.js';
import { loadOrFail } from './load-or-fail.js';
import { openBackend, readRecorded } from './cli-context.js';
import { EXIT } from './exit-codes.js';
import { refreshAndPlan } from '../plan/refresh.js';
import { stderrLogger } from './stderr-logger.js';

export interface PlanCommandOptions {
  file: string;
  json?: boolean;
  detailedExitcode?: boolean;
  out?: string;
  restart?: string[];
  /** Run live checks first (default true; `--refresh=false` to skip). */
  refresh?: boolean;
}

/** `migrate plan`: refresh, diff the declaration against the recorded state, print (and optionally save) the plan. */
export async function planCommand(opts: PlanCommandOptions): Promise<number> {
  const { declaration, warnings } = await loadOrFail(opts.file);
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
  for (const w of warnings) process.stderr.write(`${w}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else process.stdout.write(`${renderPlan(doc)}\n`);
  if (hasErrors(doc.diagnostics)) {
    if (opts.json) for (const d of doc.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    return EXIT.ERROR;
  }
  if (opts.out) {
    const path = resolve(opts.out);
    writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    if (!opts.json)
      process.stdout.write(`\nSaved the plan to ${path}; run \`migrate apply ${opts.out}\` to execute exactly these actions.\n`);
  }
  if (opts.detailedExitcode && doc.actions.length) return EXIT.CHANGES;
  return EXIT.OK;
}
