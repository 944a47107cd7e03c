import { resolve } from 'node:path';
import type { Declaration } from '../config/declaration.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import { LocalBackend } from '../../state/local/local-backend.js';
import { PostgresStateBackend } from '../../state/postgres/pg-state-backend.js';
import type { Lease, StateBackend } from '../../state/state-backend.js';
import type { StateDocument } from '../../state/state-document.js';
import { CliError } from './exit-codes.js';
import { buildDesired } from '../plan/build-desired.js';
import { resolveProfile } from '../runtime/resolve-profile.js';

/**
 * The state backend the declaration names. For `postgres`, the backend
 * profile's password reference is resolved here (relative to the declaration
 * directory); errors name the reference, never a value. Postgres backends hold
 * a connection pool: callers should `close?.()` them when done (idle
 * connections do not keep the process alive either way).
 */
export function openBackend(decl: Declaration): StateBackend {
  const b = decl.backend;
  if (b.type === 'local') return new LocalBackend(resolve(decl.dir, b.path ?? '.migrate'));
  return new PostgresStateBackend(resolveBackendProfile(decl, b.profile), { schema: b.schema ?? 'migrate_state' });
}

function resolveBackendProfile(decl: Declaration, name: string): ResolvedProfile {
  const p = decl.profiles[name];
  // The declaration checks reject both; kept for declarations built by hand.
  if (!p) throw new CliError(`backend.profile: no profile named "${name}" is declared`);
  if (p.engine !== 'postgres') {
    throw new CliError(`backend.profile: the postgres backend needs a postgres profile, "${name}" is ${p.engine}`);
  }
  // the same reduction and secret resolution as job profiles (file refs and CA paths relative to the declaration)
  const record = buildDesired({ ...decl, jobs: {}, profiles: { [name]: p } }).profiles[name];
  if (!record) throw new CliError(`backend.profile: no profile named "${name}" is declared`);
  try {
    return resolveProfile(name, record);
  } catch (err) {
    throw new CliError(`cannot open the state backend: ${(err as Error).message}`);
  }
}

export interface RecordedState {
  state: StateDocument | null;
  runtimes: Record<string, JobRuntime | null>;
  /** Each job's worker lease as read now (who serves it, if anyone). */
  leases: Record<string, Lease | null>;
}

/** The recorded state plus every job's last runtime report and lease (the refresh). */
export async function readRecorded(backend: StateBackend): Promise<RecordedState> {
  const state = await backend.read();
  const names = Object.keys(state?.jobs ?? {});
  const runtimes: Record<string, JobRuntime | null> = {};
  const leases: Record<string, Lease | null> = {};
  await Promise.all(
    names.map(async (name) => {
      [runtimes[name], leases[name]] = await Promise.all([backend.readRuntime(name), backend.readLease(name)]);
    }),
  );
  return { state, runtimes, leases };
}
