// CPU and memory accounting from /proc: a process's RSS peak, a PostgreSQL
// server's total CPU (postmaster + live backends + reaped backends), the CPU
// of the bench's own reaped children (client tools), and whole-machine CPU.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

let TICKS = 100;
try {
  TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // default 100
}

/** Fields of /proc/<pid>/stat after the command name (index 0 = state, field 3 in man proc). */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds: own (utime+stime) and reaped children (cutime+cstime). */
export function cpuOf(pid) {
  const f = statFields(pid);
  // man proc: utime=14 stime=15 cutime=16 cstime=17 → offsets 11..14 here (field 3 is index 0)
  const n = (i) => Number(f[i]) / TICKS;
  return { self: n(11) + n(12), children: n(13) + n(14), ppid: Number(f[1]) };
}

function memOf(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** CPU seconds used by the bench process's reaped children (all client tools and CLIs it ran). */
export function reapedChildrenCpu() {
  return cpuOf(process.pid).children;
}

/** Whole machine: busy and total jiffies (as seconds) from /proc/stat. */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS, total: (busy + idle + iowait) / TICKS, iowait: iowait / TICKS };
}

/** Total CPU seconds of a PostgreSQL server: postmaster + reaped backends + live children. */
export function serverCpu(dataDir) {
  const pm = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const own = cpuOf(pm);
  let live = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const c = cpuOf(Number(name));
      if (c.ppid === pm) live += c.self;
    } catch {
      // gone meanwhile
    }
  }
  return own.self + own.children + live;
}

/**
 * Samples CPU and memory of a set of servers and the bench's children; call
 * `end()` to get the deltas.
 */
export function cpuMeter(servers) {
  const t0 = performance.now();
  const m0 = machineCpu();
  const s0 = servers.map((s) => serverCpu(s.dataDir));
  const c0 = reapedChildrenCpu() + cpuOf(process.pid).self;
  return {
    /** `extraClientCpu`: CPU of a child that was not reaped yet (polled via watchProcess). */
    end(extraClientCpu = 0) {
      const wall = (performance.now() - t0) / 1000;
      const m1 = machineCpu();
      const servers1 = servers.map((s, i) => serverCpu(s.dataDir) - s0[i]);
      const client = reapedChildrenCpu() + cpuOf(process.pid).self - c0 + extraClientCpu;
      const machineBusy = m1.busy - m0.busy;
      const r = (x) => Math.round(x * 10) / 10;
      return {
        wallS: r(wall),
        clientCpuS: r(client),
        sourceServerCpuS: r(servers1[0] ?? 0),
        destinationServerCpuS: r(servers1[1] ?? 0),
        machineBusyCpuS: r(machineBusy),
        /** CPU used by processes that are not part of this measurement (the machine may be shared). */
        otherCpuS: r(Math.max(0, machineBusy - client - servers1.reduce((a, b) => a + b, 0))),
        machineIowaitS: r(m1.iowait - m0.iowait),
      };
    },
  };
}

/**
 * Poll a process's RSS, peak RSS (VmHWM) and CPU every `intervalMs` until it
 * exits. `result()` returns the last values seen.
 */
export function watchProcess(pid, intervalMs = 200) {
  const state = { peakRssMb: 0, hwmMb: 0, cpuS: 0, samples: 0 };
  const poll = () => {
    try {
      const m = memOf(pid);
      const c = cpuOf(pid);
      state.peakRssMb = Math.max(state.peakRssMb, m.rssMb);
      state.hwmMb = Math.max(state.hwmMb, m.hwmMb);
      state.cpuS = c.self;
      state.samples++;
    } catch {
      // exited
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    poll,
    stop() {
      poll();
      clearInterval(timer);
      return this.result();
    },
    result() {
      return {
        peakRssMb: Math.round(Math.max(state.peakRssMb, state.hwmMb)),
        cpuS: Math.round(state.cpuS * 10) / 10,
      };
    },
  };
}

/** Read/write syscall counts of a process (/proc/<pid>/io), or null when gone. */
export function syscallsOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { reads: Number(/^syscr: (\d+)/m.exec(text)?.[1] ?? 0), writes: Number(/^syscw: (\d+)/m.exec(text)?.[1] ?? 0) };
  } catch {
    return null;
  }
}
