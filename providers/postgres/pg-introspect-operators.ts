/** User-defined operators (`CREATE OPERATOR` fields), with owners and comments. */
import type { PgOperatorDef } from './pg-native-catalog.js';
import { byKey, nameOf, req, rows, type Queryable } from './pg-rows.js';

const fn = (oid: string): string =>
  `(select format('%I.%I', fn.nspname, f.proname) from pg_proc f join pg_namespace fn on fn.oid = f.pronamespace where f.oid = ${oid})`;
const op = (oid: string): string =>
  `(select format('%I.%s', xn.nspname, x.oprname) from pg_operator x join pg_namespace xn on xn.oid = x.oprnamespace where x.oid = ${oid})`;

const Q_OPERATORS = `
select o.oid::text as oid, n.nspname as schema, o.oprname as name,
  case when o.oprleft <> 0 then format_type(o.oprleft, null) end as left_type,
  case when o.oprright <> 0 then format_type(o.oprright, null) end as right_type,
  ${fn('o.oprcode')} as function, ${op('o.oprcom')} as commutator, ${op('o.oprnegate')} as negator,
  ${fn('o.oprrest')} as restrict, ${fn('o.oprjoin')} as join_fn, o.oprcanhash::text as hashes, o.oprcanmerge::text as merges,
  pg_get_userbyid(o.oprowner) as owner, obj_description(o.oid, 'pg_operator') as comment
from pg_operator o join pg_namespace n on n.oid = o.oprnamespace
where o.oid = any($1::oid[])`;

/** The operators with these OIDs, sorted by name and operand types. */
export async function readOperators(client: Queryable, oids: string[]): Promise<PgOperatorDef[]> {
  const sig = (o: PgOperatorDef) => `${o.left ?? ''},${o.right ?? ''}`;
  return (await rows(client, Q_OPERATORS, [oids]))
    .map((r): PgOperatorDef => ({
      ...nameOf(r),
      owner: r.owner ?? null,
      left: r.left_type ?? null,
      right: r.right_type ?? null,
      function: req(r, 'function'),
      commutator: r.commutator ?? null,
      negator: r.negator ?? null,
      restrict: r.restrict ?? null,
      join: r.join_fn ?? null,
      hashes: r.hashes === 'true',
      merges: r.merges === 'true',
      comment: r.comment ?? null,
    }))
    .sort((a, b) => byKey(a, b) || (sig(a) < sig(b) ? -1 : sig(a) > sig(b) ? 1 : 0));
}
