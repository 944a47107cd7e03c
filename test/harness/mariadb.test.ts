import { describe, expect, it } from 'vitest';
import { MARIADB_SKIP, startMariaDb } from './mariadb.js';

/** CI installs mariadb-server: a harness that cannot start it fails here, loudly. */
describe.skipIf(MARIADB_SKIP)('MariaDB harness', () => {
  it('starts a throwaway server with the binary log a CDC source needs, and restarts it on its data', async () => {
    const db = await startMariaDb();
    try {
      const [row] = await db.query<Record<string, string>>(
        'SELECT @@version AS v, @@log_bin AS log_bin, @@binlog_format AS f, @@binlog_row_image AS i, @@binlog_row_metadata AS m, @@character_set_server AS cs',
      );
      expect(row?.v).toMatch(/MariaDB/);
      expect(row).toMatchObject({ log_bin: '1', f: 'ROW', i: 'FULL', m: 'FULL', cs: 'utf8mb4' });
      await db.query('CREATE DATABASE kept; CREATE TABLE kept.t (id int primary key); INSERT INTO kept.t VALUES (1)');
      await db.kill('SIGKILL');
      await db.start();
      expect(await db.query('SELECT id FROM kept.t')).toEqual([{ id: 1 }]);
    } finally {
      await db.stop(true);
    }
  });
});
