import type { DestinationProvider, SourceProvider } from '../../providers/provider.js';
import { providerFor } from '../../providers/provider-registry.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { StateBackend } from '../../state/state-backend.js';
import type { DatabaseRecord, JobRecord, StateDocument } from '../../state/state-document.js';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';
import type { Substatus } from '../lifecycle/job-status.js';
import type { Clock } from './clock.js';
import { runFullDump } from './full-dump.js';
import type { Logger } from './logger.js';
import { resolveParallelism } from './parallelism.js';
import { ProgressReporter } from './progress-reporter.js';
import { resolveProfile } from './resolve-profile.js';

/** Why a runner was interrupted: a user stop, or our own shutdown (the job stays claimable). */
export type StopReason = 'stop' | 'shutdown';

export interface JobRunnerDeps {
  backend: StateBackend;
  workerId: string;
  logger: Logger;
  clock: Clock;
  /** Range size for splitting large tables (bytes). */
  rangeBytes: number;
  /** The current record (re-read by the worker; parallelism changes apply live). */
  currentRecord: () => JobRecord;
}

class StopSignal extends Error {
  constructor(readonly reason: StopReason) {
    super(`job interrupted (${reason})`);
  }
}

/**
 * Drives one job generation to its desired state: prepare → schema → full
 * dump → post-data → (CDC) → completed. One runner per job per worker, under
 * the worker's lease.
 */
export class JobRunner {
  private readonly abort = new AbortController();
  private phase: Substatus = 'FULL_DUMP';

  constructor(
    private readonly state: StateDocument,
    private readonly record: JobRecord,
    private readonly deps: JobRunnerDeps,
  ) {}

  /** Interrupt the running work; `run()` then settles with the matching status. */
  interrupt(reason: StopReason): void {
    if (!this.abort.signal.aborted) this.abort.abort(new StopSignal(reason));
  }

  async run(): Promise<void> {
    const { backend, clock } = this.deps;
    const record = this.record;
    const prior = await backend.readRuntime(record.name);
    const restart = prior !== null && prior.generation > 0 && prior.generation < record.generation;
    const fresh = !prior || prior.generation < record.generation;
    const runtime: JobRuntime = fresh
      ? {
          job: record.name,
          generation: record.generation,
          status: restart ? 'RESTARTING' : 'STARTING',
          substatus: null,
          startedAt: clock().toISOString(),
          endedAt: null,
          error: null,
          workerId: this.deps.workerId,
          updatedAt: clock().toISOString(),
          databases: [],
        }
      : { ...prior, workerId: this.deps.workerId };
    const progress = new ProgressReporter(runtime, backend, clock);

    if (!fresh && (runtime.status === 'COMPLETED' || runtime.status === 'FAILED')) return;
    if (record.desiredState === 'stopped') {
      if (runtime.status !== 'STOPPED') {
        runtime.status = 'STOPPED';
        runtime.substatus = runtime.substatus ?? 'FULL_DUMP';
      }
      runtime.workerId = null;
      await progress.flush();
      return;
    }
    await progress.flush();

    let source: SourceProvider | null = null;
    let destination: DestinationProvider | null = null;
    try {
      const ctx = { logger: this.deps.logger };
      const srcProfile = this.profile(record.source);
      const dstProfile = this.profile(record.destination);
      source = providerFor(srcProfile.engine).source(srcProfile, ctx);
      destination = providerFor(dstProfile.engine).destination(dstProfile, ctx);

      const diags = [
        ...(await source.checkPrerequisites({
          databases: record.databases.map((d) => d.name),
          continuous: record.type === 'continuous',
        })),
        ...(await destination.checkPrerequisites({ databases: record.databases.map((d) => d.target) })),
      ].filter((d) => d.severity === 'error');
      if (diags.length) throw new Error(`prerequisites failed:\n${diags.map(formatDiagnostic).join('\n')}`);

      runtime.status = 'RUNNING';
      runtime.substatus = 'FULL_DUMP';
      this.phase = 'FULL_DUMP';
      await progress.flush();

      for (const db of record.databases) {
        this.throwIfInterrupted();
        await this.migrateDatabase(db, source, destination, progress, restart);
      }
      if (record.type === 'continuous') {
        throw new Error('continuous jobs (CDC) are not supported yet by this build');
      }
      runtime.status = 'COMPLETED';
      runtime.substatus = null;
      runtime.endedAt = clock().toISOString();
      runtime.workerId = null;
      await progress.flush();
    } catch (err) {
      const reason = this.abort.signal.reason;
      if (reason instanceof StopSignal) {
        if (reason.reason === 'stop') {
          runtime.status = 'STOPPED';
          runtime.substatus = this.phase;
        }
        runtime.workerId = null;
        for (const db of runtime.databases) {
          for (const t of db.tables) if (t.state === 'LOADING') t.state = 'QUEUED';
        }
        await progress.flush();
        return;
      }
      const message = (err as Error).message;
      this.deps.logger.error('job failed', { job: record.name, error: message });
      runtime.status = 'FAILED';
      runtime.substatus = this.phase;
      runtime.error = { message, at: clock().toISOString(), phase: this.phase, fatal: true };
      runtime.endedAt = clock().toISOString();
      runtime.workerId = null;
      for (const db of runtime.databases) if (db.migrationState !== 'COMPLETED') db.migrationState = 'FAILED';
      await progress.flush();
    } finally {
      await source?.close().catch(() => undefined);
      await destination?.close().catch(() => undefined);
    }
  }

