import type { Provider } from '../provider.js';
import { MySqlDestination } from './mysql-destination.js';
import { MySqlSource } from './mysql-source.js';
import { isConfigurationMySqlError, isTransientMySqlError } from './mysql-transient-error.js';

export const mysqlProvider: Provider = {
  engine: 'mysql',
  capabilities: { cdc: true, destination: true },
  isTransientError: isTransientMySqlError,
  isConfigurationError: isConfigurationMySqlError,
  source: (profile, ctx) => new MySqlSource(profile, ctx),
  destination: (profile, ctx) => new MySqlDestination(profile, ctx),
};
