import pg from 'pg';
import type { ResolvedProfile } from '../../providers/provider.js';
import { pgClientConfig } from '../../providers/postgres/pg-connection.js';
import type { JobRuntime } from '../job-runtime.js';
import { leaseAlive } from '../lease-liveness.js';
import { LockError, newLockInfo, splitLeaseKey } from '../state-backend.js';
import type { Lease, LockInfo, StateBackend } from '../state-backend.js';
import type { StateDocument } from '../state-document.js';

/** The same job names the local backend accepts, so state can move between backends. */
const JOB_NAME = /^[a-z][a-z0-9_-]*$/;
/** The declaration schema's pattern for `backend.schema`. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const TABLES = ['state', 'state_history', 'lock', 'runtime', 'lease'] as const;
/** Replaced state documents kept in `state_history`; older ones are deleted by the write that replaces the next. */
export const HISTORY_KEPT = 100;
type Table = (typeof TABLES)[number];
/** undefined_table, invalid_schema_name: nothing was ever written here. */
const MISSING = new Set(['42P01', '3F000']);
/** A timestamptz as the ISO string JavaScript writes (UTC, milliseconds), independent of the session's TimeZone. */
const iso = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

type Row = Record<string, string | null>;

/** Options for {@link PostgresStateBackend}. */
export interface PostgresStateBackendOptions {
  /** Schema holding the tables; created on the first write. Default `migrate_state`. */
  schema?: string;
  /**
   * Source of every recorded time and of "now" when judging lease expiry (the
   * server's clock is never used). Default: the system clock.
   */
  clock?: () => Date;
}

/**
 * State in a schema of a PostgreSQL control database (`profile.database`), for
 * teams, CI and workers on several hosts:
 *
 * - `state` — the one StateDocument row (jsonb, plus serial and lineage for checks)
 * - `state_history` — the last {@link HISTORY_KEPT} documents writes replaced (the backups), newest last
 * - `lock` — zero or one row: the LockInfo of whoever holds the state lock
 * - `runtime` — one JobRuntime per job; `lease` — one worker Lease per job
 *
 * The schema and tables are created by the first write (lock, write, runtime,
 * lease), never by a read; a DBA may create them beforehand instead, and then
 * the role needs only SELECT/INSERT/UPDATE/DELETE on the tables. The state lock
 * is a row, not a session advisory lock: it must outlive the process that
 * took it when that process crashes, show who holds it, and be removable by
 * ID (`migrate force-unlock`), exactly like the local backend's lock file.
 * Connections come from a small pool created on first use; call close().
 */
