import { loadOrFail } from './load-or-fail.js';
import { openBackend } from './cli-context.js';
import { CliError, EXIT } from './exit-codes.js';

/** `migrate force-unlock ID`: remove a stale state lock left by a killed apply. */
export async function forceUnlockCommand(id: string, opts: { file: string }): Promise<number> {
  const { declaration } = await loadOrFail(opts.file);
  const backend = openBackend(declaration);
  try {
    await backend.forceUnlock(id);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  process.stdout.write(`Lock ${id} removed from ${backend.description}.\n`);
  return EXIT.OK;
}
