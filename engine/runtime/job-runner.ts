import type { DestinationProvider, Provider, ResolvedProfile, SourceProvider } from '../../providers/provider.js';
import { endsCheck, type CatalogCache } from './catalog-cache.js';
import { providerFor } from '../../providers/provider-registry.js';
import { StreamMemory } from '../../providers/stream-memory.js';
import type { DatabaseProgress, JobRuntime } from '../../state/job-runtime.js';
import type { JobObservation } from './job-observation.js';
import type { StateBackend } from '../../state/state-backend.js';
import type { DatabaseRecord, JobRecord, StateDocument } from '../../state/state-document.js';
import type { Substatus } from '../lifecycle/job-status.js';
import { artifactName } from './artifact-name.js';
import type { Clock } from './clock.js';
import { DatabasePipeline } from './database-pipeline.js';
import type { Logger } from './logger.js';
import { withFields } from './logger-fields.js';
import { RetainedLogProbe } from './retained-log-probe.js';
import { ProgressReporter } from './progress-reporter.js';
import { resolveProfile } from './resolve-profile.js';
import { runtimeFor } from '../lifecycle/runtime-belongs.js';
import { describeError, errorCode, leafErrors } from './combine-errors.js';
import { PrerequisiteError } from './job-prerequisites.js';
import { resolveParallelism } from './parallelism.js';
import { timed } from './timed.js';
import { schemaSettings } from '../plan/planner.js';
import { WorkBudget } from './work-budget.js';

/** Why a runner was interrupted: a user stop, or our own shutdown (the job stays claimable). */
export type StopReason = 'stop' | 'shutdown';

/**
 * The databases of a job are leased one by one, so several workers can serve
 * one job: a runner runs a database only while it holds its lease.
 */
export interface DatabaseClaims {
  /** Take the database's lease for this runner; false when another live worker serves it. */
  claim(database: string): Promise<boolean>;
  /** How many of a job's `total` databases this runner should run at once: its share among the live workers. */
  share(total: number): number;
  /**
   * A database left unserved this long is claimed beyond the share (a
   * worker counted in the share may not be taking its part: its runner
   * still waiting for a prerequisite, say).
   */
  patienceMs: number;
}

export interface JobRunnerDeps {
  backend: StateBackend;
  workerId: string;
  logger: Logger;
  clock: Clock;
  /** Range size for splitting large tables (bytes). */
  rangeBytes: number | undefined;
  /** The current record (re-read by the worker): parallelism, databases and desired state change live. */
  currentRecord: () => JobRecord;
  /** Catalogs apply's plan just read (first introspection of each database reuses them). */
  catalogs?: CatalogCache;
  claims: DatabaseClaims;
}

export class StopSignal extends Error {
  constructor(readonly reason: StopReason) {
    super(`job interrupted (${reason})`);
  }
}

const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];
/** Work that ran this long before failing was healthy: its retries start at the first backoff again. */
const HEALTHY_RUN_MS = 60_000;

interface RunningDatabase {
  pipeline: DatabasePipeline;
  abort: AbortController;
  done: Promise<void>;
  /** True once `done` settled. */
  ended: boolean;
  failure: Error | null;
}

/**
 * Drives one job generation to its desired state. Each database runs as its
 * own pipeline (dump → CDC → promote); databases added mid-run start their
 * own, removed ones stop and release their source artifacts. Transient
 * failures (connection lost, server restart) set Running with errors and
 * retry with backoff; anything else fails the job.
 */
