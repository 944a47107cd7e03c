/**
 * Throwaway MySQL 8 servers in containers (testcontainers), for the
 * container suites (`npm run test:containers`). The image is `MYSQL_IMAGE`
 * (default `mysql:8.0`; `mysql:8.4` is the other one the suites are written
 * for), started with the settings a CDC source needs: binary log in ROW
 * format with full images and metadata, GTIDs on, utf8mb4. The server object
 * has the shape of the MariaDB harness's (`test/harness/mariadb.ts`): a
 * `query` helper, `url`, `stop`/`start`/`kill`, plus `createDatabase` and
 * `profile` (the `profiles:` entry of a declaration; the root password goes
 * through `${env:…}`, as declarations require), so an e2e test can run on
 * either. Without a container runtime, `containerRuntimeUnavailable()` says
 * why, and the suites skip with that reason.
 */
import { randomBytes } from 'node:crypto';
import { MySqlContainer, type StartedMySqlContainer } from '@testcontainers/mysql';
import mysql from 'mysql2/promise';
import { getContainerRuntimeClient, Wait } from 'testcontainers';
import { freePort } from './embedded-postgres.js';
import type { MariaDbServer } from './mariadb.js';

export const DEFAULT_MYSQL_IMAGE = 'mysql:8.0';

/** The images the container suites are written for (any other `MYSQL_IMAGE` is tried as given). */
export const KNOWN_MYSQL_IMAGES = ['mysql:8.0', 'mysql:8.4'] as const;

/** The image to start: `MYSQL_IMAGE`, or mysql:8.0. */
export function mysqlImage(): string {
  return process.env.MYSQL_IMAGE?.trim() || DEFAULT_MYSQL_IMAGE;
}

/**
 * The server flags of a CDC source (mysqld options; the image's entrypoint
 * passes them to the server). `--log-bin=binlog` keeps file names
 * `binlog.NNNNNN` whatever the container's host name.
 */
export const MYSQL_CDC_FLAGS: readonly string[] = [
  '--log-bin=binlog',
  '--binlog-format=ROW',
  '--binlog-row-image=FULL',
  '--binlog-row-metadata=FULL',
  '--server-id=1',
  '--gtid-mode=ON',
  '--enforce-gtid-consistency=ON',
  '--character-set-server=utf8mb4',
  '--local-infile=1',
];

/** Throwaway-server settings (speed, room for parallel readers); none changes what is replicated. */
const TEST_FLAGS: readonly string[] = [
  '--skip-name-resolve',
  '--innodb-buffer-pool-size=256M',
  '--innodb-flush-log-at-trx-commit=2',
  '--sync-binlog=0',
  '--max-connections=300',
];

/** The environment variable the declaration's `password: ${env:…}` reads (the harness sets it). */
export const MYSQL_PASSWORD_ENV = 'MIGRATE_TEST_MYSQL_PASSWORD';

/** One root password per test process: every container of the process shares it. */
const ROOT_PASSWORD = `migrate-${randomBytes(9).toString('hex')}`;

const PROBE_TIMEOUT_MS = 30_000;

/**
 * Why containers cannot run here (null when they can): testcontainers finds
 * no working container runtime (no Docker socket, DOCKER_HOST unreachable…),
 * or the one it finds does not answer.
 */
