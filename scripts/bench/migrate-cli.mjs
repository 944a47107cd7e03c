// Driving the real migrate CLI: a declaration in a temp dir, `apply`, `status --json`, `worker`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateCli } from './config.mjs';
import { watchProcess } from './proc-stats.mjs';
import { onCleanup, removeDirOnCleanup, run, start, tail } from './util.mjs';

export class MigrateProject {
  /**
   * A declaration directory with one job from `source` to `destination`: one
   * database (`database` → `target`) or several (`databases: [{ name, target }]`).
   * `sourceProfile` / `destinationProfile`: each end's profile fields (default a PostgreSQL server's).
   */
  constructor({ source, destination, job, type, database, target, databases, parallelism, sourceProfile, destinationProfile }) {
    this.dir = mkdtempSync(join(tmpdir(), 'migrate-bench-'));
    this.removeDir = removeDirOnCleanup(this.dir);
    Object.assign(this, { source, destination, job, type, database, target, parallelism });
    this.databases = databases ?? [{ name: database, target }];
    this.sourceProfile = sourceProfile ?? 'engine: postgres, user: postgres';
    this.destinationProfile = destinationProfile ?? 'engine: postgres, user: postgres';
    // the worker logs at info by default; keep the CLIs quiet unless asked
    this.env = { MIGRATE_LOG: process.env.MIGRATE_LOG ?? 'warn' };
    /** Extra node flags for the worker (diagnostics, e.g. ['--cpu-prof']): BENCH_WORKER_NODE_ARGS. */
    this.workerNodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  }

  declare(state) {
    writeFileSync(
      join(this.dir, 'migrate.yaml'),
      `version: 1
profiles:
  src: { ${this.sourceProfile}, host: 127.0.0.1, port: ${this.source.port} }
  dst: { ${this.destinationProfile}, host: 127.0.0.1, port: ${this.destination.port} }
jobs:
  ${this.job}:
    source: src
    destination: dst
    type: ${this.type}
    state: ${state}
    parallelism: ${this.parallelism}
    databases:
${this.databases.map((d) => `      - name: ${d.name}\n        target: ${d.target ?? d.name}\n`).join('')}`,
    );
  }

  /**
   * `migrate apply --auto-approve`, watched; never throws. Returns { ok, code, signal, timedOut, reason,
   * ms, peakRssMb, cpuS, output, stderr, t0, epochMs } (t0: performance.now() and epochMs: Date.now() at
   * spawn). `timeoutMs`: killed after that long (SIGTERM, SIGKILL 15 s later). Line callbacks get
   * (line, msSinceSpawn) as lines arrive.
   */
  async runApply({ extra = [], timeoutMs, onStdoutLine, onStderrLine } = {}) {
    const epochMs = Date.now();
    let t0 = performance.now();
    const rel = (fn) => fn && ((line, at) => fn(line, at - t0));
    const p = start(process.execPath, [migrateCli, 'apply', '--auto-approve', ...extra], {
      cwd: this.dir,
      env: this.env,
      timeoutMs,
      onStdoutLine: rel(onStdoutLine),
      onStderrLine: rel(onStderrLine),
    });
    t0 = p.t0;
    const watch = watchProcess(p.pid);
    const res = await p.done;
    const proc = watch.stop();
    const ok = res.code === 0 && !res.timedOut;
    return {
      ok,
      code: res.code,
      signal: res.signal,
      timedOut: res.timedOut,
      reason: ok ? null : failureReason(res, timeoutMs),
      ms: res.ms,
      ...proc,
      output: res.out,
      stderr: res.err,
      t0,
      epochMs,
    };
  }

  /** `migrate apply --auto-approve`, watched: wall time, peak RSS, CPU. Throws when it fails. */
  async apply(extra = []) {
    const res = await this.runApply({ extra });
    if (!res.ok) throw new Error(`migrate apply exited with ${res.code ?? res.signal}\n${tail(res.stderr || res.output)}`);
    return res;
  }

