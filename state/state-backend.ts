import { randomUUID } from 'node:crypto';
import type { JobRuntime } from './job-runtime.js';
import type { StateDocument } from './state-document.js';

/** Who holds the state lock (shown to anyone who fails to take it). */
export interface LockInfo {
  id: string;
  who: string;
  host: string;
  pid: number;
  operation: string;
  created: string;
}

/** A lock just taken; `tookOverFrom` names a holder that was gone (its process no longer runs on this host). */
export interface AcquiredLock extends LockInfo {
  tookOverFrom?: LockInfo;
}

/** A new lock for `info`, with a fresh ID and the time it was taken. */
export function newLockInfo(info: Omit<LockInfo, 'id' | 'created'>, now: Date): LockInfo {
  return {
    id: randomUUID(),
    who: info.who,
    host: info.host,
    pid: info.pid,
    operation: info.operation,
    created: now.toISOString(),
  };
}

/**
 * A worker's claim, keyed by what it claims (the `job` field holds the key):
 * a job (`shop` — some worker serves it), one database of a job
 * (`shop/db1` — only its holder runs that database's pipeline), or a
 * worker's presence (`_worker/<worker id>` — counted to share a job's
 * databases among the live workers).
 */
export interface Lease {
  job: string;
  workerId: string;
  host: string;
  pid: number;
  heartbeatAt: string;
  expiresAt: string;
}

const JOB_NAME = /^[a-z][a-z0-9_-]*$/;
/** The key of a worker's presence lease. */
export const WORKER_PRESENCE = '_worker';

/** The lease of one database of a job. */
export function databaseLeaseKey(job: string, database: string): string {
  return `${job}/${database}`;
}

/** The lease a worker keeps while it runs (live workers share jobs' databases). */
export function presenceLeaseKey(workerId: string): string {
  return `${WORKER_PRESENCE}/${workerId}`;
}

/** The parts of a lease key (`job` or `job/rest`), or an error naming what is wrong. */
export function splitLeaseKey(key: string): { head: string; rest: string | null } {
  const slash = key.indexOf('/');
  const head = slash < 0 ? key : key.slice(0, slash);
  const rest = slash < 0 ? null : key.slice(slash + 1);
  const headOk = JOB_NAME.test(head) || (head === WORKER_PRESENCE && rest !== null);
  if (!headOk || rest === '' || key.includes('\0') || key.length > 1000) {
    throw new Error(
      `invalid job name ${JSON.stringify(head)}: expected lowercase letters, digits, '_' and '-', starting with a letter`,
    );
  }
  return { head, rest };
}

/** Thrown when the state lock is held by someone else. */
export class LockError extends Error {
  constructor(
    readonly holder: LockInfo,
    readonly path: string,
  ) {
    super(
      `state is locked by ${holder.who}@${holder.host} (pid ${holder.pid}, operation ${holder.operation}, since ${holder.created}, lock ID ${holder.id}); ` +
        `wait for it to finish, or if that process is gone run: migrate force-unlock ${holder.id}`,
    );
    this.name = 'LockError';
  }
}

/**
 * Storage for the controller state, its lock, worker runtimes and leases.
 * Every backend passes the shared conformance suite (test/unit/state-backend-conformance).
 */
export interface StateBackend {
  /** Human description, e.g. `local (/repo/.migrate)`. */
  readonly description: string;
  /** The current document, or null when no state exists yet. */
  read(): Promise<StateDocument | null>;
  /**
   * Persist `doc` atomically (keeping a backup of the previous one). The
   * caller holds the lock and has already incremented `serial`.
   */
  write(doc: StateDocument): Promise<void>;
  /**
   * Take the lock or throw LockError naming the holder. Never waits. The
   * local backend takes over a lock whose holder process is gone on this host.
   */
  lock(info: Omit<LockInfo, 'id' | 'created'>): Promise<AcquiredLock>;
  /** Release a lock we hold (no error when already gone). */
  unlock(id: string): Promise<void>;
  /** Release a lock by ID whoever holds it; throws when the ID does not match the current lock. */
  forceUnlock(id: string): Promise<void>;
  /** Current lock holder, if any. */
  lockHolder(): Promise<LockInfo | null>;

  readRuntime(job: string): Promise<JobRuntime | null>;
  writeRuntime(runtime: JobRuntime): Promise<void>;
  /**
   * Read-modify-write of a job's runtime that no other update interleaves
   * with (several workers report on one job): `update` gets the stored
   * runtime and returns what to store (null: leave it). Resolves to what is
   * stored afterwards.
   */
  updateRuntime(job: string, update: (current: JobRuntime | null) => JobRuntime | null): Promise<JobRuntime | null>;
  deleteRuntime(job: string): Promise<void>;

  /**
   * Claim the lease `job` (a key, see {@link Lease}) for `holder` when
   * unclaimed, expired, or held by a process of this host that is gone; false
   * when another live worker has it.
   */
  acquireLease(job: string, holder: Omit<Lease, 'job' | 'heartbeatAt' | 'expiresAt'>, ttlMs: number): Promise<boolean>;
  /** Extend our lease; false when we lost it (expired and taken over). */
  renewLease(job: string, workerId: string, ttlMs: number): Promise<boolean>;
  releaseLease(job: string, workerId: string): Promise<void>;
  readLease(job: string): Promise<Lease | null>;
  /** Every lease whose key starts with `prefix` (`<job>/` or `_worker/`), live or not. */
  listLeases(prefix: string): Promise<Lease[]>;

  /**
   * Release connections or other resources, for backends that hold them
   * (optional: the local backend holds nothing between calls). The backend
   * must not be used afterwards.
   */
  close?(): Promise<void>;
}
