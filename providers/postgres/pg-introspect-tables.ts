/**
 * Selected tables of a PostgreSQL database as TableDefs: partitions and
 * inheritance children with their parents, columns with defaults, identity,
 * generation, collation, storage, statistics, compression and options,
 * constraints and indexes, storage parameters, row-level security, owners
 * and privileges. A partition is selected when it or any ancestor matches;
 * it stays a partition when its parent is selected, otherwise it becomes a
 * standalone table (the same holds for inheritance).
 */
import type { ColumnDef, ConstraintDef, ConstraintKind, QualifiedName, TableDef } from '../catalog.js';
import type { PgObjectGraph } from './pg-object-graph.js';
import {
  USER_SCHEMA,
  byKey,
  groupBy,
  isTrue,
  jsonOf,
  notExtensionMember,
  req,
  rows,
  type Row,
  type Queryable,
} from './pg-rows.js';
import { binarySafe } from './pg-binary-safe.js';

/** A user table and its parents, as OIDs (text). */
export interface Relation {
  oid: string;
  name: QualifiedName;
  kind: string;
  /** Partition parent. */
  parent: string | null;
  /** Plain-inheritance parents, in order. */
  inherits: string[];
}

const Q_RELATIONS = `
select c.oid::text as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind,
  case when c.relispartition then (select i.inhparent::text from pg_inherits i where i.inhrelid = c.oid) end as parent,
  case when not c.relispartition then (select json_agg(i.inhparent::text order by i.inhseqno) from pg_inherits i
    where i.inhrelid = c.oid)::text end as inherits
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and ${USER_SCHEMA} and ${notExtensionMember('pg_class', 'c.oid')}`;

const Q_TABLE_DETAILS = `
select c.oid::text as oid,
  case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end as bound,
  case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partkey,
  c.reltuples::text as tuples, c.relpages::text as pages, pg_table_size(c.oid)::text as bytes,
  c.relreplident::text as replident, c.relpersistence::text as persistence,
  (select ic.relname from pg_index i join pg_class ic on ic.oid = i.indexrelid
    where i.indrelid = c.oid and i.indisreplident) as replident_index,
  obj_description(c.oid, 'pg_class') as comment,
  array_to_json(c.reloptions)::text as options,
  (select array_to_json(t.reloptions)::text from pg_class t where t.oid = c.reltoastrelid) as toast_options,
  c.relrowsecurity::text as rls, c.relforcerowsecurity::text as force_rls,
  pg_get_userbyid(c.relowner) as owner, array_to_json(c.relacl::text[])::text as acl,
  (select a.amname from pg_am a where a.oid = c.relam and a.amname <> 'heap') as access_method,
  (select ic.relname from pg_index i join pg_class ic on ic.oid = i.indexrelid
    where i.indrelid = c.oid and i.indisclustered) as cluster_on
from pg_class c where c.oid = any($1::oid[])`;

const qColumns = (versionNum: number): string => `
select a.attrelid::text as rel, a.attname as name, a.atttypid::text as typid,
  format_type(a.atttypid, a.atttypmod) as type, a.attnotnull::text as notnull,
  pg_get_expr(d.adbin, d.adrelid) as expr, a.attidentity::text as identity, a.attgenerated::text as generated,
  case when a.attcollation <> t.typcollation then co.collname end as collation,
  case when a.attcollation <> t.typcollation and cn.nspname <> 'pg_catalog' then cn.nspname end as collation_schema,
  col_description(a.attrelid, a.attnum) as comment,
  a.attstorage::text as storage, t.typstorage::text as type_storage,
  nullif(a.attstattarget, -1)::text as stattarget,
  ${versionNum >= 140000 ? 'a.attcompression::text' : "''"} as compression,
  array_to_json(a.attoptions)::text as options, a.attislocal::text as local,
  array_to_json(a.attacl::text[])::text as acl
from pg_attribute a join pg_type t on t.oid = a.atttypid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
left join pg_collation co on co.oid = a.attcollation left join pg_namespace cn on cn.oid = co.collnamespace
where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum`;

/**
 * `clone` marks the per-partition copies PostgreSQL adds on the referencing
 * table for a foreign key to a partitioned table: the one foreign key recreates them.
 */
const Q_CONSTRAINTS = `
select c.oid::text as oid, c.conrelid::text as rel, c.conname as name, c.contype::text as type,
  pg_get_constraintdef(c.oid, true) as def,
  (not c.conislocal or c.conparentid <> 0)::text as inherited,
  coalesce(p.conrelid = c.conrelid, false)::text as clone,
  (select json_agg(a.attname order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum)::text as columns,
  rn.nspname as ref_schema, rc.relname as ref_name, obj_description(c.oid, 'pg_constraint') as comment
from pg_constraint c
left join pg_constraint p on p.oid = c.conparentid
left join pg_class rc on rc.oid = c.confrelid
left join pg_namespace rn on rn.oid = rc.relnamespace
where c.conrelid = any($1::oid[]) and c.contype in ('p', 'u', 'c', 'f', 'x')
order by c.conrelid, c.conname`;

