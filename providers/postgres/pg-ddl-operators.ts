/**
 * DDL for operators and casts. Neither has `IF NOT EXISTS`, so the
 * idempotent forms look them up first. An operator naming a commutator or
 * negator that does not exist yet makes PostgreSQL create a shell for it,
 * which the later `CREATE OPERATOR` fills in: the lookup skips only
 * operators that have a function (`oprcode`), never shells.
 */
import type { PgCastDef, PgOperatorDef } from './pg-native-catalog.js';
import { dollarQuote, quoteIdent, quoteLiteral } from './pg-quote.js';

/** `"schema".op` — operator names are symbols, never quoted. */
export const operatorName = (o: { schema: string; name: string }): string => `${quoteIdent(o.schema)}.${o.name}`;

/** The bare `CREATE OPERATOR` (related operators and estimators as the source has them). */
export function createOperator(o: PgOperatorDef): string {
  const opts = [`FUNCTION = ${o.function}`];
  if (o.left) opts.push(`LEFTARG = ${o.left}`);
  if (o.right) opts.push(`RIGHTARG = ${o.right}`);
  if (o.commutator) opts.push(`COMMUTATOR = OPERATOR(${o.commutator})`);
  if (o.negator) opts.push(`NEGATOR = OPERATOR(${o.negator})`);
  if (o.restrict) opts.push(`RESTRICT = ${o.restrict}`);
  if (o.join) opts.push(`JOIN = ${o.join}`);
  if (o.hashes) opts.push('HASHES');
  if (o.merges) opts.push('MERGES');
  return `CREATE OPERATOR ${operatorName(o)} (${opts.join(', ')})`;
}

const typeOrZero = (t: string | null): string => (t ? `${quoteLiteral(t)}::pg_catalog.regtype` : '0');

/** `createOperator` unless a real (non-shell) operator of that name and operand types exists. */
export function operatorStatement(o: PgOperatorDef): string {
  const body =
    `BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_operator p JOIN pg_catalog.pg_namespace n ON n.oid = p.oprnamespace` +
    ` WHERE n.nspname = ${quoteLiteral(o.schema)} AND p.oprname = ${quoteLiteral(o.name)}` +
    ` AND p.oprleft = ${typeOrZero(o.left)} AND p.oprright = ${typeOrZero(o.right)} AND p.oprcode <> 0)` +
    ` THEN ${createOperator(o)}; END IF; END`;
  return `DO ${dollarQuote(body)}`;
}

/** `(left, right)` as ALTER/COMMENT ON OPERATOR take it. */
export const operatorSignature = (o: PgOperatorDef): string => `${operatorName(o)} (${o.left ?? 'NONE'}, ${o.right ?? 'NONE'})`;

/** The bare `CREATE CAST`: with a function, binary-coercible, or through I/O, in its context. */
export function createCast(c: PgCastDef): string {
  const how = c.method === 'function' ? `WITH FUNCTION ${c.function}` : c.method === 'inout' ? 'WITH INOUT' : 'WITHOUT FUNCTION';
  const context = c.context === 'implicit' ? ' AS IMPLICIT' : c.context === 'assignment' ? ' AS ASSIGNMENT' : '';
  return `CREATE CAST (${c.source} AS ${c.target}) ${how}${context}`;
}

/** `createCast` unless a cast between the two types exists. */
export function castStatement(c: PgCastDef): string {
  const body =
    `BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_cast WHERE castsource = ${quoteLiteral(c.source)}::pg_catalog.regtype` +
    ` AND casttarget = ${quoteLiteral(c.target)}::pg_catalog.regtype) THEN ${createCast(c)}; END IF; END`;
  return `DO ${dollarQuote(body)}`;
}