export class JobRunner {
  private readonly abort = new AbortController();
  /** The databases this runner holds the lease of (their entries of the report are ours to write). */
  private readonly running = new Map<string, RunningDatabase>();
  /** Pipelines let go after their lease was lost, still winding down (not claimed again until they ended). */
  private readonly leaving = new Map<string, Promise<void>>();
  /** Every database this runner ran (its metrics). */
  private readonly served = new Set<string>();
  /** When this runner last tried to claim beyond its share (it starts patient). */
  private lastOverflow = Number.NEGATIVE_INFINITY;
  private runtime!: JobRuntime;
  private progress!: ProgressReporter;
  private source!: SourceProvider;
  private srcProfile!: ResolvedProfile;
  private destination!: DestinationProvider;
  private providers: Provider[] = [];
  private restart = false;
  /** Drop and recreate the destination databases before loading (a restart of a job that wrote there). */
  private wipe = false;
  /** The job's parallelism, shared by all its databases. */
  private readonly budget = new WorkBudget(() => resolveParallelism(this.deps.currentRecord().parallelism));
  /** Source database sizes (bytes), to open the largest first. */
  private sizes = new Map<string, number>();
  private retrying = new Map<string, Error>();
  /** Tables held back after the destination rejected their changes (keep the job Running with errors). */
  private tableErrors = new Map<string, Error>();
  /** Errors this runner met (retried, held-back tables, the fatal one): the worker's `migrate_job_errors_total`. */
  private errorsSeen = 0;
  /** Continuous jobs: the source log kept for each database (`migrate_source_retained_bytes`). */
  private retained: RetainedLogProbe | null = null;

  constructor(
    private readonly state: StateDocument,
    private readonly record: JobRecord,
    private readonly deps: JobRunnerDeps,
  ) {}

  /**
   * What this runner reports right now (the live object's copy, read at
   * metrics scrape time), with the errors it met; null before it started.
   */
  observe(): JobObservation | null {
    if (!this.runtime) return null;
    const runtime = structuredClone(this.runtime);
    // other workers' databases are theirs to report
    runtime.databases = runtime.databases.filter((d) => this.served.has(d.name));
    return {
      runtime,
      errors: this.errorsSeen,
      retainedBytes: this.retained?.snapshot() ?? {},
    };
  }

  interrupt(reason: StopReason): void {
    if (this.abort.signal.aborted) return;
    const signal = new StopSignal(reason);
    this.abort.abort(signal);
    // each database has its own controller (one can be removed alone): no listener per database on the job's signal
    for (const r of this.running.values()) r.abort.abort(signal);
  }

