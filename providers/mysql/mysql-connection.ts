import { readFileSync } from 'node:fs';
import mysql from 'mysql2';
import type { Connection as CoreConnection } from 'mysql2';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import type { ResolvedProfile } from '../provider.js';

/**
 * Session settings every connection of ours runs with: UTC, so TIMESTAMP
 * values read and written are the stored instants; strict mode off only in
 * what it would reject on read (none: reads are unaffected); utf8mb4, so
 * text of every column charset arrives as UTF-8.
 */
export const SESSION_SETUP = "SET SESSION time_zone = '+00:00'";

export function mysqlConnectionOptions(profile: ResolvedProfile, database?: string): ConnectionOptions {
  const opts: ConnectionOptions = {
    host: profile.host,
    port: profile.port,
    user: profile.user,
    ...(database ? { database } : {}),
    charset: 'utf8mb4',
    timezone: 'Z',
    // no value ever becomes a JS number or Date: the server's text (see typeCast where rows are read)
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
    connectTimeout: 15_000,
    enableKeepAlive: true,
    multipleStatements: false,
  };
  if (profile.password !== undefined) opts.password = profile.password;
  const { mode, ca } = profile.tls;
  if (mode === 'require') opts.ssl = { rejectUnauthorized: false };
  else if (mode === 'verify-ca' || mode === 'verify-full') {
    opts.ssl = { rejectUnauthorized: true, ...(ca ? { ca: readFileSync(ca, 'utf8') } : {}) };
  }
  return opts;
}

/** Where a profile points, for messages (never the password). */
export function describeMySqlEndpoint(profile: ResolvedProfile, database?: string): string {
  return `mysql://${profile.user}@${profile.host}:${profile.port}/${database ?? ''}`;
}

/** Connect (session set up), or fail with an error naming the endpoint and the server's reason. */
export async function connectMySql(profile: ResolvedProfile, database?: string): Promise<Connection> {
  let conn: Connection;
  try {
    conn = await mysql.createConnection(mysqlConnectionOptions(profile, database)).promise();
  } catch (err) {
    throw new Error(`cannot connect to ${describeMySqlEndpoint(profile, database)}: ${(err as Error).message}`, { cause: err });
  }
  // an idle connection killed by the server must not crash the process; the next query reports it
  coreConnection(conn).on('error', () => undefined);
  await conn.query(SESSION_SETUP);
  return conn;
}

/** Run `fn` with a fresh connection that is always closed. */
export async function withMySql<T>(
  profile: ResolvedProfile,
  database: string | undefined,
  fn: (c: Connection) => Promise<T>,
): Promise<T> {
  const conn = await connectMySql(profile, database);
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** Rows of a query as plain records of text values (NULL as null). */
export async function mysqlRows<T = Record<string, string | null>>(
  conn: Connection,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const [rows] = await conn.query({ sql, values, typeCast: textCast });
  return rows as T[];
}

/** Every value as its text form; binary strings as Buffers would be decoded here as UTF-8: use only on catalog reads. */
function textCast(field: { string(): string | null }): string | null {
  return field.string();
}

/** The callback-style connection under a promise one (streams rows; the typings leave it out). */
export function coreConnection(conn: Connection): CoreConnection {
  return (conn as unknown as { connection: CoreConnection }).connection;
}
