import type { Readable } from 'node:stream';
import type { EngineKind, Profile, SchemaSettings, TableSelection } from '../contract/declaration.js';
import type { Diagnostic } from '../contract/diagnostic.js';
import type { Logger } from '../contract/logger.js';
import type { Catalog, NotMigratedObject, QualifiedName, SchemaObjectSummary, TableDef } from './catalog.js';
import type { ChangeEvent } from './change-event.js';
import type { StreamMemory } from './stream-memory.js';

/** A profile whose password reference has been resolved. Never logged, never stored. */
export interface ResolvedProfile extends Omit<Profile, 'password'> {
  password: string | undefined;
}

/**
 * How rows travel from source to destination. Homogeneous PostgreSQL pairs
 * move opaque COPY bytes (`pg-binary`, or `pg-text` when a column's binary
 * form carries OIDs). `interchange-text` is every engine's common stream
 * (DESIGN §7a): PostgreSQL text COPY lines of canonical text values, one per
 * copied column in table order (`\N` for NULL; backslash, tab, newline and
 * carriage return escaped). `mysql-text` goes between two MySQL servers:
 * LOAD DATA's default file format over the source's stored bytes
 * (providers/mysql/mysql-load-format.ts).
 */
export type CopyFormat = 'pg-binary' | 'pg-text' | 'interchange-text' | 'mysql-text';

/** A slice of a table read under the snapshot. `id` is stable across runs (used for resume). */
export interface TableRange {
  id: string;
  /** Engine-specific predicate (PostgreSQL: a ctid range), or null for the whole table. */
  predicate: string | null;
}

/** A consistent read point on the source. */
export interface SourceSnapshot {
  /** Engine snapshot identifier (PostgreSQL: exported snapshot name). */
  readonly id: string;
  /** Position where change capture starts (PostgreSQL: LSN), null for one-time jobs. */
  readonly position: string | null;
  /** Split a table into ranges of about `targetBytes`. */
  planRanges(table: TableDef, targetBytes: number): Promise<TableRange[]>;
  /**
   * Stream one range in `format`, read inside the snapshot. The stream ends
   * when the range is fully read; destroy it to abort.
   */
  readRange(table: TableDef, range: TableRange, format: CopyFormat): Promise<Readable>;
  /** Release the snapshot (and its connections). */
  close(): Promise<void>;
}

export interface SnapshotRequest {
  database: string;
  /** Stable name for source-side artifacts (slot, publication) of this job and database. */
  artifactName: string;
  /** Create change-capture artifacts whose start position is the snapshot (continuous jobs). */
  cdc: boolean;
  /** Tables whose changes are captured (root tables: partitions follow their root). */
  tables: QualifiedName[];
  /** How many ranges will be read at once at first: the source may connect that many readers ahead. Default 1. */
  readers?: number;
}

/** A checksum over a set of rows, comparable between source and destination. */
export interface ChunkChecksum {
  count: number;
  hash: string;
}

/** Key values as the engine's text forms (one per key column). */
export type KeyValues = string[];

/**
 * Reads rows for `migrate verify`. Both sides must produce equal hashes for
 * equal rows: homogeneous pairs hash each row's text form; heterogeneous
 * pairs normalise values first (the type map decides).
 */
