import type { Catalog, QualifiedName, TableDef } from '../../providers/catalog.js';
import { cascadingActions, qualifiedKey } from '../../providers/catalog.js';
import type { ChangeEvent, ChangeRelation } from '../../providers/change-event.js';
import type {
  ApplyCounts,
  ApplySession,
  ChangeStream,
  DestinationProvider,
  LoadResult,
  SourceProvider,
  SourceSnapshot,
} from '../../providers/provider.js';
import type { DatabaseProgress } from '../../state/job-runtime.js';
import type { DatabaseRecord, JobRecord } from '../../state/state-document.js';
import type { SchemaSettings } from '../config/declaration.js';
import { sameValue } from '../plan/config-diff.js';
import { schemaSettings } from '../plan/planner.js';
import { verifyDatabases } from '../verify/verify-job.js';
import type { Clock } from './clock.js';
import { runFullDump } from './full-dump.js';
import type { Logger } from './logger.js';
import { combineErrors, describeError } from './combine-errors.js';
import { notMigratedOf, PrerequisiteError } from './job-prerequisites.js';
import { resolveParallelism } from './parallelism.js';
import { timed } from './timed.js';
import { TIER, type WorkBudget } from './work-budget.js';
import type { ProgressReporter } from './progress-reporter.js';

export interface PipelineDeps {
  job: string;
  generation: number;
  source: SourceProvider;
  destination: DestinationProvider;
  progress: ProgressReporter;
  logger: Logger;
  clock: Clock;
  /** The job's slots, shared by all its databases: every schema step, copy and index build holds one. */
  budget: WorkBudget;
  /** Estimated size of the source database (bytes): larger databases are opened first. */
  sizeHint: number;
  /** Split size of large tables; absent: the destination's preference. */
  rangeBytes: number | undefined;
  artifact: string;
  /** Wipe the destination database before the first load (restart). */
  wipe: boolean;
  signal: AbortSignal;
  currentRecord: () => JobRecord;
  /** Change-stream batch size (events). */
  batchEvents?: number;
  /** The stream works end to end again (clears Running with errors). */
  onHealthy?: () => void;
  /** A table was held back after the destination rejected its changes. */
  onTableError?: (table: string, err: Error) => void;
  /** About to write schema or rows at the destination (until then a restart has nothing to wipe); flushed with the next progress write. */
  onDestinationWrite?: () => void;
  /** How the database is first introspected (default: the source's introspect; apply reuses its plan's catalogs). */
  introspect?: (database: string, selection: DatabaseRecord['tables']) => Promise<Catalog>;
}

/** Leaf tables hold the rows; partitioned parents only route them. */
const dataTables = (c: Catalog) => c.tables.filter((t) => t.kind !== 'partitioned');
const rootTables = (c: Catalog): TableDef[] => c.tables.filter((t) => t.partitionOf === null);
const sum = (tables: TableDef[]): number => tables.reduce((n, t) => n + t.estimatedBytes, 0);

/** The source now has full row identity on `tables` (we set it): the destination gets the same. */
function markFullIdentity(catalog: Catalog, tables: readonly QualifiedName[]): void {
  const keys = new Set(tables.map(qualifiedKey));
  for (const t of catalog.tables) if (keys.has(qualifiedKey(t))) t.replicaIdentity = 'full';
}

/** Like Promise.all, but waits for every promise and reports every failure (none keeps running unobserved). */
async function settledAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  // one failure seen through two promises (a step and one derived from it) is reported once
  const failures = [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])))];
  if (failures.length) throw combineErrors(failures, 'steps');
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Where a dump stands once its database is open: tables already loaded, and the snapshot to read the rest in. */
interface OpenedDump {
  loaded: Map<string, LoadResult & { syncPosition: string | null }>;
  snapshot: SourceSnapshot | null;
}

/**
 * One database of a job: full dump, then (continuous jobs) change capture
 * until promote. Safe to run again after any interruption: finished tables
 * are skipped, the stream resumes from the destination's checkpoint, and
 * tables loaded from a later snapshot skip the changes that snapshot holds.
 * Every step that reads or writes in bulk is a unit of the job's work
 * budget, so many databases share the job's parallelism.
 */