  async run(): Promise<void> {
    const { backend, clock } = this.deps;
    const record = this.record;
    const prior = runtimeFor(record, await backend.readRuntime(record.name));
    this.restart = prior !== null && prior.generation > 0 && prior.generation < record.generation;
    const fresh = !prior || prior.generation < record.generation;
    // what an earlier generation wrote stays until this one wipes it: a restart after a pristine failure wipes
    // nothing; a database first opened by a later worker of this generation is wiped all the same
    this.wipe = fresh ? this.restart && prior?.destinationWritten !== false : prior.wipeOnRestart === true;
    this.runtime = fresh
      ? {
          job: record.name,
          ...(record.id ? { jobId: record.id } : {}),
          generation: record.generation,
          status: this.restart ? 'RESTARTING' : 'STARTING',
          substatus: null,
          startedAt: clock().toISOString(),
          endedAt: null,
          error: null,
          workerId: this.deps.workerId,
          updatedAt: clock().toISOString(),
          destinationWritten: this.wipe,
          wipeOnRestart: this.wipe,
          databases: [],
        }
      : { ...prior, workerId: this.deps.workerId };
    this.progress = new ProgressReporter(this.runtime, backend, clock, this.deps.logger, () => new Set(this.running.keys()));
    const runtime = this.runtime;

    if (!fresh && (runtime.status === 'COMPLETED' || runtime.status === 'FAILED')) return;
    if (record.desiredState === 'stopped') {
      runtime.status = 'STOPPED';
      runtime.substatus = runtime.substatus ?? 'FULL_DUMP';
      runtime.workerId = null;
      await this.progress.final();
      return;
    }
    if (runtime.status === 'STOPPED') runtime.status = 'RESUMING';
    await this.progress.flush();

    try {
      // one budget of buffered changes for all the job's streams: memory does not grow with its databases
      const currentRecord = this.deps.currentRecord;
      const ctx = {
        logger: withFields(this.deps.logger, { job: record.name }),
        memory: new StreamMemory(),
        // read at each use: a settings change (zeroDates…) applies to the running job
        get settings() {
          return schemaSettings(currentRecord());
        },
      };
      const srcProfile = this.profile(record.source);
      this.srcProfile = srcProfile;
      const dstProfile = this.profile(record.destination);
      const srcProvider = await providerFor(srcProfile.engine);
      const dstProvider = await providerFor(dstProfile.engine);
      this.providers = [srcProvider, dstProvider];
      this.source = srcProvider.source(srcProfile, ctx);
      this.destination = dstProvider.destination(dstProfile, ctx);
      if (record.type === 'continuous' && !srcProvider.capabilities.cdc) {
        throw new Error(`the ${srcProfile.engine} provider cannot capture changes yet: use type: one-time`);
      }
      if (record.type === 'continuous') this.retained = new RetainedLogProbe(this.source, ctx.logger);
      const prechecked = this.deps.catalogs?.takeChecked(srcProfile, dstProfile, endsCheck(record, record.databases));
      if (prechecked) {
        this.deps.logger.debug('prerequisites checked by the plan moments ago', { job: record.name });
      } else {
        await this.withRetry('prerequisites', () =>
          timed(this.deps.logger, 'prerequisites', { job: record.name }, () => this.checkPrerequisites()),
        );
      }
      runtime.status = 'RUNNING';
      this.updateSubstatus();
      // moments after STARTING was written, the first claim writes RUNNING with its databases
      if (prechecked) this.progress.touch();
      else await this.progress.flush();

      await this.supervise();

      runtime.status = 'COMPLETED';
      runtime.substatus = null;
      runtime.endedAt = clock().toISOString();
      runtime.workerId = null;
      runtime.error = null;
      for (const db of this.ownDatabases()) db.workerId = null;
      await this.progress.final();
    } catch (err) {
      const reason = this.abort.signal.reason;
      if (reason instanceof StopSignal) {
        if (reason.reason === 'stop') {
          runtime.status = 'STOPPED';
          runtime.substatus = this.phase();
          for (const db of runtime.databases) if (db.migrationState === 'READY_TO_COMPLETE') db.migrationState = 'CDC';
        }
        runtime.workerId = null;
        for (const db of this.ownDatabases()) {
          db.workerId = null;
          for (const t of db.tables) if (t.state === 'LOADING') t.state = 'QUEUED';
        }
        await this.progress.final();
        return;
      }
      const message = describeError(err);
      const code = errorCode(err);
      this.errorsSeen++;
      this.deps.logger.error('job failed', { job: record.name, error: message, ...(code ? { code } : {}) });
      runtime.substatus = this.phase();
      runtime.status = 'FAILED';
      runtime.error = { message, at: clock().toISOString(), phase: runtime.substatus, fatal: true, ...(code ? { code } : {}) };
      runtime.endedAt = clock().toISOString();
      runtime.workerId = null;
      for (const db of this.ownDatabases()) {
        db.workerId = null;
        if (db.migrationState !== 'COMPLETED') db.migrationState = 'FAILED';
      }
      await this.progress.final();
    } finally {
      for (const r of this.running.values()) r.abort.abort(new StopSignal('shutdown'));
      await Promise.all([...this.running.values()].map((r) => r.done));
      await Promise.all(this.leaving.values());
      await this.source?.close().catch(() => undefined);
      await this.destination?.close().catch(() => undefined);
    }
  }

  private async checkPrerequisites(): Promise<void> {
    const record = this.deps.currentRecord();
    // a side that cannot even be asked (connection refused, bad password) throws: its error keeps its code
    const [src, dst] = await Promise.all([
      this.source.checkPrerequisites({
        databases: record.databases.map((d) => d.name),
        continuous: record.type === 'continuous',
      }),
      this.destination.checkPrerequisites({ databases: record.databases.map((d) => d.target) }),
    ]);
    const diags = [...src, ...dst].filter((d) => d.severity === 'error');
    if (diags.length) throw new PrerequisiteError(diags);
  }

  /** The report's entries of the databases this runner serves. */
  private ownDatabases(): DatabaseProgress[] {
    return this.runtime.databases.filter((d) => this.running.has(d.name));
  }

