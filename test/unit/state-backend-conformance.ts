import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../state/job-runtime.js';
import { emptyState, newLineage } from '../../state/new-lineage.js';
import { databaseLeaseKey, LockError, presenceLeaseKey } from '../../state/state-backend.js';
import type { Lease, LockInfo, StateBackend } from '../../state/state-backend.js';
import type { StateDocument } from '../../state/state-document.js';

/** What a backend's test file provides: a fresh, empty storage per test. */
export interface ConformanceFixture {
  backend: StateBackend;
  /** A second, independent instance over the same storage (as another process would open it). */
  other: () => StateBackend;
  cleanup: () => Promise<void>;
}

/** How many times each race is rerun: one lucky interleaving proves nothing. */
const RACES = 25;
const LONG_TTL = 60_000;

const ALICE: Omit<LockInfo, 'id' | 'created'> = { who: 'alice', host: 'laptop', pid: 4242, operation: 'apply' };
const BOB: Omit<LockInfo, 'id' | 'created'> = { who: 'bob', host: 'ci-runner', pid: 77, operation: 'plan' };

function worker(workerId: string): Omit<Lease, 'job' | 'heartbeatAt' | 'expiresAt'> {
  return { workerId, host: `host-${workerId}`, pid: 1000 + workerId.length };
}

/** A state with one profile and one job, so round trips cover nested records. */
export function sampleState(lineage: string, serial: number, note = 'shop'): StateDocument {
  const doc = emptyState(lineage);
  doc.serial = serial;
  doc.profiles.src = {
    engine: 'postgres',
    host: 'db.internal',
    port: 5432,
    user: 'migrator',
    database: 'postgres',
    tls: { mode: 'verify-full', ca: '/etc/ca.pem' },
    passwordRef: 'env:SRC_PASSWORD',
    passwordFingerprint: 'hmac-sha256:abc',
  };
  doc.jobs[note] = {
    name: note,
    source: 'src',
    destination: 'dst',
    type: 'continuous',
    desiredState: 'running',
    parallelism: 'optimal',
    databases: [{ name: 'shop', target: 'shop_copy', tables: { include: ['public.*'], exclude: ['public.tmp_*'] } }],
    generation: serial,
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    history: [{ at: '2024-05-01T10:00:00.000Z', action: 'start', from: 'NOT_STARTED', to: 'STARTING', by: 'alice' }],
  };
  return doc;
}

/** A runtime with one database and one table in progress. */
export function sampleRuntime(job: string, generation = 1): JobRuntime {
  return {
    job,
    generation,
    status: 'RUNNING',
    substatus: 'FULL_DUMP',
    startedAt: '2024-05-01T10:00:00.000Z',
    endedAt: null,
    error: null,
    workerId: 'w1',
    updatedAt: '2024-05-01T10:05:00.000Z',
    databases: [
      {
        name: 'shop',
        target: 'shop_copy',
        migrationState: 'FULL_DUMP',
        startedOn: '2024-05-01T10:00:00.000Z',
        endedOn: null,
        incomingChanges: 0,
        appliedChanges: 0,
        latencyMs: null,
        tables: [
          {
            name: 'public.orders',
            state: 'LOADING',
            fullLoadTotalRows: 1200,
            fullLoadTotalVolumeBytes: 65536,
            fullLoadStartedOn: '2024-05-01T10:00:01.000Z',
            fullLoadEndedOn: null,
            rangesTotal: 8,
            rangesDone: 3,
            cdcInsertCounter: 0,
            cdcUpdateCounter: 0,
            cdcDeleteCounter: 0,
            dataErrorsCount: 0,
            lastError: null,
          },
        ],
      },
    ],
  };
}

/**
 * The behaviour every StateBackend must show, run by each backend's own test
 * file. Races use two instances from `other()` so they exercise the storage's
 * own exclusion, not an in-memory shortcut. Lease expiry uses short real TTLs,
 * so backends that take time from elsewhere (a database clock) pass too.
 */