export class DatabasePipeline {
  private selection: DatabaseRecord['tables'];
  private catalog: Catalog | null = null;
  /** Table key → position its rows were read at (changes before it are already in the table). */
  private syncPositions = new Map<string, string | null>();
  private promoteTarget: string | null = null;
  /** Final position of the source transaction whose changes are being read. */
  private finalPosition: string | null = null;
  /** Tables whose changes the destination rejected; skipped until re-added to the selection. */
  private readonly quarantined = new Set<string>();

  constructor(
    private readonly db: DatabaseRecord,
    private readonly p: DatabaseProgress,
    private readonly deps: PipelineDeps,
  ) {
    this.selection = db.tables;
  }

  get progress(): DatabaseProgress {
    return this.p;
  }

  private get continuous(): boolean {
    return this.deps.currentRecord().type === 'continuous';
  }

  /** Run until the database is migrated (one-time), promoted (continuous), or interrupted. */
  async run(): Promise<void> {
    if (this.p.migrationState === 'COMPLETED') return;
    if (this.p.migrationState !== 'CDC' && this.p.migrationState !== 'READY_TO_COMPLETE') await this.fullDump();
    if (!this.continuous) {
      await this.unit(TIER.open, 0, () => this.finishOneTime());
      return;
    }
    await this.stream();
  }

  /** One unit of the job's work budget. */
  private unit<T>(tier: number, size: number, fn: () => Promise<T>): Promise<T> {
    return this.deps.budget.run({ tier, size }, fn, this.deps.signal);
  }

  private async fullDump(): Promise<void> {
    const { destination, progress, job, generation } = this.deps;
    // the database's turn comes when no opened database has work waiting (largest first)
    const { catalog, opened } = await this.unit(TIER.next, this.deps.sizeHint, () => this.open());
    const built = await this.dumpTables(catalog, dataTables(catalog), opened);
    await this.postData(catalog, dataTables(catalog), built);
    const loaded = await destination.loadedTables(this.db.target, job, generation);
    this.syncPositions = new Map([...loaded].map(([k, v]) => [k, v.syncPosition]));
    if (this.continuous) {
      this.p.migrationState = 'CDC';
      await progress.flush();
    }
  }

  /** Prepare the destination database, read the catalog, create the pre-data, open the snapshot. */
  private async open(): Promise<{ catalog: Catalog; opened: OpenedDump }> {
    const { source, destination, progress } = this.deps;
    this.deps.logger.debug('database opening', { database: this.db.name, sizeBytes: this.deps.sizeHint });
    const firstAttempt = this.p.migrationState === 'NOT_STARTED';
    const step = <T>(name: string, fn: () => Promise<T>) => timed(this.deps.logger, name, { database: this.db.name }, fn);
    const introspected = step('introspect', () =>
      (this.deps.introspect ?? source.introspect.bind(source))(this.db.name, this.selection),
    );
    // a one-time job's first snapshot holds no replication slot and writes nothing: the source opens it
    // while the destination is prepared (nothing is loaded yet, so every table is read)
    const early =
      firstAttempt && !this.continuous
        ? introspected.then((c) =>
            dataTables(c).length ? step('open snapshot', () => this.openSnapshot(c, dataTables(c).length)) : null,
          )
        : null;
    early?.catch(() => undefined); // observed below; a failure elsewhere first must not leave it unhandled
    let handedOn = false;
    try {
      // the two ends are independent until the catalog is checked against the destination; roles and
      // extensions are checked on the destination's control database, not in the target
      const [catalog, , fit] = await settledAll([
        introspected,
        step('prepare destination database', () =>
          destination.prepareDatabase(this.db.target, firstAttempt && this.deps.wipe ? 'wipe' : 'create-if-missing'),
        ),
        introspected.then((c) => destination.checkCatalog(this.db.target, c, this.schemaSettings())),
      ]);
      this.catalog = catalog;
      const tables = dataTables(catalog);
      const [busy, keyless] = await settledAll([
        firstAttempt ? destination.nonEmptyTables(this.db.target, tables) : Promise.resolve([]),
        this.continuous ? source.tablesWithoutKey(this.db.name, tables) : Promise.resolve([]),
      ]);
      // a role or extension the destination lacks is fixed by a person: retried, not failed
      if (fit.some((d) => d.severity === 'error')) throw new PrerequisiteError(fit.filter((d) => d.severity === 'error'));
      if (busy.length) {
        throw new Error(
          `destination database "${this.db.target}" already holds rows in ${busy.map(qualifiedKey).join(', ')}; ` +
            'migrate into empty tables (drop or empty them first), or restart the job to wipe the destination database',
        );
      }
      this.p.migrationState = 'FULL_DUMP';
      this.p.startedOn ??= progress.now();
      this.p.notMigrated = notMigratedOf(destination, catalog, this.schemaSettings());
      for (const t of tables) progress.table(this.p, qualifiedKey(t));
      // recorded before the first write: a restart then knows there is something to wipe
      this.deps.onDestinationWrite?.();
      await progress.flush();
      if (keyless.length) {
        this.deps.logger.warn('source tables without a primary key: their updates and deletes are matched by the whole row', {
          database: this.db.name,
          tables: keyless.map(qualifiedKey).join(', '),
        });
        await source.enableFullRowIdentity(this.db.name, keyless);
        markFullIdentity(catalog, keyless);
      }
      // the destination's schema and the source's snapshot do not wait for each other; the connections of
      // the copies that can start at once open meanwhile (this unit's slot and the free ones)
      destination
        .openLoadConnections?.(this.db.target, Math.min(tables.length, this.deps.budget.free + 1))
        ?.catch(() => undefined);
      const [preData, dump] = await Promise.allSettled([
        step('pre-data', () => destination.createSchema(this.db.target, catalog, 'pre-data', this.schemaSettings())),
        early
          ? early.then((snapshot) => {
              handedOn = true;
              return this.withLoaded(tables, snapshot);
            })
          : step('open snapshot', () => this.openDump(catalog, tables)),
      ]);
      if (preData.status === 'rejected') {
        // the snapshot is of no use without the schema; its connections must not outlive this attempt
        if (dump.status === 'fulfilled') await dump.value.snapshot?.close();
        throw combineErrors([preData.reason as Error, ...(dump.status === 'rejected' ? [dump.reason as Error] : [])], 'steps');
      }
      if (dump.status === 'rejected') throw dump.reason;
      return { catalog, opened: dump.value };
    } catch (err) {
      // an early snapshot not handed on is closed here (withLoaded closes the one it does not need)
      if (early && !handedOn)
        await early.then(
          (s) => s?.close(),
          () => undefined,
        );
      throw err;
    }
  }

