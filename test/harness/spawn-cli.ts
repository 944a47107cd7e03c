import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './run-cli.js';

export interface RunningCli {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Start the real CLI in the background (to interrupt or kill it). */
export function spawnCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return { child, output: () => out, exited };
}
