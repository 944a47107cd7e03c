import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Declaration } from '../../engine/config/declaration.js';
import { openBackend } from '../../engine/cli/cli-context.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import { emptyState, newLineage } from '../../state/new-lineage.js';
import { HISTORY_KEPT, PostgresStateBackend } from '../../state/postgres/pg-state-backend.js';
import type { PostgresStateBackendOptions } from '../../state/postgres/pg-state-backend.js';
import { LockError } from '../../state/state-backend.js';
import { startPostgres } from '../harness/embedded-postgres.js';
import type { PgServer } from '../harness/embedded-postgres.js';
import { describeStateBackendConformance, sampleRuntime, sampleState } from './state-backend-conformance.js';

/** Trust auth ignores it; it must never show up in descriptions or messages. */
const SENTINEL = 'pw-SENTINEL-9f27c1';
const ALICE = { who: 'alice', host: 'laptop', pid: 4242, operation: 'apply' };
const W1 = { workerId: 'w1', host: 'h1', pid: 1 };
const W2 = { workerId: 'w2', host: 'h2', pid: 2 };

let server: PgServer;
let seq = 0;
/** Every instance a test opened, closed after it so a leaked pool cannot hide. */
let opened: PostgresStateBackend[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  try {
    // Every backend a test opened was closed: no state connection may outlive its test.
    expect(await settledStateConnections()).toBe(0);
  } finally {
    await server?.stop(true);
  }
});

