/**
 * DDL for what must not act while the engine loads rows and applies
 * changes: triggers and rules (created, then disabled at once), row-level
 * security (policies and ENABLE in post-data, FORCE only at finalize: it
 * would subject the applying owner to the policies), event triggers
 * (created disabled: they would fire on our own DDL). `…ModeStatements`
 * restore the source's enable modes at finalize. Also extended statistics.
 */
import type { QualifiedName, TableDef } from '../catalog.js';
import type { RoleSpec } from './pg-acl.js';
import type {
  PgEnableMode,
  PgEventTriggerDef,
  PgPolicyDef,
  PgRuleDef,
  PgStatisticsDef,
  PgTriggerDef,
} from './pg-native-catalog.js';
import { dollarQuote, quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

function ifMissing(lookup: string, create: string): string {
  return `DO ${dollarQuote(`BEGIN IF NOT EXISTS (${lookup}) THEN ${create}; END IF; END`)}`;
}

const relation = (q: QualifiedName): string => `${quoteLiteral(quoteQualified(q))}::pg_catalog.regclass`;

/** `ENABLE [REPLICA|ALWAYS] TRIGGER|RULE name` / `DISABLE …` for a mode. */
function modeClause(mode: PgEnableMode, what: 'TRIGGER' | 'RULE', name: string): string {
  const n = quoteIdent(name);
  if (mode === 'disabled') return `DISABLE ${what} ${n}`;
  if (mode === 'replica') return `ENABLE REPLICA ${what} ${n}`;
  if (mode === 'always') return `ENABLE ALWAYS ${what} ${n}`;
  return `ENABLE ${what} ${n}`;
}

/** Create the trigger (as the source printed it), then disable it until finalize (a view's cannot be, nor need to). */
export function triggerStatements(t: PgTriggerDef): string[] {
  const lookup = `SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = ${relation(t.table)} AND tgname = ${quoteLiteral(t.name)}`;
  const create = ifMissing(lookup, t.definition);
  return t.onView ? [create] : [create, `ALTER TABLE ${quoteQualified(t.table)} DISABLE TRIGGER ${quoteIdent(t.name)}`];
}

/** Finalize: the trigger back to its source mode; null for a view's trigger. */
export const triggerModeStatement = (t: PgTriggerDef): string | null =>
  t.onView ? null : `ALTER TABLE ${quoteQualified(t.table)} ${modeClause(t.enabled, 'TRIGGER', t.name)}`;

/**
 * Finalize, after `triggerModeStatement` (which sets every partition's clone
 * to the parent's mode): the partitions whose clone had a mode of its own,
 * parents before their partitions.
 */
export const triggerPartitionModeStatements = (t: PgTriggerDef): string[] =>
  (t.partitions ?? []).map((p) => `ALTER TABLE ${quoteQualified(p.table)} ${modeClause(p.enabled, 'TRIGGER', t.name)}`);

/** The rule as the source printed it, made idempotent with `OR REPLACE`. */
export const createRule = (r: PgRuleDef): string => r.definition.replace(/^CREATE RULE /, 'CREATE OR REPLACE RULE ');

/** Rules of views cannot be disabled (and replicated rows never go through a view). */
export function ruleStatements(r: PgRuleDef): string[] {
  const out = [createRule(r)];
  if (!r.onView) out.push(`ALTER TABLE ${quoteQualified(r.table)} DISABLE RULE ${quoteIdent(r.name)}`);
  return out;
}

/** Finalize: the rule back to its source mode; null for a view's rule. */
export const ruleModeStatement = (r: PgRuleDef): string | null =>
  r.onView ? null : `ALTER TABLE ${quoteQualified(r.table)} ${modeClause(r.enabled, 'RULE', r.name)}`;

/** The bare `CREATE POLICY`; `role` maps its roles (none: PUBLIC). */
export function createPolicy(p: PgPolicyDef, role: RoleSpec): string {
  let sql = `CREATE POLICY ${quoteIdent(p.name)} ON ${quoteQualified(p.table)} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${p.command}`;
  sql += ` TO ${p.roles.length ? p.roles.map(role).join(', ') : 'PUBLIC'}`;
  if (p.using !== null) sql += ` USING (${p.using})`;
  if (p.check !== null) sql += ` WITH CHECK (${p.check})`;
  return sql;
}

/** `createPolicy` unless the table has a policy of that name. */
export function policyStatement(p: PgPolicyDef, role: RoleSpec): string {
  const lookup = `SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = ${relation(p.table)} AND polname = ${quoteLiteral(p.name)}`;
  return ifMissing(lookup, createPolicy(p, role));
}

/** Post-data: row security on, for tables that have it (forced or not). */
export const enableRowSecurity = (t: TableDef): string | null =>
  t.rowSecurity === 'enabled' || t.rowSecurity === 'forced' ? `ALTER TABLE ${quoteQualified(t)} ENABLE ROW LEVEL SECURITY` : null;

/** Finalize: forced row security, for tables forced on the source. */
export const forceRowSecurity = (t: TableDef): string | null =>
  t.rowSecurity === 'forced' ? `ALTER TABLE ${quoteQualified(t)} FORCE ROW LEVEL SECURITY` : null;

/** `CREATE STATISTICS IF NOT EXISTS`, then its statistics target when set. */
export function statisticsStatements(s: PgStatisticsDef): string[] {
  const out = [s.definition.replace(/^CREATE STATISTICS /, 'CREATE STATISTICS IF NOT EXISTS ')];
  if (s.target !== null) out.push(`ALTER STATISTICS ${quoteQualified(s)} SET STATISTICS ${s.target}`);
  return out;
}

/** The bare `CREATE EVENT TRIGGER`. */
export function createEventTrigger(e: PgEventTriggerDef): string {
  const when = e.tags?.length ? ` WHEN TAG IN (${e.tags.map(quoteLiteral).join(', ')})` : '';
  return `CREATE EVENT TRIGGER ${quoteIdent(e.name)} ON ${quoteIdent(e.event)}${when} EXECUTE FUNCTION ${e.function}()`;
}

/** Created and disabled in one statement, so it never fires on the DDL that follows. */
export function eventTriggerStatements(e: PgEventTriggerDef): string[] {
  const name = quoteIdent(e.name);
  const lookup = `SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = ${quoteLiteral(e.name)}`;
  return [
    ifMissing(lookup, `${createEventTrigger(e)}; ALTER EVENT TRIGGER ${name} DISABLE`),
    `ALTER EVENT TRIGGER ${name} DISABLE`,
  ];
}

/** Finalize (last): the event trigger in its source mode. */
export function eventTriggerModeStatement(e: PgEventTriggerDef): string {
  const name = quoteIdent(e.name);
  if (e.enabled === 'disabled') return `ALTER EVENT TRIGGER ${name} DISABLE`;
  if (e.enabled === 'replica') return `ALTER EVENT TRIGGER ${name} ENABLE REPLICA`;
  if (e.enabled === 'always') return `ALTER EVENT TRIGGER ${name} ENABLE ALWAYS`;
  return `ALTER EVENT TRIGGER ${name} ENABLE`;
}
