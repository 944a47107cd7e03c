import type { EngineKind } from '../contract/declaration.js';
import type { Provider } from './provider.js';

/**
 * Each engine's provider is loaded when a job first uses it: the drivers
 * (mysql2, tedious and their dependencies) are most of the CLI's code, and
 * compiling them at every start cost a PostgreSQL-only run ~0.2 s. The build
 * puts each provider in its own chunk (scripts/build.mjs).
 */
const LOADERS: Record<EngineKind, () => Promise<Provider>> = {
  postgres: async () => (await import('./postgres/pg-provider.js')).postgresProvider,
  mysql: async () => (await import('./mysql/mysql-provider.js')).mysqlProvider,
  oracle: async () => (await import('./oracle/oracle-provider.js')).oracleProvider,
  sqlserver: async () => (await import('./sqlserver/mssql-provider.js')).sqlserverProvider,
};

/**
 * Whether each engine is a destination, known without loading its provider
 * (`capabilities.destination`; test/unit/provider-registry.test.ts keeps the two equal).
 */
export const ENGINE_IS_DESTINATION: Readonly<Record<EngineKind, boolean>> = {
  postgres: true,
  mysql: true,
  oracle: false,
  sqlserver: true,
};

const loaded = new Map<EngineKind, Promise<Provider>>();

export function providerFor(engine: EngineKind): Promise<Provider> {
  const load = LOADERS[engine];
  if (!load) throw new Error(`no provider for engine ${String(engine)} (available: ${Object.keys(LOADERS).join(', ')})`);
  let p = loaded.get(engine);
  if (!p) {
    p = load();
    // a failed load (a missing driver) is retried at the next use, not cached
    p.catch(() => loaded.delete(engine));
    loaded.set(engine, p);
  }
  return p;
}

/**
 * Engines whose destination recreates catalogs of other engines (through
 * canonical types, DESIGN §7a). Every engine takes its own.
 */
const TAKES_OTHER_ENGINES: ReadonlySet<EngineKind> = new Set(['postgres']);

/** Whether a job may copy from `source` to `destination` (refused at load otherwise). */
export function isSupportedEnginePair(source: EngineKind, destination: EngineKind): boolean {
  // an engine that is only a source (Oracle) is never its own destination
  const takesItself = source === destination && ENGINE_IS_DESTINATION[source];
  return takesItself || TAKES_OTHER_ENGINES.has(destination);
}
