import type { EngineKind } from '../contract/declaration.js';
import type { CanonicalType } from './canonical-type.js';

/** `schema.name` as two parts; never joined into one string before quoting. */
export interface QualifiedName {
  schema: string;
  name: string;
}

export interface ColumnDef {
  name: string;
  /** The source engine's type text (PostgreSQL: `format_type`, e.g. `numeric(12,2)`, `public."Mood"[]`). */
  nativeType: string;
  nullable: boolean;
  /** Default expression in the source engine's SQL, or null. */
  default: string | null;
  identity: 'always' | 'by-default' | null;
  /** Stored generated column expression, or null. Generated columns are not copied. */
  generated: string | null;
  /** How `generated` is kept; default `stored` (PostgreSQL 18 adds `virtual`). */
  generatedKind?: 'stored' | 'virtual';
  /** Collation name when not the column type's default. */
  collation: string | null;
  /** Schema of `collation` when it is not a built-in one (PostgreSQL: not in pg_catalog). Default none. */
  collationSchema?: string | null;
  /**
   * True when the value's binary COPY form carries no database-specific OIDs
   * (built-in scalar types and arrays of them), so binary COPY is safe
   * between two servers.
   */
  binarySafe: boolean;
  /** Column comment; absent or null when none. */
  comment?: string | null;
  /**
   * Storage strategy when it differs from the column type's (PostgreSQL `SET
   * STORAGE`: `plain`, `external`, `extended`, `main`), or, on a partition or
   * inheritance child, from its parent's (children start with the parent's).
   * Default: the type's.
   */
  storage?: string | null;
  /** Per-column statistics target when set (PostgreSQL `SET STATISTICS`). Default: the server's. */
  statisticsTarget?: number | null;
  /**
   * Compression method when set (PostgreSQL 14+ `SET COMPRESSION`: `pglz`,
   * `lz4`; `default` on a child whose parent sets one). Same inheritance rule
   * as `storage`. Default: the server's `default_toast_compression`.
   */
  compression?: string | null;
  /** Column options as `name=value` (PostgreSQL attoptions, e.g. `n_distinct=100`). Default none. */
  options?: string[];
  /**
   * True when the column comes only from an inheritance parent that is also
   * migrated (not declared on the table itself): the parent creates it. Default false.
   */
  inherited?: boolean;
  /** Column privileges in the source engine's item form (PostgreSQL aclitem text); absent or null when none. */
  acl?: string[] | null;
  /**
   * The engine-neutral type (DESIGN §7a), set by sources that can feed a
   * destination of another engine; a destination of another engine renders
   * its DDL from it. Absent: homogeneous pairs only.
   */
  canonical?: CanonicalType;
  /** The column takes the next counter value on insert (MySQL AUTO_INCREMENT). Default false. */
  autoIncrement?: boolean;
}

export type ConstraintKind = 'primary' | 'unique' | 'check' | 'foreign' | 'exclude';

export interface ConstraintDef {
  name: string;
  kind: ConstraintKind;
  /** Native definition after `ADD CONSTRAINT name` (PostgreSQL: `pg_get_constraintdef`). */
  definition: string;
  columns: string[];
  /** For foreign keys: the referenced table. */
  references: QualifiedName | null;
  /**
   * True when a partition's constraint comes from its partitioned parent: it
   * is recreated by the parent's constraint, never on its own. Default false.
   */
  inherited?: boolean;
  /** Constraint comment; absent or null when none. */
  comment?: string | null;
  /** Foreign keys: the referenced columns, in `columns` order (engine-neutral form; absent when only `definition` says). */
  referencedColumns?: string[];
  /** Foreign keys: referential actions as SQL words (`CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION`). Default NO ACTION. */
  onDelete?: string;
  onUpdate?: string;
}

/**
 * The referential actions of a foreign key that change the referencing rows
 * (`ON DELETE CASCADE`, `ON UPDATE SET NULL`…), as `ON DELETE CASCADE` words;
 * [] for a key that only restricts, or for other constraints.
 */
export function cascadingActions(c: ConstraintDef): string[] {
  if (c.kind !== 'foreign') return [];
  const changes = (a: string | undefined) => /^(CASCADE|SET NULL|SET DEFAULT)$/i.test(a ?? '');
  const out: string[] = [];
  if (changes(c.onDelete)) out.push(`ON DELETE ${c.onDelete}`);
  if (changes(c.onUpdate)) out.push(`ON UPDATE ${c.onUpdate}`);
  // keys read without their actions apart: the definition says
  if (!out.length)
    for (const m of c.definition.matchAll(/\bON (DELETE|UPDATE) (CASCADE|SET NULL|SET DEFAULT)\b/gi)) out.push(m[0]);
  return out;
}