export function describeStateBackendConformance(name: string, makeBackend: () => Promise<ConformanceFixture>): void {
  describe(`StateBackend conformance: ${name}`, () => {
    let fx: ConformanceFixture;
    let backend: StateBackend;
    beforeEach(async () => {
      fx = await makeBackend();
      backend = fx.backend;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('has a description', () => {
      expect(backend.description.length).toBeGreaterThan(0);
    });

    describe('state document', () => {
      it('reads null before anything is written', async () => {
        expect(await backend.read()).toBeNull();
        expect(await backend.lockHolder()).toBeNull();
      });

      it('round-trips a document, also through another instance', async () => {
        const doc = sampleState(newLineage(), 1);
        await backend.write(doc);
        expect(await backend.read()).toEqual(doc);
        expect(await fx.other().read()).toEqual(doc);
      });

      it('accepts increasing serials and keeps the latest', async () => {
        const lineage = newLineage();
        await backend.write(sampleState(lineage, 1, 'one'));
        await backend.write(sampleState(lineage, 2, 'two'));
        await fx.other().write(sampleState(lineage, 5, 'five'));
        expect(await backend.read()).toEqual(sampleState(lineage, 5, 'five'));
      });

      it('refuses a serial that is not above the stored one (lost update)', async () => {
        const lineage = newLineage();
        const stored = sampleState(lineage, 3);
        await backend.write(stored);
        await expect(backend.write(sampleState(lineage, 3, 'same'))).rejects.toThrow(/serial/);
        await expect(fx.other().write(sampleState(lineage, 2, 'older'))).rejects.toThrow(/serial/);
        expect(await backend.read()).toEqual(stored);
      });

      it('refuses a document from another lineage', async () => {
        const stored = sampleState(newLineage(), 1);
        await backend.write(stored);
        await expect(backend.write(sampleState(newLineage(), 2))).rejects.toThrow(/lineage/);
        expect(await backend.read()).toEqual(stored);
      });

      it('lets exactly one of two racing writers of the same serial win', async () => {
        const lineage = newLineage();
        await backend.write(sampleState(lineage, 1));
        const other = fx.other();
        for (let i = 0; i < RACES; i++) {
          const serial = i + 2;
          const a = sampleState(lineage, serial, 'a');
          const b = sampleState(lineage, serial, 'b');
          const results = await Promise.allSettled([backend.write(a), other.write(b)]);
          const won = results.filter((r) => r.status === 'fulfilled');
          expect(won).toHaveLength(1);
          expect(await backend.read()).toEqual(results[0]?.status === 'fulfilled' ? a : b);
        }
      });
    });

    describe('state lock', () => {
      it('takes the lock and reports the holder', async () => {
        const info = await backend.lock(ALICE);
        expect(info).toMatchObject(ALICE);
        expect(info.id).toMatch(/\S/);
        expect(Number.isNaN(Date.parse(info.created))).toBe(false);
        expect(await backend.lockHolder()).toEqual(info);
        expect(await fx.other().lockHolder()).toEqual(info);
      });

      it('refuses a second lock with a LockError naming the holder, without waiting', async () => {
        const held = await backend.lock(ALICE);
        for (const contender of [backend, fx.other()]) {
          const err = await contender.lock(BOB).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(LockError);
          const lockErr = err as LockError;
          expect(lockErr.holder).toEqual(held);
          expect(lockErr.path.length).toBeGreaterThan(0);
          expect(lockErr.message).toContain(held.id);
          expect(lockErr.message).toContain('alice');
          expect(lockErr.message).toContain('4242');
          expect(lockErr.message).toContain('apply');
          expect(lockErr.message).toContain(`migrate force-unlock ${held.id}`);
        }
        expect(await backend.lockHolder()).toEqual(held);
      });

      it('gives the lock to exactly one of two racing instances', async () => {
        const other = fx.other();
        for (let i = 0; i < RACES; i++) {
          const results = await Promise.allSettled([backend.lock(ALICE), other.lock(BOB)]);
          const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
          const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          const winner = won[0] as LockInfo;
          expect(lost[0]).toBeInstanceOf(LockError);
          expect((lost[0] as LockError).holder.id).toBe(winner.id);
          expect(await backend.lockHolder()).toEqual(winner);
          await backend.unlock(winner.id);
          expect(await backend.lockHolder()).toBeNull();
        }
      });

      it('unlocks only with the matching ID, and quietly when already gone', async () => {
        const held = await backend.lock(ALICE);
        await backend.unlock('not-the-id');
        await fx.other().unlock('not-the-id');
        expect(await backend.lockHolder()).toEqual(held);
        await fx.other().unlock(held.id);
        expect(await backend.lockHolder()).toBeNull();
        await backend.unlock(held.id);
        await backend.unlock('never-existed');
      });

      it('can be taken again after unlock, with a new ID', async () => {
        const first = await backend.lock(ALICE);
        await backend.unlock(first.id);
        const second = await fx.other().lock(BOB);
        expect(second.id).not.toBe(first.id);
        expect(await backend.lockHolder()).toEqual(second);
      });

      it('force-unlocks by ID from another instance', async () => {
        const held = await backend.lock(ALICE);
        await fx.other().forceUnlock(held.id);
        expect(await backend.lockHolder()).toBeNull();
      });

      it('refuses to force-unlock a different ID, naming the current one', async () => {
        const held = await backend.lock(ALICE);
        await expect(fx.other().forceUnlock('wrong-id')).rejects.toThrow(held.id);
        expect(await backend.lockHolder()).toEqual(held);
      });

      it('refuses to force-unlock when nothing is locked', async () => {
        await expect(backend.forceUnlock('some-id')).rejects.toThrow(/not locked/);
      });
    });

    describe('job runtime', () => {
      it('reads null for an unknown job', async () => {
        expect(await backend.readRuntime('shop')).toBeNull();
      });

      it('round-trips, overwrites and deletes per job', async () => {
        const shop = sampleRuntime('shop');
        const crm = sampleRuntime('crm-2');
        await backend.writeRuntime(shop);
        await backend.writeRuntime(crm);
        expect(await fx.other().readRuntime('shop')).toEqual(shop);

        const later = { ...sampleRuntime('shop', 2), status: 'COMPLETED' as const, substatus: null };
        await fx.other().writeRuntime(later);
        expect(await backend.readRuntime('shop')).toEqual(later);

        await backend.deleteRuntime('shop');
        expect(await backend.readRuntime('shop')).toBeNull();
        expect(await backend.readRuntime('crm-2')).toEqual(crm);
        await backend.deleteRuntime('shop');
      });

      it('updates read-modify-write without losing a concurrent update (several workers report on one job)', async () => {
        await backend.writeRuntime({ ...sampleRuntime('shop'), databases: [] });
        const other = fx.other();
        const add = (b: StateBackend, name: string) =>
          b.updateRuntime('shop', (cur) => {
            if (!cur) throw new Error('runtime missing');
            return { ...cur, databases: [...cur.databases, { ...sampleRuntime('shop').databases[0]!, name }] };
          });
        await Promise.all(Array.from({ length: 10 }, (_, i) => add(i % 2 ? other : backend, `db${i}`)));
        const names = (await backend.readRuntime('shop'))?.databases.map((d) => d.name).sort();
        expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `db${i}`).sort());
      });

      it('creates on update when absent, leaves it when the update returns null, and returns what is stored', async () => {
        expect(await backend.updateRuntime('shop', () => null)).toBeNull();
        expect(await backend.readRuntime('shop')).toBeNull();
        const shop = sampleRuntime('shop');
        expect(await backend.updateRuntime('shop', (cur) => (cur ? null : shop))).toEqual(shop);
        expect(await fx.other().updateRuntime('shop', () => null)).toEqual(shop);
      });
    });

    describe('job leases', () => {
      it('acquires a free lease and records who holds it until when', async () => {
        expect(await backend.readLease('shop')).toBeNull();
        expect(await backend.acquireLease('shop', worker('w1'), LONG_TTL)).toBe(true);
        const lease = await fx.other().readLease('shop');
        expect(lease).toMatchObject({ job: 'shop', ...worker('w1') });
        const l = lease as Lease;
        expect(Date.parse(l.expiresAt) - Date.parse(l.heartbeatAt)).toBe(LONG_TTL);
      });

      it('refuses a live lease to another worker and leaves it untouched', async () => {
        await backend.acquireLease('shop', worker('w1'), LONG_TTL);
        const before = await backend.readLease('shop');
        expect(await fx.other().acquireLease('shop', worker('w2'), LONG_TTL)).toBe(false);
        expect(await backend.readLease('shop')).toEqual(before);
      });

      it('lets the holder acquire again (a renewal)', async () => {
        await backend.acquireLease('shop', worker('w1'), LONG_TTL);
        const before = (await backend.readLease('shop')) as Lease;
        await sleep(5);
        expect(await fx.other().acquireLease('shop', worker('w1'), LONG_TTL)).toBe(true);
        const after = (await backend.readLease('shop')) as Lease;
        expect(after.workerId).toBe('w1');
        expect(Date.parse(after.expiresAt)).toBeGreaterThanOrEqual(Date.parse(before.expiresAt));
      });

      it('renews only our own lease', async () => {
        expect(await backend.renewLease('shop', 'w1', LONG_TTL)).toBe(false);
        await backend.acquireLease('shop', worker('w1'), 1_000);
        expect(await fx.other().renewLease('shop', 'w2', LONG_TTL)).toBe(false);
        expect(await backend.renewLease('shop', 'w1', LONG_TTL)).toBe(true);
        const lease = (await backend.readLease('shop')) as Lease;
        expect(lease).toMatchObject({ job: 'shop', ...worker('w1') });
        expect(Date.parse(lease.expiresAt) - Date.parse(lease.heartbeatAt)).toBe(LONG_TTL);
      });

      it('releases only our own lease', async () => {
        await backend.releaseLease('shop', 'w1');
        await backend.acquireLease('shop', worker('w1'), LONG_TTL);
        await fx.other().releaseLease('shop', 'w2');
        expect((await backend.readLease('shop'))?.workerId).toBe('w1');
        await fx.other().releaseLease('shop', 'w1');
        expect(await backend.readLease('shop')).toBeNull();
        expect(await backend.acquireLease('shop', worker('w2'), LONG_TTL)).toBe(true);
      });

      it('hands an expired lease to another worker; the old holder has lost it', async () => {
        await backend.acquireLease('shop', worker('w1'), 1);
        await sleep(20);
        expect(await fx.other().acquireLease('shop', worker('w2'), LONG_TTL)).toBe(true);
        expect(await backend.readLease('shop')).toMatchObject({ job: 'shop', ...worker('w2') });
        expect(await backend.renewLease('shop', 'w1', LONG_TTL)).toBe(false);
        await backend.releaseLease('shop', 'w1');
        expect((await backend.readLease('shop'))?.workerId).toBe('w2');
      });

      it('keeps leases of different jobs apart', async () => {
        expect(await backend.acquireLease('shop', worker('w1'), LONG_TTL)).toBe(true);
        expect(await fx.other().acquireLease('crm', worker('w2'), LONG_TTL)).toBe(true);
        expect((await backend.readLease('shop'))?.workerId).toBe('w1');
        expect((await backend.readLease('crm'))?.workerId).toBe('w2');
      });

      it('gives a free lease to exactly one of two racing instances', async () => {
        const other = fx.other();
        for (let i = 0; i < RACES; i++) {
          const got = await Promise.all([
            backend.acquireLease('shop', worker('w1'), LONG_TTL),
            other.acquireLease('shop', worker('w2'), LONG_TTL),
          ]);
          expect(got.filter(Boolean)).toHaveLength(1);
          const winner = got[0] ? 'w1' : 'w2';
          expect((await backend.readLease('shop'))?.workerId).toBe(winner);
          await backend.releaseLease('shop', winner);
        }
      });

      it('keeps database and worker leases apart from the job lease, whatever the database name', async () => {
        const names = ['db1', 'Ünïcode db', 'a/b', '..', 'x'.repeat(63)];
        expect(await backend.acquireLease('shop', worker('w0'), LONG_TTL)).toBe(true);
        for (const [i, db] of names.entries()) {
          expect(await backend.acquireLease(databaseLeaseKey('shop', db), worker(`w${i + 1}`), LONG_TTL)).toBe(true);
        }
        expect(await fx.other().acquireLease(databaseLeaseKey('shop', 'db1'), worker('w9'), LONG_TTL)).toBe(false);
        expect(await backend.acquireLease(presenceLeaseKey('host:1:abc'), worker('w7'), LONG_TTL)).toBe(true);
        expect((await backend.readLease('shop'))?.workerId).toBe('w0');
        const listed = await fx.other().listLeases('shop/');
        expect(listed.map((l) => [l.job, l.workerId]).sort()).toEqual(
          names.map((db, i) => [databaseLeaseKey('shop', db), `w${i + 1}`]).sort(),
        );
        expect((await backend.listLeases('_worker/')).map((l) => l.job)).toEqual(['_worker/host:1:abc']);
        expect(await backend.listLeases('crm/')).toEqual([]);
        await backend.releaseLease(databaseLeaseKey('shop', 'a/b'), 'w3');
        expect((await backend.listLeases('shop/')).map((l) => l.job)).not.toContain('shop/a/b');
        await expect(backend.acquireLease('Shop/db', worker('w1'), LONG_TTL)).rejects.toThrow(/invalid job name/);
        await expect(backend.acquireLease('shop/', worker('w1'), LONG_TTL)).rejects.toThrow(/invalid job name/);
        await expect(backend.listLeases('shop')).rejects.toThrow(/ends with/);
      });

      it('gives an expired lease to exactly one of two racing takeovers', async () => {
        const other = fx.other();
        for (let i = 0; i < RACES; i++) {
          expect(await backend.acquireLease('shop', worker('w0'), 1)).toBe(true);
          await sleep(10);
          const got = await Promise.all([
            backend.acquireLease('shop', worker('w1'), LONG_TTL),
            other.acquireLease('shop', worker('w2'), LONG_TTL),
          ]);
          expect(got.filter(Boolean)).toHaveLength(1);
          const winner = got[0] ? 'w1' : 'w2';
          expect((await backend.readLease('shop'))?.workerId).toBe(winner);
          await backend.releaseLease('shop', winner);
        }
      });
    });
  });
}
