/**
 * Reads the PostgreSQL catalog of a table selection into the neutral Catalog
 * model: tables (with partitions), columns, constraints, indexes, the
 * sequences, enums, domains and extensions they need, and the views built only
 * on them. Works on PostgreSQL 12–18.
 */
import type pg from 'pg';
import type {
  Catalog,
  ColumnDef,
  ConstraintDef,
  ConstraintKind,
  DomainDef,
  EnumDef,
  ExtensionDef,
  IndexDef,
  QualifiedName,
  SequenceDef,
  TableDef,
  ViewDef,
} from '../catalog.js';

type Row = Record<string, string | null>;

/** Objects below this OID were created by initdb (FirstNormalObjectId). */
const FIRST_NORMAL_OID = 16384;

const USER_SCHEMA = `n.nspname not in ('pg_catalog', 'information_schema', '_migrate')
  and left(n.nspname, 8) <> 'pg_toast' and left(n.nspname, 7) <> 'pg_temp'`;

/** `$alias.oid` of catalog `$cls` is not a member of an extension. */
const notExtensionMember = (cls: string, oid: string): string =>
  `not exists (select 1 from pg_depend x where x.classid = '${cls}'::regclass and x.objid = ${oid} and x.deptype = 'e')`;

const Q_RELATIONS = `
select c.oid::text as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind,
  case when c.relispartition then (select i.inhparent::text from pg_inherits i where i.inhrelid = c.oid) end as parent
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
  obj_description(c.oid, 'pg_class') as comment
from pg_class c where c.oid = any($1::oid[])`;

const qColumns = (versionNum: number): string => `
select a.attrelid::text as rel, a.attname as name, a.atttypid::text as typid,
  format_type(a.atttypid, a.atttypmod) as type, a.attnotnull::text as notnull,
  pg_get_expr(d.adbin, d.adrelid) as expr, a.attidentity::text as identity,
  ${versionNum >= 120000 ? 'a.attgenerated::text' : "''"} as generated,
  case when a.attcollation <> t.typcollation then co.collname end as collation,
  col_description(a.attrelid, a.attnum) as comment
from pg_attribute a join pg_type t on t.oid = a.atttypid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
left join pg_collation co on co.oid = a.attcollation
where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum`;

/** Types of the selected columns and, recursively, their element and base types. */
const Q_TYPES = `
with recursive ty(oid) as (
  select unnest($1::oid[])
  union
  select x.o from ty join pg_type t on t.oid = ty.oid
  cross join lateral (values (t.typelem), (t.typbasetype)) x(o) where x.o <> 0
)
select t.oid::text as oid, n.nspname as schema, t.typname as name, t.typtype::text as typtype,
  t.typlen::text as typlen, t.typelem::text as elem, t.typbasetype::text as base,
  (t.typsend <> 0 and t.typreceive <> 0)::text as binary_io,
  case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as base_type,
  t.typnotnull::text as notnull, t.typdefault as def,
  case when t.typtype = 'd' and t.typcollation <> bt.typcollation then co.collname end as collation,
  case when t.typtype = 'e' then (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e
    where e.enumtypid = t.oid)::text end as labels,
  case when t.typtype = 'd' then (select json_agg(json_build_array(c.conname, pg_get_constraintdef(c.oid, true))
    order by c.conname) from pg_constraint c where c.contypid = t.oid and c.contype = 'c')::text end as checks,
  (select e.extname from pg_depend x join pg_extension e on e.oid = x.refobjid
    where x.classid = 'pg_type'::regclass and x.objid = t.oid and x.deptype = 'e' limit 1) as extension
from pg_type t join pg_namespace n on n.oid = t.typnamespace
left join pg_type bt on bt.oid = t.typbasetype
left join pg_collation co on co.oid = t.typcollation
where t.oid in (select oid from ty)`;

/**
 * `clone` marks the per-partition copies PostgreSQL adds on the referencing
 * table for a foreign key to a partitioned table: the one foreign key recreates them.
 */
