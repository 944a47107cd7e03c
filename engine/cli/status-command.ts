import { jobStatusView, type JobStatusView } from '../progress/status-view.js';
import { progressMode } from '../progress/progress-mode.js';
import { renderStatus } from '../progress/render-status.js';
import { TtyProgress } from '../progress/tty-progress.js';
import { loadOrFail } from './load-or-fail.js';
import { openBackend, readRecorded } from './cli-context.js';
import { CliError, EXIT } from './exit-codes.js';
import type { StateBackend } from '../../state/state-backend.js';

export interface StatusOptions {
  file: string;
  json?: boolean;
  watch?: boolean;
  interval?: number;
  /** False for `--no-color`: `--watch` redraws the plain status instead of live bars (as do NO_COLOR and CI). */
  color?: boolean;
}

/**
 * Every job's status view. `service: false` leaves out who serves the jobs
 * (apply's own waiting loop: its embedded worker is about to).
 */
export async function collectStatus(
  backend: StateBackend,
  job?: string,
  opts: { service?: boolean } = {},
): Promise<JobStatusView[]> {
  const { state, runtimes, leases } = await readRecorded(backend);
  const now = new Date();
  const service = (name: string) => (opts.service === false ? undefined : { lease: leases[name] ?? null, now });
  const records = Object.values(state?.jobs ?? {}).filter((j) => !job || j.name === job);
  if (job && !records.length)
    throw new CliError(`job.${job} is not in the state (known: ${Object.keys(state?.jobs ?? {}).join(', ') || 'none'})`);
  return records
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => jobStatusView(r, runtimes[r.name] ?? null, service(r.name)));
}

/** `migrate status [JOB]`: status and substatus per job, per database, per table. */
export async function statusCommand(job: string | undefined, opts: StatusOptions): Promise<number> {
  const { declaration } = await loadOrFail(opts.file);
  const backend = openBackend(declaration);
  // live bars only for --watch at a terminal; one snapshot stays the full status
  const bars =
    opts.watch && !opts.json && progressMode({ isTTY: process.stdout.isTTY, env: process.env, color: opts.color }) === 'bars'
      ? new TtyProgress(process.stdout)
      : null;
  const print = async () => {
    const jobs = await collectStatus(backend, job);
    if (bars) bars.render(jobs, Date.now());
    else if (opts.json) process.stdout.write(`${JSON.stringify({ jobs }, null, opts.watch ? 0 : 2)}\n`);
    else {
      if (opts.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      process.stdout.write(`${renderStatus(jobs)}\n`);
    }
  };
  try {
    await print();
    if (!opts.watch) return EXIT.OK;
    let stop = false;
    const onSignal = () => (stop = true);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    while (!stop) {
      await new Promise((r) => setTimeout(r, (opts.interval ?? 2) * 1000));
      if (!stop) await print();
    }
    return EXIT.OK;
  } finally {
    bars?.stop();
  }
}
