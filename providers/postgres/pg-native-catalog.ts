/**
 * The PostgreSQL-only part of a Catalog (`Catalog.native`): every schema
 * object of the selection that has no engine-neutral model — routines,
 * aggregates, operators, casts, collations, composite and range types,
 * triggers, rules, policies, extended statistics, event triggers, schema
 * privileges, default privileges — and the dependencies that order their
 * creation. Written by the PostgreSQL introspector, read only by the
 * PostgreSQL destination. Texts are the source server's own deparsed forms,
 * read with an empty `search_path` so every name is schema-qualified.
 */
import type { Catalog, Ownership, QualifiedName } from '../catalog.js';

/** A selected schema as a whole. */
export interface PgSchemaDef extends Ownership {
  name: string;
  comment: string | null;
}

/** A function or procedure (not an aggregate). */
export interface PgRoutineDef extends QualifiedName, Ownership {
  kind: 'function' | 'procedure' | 'window';
  /** Input argument types as a signature for ALTER/GRANT/COMMENT, e.g. `integer, text`. */
  args: string;
  /** `pg_get_functiondef`: a complete `CREATE OR REPLACE …` statement. */
  definition: string;
  comment: string | null;
}

/** `CREATE AGGREGATE` fields (PostgreSQL `pg_aggregate`); null/false fields are left at their defaults. */
export interface PgAggregateDef extends QualifiedName, Ownership {
  /** Input argument types for ALTER/GRANT/COMMENT, e.g. `numeric`. */
  args: string;
  /** The `CREATE AGGREGATE name (…)` argument list; ordered-set ones read `direct ORDER BY aggregated`. */
  signature: string;
  kind: 'normal' | 'ordered-set' | 'hypothetical';
  sfunc: string;
  stype: string;
  sspace: number;
  finalfunc: string | null;
  finalfuncExtra: boolean;
  /** `read_only`, `shareable` or `read_write`; written only with a final function. */
  finalfuncModify: string;
  combinefunc: string | null;
  serialfunc: string | null;
  deserialfunc: string | null;
  initcond: string | null;
  msfunc: string | null;
  minvfunc: string | null;
  mstype: string | null;
  msspace: number;
  mfinalfunc: string | null;
  mfinalfuncExtra: boolean;
  mfinalfuncModify: string;
  minitcond: string | null;
  /** Qualified operator, e.g. `pg_catalog.>`. */
  sortop: string | null;
  /** `safe` / `restricted`; null for the default (unsafe). */
  parallel: string | null;
  comment: string | null;
}

export interface PgOperatorDef extends QualifiedName, Ownership {
  /** Left operand type, null for a prefix operator. */
  left: string | null;
  right: string | null;
  /** Qualified function name. */
  function: string;
  /** Qualified operator names, e.g. `public.===`. */
  commutator: string | null;
  negator: string | null;
  restrict: string | null;
  join: string | null;
  hashes: boolean;
  merges: boolean;
  comment: string | null;
}

export interface PgCastDef {
  source: string;
  target: string;
  method: 'function' | 'binary' | 'inout';
  /** `schema.name(argtypes)` when `method` is `function`. */
  function: string | null;
  context: 'explicit' | 'assignment' | 'implicit';
  comment: string | null;
}

export interface PgCollationDef extends QualifiedName, Ownership {
  provider: 'libc' | 'icu' | 'builtin';
  /** libc LC_COLLATE / LC_CTYPE. */
  collate: string | null;
  ctype: string | null;
  /** ICU or builtin locale. */
  locale: string | null;
  deterministic: boolean;
  /** ICU tailoring rules (PostgreSQL 16+). */
  rules: string | null;
  comment: string | null;
}

export interface PgCompositeAttribute {
  name: string;
  type: string;
  collation: string | null;
  comment: string | null;
}

export interface PgCompositeTypeDef extends QualifiedName, Ownership {
  attributes: PgCompositeAttribute[];
  comment: string | null;
}

export interface PgRangeTypeDef extends QualifiedName, Ownership {
  subtype: string;
  /** Qualified operator class, null when the subtype's default. */
  subtypeOpclass: string | null;
  collation: string | null;
  canonical: string | null;
  subtypeDiff: string | null;
  /** The multirange type, only when not the name PostgreSQL would choose (14+). */
  multirange: QualifiedName | null;
  comment: string | null;
}

/** PostgreSQL enable modes (`tgenabled`, `ev_enabled`, `evtenabled`). */
export type PgEnableMode = 'origin' | 'disabled' | 'replica' | 'always';

export interface PgTriggerDef {
  /** The table or view the trigger is on. */
  table: QualifiedName;
  name: string;
  /** `pg_get_triggerdef`: `CREATE [CONSTRAINT] TRIGGER …`. */
  definition: string;
  enabled: PgEnableMode;
  /**
   * A partitioned table's trigger clones itself onto every partition; a
   * partition whose clone has another mode than its parent's clone (set by
   * `ALTER TABLE partition ENABLE … TRIGGER`) is listed, parents before
   * their own partitions. Default none.
   */
  partitions?: { table: QualifiedName; enabled: PgEnableMode }[];
  /** An INSTEAD OF trigger of a view: views' triggers cannot be disabled (and replicated rows never go through a view). Default false. */
  onView?: boolean;
  comment: string | null;
}

