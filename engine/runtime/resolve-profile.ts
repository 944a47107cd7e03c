import { resolveSecret } from '../config/secret-ref.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import type { ProfileRecord } from '../../state/state-document.js';

/**
 * Resolve a recorded profile's password reference (`env:NAME` or
 * `file:/abs/path`) for a connection. Errors name the reference, never a value.
 */
export function resolveProfile(name: string, p: ProfileRecord): ResolvedProfile {
  let password: string | undefined;
  if (p.passwordRef) {
    try {
      // recorded file references are absolute, so the base directory never applies
      password = resolveSecret(`\${${p.passwordRef}}`, '/');
    } catch (err) {
      throw new Error(`profile ${name}: ${(err as Error).message}`, { cause: err });
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
