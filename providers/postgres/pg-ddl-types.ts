/**
 * DDL for user types and collations: enums, domains (whose CHECKs and
 * DEFAULT can be split off to break dependency cycles), composite and range
 * types, collations. `create…` return the bare statement (also what
 * describeSchema compares); `…Statements` the idempotent form to run.
 */
import type { DomainConstraintDef, DomainDef, EnumDef, QualifiedName } from '../catalog.js';
import type { PgCollationDef, PgCompositeTypeDef, PgRangeTypeDef } from './pg-native-catalog.js';
import { dollarQuote, quoteCollation, quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

/** Types have no `CREATE … IF NOT EXISTS`: look the name up first. */
export function ifNoType(q: QualifiedName, create: string): string {
  const body =
    `BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace` +
    ` WHERE n.nspname = ${quoteLiteral(q.schema)} AND t.typname = ${quoteLiteral(q.name)}) THEN ${create}; END IF; END`;
  return `DO ${dollarQuote(body)}`;
}

/** `CREATE TYPE … AS ENUM`, labels in their sort order. */
export function createEnum(e: EnumDef): string {
  return `CREATE TYPE ${quoteQualified(e)} AS ENUM (${e.labels.map(quoteLiteral).join(', ')})`;
}

/** A domain CHECK that PostgreSQL keeps unvalidated cannot be declared inline: it is always added afterwards. */
export const notValid = (c: DomainConstraintDef): boolean => / NOT VALID$/.test(c.definition);

/** `CREATE DOMAIN`, leaving out the parts in `detached` (`default`, `check:<name>`) and unvalidated CHECKs. */
export function createDomain(d: DomainDef, detached: ReadonlySet<string> = new Set()): string {
  let sql = `CREATE DOMAIN ${quoteQualified(d)} AS ${d.baseType}`;
  if (d.collation) sql += ` COLLATE ${quoteCollation(d.collation, d.collationSchema)}`;
  if (d.default !== null && !detached.has('default')) sql += ` DEFAULT ${d.default}`;
  if (d.notNull) sql += ' NOT NULL';
  for (const c of d.constraints) {
    if (!detached.has(`check:${c.name}`) && !notValid(c)) sql += ` CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
  }
  return sql;
}

/** A split-off part of a domain, as an idempotent statement. */
export function domainPart(d: DomainDef, part: string): string[] {
  if (part === 'default') return d.default === null ? [] : [`ALTER DOMAIN ${quoteQualified(d)} SET DEFAULT ${d.default}`];
  const c = d.constraints.find((x) => `check:${x.name}` === part);
  if (!c) return [];
  const body =
    `BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE contypid = ${quoteLiteral(quoteQualified(d))}::pg_catalog.regtype` +
    ` AND conname = ${quoteLiteral(c.name)}) THEN ALTER DOMAIN ${quoteQualified(d)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}; END IF; END`;
  return [`DO ${dollarQuote(body)}`];
}

/** `CREATE TYPE … AS (…)` with per-attribute collations. */
export function createComposite(t: PgCompositeTypeDef): string {
  const attrs = t.attributes.map((a) => `${quoteIdent(a.name)} ${a.type}${a.collation ? ` COLLATE ${a.collation}` : ''}`);
  return `CREATE TYPE ${quoteQualified(t)} AS (${attrs.join(', ')})`;
}

/** `CREATE TYPE … AS RANGE`; options at their defaults are left out. */
export function createRange(r: PgRangeTypeDef): string {
  const opts = [`SUBTYPE = ${r.subtype}`];
  if (r.subtypeOpclass) opts.push(`SUBTYPE_OPCLASS = ${r.subtypeOpclass}`);
  if (r.collation) opts.push(`COLLATION = ${r.collation}`);
  if (r.canonical) opts.push(`CANONICAL = ${r.canonical}`);
  if (r.subtypeDiff) opts.push(`SUBTYPE_DIFF = ${r.subtypeDiff}`);
  if (r.multirange) opts.push(`MULTIRANGE_TYPE_NAME = ${quoteQualified(r.multirange)}`);
  return `CREATE TYPE ${quoteQualified(r)} AS RANGE (${opts.join(', ')})`;
}

/** The bare `CREATE COLLATION` in the version-independent shape of PgCollationDef. */
export function createCollation(c: PgCollationDef): string {
  const opts = [`provider = ${c.provider}`];
  if (c.provider === 'libc') {
    opts.push(`lc_collate = ${quoteLiteral(c.collate ?? '')}`, `lc_ctype = ${quoteLiteral(c.ctype ?? '')}`);
  } else {
    opts.push(`locale = ${quoteLiteral(c.locale ?? '')}`);
  }
  if (!c.deterministic) opts.push('deterministic = false');
  if (c.rules !== null) opts.push(`rules = ${quoteLiteral(c.rules)}`);
  return `CREATE COLLATION ${quoteQualified(c)} (${opts.join(', ')})`;
}

/** `CREATE COLLATION IF NOT EXISTS` (PostgreSQL 10+). */
export const collationStatement = (c: PgCollationDef): string =>
  createCollation(c).replace(/^CREATE COLLATION /, 'CREATE COLLATION IF NOT EXISTS ');
