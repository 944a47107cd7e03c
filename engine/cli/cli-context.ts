import { resolve } from 'node:path';
import type { Declaration } from '../config/declaration.js';
import { loadDeclaration } from '../config/load-declaration.js';
import { formatDiagnostic, hasErrors } from '../diagnostics/diagnostic.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import { LocalBackend } from '../../state/local/local-backend.js';
import type { StateBackend } from '../../state/state-backend.js';
import type { StateDocument } from '../../state/state-document.js';
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
    throw new CliError(`${errors.map(formatDiagnostic).join('\n')}\n${errors.length} error(s) in the declaration; nothing was changed.`);
  }
  return { declaration, warnings: diagnostics.map(formatDiagnostic) };
}

export function openBackend(decl: Declaration): StateBackend {
  const b = decl.backend;
  if (b.type === 'local') return new LocalBackend(resolve(decl.dir, b.path ?? '.migrate'));
  throw new CliError(`backend type "${b.type}" is not available in this build yet; use backend: { type: local }`);
}

export interface RecordedState {
  state: StateDocument | null;
  runtimes: Record<string, JobRuntime | null>;
}

/** The recorded state plus every job's last runtime report (the refresh). */
export async function readRecorded(backend: StateBackend): Promise<RecordedState> {
  const state = await backend.read();
  const runtimes: Record<string, JobRuntime | null> = {};
  for (const name of Object.keys(state?.jobs ?? {})) runtimes[name] = await backend.readRuntime(name);
  return { state, runtimes };
}
