import type { EngineKind } from '../engine/config/declaration.js';

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
  /**
   * True when the value's binary COPY form carries no database-specific OIDs
   * (built-in scalar types and arrays of them), so binary COPY is safe
   * between two servers.
   */
  binarySafe: boolean;
  /** Column comment; absent or null when none. */
  comment?: string | null;
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
}

export interface IndexDef {
  name: string;
  /** Native `CREATE INDEX` statement (PostgreSQL: `pg_get_indexdef`). */
  definition: string;
}

export type TableKind = 'table' | 'partitioned';

export interface TableDef extends QualifiedName {
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
}

export interface SequenceDef extends QualifiedName {
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
}

export interface EnumDef extends QualifiedName {
  labels: string[];
}

export interface ViewDef extends QualifiedName {
  /** The SELECT body. */
  definition: string;
  materialized: boolean;
  /** Views this view reads from (for creation order). */
  dependsOn: QualifiedName[];
  /** View options as `name=value` (PostgreSQL `reloptions`, e.g. `check_option=local`). Default none. */
  options?: string[];
  /** Indexes of a materialized view. Default none. */
  indexes?: IndexDef[];
}

export interface DomainConstraintDef {
  name: string;
  /** Native definition, e.g. `CHECK (VALUE > 0)`. */
  definition: string;
}

/** A user-defined domain (PostgreSQL `CREATE DOMAIN`). */
export interface DomainDef extends QualifiedName {
  /** Native type text of the base type. */
  baseType: string;
  notNull: boolean;
  default: string | null;
  collation: string | null;
  constraints: DomainConstraintDef[];
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
}

/** What a source's selection contains, in the source engine's terms. */
export interface Catalog {
  engine: EngineKind;
  serverVersion: string;
  database: string;
  schemas: string[];
  extensions: ExtensionDef[];
  enums: EnumDef[];
  /** Domains used by selected columns, bases before the domains built on them. Default none. */
  domains?: DomainDef[];
  sequences: SequenceDef[];
  /** Selected tables: partitioned parents come before their partitions. */
  tables: TableDef[];
  views: ViewDef[];
  /** What exists in the selection but is not migrated, each with its reason. Default none. */
  notMigrated?: NotMigratedObject[];
}

export function qualifiedKey(q: QualifiedName): string {
  return `${q.schema}.${q.name}`;
}