const Q_CONSTRAINTS = `
select c.conrelid::text as rel, c.conname as name, c.contype::text as type,
  pg_get_constraintdef(c.oid, true) as def,
  (not c.conislocal or c.conparentid <> 0)::text as inherited,
  coalesce(p.conrelid = c.conrelid, false)::text as clone,
  (select json_agg(a.attname order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum)::text as columns,
  rn.nspname as ref_schema, rc.relname as ref_name
from pg_constraint c
left join pg_constraint p on p.oid = c.conparentid
left join pg_class rc on rc.oid = c.confrelid
left join pg_namespace rn on rn.oid = rc.relnamespace
where c.conrelid = any($1::oid[]) and c.contype in ('p', 'u', 'c', 'f', 'x')
order by c.conrelid, c.conname`;

const Q_INDEXES = `
select i.indrelid::text as rel, ic.relname as name, pg_get_indexdef(i.indexrelid) as def,
  exists (select 1 from pg_inherits h where h.inhrelid = i.indexrelid)::text as attached
from pg_index i join pg_class ic on ic.oid = i.indexrelid
where i.indrelid = any($1::oid[]) and i.indislive and (i.indisvalid or ic.relkind = 'I')
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid
    and c.conrelid = i.indrelid and c.contype in ('p', 'u', 'x'))
order by ic.relname`;

const Q_SEQUENCES = `
with wanted(seq) as (
  select d.objid from pg_depend d
  where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
    and d.deptype in ('a', 'i') and d.refobjid = any($1::oid[]) and d.refobjsubid > 0
  union
  select d.refobjid from pg_attrdef ad join pg_depend d
    on d.classid = 'pg_attrdef'::regclass and d.objid = ad.oid and d.refclassid = 'pg_class'::regclass
  where ad.adrelid = any($1::oid[])
)
select s.seqrelid::text as oid, n.nspname as schema, c.relname as name,
  format_type(s.seqtypid, null) as type, s.seqstart::text as start, s.seqincrement::text as inc,
  s.seqmin::text as min, s.seqmax::text as max, s.seqcache::text as cache, s.seqcycle::text as cycle,
  o.refobjid::text as owner, a.attname as owner_column, o.deptype::text as deptype
from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
left join pg_depend o on o.classid = 'pg_class'::regclass and o.objid = s.seqrelid
  and o.refclassid = 'pg_class'::regclass and o.deptype in ('a', 'i')
left join pg_attribute a on a.attrelid = o.refobjid and a.attnum = o.refobjsubid
where s.seqrelid in (select seq from wanted)
order by n.nspname, c.relname`;

const Q_VIEWS = `
select c.oid::text as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind,
  pg_get_viewdef(c.oid, true) as def, array_to_json(c.reloptions)::text as options
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'm') and n.nspname = any($1::text[]) and ${notExtensionMember('pg_class', 'c.oid')}`;

/** What each candidate view's rewrite rule depends on, and whether that object belongs to an extension. */
const Q_VIEW_DEPS = `
select distinct r.ev_class::text as view, d.refobjid::text as ref,
  (d.refclassid = 'pg_class'::regclass)::text as is_relation,
  case when d.refclassid = 'pg_type'::regclass then (select t.typelem::text from pg_type t where t.oid = d.refobjid) end as elem,
  (select e.extname from pg_depend x join pg_extension e on e.oid = x.refobjid where x.classid = d.refclassid
    and x.objid = d.refobjid and x.deptype = 'e' limit 1) as extension
from pg_rewrite r join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
where r.ev_class = any($1::oid[]) and not (d.refclassid = 'pg_class'::regclass and d.refobjid = r.ev_class)`;

