import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A reference to a secret held outside the declaration: `${env:NAME}` (an
 * environment variable) or `${file:PATH}` (a file's contents). Declarations,
 * state and plans only ever hold references, so secrets never reach disk or logs.
 */
export interface SecretRef {
  kind: 'env' | 'file';
  name: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REF = /^\$\{([^:}]*):(.*)\}$/s;

/** Parses exactly `${env:NAME}` or `${file:PATH}`; anything else (including surrounding text) is `null`. */
export function parseSecretRef(text: string): SecretRef | null {
  const m = REF.exec(text);
  if (!m) return null;
  const kind = m[1];
  const name = m[2] ?? '';
  if (kind === 'env' && ENV_NAME.test(name)) return { kind, name };
  if (kind === 'file' && name !== '' && !name.includes('}') && !/[\r\n]/.test(name)) return { kind, name };
  return null;
}

/**
 * Why `text` is not a valid reference, or `null` when it is. The message never
 * repeats `text`: a value that is not a reference may be a pasted password.
 */
export function secretRefProblem(text: string): string | null {
  if (parseSecretRef(text)) return null;
  if (!text.startsWith('${')) {
    return 'a password must be a reference, not a literal: use ${env:NAME} or ${file:PATH}';
  }
  const m = REF.exec(text);
  if (!m) return 'malformed secret reference: expected ${env:NAME} or ${file:PATH}';
  const kind = m[1] ?? '';
  if (kind !== 'env' && kind !== 'file') {
    // A kind made of plain word characters is a harmless token (e.g. "vault") worth echoing.
    const shown = /^[A-Za-z0-9_-]{1,20}$/.test(kind) ? ` "${kind}"` : '';
    return `unknown secret source${shown}: expected \${env:NAME} or \${file:PATH}`;
  }
  if ((m[2] ?? '') === '') return `empty ${kind === 'env' ? 'variable name' : 'path'} in \${${kind}:…}`;
  if (kind === 'env') {
    return 'invalid environment variable name in ${env:…}: use letters, digits and _, not starting with a digit';
  }
  return 'invalid path in ${file:…}';
}

/** The form stored in state and plans: `env:NAME` or `file:PATH`. */
export function secretRefKey(ref: SecretRef): string {
  return `${ref.kind}:${ref.name}`;
}

/**
 * Resolves a reference to the secret. `${file:…}` paths are relative to
 * `baseDir`; one trailing newline is trimmed because editors add it.
 * Throws an `Error` naming the reference (never a value) when it cannot.
 */
export function resolveSecret(text: string, baseDir: string): string {
  const ref = parseSecretRef(text);
  if (!ref) throw new Error('not a secret reference: expected ${env:NAME} or ${file:PATH}');
  const shown = `\${${secretRefKey(ref)}}`;
  if (ref.kind === 'env') {
    const value = process.env[ref.name];
    if (value === undefined) throw new Error(`environment variable ${ref.name} is not set (referenced by ${shown})`);
    return value;
  }
  const path = resolve(baseDir, ref.name);
  let contents: string;
  try {
    contents = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : 'cannot be read';
    throw new Error(`secret file ${path} ${why} (referenced by ${shown})`, { cause });
  }
  return contents.replace(/\r?\n$/, '');
}