export interface PgRuleDef {
  /** The table or view the rule is on. */
  table: QualifiedName;
  name: string;
  /** `pg_get_ruledef` without the final `;`. */
  definition: string;
  enabled: PgEnableMode;
  /** On a view: rules of views cannot be disabled (and never see replicated rows). */
  onView: boolean;
  comment: string | null;
}

export interface PgPolicyDef {
  table: QualifiedName;
  name: string;
  permissive: boolean;
  command: 'ALL' | 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  /** Role names; empty means PUBLIC. */
  roles: string[];
  using: string | null;
  check: string | null;
  comment: string | null;
}

export interface PgStatisticsDef extends QualifiedName, Ownership {
  table: QualifiedName;
  /** `pg_get_statisticsobjdef`: `CREATE STATISTICS …`. */
  definition: string;
  /** Statistics target when set (`ALTER STATISTICS … SET STATISTICS`). */
  target: number | null;
  comment: string | null;
}

export interface PgEventTriggerDef extends Ownership {
  name: string;
  event: string;
  /** `WHEN TAG IN (…)`, null for every command. */
  tags: string[] | null;
  /** Qualified function name. */
  function: string;
  enabled: PgEnableMode;
  comment: string | null;
}

export interface PgDefaultPrivilegeDef {
  /** The role whose new objects get the privileges. */
  role: string;
  schema: string;
  objectType: 'tables' | 'sequences' | 'functions' | 'types' | 'schemas';
  /** aclitem texts granted on top of the built-in defaults. */
  acl: string[];
}

/**
 * `from` needs `to` to exist first (keys from pg-object-key.ts). With `part`,
 * only that separable piece of `from` needs it (a column default, a domain
 * CHECK or default): when the two are in a cycle, the piece is created on
 * its own after `to`, as pg_dump does.
 */
export interface PgDependency {
  from: string;
  to: string;
  part?: string;
}

/**
 * A NOT NULL constraint as PostgreSQL 18 keeps it (`pg_constraint.contype =
 * 'n'`), listed only when a destination would not recreate it from the
 * column's NOT NULL alone: a name other than the default
 * `<table>_<column>_not_null`, NO INHERIT, or NOT VALID (its column reads
 * nullable in the TableDef; the constraint is added after the rows).
 * Inherited copies are left to inheritance.
 */
export interface PgNotNullDef {
  table: QualifiedName;
  column: string;
  name: string;
  validated: boolean;
  noInherit: boolean;
}

/** `CREATE TABLE … OF type`: the table's columns come from a composite type. */
export interface PgTypedTableDef {
  table: QualifiedName;
  /** The composite type, schema-qualified as `format_type` prints it. */
  type: string;
}

export interface PgNativeCatalog {
  format: 'pg-native/1';
  /** Selected schemas (owner, privileges, comment); every name of `Catalog.schemas` is created. */
  schemas: PgSchemaDef[];
  routines: PgRoutineDef[];
  aggregates: PgAggregateDef[];
  operators: PgOperatorDef[];
  casts: PgCastDef[];
  collations: PgCollationDef[];
  composites: PgCompositeTypeDef[];
  ranges: PgRangeTypeDef[];
  triggers: PgTriggerDef[];
  rules: PgRuleDef[];
  policies: PgPolicyDef[];
  statistics: PgStatisticsDef[];
  eventTriggers: PgEventTriggerDef[];
  defaultPrivileges: PgDefaultPrivilegeDef[];
  /** Typed tables of the selection. Default none. */
  typedTables?: PgTypedTableDef[];
  /** Sequences that are UNLOGGED on the source (PostgreSQL 15+). Default none. */
  unloggedSequences?: QualifiedName[];
  /** Installed version of each extension of `Catalog.extensions`, by name. Default none (the destination's default). */
  extensionVersions?: Record<string, string>;
  /** NOT NULL constraints beyond what the columns' NOT NULL recreates (PostgreSQL 18+ sources). Default none. */
  notNulls?: PgNotNullDef[];
  /** Creation-order dependencies among the objects above and the neutral ones (tables, views, types…). */
  dependencies: PgDependency[];
}

/** An empty native part (catalogs from elsewhere, or with nothing beyond tables). */
export function emptyPgNative(): PgNativeCatalog {
  return {
    format: 'pg-native/1',
    schemas: [],
    routines: [],
    aggregates: [],
    operators: [],
    casts: [],
    collations: [],
    composites: [],
    ranges: [],
    triggers: [],
    rules: [],
    policies: [],
    statistics: [],
    eventTriggers: [],
    defaultPrivileges: [],
    dependencies: [],
  };
}

/** The PostgreSQL part of `catalog`, or an empty one when it has none (or comes from another engine). */
export function pgNative(catalog: Catalog): PgNativeCatalog {
  const n = catalog.native as Partial<PgNativeCatalog> | undefined;
  if (catalog.engine !== 'postgres' || !n || n.format !== 'pg-native/1') return emptyPgNative();
  return { ...emptyPgNative(), ...n };
}
