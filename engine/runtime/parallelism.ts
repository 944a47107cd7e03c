import { availableParallelism } from 'node:os';
import type { Parallelism } from '../config/declaration.js';

/**
 * Concurrent table/range copies for a job: `min` = 1, `optimal` = one per
 * core (at least 2), `max` = two per core (at least 4), or the given count.
 */
export function resolveParallelism(p: Parallelism, cores = availableParallelism()): number {
  switch (p) {
    case 'min':
      return 1;
    case 'optimal':
      return Math.max(2, cores);
    case 'max':
      return Math.max(4, cores * 2);
    default:
      return Math.max(1, Math.floor(p));
  }
}