/** Extensions owning anything the selected relations' columns, defaults, constraints, indexes or rules use. */
const Q_EXTENSIONS = `
select distinct e.extname as name, en.nspname as schema from pg_depend d
join pg_depend x on x.classid = d.refclassid and x.objid = d.refobjid and x.deptype = 'e'
  and x.refclassid = 'pg_extension'::regclass
join pg_extension e on e.oid = x.refobjid join pg_namespace en on en.oid = e.extnamespace
where (d.classid = 'pg_class'::regclass and (d.objid = any($1::oid[])
      or d.objid in (select indexrelid from pg_index where indrelid = any($1::oid[]))))
  or (d.classid = 'pg_attrdef'::regclass and d.objid in (select oid from pg_attrdef where adrelid = any($1::oid[])))
  or (d.classid = 'pg_constraint'::regclass and d.objid in
      (select oid from pg_constraint where conrelid = any($1::oid[]) or contypid = any($2::oid[])))
  or (d.classid = 'pg_rewrite'::regclass and d.objid in (select oid from pg_rewrite where ev_class = any($1::oid[])))
union
select e.extname, en.nspname from pg_extension e join pg_namespace en on en.oid = e.extnamespace
where e.extname = any($3::text[])`;

/**
 * Introspect `database` through `client` for the tables `match` selects. A
 * partition is selected when it or any ancestor matches; it stays a partition
 * when its parent is selected, otherwise it becomes a standalone table.
 *
 * The session's `search_path` is emptied while reading so every name in the
 * generated definitions comes schema-qualified, and restored afterwards.
 * Values are read as text, so the client's type parsers do not matter.
 */
export async function introspectPostgres(
  client: pg.ClientBase,
  database: string,
  match: (schema: string, table: string) => boolean,
): Promise<Catalog> {
  const [settings] = await rows(
    client,
    "select current_setting('server_version') as version, current_setting('server_version_num') as num, current_setting('search_path') as path",
  );
  await client.query("select set_config('search_path', '', false)");
  let catalog: Catalog;
  try {
    catalog = await readCatalog(client, database, match, settings?.version ?? '', Number(settings?.num ?? 0));
  } catch (err) {
    // inside a failed transaction the restore cannot run, but the rollback undoes our set_config too
    await client.query('select set_config($1, $2, false)', ['search_path', settings?.path ?? '']).catch(() => undefined);
    throw err;
  }
  await client.query('select set_config($1, $2, false)', ['search_path', settings?.path ?? '']);
  return catalog;
}

async function rows(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<Row[]> {
  const res = await client.query(sql, params);
  return (res.rows as Record<string, unknown>[]).map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) out[k] = v == null ? null : String(v);
    return out;
  });
}

const req = (r: Row, k: string): string => {
  const v = r[k];
  if (v == null) throw new Error(`catalog query returned no ${k}`);
  return v;
};
const isTrue = (v: string | null | undefined): boolean => v === 'true' || v === 't';
const jsonOf = <T>(v: string | null | undefined, empty: T): T => (v == null ? empty : (JSON.parse(v) as T));
function groupBy(list: Row[], key: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of list) {
    const k = r[key] ?? '';
    const group = out.get(k);
    if (group) group.push(r);
    else out.set(k, [r]);
  }
  return out;
}
const byKey = <T extends QualifiedName>(a: T, b: T): number =>
  a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

interface Relation {
  oid: string;
  name: QualifiedName;
  kind: string;
  parent: string | null;
}

