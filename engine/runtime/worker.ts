import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { databaseLeaseKey, presenceLeaseKey, WORKER_PRESENCE } from '../../state/state-backend.js';
import type { StateBackend } from '../../state/state-backend.js';
import { leaseAlive } from '../../state/lease-liveness.js';
import type { JobRecord, StateDocument } from '../../state/state-document.js';
import type { Clock } from './clock.js';
import type { CatalogCache } from './catalog-cache.js';
import { providerFor } from '../../providers/provider-registry.js';
import { describeError } from './combine-errors.js';
import { JobRunner } from './job-runner.js';
import { needsWork } from '../lifecycle/needs-work.js';
import type { Logger } from './logger.js';
import type { JobObservation } from './job-observation.js';
import type { JobStatus } from '../lifecycle/job-status.js';

export interface WorkerOptions {
  backend: StateBackend;
  logger: Logger;
  clock: Clock;
  /** Serve only these jobs (apply's embedded worker); all jobs when unset. */
  jobs?: readonly string[];
  /** Lease time-to-live; a worker silent this long loses its jobs to others. Default 15 s. */
  leaseTtlMs?: number;
  /** How often state is re-read and leases renewed. Default 1 s. */
  pollMs?: number;
  /**
   * Tables larger than this are split into ranges copied in parallel (env
   * MIGRATE_RANGE_BYTES). Default: the smaller of the source's and the
   * destination's `preferredRangeBytes` (PostgreSQL 4 GiB: a table loaded in
   * one range is written frozen, which makes its index builds cheaper; MySQL
   * 32 MiB as a destination: parallel LOAD DATA; 64 MiB as a source: its rows
   * are decoded by the worker, one reader per range).
   */
  rangeBytes?: number;
  /** Catalogs apply's plan just read, reused by the first introspection of each database. */
  catalogs?: CatalogCache;
  /**
   * Run a job only while holding its job lease (apply's embedded worker: a
   * job some `migrate worker` serves is left to it). Otherwise a worker runs
   * every job that has work and shares its databases with the other live
   * workers, one database lease each.
   */
  exclusive?: boolean;
}

interface Active {
  /** Null until the runner starts. */
  runner: JobRunner | null;
  /** We hold the job's lease (the job is served: status, plan); some live worker does while any runs it. */
  jobLease: boolean;
  /** The job's databases whose lease we hold. */
  databases: Set<string>;
  /** Set when the worker asked the runner to stop before it existed. */
  pending: 'stop' | 'shutdown' | null;
  done: Promise<void>;
  record: JobRecord;
  lastRenew: number;
}

