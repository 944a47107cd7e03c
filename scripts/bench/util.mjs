// Small shared helpers: logging, timing, child processes, cleanup on exit/SIGINT, LSNs.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function log(msg) {
  const t = new Date().toISOString().slice(11, 19);
  process.stdout.write(`[${t}] ${msg}\n`);
}

export function step(title) {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n`);
}

export const seconds = (ms) => Math.round(ms / 10) / 100;

/** Parse a PostgreSQL LSN `X/Y` into a BigInt. */
export function parseLsn(lsn) {
  if (!lsn) return 0n;
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

// ---- cleanup registry (servers, temp dirs, background processes) ----
const cleanups = [];
let cleaning = null;

/** Register `fn` to run at cleanup (LIFO). Returns an unregister function. */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export function removeDirOnCleanup(dir) {
  return onCleanup(() => rmSync(dir, { recursive: true, force: true }));
}

export function runCleanups() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup: ${err.message}\n`);
      }
    }
  })();
  return cleaning;
}

let signalled = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (signalled) process.exit(130);
    signalled = true;
    process.stderr.write(`\n${sig}: cleaning up (servers, temp dirs, background processes)...\n`);
    runCleanups().finally(() => process.exit(130));
  });
}

// ---- child processes ----
const children = new Set();
onCleanup(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/**
 * Start a child process. Returns { child, pid, done: Promise<{code, signal, out, err, ms}> }.
 * Output is captured (and echoed when `echo`). Never rejects; check `code`.
 */
export function start(cmd, args, opts = {}) {
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (opts.echo) process.stdout.write(d);
  });
  child.stderr.on('data', (d) => {
    err += d;
    if (opts.echo) process.stderr.write(d);
  });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  const done = new Promise((resolve) => {
    child.on('error', (e) => {
      err += `\n${e.message}`;
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, out, err, ms: performance.now() - t0 });
    });
  });
  return { child, pid: child.pid, done };
}

/** Run to completion; throws with the output when the exit code is not allowed. */
export async function run(cmd, args, opts = {}) {
  const res = await start(cmd, args, opts).done;
  const allowed = opts.allowed ?? [0];
  if (!allowed.includes(res.code)) {
    throw new Error(`${[cmd, ...args].join(' ')} exited with ${res.code ?? res.signal}\n${tail(res.err || res.out)}`);
  }
  return res;
}

export function tail(text, lines = 30) {
  return String(text).trim().split('\n').slice(-lines).join('\n');
}

/** Shell-quote one argument. */
export function sh(arg) {
  return `'${String(arg).replace(/'/g, `'\\''`)}'`;
}

export function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}
