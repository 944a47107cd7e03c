import type { Declaration } from '../config/declaration.js';
import { loadPolicyFile } from '../config/load-policy-file.js';
import { formatDiagnostic, hasErrors } from '../diagnostics/diagnostic.js';
import { stricterPolicy } from '../policy/policy.js';
import { CliError } from './exit-codes.js';

/**
 * The declaration with `--policy FILE` applied: the stricter of the declared
 * policy and the file's (a file can tighten a team's policy, never loosen it).
 * A broken policy file ends the command with exit 1, every problem listed.
 */
export async function withPolicyFile(declaration: Declaration, file: string | undefined): Promise<Declaration> {
  if (!file) return declaration;
  const { policy, diagnostics } = await loadPolicyFile(file);
  if (!policy || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    throw new CliError(`${errors.map(formatDiagnostic).join('\n')}\n${errors.length} error(s) in the policy file ${file}.`);
  }
  return { ...declaration, policy: stricterPolicy(declaration.policy, policy) };
}
