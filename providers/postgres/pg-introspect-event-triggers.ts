/** Event triggers (database-wide), with their enable mode, owner and comment. */
import type { PgEventTriggerDef } from './pg-native-catalog.js';
import { enableMode, jsonOf, req, rows, type Queryable } from './pg-rows.js';

const Q_EVENT_TRIGGERS = `
select e.oid::text as oid, e.evtname as name, e.evtevent as event, array_to_json(e.evttags)::text as tags,
  (select format('%I.%I', fn.nspname, f.proname) from pg_proc f join pg_namespace fn on fn.oid = f.pronamespace
    where f.oid = e.evtfoid) as function,
  e.evtenabled::text as enabled, pg_get_userbyid(e.evtowner) as owner, obj_description(e.oid, 'pg_event_trigger') as comment
from pg_event_trigger e where e.oid = any($1::oid[])
order by e.evtname`;

/** The event triggers with these OIDs, sorted by name. */
export async function readEventTriggers(client: Queryable, oids: string[]): Promise<PgEventTriggerDef[]> {
  return (await rows(client, Q_EVENT_TRIGGERS, [oids])).map((r) => ({
    name: req(r, 'name'),
    event: req(r, 'event'),
    tags: jsonOf<string[] | null>(r.tags, null),
    function: req(r, 'function'),
    enabled: enableMode(r.enabled),
    owner: r.owner ?? null,
    comment: r.comment ?? null,
  }));
}
