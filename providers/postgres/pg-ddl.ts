/**
 * PostgreSQL DDL that recreates a Catalog on a destination server. Pre-data
 * creates what the rows need (schemas, extensions, types, sequences, tables);
 * post-data adds what is cheaper to build after loading (keys, constraints,
 * indexes), then views and replica identity. Every statement is safe to run
 * again after a partial run: existing objects are kept.
 */
import type { Catalog, ColumnDef, ConstraintDef, QualifiedName, SequenceDef, TableDef, ViewDef } from '../catalog.js';
import { dollarQuote, quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

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
 * (each group in order); `final` runs after all of them, in order — foreign
 * keys need the referenced keys, views and replica identity come last.
 */
export interface PostDataPlan {
  tables: TablePostData[];
  final: string[];
}

/** All DDL for `catalog`, as two ordered lists of single statements. */
export function buildSchemaDdl(catalog: Catalog): SchemaDdl {
  const perTable = catalog.tables.map((t) => ({ table: t, parts: tableParts(t) }));
  const postData = [
    ...perTable.flatMap((p) => p.parts.primary),
    ...perTable.flatMap((p) => p.parts.unique),
    ...perTable.flatMap((p) => p.parts.check),
    ...perTable.flatMap((p) => p.parts.exclude),
    ...perTable.flatMap((p) => p.parts.indexes),
    ...finalStatements(catalog),
  ];
  return { preData: preData(catalog), postData };
}

/** The post-data statements of `buildSchemaDdl`, grouped by partition tree for parallel building. */
export function buildPostDataPlan(catalog: Catalog): PostDataPlan {
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
    const p = tableParts(t);
    group.statements.push(...p.primary, ...p.unique, ...p.check, ...p.exclude, ...p.indexes);
  }
  return { tables: [...groups.values()].filter((g) => g.statements.length > 0), final: finalStatements(catalog) };
}

