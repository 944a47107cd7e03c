import type { EngineKind } from './declaration.js';

/**
 * Whether a job may copy from `source` to `destination`: homogeneous pairs
 * (PG→PG, MySQL→MySQL, …) and heterogeneous pairs into PostgreSQL. Type
 * mapping exists only towards PostgreSQL, so every other pair is refused at load.
 */
export function isSupportedEnginePair(source: EngineKind, destination: EngineKind): boolean {
  return source === destination || destination === 'postgres';
}
