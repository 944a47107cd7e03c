import { resolve } from 'node:path';
import type { Declaration } from '../config/declaration.js';
import { loadDeclaration } from '../config/load-declaration.js';
import { formatDiagnostic, hasErrors } from '../diagnostics/diagnostic.js';
import { CliError } from './exit-codes.js';

export interface LoadedDeclaration {
  declaration: Declaration;
  warnings: string[];
}

/** Load and validate the declaration at `path`; errors end the command with exit 1 and print every diagnostic. */
export async function loadOrFail(path: string): Promise<LoadedDeclaration> {
  const { declaration, diagnostics } = await loadDeclaration(resolve(path));
  if (!declaration || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    throw new CliError(
      `${errors.map(formatDiagnostic).join('\n')}\n${errors.length} error(s) in the declaration; nothing was changed.`,
    );
  }
  return { declaration, warnings: diagnostics.map(formatDiagnostic) };
}
