import type { Logger } from '../runtime/logger.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** Log lines on stderr: `level message key=value …`, filtered by `MIGRATE_LOG` (default warn). */
export function stderrLogger(level: Level = (process.env.MIGRATE_LOG as Level) || 'warn'): Logger {
  const min = Math.max(0, LEVELS.indexOf(level));
  const emit = (l: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(l) < min) return;
    const kv = fields
      ? Object.entries(fields)
          .map(([k, v]) => ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
          .join('')
      : '';
    process.stderr.write(`${new Date().toISOString()} ${l} ${msg}${kv}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
