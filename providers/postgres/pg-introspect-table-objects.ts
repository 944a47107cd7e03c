/**
 * What hangs off the selected tables and is created after their rows:
 * triggers (not internal ones, not the clones a partitioned table's trigger
 * puts on its partitions; also views' INSTEAD OF triggers), rules (not views' `_RETURN`), row-level
 * security policies and extended statistics.
 */
import type { PgPolicyDef, PgRuleDef, PgStatisticsDef, PgTriggerDef } from './pg-native-catalog.js';
import { enableMode, jsonOf, nameOf, req, rows, type Row, type Queryable } from './pg-rows.js';

const Q_TRIGGERS = `
select t.oid::text as oid, n.nspname as schema, c.relname as name, t.tgname as trigger,
  pg_get_triggerdef(t.oid) as def, t.tgenabled::text as enabled, (c.relkind = 'v')::text as on_view,
  obj_description(t.oid, 'pg_trigger') as comment
from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
where t.oid = any($1::oid[])`;

/** Clones of the triggers (on partitions, at any depth) whose mode differs from their parent clone's. */
const Q_TRIGGER_CLONE_MODES = `
with recursive tree(oid, root, enabled, parent_enabled, depth) as (
  select t.oid, t.oid, t.tgenabled::text, t.tgenabled::text, 0 from pg_trigger t where t.oid = any($1::oid[])
  union all
  select c.oid, tree.root, c.tgenabled::text, tree.enabled, tree.depth + 1
  from pg_trigger c join tree on c.tgparentid = tree.oid
)
select tree.root::text as root, n.nspname as schema, r.relname as name, tree.enabled as enabled
from tree join pg_trigger t on t.oid = tree.oid join pg_class r on r.oid = t.tgrelid join pg_namespace n on n.oid = r.relnamespace
where tree.depth > 0 and tree.enabled <> tree.parent_enabled
order by tree.root, tree.depth, n.nspname, r.relname`;

const Q_RULES = `
select r.oid::text as oid, n.nspname as schema, c.relname as name, r.rulename as rule,
  pg_get_ruledef(r.oid) as def, r.ev_enabled::text as enabled, (c.relkind = 'v')::text as on_view,
  obj_description(r.oid, 'pg_rewrite') as comment
from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
where r.oid = any($1::oid[])`;

const Q_POLICIES = `
select p.oid::text as oid, n.nspname as schema, c.relname as name, p.polname as policy,
  p.polpermissive::text as permissive, p.polcmd::text as cmd,
  (select json_agg(a.rolname order by a.rolname) from pg_roles a where a.oid = any(p.polroles))::text as roles,
  pg_get_expr(p.polqual, p.polrelid) as using_expr, pg_get_expr(p.polwithcheck, p.polrelid) as check_expr,
  obj_description(p.oid, 'pg_policy') as comment
from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
where p.oid = any($1::oid[])`;

const Q_STATISTICS = `
select s.oid::text as oid, n.nspname as schema, s.stxname as name, tn.nspname as table_schema, tc.relname as table_name,
  pg_get_statisticsobjdef(s.oid) as def, nullif(s.stxstattarget, -1)::text as target,
  pg_get_userbyid(s.stxowner) as owner, obj_description(s.oid, 'pg_statistic_ext') as comment
from pg_statistic_ext s join pg_namespace n on n.oid = s.stxnamespace
join pg_class tc on tc.oid = s.stxrelid join pg_namespace tn on tn.oid = tc.relnamespace
where s.oid = any($1::oid[])`;

const COMMAND: Record<string, PgPolicyDef['command']> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

const onTable = <T extends { table: { schema: string; name: string }; name: string }>(list: T[]): T[] =>
  list.sort((a, b) => {
    const x = [a.table.schema, a.table.name, a.name];
    const y = [b.table.schema, b.table.name, b.name];
    return x < y ? -1 : x > y ? 1 : 0;
  });

/**
 * The triggers with these OIDs, sorted by table and name; a partitioned
 * table's trigger with the partitions whose clone has a mode of its own.
 */
export async function readTriggers(client: Queryable, oids: string[]): Promise<PgTriggerDef[]> {
  const [found, clones] = await Promise.all([rows(client, Q_TRIGGERS, [oids]), rows(client, Q_TRIGGER_CLONE_MODES, [oids])]);
  const partitionsOf = new Map<string, NonNullable<PgTriggerDef['partitions']>>();
  for (const c of clones) {
    const list = partitionsOf.get(req(c, 'root')) ?? [];
    list.push({ table: nameOf(c), enabled: enableMode(c.enabled) });
    partitionsOf.set(req(c, 'root'), list);
  }
  return onTable(
    found.map((r) => {
      const partitions = partitionsOf.get(req(r, 'oid'));
      return {
        table: nameOf(r),
        name: req(r, 'trigger'),
        definition: req(r, 'def'),
        enabled: enableMode(r.enabled),
        ...(partitions ? { partitions } : {}),
        ...(r.on_view === 'true' ? { onView: true } : {}),
        comment: r.comment ?? null,
      };
    }),
  );
}

/** The rules with these OIDs, sorted by table and name. */
export async function readRules(client: Queryable, oids: string[]): Promise<PgRuleDef[]> {
  return onTable(
    (await rows(client, Q_RULES, [oids])).map((r) => ({
      table: nameOf(r),
      name: req(r, 'rule'),
      // pg_get_ruledef ends the statement with ';'
      definition: req(r, 'def').trim().replace(/;$/, ''),
      enabled: enableMode(r.enabled),
      onView: r.on_view === 'true',
      comment: r.comment ?? null,
    })),
  );
}

/** The row-level security policies with these OIDs, sorted by table and name. */
export async function readPolicies(client: Queryable, oids: string[]): Promise<PgPolicyDef[]> {
  return onTable(
    (await rows(client, Q_POLICIES, [oids])).map((r: Row) => ({
      table: nameOf(r),
      name: req(r, 'policy'),
      permissive: r.permissive !== 'false',
      command: COMMAND[r.cmd ?? '*'] ?? 'ALL',
      roles: jsonOf<string[]>(r.roles, []),
      using: r.using_expr ?? null,
      check: r.check_expr ?? null,
      comment: r.comment ?? null,
    })),
  );
}

/** The extended statistics objects with these OIDs, sorted by name. */
export async function readStatistics(client: Queryable, oids: string[]): Promise<PgStatisticsDef[]> {
  return (await rows(client, Q_STATISTICS, [oids]))
    .map((r) => ({
      ...nameOf(r),
      owner: r.owner ?? null,
      table: nameOf(r, 'table_schema', 'table_name'),
      definition: req(r, 'def'),
      target: r.target != null ? Number(r.target) : null,
      comment: r.comment ?? null,
    }))
    .sort((a, b) => (a.schema + '.' + a.name < b.schema + '.' + b.name ? -1 : 1));
}