async function readCatalog(
  client: pg.ClientBase,
  database: string,
  match: (schema: string, table: string) => boolean,
  serverVersion: string,
  versionNum: number,
): Promise<Catalog> {
  const relations = new Map<string, Relation>();
  for (const r of await rows(client, Q_RELATIONS)) {
    const oid = req(r, 'oid');
    relations.set(oid, {
      oid,
      name: { schema: req(r, 'schema'), name: req(r, 'name') },
      kind: req(r, 'kind'),
      parent: r.parent ?? null,
    });
  }
  const depth = (rel: Relation): number => {
    const p = rel.parent ? relations.get(rel.parent) : undefined;
    return p ? 1 + depth(p) : 0;
  };
  const selected = (rel: Relation | undefined): boolean =>
    !!rel && (match(rel.name.schema, rel.name.name) || selected(rel.parent ? relations.get(rel.parent) : undefined));
  const chosen = [...relations.values()]
    .filter((rel) => selected(rel))
    .sort((a, b) => depth(a) - depth(b) || byKey(a.name, b.name));
  const tableOids = chosen.map((rel) => rel.oid);
  const tableSet = new Set(tableOids);
  const isPartition = (rel: Relation): boolean => !!rel.parent && tableSet.has(rel.parent);

  const details = new Map((await rows(client, Q_TABLE_DETAILS, [tableOids])).map((r) => [req(r, 'oid'), r]));
  const columnRows = await rows(client, qColumns(versionNum), [tableOids]);
  const types = new Map(
    (await rows(client, Q_TYPES, [[...new Set(columnRows.map((r) => req(r, 'typid')))]])).map((r) => [req(r, 'oid'), r]),
  );
  const columnsOf = groupBy(columnRows, 'rel');
  const constraintsOf = groupBy(await rows(client, Q_CONSTRAINTS, [tableOids]), 'rel');
  const indexesOf = groupBy(await rows(client, Q_INDEXES, [tableOids]), 'rel');

  const tables: TableDef[] = chosen.map((rel) => {
    const d = details.get(rel.oid) ?? {};
    const partition = isPartition(rel);
    const parent = partition && rel.parent ? relations.get(rel.parent) : undefined;
    const constraints = (constraintsOf.get(rel.oid) ?? []).filter((r) => !isTrue(r.clone)).map((r) => toConstraint(r, partition));
    const replident = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;
    return {
      ...rel.name,
      kind: rel.kind === 'p' ? 'partitioned' : 'table',
      partitionOf: parent ? parent.name : null,
      partitionBound: partition ? (d.bound ?? null) : null,
      partitionKey: d.partkey ?? null,
      columns: (columnsOf.get(rel.oid) ?? []).map((r) => toColumn(r, types)),
      primaryKey: constraints.find((c) => c.kind === 'primary') ?? null,
      constraints: constraints.filter((c) => c.kind !== 'primary' && !c.inherited),
      indexes: (indexesOf.get(rel.oid) ?? [])
        .filter((r) => !(partition && isTrue(r.attached)))
        .map((r) => ({ name: req(r, 'name'), definition: req(r, 'def') })),
      estimatedRows: Math.max(0, Math.round(Number(d.tuples ?? 0))),
      estimatedBytes: Number(d.bytes ?? 0),
      pages: Number(d.pages ?? 0),
      replicaIdentity: replident[(d.replident ?? 'd') as keyof typeof replident] ?? 'default',
      replicaIdentityIndex: d.replident === 'i' ? (d.replident_index ?? null) : null,
      unlogged: d.persistence === 'u',
      comment: d.comment ?? null,
    };
  });

  const sequences = await readSequences(client, tableSet, relations);
  const { enums, domains, extensionsOfTypes } = userTypes(types);
  const tableSchemas = [...new Set(tables.map((t) => t.schema))];
  const { views, viewOids, viewExtensions } = await readViews(client, tableSchemas, tableOids, sequences.oids, types);
  const extensions: ExtensionDef[] = (
    await rows(client, Q_EXTENSIONS, [
      [...tableOids, ...viewOids],
      domains.map((d) => d.oid),
      [...extensionsOfTypes, ...viewExtensions],
    ])
  )
    .filter((r) => r.name !== 'plpgsql')
    .map((r) => ({ name: req(r, 'name'), schema: req(r, 'schema') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const schemaSet = new Set<string>(tableSchemas);
  for (const o of [...sequences.defs, ...enums, ...domains, ...views]) schemaSet.add(o.schema);
  for (const e of extensions) if (e.schema !== 'pg_catalog') schemaSet.add(e.schema);
  const catalog: Catalog = {
    engine: 'postgres',
    serverVersion,
    database,
    schemas: [...schemaSet].sort(),
    extensions,
    enums,
    sequences: sequences.defs,
    tables,
    views,
  };
  if (domains.length > 0) catalog.domains = domains.map(({ oid: _oid, ...d }) => d);
  return catalog;
}

function toConstraint(r: Row, partition: boolean): ConstraintDef {
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
  // only a partition gets its inherited constraints from a parent we also create
  if (partition && isTrue(r.inherited)) c.inherited = true;
  return c;
}

function toColumn(r: Row, types: Map<string, Row>): ColumnDef {
  const generated = r.generated === 's' || r.generated === 'v';
  const col: ColumnDef = {
    name: req(r, 'name'),
    nativeType: req(r, 'type'),
    nullable: !isTrue(r.notnull),
    default: generated ? null : (r.expr ?? null),
    identity: r.identity === 'a' ? 'always' : r.identity === 'd' ? 'by-default' : null,
    generated: generated ? (r.expr ?? null) : null,
    collation: r.collation ?? null,
    binarySafe: binarySafe(req(r, 'typid'), types),
    comment: r.comment ?? null,
  };
  if (r.generated === 'v') col.generatedKind = 'virtual';
  return col;
}

const isArrayType = (t: Row): boolean => t.elem !== '0' && t.typlen === '-1';

/**
 * Binary COPY writes a value with its type's send function. Built-in base,
 * range and multirange types carry no OIDs of the database; arrays write
 * their element type's OID, which only matches across servers for built-in
 * element types; a domain is sent as its base type. The reg* types are
 * excluded: their binary form is a raw OID, their text form a name. So are
 * the few built-in types without binary I/O (e.g. `aclitem`).
 */
function binarySafe(oid: string, types: Map<string, Row>): boolean {
  const t = types.get(oid);
  if (!t) return false;
  if (t.typtype === 'd') return binarySafe(req(t, 'base'), types);
  const scalar = (s: Row | undefined): boolean =>
    !!s &&
    Number(s.oid) < FIRST_NORMAL_OID &&
    isTrue(s.binary_io) &&
    ['b', 'r', 'm'].includes(s.typtype ?? '') &&
    !isArrayType(s) &&
    !(s.schema === 'pg_catalog' && (s.name ?? '').startsWith('reg'));
  return isArrayType(t) ? scalar(types.get(req(t, 'elem'))) : scalar(t);
}

function userTypes(types: Map<string, Row>): {
  enums: EnumDef[];
  domains: (DomainDef & { oid: string })[];
  extensionsOfTypes: string[];
} {
  const enums: EnumDef[] = [];
  const domains = new Map<string, DomainDef & { oid: string; base: string }>();
  const extensionsOfTypes = new Set<string>();
  for (const t of types.values()) {
    if (t.extension) {
      extensionsOfTypes.add(t.extension);
      continue;
    }
    if (Number(t.oid) < FIRST_NORMAL_OID) continue;
    const name = { schema: req(t, 'schema'), name: req(t, 'name') };
    if (t.typtype === 'e') enums.push({ ...name, labels: jsonOf<string[]>(t.labels, []) });
    if (t.typtype === 'd') {
      domains.set(req(t, 'oid'), {
        oid: req(t, 'oid'),
        base: req(t, 'base'),
        ...name,
        baseType: req(t, 'base_type'),
        notNull: isTrue(t.notnull),
        default: t.def ?? null,
        collation: t.collation ?? null,
        constraints: jsonOf<[string, string][]>(t.checks, []).map(([n, definition]) => ({ name: n, definition })),
      });
    }
  }
  // a domain may be built on another domain (directly or through an array): bases first
  const ordered: (DomainDef & { oid: string })[] = [];
  const visit = (oid: string): void => {
    const d = domains.get(oid);
    if (!d || ordered.some((o) => o.oid === oid)) return;
    const base = types.get(d.base);
    visit(base && isArrayType(base) ? req(base, 'elem') : d.base);
    const { base: _base, ...def } = d;
    ordered.push(def);
  };
  for (const oid of [...domains.keys()].sort()) visit(oid);
  return { enums: enums.sort(byKey), domains: ordered, extensionsOfTypes: [...extensionsOfTypes] };
}

async function readSequences(
  client: pg.ClientBase,
  tables: Set<string>,
  relations: Map<string, Relation>,
): Promise<{ defs: SequenceDef[]; oids: string[] }> {
  const found = await rows(client, Q_SEQUENCES, [[...tables]]);
  const defs = found.map((r): SequenceDef => {
    const owner = r.owner && tables.has(r.owner) ? relations.get(r.owner) : undefined;
    return {
      schema: req(r, 'schema'),
      name: req(r, 'name'),
      dataType: req(r, 'type'),
      start: req(r, 'start'),
      increment: req(r, 'inc'),
      min: req(r, 'min'),
      max: req(r, 'max'),
      cache: req(r, 'cache'),
      cycle: isTrue(r.cycle),
      // a sequence owned by a table outside the selection is copied, but not attached to it
      ownedBy: owner && r.owner_column ? { table: owner.name, column: r.owner_column } : null,
      identity: r.deptype === 'i',
    };
  });
  return { defs, oids: found.map((r) => req(r, 'oid')) };
}

/**
 * Views of the selected schemas that read only selected tables, included
 * sequences, other included views, and built-in or extension objects (or the
 * included enums and domains); anything else would fail to create.
 */
async function readViews(
  client: pg.ClientBase,
  schemas: string[],
  tableOids: string[],
  sequenceOids: string[],
  types: Map<string, Row>,
): Promise<{ views: ViewDef[]; viewOids: string[]; viewExtensions: string[] }> {
  const candidates = await rows(client, Q_VIEWS, [schemas]);
  const deps = await rows(client, Q_VIEW_DEPS, [candidates.map((c) => req(c, 'oid'))]);
  const userType = (oid: string): boolean => types.has(oid) && !types.get(oid)?.extension;
  const available = new Set([...tableOids, ...sequenceOids]);
  const included = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const v of candidates) {
      const oid = req(v, 'oid');
      if (included.has(oid)) continue;
      const ok = deps
        .filter((d) => d.view === oid)
        .every((d) =>
          isTrue(d.is_relation)
            ? available.has(req(d, 'ref'))
            : Number(d.ref) < FIRST_NORMAL_OID || !!d.extension || userType(req(d, 'ref')) || userType(d.elem ?? ''),
        );
      if (ok) {
        included.add(oid);
        available.add(oid);
        changed = true;
      }
    }
  }
  const viewOids = [...included];
  const indexRows = await rows(client, Q_INDEXES, [viewOids]);
  const byOid = new Map(candidates.map((v) => [req(v, 'oid'), { schema: req(v, 'schema'), name: req(v, 'name') }]));
  const unordered = candidates
    .filter((v) => included.has(req(v, 'oid')))
    .map((v): ViewDef & { oid: string } => {
      const oid = req(v, 'oid');
      const dependsOn = [...new Set(deps.filter((d) => d.view === oid && included.has(d.ref ?? '')).map((d) => req(d, 'ref')))]
        .map((ref) => byOid.get(ref))
        .filter((q): q is QualifiedName => !!q);
      const view: ViewDef & { oid: string } = {
        oid,
        schema: req(v, 'schema'),
        name: req(v, 'name'),
        // pg_get_viewdef ends the query with ';', which cannot be embedded in CREATE VIEW … WITH DATA
        definition: req(v, 'def').trim().replace(/;$/, ''),
        materialized: v.kind === 'm',
        dependsOn,
      };
      const options = jsonOf<string[]>(v.options, []);
      if (options.length > 0) view.options = options;
      const indexes: IndexDef[] = indexRows
        .filter((r) => r.rel === oid)
        .map((r) => ({ name: req(r, 'name'), definition: req(r, 'def') }));
      if (indexes.length > 0) view.indexes = indexes;
      return view;
    })
    .sort(byKey);
  // dependencies first, so the catalog order is a valid creation order
  const views: ViewDef[] = [];
  const done = new Set<string>();
  const visit = (v: ViewDef & { oid: string }): void => {
    if (done.has(v.oid)) return;
    done.add(v.oid);
    for (const dep of unordered.filter((u) => v.dependsOn.some((q) => byKey(q, u) === 0))) visit(dep);
    const { oid: _oid, ...def } = v;
    views.push(def);
  };
  unordered.forEach(visit);
  const viewExtensions = deps.filter((d) => included.has(d.view ?? '') && d.extension).map((d) => req(d, 'extension'));
  return { views, viewOids, viewExtensions };
}