  async status(timeoutMs = 120_000) {
    const res = await run(process.execPath, [migrateCli, 'status', '--json'], { cwd: this.dir, env: this.env, timeoutMs });
    const doc = JSON.parse(res.out);
    return doc.jobs.find((j) => j.name === this.job);
  }

  /** Remove the declaration directory now (instead of at exit). */
  dispose() {
    rmSync(this.dir, { recursive: true, force: true });
    this.removeDir();
  }

  /** Start `migrate worker` in the background; killed at cleanup. */
  startWorker() {
    const p = start(process.execPath, [...this.workerNodeArgs, migrateCli, 'worker'], { cwd: this.dir, env: this.env });
    const watch = watchProcess(p.pid);
    const unregister = onCleanup(async () => {
      p.child.kill('SIGTERM');
      await p.done;
    });
    return {
      pid: p.pid,
      watch,
      done: p.done,
      async stop() {
        unregister();
        const usage = watch.stop();
        p.child.kill('SIGTERM');
        const res = await p.done;
        return { ...usage, output: res.err, stdout: res.out };
      },
    };
  }
}

/** One line saying why a migrate run failed: timeout, V8 heap exhaustion, the CLI's own error, or the exit status. */
export function failureReason(res, timeoutMs) {
  const lines = String(res.err || '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const fatal = lines.find((l) => /FATAL ERROR|heap out of memory|Allocation failed/i.test(l));
  // not debug/info log lines, nor the CLI's answer to the bench's own SIGTERM
  const last = lines
    .filter((l) => !/^\d{4}-\d\d-\d\dT\S+ (debug|info) /.test(l) && !/received: stopping gracefully/.test(l))
    .pop();
  if (res.timedOut)
    return `timed out after ${Math.round(timeoutMs / 1000)} s (killed${res.signal ? ` by ${res.signal}` : ''})${last ? `; last stderr: ${last}` : ''}`;
  const status = res.code != null ? `exit code ${res.code}` : `signal ${res.signal}`;
  return `${status}: ${fatal ?? last ?? 'no error output'}`;
}

/**
 * Per-phase timing of a migrate job from its status document: data copy
 * (first table load start → last table load end) and what follows it
 * (indexes, constraints, sequences) up to the database's end.
 */
export function migratePhases(job) {
  const db = job?.databases?.[0];
  if (!db) return null;
  const ts = (s) => (s ? Date.parse(s) : null);
  const starts = db.tables.map((t) => ts(t.fullLoadStartedOn)).filter(Boolean);
  const ends = db.tables.map((t) => ts(t.fullLoadEndedOn)).filter(Boolean);
  const jobStart = ts(job.startedAt);
  const dbStart = ts(db.startedOn);
  const dataStart = starts.length ? Math.min(...starts) : null;
  const dataEnd = ends.length ? Math.max(...ends) : null;
  const dbEnd = ts(db.endedOn) ?? ts(job.endedAt);
  const r = (ms) => (ms == null || Number.isNaN(ms) ? null : Math.round(ms / 100) / 10);
  return {
    /** the job's own span (worker picked it up → database done) */
    jobS: r(dbEnd && (jobStart ?? dbStart) ? dbEnd - (jobStart ?? dbStart) : null),
    /** job start → first COPY (prepare, introspection, snapshot, pre-data schema) */
    beforeDataS: r(dataStart && (jobStart ?? dbStart) ? dataStart - (jobStart ?? dbStart) : null),
    dataCopyS: r(dataStart && dataEnd ? dataEnd - dataStart : null),
    /** last table loaded → database done (post-data: indexes, constraints; sequences) */
    afterDataS: r(dataEnd && dbEnd ? dbEnd - dataEnd : null),
    tables: db.tables.map((t) => ({
      name: t.name,
      rows: t.fullLoadTotalRows,
      bytes: t.fullLoadTotalVolumeBytes,
      ranges: t.rangesTotal,
      loadS: r(ts(t.fullLoadEndedOn) - ts(t.fullLoadStartedOn)),
    })),
  };
}