  /** Which of `tables` are loaded already, and (unless all are) a snapshot to read the others in. */
  private async openDump(catalog: Catalog, tables: TableDef[]): Promise<OpenedDump> {
    const loaded = await this.loadedOf(tables);
    if (tables.every((t) => loaded.has(qualifiedKey(t)))) return { loaded, snapshot: null };
    const pending = tables.filter((t) => !loaded.has(qualifiedKey(t))).length;
    return { loaded, snapshot: await this.openSnapshot(catalog, pending) };
  }

  /** An early snapshot with what is loaded already (closed if that is every table). */
  private async withLoaded(tables: TableDef[], snapshot: SourceSnapshot | null): Promise<OpenedDump> {
    if (!snapshot) return { loaded: await this.loadedOf(tables), snapshot: null };
    let loaded;
    try {
      loaded = await this.loadedOf(tables);
    } catch (err) {
      await snapshot.close();
      throw err;
    }
    if (!tables.every((t) => loaded.has(qualifiedKey(t)))) return { loaded, snapshot };
    await snapshot.close();
    return { loaded, snapshot: null };
  }

  /** The tables of this job's generation loaded at the destination (less those a cascade makes read again). */
  private async loadedOf(tables: TableDef[]): Promise<OpenedDump['loaded']> {
    const { source, destination, job, generation } = this.deps;
    const loaded = await destination.loadedTables(this.db.target, job, generation);
    if (source.changesOmitCascades) {
      for (const t of cascadeRereads(tables, loaded)) {
        this.deps.logger.info('read again with the tables it cascades from (its log leaves out cascaded rows)', {
          database: this.db.name,
          table: qualifiedKey(t),
        });
        loaded.delete(qualifiedKey(t));
      }
    }
    return loaded;
  }

  private openSnapshot(catalog: Catalog, pending: number): Promise<SourceSnapshot> {
    return this.deps.source.openSnapshot({
      database: this.db.name,
      artifactName: this.deps.artifact,
      cdc: this.continuous,
      tables: rootTables(catalog),
      // the first copies start at once: their readers connect with the snapshot
      readers: Math.min(pending, resolveParallelism(this.deps.currentRecord().parallelism)),
    });
  }

