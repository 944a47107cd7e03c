import { chmod, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { JobRuntime } from '../job-runtime.js';
import { leaseAlive } from '../lease-liveness.js';
import { processGone } from '../process-liveness.js';
import { LockError, newLockInfo, splitLeaseKey } from '../state-backend.js';
import type { AcquiredLock, Lease, LockInfo, StateBackend } from '../state-backend.js';
import type { StateDocument } from '../state-document.js';
import { atomicWrite } from './atomic-write.js';
import { withFileMutex } from './file-mutex.js';

/** Job names become file names, so only this shape is accepted (no `/`, `..`, case clashes). */
const JOB_NAME = /^[a-z][a-z0-9_-]*$/;

/** Options for {@link LocalBackend}. */
export interface LocalBackendOptions {
  /** Source of every recorded time (lock `created`, lease heartbeats and expiry). Default: the system clock. */
  clock?: () => Date;
}

/**
 * State in a local directory (normally `.migrate/` next to the declaration):
 *
 * - `state.json` — the StateDocument; `state.json.backup` — the one it replaced
 * - `state.lock` — the LockInfo of whoever holds the state lock
 * - `jobs/<job>.json` — JobRuntime; `jobs/<job>.lease` — the worker Lease
 * - `*.mutex` — short-lived guards for read-check-write sections, held for
 *   milliseconds and broken automatically when a crash leaves one behind
 *
 * Every file is written atomically with mode 0600 and the directories are
 * created 0700 on the first write, never by a read. Safe for several processes
 * on one host (or one filesystem with working `O_EXCL` and `rename`).
 */
export class LocalBackend implements StateBackend {
  readonly description: string;
  private readonly clock: () => Date;
  private readonly statePath: string;
  private readonly backupPath: string;
  private readonly lockPath: string;
  private readonly jobsDir: string;

  /** @param dir the `.migrate` directory; it need not exist yet. */
  constructor(
    readonly dir: string,
    opts: LocalBackendOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.description = `local (${resolve(dir)})`;
    this.statePath = join(dir, 'state.json');
    this.backupPath = join(dir, 'state.json.backup');
    this.lockPath = join(dir, 'state.lock');
    this.jobsDir = join(dir, 'jobs');
  }

  async read(): Promise<StateDocument | null> {
    const raw = await readIfExists(this.statePath);
    return raw === null ? null : this.parseState(raw);
  }

  /**
   * Refuses a document from another lineage, or one whose serial is not above
   * the stored one: either means it was derived from a state other than the
   * one on disk, and writing it would silently drop someone's update.
   */
  async write(doc: StateDocument): Promise<void> {
    await this.ensureDirs(false);
    // The check and the rename must not interleave with another writer's, or
    // two writers holding the same serial could both pass the check.
    await withFileMutex(`${this.statePath}.mutex`, async () => {
      const raw = await readIfExists(this.statePath);
      if (raw !== null) {
        const stored = this.parseState(raw);
        if (doc.lineage !== stored.lineage) {
          throw new Error(
            `refusing to write state: its lineage ${doc.lineage} differs from ${stored.lineage} ` +
              `in ${this.statePath}; the document belongs to a different state`,
          );
        }
        if (doc.serial <= stored.serial) {
          throw new Error(
            `refusing to write state serial ${doc.serial}: ${this.statePath} is already at serial ${stored.serial}, ` +
              `so it changed after this document was read; read it again and retry`,
          );
        }
        await atomicWrite(this.backupPath, raw);
      }
      await atomicWrite(this.statePath, `${JSON.stringify(doc, null, 2)}\n`);
    });
  }

  /**
   * A lock whose holder ran on this host and is gone (no such process, or
   * its pid now belongs to a later process) is taken over: the result names
   * it in `tookOverFrom`. A holder elsewhere, or alive, keeps its lock.
   */
  async lock(info: Omit<LockInfo, 'id' | 'created'>): Promise<AcquiredLock> {
    await this.ensureDirs(false);
    const mine = newLockInfo(info, this.clock());
    const text = `${JSON.stringify(mine, null, 2)}\n`;
    // A few attempts only cover the holder unlocking between our failed
    // create and our read of its file; this never waits for a live holder.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await atomicWrite(this.lockPath, text, { exclusive: true });
        return mine;
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
      const holder = await this.lockHolder();
      if (holder === null) continue;
      if (!processGone(holder.host, holder.pid, holder.created)) throw new LockError(holder, this.lockPath);
      // two takers race for the same dead holder: only one replaces its file, the other then meets a live holder
      const replaced = await this.withLockMutex(async () => {
        if ((await this.lockHolder())?.id !== holder.id) return false;
        await atomicWrite(this.lockPath, text);
        return true;
      });
      if (replaced) return { ...mine, tookOverFrom: holder };
    }
    throw new Error(`could not take the state lock ${this.lockPath}: it keeps being taken and released; try again`);
  }

  async unlock(id: string): Promise<void> {
    // Unreadable is not ours either (ours is written atomically); leave it to force-unlock.
    const current = await this.lockHolder().catch(() => null);
    if (current?.id !== id) return;
    await this.withLockMutex(async () => {
      const again = await this.lockHolder().catch(() => null);
      if (again?.id === id) await unlinkIfExists(this.lockPath);
    });
  }

  async forceUnlock(id: string): Promise<void> {
    if ((await this.lockHolder()) === null) {
      throw new Error(`cannot force-unlock ${id}: the state is not locked (${this.lockPath} does not exist)`);
    }
    await this.withLockMutex(async () => {
      const holder = await this.lockHolder();
      if (holder === null) {
        throw new Error(`cannot force-unlock ${id}: the state is not locked (${this.lockPath} does not exist)`);
      }
      if (holder.id !== id) {
        throw new Error(
          `cannot force-unlock ${id}: the state lock is held by lock ID ${holder.id} ` +
            `(${holder.who}@${holder.host}, pid ${holder.pid}, operation ${holder.operation}, since ${holder.created})`,
        );
      }
      await unlinkIfExists(this.lockPath);
    });
  }

  async lockHolder(): Promise<LockInfo | null> {
    const raw = await readIfExists(this.lockPath);
    if (raw === null) return null;
    const info = parseJson(raw, this.lockPath, 'if no migrate process is running, delete it');
    if (!isLockInfo(info)) {
      throw new Error(`${this.lockPath} is not a state lock; if no migrate process is running, delete it`);
    }
    return info;
  }

  async readRuntime(job: string): Promise<JobRuntime | null> {
    const path = this.jobPath(job, 'json');
    const raw = await readIfExists(path);
    if (raw === null) return null;
    const runtime = parseJson(raw, path, 'delete it and the worker will report again');
    if (!isRecord(runtime) || runtime.job !== job) {
      throw new Error(`${path} is not the runtime of job ${job}; delete it and the worker will report again`);
    }
    return runtime as unknown as JobRuntime;
  }

  async writeRuntime(runtime: JobRuntime): Promise<void> {
    const path = this.jobPath(runtime.job, 'json');
    await this.ensureDirs(true);
    await atomicWrite(path, `${JSON.stringify(runtime, null, 2)}\n`);
  }

  async updateRuntime(job: string, update: (current: JobRuntime | null) => JobRuntime | null): Promise<JobRuntime | null> {
    const path = this.jobPath(job, 'json');
    await this.ensureDirs(true);
    return withFileMutex(`${path}.mutex`, async () => {
      const current = await this.readRuntime(job);
      const next = update(current);
      if (!next) return current;
      await atomicWrite(path, `${JSON.stringify(next, null, 2)}\n`);
      return next;
    });
  }

  async deleteRuntime(job: string): Promise<void> {
    await unlinkIfExists(this.jobPath(job, 'json'));
  }

  /** `expiresAt` equal to now still counts as live; only strictly past leases are taken over. */
  async acquireLease(job: string, holder: Omit<Lease, 'job' | 'heartbeatAt' | 'expiresAt'>, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const path = this.leasePath(job);
    await this.ensureDirs(true);
    return withFileMutex(`${path}.mutex`, async () => {
      const now = this.clock();
      const current = await this.readLease(job);
      // expired, or held by a process of this host that is gone
      if (current !== null && current.workerId !== holder.workerId && leaseAlive(current, now)) return false;
      await this.writeLease({ job, workerId: holder.workerId, host: holder.host, pid: holder.pid }, now, ttlMs);
      return true;
    });
  }

  /** Still succeeds after expiry as long as nobody took the lease over meanwhile. */
  async renewLease(job: string, workerId: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const path = this.leasePath(job);
    if ((await this.readLease(job))?.workerId !== workerId) return false;
    return withFileMutex(`${path}.mutex`, async () => {
      const current = await this.readLease(job);
      if (current?.workerId !== workerId) return false;
      await this.writeLease(current, this.clock(), ttlMs);
      return true;
    });
  }

  async releaseLease(job: string, workerId: string): Promise<void> {
    const path = this.leasePath(job);
    if ((await this.readLease(job))?.workerId !== workerId) return;
    await withFileMutex(`${path}.mutex`, async () => {
      if ((await this.readLease(job))?.workerId === workerId) await unlinkIfExists(path);
    });
  }

  async readLease(job: string): Promise<Lease | null> {
    const path = this.leasePath(job);
    const raw = await readIfExists(path);
    if (raw === null) return null;
    const lease = parseJson(raw, path, 'if no worker is running this job, delete it');
    if (!isLease(lease) || lease.job !== job) {
      throw new Error(`${path} is not a lease of job ${job}; if no worker is running this job, delete it`);
    }
    return lease;
  }

  async listLeases(prefix: string): Promise<Lease[]> {
    if (!prefix.endsWith('/')) throw new Error(`a lease prefix ends with '/': ${JSON.stringify(prefix)}`);
    const { head } = splitLeaseKey(`${prefix}x`);
    let names: string[];
    try {
      names = await readdir(this.jobsDir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    const out: Lease[] = [];
    for (const name of names) {
      if (!name.startsWith(`${head}@`) || !name.endsWith('.lease')) continue;
      const key = `${head}/${Buffer.from(name.slice(head.length + 1, -'.lease'.length), 'hex').toString('utf8')}`;
      // one being released right now, or left half-written by a crash: not a holder
      const lease = await this.readLease(key).catch(() => null);
      if (lease) out.push(lease);
    }
    return out;
  }

  private async writeLease(who: Omit<Lease, 'heartbeatAt' | 'expiresAt'>, now: Date, ttlMs: number): Promise<void> {
    const lease: Lease = {
      job: who.job,
      workerId: who.workerId,
      host: who.host,
      pid: who.pid,
      heartbeatAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    };
    // a lease names a live process of this host: a power loss ends the holder with it, so no fsync
    await atomicWrite(this.leasePath(who.job), `${JSON.stringify(lease, null, 2)}\n`, { durable: false });
  }

  private withLockMutex<T>(fn: () => Promise<T>): Promise<T> {
    return withFileMutex(`${this.lockPath}.mutex`, fn);
  }

  private parseState(raw: string): StateDocument {
    const hint = `the previous version is kept in ${this.backupPath}: check it and copy it over ${this.statePath}`;
    const doc = parseJson(raw, this.statePath, hint);
    if (!isRecord(doc) || doc.version !== 1 || typeof doc.serial !== 'number' || typeof doc.lineage !== 'string') {
      throw new Error(`${this.statePath} is not a version 1 migrate state (version, serial, lineage); ${hint}`);
    }
    return doc as unknown as StateDocument;
  }

  /** `jobs/<job>.lease`, or for a key `head/rest` `jobs/<head>@<rest as hex>.lease` (any database name makes a file name). */
  private leasePath(key: string): string {
    const { head, rest } = splitLeaseKey(key);
    return join(this.jobsDir, rest === null ? `${head}.lease` : `${head}@${Buffer.from(rest, 'utf8').toString('hex')}.lease`);
  }

  private jobPath(job: string, ext: 'json'): string {
    if (!JOB_NAME.test(job)) {
      throw new Error(
        `invalid job name ${JSON.stringify(job)}: expected lowercase letters, digits, '_' and '-', starting with a letter`,
      );
    }
    return join(this.jobsDir, `${job}.${ext}`);
  }

  private async ensureDirs(withJobs: boolean): Promise<void> {
    await ensurePrivateDir(this.dir);
    if (withJobs) await ensurePrivateDir(this.jobsDir);
  }
}

/** mkdir's mode is filtered by the umask, hence the chmod — but only of a directory we created. */
async function ensurePrivateDir(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(path, 0o700);
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`lease TTL must be a positive number of ms, got ${ttlMs}`);
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

function parseJson(raw: string, path: string, hint: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new Error(`cannot parse ${path}: ${(err as Error).message}; ${hint}`, { cause: err });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLockInfo(v: unknown): v is LockInfo {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.who === 'string' &&
    typeof v.host === 'string' &&
    typeof v.pid === 'number' &&
    typeof v.operation === 'string' &&
    typeof v.created === 'string'
  );
}

function isLease(v: unknown): v is Lease {
  return (
    isRecord(v) &&
    typeof v.job === 'string' &&
    typeof v.workerId === 'string' &&
    typeof v.expiresAt === 'string' &&
    !Number.isNaN(Date.parse(v.expiresAt))
  );
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}
