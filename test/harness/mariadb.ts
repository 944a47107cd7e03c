/**
 * Throwaway MariaDB servers from the OS package (`mariadb-server`), for
 * tests and benchmarks. Each server gets its own data directory, socket and
 * port, binary log on in ROW format with full images and metadata (a CDC
 * source). `--defaults-file` comes first so /etc/mysql is never read. When
 * run as root the server runs as `mysql` and its directories belong to it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './embedded-postgres.js';

export interface MariaDbServerOptions {
  /** Extra `[mariadbd]` settings (`name=value`; an empty value writes the bare option). */
  settings?: Record<string, string>;
  port?: number;
  /** Binary log on (default true). */
  binlog?: boolean;
}

export interface MariaDbServer {
  readonly engine: 'mariadb';
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Connection string for `db` as `root` over TCP (no password). */
  url(db?: string): string;
  /** Run SQL (several statements allowed) on `db`; the rows of the last statement, values as strings. */
  query<T = Record<string, unknown>>(sql: string, db?: string): Promise<T[]>;
  /** Clean shutdown; keeps the data directory unless `remove`. */
  stop(remove?: boolean): Promise<void>;
  /** Start again on the same port and data directory (after stop or kill). */
  start(): Promise<void>;
  /** Send a signal to the server (SIGKILL to simulate a crash). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function mysqlIds(): { uid: number; gid: number } | null {
  if (!isRoot) return null;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'mysql'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no `mysql` user for mariadbd');
  return { uid, gid };
}

export function mariaDbAvailable(): string | null {
  if (!existsSync(MARIADBD) || !existsSync(INSTALL_DB)) {
    return `MariaDB is not installed (${MARIADBD}): apt-get install -y mariadb-server`;
  }
  return null;
}

/**
 * Why MariaDB tests skip here, or false when they run: without the OS package
 * they skip with the reason on a developer machine, and fail loudly in CI
 * (`CI=true`), which installs it.
 */
export const MARIADB_SKIP: string | false = !process.env.CI && mariaDbAvailable() ? `${mariaDbAvailable()} (skipped)` : false;

let serverIds = 0;

export async function startMariaDb(opts: MariaDbServerOptions = {}): Promise<MariaDbServer> {
  const missing = mariaDbAvailable();
  if (missing) throw new Error(missing);
  const ids = mysqlIds();
  const root = mkdtempSync(join(tmpdir(), 'migrate-mariadb-'));
  const dataDir = join(root, 'data');
  const runDir = join(root, 'run');
  for (const d of [dataDir, runDir]) mkdirSync(d, { recursive: true });
  if (ids) for (const d of [root, dataDir, runDir]) chownSync(d, ids.uid, ids.gid);
  const port = opts.port ?? (await freePort());
  const socket = join(runDir, 'mysqld.sock');
  const settings: Record<string, string> = {
    ...(ids ? { user: 'mysql' } : {}),
    datadir: dataDir,
    socket,
    port: String(port),
    'bind-address': '127.0.0.1',
    'pid-file': join(runDir, 'mysqld.pid'),
    'log-error': join(root, 'error.log'),
    'skip-name-resolve': '',
    'character-set-server': 'utf8mb4',
    'collation-server': 'utf8mb4_general_ci',
    'innodb-buffer-pool-size': '256M',
    'innodb-log-file-size': '256M',
    'innodb-flush-log-at-trx-commit': '2',
    'sync-binlog': '0',
    'max-connections': '300',
    'local-infile': '1',
    ...(opts.binlog === false
      ? {}
      : {
          'log-bin': join(dataDir, 'binlog'),
          'server-id': String(1000 + (process.pid % 10_000) * 10 + (serverIds++ % 10)),
          'binlog-format': 'ROW',
          'binlog-row-image': 'FULL',
          'binlog-row-metadata': 'FULL',
        }),
    ...opts.settings,
  };
  const defaultsFile = join(root, 'my.cnf');
  writeFileSync(
    defaultsFile,
    '[mariadbd]\n' +
      Object.entries(settings)
        .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
        .join('\n') +
      '\n',
  );
  const install = spawnSync(
    INSTALL_DB,
    [`--defaults-file=${defaultsFile}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) {
    throw new Error(`mariadb-install-db failed in ${dataDir}: ${install.stderr || install.stdout}`);
  }

  let child: ChildProcess | null = null;
  let log = '';
  let rootOverTcp = false;

  const connect = (db?: string, viaSocket = false) =>
    mysql.createConnection({
      ...(viaSocket ? { socketPath: socket } : { host: '127.0.0.1', port }),
      user: 'root',
      database: db,
      multipleStatements: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      decimalNumbers: false,
    });

  const server: MariaDbServer = {
    engine: 'mariadb',
    host: '127.0.0.1',
    port,
    dataDir,
    url: (db = '') => `mysql://root@127.0.0.1:${port}/${db}`,
    async query<T>(sql: string, db?: string): Promise<T[]> {
      const conn = await connect(db);
      try {
        const [res] = await conn.query({ sql, rowsAsArray: false });
        const results = Array.isArray(res) && res.length && Array.isArray(res[0]) ? res : [res];
        const last = results[results.length - 1];
        return (Array.isArray(last) ? last : []) as T[];
      } finally {
        await conn.end();
      }
    },
    async start() {
      log = '';
      child = spawn(MARIADBD, [`--defaults-file=${defaultsFile}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      let exitedWith: string | null = null;
      child.once('exit', (code, signal) => (exitedWith = `code ${code ?? signal}`));
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          if (!rootOverTcp) {
            // a fresh data directory knows root@localhost only (the socket): add root over TCP once
            const conn = await connect(undefined, true);
            await conn.query("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'");
            await conn.query("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
            await conn.end();
            rootOverTcp = true;
          }
          await server.query('SELECT 1');
          return;
        } catch (err) {
          if (exitedWith || Date.now() > deadline) {
            const errorLog = spawnSync('tail', ['-n', '30', settings['log-error'] ?? ''], { encoding: 'utf8' }).stdout;
            throw new Error(
              `MariaDB did not start on port ${port} (${exitedWith ?? 'timeout'}): ${(err as Error).message}\n${log}${errorLog}`,
            );
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
        c.kill('SIGTERM');
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
