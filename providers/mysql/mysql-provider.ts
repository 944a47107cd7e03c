import type { Provider } from '../provider.js';
import { MySqlSource } from './mysql-source.js';
import { isConfigurationMySqlError, isTransientMySqlError } from './mysql-transient-error.js';

export const mysqlProvider: Provider = {
  engine: 'mysql',
  capabilities: { cdc: true, destination: false },
  isTransientError: isTransientMySqlError,
  isConfigurationError: isConfigurationMySqlError,
  source: (profile, ctx) => new MySqlSource(profile, ctx),
  destination: () => {
    throw new Error('the mysql provider cannot be a destination yet (MySQL → PostgreSQL works)');
  },
};