  /**
   * Start, watch and reconcile database pipelines until all the job's
   * databases are done — those run here and those other workers run — or we
   * are interrupted. Databases nobody serves are claimed up to this
   * runner's share, the largest first.
   */
  private async supervise(): Promise<void> {
    for (;;) {
      if (this.abort.signal.aborted) throw this.abort.signal.reason;
      if (this.progress.storedStatus() === 'FAILED') {
        // another worker failed the job: its word stands, ours would only repeat it
        this.deps.logger.info('the job failed on another worker; letting its databases go', { job: this.record.name });
        this.interrupt('shutdown');
        throw this.abort.signal.reason;
      }
      const record = this.deps.currentRecord();
      const wanted = new Map(record.databases.map((d) => [d.name, d]));
      for (const [name, r] of this.running) {
        if (r.failure) throw r.failure;
        if (!wanted.has(name)) await this.removeDatabase(name, r);
      }
      const unclaimed = record.databases.filter((db) => !this.running.has(db.name) && !this.leaving.has(db.name));
      // sizes order the databases: one alone needs no order
      if (record.databases.length > 1 && unclaimed.some((db) => !this.sizes.has(db.name))) {
        await this.readSizes(unclaimed.map((db) => db.name));
      }
      if (unclaimed.length) await this.claim(unclaimed, record.databases.length);
      const state = (name: string) => this.runtime.databases.find((d) => d.name === name)?.migrationState;
      if (record.databases.every((db) => state(db.name) === 'COMPLETED')) {
        // every pipeline of ours has ended (a completed database's pipeline returns at once)
        await Promise.all([...this.running.values()].map((r) => r.done));
        return;
      }
      this.updateSubstatus();
      this.progress.touch();
      this.budget.refresh(); // a parallelism change applies in place
      this.retained?.poll(
        this.deps.clock().getTime(),
        new Map([...this.running.keys()].map((name) => [name, artifactName(this.record.name, name, this.state.lineage)])),
      );
      // wake at once when a database pipeline ends, else re-check the record twice a second
      const live = [...this.running.values()].filter((r) => !r.ended);
      await sleep(500, this.abort.signal, live.length ? Promise.race(live.map((r) => r.done)) : undefined);
    }
  }

  /**
   * Claim databases nobody serves, up to our share of the job (databases
   * completed do not count), the largest first; then start their pipelines
   * from what their previous worker reported.
   */
  private async claim(unclaimed: DatabaseRecord[], total: number): Promise<void> {
    const active = [...this.running.values()].filter((r) => r.pipeline.progress.migrationState !== 'COMPLETED').length;
    const room = this.deps.claims.share(total) - active;
    const now = this.deps.clock().getTime();
    if (this.lastOverflow === Number.NEGATIVE_INFINITY) this.lastOverflow = now;
    // now and then, whatever is still unserved is ours (the holders of the others keep them)
    const overflow = now - this.lastOverflow >= this.deps.claims.patienceMs;
    if (overflow) this.lastOverflow = now;
    if (room <= 0 && !overflow) return;
    const ordered = [...unclaimed].sort((a, b) => (this.sizes.get(b.name) ?? 0) - (this.sizes.get(a.name) ?? 0));
    // in rounds of what is still missing: a database another worker holds makes room for the next one
    const want = overflow ? ordered.length : room;
    const got: DatabaseRecord[] = [];
    for (let i = 0; got.length < want && i < ordered.length;) {
      const round = ordered.slice(i, i + want - got.length);
      i += round.length;
      const won = await Promise.all(round.map((db) => this.deps.claims.claim(db.name)));
      got.push(...round.filter((_, k) => won[k]));
    }
    if (!got.length) return;
    // the latest report of these databases (their previous worker's last word), before we write them
    await this.progress.flush();
    for (const db of got) this.startDatabase(db);
    this.progress.touch();
  }

