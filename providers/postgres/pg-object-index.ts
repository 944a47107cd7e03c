/**
 * An index of every user object of a PostgreSQL database that the
 * migration may create or must account for (relations, types, routines,
 * operators, casts, collations, and the pieces of tables: constraints,
 * defaults, rules, triggers, policies, statistics, event triggers), plus
 * the pg_depend edges between them. Extension members and initdb objects are
 * left out: they exist on the destination once the extensions are created.
 * The index is catalog-sized (no row data), read in a dozen queries.
 */
import { FIRST_NORMAL_OID, USER_SCHEMA, notExtensionMember, req, rows, type Row, type Queryable } from './pg-rows.js';

/** `${catalog}:${oid}`, e.g. `pg_class:16421`. */
export type EntityId = string;

/** One user object of the database. */
export interface PgEntity {
  id: EntityId;
  cls: string;
  oid: string;
  /** relkind, typtype or prokind letter; or `operator`, `cast`, `collation`, `constraint`, `default`, `rule`, `trigger`, `policy`, `statistics`, `event trigger`. */
  kind: string;
  schema: string | null;
  name: string;
  /** Sub-objects (indexes, constraints, defaults, rules, triggers, policies, statistics): the relation they belong to. */
  parent?: EntityId;
  /** Kind-specific facts, all text (see the queries). */
  facts: Row;
}

/** One pg_depend edge between user objects (catalog names and OIDs as text). */
export interface RawDependency {
  cls: string;
  objid: string;
  refcls: string;
  refobjid: string;
}

/** Every user object by EntityId, and the edges between them. */
export interface PgObjectIndex {
  entities: Map<EntityId, PgEntity>;
  dependencies: RawDependency[];
}

/** The id of object `oid` of catalog `cls`. */
export const entityId = (cls: string, oid: string): EntityId => `${cls}:${oid}`;

const USER_OID = (oid: string): string => `${oid} >= ${FIRST_NORMAL_OID}`;

const Q_CLASS = `
select c.oid::text as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind, c.reltype::text as reltype,
  case when c.relkind in ('i', 'I') then (select i.indrelid::text from pg_index i where i.indexrelid = c.oid) end as parent,
  case when c.relkind in ('i', 'I') then exists (select 1 from pg_constraint k where k.conindid = c.oid
    and k.conrelid = (select i.indrelid from pg_index i where i.indexrelid = c.oid) and k.contype in ('p', 'u', 'x'))::text end as backs_constraint,
  case when c.relkind = 'S' then (select d.refobjid::text from pg_depend d where d.classid = 'pg_class'::regclass
    and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype = 'i' limit 1) end as identity_of
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where ${USER_OID('c.oid')} and ${USER_SCHEMA} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c', 'i', 'I')
  and ${notExtensionMember('pg_class', 'c.oid')}`;

const qType = (versionNum: number): string => `
select t.oid::text as oid, n.nspname as schema, t.typname as name, t.typtype::text as kind, t.typrelid::text as relid,
  case when t.typcategory = 'A' and t.typelem <> 0 then t.typelem::text end as elem, t.typbasetype::text as base,
  t.typisdefined::text as defined, (select c.relkind::text from pg_class c where c.oid = t.typrelid) as rel_kind,
  ${versionNum >= 140000 ? '(select r.rngtypid::text from pg_range r where r.rngmultitypid = t.oid)' : 'null::text'} as range_of
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where ${USER_OID('t.oid')} and ${USER_SCHEMA} and ${notExtensionMember('pg_type', 't.oid')}`;

const Q_PROC = `
select p.oid::text as oid, n.nspname as schema, p.proname as name, p.prokind::text as kind,
  oidvectortypes(p.proargtypes) as args
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where ${USER_OID('p.oid')} and ${USER_SCHEMA} and ${notExtensionMember('pg_proc', 'p.oid')}`;

const Q_OPERATOR = `
select o.oid::text as oid, n.nspname as schema, o.oprname as name,
  case when o.oprleft <> 0 then format_type(o.oprleft, null) end as left_type,
  case when o.oprright <> 0 then format_type(o.oprright, null) end as right_type
from pg_operator o join pg_namespace n on n.oid = o.oprnamespace
where ${USER_OID('o.oid')} and ${USER_SCHEMA} and ${notExtensionMember('pg_operator', 'o.oid')}`;

const Q_CAST = `
select c.oid::text as oid, format_type(c.castsource, null) as source, format_type(c.casttarget, null) as target,
  c.castsource::text as source_oid, c.casttarget::text as target_oid, c.castfunc::text as func
from pg_cast c where ${USER_OID('c.oid')} and ${notExtensionMember('pg_cast', 'c.oid')}`;

const Q_COLLATION = `
select c.oid::text as oid, n.nspname as schema, c.collname as name
from pg_collation c join pg_namespace n on n.oid = c.collnamespace
where ${USER_OID('c.oid')} and ${USER_SCHEMA} and ${notExtensionMember('pg_collation', 'c.oid')}`;

/** Constraints of relations and of domains (table ones are sub-objects; domain CHECKs are parts of their domain). */
const Q_CONSTRAINT = `
select k.oid::text as oid, k.conname as name, k.contype::text as type, k.conrelid::text as rel, k.contypid::text as domain
from pg_constraint k where ${USER_OID('k.oid')} and (k.conrelid <> 0 or k.contypid <> 0)`;

const Q_DEFAULT = `
select d.oid::text as oid, d.adrelid::text as rel, a.attname as name, (a.attgenerated <> '')::text as generated
from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
where ${USER_OID('d.oid')}`;

