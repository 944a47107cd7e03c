/** User-defined casts (`CREATE CAST`), with comments. Casts have no owner of their own. */
import type { PgCastDef } from './pg-native-catalog.js';
import { req, rows, type Queryable } from './pg-rows.js';

const Q_CASTS = `
select c.oid::text as oid, format_type(c.castsource, null) as source, format_type(c.casttarget, null) as target,
  c.castmethod::text as method, c.castcontext::text as context,
  case when c.castfunc <> 0 then (select format('%I.%I(%s)', fn.nspname, f.proname, oidvectortypes(f.proargtypes))
    from pg_proc f join pg_namespace fn on fn.oid = f.pronamespace where f.oid = c.castfunc) end as function,
  obj_description(c.oid, 'pg_cast') as comment
from pg_cast c where c.oid = any($1::oid[])`;

const METHOD: Record<string, PgCastDef['method']> = { f: 'function', b: 'binary', i: 'inout' };
const CONTEXT: Record<string, PgCastDef['context']> = { e: 'explicit', a: 'assignment', i: 'implicit' };

/** The casts with these OIDs, sorted by source and target type. */
export async function readCasts(client: Queryable, oids: string[]): Promise<PgCastDef[]> {
  const key = (c: PgCastDef) => `${c.source} ${c.target}`;
  return (await rows(client, Q_CASTS, [oids]))
    .map((r): PgCastDef => ({
      source: req(r, 'source'),
      target: req(r, 'target'),
      method: METHOD[req(r, 'method')] ?? 'function',
      function: r.function ?? null,
      context: CONTEXT[req(r, 'context')] ?? 'explicit',
      comment: r.comment ?? null,
    }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
