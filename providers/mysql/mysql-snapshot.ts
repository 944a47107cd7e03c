/**
 * One consistent read point of a MySQL/MariaDB database, shared by several
 * reader connections, and the binary-log position it corresponds to.
 *
 * MySQL cannot hand a read view to another session (Percona's `FROM
 * SESSION` aside), and `SHOW SESSION STATUS LIKE 'Binlog_snapshot_%'`
 * (MariaDB, Percona) is not reliably the asking session's own snapshot
 * position: the server fills the values into one buffer shared by all
 * sessions, so two readers asking at once can both read one reader's
 * position while their views differ by the transactions committed between
 * their starts (MariaDB 10.11 under concurrent commits: 32 of 519 pairs
 * reporting equal positions saw different rows; one session asking alone
 * matched its view 1,500 times out of 1,500). A change stream started at such
 * a position loses what a view missed (neither loaded nor streamed: a whole
 * transaction of one table) or applies twice what it holds beyond it
 * (test/integration/mysql-snapshot-boundary.test.ts). Any session's SHOW
 * STATUS (a monitoring scrape, another job's snapshot) can race a single
 * reader the same way. So whenever the position or a common view of
 * several readers matters, the readers meet by mydumper's sequence —
 * `FLUSH TABLES WITH READ LOCK` (no commit is in flight while it is held),
 * every reader starts its snapshot, the position is read, `UNLOCK TABLES` —
 * writers wait only for that long (measured and logged). A user without the RELOAD privilege the
 * lock needs gets one reader and its session's snapshot position, with a
 * warning that the position may be inexact.
 */
import { PassThrough, Transform, type Readable } from 'node:stream';
import type { Connection } from 'mysql2/promise';
import type { Logger } from '../../contract/logger.js';
import type { TableDef } from '../catalog.js';
import type { CopyFormat, ResolvedProfile, SourceSnapshot, TableRange } from '../provider.js';
import { connectMySql, coreConnection, mysqlRows } from './mysql-connection.js';
import { copiedColumns, RowEncoder, selectList } from './mysql-interchange.js';
import { mysqlTextSelectList } from './mysql-load-format.js';
import { RawRowsCommand } from './mysql-raw-rows.js';
import { formatBinlogPosition } from './mysql-position.js';
import { quoteMySqlIdent, quoteMySqlQualified } from './mysql-quote.js';
import { SnapshotReaders } from '../snapshot-readers.js';

/** Rows per encoded chunk handed to the destination (bounded: ~64 KiB). */
const CHUNK_BYTES = 64 * 1024;

interface Reader {
  conn: Connection;
  /** The session's character_set_results is binary (a mysql-text read ran on it last). */
  binaryResults: boolean;
}

export interface MySqlSnapshotOptions {
  readers: number;
  /** The binary-log position is needed (change capture starts there). */
  position: boolean;
  logger: Logger;
}

export class MySqlSnapshot implements SourceSnapshot {
  private constructor(
    readonly id: string,
    readonly position: string | null,
    private readonly readers: SnapshotReaders<Reader>,
    private readonly logger: Logger,
  ) {}

  static async open(profile: ResolvedProfile, database: string, opts: MySqlSnapshotOptions): Promise<MySqlSnapshot> {
    const want = Math.max(1, opts.readers);
    const conns = await Promise.all(Array.from({ length: want }, () => connectMySql(profile, database)));
    try {
      const { position, used, how } = await meet(conns, opts);
      for (const c of conns.slice(used)) await c.end().catch(() => c.destroy());
      opts.logger.debug('snapshot opened', { database, readers: used, how, position: position ?? '' });
      return new MySqlSnapshot(
        `${database}@${position ?? 'no-binlog'}`,
        opts.position ? position : null,
        new SnapshotReaders<Reader>(
          conns.slice(0, used).map((conn) => ({ conn, binaryResults: false })),
          database,
        ),
        opts.logger,
      );
    } catch (err) {
      for (const c of conns) c.destroy();
      throw err;
    }
  }

