/**
 * Sequences the migration creates: every sequence of the selected schemas
 * (owned by a column or free-standing) and those the selected tables use
 * from elsewhere. 64-bit values stay text.
 */
import type { SequenceDef } from '../catalog.js';
import { isTrue, jsonOf, nameOf, req, rows, type Queryable } from './pg-rows.js';

const Q_SEQUENCES = `
select s.seqrelid::text as oid, n.nspname as schema, c.relname as name,
  format_type(s.seqtypid, null) as type, s.seqstart::text as start, s.seqincrement::text as inc,
  s.seqmin::text as min, s.seqmax::text as max, s.seqcache::text as cache, s.seqcycle::text as cycle,
  o.refobjid::text as owner_rel, orn.nspname as owner_schema, orc.relname as owner_table, a.attname as owner_column,
  o.deptype::text as deptype,
  pg_get_userbyid(c.relowner) as owner, array_to_json(c.relacl::text[])::text as acl,
  obj_description(c.oid, 'pg_class') as comment
from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
left join pg_depend o on o.classid = 'pg_class'::regclass and o.objid = s.seqrelid
  and o.refclassid = 'pg_class'::regclass and o.deptype in ('a', 'i')
left join pg_class orc on orc.oid = o.refobjid left join pg_namespace orn on orn.oid = orc.relnamespace
left join pg_attribute a on a.attrelid = o.refobjid and a.attnum = o.refobjsubid
where s.seqrelid = any($1::oid[])
order by n.nspname, c.relname`;

/** `tables`: OIDs of the selected tables; a sequence owned by another table is created unattached. */
export async function readSequences(client: Queryable, oids: string[], tables: ReadonlySet<string>): Promise<SequenceDef[]> {
  return (await rows(client, Q_SEQUENCES, [oids])).map((r): SequenceDef => {
    const owned = !!r.owner_rel && tables.has(r.owner_rel) && !!r.owner_column;
    const seq: SequenceDef = {
      ...nameOf(r),
      dataType: req(r, 'type'),
      start: req(r, 'start'),
      increment: req(r, 'inc'),
      min: req(r, 'min'),
      max: req(r, 'max'),
      cache: req(r, 'cache'),
      cycle: isTrue(r.cycle),
      ownedBy: owned ? { table: nameOf(r, 'owner_schema', 'owner_table'), column: req(r, 'owner_column') } : null,
      identity: r.deptype === 'i',
      owner: r.owner ?? null,
      acl: jsonOf<string[] | null>(r.acl, null),
    };
    if (r.comment != null) seq.comment = r.comment;
    return seq;
  });
}
