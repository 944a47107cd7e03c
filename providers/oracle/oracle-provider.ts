import type { Provider } from '../provider.js';
import { OracleSource } from './oracle-source.js';
import { isConfigurationOracleError, isTransientOracleError } from './oracle-transient-error.js';

/** Oracle as a source only (Oracle → PostgreSQL through canonical types): never a destination. */
export const oracleProvider: Provider = {
  engine: 'oracle',
  capabilities: { cdc: true, destination: false },
  isTransientError: isTransientOracleError,
  isConfigurationError: isConfigurationOracleError,
  source: (profile, ctx) => new OracleSource(profile, ctx),
  destination: () => {
    throw new Error('Oracle is not a destination: Oracle sources migrate to PostgreSQL');
  },
};