  private async migrateDatabase(
    db: DatabaseRecord,
    source: SourceProvider,
    destination: DestinationProvider,
    progress: ProgressReporter,
    restart: boolean,
  ): Promise<void> {
    const { record } = this;
    const dbp = progress.database(db.name, db.target);
    if (dbp.migrationState === 'COMPLETED') return;
    dbp.migrationState = 'FULL_DUMP';
    dbp.startedOn = dbp.startedOn ?? progress.now();
    await progress.flush();

    await destination.prepareDatabase(db.target, restart ? 'wipe' : 'create-if-missing');
    const catalog = await source.introspect(db.name, db.tables);
    const loaded = await destination.loadedTables(db.target, record.name, record.generation);
    if (loaded.size === 0) {
      const busy = await destination.nonEmptyTables(db.target, catalog.tables.filter((t) => t.kind !== 'partitioned'));
      if (busy.length) {
        throw new Error(
          `destination database "${db.target}" already holds rows in ${busy.map((t) => `${t.schema}.${t.name}`).join(', ')}; ` +
            'migrate into empty tables (drop or empty them first), or restart the job to wipe the destination database',
        );
      }
    }
    for (const t of catalog.tables) if (t.kind !== 'partitioned') progress.table(dbp, `${t.schema}.${t.name}`);
    await destination.createSchema(db.target, catalog, 'pre-data');
    this.throwIfInterrupted();

    const snapshot = await source.openSnapshot({
      database: db.name,
      artifactName: `migrate_${record.name.replace(/-/g, '_')}`,
      cdc: record.type === 'continuous',
      tables: catalog.tables,
    });
    try {
      await runFullDump({
        job: record.name,
        generation: record.generation,
        target: db.target,
        catalog,
        source,
        snapshot,
        destination,
        loaded,
        parallelism: () => resolveParallelism(this.deps.currentRecord().parallelism),
        rangeBytes: this.deps.rangeBytes,
        progress,
        db: dbp,
        signal: this.abort.signal,
        logger: this.deps.logger,
      });
    } finally {
      await snapshot.close();
    }
    this.throwIfInterrupted();
    await destination.createSchema(db.target, catalog, 'post-data', {
      parallelism: resolveParallelism(this.deps.currentRecord().parallelism),
    });
    const seqs = await source.readSequences(db.name, catalog.sequences);
    await destination.setSequences(db.target, seqs);
    dbp.migrationState = 'COMPLETED';
    dbp.endedOn = progress.now();
    await progress.flush();
  }

  private profile(name: string) {
    const p = this.state.profiles[name];
    if (!p) throw new Error(`profile ${name} is not in the recorded state`);
    return resolveProfile(name, p);
  }

  private throwIfInterrupted(): void {
    if (this.abort.signal.aborted) throw this.abort.signal.reason;
  }
}