  async planRanges(table: TableDef, targetBytes: number): Promise<TableRange[]> {
    const pk = table.primaryKey?.columns ?? [];
    const col = pk.length === 1 ? table.columns.find((c) => c.name === pk[0]) : undefined;
    const n = Math.ceil(table.estimatedBytes / Math.max(1, targetBytes));
    if (!col || col.canonical?.kind !== 'int' || n < 2) return [{ id: 'all', predicate: null }];
    const q = quoteMySqlIdent(col.name);
    const reader = await this.readers.acquire();
    let lo: bigint;
    let hi: bigint;
    try {
      const [row] = await mysqlRows<{ lo: string | null; hi: string | null }>(
        reader.conn,
        `SELECT MIN(${q}) AS lo, MAX(${q}) AS hi FROM ${quoteMySqlQualified(table)}`,
      );
      if (row?.lo == null || row.hi == null) return [{ id: 'all', predicate: null }];
      lo = BigInt(row.lo);
      hi = BigInt(row.hi);
    } finally {
      this.readers.release(reader);
    }
    const span = hi - lo + 1n;
    const parts = BigInt(n) > span ? Number(span) : n;
    const step = span / BigInt(parts);
    const ranges: TableRange[] = [];
    for (let i = 0; i < parts; i++) {
      const from = lo + step * BigInt(i);
      const to = lo + step * BigInt(i + 1);
      const lower = i === 0 ? null : `${q} >= ${from}`;
      const upper = i === parts - 1 ? null : `${q} < ${to}`;
      ranges.push({ id: `${i + 1}/${parts}`, predicate: [lower, upper].filter(Boolean).join(' AND ') || null });
    }
    return ranges;
  }

  async readRange(table: TableDef, range: TableRange, format: CopyFormat): Promise<Readable> {
    if (format !== 'interchange-text' && format !== 'mysql-text') throw new Error(`a MySQL source cannot produce ${format}`);
    const native = format === 'mysql-text';
    const reader = await this.readers.acquire();
    const columns = copiedColumns(table.columns);
    const sql =
      `SELECT ${native ? mysqlTextSelectList(columns) : selectList(columns)} FROM ${quoteMySqlQualified(table)}` +
      (range.predicate ? ` WHERE ${range.predicate}` : '');
    // mysql-text: every value's stored bytes, in its column's own charset
    if (reader.binaryResults !== native) {
      try {
        await reader.conn.query(`SET SESSION character_set_results = ${native ? 'binary' : 'utf8mb4'}`);
      } catch (err) {
        this.readers.release(reader);
        throw err;
      }
      reader.binaryResults = native;
    }
    if (native) return this.readRaw(reader, table, sql);
    const encoder = new RowEncoder(columns);
    let parts: Buffer[] = [];
    let size = 0;
    const encode = new Transform({
      writableObjectMode: true,
      writableHighWaterMark: 256,
      transform(row: (Buffer | null)[], _enc, cb) {
        size += encoder.encode(row, parts);
        if (size >= CHUNK_BYTES) {
          const chunk = Buffer.concat(parts, size);
          parts = [];
          size = 0;
          cb(null, chunk);
        } else cb();
      },
      flush(cb) {
        if (size) cb(null, Buffer.concat(parts, size));
        else cb();
      },
    });
    const out = new PassThrough();
    const rows = coreConnection(reader.conn).query({ sql, rowsAsArray: true, typeCast: rawBytes }).stream({ highWaterMark: 256 });
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (err) {
        // a reader whose query was cut off mid-result cannot serve another range
        reader.conn.destroy();
        this.readers.drop(reader);
        out.destroy(err);
      } else this.readers.release(reader);
    };
    rows.on('error', (err: Error) => finish(new Error(`reading ${table.schema}.${table.name}: ${err.message}`, { cause: err })));
    out.on('close', () => {
      if (!done && !out.writableFinished) {
        rows.destroy();
        finish(new Error('aborted'));
      }
    });
    encode.on('end', () => {
      if (encoder.counts.zeroDates.size) {
        this.logger.warn('zero dates read (the destination converts them: zeroDates)', {
          table: `${table.schema}.${table.name}`,
          range: range.id,
          ...Object.fromEntries(encoder.counts.zeroDates),
        });
      }
      finish();
    });
    rows.pipe(encode).pipe(out);
    return out;
  }

  /** A `mysql-text` read: LOAD DATA lines made from the row packets themselves (mysql-raw-rows.ts). */
  private readRaw(reader: Reader, table: TableDef, sql: string): Readable {
    const cmd = new RawRowsCommand(sql, `${table.schema}.${table.name}`);
    (coreConnection(reader.conn) as unknown as { addCommand(c: RawRowsCommand): void }).addCommand(cmd);
    const out = cmd.output;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (err) {
        // a reader whose query was cut off mid-result cannot serve another range
        reader.conn.destroy();
        this.readers.drop(reader);
      } else this.readers.release(reader);
    };
    out.on('end', () => finish());
    out.on('error', (err) => finish(err));
    out.on('close', () => {
      if (!out.readableEnded) finish(new Error(`the read of ${table.schema}.${table.name} was aborted`));
    });
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.readers.close().map(async (r) => {
        await r.conn.query('COMMIT').catch(() => undefined);
        await r.conn.end().catch(() => r.conn.destroy());
      }),
    );
  }
}