/**
 * Runs jobs through leases in the state backend. Several workers can serve
 * one backend and one job: each database of a job is leased to one worker at
 * a time, the live workers (presence leases) sharing a job's databases; a
 * dead worker's leases expire and the others take its databases over,
 * resuming from the destination's markers.
 */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<string, Active>();
  /** The last observation of jobs whose runner ended here (metrics keep their final status and counts). */
  private readonly ended = new Map<string, JobObservation>();
  /** The last tick read the state backend. */
  private backendOk = false;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private runEnd: { promise: Promise<void>; resolve: () => void } | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private readonly ttl: number;
  private readonly pollMs: number;
  private readonly rangeBytes: number | undefined;
  private readonly holder = { workerId: this.id, host: hostname(), pid: process.pid };
  /** Live workers at the last tick (presence leases), this one included. */
  private liveWorkers = 1;
  private lastPresence = -Infinity;

  constructor(private readonly opts: WorkerOptions) {
    this.ttl = opts.leaseTtlMs ?? 15_000;
    this.pollMs = opts.pollMs ?? 1_000;
    this.rangeBytes = opts.rangeBytes ?? (Number(process.env.MIGRATE_RANGE_BYTES) || undefined);
  }

  start(): void {
    const loop = () => {
      if (this.stopping) return;
      this.ticking = this.tick()
        .catch((err: unknown) => {
          this.backendOk = false;
          this.opts.logger.error('worker tick failed', { error: describeError(err) });
        })
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(loop, this.pollMs);
        });
    };
    loop();
  }

  /** Resolves the next time one of this worker's runners ends (its last status is written by then). */
  nextRunEnd(): Promise<void> {
    if (!this.runEnd) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.runEnd = { promise, resolve };
    }
    return this.runEnd.promise;
  }

  /**
   * Ready to serve jobs: the state backend answered the last poll and no
   * shutdown began (`/readyz`).
   */
  ready(): boolean {
    return this.backendOk && !this.stopping;
  }

  /** Every job this worker runs or ran, as it stands now (read at metrics scrape time). */
  observe(): JobObservation[] {
    const out = new Map(this.ended);
    for (const [name, a] of this.active) {
      const o = a.runner?.observe();
      if (o) out.set(name, o);
    }
    return [...out.values()];
  }

  /** Jobs currently run by this worker. */
  running(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Interrupt every runner (jobs stay claimable by others) and release
   * leases. Waits at most `graceMs` (or until `force` aborts): every write is
   * transactional, so abandoning a stuck statement loses nothing — the
   * server rolls it back when our connection goes, and the lease expires.
   */
  async shutdown(graceMs = 10_000, force?: AbortSignal): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    for (const a of this.active.values()) interrupt(a, 'shutdown');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      force?.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([Promise.all([...this.active.values()].map((a) => a.done)), deadline]);
    clearTimeout(timer);
    await this.opts.backend.releaseLease(presenceLeaseKey(this.id), this.id).catch(() => undefined);
  }

  /**
   * Keep our presence lease and count the live sharing workers (a job's
   * databases are shared among them). An exclusive worker (apply's) is not
   * counted: it runs only the jobs nobody else serves.
   */
  private async presence(now: number): Promise<void> {
    const { backend, clock } = this.opts;
    if (!this.opts.exclusive && now - this.lastPresence >= this.ttl / 3) {
      if (await backend.acquireLease(presenceLeaseKey(this.id), this.holder, this.ttl)) this.lastPresence = now;
    }
    // counted at every poll: a worker that just started takes its share of the next job
    const live = (await backend.listLeases(`${WORKER_PRESENCE}/`)).filter(
      (l) => l.workerId !== this.id && leaseAlive(l, clock()),
    );
    this.liveWorkers = live.length + 1;
  }

  private async tick(): Promise<void> {
    const { backend, clock } = this.opts;
    const state = await backend.read();
    this.backendOk = true;
    for (const name of this.ended.keys()) if (!state?.jobs[name]) this.ended.delete(name);
    const now = clock().getTime();
    if (!this.stopping) await this.presence(now);
    for (const [name, a] of this.active) {
      const record = state?.jobs[name];
      if (!record || record.generation !== a.record.generation || record.id !== a.record.id) interrupt(a, 'shutdown');
      else if (record.desiredState === 'stopped' && a.record.desiredState !== 'stopped') interrupt(a, 'stop');
      if (record) a.record = record;
      if (now - a.lastRenew >= this.ttl / 3) {
        a.lastRenew = now;
        await this.renew(name, a);
      }
    }
    if (!state || this.stopping) return;
    for (const record of Object.values(state.jobs)) {
      if (this.active.has(record.name)) continue;
      if (this.opts.jobs && !this.opts.jobs.includes(record.name)) continue;
      const runtime = await backend.readRuntime(record.name);
      if (!needsWork(record, runtime)) continue;
      // it has work again (resumed, restarted): whoever serves it now reports it, not our last word
      this.ended.delete(record.name);
      this.launch(state, record);
    }
  }

  /**
   * Renew our leases of a job: its databases' (one lost is stopped here: the
   * worker that took it runs it now) and the job's own, or take the job's
   * when its holder let it go (a sharing worker keeps the job served).
   */
  private async renew(name: string, a: Active): Promise<void> {
    const { backend, logger } = this.opts;
    for (const db of a.databases) {
      if (await backend.renewLease(databaseLeaseKey(name, db), this.id, this.ttl)) continue;
      a.databases.delete(db);
      logger.warn('lost the lease of a database; another worker may serve it now', { job: name, database: db });
      a.runner?.lost(db);
    }
    if (a.jobLease) {
      if (await backend.renewLease(name, this.id, this.ttl)) return;
      a.jobLease = false;
      if (this.opts.exclusive) {
        logger.warn('lost lease', { job: name });
        interrupt(a, 'shutdown');
      }
    } else if (!this.opts.exclusive) a.jobLease = await backend.acquireLease(name, this.holder, this.ttl);
  }

  private launch(state: StateDocument, record: JobRecord): void {
    const { backend, logger } = this.opts;
    const job = record.name;
    const active: Active = {
      runner: null,
      jobLease: false,
      databases: new Set(),
      pending: null,
      record,
      lastRenew: this.opts.clock().getTime(),
      done: Promise.resolve(),
    };
    // the engines' code loads while the lease is taken
    for (const profile of [state.profiles[record.source], state.profiles[record.destination]]) {
      if (profile) providerFor(profile.engine).catch(() => undefined);
    }
    active.done = (async () => {
      active.jobLease = await backend.acquireLease(job, this.holder, this.ttl);
      if (!active.jobLease && this.opts.exclusive) return;
      logger.debug('job leased', { job, sinceStartMs: Math.round(performance.now()) });
      const runner = new JobRunner(state, record, {
        backend,
        workerId: this.id,
        logger,
        clock: this.opts.clock,
        rangeBytes: this.rangeBytes,
        currentRecord: () => active.record,
        ...(this.opts.catalogs ? { catalogs: this.opts.catalogs } : {}),
        claims: {
          claim: async (database) => {
            if (this.stopping || active.pending) return false;
            if (!(await backend.acquireLease(databaseLeaseKey(job, database), this.holder, this.ttl))) return false;
            active.databases.add(database);
            logger.info('database leased', { job, database, worker: this.id });
            return true;
          },
          share: (total) => Math.ceil(total / this.liveWorkers),
          // long enough for every live worker's runner to start (prerequisites) and claim its part
          patienceMs: Math.max(2 * this.ttl, 30_000),
        },
      });
      active.runner = runner;
      if (active.pending) runner.interrupt(active.pending);
      try {
        await runner.run();
      } finally {
        // its pipelines have ended: the databases are free for others at once (a crash frees them at expiry)
        for (const database of active.databases) {
          await backend
            .releaseLease(databaseLeaseKey(job, database), this.id)
            .catch((err: unknown) =>
              logger.warn('cannot release a database lease', { job, database, error: describeError(err) }),
            );
          logger.info('database released', { job, database, worker: this.id });
        }
        if (active.jobLease) {
          await backend
            .releaseLease(job, this.id)
            .catch((err: unknown) => logger.warn('cannot release the job lease', { job, error: describeError(err) }));
        }
      }
    })()
      .catch((err: unknown) => logger.error('runner crashed', { job: record.name, error: describeError(err) }))
      .finally(() => {
        // a settled job keeps its final word here; one merely let go (shutdown, lost lease) is someone else's to report
        const last = active.runner?.observe();
        if (last && SETTLED.has(last.runtime.status)) this.ended.set(record.name, last);
        else this.ended.delete(record.name);
        this.active.delete(record.name);
        const ended = this.runEnd;
        this.runEnd = null;
        ended?.resolve();
      });
    this.active.set(record.name, active);
  }
}

const SETTLED: ReadonlySet<JobStatus> = new Set(['COMPLETED', 'FAILED', 'STOPPED']);

function interrupt(a: Active, reason: 'stop' | 'shutdown'): void {
  if (a.runner) a.runner.interrupt(reason);
  else a.pending = reason;
}
