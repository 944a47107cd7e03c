import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options for {@link withFileMutex}. */
export interface FileMutexOptions {
  /**
   * A mutex file older than this is taken to be left by a crashed process and
   * is removed (default 5000 ms). Critical sections last milliseconds, so a
   * live holder never gets near it.
   */
  staleMs?: number;
  /** Give up waiting after this long (default 10000 ms; must exceed `staleMs` to outwait a crashed holder). */
  timeoutMs?: number;
  /**
   * Wall-clock milliseconds (default `Date.now`). Deliberately not the
   * backend's injectable clock: staleness is judged against file mtimes,
   * which the filesystem stamps in real time.
   */
  now?: () => number;
}

/** A random token written into the mutex file: inode numbers get reused too quickly to identify it. */
type Held = string;

/**
 * Run `fn` while holding an exclusive, cross-process mutex: the file `path`,
 * created with `O_EXCL`. Meant for short read-check-write sections (leases,
 * serial checks) that must not interleave between processes; it waits,
 * retrying with jitter, unlike the state lock which never waits.
 */
export async function withFileMutex<T>(path: string, fn: () => Promise<T>, opts: FileMutexOptions = {}): Promise<T> {
  const held = await acquire(path, opts);
  try {
    return await fn();
  } finally {
    await release(path, held);
  }
}

async function acquire(path: string, opts: FileMutexOptions): Promise<Held> {
  const now = opts.now ?? Date.now;
  const staleMs = opts.staleMs ?? 5_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        const token = randomUUID();
        await fh.writeFile(token);
        return token;
      } catch (err) {
        await unlink(path).catch(() => undefined);
        throw err;
      } finally {
        await fh.close();
      }
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    await breakIfStale(path, staleMs, now);
    if (now() >= deadline) {
      throw new Error(
        `could not take ${path} within ${timeoutMs} ms: another migrate process keeps holding it; ` +
          `if none is running, delete the file`,
      );
    }
    await sleep(2 + Math.random() * 10);
  }
}

async function release(path: string, held: Held): Promise<void> {
  try {
    // Only remove our own file: if we were slow enough to be judged stale,
    // the file there now belongs to someone else.
    if ((await readFile(path, 'utf8')) === held) await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/**
 * Remove a mutex left by a crashed process. Two waiters may both see it stale;
 * moving it aside (rename is atomic) and then checking that what we moved is
 * still that same stale file keeps the slower one from deleting the fresh
 * mutex the faster one has just created — if it was fresh, it is put back.
 */
async function breakIfStale(path: string, staleMs: number, now: () => number): Promise<void> {
  let seen;
  try {
    seen = await stat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if (now() - seen.mtimeMs <= staleMs) return;
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  try {
    const moved = await stat(aside);
    // Inode numbers are reused quickly; a stale mtime is what really identifies it.
    const same = moved.dev === seen.dev && moved.ino === seen.ino && moved.mtimeMs === seen.mtimeMs;
    if (!same) await link(aside, path).catch(() => undefined);
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}
