/**
 * Views and materialized views the migration creates (the object graph
 * keeps those whose dependencies are all migrated), with options, indexes
 * of materialized views, column defaults, comments and privileges, owners, in an
 * order where each comes after the views it reads.
 */
import type { IndexDef, QualifiedName, ViewColumnDef, ViewDef } from '../catalog.js';
import { relationKey } from './pg-object-key.js';
import type { PgDependency } from './pg-native-catalog.js';
import { Q_INDEXES } from './pg-introspect-tables.js';
import { byKey, groupBy, jsonOf, nameOf, req, rows, type Queryable } from './pg-rows.js';

const Q_VIEWS = `
select c.oid::text as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind,
  pg_get_viewdef(c.oid, true) as def, array_to_json(c.reloptions)::text as options, c.relispopulated::text as populated,
  pg_get_userbyid(c.relowner) as owner, array_to_json(c.relacl::text[])::text as acl, obj_description(c.oid, 'pg_class') as comment
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.oid = any($1::oid[])`;

const Q_VIEW_COLUMNS = `
select a.attrelid::text as rel, a.attname as name, col_description(a.attrelid, a.attnum) as comment,
  array_to_json(a.attacl::text[])::text as acl, pg_get_expr(d.adbin, d.adrelid) as def
from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped
  and (a.attacl is not null or col_description(a.attrelid, a.attnum) is not null or d.adbin is not null)
order by a.attrelid, a.attnum`;

/** `indexOids`: the materialized views' indexes that are migrated. */
export async function readViews(
  client: Queryable,
  oids: string[],
  indexOids: ReadonlySet<string>,
  dependencies: readonly PgDependency[],
): Promise<ViewDef[]> {
  const found = await rows(client, Q_VIEWS, [oids]);
  const indexes = groupBy(
    (await rows(client, Q_INDEXES, [oids])).filter((r) => indexOids.has(req(r, 'oid'))),
    'rel',
  );
  const columns = groupBy(await rows(client, Q_VIEW_COLUMNS, [oids]), 'rel');
  const byRelationKey = new Map(found.map((v) => [relationKey(nameOf(v)), nameOf(v)]));
  const unordered = found
    .map((v): ViewDef => {
      const oid = req(v, 'oid');
      const name = nameOf(v);
      const key = relationKey(name);
      const dependsOn = [...new Set(dependencies.filter((d) => d.from === key && byRelationKey.has(d.to)).map((d) => d.to))]
        .map((k) => byRelationKey.get(k) as QualifiedName)
        .sort(byKey);
      const view: ViewDef = {
        ...name,
        // pg_get_viewdef ends the query with ';', which cannot be embedded in CREATE VIEW … WITH DATA
        definition: req(v, 'def').trim().replace(/;$/, ''),
        materialized: v.kind === 'm',
        dependsOn,
        owner: v.owner ?? null,
        acl: jsonOf<string[] | null>(v.acl, null),
      };
      const options = jsonOf<string[]>(v.options, []);
      if (options.length > 0) view.options = options;
      const idx: IndexDef[] = (indexes.get(oid) ?? []).map((r) => ({
        name: req(r, 'name'),
        definition: req(r, 'def'),
        ...(r.comment != null ? { comment: r.comment } : {}),
      }));
      if (idx.length > 0) view.indexes = idx;
      if (v.comment != null) view.comment = v.comment;
      const cols: ViewColumnDef[] = (columns.get(oid) ?? []).map((c) => {
        const col: ViewColumnDef = { name: req(c, 'name') };
        if (c.def != null) col.default = c.def;
        if (c.comment != null) col.comment = c.comment;
        const acl = jsonOf<string[] | null>(c.acl, null);
        if (acl) col.acl = acl;
        return col;
      });
      if (cols.length) view.columns = cols;
      if (view.materialized && v.populated === 'false') view.populated = false;
      return view;
    })
    .sort(byKey);
  // dependencies first, so the catalog order is a valid creation order
  const byName = new Map(unordered.map((v) => [relationKey(v), v]));
  const out: ViewDef[] = [];
  const done = new Set<string>();
  const visit = (v: ViewDef): void => {
    const key = relationKey(v);
    if (done.has(key)) return;
    done.add(key);
    for (const d of v.dependsOn) {
      const dep = byName.get(relationKey(d));
      if (dep) visit(dep);
    }
    out.push(v);
  };
  unordered.forEach(visit);
  return out;
}