  /**
   * Dump `tables` (skipping loaded ones) inside the opened snapshot, then
   * release it; returns the tables whose own post-data got built. Must be
   * called in the continuation of the unit that opened the dump: its copies
   * are queued before the budget hands that unit's slot on.
   */
  private async dumpTables(catalog: Catalog, tables: TableDef[], opened: OpenedDump): Promise<Set<string>> {
    const built = new Set<string>();
    const { snapshot, loaded } = opened;
    if (!snapshot) {
      for (const t of tables) this.markLoaded(t, loaded.get(qualifiedKey(t)));
      return built;
    }
    try {
      await runFullDump({
        job: this.deps.job,
        generation: this.deps.generation,
        target: this.db.target,
        catalog: { ...catalog, tables },
        source: this.deps.source,
        snapshot,
        destination: this.deps.destination,
        loaded,
        built,
        budget: this.deps.budget,
        rangeBytes: this.deps.rangeBytes,
        progress: this.deps.progress,
        db: this.p,
        signal: this.deps.signal,
        logger: this.deps.logger,
      });
    } finally {
      await snapshot.close();
    }
    return built;
  }

  private markLoaded(t: QualifiedName, r: { rows: number; bytes: number } | undefined): void {
    const tp = this.deps.progress.table(this.p, qualifiedKey(t));
    tp.state = 'COMPLETED';
    if (r) {
      tp.fullLoadTotalRows = r.rows;
      tp.fullLoadTotalVolumeBytes = r.bytes;
    }
  }