export interface TableChecksummer {
  /** The key `offset` rows after `after` in key order (null when the table ends first). */
  keyAfter(table: TableDef, key: string[], after: KeyValues | null, offset: number): Promise<KeyValues | null>;
  /** Rows with key in (lower, upper] (open bounds when null); the whole table when `key` is empty. */
  chunk(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<ChunkChecksum>;
  /** Per-row hashes in (lower, upper], keyed by the key's text (JSON of the values). */
  rows(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export interface SourceProvider {
  /**
   * Its change stream leaves out the rows a cascading foreign key changed
   * (MySQL's binary log: the destination's own keys must cascade them), so a
   * table whose cascade comes from a table read at a later snapshot is read
   * again with it. Default false.
   */
  readonly changesOmitCascades?: boolean;
  /** Tables larger than this read best split into ranges read in parallel (the smaller of the two ends' wins). Default 4 GiB. */
  readonly preferredRangeBytes?: number;
  /** Connectivity, privileges and settings (e.g. `wal_level`); each failure names the setting. */
  checkPrerequisites(req: { databases: string[]; continuous: boolean }): Promise<Diagnostic[]>;
  /**
   * Catalog of the selection: the selected tables, and every object of the
   * selected schemas an application needs (types, functions, views, triggers…),
   * plus `notMigrated` for what exists there but will not be recreated.
   */
  introspect(database: string, selection: TableSelection): Promise<Catalog>;
  /**
   * The selection's schema objects as `verify` compares them (with a
   * destination of the same engine only), or null when this source has no
   * comparable form.
   */
  describeSchema(database: string, selection: TableSelection): Promise<SchemaObjectSummary[] | null>;
  /** Approximate size in bytes of each of `databases` that exists (orders a job's work: largest first). */
  estimateSizes(databases: readonly string[]): Promise<Map<string, number>>;
  /** Open one consistent snapshot; every table of the database is read inside it. */
  openSnapshot(req: SnapshotRequest): Promise<SourceSnapshot>;
  /** Current values of sequences (64-bit values as strings). */
  readSequences(database: string, sequences: QualifiedName[]): Promise<SequenceValue[]>;
  /** Remove source-side artifacts (slot, publication) of a job's database; idempotent. */
  dropArtifacts(database: string, artifactName: string): Promise<void>;
  /** Whether the change-capture artifacts exist (a slot dropped behind our back is drift). */
  artifactsExist(database: string, artifactName: string): Promise<boolean>;
  /**
   * For a capture with no artifact of its own (a binary log kept by time):
   * why changes after `checkpoint` (the destination's last committed
   * position) can no longer be read, or null when they can. Drift when set.
   */
  captureGap?(database: string, checkpoint: string): Promise<string | null>;
  /** Make the change capture cover exactly `tables` (mid-run selection changes). */
  setCapturedTables(database: string, artifactName: string, tables: QualifiedName[]): Promise<void>;
  /**
   * Stream committed changes after `from` (the destination's checkpoint), or
   * from where the change capture starts (its snapshot) when `from` is null.
   */
  streamChanges(
    database: string,
    artifactName: string,
    from: string | null,
    /** The earliest position a table of the database was read at: where a capture with no artifact of its own (a binary log) starts when `from` is null. */
    snapshotStart?: string | null,
  ): Promise<ChangeStream>;
  /** The source's current write position (what promote must reach). */
  currentPosition(database: string): Promise<string>;
  /**
   * Bytes of change log the source keeps (PostgreSQL: WAL from this
   * capture's replication slot restart_lsn to the current write position;
   * MySQL: every binary-log file the server keeps, by time, not for us), or
   * null when it cannot tell (the slot is gone, the user may not list the
   * logs). Optional: a source without it reports no
   * `migrate_source_retained_bytes`.
   */
  retainedBytes?(database: string, artifactName: string): Promise<number | null>;
  /** -1, 0, 1 like a comparator. */
  comparePositions(a: string, b: string): number;
  /** Tables that cannot replicate updates/deletes as they are (no key); each gets `fix` applied if asked. */
  tablesWithoutKey(database: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]>;
  /** Let keyless tables replicate updates/deletes (PostgreSQL: REPLICA IDENTITY FULL). */
  enableFullRowIdentity(database: string, tables: readonly QualifiedName[]): Promise<void>;
  /** Row reader for `verify` on one database. */
  checksummer(database: string): TableChecksummer;
  /** Formats this source can produce for a table, best first. */
  formatsFor(table: TableDef): CopyFormat[];
  close(): Promise<void>;
}

/** A batch of whole source transactions read from a change stream. */
export interface ChangeBatch {
  events: ChangeEvent[];
  /** End position of the last transaction in the batch (the checkpoint to commit with it), or null when empty. */
  endPosition: string | null;
  /** Commit time of the last transaction (ISO), for latency. */
  lastCommitTime: string | null;
  transactions: number;
  /** True when the batch ends inside a transaction too large for one batch: more of it follows. */
  partial: boolean;
}

/**
 * A source's change stream. Events arrive in commit order, whole
 * transactions at a time (a transaction larger than a batch arrives as
 * several `partial` batches, to be applied in one destination transaction).
 */
export interface ChangeStream {
  /**
   * Whole transactions, up to about `maxEvents` events (and a provider-set
   * byte bound). Resolves once that much is buffered; once `flushWhen` has
   * settled, as soon as one transaction is complete (the destination is free:
   * do not make it wait); otherwise after `idleMs` with whatever is complete
   * (possibly nothing).
   */
  read(maxEvents: number, idleMs: number, flushWhen?: Promise<unknown>): Promise<ChangeBatch>;
  /** The destination durably holds everything up to `position`: the source may free it. */
  acknowledge(position: string): void;
  /**
   * Everything up to here is applied or irrelevant (idle keepalives advance
   * it when no transaction is open) — what promote compares to the source.
   */
  processedPosition(): string;
  close(): Promise<void>;
}

export interface SequenceValue {
  sequence: QualifiedName;
  lastValue: string;
  isCalled: boolean;
}

/** Records that a table finished its full load for a job generation (resume skips it). */
export interface TableLoadMarker {
  job: string;
  generation: number;
  table: QualifiedName;
  rows: number;
  bytes: number;
  /** Snapshot position the table was read at: its changes apply from there on. */
  syncPosition: string | null;
}

export interface LoadResult {
  rows: number;
  bytes: number;
  /** Zero dates (MySQL `0000-00-00`…) written as the job's `zeroDates` says (NULL or its value). */
  zeroDatesReplaced?: number;
}

export interface DestinationProvider {
  /** The destination's engine (verify compares schema objects only between two of one engine). */
  readonly engine: EngineKind;
  /** Formats this destination accepts, best first. */
  readonly acceptedFormats: readonly CopyFormat[];
  /** Tables larger than this load best split into ranges copied in parallel (per table). Default 4 GiB. */
  preferredRangeBytes?(table: TableDef): number;
  checkPrerequisites(req: { databases: string[] }): Promise<Diagnostic[]>;
  /**
   * Can `catalog` be recreated in `target` with `settings`? Errors name what
   * is missing (a role kept as owner or grantee, an extension the server does
   * not have); warnings name what will be left out. Reads only.
   */
  checkCatalog(target: string, catalog: Catalog, settings: SchemaSettings): Promise<Diagnostic[]>;
  /**
   * What this destination leaves out of `catalog` beyond the source's own
   * `notMigrated` (a destination of another engine cannot convert every
   * object). Plan and status name each. Default none.
   */
  notMigrated?(catalog: Catalog, settings: SchemaSettings): NotMigratedObject[];
  /** Create the database if missing; `wipe` drops and recreates it (restart). */
  prepareDatabase(target: string, mode: 'create-if-missing' | 'wipe'): Promise<void>;
  /**
   * Create schema objects from a source catalog. `pre-data`: everything the
   * rows need, in dependency order (schemas, extensions, types, functions,
   * sequences, tables, views). `post-data`: what builds after the rows are
   * loaded and every table's own post-data (createTablePostData) is done —
   * foreign keys, triggers and rules (created disabled: they must not fire
   * while changes are applied), policies, materialized views, owners and
   * grants per `settings`. Idempotent: objects that already exist are kept.
   */
  createSchema(target: string, catalog: Catalog, phase: 'pre-data' | 'post-data', settings: SchemaSettings): Promise<void>;
  /**
   * The post-data of one loaded table — its keys, constraints and indexes,
   * not foreign keys or views — so it builds while other tables still load.
   * For a partitioned table: its whole tree (call once all its partitions are
   * loaded). Not for partitions themselves. Idempotent.
   */
  createTablePostData(target: string, catalog: Catalog, table: QualifiedName): Promise<void>;
  /** Tables of `tables` that already hold rows (a new job refuses to load into them). */
  nonEmptyTables(target: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]>;
  /** Empty a table before (re)loading it: a partially loaded table from a killed worker is loaded again whole. */
  truncateTable(target: string, table: TableDef): Promise<void>;
  /**
   * Load one range from `data` in its own transaction (a killed load leaves
   * no rows). `truncateFirst`: empty the table in the same transaction; the
   * table is then loaded as one range and rows are written frozen (PostgreSQL `FREEZE`).
   */
  loadRange(
    target: string,
    table: TableDef,
    format: CopyFormat,
    data: Readable,
    opts: { truncateFirst: boolean },
  ): Promise<LoadResult>;
  /**
   * Open `connections` load connections to `target` ahead of the first
   * copies (optional; best effort: a failure here is the copy's to report).
   * Saves the first copies a connection setup while the source is already
   * sending.
   */
  openLoadConnections?(target: string, connections: number): Promise<void>;
  /** Record a finished table (its ranges are all committed). */
  markTableLoaded(target: string, marker: TableLoadMarker): Promise<void>;
  /** Tables already loaded for this job generation, keyed `schema.table`. */
  loadedTables(
    target: string,
    job: string,
    generation: number,
  ): Promise<Map<string, LoadResult & { syncPosition: string | null }>>;
  /** Forget a table's load marker (it left the selection, or must be loaded again). */
  forgetTable(target: string, job: string, generation: number, table: QualifiedName): Promise<void>;
  /**
   * Turn row changes (already filtered, in source order) into what the
   * destination will execute. Separate from applying so the next batch is
   * prepared while the previous one executes.
   */
  prepareChanges(target: string, events: ChangeEvent[]): Promise<PreparedChanges>;
  /** Start applying changes: everything until commit() is one destination transaction (sent lazily). */
  beginApply(target: string): Promise<ApplySession>;
  /** The position committed with the last applied batch, or null. */
  readCheckpoint(target: string, job: string, database: string): Promise<string | null>;
  /** Set the counters of `catalog`'s sequences (values read from the source for `catalog.sequences`). */
  setSequences(target: string, catalog: Catalog, values: SequenceValue[]): Promise<void>;
  /**
   * Last touches once no more changes will be applied: identity columns back
   * to GENERATED ALWAYS, triggers and rules to their source enable mode,
   * forced row security. Idempotent.
   */
  finalize(target: string, catalog: Catalog, settings: SchemaSettings): Promise<void>;
  /** The target's schema objects for the same selection, as `verify` compares them. */
  describeSchema(target: string, selection: TableSelection): Promise<SchemaObjectSummary[]>;
  /** Row reader for `verify` on one target database. */
  checksummer(target: string): TableChecksummer;
  close(): Promise<void>;
}

/** Changes ready to apply (opaque to the engine). */
export interface PreparedChanges {
  /** Row changes it holds. */
  readonly size: number;
}

export interface ApplyCounts {
  /** Per `schema.table`. */
  tables: Map<string, { inserts: number; updates: number; deletes: number; zeroDatesReplaced?: number }>;
  /**
   * Tables whose changes the destination rejected (constraint or data
   * errors): their changes in this batch were not applied, the rest were.
   */
  failed: Map<string, Error>;
}

/** One destination transaction of applied changes, committed with its source position. */
export interface ApplySession {
  /** Apply changes of a transaction that continues in the next batch; nothing is committed yet. */
  apply(changes: PreparedChanges): Promise<ApplyCounts>;
  /** Apply `changes` (if any), record the checkpoint and commit — atomically, in one round trip where possible. */
  commit(checkpoint: ApplyCheckpoint, changes?: PreparedChanges | null): Promise<ApplyCounts>;
  rollback(): Promise<void>;
}

/** The source position a destination transaction commits with. */
export interface ApplyCheckpoint {
  job: string;
  database: string;
  position: string;
}

export interface ProviderContext {
  logger: Logger;
  /** Buffered change data shared by the job's change streams (default: each stream alone, 24 MiB). */
  memory?: StreamMemory;
  /** The job's settings (type overrides, `zeroDates`), for loads, changes and verify of a heterogeneous pair. */
  settings?: SchemaSettings;
}

/** Capability flags; defaults are documented on each field. */
export interface ProviderCapabilities {
  /** Can act as a source for continuous (CDC) jobs. Default false. */
  cdc: boolean;
  /** Can be a destination. Default false. */
  destination: boolean;
}

export interface Provider {
  engine: EngineKind;
  capabilities: ProviderCapabilities;
  /** Errors worth retrying with backoff (connection lost, server restarting, lock timeouts…). */
  isTransientError(err: unknown): boolean;
  /**
   * Errors a person fixes outside the job (wrong credentials, missing
   * privilege, a setting, a missing database): retried with backoff, so the
   * job goes on by itself once fixed.
   */
  isConfigurationError(err: unknown): boolean;
  source(profile: ResolvedProfile, ctx: ProviderContext): SourceProvider;
  destination(profile: ResolvedProfile, ctx: ProviderContext): DestinationProvider;
}
