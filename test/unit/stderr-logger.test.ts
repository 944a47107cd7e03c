import { describe, expect, it } from 'vitest';
import { stderrLogger } from '../../engine/cli/stderr-logger.js';
import { withFields } from '../../engine/runtime/logger-fields.js';

function capture(format: 'text' | 'json', level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  return { lines, logger: stderrLogger(level, format, (l) => lines.push(l)) };
}

describe('log lines', () => {
  it('json: one object a line with level, time, msg and the job/database fields', () => {
    const { lines, logger } = capture('json');
    const log = withFields(logger, { job: 'orders', database: 'shop' });
    log.info('copy started', { table: 'public.t', rows: 3n });
    log.debug('filtered out');
    log.warn('held back', { database: 'crm', msg: 'a field named msg' });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const [a, b] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toMatchObject({
      level: 'info',
      msg: 'copy started',
      job: 'orders',
      database: 'shop',
      table: 'public.t',
      rows: '3',
    });
    expect(Date.parse(String(a?.time))).not.toBeNaN();
    expect(Object.keys(a ?? {}).slice(0, 3)).toEqual(['level', 'time', 'msg']);
    // the call's own field wins; a field cannot overwrite msg
    expect(b).toMatchObject({ level: 'warn', msg: 'held back', database: 'crm', field_msg: 'a field named msg' });
  });

  it.each(['json', 'text'] as const)('%s: never a password', (format) => {
    const { lines, logger } = capture(format);
    logger.error('cannot connect', {
      password: 'hunter2',
      dbPassword: 'hunter2',
      url: 'postgres://app:hunter2@db:5432/shop',
      error: 'connect to postgresql://app:hunter2@db/shop failed',
    });
    logger.info('dsn mysql://root:hunter2@127.0.0.1/x in the message');
    expect(lines.join('')).not.toContain('hunter2');
    expect(lines.join('')).toContain('postgres://app:(sensitive)@db:5432/shop');
  });

  it('MIGRATE_LOG_FORMAT=json applies to every command (their loggers take the default)', () => {
    const before = process.env.MIGRATE_LOG_FORMAT;
    process.env.MIGRATE_LOG_FORMAT = 'json';
    try {
      const lines: string[] = [];
      stderrLogger('info', undefined, (l) => lines.push(l)).warn('plan shown', { job: 'x' });
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'warn', msg: 'plan shown', job: 'x' });
    } finally {
      if (before === undefined) delete process.env.MIGRATE_LOG_FORMAT;
      else process.env.MIGRATE_LOG_FORMAT = before;
    }
  });

  it('text: unchanged shape', () => {
    const { lines, logger } = capture('text');
    logger.info('worker started', { id: 'w1', n: 2 });
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info worker started id="w1" n=2\n$/);
  });
});
