import type { Readable } from 'node:stream';
import type pg from 'pg';
import type { TableDef } from '../catalog.js';
import type { CopyFormat, ResolvedProfile, SourceSnapshot, TableRange } from '../provider.js';
import { connectPg } from './pg-connection.js';
import { CopyOutFrames } from './pg-copy-frames.js';
import { copyColumnList, copyOptions } from './pg-copy-sql.js';
import { quoteLiteral, quoteQualified } from './pg-quote.js';

const BLOCK_SIZE = 8192;

/**
 * One exported snapshot and a pool of reader connections that imported it.
 * Readers stay inside their snapshot transaction and are reused across
 * ranges; every range of every table is read at the same point in time.
 */
export class PostgresSnapshot implements SourceSnapshot {
  private readonly idle: pg.Client[] = [];
  private readonly all = new Set<pg.Client>();
  private closed = false;

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly database: string,
    readonly id: string,
    readonly position: string | null,
    /** The connection that owns the snapshot (it must stay open while readers import it). */
    private readonly owner: { close(): Promise<void> },
    private readonly serverVersionNum: number,
  ) {}

  async planRanges(table: TableDef, targetBytes: number): Promise<TableRange[]> {
    // TID range scans exist since PostgreSQL 14; older servers read tables whole.
    if (this.serverVersionNum < 140000 || table.kind === 'partitioned') return [{ id: 'all', predicate: null }];
    const client = await this.acquire();
    let pages: number;
    try {
      const res = await client.query<{ pages: string }>(
        `SELECT pg_relation_size(${quoteLiteral(quoteQualified(table))}::regclass) / ${BLOCK_SIZE} AS pages`,
      );
      pages = Number(res.rows[0]?.pages ?? '0');
    } finally {
      this.release(client);
    }
    const count = Math.ceil((pages * BLOCK_SIZE) / targetBytes);
    if (count <= 1) return [{ id: 'all', predicate: null }];
    const step = Math.ceil(pages / count);
    const ranges: TableRange[] = [];
    for (let start = 0; start < pages; start += step) {
      const end = start + step;
      // the last range is open-ended: the table may have grown past the size read above
      const last = end >= pages;
      ranges.push({
        id: last ? `ctid:${start}-` : `ctid:${start}-${end}`,
        predicate: last ? `ctid >= '(${start},0)'::tid` : `ctid >= '(${start},0)'::tid AND ctid < '(${end},0)'::tid`,
      });
    }
    return ranges;
  }

  async readRange(table: TableDef, range: TableRange, format: CopyFormat): Promise<Readable> {
    const client = await this.acquire();
    const cols = copyColumnList(table);
    const source = range.predicate
      ? `(SELECT ${cols} FROM ONLY ${quoteQualified(table)} WHERE ${range.predicate})`
      : `${quoteQualified(table)} (${cols})`;
    // rows stay in their CopyData frames: a PostgreSQL destination takes them as they are
    const stream = client.query(new CopyOutFrames(`COPY ${source} TO STDOUT ${copyOptions(format)}`));
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      if (err) {
        this.all.delete(client);
        void client.end().catch(() => undefined);
      } else this.release(client);
    };
    stream.once('end', () => finish());
    // persistent: a late error (connection closed by close()) must not become an unhandled 'error' event
    stream.on('error', (err) => finish(err));
    stream.once('close', () => finish(done ? undefined : new Error('aborted')));
    return stream;
  }

  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await this.owner.close();
  }

  /**
   * Open `n` readers now, at once (they import the snapshot), so the first
   * copies start without waiting for their connections. Best effort: a
   * reader that cannot connect now is connected (or fails) when it is needed.
   */
  async warm(n: number): Promise<void> {
    const opened = await Promise.allSettled(Array.from({ length: Math.max(0, n - this.idle.length) }, () => this.connect()));
    for (const r of opened) if (r.status === 'fulfilled') this.release(r.value);
  }

  private async acquire(): Promise<pg.Client> {
    if (this.closed) throw new Error('snapshot is closed');
    return this.idle.pop() ?? this.connect();
  }

  private async connect(): Promise<pg.Client> {
    const client = await connectPg(this.profile, this.database, { applicationName: 'migrate:dump' });
    try {
      // one round trip: begin and import the snapshot
      await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT ${quoteLiteral(this.id)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new Error(`cannot import snapshot ${this.id} on ${this.database}: ${(err as Error).message}`, { cause: err });
    }
    this.all.add(client);
    return client;
  }

  private release(client: pg.Client): void {
    if (this.closed) {
      void client.end().catch(() => undefined);
      return;
    }
    this.idle.push(client);
  }
}