/** One key part of an index, in engine-neutral form. */
export interface IndexColumn {
  name: string;
  descending: boolean;
  /** Leading characters/bytes indexed (MySQL prefix index), or absent for the whole value. */
  prefixLength?: number;
}

export interface IndexDef {
  name: string;
  /** Native `CREATE INDEX` statement (PostgreSQL: `pg_get_indexdef`; other engines: their own DDL text). */
  definition: string;
  /** Index comment; absent or null when none. */
  comment?: string | null;
  /** Key parts in engine-neutral form, for a destination of another engine (absent: homogeneous pairs only). */
  columns?: IndexColumn[];
  unique?: boolean;
  /** Access method in the source's words (`BTREE`, `HASH`, `FULLTEXT`, `SPATIAL`). */
  method?: string;
}

/**
 * Who owns an object and who may use it, in the source engine's terms. Role
 * names are the source's; the source connection user (`Catalog.sourceUser`)
 * stands for the destination connection user.
 */
export interface Ownership {
  /** Owning role; absent or null when the engine has no owner for this kind. */
  owner?: string | null;
  /**
   * Privileges as the engine's item texts (PostgreSQL aclitem
   * `grantee=privs/grantor`, empty grantee = PUBLIC), or absent/null for the
   * kind's built-in defaults.
   */
  acl?: string[] | null;
}

export type TableKind = 'table' | 'partitioned';

export interface TableDef extends QualifiedName, Ownership {
  kind: TableKind;
  /** Set when this table is a partition of another table. */
  partitionOf: QualifiedName | null;
  /** `FOR VALUES …` / `DEFAULT` of a partition. */
  partitionBound: string | null;
  /** `PARTITION BY …` key of a partitioned table. */
  partitionKey: string | null;
  columns: ColumnDef[];
  /** Primary key, or null when the table has none. */
  primaryKey: ConstraintDef | null;
  /** Unique, check, foreign-key and exclusion constraints (not the primary key, not NOT NULL). */
  constraints: ConstraintDef[];
  /** Indexes not backing a constraint. */
  indexes: IndexDef[];
  /** Planner estimates, used to order work and split large tables. */
  estimatedRows: number;
  estimatedBytes: number;
  /** Number of heap pages (PostgreSQL `relpages`), used for ctid range splitting. */
  pages: number;
  /** PostgreSQL replica identity: d(efault) n(othing) f(ull) i(ndex). */
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  /** The index named by `replicaIdentity: 'index'`; absent or null otherwise. */
  replicaIdentityIndex?: string | null;
  /** PostgreSQL `UNLOGGED` table. Default false. */
  unlogged?: boolean;
  comment: string | null;
  /**
   * Storage parameters as `name=value` (PostgreSQL reloptions; the TOAST
   * table's are prefixed `toast.`), as in `WITH (...)`. Default none.
   */
  options?: string[];
  /**
   * Plain-inheritance parents that are migrated too, in inheritance order
   * (not partition parents: see `partitionOf`). Default none.
   */
  inherits?: QualifiedName[];
  /** The index (of a constraint or not) the table is clustered on (PostgreSQL `CLUSTER ON`). Default none. */
  clusterOn?: string | null;
  /** Table access method when not the server's built-in `heap` (PostgreSQL `USING …`). Default heap. */
  accessMethod?: string | null;
  /**
   * Row-level security: `enabled` (policies apply to everyone but the owner)
   * or `forced` (to the owner too). Default `off`.
   */
  rowSecurity?: 'off' | 'enabled' | 'forced';
  /** The next AUTO_INCREMENT value on the source (MySQL), as a string; absent when none. */
  autoIncrementNext?: string | null;
}

export interface SequenceDef extends QualifiedName, Ownership {
  dataType: string;
  /** 64-bit values stay strings: never through a JS number. */
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** The column owning this sequence (serial), or null. */
  ownedBy: { table: QualifiedName; column: string } | null;
  /** True for identity-column sequences (created with the table). */
  identity: boolean;
  /** Sequence comment; absent or null when none. */
  comment?: string | null;
}

export interface EnumDef extends QualifiedName, Ownership {
  labels: string[];
  /** Type comment; absent or null when none. */
  comment?: string | null;
}

/** Per-column details of a view that are not part of its query. */
export interface ViewColumnDef {
  name: string;
  /** Default for inserts through the view (`ALTER VIEW … ALTER COLUMN … SET DEFAULT`); absent or null when none. */
  default?: string | null;
  comment?: string | null;
  /** Column privileges (see `Ownership.acl`). */
  acl?: string[] | null;
}