function preData(catalog: Catalog): string[] {
  const out: string[] = [];
  for (const s of catalog.schemas) out.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`);
  for (const e of catalog.extensions) {
    // CASCADE installs the extensions it requires, which the source had too
    out.push(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)} CASCADE`);
  }
  for (const e of catalog.enums) {
    const labels = e.labels.map(quoteLiteral).join(', ');
    out.push(ifNoType(e, `CREATE TYPE ${quoteQualified(e)} AS ENUM (${labels})`));
  }
  for (const d of catalog.domains ?? []) {
    let sql = `CREATE DOMAIN ${quoteQualified(d)} AS ${d.baseType}`;
    if (d.collation) sql += ` COLLATE ${quoteIdent(d.collation)}`;
    if (d.default !== null) sql += ` DEFAULT ${d.default}`;
    if (d.notNull) sql += ' NOT NULL';
    for (const c of d.constraints) sql += ` CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
    out.push(ifNoType(d, sql));
  }
  for (const s of catalog.sequences) {
    if (s.identity) continue;
    out.push(`CREATE SEQUENCE IF NOT EXISTS ${quoteQualified(s)} AS ${s.dataType} ${sequenceOptions(s)}`);
  }
  const byKey = new Map(catalog.tables.map((t) => [keyOf(t), t]));
  for (const t of catalog.tables) {
    const parent = t.partitionOf ? byKey.get(keyOf(t.partitionOf)) : undefined;
    out.push(createTable(t, parent, catalog.sequences));
    if (parent) out.push(...partitionColumnChanges(t, parent));
  }
  for (const s of catalog.sequences) {
    if (s.identity || !s.ownedBy || !byKey.has(keyOf(s.ownedBy.table))) continue;
    out.push(`ALTER SEQUENCE ${quoteQualified(s)} OWNED BY ${quoteQualified(s.ownedBy.table)}.${quoteIdent(s.ownedBy.column)}`);
  }
  for (const t of catalog.tables) {
    if (t.comment !== null) out.push(`COMMENT ON TABLE ${quoteQualified(t)} IS ${quoteLiteral(t.comment)}`);
    for (const c of t.columns) {
      if (c.comment == null) continue;
      out.push(`COMMENT ON COLUMN ${quoteQualified(t)}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment)}`);
    }
  }
  return out;
}

/** Types have no `CREATE … IF NOT EXISTS`: look the name up first. */
function ifNoType(q: QualifiedName, create: string): string {
  const body =
    `BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace` +
    ` WHERE n.nspname = ${quoteLiteral(q.schema)} AND t.typname = ${quoteLiteral(q.name)}) THEN ${create}; END IF; END`;
  return `DO ${dollarQuote(body)}`;
}

function sequenceOptions(s: SequenceDef): string {
  return (
    `INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}` +
    (s.cycle ? ' CYCLE' : ' NO CYCLE')
  );
}

function createTable(t: TableDef, parent: TableDef | undefined, sequences: SequenceDef[]): string {
  const head = `CREATE ${t.unlogged ? 'UNLOGGED ' : ''}TABLE IF NOT EXISTS ${quoteQualified(t)}`;
  // a partition takes its columns (with defaults, NOT NULL, identity, generation) from the parent
  const body = parent
    ? ` PARTITION OF ${quoteQualified(parent)} ${t.partitionBound ?? 'DEFAULT'}`
    : ` (\n  ${t.columns.map((c) => columnDefinition(t, c, sequences)).join(',\n  ')}\n)`;
  return head + body + (t.kind === 'partitioned' && t.partitionKey ? ` PARTITION BY ${t.partitionKey}` : '');
}

function columnDefinition(t: TableDef, c: ColumnDef, sequences: SequenceDef[]): string {
  let sql = `${quoteIdent(c.name)} ${c.nativeType}`;
  if (c.collation) sql += ` COLLATE ${quoteIdent(c.collation)}`;
  if (c.generated !== null) {
    sql += ` GENERATED ALWAYS AS (${c.generated}) ${c.generatedKind === 'virtual' ? 'VIRTUAL' : 'STORED'}`;
  } else if (c.identity) {
    const seq = sequences.find(
      (s) => s.identity && s.ownedBy && s.ownedBy.column === c.name && keyOf(s.ownedBy.table) === keyOf(t),
    );
    // ALWAYS identity is restored by finalizeDdl: while migrating, replicated updates must be able to set the column
    sql += ' GENERATED BY DEFAULT AS IDENTITY';
    if (seq) sql += ` (SEQUENCE NAME ${quoteQualified(seq)} ${sequenceOptions(seq)})`;
  } else if (c.default !== null) {
    sql += ` DEFAULT ${c.default}`;
  }
  if (!c.nullable) sql += ' NOT NULL';
  return sql;
}

/** Defaults and NOT NULL a partition has beyond (or instead of) what its parent gives it. */
function partitionColumnChanges(t: TableDef, parent: TableDef): string[] {
  const out: string[] = [];
  for (const c of t.columns) {
    const p = parent.columns.find((pc) => pc.name === c.name);
    if (!p || c.generated !== null || c.identity) continue;
    const alter = `ALTER TABLE ${quoteQualified(t)} ALTER COLUMN ${quoteIdent(c.name)}`;
    if (c.default !== p.default) out.push(c.default === null ? `${alter} DROP DEFAULT` : `${alter} SET DEFAULT ${c.default}`);
    if (!c.nullable && p.nullable) out.push(`${alter} SET NOT NULL`);
  }
  return out;
}

interface TableParts {
  primary: string[];
  unique: string[];
  check: string[];
  exclude: string[];
  indexes: string[];
}

function tableParts(t: TableDef): TableParts {
  const own = (kind: ConstraintDef['kind']): string[] =>
    t.constraints.filter((c) => c.kind === kind && !c.inherited).map((c) => addConstraint(t, c));
  const pk = t.primaryKey && !t.primaryKey.inherited ? [addConstraint(t, t.primaryKey)] : [];
  return {
    primary: pk,
    unique: own('unique'),
    check: own('check'),
    exclude: own('exclude'),
    indexes: t.indexes.map((i) => createIndexIfNotExists(i.definition)),
  };
}

/**
 * `ALTER TABLE … ADD CONSTRAINT` unless a constraint of that name exists.
 * Looking it up, rather than catching errors, keeps real failures visible.
 */
function addConstraint(t: TableDef, c: ConstraintDef): string {
  const body =
    `BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = ${quoteLiteral(quoteQualified(t))}::pg_catalog.regclass` +
    ` AND conname = ${quoteLiteral(c.name)}) THEN ALTER TABLE ${quoteQualified(t)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}; END IF; END`;
  return `DO ${dollarQuote(body)}`;
}

/**
 * Rewrites `pg_get_indexdef` output to `CREATE [UNIQUE] INDEX IF NOT EXISTS`.
 * It also drops `ON ONLY`, which PostgreSQL prints for a partitioned table's
 * index: built without it, the index cascades to (and attaches on) every
 * partition, which is what the source had.
 */
export function createIndexIfNotExists(definition: string): string {
  const head = /^CREATE (UNIQUE )?INDEX /.exec(definition);
  if (!head) throw new Error(`unexpected index definition: ${definition}`);
  let i = head[0].length;
  if (definition[i] === '"') {
    for (i++; i < definition.length; i++) {
      if (definition[i] !== '"') continue;
      if (definition[i + 1] === '"') i++;
      else break;
    }
    i++;
  } else {
    while (i < definition.length && definition[i] !== ' ') i++;
  }
  const name = definition.slice(head[0].length, i);
  let rest = definition.slice(i);
  if (!rest.startsWith(' ON ')) throw new Error(`unexpected index definition: ${definition}`);
  if (rest.startsWith(' ON ONLY ')) rest = ' ON ' + rest.slice(' ON ONLY '.length);
  return `CREATE ${head[1] ?? ''}INDEX IF NOT EXISTS ${name}${rest}`;
}

function finalStatements(catalog: Catalog): string[] {
  const tables = new Set(catalog.tables.map(keyOf));
  const out: string[] = [];
  for (const t of catalog.tables) {
    for (const c of t.constraints) {
      // a key to a table outside the selection cannot be created
      if (c.kind !== 'foreign' || c.inherited || (c.references && !tables.has(keyOf(c.references)))) continue;
      out.push(addConstraint(t, c));
    }
  }
  for (const v of viewOrder(catalog.views)) out.push(...createView(v));
  for (const t of catalog.tables) {
    const q = quoteQualified(t);
    if (t.replicaIdentity === 'full') out.push(`ALTER TABLE ${q} REPLICA IDENTITY FULL`);
    if (t.replicaIdentity === 'nothing') out.push(`ALTER TABLE ${q} REPLICA IDENTITY NOTHING`);
    if (t.replicaIdentity === 'index' && t.replicaIdentityIndex) {
      out.push(`ALTER TABLE ${q} REPLICA IDENTITY USING INDEX ${quoteIdent(t.replicaIdentityIndex)}`);
    }
  }
  return out;
}

function createView(v: ViewDef): string[] {
  const q = quoteQualified(v);
  const options = v.options && v.options.length > 0 ? ` WITH (${v.options.join(', ')})` : '';
  if (!v.materialized) return [`CREATE OR REPLACE VIEW ${q}${options} AS\n${v.definition}`];
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${q}${options} AS\n${v.definition}\nWITH DATA`,
    ...(v.indexes ?? []).map((i) => createIndexIfNotExists(i.definition)),
  ];
}