export async function containerRuntimeUnavailable(): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = (async () => {
      const client = await getContainerRuntimeClient();
      await client.container.dockerode.ping();
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
    });
    await Promise.race([probe, timeout]);
    return null;
  } catch (err) {
    return `no container runtime (Docker) found: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export interface MySqlContainerOptions {
  /** Default: `mysqlImage()`. */
  image?: string;
  /** Extra mysqld flags, after the CDC ones (a later flag wins). */
  flags?: string[];
}

export interface MySqlContainerServer {
  readonly engine: 'mysql';
  readonly image: string;
  /** `SELECT VERSION()`, e.g. `8.0.40`. */
  readonly version: string;
  readonly host: string;
  /** The host port, fixed for the container's life (stop/start and kill/start keep it). */
  readonly port: number;
  readonly rootPassword: string;
  /** The environment variable holding the root password (set in this process, so CLI children inherit it). */
  readonly passwordEnv: string;
  /** Connection string for `db` as `root` over TCP. */
  url(db?: string): string;
  /** Run SQL (several statements allowed) on `db`; the rows of the last statement. */
  query<T = Record<string, unknown>>(sql: string, db?: string): Promise<T[]>;
  createDatabase(name: string): Promise<void>;
  /** This server as a declaration's profile, a YAML flow mapping: `src: ${server.profile()}`. */
  profile(): string;
  /** Clean shutdown; the container is kept (for `start`) unless `remove`. */
  stop(remove?: boolean): Promise<void>;
  /** Start again: same container, data and port (after stop or kill). */
  start(): Promise<void>;
  /** Send a signal to the server (SIGKILL to simulate a crash; the container stops with it). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Start a MySQL container; resolves once root can connect over the mapped port. */
export async function startMySqlContainer(opts: MySqlContainerOptions = {}): Promise<MySqlContainerServer> {
  const image = opts.image ?? mysqlImage();
  const hostPort = await freePort();
  const started: StartedMySqlContainer = await new MySqlContainer(image)
    .withRootPassword(ROOT_PASSWORD)
    .withCommand([...MYSQL_CDC_FLAGS, ...TEST_FLAGS, ...(opts.flags ?? [])])
    // a fixed host port: the declarations written by a test stay valid across a restart
    .withExposedPorts({ container: 3306, host: hostPort })
    // the entrypoint's initialisation runs a first server without networking ("port: 0"); this is the real one
    .withWaitStrategy(Wait.forLogMessage(/ready for connections\. Version: .*\bport: 3306\b/))
    .withStartupTimeout(180_000)
    .start();
  process.env[MYSQL_PASSWORD_ENV] = ROOT_PASSWORD;
  const runtimeHost = started.getHost();
  const host = runtimeHost === 'localhost' ? '127.0.0.1' : runtimeHost;
  const port = started.getPort();
  const client = await getContainerRuntimeClient();
  const container = () => client.container.getById(started.getId());

  const connect = (db?: string) =>
    mysql.createConnection({
      host,
      port,
      user: 'root',
      password: ROOT_PASSWORD,
      database: db,
      multipleStatements: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      decimalNumbers: false,
      charset: 'utf8mb4',
    });

  const query = async <T>(sql: string, db?: string): Promise<T[]> => {
    const conn = await connect(db);
    try {
      const [res] = await conn.query({ sql, rowsAsArray: false });
      // several statements: one result each (rows, or a ResultSetHeader); one statement: its rows or header
      const multi =
        Array.isArray(res) && res.some((r: unknown) => Array.isArray(r) || r?.constructor?.name === 'ResultSetHeader');
      const last: unknown = multi ? res[res.length - 1] : res;
      return (Array.isArray(last) ? last : []) as T[];
    } finally {
      await conn.end();
    }
  };

  const ready = async (what: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await query('SELECT 1');
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          const logs = await started
            .logs({ tail: 40 })
            .then(
              (stream) =>
                new Promise<string>((resolve) => {
                  let text = '';
                  stream.on('data', (d: Buffer | string) => (text += d.toString()));
                  stream.on('end', () => resolve(text));
                  stream.on('error', () => resolve(text));
                  setTimeout(() => resolve(text), 5_000);
                }),
            )
            .catch(() => '');
          throw new Error(
            `MySQL (${image}) did not accept connections on ${host}:${port} ${what}: ${(err as Error).message}\n${logs}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  await ready('after start');
  const [v] = await query<{ v: string }>('SELECT VERSION() AS v');

  let removed = false;
  const server: MySqlContainerServer = {
    engine: 'mysql',
    image,
    version: String(v?.v ?? ''),
    host,
    port,
    rootPassword: ROOT_PASSWORD,
    passwordEnv: MYSQL_PASSWORD_ENV,
    url: (db = '') => `mysql://root:${encodeURIComponent(ROOT_PASSWORD)}@${host}:${port}/${db}`,
    query,
    async createDatabase(name) {
      await query(`CREATE DATABASE \`${name.replace(/`/g, '``')}\``);
    },
    profile: () => `{ engine: mysql, host: ${host}, port: ${port}, user: root, password: "\${env:${MYSQL_PASSWORD_ENV}}" }`,
    async stop(remove = false) {
      if (removed) return;
      if (remove) {
        removed = true;
        await started.stop({ remove: true, removeVolumes: true });
        return;
      }
      // testcontainers takes the timeout in ms (SIGTERM, then SIGKILL after it)
      await client.container.stop(container(), { timeout: 60_000 });
    },
    async start() {
      if (removed) throw new Error(`the MySQL container on port ${port} was removed`);
      await client.container.start(container());
      await ready('after restart');
    },
    async kill(signal) {
      if (removed) return;
      await container().kill({ signal });
      // mysqld is the container's first process: SIGKILL ends it, SIGTERM shuts it down; wait until it has
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await container().wait();
    },
  };
  return server;
}

/** Either harness's server (MariaDB from the OS package, MySQL in a container), for tests written once for both. */
export type MySqlFamilyServer = MariaDbServer | MySqlContainerServer;

/** A server of either harness as a declaration's profile (flow mapping). */
export function mysqlProfile(server: MySqlFamilyServer): string {
  return server.engine === 'mysql'
    ? server.profile()
    : `{ engine: mysql, host: ${server.host}, port: ${server.port}, user: root }`;
}

/** `CREATE DATABASE` on a server of either harness. */
export async function createMySqlDatabase(server: MySqlFamilyServer, name: string): Promise<void> {
  await server.query(`CREATE DATABASE \`${name.replace(/`/g, '``')}\``);
}

/**
 * The server's current binary-log file and position: `SHOW BINARY LOG STATUS`
 * (MySQL 8.2+, the only spelling in 8.4), else `SHOW MASTER STATUS`.
 */
export async function binaryLogStatus(server: MySqlFamilyServer): Promise<{ File: string; Position: string } | undefined> {
  const rows = await server
    .query<{ File: string; Position: string }>('SHOW BINARY LOG STATUS')
    .catch(() => server.query<{ File: string; Position: string }>('SHOW MASTER STATUS'));
  return rows[0];
}
