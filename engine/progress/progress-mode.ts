/** `bars`: live progress bars redrawn in place; `lines`: plain lines, one per change, no escape sequences. */
export type ProgressMode = 'bars' | 'lines';

export interface ProgressModeInput {
  /** Whether the output stream is a terminal (`process.stdout.isTTY`). */
  isTTY: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** False for `--no-color` (commander's negated option); absent = not given. */
  color?: boolean;
}

/**
 * Bars only for a person at a terminal: plain lines when the output is not a
 * TTY, with `--no-color`, `NO_COLOR` set to any value (https://no-color.org
 * asks for a non-empty one; an empty one is taken as a request too), `CI` set
 * (other than `false`/`0`: CI logs keep every redraw), or `TERM=dumb` (no
 * cursor movement).
 */
export function progressMode({ isTTY, env, color }: ProgressModeInput): ProgressMode {
  if (!isTTY || color === false) return 'lines';
  if (env.NO_COLOR !== undefined) return 'lines';
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') return 'lines';
  if (env.TERM === 'dumb') return 'lines';
  return 'bars';
}
