/**
 * What the database has that the migration does not recreate, each with the
 * reason: objects the object graph left out (a view on a table that is not
 * selected…), and kinds this provider does not migrate — large objects,
 * foreign servers and wrappers, user mappings, publications and
 * subscriptions that are not ours, security labels, operator classes and
 * families, text search objects, conversions, access methods, languages,
 * non-default tablespaces, database settings. Nothing is dropped silently.
 */
import type { NotMigratedObject } from '../catalog.js';
import type { PgEntity } from './pg-object-index.js';
import type { PgObjectGraph } from './pg-object-graph.js';
import { FIRST_NORMAL_OID, USER_SCHEMA, notExtensionMember, req, rows, type Queryable } from './pg-rows.js';

const KINDS: Record<string, Record<string, string>> = {
  pg_class: {
    r: 'table',
    p: 'table',
    v: 'view',
    m: 'materialized view',
    S: 'sequence',
    f: 'foreign table',
    i: 'index',
    I: 'index',
    c: 'type',
  },
  pg_type: {
    e: 'enum',
    d: 'domain',
    c: 'composite type',
    r: 'range type',
    m: 'multirange type',
    b: 'base type',
    p: 'shell type',
  },
  pg_proc: { f: 'function', p: 'procedure', a: 'aggregate', w: 'window function' },
};

/** `kind` and display name (`schema.name`, sub-objects as `schema.table.name`). */
export function describeEntity(e: PgEntity, graph: PgObjectGraph): { kind: string; name: string } {
  const kind = KINDS[e.cls]?.[e.kind] ?? e.kind;
  const parent = e.parent ? graph.index.entities.get(e.parent) : undefined;
  if (parent && e.cls !== 'pg_class') return { kind, name: `${parent.schema}.${parent.name}.${e.name}` };
  return { kind, name: e.schema ? `${e.schema}.${e.name}` : e.name };
}

const WHY: Record<string, string> = {
  'foreign table': 'foreign tables read another server; create the server, user mapping and foreign table on the destination',
  'base type':
    'user base types need C input/output functions from a shared library; install them on the destination (as an extension) first',
  'shell type': 'a shell type (CREATE TYPE without a definition) has nothing to recreate',
};

/** The object graph's exclusions, with the object each one needed. */
export async function graphExclusions(client: Queryable, graph: PgObjectGraph): Promise<NotMigratedObject[]> {
  const foreign = graph.excluded.map((x) => x.needs).filter((id): id is string => !!id && !graph.index.entities.has(id));
  const described = new Map<string, string>();
  if (foreign.length) {
    const parts = foreign.map((id) => id.split(':') as [string, string]);
    const res = await rows(
      client,
      `select c || ':' || o as id, pg_describe_object(c::regclass, o::oid, 0) as text
         from unnest($1::text[], $2::text[]) x(c, o)`,
      [parts.map((p) => p[0]), parts.map((p) => p[1])],
    );
    for (const r of res) described.set(req(r, 'id'), r.text ?? req(r, 'id'));
  }
  return graph.excluded.map(({ entity, needs }) => {
    const { kind, name } = describeEntity(entity, graph);
    if (!needs) return { kind, name, reason: WHY[kind] ?? `${kind}s are not migrated` };
    const target = graph.index.entities.get(needs);
    const what = target ? describeEntity(target, graph) : null;
    const text = what ? `${what.kind} ${what.name}` : (described.get(needs) ?? needs);
    const why =
      what && (what.kind === 'table' || what.kind === 'view' || what.kind === 'materialized view')
        ? 'which is not selected'
        : 'which is not migrated';
    return { kind, name, reason: `needs ${text}, ${why}` };
  });
}

const inSelected = (schemaSelected: (s: string) => boolean) => (r: { schema?: string | null }) =>
  !!r.schema && schemaSelected(r.schema);

