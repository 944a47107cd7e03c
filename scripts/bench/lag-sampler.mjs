// Replication lag in time, from the source alone: every few hundred ms read
// pg_current_wal_lsn() and the slot's confirmed_flush_lsn in one query. Each
// source LSN is timestamped when first seen; the lag of a sample is
// now − (the time the source's WAL first reached the slot's confirmed
// position), interpolated linearly between the two samples around it.
import pg from 'pg';
import { parseLsn, percentile } from './util.mjs';

export async function startLagSampler(source, db, slotName, intervalMs) {
  const client = new pg.Client({ connectionString: source.url(db) });
  await client.connect();
  /** { t: ms (performance.now), src: bigint, conf: bigint|null, active: bool } */
  const samples = [];
  const waiters = new Set();
  let running = true;
  let failure = null;

  const sampleOnce = async () => {
    const before = performance.now();
    const res = await client.query(
      `SELECT pg_current_wal_lsn()::text AS src,
              (SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1) AS conf,
              (SELECT active FROM pg_replication_slots WHERE slot_name = $1) AS active`,
      [slotName],
    );
    const t = (before + performance.now()) / 2;
    const row = res.rows[0];
    const s = { t, src: parseLsn(row.src), conf: row.conf ? parseLsn(row.conf) : null, active: row.active === true };
    samples.push(s);
    for (const w of waiters) w(s);
  };

  const loop = (async () => {
    while (running) {
      const next = performance.now() + intervalMs;
      try {
        await sampleOnce();
      } catch (err) {
        failure = err;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  })();

  /** When did the source's WAL first reach `lsn`? Interpolated (and the first sample at or past it). */
  function reachedAt(lsn) {
    let lo = 0;
    let hi = samples.length - 1;
    if (hi < 0 || samples[hi].src < lsn) return null;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (samples[mid].src >= lsn) hi = mid;
      else lo = mid + 1;
    }
    const i = lo;
    if (i === 0 || samples[i].src === lsn) return { interpolated: samples[i].t, firstSeen: samples[i].t };
    const a = samples[i - 1];
    const b = samples[i];
    const f = Number(lsn - a.src) / Number(b.src - a.src);
    return { interpolated: a.t + f * (b.t - a.t), firstSeen: b.t };
  }

  return {
    samples,
    now: () => performance.now(),
    /** Lag statistics (ms) of the samples taken in [fromMs, toMs] (performance.now() times). */
    lagStats(fromMs, toMs) {
      const interp = [];
      const stepwise = [];
      let maxAt = null;
      for (const s of samples) {
        if (s.t < fromMs || s.t > toMs || s.conf === null) continue;
        if (s.conf >= s.src) {
          interp.push(0);
          stepwise.push(0);
          continue;
        }
        const at = reachedAt(s.conf + 1n);
        if (!at) continue;
        const lag = Math.max(0, s.t - at.interpolated);
        if (!interp.length || lag > Math.max(...interp)) maxAt = s.t;
        interp.push(lag);
        stepwise.push(Math.max(0, s.t - at.firstSeen));
      }
      const r = (x) => (x == null ? null : Math.round(x));
      return {
        samples: interp.length,
        p50Ms: r(percentile(interp, 50)),
        p90Ms: r(percentile(interp, 90)),
        p99Ms: r(percentile(interp, 99)),
        maxMs: r(interp.length ? Math.max(...interp) : null),
        /** when the largest lag was seen, in seconds after the window started (spikes at the start differ from steady ones) */
        maxAtS: maxAt === null ? null : Math.round((maxAt - fromMs) / 100) / 10,
        /** the same with the brief's step definition (time the first sample saw the source at/after the position) */
        stepwiseP50Ms: r(percentile(stepwise, 50)),
        stepwiseP99Ms: r(percentile(stepwise, 99)),
      };
    },
    /** Resolve with the sample time once the slot confirmed `lsn` (or reject after timeoutMs). */
    waitConfirmed(lsn, timeoutMs) {
      return new Promise((resolve, reject) => {
        const last = samples[samples.length - 1];
        if (last?.conf !== null && last?.conf >= lsn) return resolve(last.t);
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `slot ${slotName} did not confirm ${lsn} within ${timeoutMs / 1000} s (failure: ${failure?.message ?? 'none'})`,
            ),
          );
        }, timeoutMs);
        const check = (s) => {
          if (s.conf !== null && s.conf >= lsn) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(s.t);
          }
        };
        waiters.add(check);
      });
    },
    /** Resolve once the slot is (in)active. */
    waitActive(active, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`slot ${slotName} did not become ${active ? 'active' : 'inactive'} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const check = (s) => {
          if (s.active === active) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(s.t);
          }
        };
        waiters.add(check);
      });
    },
    async stop() {
      running = false;
      await loop;
      await client.end().catch(() => undefined);
    },
  };
}

/** The source's current WAL position (BigInt). */
export async function currentLsn(source, db) {
  const [row] = await source.query('SELECT pg_current_wal_lsn()::text AS lsn', db);
  return parseLsn(row.lsn);
}
