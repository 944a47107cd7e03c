import type { EngineKind } from '../contract/declaration.js';
import type { Provider } from './provider.js';
import { mysqlProvider } from './mysql/mysql-provider.js';
import { oracleProvider } from './oracle/oracle-provider.js';
import { sqlserverProvider } from './sqlserver/mssql-provider.js';
import { postgresProvider } from './postgres/pg-provider.js';

/** Engines with a provider in this build; the others are declared but refused at prepare time. */
const PROVIDERS: Partial<Record<EngineKind, Provider>> = {
  postgres: postgresProvider,
  mysql: mysqlProvider,
  oracle: oracleProvider,
  sqlserver: sqlserverProvider,
};

export function providerFor(engine: EngineKind): Provider {
  const p = PROVIDERS[engine];
  if (!p) {
    throw new Error(
      `the ${engine} provider is not available in this build yet (available: ${Object.keys(PROVIDERS).join(', ')})`,
    );
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
  const takesItself = source === destination && PROVIDERS[source]?.capabilities.destination !== false;
  return takesItself || TAKES_OTHER_ENGINES.has(destination);
}
