import { describe, expect, it } from 'vitest';
import { startPostgres } from './embedded-postgres.js';

describe('embedded PostgreSQL harness', () => {
  it.each([14, 17] as const)('starts PostgreSQL %i with logical WAL', async (major) => {
    const pg = await startPostgres({ major });
    try {
      const [row] = await pg.query<{ v: string; w: string }>(
        "select current_setting('server_version_num') as v, current_setting('wal_level') as w",
      );
      expect(row?.v.startsWith(String(major))).toBe(true);
      expect(row?.w).toBe('logical');
    } finally {
      await pg.stop(true);
    }
  });
});
