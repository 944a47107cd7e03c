import type { Logger } from './logger.js';

/** Run `fn` and log how long it took at debug level (`<step> took N ms`), so `MIGRATE_LOG=debug` shows where time goes. */
export async function timed<T>(logger: Logger, step: string, fields: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    logger.debug(`${step} took ${Math.round(performance.now() - started)} ms`, fields);
  }
}
