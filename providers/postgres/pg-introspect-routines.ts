/**
 * Functions, procedures and window functions (as `pg_get_functiondef`
 * prints them) and aggregates (their pg_aggregate fields, since PostgreSQL
 * has no function to print an aggregate), with owners, privileges and comments.
 */
import type { PgAggregateDef, PgRoutineDef } from './pg-native-catalog.js';
import { byKey, isTrue, jsonOf, nameOf, req, rows, type Row, type Queryable } from './pg-rows.js';

const Q_ROUTINES = `
select p.oid::text as oid, n.nspname as schema, p.proname as name, p.prokind::text as kind,
  oidvectortypes(p.proargtypes) as args, pg_get_functiondef(p.oid) as def,
  pg_get_userbyid(p.proowner) as owner, array_to_json(p.proacl::text[])::text as acl,
  obj_description(p.oid, 'pg_proc') as comment
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where p.oid = any($1::oid[]) and p.prokind <> 'a'`;

/** A function reference as `schema.name` (CREATE AGGREGATE resolves overloads from the argument types). */
const fn = (oid: string): string =>
  `(select format('%I.%I', fn.nspname, f.proname) from pg_proc f join pg_namespace fn on fn.oid = f.pronamespace where f.oid = ${oid})`;

const Q_AGGREGATES = `
select p.oid::text as oid, n.nspname as schema, p.proname as name, oidvectortypes(p.proargtypes) as args,
  pg_get_function_arguments(p.oid) as signature, a.aggkind::text as aggkind,
  ${fn('a.aggtransfn')} as sfunc, format_type(a.aggtranstype, null) as stype, a.aggtransspace::text as sspace,
  ${fn('a.aggfinalfn')} as finalfunc, a.aggfinalextra::text as finalextra, a.aggfinalmodify::text as finalmodify,
  ${fn('a.aggcombinefn')} as combinefunc, ${fn('a.aggserialfn')} as serialfunc, ${fn('a.aggdeserialfn')} as deserialfunc,
  a.agginitval as initcond,
  ${fn('a.aggmtransfn')} as msfunc, ${fn('a.aggminvtransfn')} as minvfunc,
  case when a.aggmtranstype <> 0 then format_type(a.aggmtranstype, null) end as mstype, a.aggmtransspace::text as msspace,
  ${fn('a.aggmfinalfn')} as mfinalfunc, a.aggmfinalextra::text as mfinalextra, a.aggmfinalmodify::text as mfinalmodify,
  a.aggminitval as minitcond,
  (select format('%I.%s', opn.nspname, o.oprname) from pg_operator o join pg_namespace opn on opn.oid = o.oprnamespace
    where o.oid = a.aggsortop) as sortop,
  p.proparallel::text as parallel,
  pg_get_userbyid(p.proowner) as owner, array_to_json(p.proacl::text[])::text as acl,
  obj_description(p.oid, 'pg_proc') as comment
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_aggregate a on a.aggfnoid = p.oid
where p.oid = any($1::oid[])`;

const KIND: Record<string, PgRoutineDef['kind']> = { f: 'function', p: 'procedure', w: 'window' };
const MODIFY: Record<string, string> = { r: 'read_only', s: 'shareable', w: 'read_write' };
const PARALLEL: Record<string, string> = { s: 'safe', r: 'restricted' };

const ownership = (r: Row) => ({ owner: r.owner ?? null, acl: jsonOf<string[] | null>(r.acl, null) });

/** The functions, procedures and window functions among these OIDs (aggregates are read by readAggregates). */
export async function readRoutines(client: Queryable, procOids: string[]): Promise<PgRoutineDef[]> {
  return (await rows(client, Q_ROUTINES, [procOids]))
    .map((r): PgRoutineDef => ({
      ...nameOf(r),
      ...ownership(r),
      kind: KIND[req(r, 'kind')] ?? 'function',
      args: req(r, 'args'),
      // pg_get_functiondef ends with a newline; a stored definition needs no trailing whitespace
      definition: req(r, 'def').trim(),
      comment: r.comment ?? null,
    }))
    .sort((a, b) => byKey(a, b) || (a.args < b.args ? -1 : a.args > b.args ? 1 : 0));
}

/** The aggregates among these OIDs, with every pg_aggregate field CREATE AGGREGATE takes. */
export async function readAggregates(client: Queryable, procOids: string[]): Promise<PgAggregateDef[]> {
  return (await rows(client, Q_AGGREGATES, [procOids]))
    .map((r): PgAggregateDef => ({
      ...nameOf(r),
      ...ownership(r),
      args: req(r, 'args'),
      signature: req(r, 'signature'),
      kind: r.aggkind === 'o' ? 'ordered-set' : r.aggkind === 'h' ? 'hypothetical' : 'normal',
      sfunc: req(r, 'sfunc'),
      stype: req(r, 'stype'),
      sspace: Number(r.sspace ?? 0),
      finalfunc: r.finalfunc ?? null,
      finalfuncExtra: isTrue(r.finalextra),
      finalfuncModify: MODIFY[r.finalmodify ?? 'r'] ?? 'read_only',
      combinefunc: r.combinefunc ?? null,
      serialfunc: r.serialfunc ?? null,
      deserialfunc: r.deserialfunc ?? null,
      initcond: r.initcond ?? null,
      msfunc: r.msfunc ?? null,
      minvfunc: r.minvfunc ?? null,
      mstype: r.mstype ?? null,
      msspace: Number(r.msspace ?? 0),
      mfinalfunc: r.mfinalfunc ?? null,
      mfinalfuncExtra: isTrue(r.mfinalextra),
      mfinalfuncModify: MODIFY[r.mfinalmodify ?? 'r'] ?? 'read_only',
      minitcond: r.minitcond ?? null,
      sortop: r.sortop ?? null,
      parallel: PARALLEL[r.parallel ?? 'u'] ?? null,
      comment: r.comment ?? null,
    }))
    .sort((a, b) => byKey(a, b) || (a.args < b.args ? -1 : a.args > b.args ? 1 : 0));
}
