/**
 * tedious connections of a SQL Server profile: TLS per the profile (`require`
 * encrypts without checking the certificate; `verify-ca` and `verify-full`
 * check it against `tls.ca` or the system roots — tedious always checks the
 * host name too), the password only in the driver's options, never in a
 * message (`describeSqlServerEndpoint`). One request at a time per
 * connection (TDS): `SqlServerSession` queues them.
 */
import { readFileSync } from 'node:fs';
import { Connection, Request, type ConnectionConfiguration } from 'tedious';
import type { ResolvedProfile } from '../provider.js';

/** Session settings every connection runs with (what the reads and the apply rely on). */
export const SESSION_SETUP =
  'SET NOCOUNT ON; SET XACT_ABORT ON; SET ANSI_NULLS ON; SET QUOTED_IDENTIFIER ON; SET ANSI_WARNINGS ON; SET ARITHABORT ON; SET CONCAT_NULL_YIELDS_NULL ON; SET DATEFORMAT ymd; SET LOCK_TIMEOUT 30000';

/** The default TDS packet size is 4 KiB; bulk loads go faster with larger packets (the server caps it at 32 KiB). */
export const BULK_PACKET_SIZE = 32_767;

export function sqlServerConnectionConfig(
  profile: ResolvedProfile,
  database?: string,
  packetSize?: number,
): ConnectionConfiguration {
  const { mode, ca } = profile.tls;
  return {
    server: profile.host,
    authentication: { type: 'default', options: { userName: profile.user, password: profile.password ?? '' } },
    options: {
      port: profile.port,
      ...(database ? { database } : {}),
      encrypt: mode !== 'disable',
      trustServerCertificate: mode === 'require' || mode === 'disable',
      ...(ca && (mode === 'verify-ca' || mode === 'verify-full')
        ? { cryptoCredentialsDetails: { ca: readFileSync(ca, 'utf8') } }
        : {}),
      useUTC: true,
      useColumnNames: false,
      connectTimeout: 15_000,
      requestTimeout: 0,
      ...(packetSize ? { packetSize } : {}),
      appName: 'migrate',
    },
  };
}

/** Where a profile points, for messages (never the password). */
export function describeSqlServerEndpoint(profile: ResolvedProfile, database?: string): string {
  return `sqlserver://${profile.user}@${profile.host}:${profile.port}/${database ?? ''}`;
}

export type SqlRow = unknown[];

/** One tedious connection with its requests queued (TDS runs one at a time). */
export class SqlServerSession {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(readonly conn: Connection) {}

  /** `database` defaults to the profile's control database (`master` unless declared). */
  static async open(profile: ResolvedProfile, database?: string, packetSize?: number): Promise<SqlServerSession> {
    database ??= profile.database || undefined;
    const conn = new Connection(sqlServerConnectionConfig(profile, database, packetSize));
    try {
      await new Promise<void>((resolve, reject) => {
        conn.on('connect', (err) => (err ? reject(err) : resolve()));
        conn.connect();
      });
    } catch (err) {
      conn.close();
      throw new Error(`cannot connect to ${describeSqlServerEndpoint(profile, database)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // a connection the server dropped must not crash the process: the next request reports it
    conn.on('error', () => undefined);
    const s = new SqlServerSession(conn);
    await s.batch(SESSION_SETUP);
    return s;
  }

  /** Run `fn` alone on the connection (requests of others wait). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Rows of a query (arrays of tedious values in select order). */
  rows(sql: string): Promise<SqlRow[]> {
    return this.exclusive(
      () =>
        new Promise<SqlRow[]>((resolve, reject) => {
          const out: SqlRow[] = [];
          const req = new Request(sql, (err) => (err ? reject(err) : resolve(out)));
          req.on('row', (cols: { value: unknown }[]) => out.push(cols.map((c) => c.value)));
          this.conn.execSqlBatch(req);
        }),
    );
  }

  /** Rows as records by column name (catalog reads). */
  async records<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    return this.exclusive(
      () =>
        new Promise<T[]>((resolve, reject) => {
          const out: T[] = [];
          const req = new Request(sql, (err) => (err ? reject(err) : resolve(out)));
          req.on('row', (cols: { value: unknown; metadata: { colName: string } }[]) => {
            const r: Record<string, unknown> = {};
            for (const c of cols) r[c.metadata.colName] = c.value;
            out.push(r as T);
          });
          this.conn.execSqlBatch(req);
        }),
    );
  }

  /** Run a batch; resolves with the rows it affected. */
  batch(sql: string): Promise<number> {
    return this.exclusive(
      () =>
        new Promise<number>((resolve, reject) => {
          let affected = 0;
          const req = new Request(sql, (err) => (err ? reject(err) : resolve(affected)));
          req.on('doneInProc', (count?: number) => (affected += count ?? 0));
          req.on('done', (count?: number) => (affected += count ?? 0));
          this.conn.execSqlBatch(req);
        }),
    );
  }

  /**
   * Stream a query's rows to `onRow`; when it returns false the request is
   * paused until `resume()` of the returned handle. Resolves at the end.
   */
  stream(sql: string, onRow: (row: SqlRow) => boolean): { done: Promise<void>; resume(): void; cancel(): void } {
    let req: Request | null = null;
    const done = this.exclusive(
      () =>
        new Promise<void>((resolve, reject) => {
          req = new Request(sql, (err) => (err ? reject(err) : resolve()));
          const r = req;
          r.on('row', (cols: { value: unknown }[]) => {
            if (!onRow(cols.map((c) => c.value))) r.pause();
          });
          this.conn.execSqlBatch(r);
        }),
    );
    return {
      done,
      resume: () => req?.resume(),
      cancel: () => void this.conn.cancel(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.conn.on('end', () => resolve());
      this.conn.close();
    });
  }

  /** Drop the connection at once (a cut-off read cannot serve another request). */
  destroy(): void {
    this.closed = true;
    this.conn.close();
  }
}

/** Run `fn` with a fresh session that is always closed. */
export async function withSqlServer<T>(
  profile: ResolvedProfile,
  database: string | undefined,
  fn: (s: SqlServerSession) => Promise<T>,
): Promise<T> {
  const s = await SqlServerSession.open(profile, database);
  try {
    return await fn(s);
  } finally {
    await s.close().catch(() => s.destroy());
  }
}
