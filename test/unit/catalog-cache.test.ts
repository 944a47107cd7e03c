import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../providers/catalog.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import { CatalogCache, endsCheck } from '../../engine/runtime/catalog-cache.js';

const profile = (port: number, user = 'migrate'): ResolvedProfile =>
  ({ name: `p${port}`, engine: 'postgres', host: '127.0.0.1', port, user, database: 'postgres' }) as unknown as ResolvedProfile;
const src = profile(5432);
const dst = profile(5433);
const job = { type: 'one-time' };
const dbs = [
  { name: 'shop', target: 'shop' },
  { name: 'crm', target: 'crm_copy' },
];
const EVERYTHING = { include: ['*.*'], exclude: [] };

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('CatalogCache: what the plan read and checked, for apply’s worker', () => {
  it('hands a catalog over once, while fresh, for exactly the same server, database and selection', () => {
    const c = clock();
    const cache = new CatalogCache(30_000, c.now);
    const catalog = { tables: [] } as unknown as Catalog;
    cache.put(src, 'shop', EVERYTHING, catalog);
    expect(cache.take(dst, 'shop', EVERYTHING)).toBeUndefined();
    expect(cache.take(src, 'shop', { include: ['public.*'], exclude: [] })).toBeUndefined();
    expect(cache.take(src, 'shop', EVERYTHING)).toBe(catalog);
    expect(cache.take(src, 'shop', EVERYTHING)).toBeUndefined();
    cache.put(src, 'shop', EVERYTHING, catalog);
    c.advance(30_001);
    expect(cache.take(src, 'shop', EVERYTHING)).toBeUndefined();
  });

  it.each([
    ['the same check, moments later', src, dst, endsCheck(job, dbs), 10, true],
    ['after the freshness window', src, dst, endsCheck(job, dbs), 30_001, false],
    ['another source server', profile(6000), dst, endsCheck(job, dbs), 10, false],
    ['another destination user', src, profile(5433, 'other'), endsCheck(job, dbs), 10, false],
    ['a continuous check (slots, wal_level) is not a one-time one', src, dst, endsCheck({ type: 'continuous' }, dbs), 10, false],
    ['fewer databases than were checked', src, dst, endsCheck(job, dbs.slice(0, 1)), 10, false],
    ['another target database', src, dst, endsCheck(job, [dbs[0]!, { name: 'crm', target: 'crm' }]), 10, false],
  ] as const)('a passed prerequisite check counts for %s: %s', (_what, s, d, check, after, expected) => {
    const c = clock();
    const cache = new CatalogCache(30_000, c.now);
    cache.putChecked(src, dst, endsCheck(job, dbs));
    c.advance(after);
    expect(cache.takeChecked(s, d, check)).toBe(expected);
  });

  it('a passed check is used once', () => {
    const cache = new CatalogCache();
    cache.putChecked(src, dst, endsCheck(job, dbs));
    expect(cache.takeChecked(src, dst, endsCheck(job, dbs))).toBe(true);
    expect(cache.takeChecked(src, dst, endsCheck(job, dbs))).toBe(false);
  });
});
