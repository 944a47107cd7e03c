import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { ResolvedProfile } from '../provider.js';

/** Every value comes back as the server's text: no database value ever becomes a JS number. */
const TEXT_ONLY = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

export interface PgConnectOptions {
  applicationName?: string;
  /** Open a logical replication connection (walsender). */
  replication?: boolean;
}

export function pgClientConfig(profile: ResolvedProfile, database: string, opts: PgConnectOptions = {}): pg.ClientConfig {
  const cfg: pg.ClientConfig = {
    host: profile.host,
    port: profile.port,
    user: profile.user,
    database,
    application_name: opts.applicationName ?? 'migrate',
    types: TEXT_ONLY,
    connectionTimeoutMillis: 15_000,
    keepAlive: true,
  };
  if (profile.password !== undefined) cfg.password = profile.password;
  if (opts.replication) (cfg as Record<string, unknown>).replication = 'database';
  const { mode, ca } = profile.tls;
  if (mode === 'require') cfg.ssl = { rejectUnauthorized: false };
  else if (mode === 'verify-ca' || mode === 'verify-full') {
    cfg.ssl = {
      rejectUnauthorized: true,
      ...(ca ? { ca: readFileSync(ca, 'utf8') } : {}),
      // verify-ca checks the chain only, not the host name
      ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  return cfg;
}

/** Where a profile points, for messages (never the password). */
export function describeEndpoint(profile: ResolvedProfile, database: string): string {
  return `postgres://${profile.user}@${profile.host}:${profile.port}/${database}`;
}

/** Connect, or fail with an error naming the endpoint and the server's reason. */
export async function connectPg(profile: ResolvedProfile, database: string, opts: PgConnectOptions = {}): Promise<pg.Client> {
  const client = new pg.Client(pgClientConfig(profile, database, opts));
  // an idle connection killed by the server must not crash the process; the next query reports it
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to ${describeEndpoint(profile, database)}: ${(err as Error).message}`, { cause: err });
  }
  return client;
}

/** Run `fn` with a fresh connection that is always closed. */
export async function withPg<T>(profile: ResolvedProfile, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectPg(profile, database);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Run `fn` with `n` fresh connections to `database` (opened at once), always closed. */
export async function withPgGroup<T>(
  profile: ResolvedProfile,
  database: string,
  n: number,
  fn: (clients: pg.Client[]) => Promise<T>,
): Promise<T> {
  const opened = await Promise.allSettled(Array.from({ length: Math.max(1, n) }, () => connectPg(profile, database)));
  const clients = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = opened.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return await fn(clients);
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
