import { describeStatus } from '../lifecycle/job-status.js';
import type { JobStatusView } from './status-view.js';

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** `1,234,567` (no Intl: this runs for every table at every progress line). */
export const formatCount = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const num = formatCount;

/** `10:31:02` (UTC) for a time today, else the whole ISO timestamp. */
function clockTime(iso: string): string {
  const today = new Date().toISOString().slice(0, 10);
  return iso.startsWith(today) ? `${iso.slice(11, 19)} UTC` : iso;
}

/** One-line summary of a job, used by apply's progress and status. */
export function jobLine(j: JobStatusView): string {
  const tables = j.databases.flatMap((d) => d.tables);
  const done = tables.filter((t) => t.state === 'COMPLETED' || t.state === 'CDC').length;
  const rows = tables.reduce((s, t) => s + t.fullLoadTotalRows, 0);
  const bytes = tables.reduce((s, t) => s + t.fullLoadTotalVolumeBytes, 0);
  const load = tables.length ? ` — tables ${done}/${tables.length}, ${num(rows)} rows, ${formatBytes(bytes)}` : '';
  const unserved = j.unservedSince ? ` — no worker since ${clockTime(j.unservedSince)}` : '';
  return `job.${j.name}: ${describeStatus(j.status, j.substatus)}${unserved}${load}`;
}

/** The human `migrate status` view: job, then databases, then tables. */
export function renderStatus(jobs: JobStatusView[]): string {
  if (!jobs.length) return 'No jobs in the state. Run `migrate apply` first.';
  const out: string[] = [];
  for (const j of jobs) {
    out.push(jobLine(j));
    out.push(`  type ${j.type}, ${j.source} -> ${j.destination}, desired state ${j.desiredState}`);
    if (j.startedAt) out.push(`  started ${j.startedAt}${j.endedAt ? `, ended ${j.endedAt}` : ''}`);
    if (j.unservedSince) {
      out.push(
        `  no worker has served this job since ${j.unservedSince}: run \`migrate apply\` (or start \`migrate worker\`) to continue it`,
      );
    }
    if (j.error) out.push(`  error (${j.error.phase ?? 'no phase'}): ${j.error.message}`);
    // several workers share the job: say which serves each database
    const shared = new Set(j.databases.map((d) => d.workerId).filter(Boolean)).size > 1;
    for (const d of j.databases) {
      const by = shared && d.workerId ? `, worker ${d.workerId}` : '';
      out.push(
        `  database ${d.name} -> ${d.target}: ${d.migrationState} (tables: ${d.fullLoadCompletedTables} completed, ${d.fullLoadLoadingTables} loading, ${d.fullLoadQueuedTables} queued, ${d.fullLoadErroredTables} errored)${by}`,
      );
      if (shared && d.error) out.push(`    error (${d.error.phase ?? 'no phase'}): ${d.error.message}`);
      for (const n of d.notMigrated ?? []) out.push(`    warning: not migrated: ${n.kind} ${n.name}: ${n.reason}`);
      if (j.type === 'continuous') {
        const latency = d.latencyMs === null ? 'n/a' : `${num(d.latencyMs)} ms`;
        out.push(`    changes: ${num(d.incomingChanges)} incoming, ${num(d.appliedChanges)} applied, latency ${latency}`);
      }
      for (const t of d.tables) {
        const err = t.lastError ? ` — ${t.lastError}` : '';
        const ranges = t.rangesTotal > 1 ? `, ranges ${t.rangesDone}/${t.rangesTotal}` : '';
        const cdc =
          j.type === 'continuous'
            ? `, cdc +${num(t.cdcInsertCounter)} ~${num(t.cdcUpdateCounter)} -${num(t.cdcDeleteCounter)}`
            : '';
        const zero = t.zeroDatesReplaced ? `, ${num(t.zeroDatesReplaced)} zero dates replaced` : '';
        out.push(
          `    ${t.name.padEnd(32)} ${t.state.padEnd(9)} ${num(t.fullLoadTotalRows)} rows, ${formatBytes(t.fullLoadTotalVolumeBytes)}${ranges}${cdc}${zero}${err}`,
        );
      }
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}
