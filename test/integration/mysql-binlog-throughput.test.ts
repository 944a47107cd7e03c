/**
 * Decode throughput of the binlog reader (a measurement, logged, not
 * asserted): 200k rows of a 10-column table inserted in one statement,
 * read over the replication protocol, and the same binlog file decoded
 * from disk (decode alone, no network).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MARIADB_SKIP, startMariaDb, type MariaDbServer } from '../harness/mariadb.js';
import { BinlogReader } from '../../providers/mysql/binlog/binlog-reader.js';
import { BinlogDecoder } from '../../providers/mysql/binlog/binlog-decoder.js';

const skip = MARIADB_SKIP;
const ROWS = 200_000;
let server: MariaDbServer;

beforeAll(async () => {
  if (!skip) server = await startMariaDb();
});
afterAll(async () => {
  await server?.stop(true);
});

test.skipIf(skip)(`decode throughput, ${ROWS} rows x 10 columns`, async () => {
  await server.query(`CREATE DATABASE tp; CREATE TABLE tp.t (
    id int PRIMARY KEY, b bigint unsigned, d decimal(12,2), v varchar(40), ts datetime(6), f double,
    i int, c char(10), s tinyint, dt date)`);
  await server.query('FLUSH BINARY LOGS');
  const [st] = await server.query<{ File: string; Position: string }>('SHOW MASTER STATUS');
  const file = st?.File ?? '';
  await server.query(
    `INSERT INTO tp.t SELECT seq, seq * 1000003, seq / 7, CONCAT('row-', seq, '-', REPEAT('x', seq % 20)),
       '2024-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL seq MICROSECOND, seq / 3, -seq, 'chr', seq % 100,
       '2000-01-01' + INTERVAL (seq % 9000) DAY FROM seq_1_to_${ROWS}`,
    'tp',
  );
  const [end] = await server.query<{ File: string; Position: string }>('SHOW MASTER STATUS');

  const reader = await BinlogReader.open({
    connection: { host: '127.0.0.1', port: server.port, user: 'root' },
    start: { file, offset: Number(st?.Position) },
  });
  let rows = 0;
  const t0 = performance.now();
  for (;;) {
    const ev = await reader.next();
    if (!ev) break;
    if (ev.kind === 'write') rows += ev.rows.length;
    if (ev.kind === 'commit' && ev.position.offset >= Number(end?.Position)) break;
  }
  const wire = performance.now() - t0;
  await reader.close();
  expect(rows).toBe(ROWS);

  // the same events from the file (4-byte magic, then events back to back), three rounds: the first warms the JIT
  const bytes = readFileSync(join(server.dataDir, file));
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t1 = performance.now();
    const decoder = new BinlogDecoder({ file, offset: 4, checksum: 'CRC32' });
    let fileRows = 0;
    for (let at = 4; at < bytes.length;) {
      const size = bytes.readUInt32LE(at + 9);
      const ev = decoder.decode(bytes.subarray(at, at + size));
      if (ev?.kind === 'write') fileRows += ev.rows.length;
      at += size;
    }
    rounds.push(performance.now() - t1);
    expect(fileRows).toBe(ROWS);
  }
  const mb = bytes.length / 2 ** 20;
  const rate = (ms: number) => `${Math.round((ROWS / ms) * 1000)} rows/s`;
  console.log(
    `binlog decode: ${ROWS} rows x 10 columns (${mb.toFixed(1)} MiB of binlog): over the wire ${wire.toFixed(0)} ms = ${rate(wire)}; ` +
      `from the file, decode only: ${rounds.map((ms) => `${ms.toFixed(0)} ms = ${rate(ms)}`).join(', ')}`,
  );
});