const Q_REWRITE = `select r.oid::text as oid, r.ev_class::text as rel, r.rulename as name from pg_rewrite r where ${USER_OID('r.oid')}`;

/** User triggers; on PostgreSQL 14 the per-partition clones of a partitioned table's trigger are internal. */
const Q_TRIGGER = `
select t.oid::text as oid, t.tgrelid::text as rel, t.tgname as name, t.tgisinternal::text as internal,
  t.tgparentid::text as parent_trigger
from pg_trigger t where ${USER_OID('t.oid')} and (not t.tgisinternal or t.tgparentid <> 0)`;

const Q_POLICY = `select p.oid::text as oid, p.polrelid::text as rel, p.polname as name from pg_policy p`;

const Q_STATISTICS = `
select s.oid::text as oid, n.nspname as schema, s.stxname as name, s.stxrelid::text as rel
from pg_statistic_ext s join pg_namespace n on n.oid = s.stxnamespace
where ${notExtensionMember('pg_statistic_ext', 's.oid')}`;

const Q_EVENT_TRIGGER = `
select e.oid::text as oid, e.evtname as name, e.evtfoid::text as func
from pg_event_trigger e where ${notExtensionMember('pg_event_trigger', 'e.oid')}`;

/**
 * Edges between user objects. Extension members on either side and
 * references to schemas are dropped: the extensions and schemas are created
 * first. `n`ormal and `a`uto dependencies order creation; `i`nternal ones
 * tie a row type or array to what owns it, which the resolver does itself.
 */
const Q_DEPEND = `
select d.classid::regclass::text as cls, d.objid::text as objid, d.refclassid::regclass::text as refcls, d.refobjid::text as refobjid
from pg_depend d
where d.deptype in ('n', 'a') and ${USER_OID('d.objid')} and ${USER_OID('d.refobjid')}
  and d.refclassid not in ('pg_namespace'::regclass, 'pg_extension'::regclass)
  and not exists (select 1 from pg_depend x where x.classid = d.refclassid and x.objid = d.refobjid and x.deptype = 'e')
  and not exists (select 1 from pg_depend x where x.classid = d.classid and x.objid = d.objid and x.deptype = 'e')
group by 1, 2, 3, 4`;

/** Read the index (see the file comment); `versionNum` is `server_version_num`. */
export async function readObjectIndex(client: Queryable, versionNum: number): Promise<PgObjectIndex> {
  const entities = new Map<EntityId, PgEntity>();
  const add = (cls: string, r: Row, kind: string, schema: string | null, name: string, parent?: string | null): void => {
    const id = entityId(cls, req(r, 'oid'));
    const e: PgEntity = { id, cls, oid: req(r, 'oid'), kind, schema, name, facts: r };
    if (parent) e.parent = entityId('pg_class', parent);
    entities.set(id, e);
  };
  // issued together: on a read group they run in parallel; entities are added in this order either way
  const [cls, typ, proc, oper, cast, coll, con, def, rew, trg, pol, stx, evt, dep] = await Promise.all(
    [
      Q_CLASS,
      qType(versionNum),
      Q_PROC,
      Q_OPERATOR,
      Q_CAST,
      Q_COLLATION,
      Q_CONSTRAINT,
      Q_DEFAULT,
      Q_REWRITE,
      Q_TRIGGER,
      Q_POLICY,
      Q_STATISTICS,
      Q_EVENT_TRIGGER,
      Q_DEPEND,
    ].map((q) => rows(client, q)),
  );
  for (const r of cls ?? []) add('pg_class', r, req(r, 'kind'), req(r, 'schema'), req(r, 'name'), r.parent);
  for (const r of typ ?? []) add('pg_type', r, req(r, 'kind'), req(r, 'schema'), req(r, 'name'));
  for (const r of proc ?? []) add('pg_proc', r, req(r, 'kind'), req(r, 'schema'), `${req(r, 'name')}(${req(r, 'args')})`);
  for (const r of oper ?? []) {
    add('pg_operator', r, 'operator', req(r, 'schema'), `${req(r, 'name')}(${r.left_type ?? 'NONE'}, ${r.right_type ?? 'NONE'})`);
  }
  for (const r of cast ?? []) add('pg_cast', r, 'cast', null, `(${req(r, 'source')} AS ${req(r, 'target')})`);
  for (const r of coll ?? []) add('pg_collation', r, 'collation', req(r, 'schema'), req(r, 'name'));
  for (const r of con ?? []) add('pg_constraint', r, 'constraint', null, req(r, 'name'), r.rel !== '0' ? r.rel : null);
  for (const r of def ?? []) add('pg_attrdef', r, 'default', null, req(r, 'name'), r.rel);
  for (const r of rew ?? []) add('pg_rewrite', r, 'rule', null, req(r, 'name'), r.rel);
  for (const r of trg ?? []) add('pg_trigger', r, 'trigger', null, req(r, 'name'), r.rel);
  for (const r of pol ?? []) add('pg_policy', r, 'policy', null, req(r, 'name'), r.rel);
  for (const r of stx ?? []) add('pg_statistic_ext', r, 'statistics', req(r, 'schema'), req(r, 'name'), r.rel);
  for (const r of evt ?? []) add('pg_event_trigger', r, 'event trigger', null, req(r, 'name'));
  const dependencies = (dep ?? []).map((r) => ({
    cls: req(r, 'cls'),
    objid: req(r, 'objid'),
    refcls: req(r, 'refcls'),
    refobjid: req(r, 'refobjid'),
  }));
  return { entities, dependencies };
}
