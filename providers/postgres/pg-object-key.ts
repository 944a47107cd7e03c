/**
 * Stable keys naming schema objects in creation-order dependencies. A key is
 * the object's class and its quoted identity, so the same object has the
 * same key on every server and version; keys never contain OIDs. Tables,
 * views, materialized views and sequences share one key space (relations),
 * as they share one namespace in PostgreSQL; a table's row type is keyed as
 * the table.
 */
import type { QualifiedName } from '../catalog.js';
import { quoteIdent, quoteQualified } from './pg-quote.js';

/** Tables, views, materialized views and sequences. */
export const relationKey = (q: QualifiedName): string => `relation:${quoteQualified(q)}`;

/** Enums, domains, composite, range and base types (not row types, not arrays: those key as what they hold). */
export const typeKey = (q: QualifiedName): string => `type:${quoteQualified(q)}`;

/** Functions, procedures and aggregates; `args` are the input types as `oidvectortypes` prints them. */
export const routineKey = (q: QualifiedName, args: string): string => `routine:${quoteQualified(q)}(${args})`;

export const operatorKey = (q: QualifiedName, left: string | null, right: string | null): string =>
  `operator:${quoteIdent(q.schema)}.${q.name}(${left ?? 'NONE'},${right ?? 'NONE'})`;

/** A cast, by its source and target types as `format_type` prints them. */
export const castKey = (source: string, target: string): string => `cast:(${source} AS ${target})`;

/** A collation. */
export const collationKey = (q: QualifiedName): string => `collation:${quoteQualified(q)}`;