/** Indexes not backing a constraint; also used for materialized views. */
export const Q_INDEXES = `
select i.indexrelid::text as oid, i.indrelid::text as rel, ic.relname as name, pg_get_indexdef(i.indexrelid) as def,
  exists (select 1 from pg_inherits h where h.inhrelid = i.indexrelid)::text as attached,
  obj_description(i.indexrelid, 'pg_class') as comment
from pg_index i join pg_class ic on ic.oid = i.indexrelid
where i.indrelid = any($1::oid[]) and i.indislive and (i.indisvalid or ic.relkind = 'I')
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid
    and c.conrelid = i.indrelid and c.contype in ('p', 'u', 'x'))
order by ic.relname`;

/** Every user table, to resolve partition and inheritance parents of the selection. */
export async function readRelations(client: Queryable): Promise<Map<string, Relation>> {
  const relations = new Map<string, Relation>();
  for (const r of await rows(client, Q_RELATIONS)) {
    const oid = req(r, 'oid');
    relations.set(oid, {
      oid,
      name: { schema: req(r, 'schema'), name: req(r, 'name') },
      kind: req(r, 'kind'),
      parent: r.parent ?? null,
      inherits: jsonOf<string[]>(r.inherits, []),
    });
  }
  return relations;
}

/** Tables `match` selects (or whose partition ancestor it selects), parents before children. */
export function chooseTables(relations: Map<string, Relation>, match: (schema: string, table: string) => boolean): Relation[] {
  const selected = (rel: Relation | undefined): boolean =>
    !!rel && (match(rel.name.schema, rel.name.name) || selected(rel.parent ? relations.get(rel.parent) : undefined));
  const chosen = new Set([...relations.values()].filter((rel) => selected(rel)).map((r) => r.oid));
  const depth = (rel: Relation, seen = new Set<string>()): number => {
    if (seen.has(rel.oid)) return 0;
    seen.add(rel.oid);
    const parents = [rel.parent, ...rel.inherits].filter((p): p is string => !!p && chosen.has(p));
    return parents.reduce((d, p) => Math.max(d, 1 + depth(relations.get(p) as Relation, seen)), 0);
  };
  return [...relations.values()]
    .filter((rel) => chosen.has(rel.oid))
    .map((rel) => ({ rel, depth: depth(rel) }))
    .sort((a, b) => a.depth - b.depth || byKey(a.rel.name, b.rel.name))
    .map((x) => x.rel);
}

/** TableDefs of `chosen` (in that order); constraints and indexes only where the object graph migrates them. */
export async function readTables(
  client: Queryable,
  versionNum: number,
  chosen: Relation[],
  graph: PgObjectGraph,
): Promise<TableDef[]> {
  const oids = chosen.map((rel) => rel.oid);
  const tableSet = new Set(oids);
  const byOid = new Map(chosen.map((r) => [r.oid, r]));
  const details = new Map((await rows(client, Q_TABLE_DETAILS, [oids])).map((r) => [req(r, 'oid'), r]));
  const columnRows = await rows(client, qColumns(versionNum), [oids]);
  const typeOids = [...new Set(columnRows.map((r) => req(r, 'typid')))];
  const safe = await binarySafe(client, typeOids);
  const columnsOf = groupBy(columnRows, 'rel');
  const migrated = (oid: string, cls: string) => graph.migrated.has(`${cls}:${oid}`);
  const constraintsOf = groupBy(
    (await rows(client, Q_CONSTRAINTS, [oids])).filter((r) => migrated(req(r, 'oid'), 'pg_constraint')),
    'rel',
  );
  const indexesOf = groupBy(
    (await rows(client, Q_INDEXES, [oids])).filter((r) => migrated(req(r, 'oid'), 'pg_class')),
    'rel',
  );

  const tables = chosen.map((rel): TableDef => {
    const d = details.get(rel.oid) ?? {};
    const parent = rel.parent && tableSet.has(rel.parent) ? byOid.get(rel.parent) : undefined;
    const inherits = rel.inherits.filter((p) => tableSet.has(p)).map((p) => byOid.get(p) as Relation);
    const child = !!parent || inherits.length > 0;
    const parentColumns = (name: string): Row | undefined =>
      [parent, ...inherits].flatMap((p) => (p ? (columnsOf.get(p.oid) ?? []) : [])).find((c) => c.name === name);
    const constraints = (constraintsOf.get(rel.oid) ?? []).filter((r) => !isTrue(r.clone)).map((r) => toConstraint(r, child));
    const replident = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;
    const t: TableDef = {
      ...rel.name,
      kind: rel.kind === 'p' ? 'partitioned' : 'table',
      partitionOf: parent ? parent.name : null,
      partitionBound: parent ? (d.bound ?? null) : null,
      partitionKey: d.partkey ?? null,
      columns: (columnsOf.get(rel.oid) ?? []).map((r) =>
        toColumn(r, safe, child ? parentColumns(req(r, 'name')) : undefined, inherits.length > 0),
      ),
      primaryKey: constraints.find((c) => c.kind === 'primary') ?? null,
      constraints: constraints.filter((c) => c.kind !== 'primary' && !c.inherited),
      indexes: (indexesOf.get(rel.oid) ?? [])
        .filter((r) => !(parent && isTrue(r.attached)))
        .map((r) => ({
          name: req(r, 'name'),
          definition: req(r, 'def'),
          ...(r.comment != null ? { comment: r.comment } : {}),
        })),
      estimatedRows: Math.max(0, Math.round(Number(d.tuples ?? 0))),
      estimatedBytes: Number(d.bytes ?? 0),
      pages: Number(d.pages ?? 0),
      replicaIdentity: replident[(d.replident ?? 'd') as keyof typeof replident] ?? 'default',
      replicaIdentityIndex: d.replident === 'i' ? (d.replident_index ?? null) : null,
      unlogged: d.persistence === 'u',
      comment: d.comment ?? null,
      owner: d.owner ?? null,
      acl: jsonOf<string[] | null>(d.acl, null),
    };
    const options = [...jsonOf<string[]>(d.options, []), ...jsonOf<string[]>(d.toast_options, []).map((o) => `toast.${o}`)];
    if (options.length) t.options = options;
    if (inherits.length) t.inherits = inherits.map((p) => p.name);
    if (d.access_method) t.accessMethod = d.access_method;
    if (d.cluster_on) t.clusterOn = d.cluster_on;
    if (isTrue(d.rls)) t.rowSecurity = isTrue(d.force_rls) ? 'forced' : 'enabled';
    return t;
  });
  return tables;
}