  /**
   * The own post-data of every root table among `tables` not built yet
   * (partition trees, and tables loaded by an earlier run), in parallel
   * units; then what needs them all (foreign keys, triggers, grants…).
   */
  private async postData(catalog: Catalog, tables: TableDef[], built: ReadonlySet<string>): Promise<void> {
    const { destination } = this.deps;
    const byKey = new Map(catalog.tables.map((t) => [qualifiedKey(t), t]));
    const rootOf = (t: TableDef): TableDef => {
      const parent = t.partitionOf ? byKey.get(qualifiedKey(t.partitionOf)) : undefined;
      return parent ? rootOf(parent) : t;
    };
    const trees = new Map<string, { root: TableDef; bytes: number }>();
    for (const t of tables) {
      const root = rootOf(t);
      if (built.has(qualifiedKey(root))) continue;
      const tree = trees.get(qualifiedKey(root)) ?? { root, bytes: 0 };
      tree.bytes += t.estimatedBytes;
      trees.set(qualifiedKey(root), tree);
    }
    const results = await Promise.allSettled(
      [...trees.values()].map(({ root, bytes }) =>
        this.unit(TIER.open, bytes / 4, () => destination.createTablePostData(this.db.target, catalog, root)),
      ),
    );
    if (this.deps.signal.aborted) throw this.deps.signal.reason;
    // one failure seen through two promises (a step and one derived from it) is reported once
    const failures = [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])))];
    if (failures.length) throw combineErrors(failures, 'index and constraint builds');
    await this.unit(TIER.open, 0, () =>
      timed(this.deps.logger, 'post-data', { database: this.db.name }, () =>
        destination.createSchema(this.db.target, catalog, 'post-data', this.schemaSettings()),
      ),
    );
  }

  private async finishOneTime(): Promise<void> {
    const catalog = this.catalog ?? (await this.deps.source.introspect(this.db.name, this.selection));
    await this.syncSequences(catalog);
    this.p.migrationState = 'COMPLETED';
    this.p.endedOn = this.deps.progress.now();
    await this.deps.progress.flush();
  }

  /** Sequences from the source's current values, then the destination's final touches. */
  private async syncSequences(catalog: Catalog): Promise<void> {
    const seqs = await this.deps.source.readSequences(this.db.name, catalog.sequences);
    await this.deps.destination.setSequences(this.db.target, catalog, seqs);
    await this.deps.destination.finalize(this.db.target, catalog, this.schemaSettings());
  }

  private schemaSettings(): SchemaSettings {
    return schemaSettings(this.deps.currentRecord());
  }

  /** The declared table selection of this database changed (mid-run). */
  private selectionChanged(): DatabaseRecord['tables'] | null {
    const now = this.deps.currentRecord().databases.find((d) => d.name === this.db.name);
    return now && !sameValue(now.tables, this.selection) ? now.tables : null;
  }

  private async stream(): Promise<void> {
    const { source, destination, progress, job, signal } = this.deps;
    const step = <T>(name: string, fn: () => Promise<T>) => timed(this.deps.logger, name, { database: this.db.name }, fn);
    // a resumed stream reads its catalog in a unit of the budget: many databases resuming at once share the job's connections
    const introspected = this.catalog
      ? Promise.resolve(this.catalog)
      : this.unit(TIER.open, 0, () => step('introspect', () => source.introspect(this.db.name, this.selection)));
    introspected.catch(() => undefined); // observed below, after what may fail first
    // no checkpoint yet: the stream starts where the change capture does (the snapshot the dump read)
    const checkpoint = () => destination.readCheckpoint(this.db.target, job, this.db.name);
    const [position, loaded] = await settledAll([
      checkpoint(),
      this.syncPositions.size ? Promise.resolve(null) : destination.loadedTables(this.db.target, job, this.deps.generation),
    ]);
    if (loaded) this.syncPositions = new Map([...loaded].map(([k, v]) => [k, v.syncPosition]));
    // the stream opens (connects, seeks its position) while the catalog is read
    const opening = step('open change stream', () =>
      source.streamChanges(this.db.name, this.deps.artifact, position, this.snapshotStart()),
    );
    opening.catch(() => undefined);
    try {
      this.catalog = await introspected;
    } catch (err) {
      await opening.then(
        (s) => s.close(),
        () => undefined,
      );
      throw err;
    }
    let stream: ChangeStream | null = await opening;
    if (loaded) {
      // selected tables never loaded: added while no worker ran, or a backfill cut short (kill -9) —
      // backfilled now, before the stream, like a table added while it runs
      const unloaded = new Set(
        dataTables(this.catalog)
          .map(qualifiedKey)
          .filter((k) => !loaded.has(k)),
      );
      if (unloaded.size && loaded.size) {
        this.deps.logger.info('backfilling selected tables that were never loaded', {
          database: this.db.name,
          tables: [...unloaded].join(', '),
        });
        await stream.close();
        stream = null;
        this.catalog = { ...this.catalog, tables: this.catalog.tables.filter((t) => !unloaded.has(qualifiedKey(t))) };
        await this.changeSelection(this.selection);
        stream = await source.streamChanges(this.db.name, this.deps.artifact, await checkpoint(), this.snapshotStart());
      }
    }
    let session: ApplySession | null = null;
    /**
     * The previous batch executing on the destination (apply, commit,
     * acknowledge). The next batch is read and prepared meanwhile, so the
     * destination does not wait for us to build its SQL.
     */
    let inflight: Promise<void> = Promise.resolve();
    const settle = async () => {
      const running = inflight;
      inflight = Promise.resolve();
      await running;
    };
    let lastCheck = 0;
    /** The source's head at the previous check (about a second ago). */
    let lastHead: string | null = null;
    /** The last batch ended inside a source transaction (its destination transaction is still open). */
    let midTransaction = false;
    const batchEvents = this.deps.batchEvents ?? 10_000;
    try {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const changed = this.selectionChanged();
        if (changed) await settle();
        // (re-read after settle: the batch that just finished may have left a large transaction open)
        if (changed && !(session as ApplySession | null)) {
          await stream.close();
          stream = null;
          await this.changeSelection(changed);
          stream = await source.streamChanges(this.db.name, this.deps.artifact, await checkpoint());
        }
        const promoting = !this.promoteTarget && this.deps.currentRecord().desiredState === 'promoted';
        if (promoting) await settle();
        if (promoting && !(session as ApplySession | null)) {
          this.promoteTarget = await source.currentPosition(this.db.name);
          this.deps.logger.info('promote: catching up', { database: this.db.name, target: this.promoteTarget });
        }

        // while the previous batch executes, let this one grow; once it is done, take what is complete
        const batch = await stream.read(batchEvents, 200, inflight);
        if (batch.events.length) {
          midTransaction = batch.partial;
          const heldBack = this.quarantined.size;
          const rows = this.keep(batch.events);
          this.p.incomingChanges += rows.length;
          // a table held back (its definition changed) shows in status before the others' changes go on
          if (this.quarantined.size > heldBack) await progress.flush();
          const prepared = rows.length ? await destination.prepareChanges(this.db.target, rows) : null;
          await settle();
          const live = stream;
          inflight = (async () => {
            session ??= await destination.beginApply(this.db.target);
            if (!batch.partial && batch.endPosition) {
              const checkpoint = { job, database: this.db.name, position: batch.endPosition };
              const counts = await session.commit(checkpoint, prepared);
              session = null;
              this.count(counts);
              live.acknowledge(batch.endPosition);
              if (batch.lastCommitTime)
                this.p.latencyMs = Math.max(0, this.deps.clock().getTime() - Date.parse(batch.lastCommitTime));
            } else if (prepared) this.count(await session.apply(prepared));
            progress.touch();
          })();
          // surfaced by the next settle(); never an unhandled rejection meanwhile
          inflight.catch(() => undefined);
        }
        const now = this.deps.clock().getTime();
        if (now - lastCheck > 1_000 || this.promoteTarget) {
          // promote compares what is applied with its target: wait for the batch in flight
          if (this.promoteTarget) await settle();
          if (midTransaction) continue; // inside a large transaction: check once it commits
          lastCheck = now;
          const processed = stream.processedPosition();
          const head = await source.currentPosition(this.db.name);
          // caught up: at the head, or past where the head was a check ago — under a steady write
          // load the head always moves on, but a backlog older than a second is gone
          const caughtUp =
            source.comparePositions(processed, head) >= 0 ||
            (lastHead !== null && source.comparePositions(processed, lastHead) >= 0);
          lastHead = head;
          // reading the source and applying both worked: any earlier transient error is over
          this.deps.onHealthy?.();
          if (!batch.events.length && caughtUp) this.p.latencyMs = 0;
          const state = caughtUp ? 'READY_TO_COMPLETE' : 'CDC';
          if (this.p.migrationState !== state) {
            this.p.migrationState = state;
            progress.touch();
          }
          if (this.promoteTarget && source.comparePositions(processed, this.promoteTarget) >= 0) break;
        }
      }
    } finally {
      // the batch in flight may fail too while another error ends the loop: log it, the other one is thrown
      await settle().catch((err: unknown) =>
        this.deps.logger.warn('the batch in flight failed as the stream stopped', {
          database: this.db.name,
          error: describeError(err),
        }),
      );
      await (session as ApplySession | null)?.rollback();
      await stream?.close();
    }
    await this.unit(TIER.open, 0, () => this.finishPromote());
  }

  /**
   * The row changes to apply: selected tables only, and for a table loaded
   * from a later snapshot only changes of transactions that snapshot does
   * not already hold. Tracks each transaction's final position across batches.
   */
  private keep(events: ChangeEvent[]): ChangeEvent[] {
    const cmp = (a: string, b: string) => this.deps.source.comparePositions(a, b);
    // per batch (selection and quarantine only change between batches): each table once, and
    // one position comparison per transaction unless a table's snapshot is newer than it
    let newest: string | null = null;
    for (const p of this.syncPositions.values()) if (p != null && (newest === null || cmp(p, newest) > 0)) newest = p;
    const pastAll = () => newest === null || cmp(this.transactionEnd(), newest) >= 0;
    // the first batch starts with a begin, which sets it
    let past = this.finalPosition === null ? false : pastAll();
    const verdicts = new Map<ChangeRelation, boolean | string>();
    const wanted = (rel: ChangeRelation): boolean => {
      let v = verdicts.get(rel);
      if (v === undefined) verdicts.set(rel, (v = this.verdict(rel)));
      return typeof v === 'boolean' ? v : past || cmp(this.transactionEnd(), v) >= 0;
    };
    const out: ChangeEvent[] = [];
    for (const e of events) {
      if (e.kind === 'begin') {
        this.finalPosition = e.finalPosition;
        past = pastAll();
      } else if (e.kind === 'insert' || e.kind === 'update' || e.kind === 'delete') {
        if (wanted(e.relation)) out.push(e);
      } else if (e.kind === 'schema') {
        const key = qualifiedKey(e.table);
        if (this.syncPositions.has(key) && !this.quarantined.has(key)) {
          this.quarantine(
            key,
            new Error(
              `its definition changed on the source (${e.statement.slice(0, 200)}): its later changes are held back — remove the table from the selection and add it back to load it again`,
            ),
          );
        }
      } else if (e.kind === 'truncate') {
        const relations = e.relations.filter(wanted);
        if (relations.length) out.push({ ...e, relations });
      }
    }
    return out;
  }

  /** The earliest position a table was read at (where a capture with no artifact of its own starts). */
  private snapshotStart(): string | null {
    let min: string | null = null;
    for (const p of this.syncPositions.values()) {
      if (p != null && (min === null || this.deps.source.comparePositions(p, min) < 0)) min = p;
    }
    return min;
  }

  /** The final position of the transaction being read (a change outside any transaction is a stream defect). */
  private transactionEnd(): string {
    if (this.finalPosition === null) throw new Error('the change stream sent a row change before any transaction began');
    return this.finalPosition;
  }

  /**
   * Whether a table's changes are applied: false (not selected, or held
   * back), true, or the position its rows were read at (apply only changes
   * of transactions that end at or after it).
   */
  private verdict(rel: ChangeRelation): boolean | string {
    const key = qualifiedKey(rel);
    if (this.quarantined.has(key) || !this.syncPositions.has(key)) return false;
    return this.syncPositions.get(key) ?? true;
  }

  private count(counts: ApplyCounts): void {
    for (const [table, err] of counts.failed) this.quarantine(table, err);
    for (const [table, c] of counts.tables) {
      const tp = this.deps.progress.table(this.p, table);
      tp.cdcInsertCounter += c.inserts;
      tp.cdcUpdateCounter += c.updates;
      tp.cdcDeleteCounter += c.deletes;
      if (c.zeroDatesReplaced) tp.zeroDatesReplaced = (tp.zeroDatesReplaced ?? 0) + c.zeroDatesReplaced;
      this.p.appliedChanges += c.inserts + c.updates + c.deletes;
    }
  }

  /**
   * The destination rejected a table's changes (e.g. a constraint the source
   * does not have): hold that table back — its later changes are skipped and
   * it shows ERROR — while every other table keeps streaming. Fix the cause,
   * then remove the table from `tables` and add it back to backfill it.
   */
  private quarantine(table: string, err: Error): void {
    this.quarantined.add(table);
    const tp = this.deps.progress.table(this.p, table);
    tp.state = 'ERROR';
    tp.dataErrorsCount++;
    tp.lastError = err.message;
    this.deps.logger.error('destination rejected changes; table held back', { table, error: describeError(err) });
    this.deps.onTableError?.(table, err);
  }

  /**
   * Backfill tables added to the selection; stop capturing removed ones
   * (their data stays). A failure part-way (a lost connection, retried)
   * leaves the selection and catalog as they were, so the retry sees the
   * change again and backfills what it added (every step is idempotent).
   */
  private async changeSelection(next: DatabaseRecord['tables']): Promise<void> {
    const [selection, catalog] = [this.selection, this.catalog];
    try {
      await this.applySelection(next);
    } catch (err) {
      [this.selection, this.catalog] = [selection, catalog];
      throw err;
    }
  }

  private async applySelection(next: DatabaseRecord['tables']): Promise<void> {
    const { source, destination, progress, job, generation } = this.deps;
    this.selection = next;
    const catalog = await this.unit(TIER.open, 0, () => source.introspect(this.db.name, next));
    // a table removed and added back is backfilled from scratch: it may leave quarantine
    for (const t of [...this.quarantined])
      if (!dataTables(catalog).some((x) => qualifiedKey(x) === t)) this.quarantined.delete(t);
    const before = new Set(
      dataTables(this.catalog ?? catalog)
        .filter((t) => !this.quarantined.has(qualifiedKey(t)))
        .map(qualifiedKey),
    );
    const now = dataTables(catalog);
    const fresh = now.filter((t) => !before.has(qualifiedKey(t)));
    // a source whose change stream leaves out cascaded rows: a streaming table whose cascading key now
    // points at an added table missed what that table's changes cascaded to it, so it is read again with it
    const rereads = source.changesOmitCascades ? cascadeRereads(now, new Map([...before].map((k) => [k, true]))) : [];
    for (const t of rereads) {
      this.deps.logger.info('read again with the tables it cascades from (its log leaves out cascaded rows)', {
        database: this.db.name,
        table: qualifiedKey(t),
      });
      await destination.forgetTable(this.db.target, job, generation, t);
    }
    const added = [...fresh, ...rereads];
    const nowKeys = new Set(now.map(qualifiedKey));
    for (const t of dataTables(this.catalog ?? catalog)) {
      if (nowKeys.has(qualifiedKey(t))) continue;
      await destination.forgetTable(this.db.target, job, generation, t);
      this.syncPositions.delete(qualifiedKey(t));
      progress.table(this.p, qualifiedKey(t)).state = 'REMOVED';
    }
    this.catalog = catalog;
    await source.setCapturedTables(this.db.name, this.deps.artifact, rootTables(catalog));
    if (added.length) {
      const keyless = await source.tablesWithoutKey(this.db.name, fresh);
      if (keyless.length) {
        await source.enableFullRowIdentity(this.db.name, keyless);
        markFullIdentity(catalog, keyless);
      }
      this.p.migrationState = 'FULL_DUMP';
      await progress.flush();
      const opened = await this.unit(TIER.next, sum(added), async () => {
        await destination.createSchema(this.db.target, catalog, 'pre-data', this.schemaSettings());
        return this.openDump(catalog, added);
      });
      const built = await this.dumpTables(catalog, added, opened);
      await this.postData(catalog, added, built);
      const loaded = await destination.loadedTables(this.db.target, job, generation);
      for (const t of added) this.syncPositions.set(qualifiedKey(t), loaded.get(qualifiedKey(t))?.syncPosition ?? null);
      this.p.migrationState = 'CDC';
    }
    await progress.flush();
  }

  private async finishPromote(): Promise<void> {
    const catalog = this.catalog ?? (await this.deps.source.introspect(this.db.name, this.selection));
    if (this.deps.currentRecord().verify) {
      // the stream is stopped and caught up: compare before anything irreversible happens
      const result = await verifyDatabases(
        this.deps.job,
        this.deps.source,
        this.deps.destination,
        [{ ...this.db, tables: this.selection }],
        {
          chunkRows: 10_000,
          rechecks: 2,
          recheckDelayMs: 500,
          maxDifferences: 5,
          signal: this.deps.signal,
          // before finalize: enable states are still the migration's (triggers off)
          schema: {
            owners: this.schemaSettings().owners === 'keep',
            grants: this.schemaSettings().grants === 'keep',
            finalized: false,
          },
        },
      );
      const schema = result.databases.flatMap((d) => d.schema?.differences ?? []);
      const different = result.databases.flatMap((d) => d.tables.filter((t) => t.status === 'different'));
      if (different.length || schema.length) {
        const parts = [
          ...schema.slice(0, 10).map((d) => `${d.kind} ${d.name} (${d.difference})`),
          ...different.map((t) => `${t.table} (${t.differences.map((d) => `${d.key} ${d.kind}`).join(', ')})`),
        ];
        throw new Error(
          `promote refused: verify found differences in ${parts.join('; ')}${schema.length > 10 ? ` and ${schema.length - 10} more schema objects` : ''}; ` +
            `the replication slot is kept — inspect with \`migrate verify ${this.deps.job}\``,
        );
      }
      this.deps.logger.info('verify before promote: equal', { database: this.db.name, rows: result.rowsCompared });
    }
    await this.syncSequences(catalog);
    await this.deps.source.dropArtifacts(this.db.name, this.deps.artifact);
    this.p.migrationState = 'COMPLETED';
    this.p.endedOn = this.deps.progress.now();
    await this.deps.progress.flush();
  }
}

/**
 * Loaded tables a new snapshot must read again: those with a cascading
 * foreign key to a table it reads (transitively). Their cascaded rows from
 * before that snapshot are in no change stream (MySQL), and the parent's
 * own changes before it are skipped for the parent.
 */
export function cascadeRereads(tables: readonly TableDef[], loaded: ReadonlyMap<string, unknown>): TableDef[] {
  const reread = new Set(tables.filter((t) => !loaded.has(qualifiedKey(t))).map(qualifiedKey));
  const out: TableDef[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const t of tables) {
      const key = qualifiedKey(t);
      if (reread.has(key)) continue;
      const cascades = t.constraints.some(
        (c) => c.references !== null && reread.has(qualifiedKey(c.references)) && cascadingActions(c).length > 0,
      );
      if (cascades) {
        reread.add(key);
        out.push(t);
        grew = true;
      }
    }
  }
  return out;
}
