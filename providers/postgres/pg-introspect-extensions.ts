/**
 * Every extension installed in the database but plpgsql (which initdb
 * installs everywhere), each after the extensions it requires, so
 * `CREATE EXTENSION … CASCADE` never creates a requirement in the wrong schema.
 */
import type { ExtensionDef } from '../catalog.js';
import { jsonOf, req, rows, type Queryable } from './pg-rows.js';

const Q_EXTENSIONS = `
select e.extname as name, n.nspname as schema, e.extversion as version,
  (select json_agg(r.extname order by r.extname) from pg_depend d join pg_extension r on r.oid = d.refobjid
    where d.classid = 'pg_extension'::regclass and d.objid = e.oid and d.refclassid = 'pg_extension'::regclass)::text as requires
from pg_extension e join pg_namespace n on n.oid = e.extnamespace
where e.extname <> 'plpgsql'
order by e.extname`;

/**
 * Every extension but plpgsql, requirements before what requires them,
 * otherwise by name; and the installed version of each.
 */
export async function readExtensions(
  client: Queryable,
): Promise<{ extensions: ExtensionDef[]; versions: Record<string, string> }> {
  const found = await rows(client, Q_EXTENSIONS);
  const byName = new Map(found.map((r) => [req(r, 'name'), r]));
  const out: ExtensionDef[] = [];
  const done = new Set<string>();
  const visit = (name: string): void => {
    const r = byName.get(name);
    if (!r || done.has(name)) return;
    done.add(name);
    for (const dep of jsonOf<string[]>(r.requires, [])) visit(dep);
    out.push({ name, schema: req(r, 'schema') });
  };
  for (const name of byName.keys()) visit(name);
  const versions: Record<string, string> = {};
  for (const e of out) versions[e.name] = req(byName.get(e.name) ?? {}, 'version');
  return { extensions: out, versions };
}
