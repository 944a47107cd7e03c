/**
 * DDL for functions, procedures and aggregates. Functions and procedures
 * replay `pg_get_functiondef` (already `CREATE OR REPLACE`; bodies are not
 * checked while creating, as with pg_dump, so plpgsql and SQL bodies may
 * name objects created later). Aggregates are built from their
 * pg_aggregate fields as `CREATE OR REPLACE AGGREGATE` (PostgreSQL 12+).
 */
import type { PgAggregateDef, PgRoutineDef } from './pg-native-catalog.js';
import { quoteLiteral, quoteQualified } from './pg-quote.js';

/** A function or procedure as the source printed it (already `CREATE OR REPLACE`). */
export const routineStatement = (r: PgRoutineDef): string => r.definition;

/** `schema.name(args)` as ALTER/GRANT/COMMENT ON ROUTINE take it. */
export const routineSignature = (r: { schema: string; name: string; args: string }): string => `${quoteQualified(r)}(${r.args})`;

/** The `CREATE AGGREGATE` statement; options at their defaults are left out. */
export function createAggregate(a: PgAggregateDef, orReplace = true): string {
  const o: string[] = [`SFUNC = ${a.sfunc}`, `STYPE = ${a.stype}`];
  if (a.sspace) o.push(`SSPACE = ${a.sspace}`);
  if (a.finalfunc) {
    o.push(`FINALFUNC = ${a.finalfunc}`);
    if (a.finalfuncExtra) o.push('FINALFUNC_EXTRA');
    o.push(`FINALFUNC_MODIFY = ${a.finalfuncModify.toUpperCase()}`);
  }
  if (a.combinefunc) o.push(`COMBINEFUNC = ${a.combinefunc}`);
  if (a.serialfunc) o.push(`SERIALFUNC = ${a.serialfunc}`);
  if (a.deserialfunc) o.push(`DESERIALFUNC = ${a.deserialfunc}`);
  if (a.initcond !== null) o.push(`INITCOND = ${quoteLiteral(a.initcond)}`);
  if (a.msfunc) o.push(`MSFUNC = ${a.msfunc}`);
  if (a.minvfunc) o.push(`MINVFUNC = ${a.minvfunc}`);
  if (a.mstype) o.push(`MSTYPE = ${a.mstype}`);
  if (a.msspace) o.push(`MSSPACE = ${a.msspace}`);
  if (a.mfinalfunc) {
    o.push(`MFINALFUNC = ${a.mfinalfunc}`);
    if (a.mfinalfuncExtra) o.push('MFINALFUNC_EXTRA');
    o.push(`MFINALFUNC_MODIFY = ${a.mfinalfuncModify.toUpperCase()}`);
  }
  if (a.minitcond !== null) o.push(`MINITCOND = ${quoteLiteral(a.minitcond)}`);
  if (a.sortop) o.push(`SORTOP = OPERATOR(${a.sortop})`);
  if (a.parallel) o.push(`PARALLEL = ${a.parallel.toUpperCase()}`);
  if (a.kind === 'hypothetical') o.push('HYPOTHETICAL');
  return `CREATE ${orReplace ? 'OR REPLACE ' : ''}AGGREGATE ${quoteQualified(a)}(${a.signature}) (\n  ${o.join(',\n  ')}\n)`;
}
