/**
 * User types the migration creates: enums, domains (bases before the
 * domains built on them), composite types and range types, with owners,
 * privileges and comments. Which ones is the object graph's decision.
 */
import type { DomainDef, EnumDef } from '../catalog.js';
import type { PgCompositeTypeDef, PgRangeTypeDef } from './pg-native-catalog.js';
import { byKey, groupBy, isTrue, jsonOf, nameOf, req, rows, type Queryable } from './pg-rows.js';

const Q_TYPES = `
select t.oid::text as oid, n.nspname as schema, t.typname as name, t.typtype::text as typtype,
  t.typbasetype::text as base, pg_get_userbyid(t.typowner) as owner, array_to_json(t.typacl::text[])::text as acl,
  obj_description(t.oid, 'pg_type') as comment,
  case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as base_type,
  t.typnotnull::text as notnull, pg_get_expr(t.typdefaultbin, 0) as def,
  case when t.typtype = 'd' and t.typcollation <> bt.typcollation then co.collname end as collation,
  case when t.typtype = 'd' and t.typcollation <> bt.typcollation and cn.nspname <> 'pg_catalog' then cn.nspname end as collation_schema,
  case when t.typtype = 'e' then (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e
    where e.enumtypid = t.oid)::text end as labels,
  case when t.typtype = 'd' then (select json_agg(json_build_array(c.conname, pg_get_constraintdef(c.oid, true),
    obj_description(c.oid, 'pg_constraint')) order by c.conname) from pg_constraint c
    where c.contypid = t.oid and c.contype = 'c')::text end as checks,
  case when bt.typelem <> 0 and bt.typcategory = 'A' then bt.typelem::text else t.typbasetype::text end as base_elem
from pg_type t join pg_namespace n on n.oid = t.typnamespace
left join pg_type bt on bt.oid = t.typbasetype
left join pg_collation co on co.oid = t.typcollation left join pg_namespace cn on cn.oid = co.collnamespace
where t.oid = any($1::oid[]) and t.typtype in ('e', 'd')`;

const Q_COMPOSITES = `
select t.oid::text as oid, n.nspname as schema, t.typname as name, pg_get_userbyid(t.typowner) as owner,
  array_to_json(t.typacl::text[])::text as acl, obj_description(t.oid, 'pg_type') as comment,
  a.attname as attribute, format_type(a.atttypid, a.atttypmod) as type,
  case when a.attcollation <> at.typcollation then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end as collation,
  col_description(t.typrelid, a.attnum) as attribute_comment
from pg_type t join pg_namespace n on n.oid = t.typnamespace
join pg_attribute a on a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
join pg_type at on at.oid = a.atttypid
left join pg_collation co on co.oid = a.attcollation left join pg_namespace cn on cn.oid = co.collnamespace
where t.oid = any($1::oid[]) and t.typtype = 'c'
order by t.oid, a.attnum`;

const fn = (oid: string): string =>
  `(select format('%I.%I', fn.nspname, f.proname) from pg_proc f join pg_namespace fn on fn.oid = f.pronamespace where f.oid = ${oid})`;

const qRanges = (versionNum: number): string => `
select t.oid::text as oid, n.nspname as schema, t.typname as name, pg_get_userbyid(t.typowner) as owner,
  array_to_json(t.typacl::text[])::text as acl, obj_description(t.oid, 'pg_type') as comment,
  format_type(r.rngsubtype, null) as subtype,
  case when not opc.opcdefault then format('%I.%I', ocn.nspname, opc.opcname) end as opclass,
  case when r.rngcollation <> 0 and r.rngcollation <> st.typcollation
    then format('%I.%I', ccn.nspname, co.collname) end as collation,
  ${fn('r.rngcanonical')} as canonical, ${fn('r.rngsubdiff')} as subdiff,
  ${versionNum >= 140000 ? 'mn.nspname' : 'null::text'} as multirange_schema,
  ${versionNum >= 140000 ? 'mt.typname' : 'null::text'} as multirange_name
from pg_type t join pg_namespace n on n.oid = t.typnamespace
join pg_range r on r.rngtypid = t.oid join pg_type st on st.oid = r.rngsubtype
join pg_opclass opc on opc.oid = r.rngsubopc join pg_namespace ocn on ocn.oid = opc.opcnamespace
left join pg_collation co on co.oid = r.rngcollation left join pg_namespace ccn on ccn.oid = co.collnamespace
${versionNum >= 140000 ? 'left join pg_type mt on mt.oid = r.rngmultitypid left join pg_namespace mn on mn.oid = mt.typnamespace' : ''}
where t.oid = any($1::oid[])`;

