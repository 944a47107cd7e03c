/**
 * Canonical column types rendered as PostgreSQL types (DESIGN §7a): the
 * documented map of heterogeneous pairs into PostgreSQL. Each choice that
 * is not the obvious one carries a note (shown in the plan); a per-job
 * `types:` rule can pick another target where the canonical kind allows it.
 */
import type { TypeOverride } from '../../contract/declaration.js';
import type { CanonicalType } from '../canonical-type.js';

export interface PgTypeChoice {
  /** PostgreSQL type text. */
  type: string;
  /** Why this is not the obvious one (for the plan), or absent. */
  note?: string;
}

/** A per-job override (the job's `types:`): columns by native type or by `database.table.column` glob, to a PostgreSQL type. */
export type TypeRule = TypeOverride;

/** Targets a rule may pick per canonical kind (beyond the default): what the canonical text converts to exactly. */
const ALLOWED: Record<string, RegExp> = {
  boolean: /^(boolean|smallint|integer|bigint|text)$/,
  int: /^(boolean|smallint|integer|bigint|numeric(\(\d+(,\s*\d+)?\))?|text)$/,
  decimal: /^(numeric(\(\d+(,\s*\d+)?\))?|double precision|real|text)$/,
  float: /^(real|double precision|numeric|text)$/,
  text: /^(text|varchar(\(\d+\))?|character varying(\(\d+\))?|char(\(\d+\))?|citext|jsonb?|uuid)$/,
  bytes: /^(bytea)$/,
  date: /^(date|text)$/,
  time: /^(time(\(\d\))?|interval|text)$/,
  timestamp: /^(timestamp(\(\d\))?|timestamptz(\(\d\))?|timestamp(\(\d\))? with(out)? time zone|text)$/,
  year: /^(smallint|integer|text)$/,
  interval: /^(interval|text)$/,
  json: /^(jsonb|json|text)$/,
  uuid: /^(uuid|text)$/,
  enum: /^(enum|text|varchar(\(\d+\))?)$/,
  set: /^(text|varchar(\(\d+\))?)$/,
  bit: /^(bit(\(\d+\))?|varbit|bit varying(\(\d+\))?|text)$/,
  geometry: /^(bytea)$/,
  array: /^(text)$/,
};

/** Whether `to` is a target `t` converts to exactly (a rule picking anything else is a plan error). */
export function allowedTarget(t: CanonicalType, to: string): boolean {
  if (t.kind === 'int' && to === 'boolean') return t.bits === 8;
  if (t.kind === 'bit' && to === 'boolean') return t.length === 1;
  return (ALLOWED[t.kind] ?? /^$/).test(to.trim().toLowerCase());
}

const precision = (p: number) => (p > 6 ? 6 : p);

/** The default PostgreSQL type of a canonical type; `enumType` names the enum type created for an enum column. */
export function defaultPgType(t: CanonicalType, enumType: string): PgTypeChoice {
  switch (t.kind) {
    case 'boolean':
      return { type: 'boolean' };
    case 'int': {
      if (t.bits === 8)
        return { type: 'smallint', note: t.unsigned ? undefined : 'no 1-byte integer: smallint (types: to boolean for flags)' };
      if (!t.unsigned)
        return {
          type: t.bits === 16 ? 'smallint' : t.bits === 64 ? 'bigint' : 'integer',
          ...(t.bits === 24 ? { note: '3-byte integer widened to integer' } : {}),
        };
      if (t.bits === 16) return { type: 'integer', note: 'unsigned: widened to integer' };
      if (t.bits === 24 || t.bits === 32) return { type: 'bigint', note: 'unsigned: widened to bigint' };
      return { type: 'numeric(20)', note: 'unsigned 64-bit: numeric(20) (bigint cannot hold values above 2^63-1)' };
    }
    case 'decimal':
      return { type: t.precision === null ? 'numeric' : `numeric(${t.precision},${t.scale})` };
    case 'float':
      return { type: t.bits === 32 ? 'real' : 'double precision' };
    case 'text':
      if (t.length === null) return { type: 'text' };
      if (t.fixed)
        return {
          type: `varchar(${t.length})`,
          note: 'char(n): varchar(n), values as the source returns them (without trailing blanks)',
        };
      return { type: `varchar(${t.length})` };
    case 'bytes':
      return { type: 'bytea' };
    case 'date':
      return { type: 'date' };
    case 'time':
      return t.extended
        ? {
            type: `time(${precision(t.precision)})`,
            note: 'time of day: values outside 00:00–24:00 fail to load (types: to interval keeps every value)',
          }
        : { type: `time(${precision(t.precision)})` };
    case 'timestamp':
      return t.withZone
        ? { type: `timestamptz(${precision(t.precision)})`, note: 'an instant: timestamp with time zone' }
        : { type: `timestamp(${precision(t.precision)})` };
    case 'year':
      return { type: 'smallint', note: 'year as smallint' };
    case 'interval':
      return { type: 'interval' };
    case 'json':
      return { type: 'jsonb' };
    case 'uuid':
      return { type: 'uuid' };
    case 'enum':
      return { type: enumType, note: `enum type ${enumType}` };
    case 'set':
      return { type: 'text', note: 'set: its labels joined by commas, as text' };
    case 'bit':
      return { type: `bit(${t.length})` };
    case 'geometry':
      return { type: 'bytea', note: 'geometry as bytea: 4-byte SRID then WKB (PostGIS not used)' };
    case 'array':
      return { type: `${defaultPgType(t.of, enumType).type}[]` };
  }
}
