/**
 * Which column types may travel as binary COPY between two servers. Binary
 * COPY writes a value with its type's send function. Built-in base, range
 * and multirange types carry no OIDs of the database; arrays write their
 * element type's OID, which only matches across servers for built-in
 * element types; a domain is sent as its base type. The reg* types are
 * excluded: their binary form is a raw OID, their text form a name. So are
 * the few built-in types without binary I/O (e.g. `aclitem`).
 */
import { FIRST_NORMAL_OID, isTrue, req, rows, type Row, type Queryable } from './pg-rows.js';

/** The given types and, recursively, their element and base types. */
const Q_TYPES = `
with recursive ty(oid) as (
  select unnest($1::oid[])
  union
  select x.o from ty join pg_type t on t.oid = ty.oid
  cross join lateral (values (t.typelem), (t.typbasetype)) x(o) where x.o <> 0
)
select t.oid::text as oid, n.nspname as schema, t.typname as name, t.typtype::text as typtype,
  t.typlen::text as typlen, t.typelem::text as elem, t.typbasetype::text as base,
  (t.typsend <> 0 and t.typreceive <> 0)::text as binary_io
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where t.oid in (select oid from ty)`;

const isArrayType = (t: Row): boolean => t.elem !== '0' && t.typlen === '-1';

/** A predicate over the type OIDs `typeOids` (others are unsafe). */
export async function binarySafe(client: Queryable, typeOids: string[]): Promise<(typid: string) => boolean> {
  const types = new Map((await rows(client, Q_TYPES, [typeOids])).map((r) => [req(r, 'oid'), r]));
  const scalar = (s: Row | undefined): boolean =>
    !!s &&
    Number(s.oid) < FIRST_NORMAL_OID &&
    isTrue(s.binary_io) &&
    ['b', 'r', 'm'].includes(s.typtype ?? '') &&
    !isArrayType(s) &&
    !(s.schema === 'pg_catalog' && (s.name ?? '').startsWith('reg'));
  const safe = (oid: string): boolean => {
    const t = types.get(oid);
    if (!t) return false;
    if (t.typtype === 'd') return safe(req(t, 'base'));
    return isArrayType(t) ? scalar(types.get(req(t, 'elem'))) : scalar(t);
  };
  return safe;
}