  /**
   * Our lease of `name` was lost (another worker may hold it now): stop its
   * pipeline and write its entry no more.
   */
  lost(name: string): void {
    const r = this.running.get(name);
    if (!r) return;
    this.running.delete(name);
    r.abort.abort(new StopSignal('shutdown'));
    const done = r.done.finally(() => {
      this.leaving.delete(name);
      this.deps.logger.info('database released', { job: this.record.name, database: name, worker: this.deps.workerId });
    });
    this.leaving.set(name, done);
  }

  /** The databases whose lease this runner holds. */
  databases(): string[] {
    return [...this.running.keys()];
  }

  /** Database sizes for ordering; unknown sizes (e.g. no permission) order as 0 and are named in the log. */
  private async readSizes(databases: string[]): Promise<void> {
    try {
      for (const [name, bytes] of await this.source.estimateSizes(databases)) this.sizes.set(name, bytes);
    } catch (err) {
      this.deps.logger.warn('cannot read source database sizes; databases start in declaration order', {
        job: this.record.name,
        error: describeError(err),
      });
    }
    for (const name of databases) if (!this.sizes.has(name)) this.sizes.set(name, 0);
  }

  private startDatabase(db: DatabaseRecord): void {
    const abort = new AbortController();
    if (this.abort.signal.aborted) abort.abort(this.abort.signal.reason);
    const dbp = this.progress.database(db.name, db.target);
    if (dbp.migrationState === 'REMOVED') dbp.migrationState = 'NOT_STARTED';
    dbp.workerId = this.deps.workerId;
    this.served.add(db.name);
    const pipeline = new DatabasePipeline(db, dbp, {
      job: this.record.name,
      generation: this.record.generation,
      source: this.source,
      destination: this.destination,
      progress: this.progress,
      // every line of the pipeline (and of its dump) names its job and database
      logger: withFields(this.deps.logger, { job: this.record.name, database: db.name }),
      clock: this.deps.clock,
      budget: this.budget,
      sizeHint: this.sizes.get(db.name) ?? 0,
      rangeBytes: this.deps.rangeBytes,
      artifact: artifactName(this.record.name, db.name, this.state.lineage),
      wipe: this.wipe,
      signal: abort.signal,
      currentRecord: this.deps.currentRecord,
      onHealthy: () => this.clearRetry(db.name),
      onDestinationWrite: () => {
        this.runtime.destinationWritten = true;
      },
      introspect: (database, selection) => {
        const cached = this.deps.catalogs?.take(this.srcProfile, database, selection);
        return cached ? Promise.resolve(cached) : this.source.introspect(database, selection);
      },
      onTableError: (table, err) => {
        this.errorsSeen++;
        this.tableErrors.set(`${db.name}: ${table}`, err);
        this.runtime.status = 'RUNNING_WITH_ERRORS';
        this.runtime.error = {
          message: `${db.name}: ${table}: ${err.message} (table held back; the others continue)`,
          at: this.progress.now(),
          phase: this.phase(),
          fatal: false,
        };
        dbp.error = this.runtime.error;
        this.progress.touch();
      },
    });
    const entry: RunningDatabase = { pipeline, abort, failure: null, ended: false, done: Promise.resolve() };
    entry.done = this.withRetry(db.name, () => pipeline.run(), abort.signal)
      .catch((err: Error) => {
        if (!abort.signal.aborted) entry.failure = err;
      })
      .finally(() => {
        entry.ended = true;
      });
    this.running.set(db.name, entry);
  }

  private async removeDatabase(name: string, r: RunningDatabase): Promise<void> {
    r.abort.abort(new StopSignal('shutdown'));
    await r.done;
    if (this.record.type === 'continuous') {
      await this.source.dropArtifacts(name, artifactName(this.record.name, name, this.state.lineage)).catch((err: Error) =>
        this.deps.logger.warn('could not drop source artifacts of a removed database', {
          database: name,
          error: describeError(err),
        }),
      );
    }
    const dbp = this.runtime.databases.find((d) => d.name === name);
    if (dbp) {
      dbp.migrationState = 'REMOVED';
      dbp.workerId = null;
      dbp.error = null;
    }
    // written while still ours; the lease goes with the runner
    await this.progress.flush();
    this.running.delete(name);
  }