/** Object kinds this provider never creates (see the file comment). */
export async function unsupportedObjects(
  client: Queryable,
  schemaSelected: (schema: string) => boolean,
  relationOids: string[],
): Promise<NotMigratedObject[]> {
  const out: NotMigratedObject[] = [];
  const add = (kind: string, name: string, reason: string) => out.push({ kind, name, reason });
  const [lo] = await rows(client, 'select count(*)::text as n from pg_largeobject_metadata');
  if (lo && lo.n !== '0') {
    add(
      'large objects',
      `${lo.n} large objects`,
      'large objects are not copied; export them with lo_export/lo_import or pg_dump --large-objects',
    );
  }
  for (const r of await rows(
    client,
    `select w.fdwname as name from pg_foreign_data_wrapper w where ${notExtensionMember('pg_foreign_data_wrapper', 'w.oid')}`,
  )) {
    add(
      'foreign-data wrapper',
      req(r, 'name'),
      'foreign-data wrappers are not recreated; create it (or its extension) on the destination',
    );
  }
  for (const r of await rows(client, 'select s.srvname as name from pg_foreign_server s')) {
    add(
      'foreign server',
      req(r, 'name'),
      'foreign servers hold connection details of another server; create it on the destination',
    );
  }
  for (const r of await rows(client, 'select srvname as server, usename as role from pg_user_mappings')) {
    add(
      'user mapping',
      `${req(r, 'role')} on ${req(r, 'server')}`,
      'user mappings hold credentials; create them on the destination',
    );
  }
  for (const r of await rows(client, `select pubname as name from pg_publication where pubname not like 'migrate\\_%'`)) {
    add(
      'publication',
      req(r, 'name'),
      'publications describe replication from this server; create them on the destination if it must publish too',
    );
  }
  for (const r of await rows(
    client,
    `select subname as name from pg_subscription where subdbid = (select oid from pg_database where datname = current_database())`,
  )) {
    add(
      'subscription',
      req(r, 'name'),
      'subscriptions replicate from another server; recreate them on the destination after cut-over',
    );
  }
  for (const r of await rows(
    client,
    'select pg_describe_object(classoid, objoid, objsubid) as name, provider from pg_seclabel order by 1, 2',
  )) {
    add(
      'security label',
      `${req(r, 'name')} (${req(r, 'provider')})`,
      'security labels need the label provider on the destination; apply them there',
    );
  }
  const schemaObjects: [string, string, string][] = [
    [
      'operator class',
      `select n.nspname as schema, o.opcname as name from pg_opclass o join pg_namespace n on n.oid = o.opcnamespace where o.oid >= ${FIRST_NORMAL_OID} and ${USER_SCHEMA} and ${notExtensionMember('pg_opclass', 'o.oid')}`,
      'operator classes are not recreated; indexes using them are reported too',
    ],
    [
      'operator family',
      `select n.nspname as schema, o.opfname as name from pg_opfamily o join pg_namespace n on n.oid = o.opfnamespace where o.oid >= ${FIRST_NORMAL_OID} and ${USER_SCHEMA} and ${notExtensionMember('pg_opfamily', 'o.oid')}`,
      'operator families are not recreated',
    ],
    [
      'text search configuration',
      `select n.nspname as schema, o.cfgname as name from pg_ts_config o join pg_namespace n on n.oid = o.cfgnamespace where o.oid >= ${FIRST_NORMAL_OID} and ${USER_SCHEMA} and ${notExtensionMember('pg_ts_config', 'o.oid')}`,
      'text search configurations are not recreated',
    ],
    [
      'text search dictionary',
      `select n.nspname as schema, o.dictname as name from pg_ts_dict o join pg_namespace n on n.oid = o.dictnamespace where o.oid >= ${FIRST_NORMAL_OID} and ${USER_SCHEMA} and ${notExtensionMember('pg_ts_dict', 'o.oid')}`,
      'text search dictionaries are not recreated',
    ],
    [
      'text search parser',
      `select n.nspname as schema, o.prsname as name from pg_ts_parser o join pg_namespace n on n.oid = o.prsnamespace where o.oid >= ${FIRST_NORMAL_OID} and ${USER_SCHEMA} and ${notExtensionMember('pg_ts_parser', 'o.oid')}`,
      'text search parsers are not recreated',
    ],
    [
      'text search template',
      `select n.nspname as schema, o.tmplname as name from pg_ts_template o join pg_namespace n on n.oid = o.tmplnamespace where o.oid >= ${FIRST_NORMAL_OID} and ${USER_SCHEMA} and ${notExtensionMember('pg_ts_template', 'o.oid')}`,
      'text search templates are not recreated',
    ],
    [
      'conversion',
      `select n.nspname as schema, o.conname as name from pg_conversion o join pg_namespace n on n.oid = o.connamespace where o.oid >= ${FIRST_NORMAL_OID} and ${USER_SCHEMA} and ${notExtensionMember('pg_conversion', 'o.oid')}`,
      'encoding conversions are not recreated',
    ],
  ];
  for (const [kind, sql, reason] of schemaObjects) {
    for (const r of (await rows(client, sql)).filter(inSelected(schemaSelected))) add(kind, `${r.schema}.${r.name}`, reason);
  }
  for (const r of await rows(
    client,
    `select a.amname as name from pg_am a where a.oid >= ${FIRST_NORMAL_OID} and ${notExtensionMember('pg_am', 'a.oid')}`,
  )) {
    add('access method', req(r, 'name'), 'access methods are not recreated; install their extension on the destination');
  }
  for (const r of await rows(
    client,
    `select l.lanname as name from pg_language l where l.oid >= ${FIRST_NORMAL_OID} and ${notExtensionMember('pg_language', 'l.oid')}`,
  )) {
    add('language', req(r, 'name'), 'procedural languages are migrated as extensions only; create it on the destination');
  }
  for (const r of await rows(
    client,
    `select n.nspname as schema, c.relname as name, t.spcname as tablespace from pg_class c
       join pg_namespace n on n.oid = c.relnamespace join pg_tablespace t on t.oid = c.reltablespace
      where c.oid = any($1::oid[]) order by 1, 2`,
    [relationOids],
  )) {
    add(
      'tablespace',
      `${r.schema}.${r.name}`,
      `stored in tablespace ${req(r, 'tablespace')} on the source; created in the destination database's default tablespace`,
    );
  }
  for (const r of await rows(
    client,
    `select coalesce(pg_get_userbyid(nullif(s.setrole, 0)), '') as role, array_to_string(s.setconfig, ', ') as config
       from pg_db_role_setting s where s.setdatabase = (select oid from pg_database where datname = current_database())`,
  )) {
    add(
      'database setting',
      r.role ? `for role ${r.role}: ${req(r, 'config')}` : req(r, 'config'),
      'database-level settings are not recreated; run ALTER DATABASE … SET (or ALTER ROLE … IN DATABASE … SET) on the destination',
    );
  }
  return out;
}
