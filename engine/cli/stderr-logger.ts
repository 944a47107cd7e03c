import type { Logger } from '../runtime/logger.js';
import { redactLogField, redactLogText } from './redact-log-field.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** `text` (default): `time level message key=value …`; `json`: one JSON object a line. */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/**
 * Log lines on stderr, filtered by `MIGRATE_LOG` (default warn), formatted
 * per `MIGRATE_LOG_FORMAT` (default text; `migrate worker --log-format`
 * overrides it). JSON lines carry `level`, `time` (ISO), `msg`, then the
 * fields (`job`, `database`, …) — the shape pino writes with string levels.
 */
export function stderrLogger(
  level: Level = (process.env.MIGRATE_LOG as Level) || 'warn',
  format: LogFormat = process.env.MIGRATE_LOG_FORMAT === 'json' ? 'json' : 'text',
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const min = Math.max(0, LEVELS.indexOf(level));
  const emit = (l: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(l) < min) return;
    const time = new Date().toISOString();
    const entries = Object.entries(fields ?? {}).map(([k, v]) => [k, redactLogField(k, v)] as const);
    write(format === 'json' ? jsonLine(l, time, redactLogText(msg), entries) : textLine(l, time, redactLogText(msg), entries));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function textLine(level: Level, time: string, msg: string, fields: (readonly [string, unknown])[]): string {
  const kv = fields.map(([k, v]) => ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join('');
  return `${time} ${level} ${msg}${kv}\n`;
}

function jsonLine(level: Level, time: string, msg: string, fields: (readonly [string, unknown])[]): string {
  const line: Record<string, unknown> = { level, time, msg };
  // the three keys above stay what they say: a field of the same name is renamed
  for (const [k, v] of fields) line[Object.hasOwn(line, k) ? `field_${k}` : k] = v;
  return `${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v))}\n`;
}