/** The name PostgreSQL gives a range type's multirange when none is given (makeMultirangeTypeName). */
export function defaultMultirangeName(range: string): string {
  const at = range.indexOf('range');
  return at >= 0 ? `${range.slice(0, at)}multi${range.slice(at)}` : `${range}_multirange`;
}

/** The user types of a catalog, each list sorted (domains: bases first). */
export interface UserTypes {
  enums: EnumDef[];
  domains: DomainDef[];
  composites: PgCompositeTypeDef[];
  ranges: PgRangeTypeDef[];
}

/** The enums, domains, composite and range types among these type OIDs. */
export async function readUserTypes(client: Queryable, versionNum: number, typeOids: string[]): Promise<UserTypes> {
  const enums: EnumDef[] = [];
  const domains = new Map<string, DomainDef & { base: string }>();
  for (const t of await rows(client, Q_TYPES, [typeOids])) {
    const common = {
      ...nameOf(t),
      owner: t.owner ?? null,
      acl: jsonOf<string[] | null>(t.acl, null),
      ...(t.comment != null ? { comment: t.comment } : {}),
    };
    if (t.typtype === 'e') enums.push({ ...common, labels: jsonOf<string[]>(t.labels, []) });
    else {
      domains.set(req(t, 'oid'), {
        ...common,
        base: req(t, 'base_elem'),
        baseType: req(t, 'base_type'),
        notNull: isTrue(t.notnull),
        default: t.def ?? null,
        collation: t.collation ?? null,
        ...(t.collation_schema != null ? { collationSchema: t.collation_schema } : {}),
        constraints: jsonOf<[string, string, string | null][]>(t.checks, []).map(([name, definition, comment]) => ({
          name,
          definition,
          ...(comment != null ? { comment } : {}),
        })),
      });
    }
  }
  // a domain may be built on another domain (directly or through an array): bases first
  const ordered: DomainDef[] = [];
  const done = new Set<string>();
  const visit = (oid: string): void => {
    const d = domains.get(oid);
    if (!d || done.has(oid)) return;
    done.add(oid);
    visit(d.base);
    const { base: _base, ...def } = d;
    ordered.push(def);
  };
  for (const oid of [...domains.keys()].sort()) visit(oid);

  const composites = [...groupBy(await rows(client, Q_COMPOSITES, [typeOids]), 'oid').values()].map((attrs) => {
    const t = attrs[0] as (typeof attrs)[number];
    return {
      ...nameOf(t),
      owner: t.owner ?? null,
      acl: jsonOf<string[] | null>(t.acl, null),
      attributes: attrs.map((a) => ({
        name: req(a, 'attribute'),
        type: req(a, 'type'),
        collation: a.collation ?? null,
        comment: a.attribute_comment ?? null,
      })),
      comment: t.comment ?? null,
    };
  });
  const ranges = (await rows(client, qRanges(versionNum), [typeOids])).map((r): PgRangeTypeDef => {
    const name = nameOf(r);
    const multi = r.multirange_name ? { schema: req(r, 'multirange_schema'), name: r.multirange_name } : null;
    const implied = multi && multi.schema === name.schema && multi.name === defaultMultirangeName(name.name);
    return {
      ...name,
      owner: r.owner ?? null,
      acl: jsonOf<string[] | null>(r.acl, null),
      subtype: req(r, 'subtype'),
      subtypeOpclass: r.opclass ?? null,
      collation: r.collation ?? null,
      canonical: r.canonical ?? null,
      subtypeDiff: r.subdiff ?? null,
      multirange: implied ? null : multi,
      comment: r.comment ?? null,
    };
  });
  return { enums: enums.sort(byKey), domains: ordered, composites: composites.sort(byKey), ranges: ranges.sort(byKey) };
}
