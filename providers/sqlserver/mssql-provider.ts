import type { Provider } from '../provider.js';
import { SqlServerDestination } from './mssql-destination.js';
import { SqlServerSource } from './mssql-source.js';
import { isConfigurationSqlServerError, isTransientSqlServerError } from './mssql-transient-error.js';

/** SQL Server (2016 SP1+, Azure SQL): a CDC source, and a destination of SQL Server sources. Registered in provider-registry.ts. */
export const sqlserverProvider: Provider = {
  engine: 'sqlserver',
  capabilities: { cdc: true, destination: true },
  isTransientError: isTransientSqlServerError,
  isConfigurationError: isConfigurationSqlServerError,
  source: (profile, ctx) => new SqlServerSource(profile, ctx),
  destination: (profile, ctx) => new SqlServerDestination(profile, ctx),
};