/** Views after the views they read; the catalog is usually ordered already, this makes sure. */
function viewOrder(views: ViewDef[]): ViewDef[] {
  const byKey = new Map(views.map((v) => [keyOf(v), v]));
  const done = new Set<string>();
  const out: ViewDef[] = [];
  const visit = (v: ViewDef, path: Set<string>): void => {
    const key = keyOf(v);
    if (done.has(key) || path.has(key)) return;
    path.add(key);
    for (const d of v.dependsOn) {
      const dep = byKey.get(keyOf(d));
      if (dep) visit(dep, path);
    }
    done.add(key);
    out.push(v);
  };
  for (const v of views) visit(v, new Set());
  return out;
}

/**
 * Statements that make the destination exactly like the source once the
 * migration is over (one-time: after the dump; continuous: at promote):
 * identity columns declared `GENERATED ALWAYS` on the source, created
 * `BY DEFAULT` so replicated writes could set them.
 */
export function finalizeDdl(catalog: Catalog): string[] {
  const out: string[] = [];
  for (const t of catalog.tables) {
    if (t.partitionOf) continue; // partitions follow their parent's identity
    for (const c of t.columns) {
      if (c.identity === 'always')
        out.push(`ALTER TABLE ${quoteQualified(t)} ALTER COLUMN ${quoteIdent(c.name)} SET GENERATED ALWAYS`);
    }
  }
  return out;
}
