import { readFileSync } from 'node:fs';
import type { ResolvedProfile } from '../../providers/provider.js';
import type { ProfileRecord } from '../../state/state-document.js';

/**
 * Resolve a recorded profile's password reference (`env:NAME` or
 * `file:/abs/path`) for a connection. Errors name the reference, never a value.
 */
export function resolveProfile(name: string, p: ProfileRecord, env: NodeJS.ProcessEnv = process.env): ResolvedProfile {
  let password: string | undefined;
  const ref = p.passwordRef;
  if (ref?.startsWith('env:')) {
    const key = ref.slice(4);
    password = env[key];
    if (password === undefined) {
      throw new Error(`profile ${name}: environment variable ${key} is not set (password: \${env:${key}})`);
    }
  } else if (ref?.startsWith('file:')) {
    const path = ref.slice(5);
    try {
      password = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`profile ${name}: cannot read password file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return {
    name,
    engine: p.engine,
    host: p.host,
    port: p.port,
    user: p.user,
    password,
    database: p.database,
    tls: p.tls,
    location: { file: '(state)', line: 0, column: 0 },
  };
}