/** Every value as the bytes of its text form (binary values as their bytes), NULL as null. */
function rawBytes(field: { buffer(): Buffer | null }): Buffer | null {
  return field.buffer();
}

async function startSnapshot(c: Connection): Promise<void> {
  await c.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
}

/** The binary-log position of this session's snapshot (MariaDB, Percona), or null when the server has none. */
async function snapshotPosition(c: Connection): Promise<string | null> {
  const rows = await mysqlRows<{ Variable_name: string; Value: string }>(c, "SHOW SESSION STATUS LIKE 'Binlog_snapshot_%'");
  const file = rows.find((r) => r.Variable_name === 'Binlog_snapshot_file')?.Value;
  const pos = rows.find((r) => r.Variable_name === 'Binlog_snapshot_position')?.Value;
  return file ? formatBinlogPosition(file, Number(pos)) : null;
}

/** The server's current binary-log position (`SHOW MASTER STATUS`; MySQL 8.4: `SHOW BINARY LOG STATUS`). */
export async function currentBinlogPosition(c: Connection): Promise<string | null> {
  // MySQL 8.4 removed SHOW MASTER STATUS (a syntax error, 1064); any other failure is what it says
  const rows = await mysqlRows<{ File: string; Position: string }>(c, 'SHOW MASTER STATUS').catch((err: { errno?: number }) => {
    if (err.errno !== 1064) throw err;
    return mysqlRows<{ File: string; Position: string }>(c, 'SHOW BINARY LOG STATUS');
  });
  const [row] = rows;
  return row?.File ? formatBinlogPosition(row.File, Number(row.Position)) : null;
}

async function meet(
  conns: Connection[],
  opts: MySqlSnapshotOptions,
): Promise<{ position: string | null; used: number; how: string }> {
  const [first] = conns;
  if (!first) throw new Error('no connection');
  // one reader that needs no position: its own view is the snapshot
  if (conns.length === 1 && !opts.position) {
    await startSnapshot(first);
    return { position: null, used: 1, how: 'one reader' };
  }
  try {
    return { position: await lockedPosition(conns, opts.logger), used: conns.length, how: 'brief global read lock' };
  } catch (err) {
    // no RELOAD privilege: one reader sees one consistent view by itself; its position is the session's own
    await Promise.all(conns.map((c) => c.query('ROLLBACK').catch(() => undefined)));
    await startSnapshot(first);
    const position = opts.position ? await snapshotPosition(first) : null;
    if (opts.position && position === null) throw err;
    opts.logger.warn(
      opts.position
        ? 'cannot take the brief global read lock that an exact snapshot position needs (RELOAD privilege): reading with one reader at its session snapshot position, which the server may report a few transactions off under concurrent writes — grant RELOAD, or verify after the copy'
        : 'cannot take the brief global read lock that parallel snapshot readers need; reading with one',
      { error: (err as Error).message },
    );
    return { position, used: 1, how: 'one reader' };
  }
}

/** mydumper's sequence: lock, every reader starts its snapshot, read the position, unlock. */
async function lockedPosition(conns: Connection[], logger?: Logger): Promise<string | null> {
  const [first] = conns as [Connection];
  const started = Date.now();
  await first.query('FLUSH TABLES WITH READ LOCK');
  try {
    await Promise.all(conns.map(startSnapshot));
    return await currentBinlogPosition(first);
  } finally {
    await first.query('UNLOCK TABLES');
    logger?.info('writers waited for the snapshot lock', { ms: Date.now() - started });
  }
}