  /**
   * How a failure is handled: `transient` (connection lost, server
   * restarting) and `configuration` (a credential, privilege or setting to
   * fix) are retried with backoff while the job shows Running with errors —
   * the job goes on by itself once the cause is gone; anything else fails it.
   * Several failures at once are as bad as the worst of them.
   */
  private classify(err: unknown): 'transient' | 'configuration' | 'fatal' {
    const kinds = leafErrors(err).map((e) => {
      if (e instanceof PrerequisiteError) return 'configuration';
      if (this.providers.some((p) => p.isTransientError(e))) return 'transient';
      if (this.providers.some((p) => p.isConfigurationError(e))) return 'configuration';
      return 'fatal';
    });
    if (kinds.includes('fatal')) return 'fatal';
    return kinds.includes('configuration') ? 'configuration' : 'transient';
  }

  /** Run `fn`, retrying transient and configuration failures with backoff while reporting Running with errors. */
  private async withRetry(key: string, fn: () => Promise<void>, signal: AbortSignal = this.abort.signal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const began = this.deps.clock().getTime();
      try {
        await fn();
        this.clearRetry(key);
        return;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const kind = this.classify(err);
        if (kind === 'fatal') throw err;
        this.errorsSeen++;
        // a failure after a good long run starts the backoff over
        if (this.deps.clock().getTime() - began > HEALTHY_RUN_MS) attempt = 0;
        const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 30_000;
        const message = describeError(err);
        const code = errorCode(err);
        this.deps.logger.warn(
          kind === 'transient' ? 'transient failure, retrying' : 'waiting for a setting or credential to be fixed',
          {
            job: this.record.name,
            scope: key,
            error: message,
            ...(code ? { code } : {}),
            retryInMs: wait,
          },
        );
        this.retrying.set(key, err as Error);
        const dbp = this.runtime.databases.find((d) => d.name === key && this.running.has(key));
        this.runtime.status =
          this.runtime.status === 'STARTING' || this.runtime.status === 'RESTARTING'
            ? this.runtime.status
            : 'RUNNING_WITH_ERRORS';
        this.runtime.error = {
          message: `${key}: ${message} (retrying in ${wait / 1000}s)`,
          at: this.progress.now(),
          phase: this.phase(),
          fatal: false,
          retry: kind,
          ...(code ? { code } : {}),
        };
        if (dbp) dbp.error = this.runtime.error;
        await this.progress.flush();
        await sleep(wait, signal);
      }
    }
  }

  private clearRetry(key: string): void {
    const dbp = this.runtime.databases.find((d) => d.name === key && this.running.has(key));
    if (dbp?.error && ![...this.tableErrors.keys()].some((k) => k.startsWith(`${key}: `))) dbp.error = null;
    if (!this.retrying.delete(key) || this.retrying.size || this.tableErrors.size) return;
    if (this.runtime.status === 'RUNNING_WITH_ERRORS') this.runtime.status = 'RUNNING';
    this.runtime.error = null;
    this.progress.touch();
  }

  private updateSubstatus(): void {
    const phase = this.phase();
    if (this.runtime.substatus !== phase) this.runtime.substatus = phase;
  }

  private phase(): Substatus {
    const record = this.deps.currentRecord();
    const states = this.runtime.databases
      .filter((d) => record.databases.some((x) => x.name === d.name))
      .map((d) => d.migrationState);
    if (states.some((s) => s === 'FULL_DUMP' || s === 'NOT_STARTED') || !states.length) return 'FULL_DUMP';
    if (record.desiredState === 'promoted') return 'PROMOTE_IN_PROGRESS';
    return 'CDC';
  }

  private profile(name: string) {
    const p = this.state.profiles[name];
    if (!p) throw new Error(`profile ${name} is not in the recorded state`);
    return resolveProfile(name, p);
  }
}

/** Wait `ms`, or less when `signal` aborts or `early` settles. */
function sleep(ms: number, signal: AbortSignal, early?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    early?.then(done, done);
  });
}
