/**
 * Connections to an Oracle source over node-oracledb Thin. A job's
 * `database` is the service name of the (pluggable) database holding the
 * tables — e.g. `FREEPDB1` — and its schemas are Oracle users; the profile's
 * `database` is the default service. The password is the resolved secret
 * (never logged: endpoints are printed without it). TLS: `tcps` with the
 * server's certificate checked against the CA bundle given (`tls.ca`, read
 * as a PEM wallet) or the system's; `verify-full` also matches the
 * certificate's DN to the host (Thin mode always verifies the chain).
 */
import { readFileSync } from 'node:fs';
import type { ResolvedProfile } from '../provider.js';
import { objectRows, oracledb, type OracleConnectAttributes, type OracleConnection } from './oracle-driver.js';
import { SESSION_SETUP } from './oracle-sql.js';

export function oracleConnectAttributes(profile: ResolvedProfile, service?: string): OracleConnectAttributes {
  const svc = service ?? profile.database;
  const tls = profile.tls.mode !== 'disable';
  const attrs: OracleConnectAttributes = {
    user: profile.user,
    connectString: `${tls ? 'tcps://' : ''}${profile.host}:${profile.port}/${svc}`,
    connectTimeout: 15,
    // a dead peer is noticed within minutes, not hours (TCP keepalive probes every 2 min)
    expireTime: 2,
  };
  if (profile.password !== undefined) attrs.password = profile.password;
  if (tls) {
    attrs.sslServerDNMatch = profile.tls.mode === 'verify-full';
    if (profile.tls.ca) attrs.walletContent = readFileSync(profile.tls.ca, 'utf8');
  }
  return attrs;
}

/** Where a profile points, for messages (never the password). */
export function describeOracleEndpoint(profile: ResolvedProfile, service?: string): string {
  return `oracle://${profile.user}@${profile.host}:${profile.port}/${service ?? profile.database}`;
}

/** Connect (session formats set), or fail with an error naming the endpoint and the server's reason. */
export async function connectOracle(profile: ResolvedProfile, service?: string): Promise<OracleConnection> {
  let conn: OracleConnection;
  try {
    conn = await oracledb().getConnection(oracleConnectAttributes(profile, service));
  } catch (err) {
    throw new Error(`cannot connect to ${describeOracleEndpoint(profile, service)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await conn.execute(SESSION_SETUP);
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw err;
  }
  return conn;
}

/** Run `fn` with a fresh connection that is always closed. */
export async function withOracle<T>(
  profile: ResolvedProfile,
  service: string | undefined,
  fn: (c: OracleConnection) => Promise<T>,
): Promise<T> {
  const conn = await connectOracle(profile, service);
  try {
    return await fn(conn);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Rows of a query as records by (upper-case) column name, values exact. */
export async function oracleRows<T = Record<string, string | null>>(
  conn: OracleConnection,
  sql: string,
  binds: unknown[] | Record<string, unknown> = [],
): Promise<T[]> {
  const res = await conn.execute<T>(sql, binds, objectRows());
  return res.rows ?? [];
}
