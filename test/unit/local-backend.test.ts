import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../state/local/local-backend.js';
import { withFileMutex } from '../../state/local/file-mutex.js';
import { emptyState, newLineage } from '../../state/new-lineage.js';
import { LockError, type AcquiredLock } from '../../state/state-backend.js';
import { describeStateBackendConformance, sampleRuntime, sampleState } from './state-backend-conformance.js';

const ALICE = { who: 'alice', host: 'laptop', pid: 4242, operation: 'apply' };
const W1 = { workerId: 'w1', host: 'h1', pid: 1 };
const W2 = { workerId: 'w2', host: 'h2', pid: 2 };

/** The pid of a process that ran and exited (nothing has it now, barring reuse within milliseconds). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid ?? 0;
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

describeStateBackendConformance('local', async () => {
  const root = await mkdtemp(join(tmpdir(), 'migrate-local-'));
  const dir = join(root, '.migrate');
  return {
    backend: new LocalBackend(dir),
    other: () => new LocalBackend(dir),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('LocalBackend (local only)', () => {
  let root: string;
  let dir: string;
  let now: Date;
  let backend: LocalBackend;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'migrate-local-'));
    dir = join(root, '.migrate');
    now = new Date('2024-05-01T10:00:00.000Z');
    backend = new LocalBackend(dir, { clock: () => now });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('describes itself by its directory', () => {
    expect(backend.description).toBe(`local (${dir})`);
  });

  it('creates nothing on read', async () => {
    expect(await backend.read()).toBeNull();
    expect(await backend.lockHolder()).toBeNull();
    expect(await backend.readRuntime('shop')).toBeNull();
    expect(await backend.readLease('shop')).toBeNull();
    await backend.unlock('x');
    await backend.releaseLease('shop', 'w1');
    expect(await backend.renewLease('shop', 'w1', 1000)).toBe(false);
    await backend.deleteRuntime('shop');
    expect(existsSync(dir)).toBe(false);
  });

  it('creates its directories 0700 and every file 0600', async () => {
    const lineage = newLineage();
    await backend.write(sampleState(lineage, 1));
    await backend.write(sampleState(lineage, 2));
    await backend.lock(ALICE);
    await backend.writeRuntime(sampleRuntime('shop'));
    await backend.acquireLease('shop', W1, 60_000);

    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'jobs'))).toBe(0o700);
    for (const f of ['state.json', 'state.json.backup', 'state.lock', 'jobs/shop.json', 'jobs/shop.lease']) {
      expect(mode(join(dir, f)), f).toBe(0o600);
    }
  });

  it('leaves no temp or mutex files behind', async () => {
    const lineage = newLineage();
    for (let serial = 1; serial <= 5; serial++) await backend.write(sampleState(lineage, serial));
    const held = await backend.lock(ALICE);
    await expect(backend.lock(ALICE)).rejects.toBeInstanceOf(LockError);
    await backend.writeRuntime(sampleRuntime('shop'));
    await backend.writeRuntime(sampleRuntime('shop', 2));
    await backend.acquireLease('shop', W1, 60_000);
    await backend.renewLease('shop', 'w1', 60_000);
    await backend.acquireLease('shop', W2, 60_000);
    await backend.acquireLease('crm', W2, 60_000);
    await backend.releaseLease('crm', 'w2');

    expect((await readdir(dir)).sort()).toEqual(['jobs', 'state.json', 'state.json.backup', 'state.lock']);
    expect((await readdir(join(dir, 'jobs'))).sort()).toEqual(['shop.json', 'shop.lease']);
    await backend.forceUnlock(held.id);
    expect((await readdir(dir)).sort()).toEqual(['jobs', 'state.json', 'state.json.backup']);
  });

  it('keeps the previous state as state.json.backup', async () => {
    const lineage = newLineage();
    await backend.write(sampleState(lineage, 1, 'one'));
    expect(existsSync(join(dir, 'state.json.backup'))).toBe(false);
    await backend.write(sampleState(lineage, 2, 'two'));
    expect(JSON.parse(await readFile(join(dir, 'state.json.backup'), 'utf8'))).toEqual(sampleState(lineage, 1, 'one'));
    await backend.write(sampleState(lineage, 3, 'three'));
    expect(JSON.parse(await readFile(join(dir, 'state.json.backup'), 'utf8'))).toEqual(sampleState(lineage, 2, 'two'));
  });

  it('does not touch the backup when a write is refused', async () => {
    const lineage = newLineage();
    await backend.write(sampleState(lineage, 1, 'one'));
    await backend.write(sampleState(lineage, 2, 'two'));
    await expect(backend.write(sampleState(lineage, 2, 'again'))).rejects.toThrow(/already at serial 2/);
    expect(JSON.parse(await readFile(join(dir, 'state.json.backup'), 'utf8'))).toEqual(sampleState(lineage, 1, 'one'));
  });

  it('writes pretty JSON', async () => {
    await backend.write({ ...emptyState('lin'), serial: 1 });
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(
      '{\n  "version": 1,\n  "serial": 1,\n  "lineage": "lin",\n  "profiles": {},\n  "jobs": {}\n}\n',
    );
  });

  it('reads past temp files left by a crash mid-write', async () => {
    const doc = sampleState(newLineage(), 1);
    await backend.write(doc);
    await writeFile(join(dir, '.state.json.0b1c.tmp'), '{"version": 1, "ser');
    await mkdir(join(dir, 'jobs'), { recursive: true });
    await writeFile(join(dir, 'jobs', '.shop.json.0b1c.tmp'), '{');
    expect(await backend.read()).toEqual(doc);
    expect(await backend.readRuntime('shop')).toBeNull();
    await backend.write({ ...doc, serial: 2 });
    expect((await backend.read())?.serial).toBe(2);
  });

  it('names the file and the backup when state.json is damaged', async () => {
    await mkdir(dir);
    await writeFile(join(dir, 'state.json'), '{"version": 1, "ser');
    await expect(backend.read()).rejects.toThrow(join(dir, 'state.json'));
    await expect(backend.read()).rejects.toThrow('state.json.backup');
    await writeFile(join(dir, 'state.json'), '{"version": 7}');
    await expect(backend.read()).rejects.toThrow(/not a version 1 migrate state.*state\.json\.backup/);
  });

  it('reports a damaged lock file instead of taking the lock', async () => {
    await mkdir(dir);
    await writeFile(join(dir, 'state.lock'), '');
    await expect(backend.lock(ALICE)).rejects.toThrow(join(dir, 'state.lock'));
    await expect(backend.lockHolder()).rejects.toThrow(/delete it/);
    await backend.unlock('x');
    expect(existsSync(join(dir, 'state.lock'))).toBe(true);
  });

  it('takes over a lock whose holder process is gone on this host, naming it; two takers: exactly one wins', async () => {
    const pid = await deadPid();
    const dead = await backend.lock({ ...ALICE, host: hostname(), pid });
    const takers = [new LocalBackend(dir), new LocalBackend(dir)];
    const results = await Promise.allSettled(
      takers.map((b) => b.lock({ ...ALICE, who: 'bob', host: hostname(), pid: process.pid })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect((won[0] as PromiseFulfilledResult<AcquiredLock>).value.tookOverFrom).toMatchObject({ id: dead.id, pid });
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([
      expect.any(LockError),
    ]);
  });

  it.each([
    ['a live process of this host', () => ({ host: hostname(), pid: process.pid })],
    ['a process on another host', () => ({ host: 'another-host.example', pid: 1 })],
  ])('keeps a lock held by %s', async (_name, holder) => {
    const held = await backend.lock({ ...ALICE, ...holder() });
    await expect(new LocalBackend(dir).lock(ALICE)).rejects.toThrow(held.id);
  });

  it('frees a lease whose holder process is gone on this host before it expires', async () => {
    const pid = await deadPid();
    expect(await backend.acquireLease('j', { workerId: 'w-dead', host: hostname(), pid }, 60_000)).toBe(true);
    expect(await backend.acquireLease('j', W2, 60_000)).toBe(true);
    expect((await backend.readLease('j'))?.workerId).toBe('w2');
    // a live holder keeps it
    expect(await backend.acquireLease('k', { workerId: 'w-me', host: hostname(), pid: process.pid }, 60_000)).toBe(true);
    expect(await backend.acquireLease('k', W2, 60_000)).toBe(false);
  });

  it('never expires the state lock on its own', async () => {
    const held = await backend.lock(ALICE);
    now = new Date('2030-01-01T00:00:00.000Z');
    await utimes(join(dir, 'state.lock'), new Date(0), new Date(0));
    await expect(new LocalBackend(dir).lock(ALICE)).rejects.toBeInstanceOf(LockError);
    expect((await backend.lockHolder())?.id).toBe(held.id);
  });

  it('takes every recorded time from the injected clock', async () => {
    const lock = await backend.lock(ALICE);
    expect(lock.created).toBe('2024-05-01T10:00:00.000Z');
    await backend.acquireLease('shop', W1, 30_000);
    expect(await backend.readLease('shop')).toEqual({
      job: 'shop',
      ...W1,
      heartbeatAt: '2024-05-01T10:00:00.000Z',
      expiresAt: '2024-05-01T10:00:30.000Z',
    });
    now = new Date('2024-05-01T10:00:10.000Z');
    expect(await backend.renewLease('shop', 'w1', 30_000)).toBe(true);
    expect(await backend.readLease('shop')).toMatchObject({
      heartbeatAt: '2024-05-01T10:00:10.000Z',
      expiresAt: '2024-05-01T10:00:40.000Z',
    });
  });

  it('judges expiry by the injected clock: live through expiresAt, taken over just after', async () => {
    await backend.acquireLease('shop', W1, 30_000);
    now = new Date('2024-05-01T10:00:30.000Z');
    expect(await backend.acquireLease('shop', W2, 30_000)).toBe(false);
    now = new Date('2024-05-01T10:00:30.001Z');
    expect(await backend.acquireLease('shop', W2, 30_000)).toBe(true);
    expect(await backend.renewLease('shop', 'w1', 30_000)).toBe(false);
  });

  it('lets the holder renew after expiry when nobody took over', async () => {
    await backend.acquireLease('shop', W1, 30_000);
    now = new Date('2024-05-01T11:00:00.000Z');
    expect(await backend.renewLease('shop', 'w1', 30_000)).toBe(true);
    expect((await backend.readLease('shop'))?.expiresAt).toBe('2024-05-01T11:00:30.000Z');
  });

  it('rejects a non-positive TTL', async () => {
    await expect(backend.acquireLease('shop', W1, 0)).rejects.toThrow(RangeError);
    await expect(backend.renewLease('shop', 'w1', Number.NaN)).rejects.toThrow(RangeError);
  });

  it('rejects job names that are not safe file names', async () => {
    for (const bad of ['', '../state', 'a/b', 'Shop', '1shop', 'shop.json', '-x', 'shop ']) {
      await expect(backend.readRuntime(bad), bad).rejects.toThrow(/invalid job name/);
      await expect(backend.writeRuntime(sampleRuntime(bad)), bad).rejects.toThrow(/invalid job name/);
      await expect(backend.deleteRuntime(bad), bad).rejects.toThrow(/invalid job name/);
      if (bad === 'a/b') continue; // a lease key: database b of job a (its file name is hex-encoded)
      await expect(backend.acquireLease(bad, W1, 1000), bad).rejects.toThrow(/invalid job name/);
      await expect(backend.readLease(bad), bad).rejects.toThrow(/invalid job name/);
    }
    expect(existsSync(dir)).toBe(false);
    for (const good of ['a', 'shop_2', 'crm-eu-1']) {
      await backend.writeRuntime(sampleRuntime(good));
      expect(await backend.readRuntime(good)).toEqual(sampleRuntime(good));
    }
  });

  it('refuses a runtime file that belongs to another job', async () => {
    await backend.writeRuntime(sampleRuntime('shop'));
    await writeFile(join(dir, 'jobs', 'crm.json'), await readFile(join(dir, 'jobs', 'shop.json')));
    await expect(backend.readRuntime('crm')).rejects.toThrow(/not the runtime of job crm/);
  });

  it('breaks a lease mutex left behind by a crashed process', async () => {
    await mkdir(join(dir, 'jobs'), { recursive: true });
    const mutex = join(dir, 'jobs', 'shop.lease.mutex');
    await writeFile(mutex, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(mutex, old, old);
    expect(await backend.acquireLease('shop', W1, 30_000)).toBe(true);
    expect(existsSync(mutex)).toBe(false);
  });
});

describe('withFileMutex', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'migrate-mutex-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs one section at a time, across independent callers', async () => {
    const path = join(root, 'm.mutex');
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withFileMutex(path, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(1);
          inside--;
          done++;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(done).toBe(20);
    expect(existsSync(path)).toBe(false);
  });

  it('releases on error and returns the result', async () => {
    const path = join(root, 'm.mutex');
    await expect(withFileMutex(path, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(path)).toBe(false);
    expect(await withFileMutex(path, () => Promise.resolve(42))).toBe(42);
  });

  it('gives up on a live holder after the timeout', async () => {
    const path = join(root, 'm.mutex');
    await writeFile(path, '');
    await expect(withFileMutex(path, () => Promise.resolve(), { timeoutMs: 50 })).rejects.toThrow(/could not take/);
    expect(existsSync(path)).toBe(true);
  });

  it('takes over a stale mutex, judged by wall-clock time against its mtime', async () => {
    const path = join(root, 'm.mutex');
    await writeFile(path, '');
    const later = () => Date.now() + 10_000;
    expect(await withFileMutex(path, () => Promise.resolve('ok'), { staleMs: 5_000, now: later })).toBe('ok');
    expect(await readdir(root)).toEqual([]);
  });

  it('does not remove a mutex that was replaced while its holder ran too long', async () => {
    const path = join(root, 'm.mutex');
    await withFileMutex(path, async () => {
      await rm(path);
      await writeFile(path, 'someone else');
    });
    expect(await readFile(path, 'utf8')).toBe('someone else');
  });
});
