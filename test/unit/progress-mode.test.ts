import { describe, expect, it } from 'vitest';
import { progressMode, type ProgressModeInput } from '../../engine/progress/progress-mode.js';

describe('progressMode: bars for a person at a terminal, plain lines otherwise', () => {
  it.each<[string, ProgressModeInput, 'bars' | 'lines']>([
    ['a terminal', { isTTY: true, env: { TERM: 'xterm-256color' } }, 'bars'],
    ['a terminal, --color not negated', { isTTY: true, env: {}, color: true }, 'bars'],
    ['not a terminal (pipe, file)', { isTTY: false, env: {} }, 'lines'],
    ['isTTY undefined (a pipe in Node)', { isTTY: undefined, env: {} }, 'lines'],
    ['--no-color', { isTTY: true, env: {}, color: false }, 'lines'],
    ['NO_COLOR=1', { isTTY: true, env: { NO_COLOR: '1' } }, 'lines'],
    ['NO_COLOR=0 (any value)', { isTTY: true, env: { NO_COLOR: '0' } }, 'lines'],
    ['NO_COLOR empty', { isTTY: true, env: { NO_COLOR: '' } }, 'lines'],
    ['CI=true', { isTTY: true, env: { CI: 'true' } }, 'lines'],
    ['CI=1', { isTTY: true, env: { CI: '1' } }, 'lines'],
    ['CI=false', { isTTY: true, env: { CI: 'false' } }, 'bars'],
    ['CI=0', { isTTY: true, env: { CI: '0' } }, 'bars'],
    ['TERM=dumb', { isTTY: true, env: { TERM: 'dumb' } }, 'lines'],
    ['not a terminal even with CI=false', { isTTY: false, env: { CI: 'false' } }, 'lines'],
  ])('%s', (_name, input, expected) => {
    expect(progressMode(input)).toBe(expected);
  });
});
