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

export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

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

/** Calls `fn(line, atMs)` for every complete line of `stream` (atMs: performance.now() when its end arrived). */
function eachLine(stream, fn) {
  let rest = '';
  stream.on('data', (d) => {
    const at = performance.now();
    const parts = (rest + d).split('\n');
    rest = parts.pop();
    for (const line of parts) fn(line, at);
  });
  stream.on('end', () => {
    if (rest) fn(rest, performance.now());
    rest = '';
  });
}

/**
 * Start a child process. Returns { child, pid, t0, done: Promise<{code, signal, out, err, ms, timedOut}> }.
 * Output is captured (and echoed when `echo`). Never rejects; check `code`.
 * `timeoutMs`: SIGTERM after that long, SIGKILL `killGraceMs` (default 15 s) later; `timedOut` is then true.
 * `onStdoutLine` / `onStderrLine(line, atMs)`: called per line as it arrives (atMs: performance.now()).
 */
export function start(cmd, args, opts = {}) {
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
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
  if (opts.onStdoutLine) eachLine(child.stdout, opts.onStdoutLine);
  if (opts.onStderrLine) eachLine(child.stderr, opts.onStderrLine);
  if (opts.input !== undefined) child.stdin.end(opts.input);
  let timedOut = false;
  let killTimer = null;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), opts.killGraceMs ?? 15_000);
      }, opts.timeoutMs)
    : null;
  const done = new Promise((resolve) => {
    child.on('error', (e) => {
      err += `\n${e.message}`;
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolve({ code, signal, out, err, ms: performance.now() - t0, timedOut });
    });
  });
  return { child, pid: child.pid, t0, done };
}

/** Run to completion; throws with the output when the exit code is not allowed (or `timeoutMs` passed). */
export async function run(cmd, args, opts = {}) {
  const res = await start(cmd, args, opts).done;
  const allowed = opts.allowed ?? [0];
  if (res.timedOut) {
    throw new Error(
      `${[cmd, ...args].join(' ')} timed out after ${seconds(opts.timeoutMs)} s (killed)\n${tail(res.err || res.out)}`,
    );
  }
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

/**
 * Run `peers` (name → async run(round)) for `repeat` rounds, interleaved (a
 * noisy neighbour hits every peer alike) and in reverse order every other
 * round (no peer is always first, or always last). `skip(name)` leaves a
 * peer out of later rounds (e.g. after a timeout). Returns every run per
 * peer and, per peer, its fastest successful run with `rounds` (every wall
 * time, null for a failed one).
 */
export async function interleavedRounds(peers, repeat, run, skip = () => false) {
  const all = {};
  for (let round = 1; round <= repeat; round++) {
    if (repeat > 1) log(`round ${round}/${repeat}`);
    const order = round % 2 === 0 ? [...peers].reverse() : peers;
    for (const name of order) {
      if (skip(name)) {
        log(`${name}: failed in an earlier round, not repeated`);
        continue;
      }
      (all[name] ??= []).push(await run(name, round));
    }
  }
  const best = {};
  for (const [name, runs] of Object.entries(all)) {
    const ok = runs.filter((r) => r.ok);
    const fastest = ok.length ? ok.reduce((a, b) => (b.wallS < a.wallS ? b : a)) : runs[0];
    best[name] = { ...fastest, rounds: runs.map((r) => (r.ok ? r.wallS : null)) };
  }
  return { all, best };
}
