/**
 * One consistent read point of an Oracle database: an SCN every table is
 * read `AS OF` (flashback query), so any number of reader connections see
 * the same data without a lock or a shared transaction, and the change
 * stream starts exactly there (oracle-scn.ts: the boundary after the SCN).
 *
 * The restart SCN — where mining must begin so transactions open at the
 * snapshot and committed after it have all their rows — is taken from
 * V$TRANSACTION between two reads of the current SCN: Q, then the oldest
 * open transaction's START_SCN, then S (the snapshot). A transaction that
 * wrote before Q is either open when V$TRANSACTION is read (its start is
 * counted) or committed by then (at or before S: in the snapshot); one that
 * started later wrote after Q. So restart = min(Q, oldest start) loses none.
 *
 * Reads past UNDO retention fail with ORA-01555 (the prerequisites compare
 * undo_retention to the estimated dump time).
 */
import { Readable } from 'node:stream';
import type { Logger } from '../../contract/logger.js';
import type { TableDef } from '../catalog.js';
import type { CopyFormat, ResolvedProfile, SourceSnapshot, TableRange } from '../provider.js';
import { connectOracle, oracleRows } from './oracle-connection.js';
import { arrayRows, type OracleConnection } from './oracle-driver.js';
import { RowEncoder } from './oracle-interchange.js';
import { CURRENT_SCN, OLDEST_OPEN_TRANSACTION } from './oracle-logminer-sql.js';
import { minScn, parseScn, snapshotPosition } from './oracle-scn.js';
import {
  asOfSelect,
  copiedColumns,
  integerKeyColumn,
  keyBoundsQuery,
  keyRanges,
  rowidRanges,
  rowidTilesQuery,
} from './oracle-sql.js';
import { SnapshotReaders } from '../snapshot-readers.js';

/** Text handed to the destination per chunk (bounded: ~64 KiB). */
const CHUNK_CHARS = 64 * 1024;
const FETCH_ROWS = 500;

interface Reader {
  conn: OracleConnection;
}

export interface OracleSnapshotOptions {
  readers: number;
  /** Change capture starts here (continuous jobs): the restart SCN is needed. */
  cdc: boolean;
  logger: Logger;
}

/** The current SCN, exact. */
export async function currentScn(conn: OracleConnection): Promise<bigint> {
  const [row] = await oracleRows<{ SCN: string }>(conn, CURRENT_SCN);
  return parseScn(row?.SCN, 'V$DATABASE.CURRENT_SCN');
}

export class OracleSnapshot implements SourceSnapshot {
  private constructor(
    readonly id: string,
    readonly position: string | null,
    readonly scn: bigint,
    private readonly readers: SnapshotReaders<Reader>,
  ) {}

  static async open(profile: ResolvedProfile, service: string, opts: OracleSnapshotOptions): Promise<OracleSnapshot> {
    const want = Math.max(1, opts.readers);
    const conns = await Promise.all(Array.from({ length: want }, () => connectOracle(profile, service)));
    try {
      const first = conns[0] as OracleConnection;
      let position: string | null = null;
      let scn: bigint;
      if (opts.cdc) {
        const q = await currentScn(first);
        const [open] = await oracleRows<{ SCN: string | null }>(first, OLDEST_OPEN_TRANSACTION);
        scn = await currentScn(first);
        const restart = open?.SCN ? minScn(q, parseScn(open.SCN)) : q;
        position = snapshotPosition(scn, restart);
      } else scn = await currentScn(first);
      opts.logger.debug('snapshot opened', {
        database: service,
        scn: String(scn),
        readers: conns.length,
        position: position ?? '',
      });
      return new OracleSnapshot(
        `${service}@${scn}`,
        position,
        scn,
        new SnapshotReaders<Reader>(
          conns.map((conn) => ({ conn })),
          service,
        ),
      );
    } catch (err) {
      await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
      throw err;
    }
  }

  /** Integer key ranges when the key is one integer column, else ROWID tiles of equal row counts. */
  async planRanges(table: TableDef, targetBytes: number): Promise<TableRange[]> {
    const n = Math.ceil(table.estimatedBytes / Math.max(1, targetBytes));
    if (n < 2) return [{ id: 'all', predicate: null }];
    const reader = await this.readers.acquire();
    try {
      const key = integerKeyColumn(table);
      if (key) {
        const [row] = await oracleRows<{ LO: string | null; HI: string | null }>(
          reader.conn,
          keyBoundsQuery(table, key.name, this.scn),
        );
        if (row?.LO == null || row.HI == null) return [{ id: 'all', predicate: null }];
        return keyRanges(key.name, BigInt(row.LO), BigInt(row.HI), n);
      }
      const tiles = await oracleRows<{ LO: string; HI: string }>(reader.conn, rowidTilesQuery(table, n, this.scn));
      return rowidRanges(tiles.map((t) => ({ lo: t.LO, hi: t.HI })));
    } finally {
      this.readers.release(reader);
    }
  }

  async readRange(table: TableDef, range: TableRange, format: CopyFormat): Promise<Readable> {
    if (format !== 'interchange-text') throw new Error(`an Oracle source cannot produce ${format}`);
    const columns = copiedColumns(table.columns);
    const sql = asOfSelect(table, columns, this.scn, range.predicate);
    const encoder = new RowEncoder(columns);
    const reader = await this.readers.acquire();
    let result;
    try {
      result = await reader.conn.execute<unknown[]>(sql, [], { ...arrayRows(), resultSet: true, fetchArraySize: FETCH_ROWS });
    } catch (err) {
      this.readers.release(reader);
      throw new Error(`reading ${table.schema}.${table.name} AS OF SCN ${this.scn}: ${(err as Error).message}`, { cause: err });
    }
    const rs = result.resultSet;
    if (!rs) {
      this.readers.release(reader);
      throw new Error(`reading ${table.schema}.${table.name}: no result set`);
    }
    const release = (broken: boolean) => {
      if (broken) {
        // a reader whose fetch was cut off cannot serve another range
        void reader.conn.close().catch(() => undefined);
        this.readers.drop(reader);
      } else this.readers.release(reader);
    };
    const name = `${table.schema}.${table.name}`;
    async function* chunks(): AsyncGenerator<Buffer> {
      let done = false;
      try {
        let text = '';
        for (;;) {
          const rows = await rs!.getRows(FETCH_ROWS);
          for (const r of rows) {
            text += encoder.line(r);
            if (text.length >= CHUNK_CHARS) {
              yield Buffer.from(text);
              text = '';
            }
          }
          if (rows.length < FETCH_ROWS) break;
        }
        if (text) yield Buffer.from(text);
        done = true;
      } catch (err) {
        throw new Error(`reading ${name}: ${(err as Error).message}`, { cause: err });
      } finally {
        await rs!.close().catch(() => undefined);
        release(!done);
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.close().map((r) => r.conn.close().catch(() => undefined)));
  }
}
