import type { Provider } from '../provider.js';
import { PostgresDestination } from './pg-destination.js';
import { PostgresSource } from './pg-source.js';

export const postgresProvider: Provider = {
  engine: 'postgres',
  capabilities: { cdc: false, destination: true },
  source: (profile, ctx) => new PostgresSource(profile, ctx),
  destination: (profile, ctx) => new PostgresDestination(profile, ctx),
};