export interface ViewDef extends QualifiedName, Ownership {
  /** The SELECT body. */
  definition: string;
  materialized: boolean;
  /** Views this view reads from (for creation order). */
  dependsOn: QualifiedName[];
  /** View options as `name=value` (PostgreSQL `reloptions`, e.g. `check_option=local`). Default none. */
  options?: string[];
  /** Indexes of a materialized view. Default none. */
  indexes?: IndexDef[];
  /** View comment; absent or null when none. */
  comment?: string | null;
  /** Columns with a comment or privileges of their own. Default none. */
  columns?: ViewColumnDef[];
  /** A materialized view holds rows on the source (created `WITH DATA` or refreshed). Default true. */
  populated?: boolean;
}

export interface DomainConstraintDef {
  name: string;
  /** Native definition, e.g. `CHECK (VALUE > 0)` (PostgreSQL appends `NOT VALID` for an unvalidated one). */
  definition: string;
  comment?: string | null;
}

/** A user-defined domain (PostgreSQL `CREATE DOMAIN`). */
export interface DomainDef extends QualifiedName, Ownership {
  /** Native type text of the base type. */
  baseType: string;
  notNull: boolean;
  default: string | null;
  collation: string | null;
  /** Schema of `collation` when it is not a built-in one. Default none. */
  collationSchema?: string | null;
  constraints: DomainConstraintDef[];
  /** Domain comment; absent or null when none. */
  comment?: string | null;
}

export interface ExtensionDef {
  name: string;
  schema: string;
}

/**
 * Something the source has that this migration does not recreate (an object
 * kind the destination cannot take, a view built on an unselected table, large
 * objects…). Plan and status name every one: nothing is dropped silently.
 */
export interface NotMigratedObject {
  /** What it is, e.g. `view`, `event trigger`, `large objects`, `publication`. */
  kind: string;
  /** Its identity in the source engine's terms, e.g. `public.sales_by_store`. */
  name: string;
  /** Why, and what to do about it. */
  reason: string;
}

/**
 * One schema object as `verify` compares it between source and destination:
 * the same kind and name must exist on both sides with the same definition.
 * `owner` and `acl` are compared only when the job keeps owners / grants;
 * `enabled` (trigger and rule enable modes, forced row security) only once the
 * job is finalized, since those are switched off while changes are applied.
 */
export interface SchemaObjectSummary {
  kind: string;
  name: string;
  /** Normalised native definition (PostgreSQL: the catalog's own `pg_get_*def` text). */
  definition: string;
  owner?: string | null;
  /** Privileges in a stable text form (sorted), or null for the defaults. */
  acl?: string | null;
  /** State set by finalize (e.g. trigger `ENABLE ALWAYS`), or null. */
  enabled?: string | null;
  /**
   * The destination creates it only at finalize (MySQL triggers and events):
   * before that, its absence there is expected. Default false.
   */
  atFinalize?: boolean;
}

/** What a source's selection contains, in the source engine's terms. */
export interface Catalog {
  engine: EngineKind;
  serverVersion: string;
  database: string;
  /** Schemas to create: the selected ones, and those holding extensions or objects the selection needs. */
  schemas: string[];
  /** Every extension of the database (PostgreSQL: but plpgsql), each after the extensions it requires. */
  extensions: ExtensionDef[];
  /** Enums of the selected schemas and those the selection uses from other schemas. */
  enums: EnumDef[];
  /** Domains of the selected schemas and those the selection uses, bases before the domains built on them. Default none. */
  domains?: DomainDef[];
  /** Every sequence of the selected schemas, and those the selected tables use from elsewhere. */
  sequences: SequenceDef[];
  /** Selected tables: parents (partitioned or inherited) come before their children. */
  tables: TableDef[];
  /** Views and materialized views of the selected schemas whose dependencies are all migrated. */
  views: ViewDef[];
  /** What exists in the selection but is not migrated, each with its reason. Default none. */
  notMigrated?: NotMigratedObject[];
  /**
   * Objects only a destination of the source's own engine recreates (from
   * `native`: MySQL views, routines, triggers, events); a destination of
   * another engine names each as not migrated. Default none.
   */
  nativeOnly?: NotMigratedObject[];
  /**
   * The source connection user (PostgreSQL `current_user`). Objects it owns
   * and privileges granted to or by it belong to the destination connection
   * user. Absent: no role maps.
   */
  sourceUser?: string;
  /**
   * The source server lets applications store zero dates (MySQL: its global
   * sql_mode lacks NO_ZERO_DATE, NO_ZERO_IN_DATE or strict mode), so its
   * date and timestamp columns may hold some (the job's `zeroDates` says
   * what they become; the plan names those tables). Absent: no.
   */
  zeroDatesAllowed?: boolean;
  /**
   * Engine-private detail only a destination of the same engine reads
   * (PostgreSQL: `PgNativeCatalog` in providers/postgres/pg-native-catalog.ts —
   * routines, operators, types, triggers, policies, privileges, dependency
   * order). Opaque to the engine. Absent when there is none.
   */
  native?: unknown;
}

export function qualifiedKey(q: QualifiedName): string {
  return `${q.schema}.${q.name}`;
}