function toConstraint(r: Row, child: boolean): ConstraintDef {
  const kinds: Record<string, ConstraintKind> = { p: 'primary', u: 'unique', c: 'check', f: 'foreign', x: 'exclude' };
  const kind = kinds[req(r, 'type')];
  if (!kind) throw new Error(`unexpected constraint type ${r.type}`);
  const c: ConstraintDef = {
    name: req(r, 'name'),
    kind,
    definition: req(r, 'def'),
    columns: jsonOf<string[]>(r.columns, []),
    references: r.ref_schema && r.ref_name ? { schema: r.ref_schema, name: r.ref_name } : null,
  };
  // only a child gets its inherited constraints from a parent we also create
  if (child && isTrue(r.inherited)) c.inherited = true;
  if (r.comment != null) c.comment = r.comment;
  return c;
}

const STORAGE: Record<string, string> = { p: 'plain', e: 'external', m: 'main', x: 'extended' };
const COMPRESSION: Record<string, string> = { p: 'pglz', l: 'lz4', '': 'default' };

/**
 * `parent` is the same column of the table's parent, when it has one:
 * children start with the parent's storage and compression, so only a
 * difference from it needs setting.
 */
function toColumn(r: Row, safe: (typid: string) => boolean, parent: Row | undefined, inherits: boolean): ColumnDef {
  const generated = r.generated === 's' || r.generated === 'v';
  const col: ColumnDef = {
    name: req(r, 'name'),
    nativeType: req(r, 'type'),
    nullable: !isTrue(r.notnull),
    default: generated ? null : (r.expr ?? null),
    identity: r.identity === 'a' ? 'always' : r.identity === 'd' ? 'by-default' : null,
    generated: generated ? (r.expr ?? null) : null,
    collation: r.collation ?? null,
    binarySafe: safe(req(r, 'typid')),
    comment: r.comment ?? null,
  };
  if (r.generated === 'v') col.generatedKind = 'virtual';
  if (r.collation_schema != null) col.collationSchema = r.collation_schema;
  const storage = r.storage ?? '';
  if (parent ? storage !== parent.storage : storage !== r.type_storage) col.storage = STORAGE[storage] ?? storage;
  const compression = r.compression ?? '';
  if (parent ? compression !== (parent.compression ?? '') : compression !== '') {
    col.compression = COMPRESSION[compression] ?? compression;
  }
  if (r.stattarget != null) col.statisticsTarget = Number(r.stattarget);
  const options = jsonOf<string[]>(r.options, []);
  if (options.length) col.options = options;
  if (inherits && parent && !isTrue(r.local)) col.inherited = true;
  const acl = jsonOf<string[] | null>(r.acl, null);
  if (acl) col.acl = acl;
  return col;
}