/** Open connections of state backends (their application_name). */
async function stateConnections(): Promise<number> {
  const [row] = await server.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'migrate-state'`,
  );
  return Number(row?.n);
}

/** {@link stateConnections}, after giving just-closed ones a moment to go. */
async function settledStateConnections(): Promise<number> {
  for (let i = 0; i < 50 && (await stateConnections()) !== 0; i++) await new Promise((r) => setTimeout(r, 20));
  return stateConnections();
}

function profile(database = 'postgres'): ResolvedProfile {
  return {
    name: 'control',
    engine: 'postgres',
    host: server.host,
    port: server.port,
    user: 'postgres',
    password: SENTINEL,
    database,
    tls: { mode: 'disable' },
    location: { file: 'test', line: 1, column: 1 },
  };
}

function freshSchema(): string {
  return `t${++seq}_${process.pid}`;
}

function open(schema: string, opts: Omit<PostgresStateBackendOptions, 'schema'> = {}, database?: string): PostgresStateBackend {
  const b = new PostgresStateBackend(profile(database), { ...opts, schema });
  opened.push(b);
  return b;
}

async function closeAll(): Promise<void> {
  const all = opened;
  opened = [];
  await Promise.all(all.map((b) => b.close()));
}

async function schemaExists(schema: string, db = 'postgres'): Promise<boolean> {
  const rows = await server.query<{ n: string }>(`SELECT count(*) AS n FROM pg_namespace WHERE nspname = '${schema}'`, db);
  return rows[0]?.n === '1';
}

describeStateBackendConformance('postgres', async () => {
  const schema = freshSchema();
  return {
    backend: open(schema),
    other: () => open(schema),
    cleanup: async () => {
      await closeAll();
      await server.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
});

describe('PostgresStateBackend (postgres only)', () => {
  let schema: string;
  let now: Date;
  let backend: PostgresStateBackend;
  beforeEach(() => {
    schema = freshSchema();
    now = new Date('2024-05-01T10:00:00.000Z');
    backend = open(schema, { clock: () => now });
  });
  afterEach(async () => {
    await closeAll();
    await server.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('describes itself by endpoint and schema, never the password', async () => {
    expect(backend.description).toBe(`postgres (postgres@${server.host}:${server.port}/postgres, schema ${schema})`);
    expect(new PostgresStateBackend(profile()).description).toContain('schema migrate_state');
    const held = await backend.lock(ALICE);
    const err = (await open(schema)
      .lock(ALICE)
      .catch((e: unknown) => e)) as LockError;
    expect(err).toBeInstanceOf(LockError);
    for (const text of [backend.description, err.message, err.path]) expect(text).not.toContain(SENTINEL);
    const refused = (await backend.forceUnlock('wrong').catch((e: unknown) => e)) as Error;
    expect(refused.message).toContain(held.id);
    expect(refused.message).not.toContain(SENTINEL);
  });

  it('creates nothing on read, in a fresh database', async () => {
    await server.query('CREATE DATABASE empty_reads');
    try {
      const before = await server.query<{ nspname: string }>('SELECT nspname FROM pg_namespace ORDER BY 1', 'empty_reads');
      const b = open('migrate_state', {}, 'empty_reads');
      expect(await b.read()).toBeNull();
      expect(await b.lockHolder()).toBeNull();
      expect(await b.readRuntime('shop')).toBeNull();
      expect(await b.readLease('shop')).toBeNull();
      await b.unlock('x');
      await b.releaseLease('shop', 'w1');
      expect(await b.renewLease('shop', 'w1', 1000)).toBe(false);
      await b.deleteRuntime('shop');
      await expect(b.forceUnlock('x')).rejects.toThrow(/not locked/);
      expect(await server.query('SELECT nspname FROM pg_namespace ORDER BY 1', 'empty_reads')).toEqual(before);
      await closeAll();
    } finally {
      await server.query('DROP DATABASE empty_reads');
    }
  });

  it('creates the schema and its tables on the first write', async () => {
    expect(await schemaExists(schema)).toBe(false);
    await backend.writeRuntime(sampleRuntime('shop'));
    const tables = await server.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = '${schema}' ORDER BY 1`,
    );
    expect(tables.map((r) => r.t)).toEqual(['lease', 'lock', 'runtime', 'state', 'state_history']);
  });

  it('keeps every replaced document in state_history, and nothing for a refused write', async () => {
    const lineage = newLineage();
    await backend.write(sampleState(lineage, 1, 'one'));
    expect(await server.query(`SELECT 1 FROM ${schema}.state_history`)).toEqual([]);
    await backend.write(sampleState(lineage, 2, 'two'));
    await backend.write(sampleState(lineage, 3, 'three'));
    await expect(backend.write(sampleState(lineage, 3, 'again'))).rejects.toThrow(/already at serial 3/);
    await expect(backend.write(sampleState(newLineage(), 4))).rejects.toThrow(/lineage/);
    const history = await server.query<{ serial: string; lineage: string; document: string; replaced_at: string }>(
      `SELECT serial, lineage, document::text AS document, replaced_at FROM ${schema}.state_history ORDER BY id`,
    );
    expect(history.map((h) => h.serial)).toEqual(['1', '2']);
    expect(history.map((h) => h.lineage)).toEqual([lineage, lineage]);
    expect(JSON.parse(history[0]?.document ?? '')).toEqual(sampleState(lineage, 1, 'one'));
    expect(JSON.parse(history[1]?.document ?? '')).toEqual(sampleState(lineage, 2, 'two'));
    const [row] = await server.query<{ serial: string; lineage: string }>(`SELECT serial, lineage FROM ${schema}.state`);
    expect(row).toEqual({ serial: '3', lineage });
  });

  it(`keeps only the newest ${HISTORY_KEPT} replaced documents`, async () => {
    const lineage = newLineage();
    for (let serial = 1; serial <= HISTORY_KEPT + 6; serial++) await backend.write(sampleState(lineage, serial));
    const history = await server.query<{ serial: string }>(
      `SELECT serial::text AS serial FROM ${schema}.state_history ORDER BY id`,
    );
    expect(history).toHaveLength(HISTORY_KEPT);
    expect(history[0]?.serial).toBe('6');
    expect(history.at(-1)?.serial).toBe(String(HISTORY_KEPT + 5));
  });

  it('refuses a serial that is not a non-negative integer', async () => {
    await expect(backend.write({ ...emptyState(), serial: 1.5 })).rejects.toThrow(RangeError);
    await expect(backend.write({ ...emptyState(), serial: -1 })).rejects.toThrow(RangeError);
  });

  it('names state_history when the stored document is not a migrate state', async () => {
    await backend.write(sampleState(newLineage(), 1));
    await server.query(`UPDATE ${schema}.state SET document = '{"version": 7}'`);
    await expect(backend.read()).rejects.toThrow(/not a version 1 migrate state.*state_history/);
  });

  it('never expires the state lock on its own', async () => {
    const held = await backend.lock(ALICE);
    now = new Date('2030-01-01T00:00:00.000Z');
    await expect(open(schema).lock(ALICE)).rejects.toBeInstanceOf(LockError);
    expect((await backend.lockHolder())?.id).toBe(held.id);
  });

  it('takes every recorded time from the injected clock', async () => {
    const lock = await backend.lock(ALICE);
    expect(lock.created).toBe('2024-05-01T10:00:00.000Z');
    expect((await backend.lockHolder())?.created).toBe('2024-05-01T10:00:00.000Z');
    await backend.acquireLease('shop', W1, 30_000);
    expect(await backend.readLease('shop')).toEqual({
      job: 'shop',
      ...W1,
      heartbeatAt: '2024-05-01T10:00:00.000Z',
      expiresAt: '2024-05-01T10:00:30.000Z',
    });
    now = new Date('2024-05-01T10:00:10.123Z');
    expect(await backend.renewLease('shop', 'w1', 30_000)).toBe(true);
    expect(await backend.readLease('shop')).toMatchObject({
      heartbeatAt: '2024-05-01T10:00:10.123Z',
      expiresAt: '2024-05-01T10:00:40.123Z',
    });
  });

  it('reads times back as UTC ISO strings whatever the server time zone', async () => {
    await server.query(`ALTER DATABASE postgres SET timezone TO 'America/New_York'`);
    try {
      const b = open(schema, { clock: () => now });
      await b.lock(ALICE);
      expect((await b.lockHolder())?.created).toBe('2024-05-01T10:00:00.000Z');
    } finally {
      await server.query(`ALTER DATABASE postgres RESET timezone`);
    }
  });

  it('judges expiry by the injected clock: live through expiresAt, taken over just after', async () => {
    await backend.acquireLease('shop', W1, 30_000);
    now = new Date('2024-05-01T10:00:30.000Z');
    expect(await backend.acquireLease('shop', W2, 30_000)).toBe(false);
    now = new Date('2024-05-01T10:00:30.001Z');
    expect(await backend.acquireLease('shop', W2, 30_000)).toBe(true);
    expect(await backend.renewLease('shop', 'w1', 30_000)).toBe(false);
    expect(await backend.readLease('shop')).toEqual({
      job: 'shop',
      ...W2,
      heartbeatAt: '2024-05-01T10:00:30.001Z',
      expiresAt: '2024-05-01T10:01:00.001Z',
    });
  });

  it('lets the holder renew after expiry when nobody took over', async () => {
    await backend.acquireLease('shop', W1, 30_000);
    now = new Date('2024-05-01T11:00:00.000Z');
    expect(await backend.renewLease('shop', 'w1', 30_000)).toBe(true);
    expect((await backend.readLease('shop'))?.expiresAt).toBe('2024-05-01T11:00:30.000Z');
  });

  it('rejects a non-positive TTL and job names the local backend would reject', async () => {
    await expect(backend.acquireLease('shop', W1, 0)).rejects.toThrow(RangeError);
    await expect(backend.renewLease('shop', 'w1', Number.NaN)).rejects.toThrow(RangeError);
    for (const bad of ['', '../state', 'Shop', 'shop.json']) {
      await expect(backend.readRuntime(bad), bad).rejects.toThrow(/invalid job name/);
      await expect(backend.acquireLease(bad, W1, 1000), bad).rejects.toThrow(/invalid job name/);
    }
    expect(await schemaExists(schema)).toBe(false);
  });

  it('rejects a schema name the declaration would reject', () => {
    for (const bad of ['', 'Migrate', '1x', 'a-b', 'a"b', 'x'.repeat(64)]) {
      expect(() => new PostgresStateBackend(profile(), { schema: bad }), bad).toThrow(/invalid state schema name/);
    }
  });

  it('stores a NUL character in a runtime as U+FFFD (jsonb cannot hold it)', async () => {
    const runtime = sampleRuntime('shop');
    runtime.error = { message: 'bad byte \0 in row', at: '2024-05-01T10:00:00.000Z', phase: null, fatal: false };
    await backend.writeRuntime(runtime);
    expect((await backend.readRuntime('shop'))?.error?.message).toBe('bad byte \uFFFD in row');
  });

  it('works on tables created beforehand, for a role that may not create them', async () => {
    await backend.write(sampleState(newLineage(), 1));
    await server.query(
      `DROP ROLE IF EXISTS limited; CREATE ROLE limited LOGIN; ` +
        `GRANT USAGE ON SCHEMA ${schema} TO limited; ` +
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO limited`,
    );
    try {
      const limited = new PostgresStateBackend({ ...profile(), user: 'limited' }, { schema });
      opened.push(limited);
      const doc = sampleState((await backend.read())?.lineage ?? '', 2);
      await limited.write(doc);
      const held = await limited.lock(ALICE);
      await limited.writeRuntime(sampleRuntime('shop'));
      expect(await limited.acquireLease('shop', W1, 30_000)).toBe(true);
      expect(await backend.read()).toEqual(doc);
      await limited.unlock(held.id);
      const cannotCreate = new PostgresStateBackend({ ...profile(), user: 'limited' }, { schema: freshSchema() });
      opened.push(cannotCreate);
      await expect(cannotCreate.lock(ALICE)).rejects.toThrow(/cannot create the schema .* permission denied/);
    } finally {
      await closeAll();
      await server.query(`DROP OWNED BY limited; DROP ROLE limited`);
    }
  });

  it('names the endpoint when the server cannot be reached', async () => {
    const b = new PostgresStateBackend({ ...profile(), port: 1 }, { schema });
    await expect(b.read()).rejects.toThrow(`cannot connect to the state backend postgres@${server.host}:1/postgres`);
    await b.close();
  });

  it('closes its connections and refuses use after close', async () => {
    const b = new PostgresStateBackend({ ...profile() }, { schema });
    await b.lock(ALICE);
    await b.read();
    await closeAll();
    expect(await stateConnections()).toBeGreaterThan(0);
    await b.close();
    await b.close();
    expect(await settledStateConnections()).toBe(0);
    await expect(b.read()).rejects.toThrow(/closed/);
  });
});

describe('openBackend (postgres)', () => {
  const ENV = 'MIGRATE_TEST_STATE_PW';
  afterEach(async () => {
    delete process.env[ENV];
    await closeAll();
  });

  function declaration(backend: Declaration['backend'], password?: string): Declaration {
    return {
      version: 1,
      dir: '/nonexistent/decl',
      files: [],
      backend,
      policy: { destructive: 'allow', approvers: [] },
      profiles: {
        ctl: {
          name: 'ctl',
          engine: 'postgres',
          host: server.host,
          port: server.port,
          user: 'postgres',
          ...(password === undefined ? {} : { password }),
          database: 'postgres',
          tls: { mode: 'disable' },
          location: { file: 'm.yaml', line: 1, column: 1 },
        },
      },
      jobs: {},
    };
  }

  it('opens a PostgresStateBackend with the resolved password and the default schema', async () => {
    process.env[ENV] = SENTINEL;
    const b = openBackend(declaration({ type: 'postgres', profile: 'ctl' }, `\${env:${ENV}}`));
    expect(b).toBeInstanceOf(PostgresStateBackend);
    opened.push(b as PostgresStateBackend);
    expect(b.description).toBe(`postgres (postgres@${server.host}:${server.port}/postgres, schema migrate_state)`);
    expect(await b.lockHolder()).toBeNull();
  });

  it('uses the declared schema', () => {
    const b = openBackend(declaration({ type: 'postgres', profile: 'ctl', schema: 'ops_state' }));
    expect(b.description).toContain('schema ops_state');
  });

  it('names the reference, never a value, when the password cannot be resolved', () => {
    expect(() => openBackend(declaration({ type: 'postgres', profile: 'ctl' }, `\${env:${ENV}}`))).toThrow(
      `profile ctl: environment variable ${ENV} is not set (referenced by \${env:${ENV}})`,
    );
    expect(() => openBackend(declaration({ type: 'postgres', profile: 'ctl' }, '${file:secret.txt}'))).toThrow(
      /profile ctl: secret file \/nonexistent\/decl\/secret\.txt does not exist \(referenced by \$\{file:\/nonexistent\/decl\/secret\.txt\}\)/,
    );
  });

  it('names a missing backend profile', () => {
    expect(() => openBackend(declaration({ type: 'postgres', profile: 'nope' }))).toThrow(/no profile named "nope"/);
  });
});