export class PostgresStateBackend implements StateBackend {
  readonly description: string;
  readonly schema: string;
  private readonly clock: () => Date;
  /** Where things are, for messages: `user@host:port/database` (never the password). */
  private readonly where: string;
  private pool: pg.Pool | null = null;
  private closed = false;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly profile: ResolvedProfile,
    opts: PostgresStateBackendOptions = {},
  ) {
    this.schema = opts.schema ?? 'migrate_state';
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new Error(
        `invalid state schema name ${JSON.stringify(this.schema)}: expected lowercase letters, digits and '_', not starting with a digit`,
      );
    }
    this.clock = opts.clock ?? (() => new Date());
    this.where = `${profile.user}@${profile.host}:${profile.port}/${profile.database}`;
    this.description = `postgres (${this.where}, schema ${this.schema})`;
  }

  async read(): Promise<StateDocument | null> {
    const rows = await this.run(
      'read the state',
      (c) => select(c, `SELECT document::text AS document FROM ${this.t('state')}`),
      () => [],
    );
    const raw = rows[0]?.document;
    return raw == null ? null : this.parseState(raw);
  }

  /**
   * Refuses a document from another lineage, or one whose serial is not above
   * the stored one: either means it was derived from another state than the
   * stored one, and writing it would silently drop someone's update. The row
   * lock serialises racing writers, so exactly one of two with the same serial wins.
   */
  async write(doc: StateDocument): Promise<void> {
    if (!Number.isSafeInteger(doc.serial) || doc.serial < 0) {
      throw new RangeError(`state serial must be a non-negative integer, got ${doc.serial}`);
    }
    await this.ensureTables();
    const now = this.clock().toISOString();
    const document = toJsonb(doc);
    await this.run(
      'write the state',
      async (c) => {
        // Two attempts: a first write that loses the race to insert the row
        // finds the winner's row on the second pass and is checked against it.
        for (let attempt = 0; attempt < 2; attempt++) {
          const [stored] = await select(c, `SELECT serial::text AS serial, lineage FROM ${this.t('state')} FOR UPDATE`);
          if (stored) {
            this.checkSuccessor(doc, stored.lineage ?? '', Number(stored.serial));
            await c.query(
              `INSERT INTO ${this.t('state_history')} (serial, lineage, document, replaced_at) ` +
                `SELECT serial, lineage, document, $1 FROM ${this.t('state')}`,
              [now],
            );
            await c.query(
              `DELETE FROM ${this.t('state_history')} WHERE id < ` +
                `(SELECT min(id) FROM (SELECT id FROM ${this.t('state_history')} ORDER BY id DESC LIMIT ${HISTORY_KEPT}) AS kept)`,
            );
            await c.query(`UPDATE ${this.t('state')} SET document = $1::jsonb, serial = $2, lineage = $3, updated_at = $4`, [
              document,
              String(doc.serial),
              doc.lineage,
              now,
            ]);
            return;
          }
          const inserted = await c.query(
            `INSERT INTO ${this.t('state')} (document, serial, lineage, updated_at) VALUES ($1::jsonb, $2, $3, $4) ON CONFLICT DO NOTHING`,
            [document, String(doc.serial), doc.lineage, now],
          );
          if (inserted.rowCount === 1) return;
        }
        throw new Error(`could not write the state to ${this.t('state')} in ${this.where}: it keeps changing; try again`);
      },
      undefined,
      true,
    );
  }

  async lock(info: Omit<LockInfo, 'id' | 'created'>): Promise<LockInfo> {
    await this.ensureTables();
    const mine = newLockInfo(info, this.clock());
    // A few attempts only cover the holder unlocking between our failed
    // insert and our read of its row; this never waits for a live holder.
    for (let attempt = 0; attempt < 5; attempt++) {
      const inserted = await this.run('take the state lock', (c) =>
        c.query(
          `INSERT INTO ${this.t('lock')} (id, who, host, pid, operation, created) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [mine.id, mine.who, mine.host, String(mine.pid), mine.operation, mine.created],
        ),
      );
      if (inserted.rowCount === 1) return mine;
      const holder = await this.lockHolder();
      if (holder !== null) throw new LockError(holder, this.lockPath());
    }
    throw new Error(`could not take the state lock ${this.lockPath()}: it keeps being taken and released; try again`);
  }

  async unlock(id: string): Promise<void> {
    await this.run(
      'release the state lock',
      (c) => c.query(`DELETE FROM ${this.t('lock')} WHERE id = $1`, [id]),
      () => undefined,
    );
  }

  async forceUnlock(id: string): Promise<void> {
    const deleted = await this.run(
      'force-unlock the state',
      (c) => count(c, `DELETE FROM ${this.t('lock')} WHERE id = $1`, [id]),
      () => 0,
    );
    if (deleted === 1) return;
    const holder = await this.lockHolder();
    if (holder === null) {
      throw new Error(`cannot force-unlock ${id}: the state is not locked (${this.lockPath()} is empty)`);
    }
    throw new Error(
      `cannot force-unlock ${id}: the state lock is held by lock ID ${holder.id} ` +
        `(${holder.who}@${holder.host}, pid ${holder.pid}, operation ${holder.operation}, since ${holder.created})`,
    );
  }

  async lockHolder(): Promise<LockInfo | null> {
    const rows = await this.run(
      'read the state lock',
      (c) => select(c, `SELECT id, who, host, pid::text AS pid, operation, ${iso('created')} AS created FROM ${this.t('lock')}`),
      () => [],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id ?? '',
      who: row.who ?? '',
      host: row.host ?? '',
      pid: Number(row.pid),
      operation: row.operation ?? '',
      created: row.created ?? '',
    };
  }

  async readRuntime(job: string): Promise<JobRuntime | null> {
    checkJob(job);
    const rows = await this.run(
      `read the runtime of job ${job}`,
      (c) => select(c, `SELECT document::text AS document FROM ${this.t('runtime')} WHERE job = $1`, [job]),
      () => [],
    );
    const raw = rows[0]?.document;
    if (raw == null) return null;
    const runtime = this.parseJson(raw, `the runtime of job ${job}`, 'delete the row and the worker will report again');
    if (!isRecord(runtime) || runtime.job !== job) {
      throw new Error(
        `the row for job ${job} in ${this.t('runtime')} (${this.where}) is not the runtime of job ${job}; delete it and the worker will report again`,
      );
    }
    return runtime as unknown as JobRuntime;
  }

  async writeRuntime(runtime: JobRuntime): Promise<void> {
    checkJob(runtime.job);
    await this.ensureTables();
    await this.run(`write the runtime of job ${runtime.job}`, (c) =>
      c.query(
        `INSERT INTO ${this.t('runtime')} (job, document) VALUES ($1, $2::jsonb) ON CONFLICT (job) DO UPDATE SET document = EXCLUDED.document`,
        [runtime.job, toJsonb(runtime)],
      ),
    );
  }

  /** In one transaction under a per-job advisory lock: concurrent updates of a job's runtime queue up. */
  async updateRuntime(job: string, update: (current: JobRuntime | null) => JobRuntime | null): Promise<JobRuntime | null> {
    checkJob(job);
    await this.ensureTables();
    return this.run(
      `update the runtime of job ${job}`,
      async (c) => {
        await c.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`migrate-runtime:${this.schema}:${job}`]);
        const rows = await select(c, `SELECT document::text AS document FROM ${this.t('runtime')} WHERE job = $1`, [job]);
        const raw = rows[0]?.document;
        const current = raw == null ? null : (this.parseJson(raw, `the runtime of job ${job}`, 'delete the row') as JobRuntime);
        const next = update(current);
        if (!next) return current;
        await c.query(
          `INSERT INTO ${this.t('runtime')} (job, document) VALUES ($1, $2::jsonb) ON CONFLICT (job) DO UPDATE SET document = EXCLUDED.document`,
          [job, toJsonb(next)],
        );
        return next;
      },
      undefined,
      true,
    );
  }

  async deleteRuntime(job: string): Promise<void> {
    checkJob(job);
    await this.run(
      `delete the runtime of job ${job}`,
      (c) => c.query(`DELETE FROM ${this.t('runtime')} WHERE job = $1`, [job]),
      () => undefined,
    );
  }

  /**
   * One upsert, so racing instances serialise on the row: the update happens
   * only for the same worker or when the stored lease expired strictly before
   * now (the injected clock's now, passed as a parameter); `expiresAt` equal
   * to now still counts as live, as in the local backend.
   */
  async acquireLease(job: string, holder: Omit<Lease, 'job' | 'heartbeatAt' | 'expiresAt'>, ttlMs: number): Promise<boolean> {
    checkLease(job);
    checkTtl(ttlMs);
    await this.ensureTables();
    const now = this.clock();
    const res = await this.run(`claim job ${job}`, (c) =>
      c.query(
        `INSERT INTO ${this.t('lease')} AS l (job, worker_id, host, pid, heartbeat_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) ` +
          `ON CONFLICT (job) DO UPDATE SET worker_id = EXCLUDED.worker_id, host = EXCLUDED.host, pid = EXCLUDED.pid, ` +
          `heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at ` +
          `WHERE l.worker_id = EXCLUDED.worker_id OR l.expires_at < EXCLUDED.heartbeat_at`,
        [job, holder.workerId, holder.host, String(holder.pid), now.toISOString(), expiry(now, ttlMs)],
      ),
    );
    if (res.rowCount === 1) return true;
    // not expired, but its holder ran on this host and is gone: take it over unless someone renewed it meanwhile
    const current = await this.readLease(job);
    if (!current || current.workerId === holder.workerId || leaseAlive(current, now)) return false;
    const taken = await this.run(`claim job ${job}`, (c) =>
      c.query(
        `UPDATE ${this.t('lease')} SET worker_id = $2, host = $3, pid = $4, heartbeat_at = $5, expires_at = $6 ` +
          `WHERE job = $1 AND worker_id = $7 AND heartbeat_at = $8`,
        [
          job,
          holder.workerId,
          holder.host,
          String(holder.pid),
          now.toISOString(),
          expiry(now, ttlMs),
          current.workerId,
          current.heartbeatAt,
        ],
      ),
    );
    return taken.rowCount === 1;
  }

  /** Still succeeds after expiry as long as nobody took the lease over meanwhile. */
  async renewLease(job: string, workerId: string, ttlMs: number): Promise<boolean> {
    checkLease(job);
    checkTtl(ttlMs);
    const now = this.clock();
    const res = await this.run(
      `renew the lease of job ${job}`,
      (c) =>
        count(c, `UPDATE ${this.t('lease')} SET heartbeat_at = $3, expires_at = $4 WHERE job = $1 AND worker_id = $2`, [
          job,
          workerId,
          now.toISOString(),
          expiry(now, ttlMs),
        ]),
      () => 0,
    );
    return res === 1;
  }

  async releaseLease(job: string, workerId: string): Promise<void> {
    checkLease(job);
    await this.run(
      `release the lease of job ${job}`,
      (c) => c.query(`DELETE FROM ${this.t('lease')} WHERE job = $1 AND worker_id = $2`, [job, workerId]),
      () => undefined,
    );
  }

  async listLeases(prefix: string): Promise<Lease[]> {
    if (!prefix.endsWith('/')) throw new Error(`a lease prefix ends with '/': ${JSON.stringify(prefix)}`);
    checkLease(`${prefix}x`);
    return this.selectLeases(`list the leases ${prefix}*`, 'starts_with(job, $1) ORDER BY job', prefix);
  }

  async readLease(job: string): Promise<Lease | null> {
    checkLease(job);
    return (await this.selectLeases(`read the lease of job ${job}`, 'job = $1', job))[0] ?? null;
  }

  private async selectLeases(what: string, where: string, param: string): Promise<Lease[]> {
    const rows = await this.run(
      what,
      (c) =>
        select(
          c,
          `SELECT job, worker_id, host, pid::text AS pid, ${iso('heartbeat_at')} AS heartbeat_at, ${iso('expires_at')} AS expires_at ` +
            `FROM ${this.t('lease')} WHERE ${where}`,
          [param],
        ),
      () => [],
    );
    return rows.map((row) => ({
      job: row.job ?? '',
      workerId: row.worker_id ?? '',
      host: row.host ?? '',
      pid: Number(row.pid),
      heartbeatAt: row.heartbeat_at ?? '',
      expiresAt: row.expires_at ?? '',
    }));
  }

  /** End the connection pool. Idempotent; the backend refuses further use. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  /**
   * Create the schema and tables unless they all exist. The check comes first
   * so a role without CREATE on the database works with DBA-made tables; the
   * transaction-scoped advisory lock keeps two first writers from both
   * creating (CREATE … IF NOT EXISTS alone is not safe against a concurrent create).
   */
  private ensureTables(): Promise<void> {
    this.ready ??= this.run(
      `create the schema ${this.schema}`,
      async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:state-schema:${this.schema}`]);
        const [row] = await select(
          c,
          `SELECT count(*)::text AS n FROM unnest($2::text[]) AS t(name) WHERE to_regclass(format('%I.%I', $1::text, t.name)) IS NOT NULL`,
          [this.schema, [...TABLES]],
        );
        if (row?.n === String(TABLES.length)) return;
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
        for (const ddl of this.ddl()) await c.query(ddl);
      },
      undefined,
      true,
    ).catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  private ddl(): string[] {
    // Single-row tables use a boolean key that can only be true.
    return [
      `CREATE TABLE IF NOT EXISTS ${this.t('state')} (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        document jsonb NOT NULL, serial bigint NOT NULL, lineage text NOT NULL, updated_at timestamptz NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${this.t('state_history')} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        serial bigint NOT NULL, lineage text NOT NULL, document jsonb NOT NULL, replaced_at timestamptz NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${this.t('lock')} (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        id text NOT NULL, who text NOT NULL, host text NOT NULL, pid integer NOT NULL, operation text NOT NULL,
        created timestamptz NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${this.t('runtime')} (job text PRIMARY KEY, document jsonb NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${this.t('lease')} (
        job text PRIMARY KEY, worker_id text NOT NULL, host text NOT NULL, pid integer NOT NULL,
        heartbeat_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)`,
    ];
  }

  /**
   * Run `fn` on a pooled connection (in a transaction when `tx`). Server
   * errors are rethrown naming what failed and where; when the tables do not
   * exist yet, `ifMissing` (if given) supplies the result instead, so reads
   * and no-op releases never need to create anything.
   */
  private async run<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>, ifMissing?: () => T, tx = false): Promise<T> {
    if (this.closed) throw new Error(`the state backend ${this.description} is closed`);
    let client: pg.PoolClient;
    try {
      client = await this.getPool().connect();
    } catch (err) {
      throw new Error(`cannot connect to the state backend ${this.where}: ${(err as Error).message}`, { cause: err });
    }
    let healthy = true;
    try {
      if (!tx) return await fn(client);
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (tx) await client.query('ROLLBACK').catch(() => (healthy = false));
      else if (!(err instanceof pg.DatabaseError)) healthy = false;
      if (err instanceof pg.DatabaseError) {
        if (ifMissing && err.code !== undefined && MISSING.has(err.code)) return ifMissing();
        throw new Error(`cannot ${what} in ${this.where} (schema ${this.schema}): ${err.message}`, { cause: err });
      }
      throw err;
    } finally {
      client.release(!healthy);
    }
  }

  private getPool(): pg.Pool {
    if (this.pool === null) {
      this.pool = new pg.Pool({
        ...pgClientConfig(this.profile, this.profile.database, { applicationName: 'migrate-state' }),
        max: 4,
        // The CLI commands do not close the backend; idle connections must not keep the process alive.
        allowExitOnIdle: true,
        // A write waits for a concurrent writer's row lock; never forever on a stuck session.
        lock_timeout: 30_000,
      });
      // An idle connection dropped by the server must not crash the process; the next query reconnects.
      this.pool.on('error', () => undefined);
      // nor one checked out between two queries (the pool listens only while a client is idle)
      this.pool.on('connect', (client) => client.on('error', () => undefined));
    }
    return this.pool;
  }

  private checkSuccessor(doc: StateDocument, lineage: string, serial: number): void {
    if (doc.lineage !== lineage) {
      throw new Error(
        `refusing to write state: its lineage ${doc.lineage} differs from ${lineage} ` +
          `in ${this.t('state')} (${this.where}); the document belongs to a different state`,
      );
    }
    if (doc.serial <= serial) {
      throw new Error(
        `refusing to write state serial ${doc.serial}: ${this.t('state')} (${this.where}) is already at serial ${serial}, ` +
          `so it changed after this document was read; read it again and retry`,
      );
    }
  }

  private parseState(raw: string): StateDocument {
    const hint = `previous versions are kept in ${this.t('state_history')}: check the newest and copy it back`;
    const doc = this.parseJson(raw, 'the state', hint);
    if (!isRecord(doc) || doc.version !== 1 || typeof doc.serial !== 'number' || typeof doc.lineage !== 'string') {
      throw new Error(`${this.t('state')} in ${this.where} is not a version 1 migrate state (version, serial, lineage); ${hint}`);
    }
    return doc as unknown as StateDocument;
  }

  private parseJson(raw: string, what: string, hint: string): unknown {
    try {
      return JSON.parse(raw) as unknown;
    } catch (err) {
      throw new Error(`cannot parse ${what} in ${this.where} (schema ${this.schema}): ${(err as Error).message}; ${hint}`, {
        cause: err,
      });
    }
  }

  private lockPath(): string {
    return `${this.t('lock')} in ${this.where}`;
  }

  private t(table: Table): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(table)}`;
  }
}

/** How many rows the statement inserted, updated or deleted. */
async function count(c: pg.PoolClient, sql: string, params: unknown[] = []): Promise<number> {
  return (await c.query(sql, params)).rowCount ?? 0;
}

async function select(c: pg.PoolClient, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await c.query<Row>(sql, params)).rows;
}

/**
 * JSON for a jsonb parameter. jsonb cannot hold U+0000, which can reach us in
 * error text copied from a source database; it becomes U+FFFD rather than
 * failing the write (the local backend keeps it as is).
 */
function toJsonb(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' && v.includes('\0') ? v.replaceAll('\0', '\uFFFD') : v,
  );
}

function expiry(now: Date, ttlMs: number): string {
  return new Date(now.getTime() + ttlMs).toISOString();
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function checkJob(job: string): void {
  if (!JOB_NAME.test(job)) {
    throw new Error(
      `invalid job name ${JSON.stringify(job)}: expected lowercase letters, digits, '_' and '-', starting with a letter`,
    );
  }
}

function checkLease(key: string): void {
  splitLeaseKey(key);
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`lease TTL must be a positive number of ms, got ${ttlMs}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
