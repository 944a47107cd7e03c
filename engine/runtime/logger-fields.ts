import type { Logger } from './logger.js';

/**
 * A logger that adds `base` (e.g. `{ job, database }`) to every line; a
 * field the call passes itself wins.
 */
export function withFields(logger: Logger, base: Record<string, unknown>): Logger {
  // the call's own fields first (text lines read as before), then what the context adds
  const add = (emit: Logger['info']) => (msg: string, fields?: Record<string, unknown>) =>
    emit(msg, fields ? { ...fields, ...without(base, fields) } : base);
  return {
    debug: add(logger.debug.bind(logger)),
    info: add(logger.info.bind(logger)),
    warn: add(logger.warn.bind(logger)),
    error: add(logger.error.bind(logger)),
  };
}

function without(base: Record<string, unknown>, given: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(base).filter(([k]) => !Object.hasOwn(given, k)));
}
