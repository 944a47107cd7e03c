/**
 * PostgreSQL DDL that recreates a Catalog on a destination server, in three
 * phases. Pre-data: what the rows need — schemas, extensions, then every
 * schema object in dependency order (pg-ddl-ordered.ts), sequence
 * ownership, comments. Post-data: each table's own keys, constraints and
 * indexes (grouped per partition tree, built while other tables load), then
 * what needs them all — foreign keys, objects that need keys, materialized
 * view contents and indexes, triggers and rules (disabled), policies and row
 * security, statistics, replica identity, event triggers (disabled), owners
 * and privileges. Finalize: enable modes, forced row security, identity
 * ALWAYS. Every statement is safe to run again after a partial run.
 */
import type { SchemaSettings } from '../../contract/declaration.js';
import type { Catalog, QualifiedName, TableDef } from '../catalog.js';
import { orderedDdl } from './pg-ddl-ordered.js';
import { grantStatements, ownerStatements, roleSpec } from './pg-ddl-privileges.js';
import {
  enableRowSecurity,
  eventTriggerModeStatement,
  eventTriggerStatements,
  forceRowSecurity,
  policyStatement,
  ruleModeStatement,
  ruleStatements,
  statisticsStatements,
  triggerModeStatement,
  triggerPartitionModeStatements,
  triggerStatements,
} from './pg-ddl-table-objects.js';
import { addConstraint, createIndexIfNotExists, execute, onServerVersion, tableExtras, tablePostData } from './pg-ddl-tables.js';
import { pgNative } from './pg-native-catalog.js';
import { dollarQuote, quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

export { createIndexIfNotExists } from './pg-ddl-tables.js';

/** Owners and grants as on the source: the default of SchemaSettings. */
export const KEEP_ALL: SchemaSettings = { owners: 'keep', grants: 'keep' };

/** Map key of a qualified name; unlike `schema.name` it cannot collide when names contain dots. */
const keyOf = (q: QualifiedName): string => JSON.stringify([q.schema, q.name]);

export interface SchemaDdl {
  /** Before loading rows, in order. */
  preData: string[];
  /** After loading rows, in order. */
  postData: string[];
}

/** The post-data statements of one partition tree (or plain table); they run in order. */
export interface TablePostData {
  /** The plain table, or the root of the partition tree. */
  table: QualifiedName;
  statements: string[];
}

/**
 * Post-data split for parallel work: `tables` groups may run concurrently
 * (each group in order); `final` runs after all of them, in order.
 */
export interface PostDataPlan {
  tables: TablePostData[];
  final: string[];
}

/**
 * The session the phases run in, as pg_dump sets it: definitions name every
 * object with its schema, and function bodies are not checked while
 * creating (they may name objects created later).
 */
const SESSION = ["SELECT pg_catalog.set_config('search_path', '', false)", 'SET check_function_bodies = false'];
const RESET_SESSION = ['RESET search_path', 'RESET check_function_bodies'];

/** All DDL for `catalog`, as two ordered lists of single statements. */
export function buildSchemaDdl(catalog: Catalog, settings: SchemaSettings = KEEP_ALL): SchemaDdl {
  const plan = buildPostDataPlan(catalog, settings);
  return { preData: preData(catalog), postData: [...plan.tables.flatMap((g) => g.statements), ...plan.final] };
}

/** The post-data statements of `buildSchemaDdl`, grouped by partition tree for parallel building. */
export function buildPostDataPlan(catalog: Catalog, settings: SchemaSettings = KEEP_ALL): PostDataPlan {
  const n = pgNative(catalog);
  const byKey = new Map(catalog.tables.map((t) => [keyOf(t), t]));
  const rootOf = (t: TableDef): TableDef => {
    const parent = t.partitionOf ? byKey.get(keyOf(t.partitionOf)) : undefined;
    return parent ? rootOf(parent) : t;
  };
  const groups = new Map<string, TablePostData>();
  // catalog order puts parents first, so a parent's key recurses before its partitions are touched
  for (const t of catalog.tables) {
    const root = rootOf(t);
    const key = keyOf(root);
    const group = groups.get(key) ?? { table: { schema: root.schema, name: root.name }, statements: [] };
    groups.set(key, group);
    group.statements.push(...tablePostData(t, tableExtras(n, t).notNulls));
  }
  return { tables: [...groups.values()].filter((g) => g.statements.length > 0), final: finalStatements(catalog, settings) };
}

function preData(catalog: Catalog): string[] {
  const out: string[] = [...SESSION];
  for (const s of catalog.schemas) out.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`);
  const n = pgNative(catalog);
  for (const e of catalog.extensions) {
    // CASCADE installs the extensions it requires, which the source had too
    const create = `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`;
    const version = n.extensionVersions?.[e.name];
    if (!version) {
      out.push(`${create} CASCADE`);
      continue;
    }
    // the source's version where the destination has it; otherwise its default (checkCatalog warns)
    const body =
      `BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extension_versions WHERE name = ${quoteLiteral(e.name)} AND version = ${quoteLiteral(version)})` +
      ` THEN ${create} VERSION ${quoteLiteral(version)} CASCADE; ELSE ${create} CASCADE; END IF; END`;
    out.push(`DO ${dollarQuote(body)}`);
  }
  out.push(...orderedDdl(catalog).preData);
  const byKey = new Map(catalog.tables.map((t) => [keyOf(t), t]));
  for (const s of catalog.sequences) {
    if (s.identity || !s.ownedBy || !byKey.has(keyOf(s.ownedBy.table))) continue;
    out.push(`ALTER SEQUENCE ${quoteQualified(s)} OWNED BY ${quoteQualified(s.ownedBy.table)}.${quoteIdent(s.ownedBy.column)}`);
  }
  for (const s of catalog.sequences) {
    if (s.identity && s.comment != null) out.push(`COMMENT ON SEQUENCE ${quoteQualified(s)} IS ${quoteLiteral(s.comment)}`);
  }
  out.push(...sequencePersistence(catalog));
  for (const s of pgNative(catalog).schemas) {
    if (s.comment !== null) out.push(`COMMENT ON SCHEMA ${quoteIdent(s.name)} IS ${quoteLiteral(s.comment)}`);
  }
  return [...out, ...RESET_SESSION];
}

/**
 * UNLOGGED sequences (PostgreSQL 15+) as on the source: created logged, then
 * set unlogged; the identity sequences of an unlogged table, which 15+
 * creates unlogged, set logged where the source's were (a source before 15).
 * Destinations before 15 have no unlogged sequences (checkCatalog warns).
 */
function sequencePersistence(catalog: Catalog): string[] {
  const unlogged = new Set((pgNative(catalog).unloggedSequences ?? []).map(keyOf));
  const tables = new Map(catalog.tables.map((t) => [keyOf(t), t]));
  const body: string[] = [];
  for (const s of catalog.sequences) {
    const q = quoteQualified(s);
    if (unlogged.has(keyOf(s))) body.push(execute(`ALTER SEQUENCE ${q} SET UNLOGGED`));
    else if (s.ownedBy && tables.get(keyOf(s.ownedBy.table))?.unlogged) body.push(execute(`ALTER SEQUENCE ${q} SET LOGGED`));
  }
  return onServerVersion(150000, body);
}

const comment = (on: string, text: string | null | undefined): string[] =>
  text == null ? [] : [`COMMENT ON ${on} IS ${quoteLiteral(text)}`];

function finalStatements(catalog: Catalog, settings: SchemaSettings): string[] {
  const n = pgNative(catalog);
  const out: string[] = [...SESSION];
  for (const t of catalog.tables) {
    // the introspector leaves out keys to tables outside the selection (and reports them)
    for (const c of t.constraints) if (c.kind === 'foreign' && !c.inherited) out.push(addConstraint(t, c));
  }
  out.push(...orderedDdl(catalog).late);
  // functions a materialized view calls may rely on the default search_path
  out.push('RESET search_path');
  for (const v of catalog.views) {
    if (!v.materialized) continue;
    const q = quoteQualified(v);
    if (v.populated !== false) {
      const body = `BEGIN IF NOT (SELECT relispopulated FROM pg_catalog.pg_class WHERE oid = ${quoteLiteral(q)}::pg_catalog.regclass) THEN REFRESH MATERIALIZED VIEW ${q}; END IF; END`;
      out.push(`DO ${dollarQuote(body)}`);
    }
    for (const i of v.indexes ?? []) out.push(createIndexIfNotExists(i.definition), ...indexComment(v, i));
  }
  out.push(SESSION[0] as string);
  for (const t of catalog.tables) {
    for (const c of [...(t.primaryKey ? [t.primaryKey] : []), ...t.constraints]) {
      if (!c.inherited) out.push(...comment(`CONSTRAINT ${quoteIdent(c.name)} ON ${quoteQualified(t)}`, c.comment));
    }
    for (const i of t.indexes) out.push(...indexComment(t, i));
    if (t.clusterOn) out.push(`ALTER TABLE ${quoteQualified(t)} CLUSTER ON ${quoteIdent(t.clusterOn)}`);
  }
  const on = (x: { name: string; table: QualifiedName }) => `${quoteIdent(x.name)} ON ${quoteQualified(x.table)}`;
  for (const t of n.triggers) out.push(...triggerStatements(t), ...comment(`TRIGGER ${on(t)}`, t.comment));
  for (const r of n.rules) out.push(...ruleStatements(r), ...comment(`RULE ${on(r)}`, r.comment));
  const role = roleSpec(catalog);
  for (const p of n.policies) out.push(policyStatement(p, role), ...comment(`POLICY ${on(p)}`, p.comment));
  for (const t of catalog.tables) {
    const sql = enableRowSecurity(t);
    if (sql) out.push(sql);
  }
  for (const s of n.statistics) out.push(...statisticsStatements(s), ...comment(`STATISTICS ${quoteQualified(s)}`, s.comment));
  for (const t of catalog.tables) {
    const q = quoteQualified(t);
    if (t.replicaIdentity === 'full') out.push(`ALTER TABLE ${q} REPLICA IDENTITY FULL`);
    if (t.replicaIdentity === 'nothing') out.push(`ALTER TABLE ${q} REPLICA IDENTITY NOTHING`);
    if (t.replicaIdentity === 'index' && t.replicaIdentityIndex) {
      out.push(`ALTER TABLE ${q} REPLICA IDENTITY USING INDEX ${quoteIdent(t.replicaIdentityIndex)}`);
    }
  }
  for (const e of n.eventTriggers) {
    out.push(...eventTriggerStatements(e), ...comment(`EVENT TRIGGER ${quoteIdent(e.name)}`, e.comment));
  }
  out.push(...ownerStatements(catalog, settings), ...grantStatements(catalog, settings));
  return [...out, ...RESET_SESSION];
}

function indexComment(owner: QualifiedName, i: { name: string; comment?: string | null }): string[] {
  return comment(`INDEX ${quoteQualified({ schema: owner.schema, name: i.name })}`, i.comment);
}

/**
 * Statements that make the destination exactly like the source once no
 * more changes will be applied (one-time: after the dump; continuous: at
 * promote): identity columns declared `GENERATED ALWAYS` (created `BY
 * DEFAULT` so replicated writes could set them), triggers and rules back to
 * their source enable mode, forced row security, and — last, so they never
 * see our own DDL — event triggers.
 */
export function finalizeDdl(catalog: Catalog): string[] {
  const n = pgNative(catalog);
  const out: string[] = [];
  for (const t of catalog.tables) {
    if (t.partitionOf) continue; // partitions follow their parent's identity
    for (const c of t.columns) {
      if (c.identity === 'always' && !c.inherited) {
        out.push(`ALTER TABLE ${quoteQualified(t)} ALTER COLUMN ${quoteIdent(c.name)} SET GENERATED ALWAYS`);
      }
    }
  }
  for (const t of n.triggers) {
    const sql = triggerModeStatement(t);
    if (sql) out.push(sql, ...triggerPartitionModeStatements(t));
  }
  for (const sql of n.rules.map(ruleModeStatement)) if (sql) out.push(sql);
  for (const t of catalog.tables) {
    const sql = forceRowSecurity(t);
    if (sql) out.push(sql);
  }
  out.push(...n.eventTriggers.map(eventTriggerModeStatement));
  return out;
}
