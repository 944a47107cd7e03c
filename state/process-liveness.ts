import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Linux reports process start times in clock ticks since boot; USER_HZ is 100 on every mainstream build. */
const TICKS_PER_SECOND = 100;

function bootTimeMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    return line ? Number(line.slice(6)) * 1000 : null;
  } catch {
    return null;
  }
}

/** When process `pid` started (ms since the epoch), or null when it cannot be told (not Linux, no access). */
function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: fields count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const boot = bootTimeMs();
    return boot === null || !Number.isFinite(ticks) ? null : boot + (ticks / TICKS_PER_SECOND) * 1000;
  } catch {
    return null;
  }
}

/**
 * True only when the process that recorded itself as (`host`, `pid`) at
 * `since` (ISO time) is certainly gone: it ran on this host and no process
 * has that pid, or the one that has it started after `since` (the pid was
 * reused). A process on another host, or one we may not signal, counts as
 * alive: only its lease expiry or `force-unlock` can tell.
 */
export function processGone(host: string, pid: number, since?: string): boolean {
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (!since) return false;
  const started = processStartMs(pid);
  // a margin for clock-tick rounding: a holder that started just before writing its record is still itself
  return started !== null && started > Date.parse(since) + 2_000;
}
