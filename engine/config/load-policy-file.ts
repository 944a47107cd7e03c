import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import type { Policy } from '../policy/policy.js';
import { buildPolicy } from './build-declaration.js';
import { declarationDefaults } from './declaration-defaults.js';
import { declarationValidator } from './declaration-schema.js';
import { parseDeclarationFile } from './parse-declaration-file.js';
import { schemaDiagnostics } from './schema-diagnostics.js';

const ALLOWED_KEYS = new Set(['version', 'policy']);

/**
 * Loads a `--policy FILE`: a YAML file holding the declaration's `policy:`
 * block (and optionally `version: 1`), checked by the same schema, with
 * `file:line:column` diagnostics. Returns null when any error was found.
 */
export async function loadPolicyFile(path: string): Promise<{ policy: Policy | null; diagnostics: Diagnostic[] }> {
  const { parsed, diagnostics } = await parseDeclarationFile({ path, absolute: resolve(path) });
  if (!parsed) return { policy: null, diagnostics };
  for (const key of Object.keys(parsed.data)) {
    if (ALLOWED_KEYS.has(key)) continue;
    diagnostics.push({
      severity: 'error',
      summary: `unknown key "${key}" in a policy file`,
      detail: 'a policy file holds one `policy:` block, as in the declaration (e.g. `policy: { destructive: deny }`)',
      field: key,
      location: parsed.locator.key([key]),
    });
  }
  if (!('policy' in parsed.data)) {
    diagnostics.push({
      severity: 'error',
      summary: 'a policy file needs a `policy:` block',
      detail: 'e.g. `policy: { destructive: require-approval, approvers: [alice] }`',
      field: 'policy',
      location: { file: path, line: 1, column: 1 },
    });
  }
  const validate = declarationValidator();
  const wrapped = { version: 1, policy: parsed.data.policy };
  if ('policy' in parsed.data && !validate(wrapped)) {
    diagnostics.push(...schemaDiagnostics(validate.errors ?? [], wrapped, parsed.locator));
  }
  // top to bottom, like the file
  diagnostics.sort(
    (a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0),
  );
  if (hasErrors(diagnostics)) return { policy: null, diagnostics };
  return { policy: buildPolicy({ value: parsed.data.policy, file: parsed }, declarationDefaults()), diagnostics };
}
