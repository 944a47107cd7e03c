import type { Provider } from '../provider.js';
import { PostgresDestination } from './pg-destination.js';
import { PostgresSource } from './pg-source.js';
import { isConfigurationPgError, isTransientPgError } from './pg-transient-error.js';

export const postgresProvider: Provider = {
  engine: 'postgres',
  capabilities: { cdc: true, destination: true },
  isTransientError: isTransientPgError,
  isConfigurationError: isConfigurationPgError,
  source: (profile, ctx) => new PostgresSource(profile, ctx),
  destination: (profile, ctx) => new PostgresDestination(profile, ctx),
};
