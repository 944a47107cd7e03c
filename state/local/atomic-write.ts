import { randomUUID } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options for {@link atomicWrite}. */
export interface AtomicWriteOptions {
  /** File mode of the result (default 0600: state may name hosts and users). */
  mode?: number;
  /**
   * Fail with `EEXIST` instead of replacing an existing file (default false).
   * The file still appears complete in one step, so a concurrent reader never
   * sees it half-written — which `open(path, 'wx')` followed by a write would allow.
   */
  exclusive?: boolean;
  /**
   * fsync the file and its directory (default true). Off only for records
   * that outlive no crash of their writer anyway (leases: a power loss ends
   * every holder on this host with it); the write is still atomic.
   */
  durable?: boolean;
}

/**
 * Write `data` to `path` so that readers (and a crash at any point) see
 * either the old file or the complete new one, never a torn mix.
 *
 * The data goes to a temp file in the same directory (rename is only atomic
 * within one filesystem), is fsynced, then published by rename — or by link
 * when `exclusive` — and finally the directory is fsynced so the new name
 * itself survives a power loss. A crash can leave a `.<name>.*.tmp` file
 * behind; nothing reads those, so it is harmless.
 */
export async function atomicWrite(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  const fh = await open(temp, 'wx', mode);
  let published = false;
  try {
    try {
      // open() applies the umask; chmod makes the mode exact either way.
      await fh.chmod(mode);
      await fh.writeFile(data);
      if (opts.durable !== false) await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.exclusive) {
      await link(temp, path);
    } else {
      await rename(temp, path);
      published = true;
    }
    if (opts.durable !== false) await fsyncDir(dir);
  } finally {
    if (!published) await unlink(temp).catch(() => undefined);
  }
}

/** Persist directory entries, so a renamed-in file is still there after a power loss. */
async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch (err) {
    // Some platforms (Windows) cannot open a directory; there is nothing to sync there.
    if (isCode(err, 'EISDIR', 'EPERM', 'EACCES')) return;
    throw err;
  }
  try {
    await fh.sync();
  } catch (err) {
    if (!isCode(err, 'EINVAL', 'EBADF', 'EPERM')) throw err;
  } finally {
    await fh.close();
  }
}

function isCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}
