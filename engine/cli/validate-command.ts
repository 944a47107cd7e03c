import { loadOrFail } from './load-or-fail.js';
import { EXIT } from './exit-codes.js';

export interface ValidateOptions {
  file: string;
  json?: boolean;
}

/** `migrate validate`: schema + reference checks; nothing is written. */
export async function validateCommand(opts: ValidateOptions): Promise<number> {
  const { declaration, warnings } = await loadOrFail(opts.file);
  for (const w of warnings) process.stderr.write(`${w}\n`);
  const summary = `${Object.keys(declaration.profiles).length} profile(s), ${Object.keys(declaration.jobs).length} job(s) in ${declaration.files.length} file(s)`;
  if (opts.json) process.stdout.write(`${JSON.stringify({ valid: true, files: declaration.files, diagnostics: [] })}\n`);
  else process.stdout.write(`The declaration is valid: ${summary}.\n`);
  return EXIT.OK;
}
