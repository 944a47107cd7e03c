/**
 * The engine-neutral column type model of heterogeneous pairs (DESIGN §7a).
 * A source's introspector computes it next to the column's `nativeType`; a
 * destination of another engine renders it into its own DDL (N + M
 * mappings, not N × M). Values of every kind travel as their canonical text
 * form (see `CANONICAL_TEXT`), exact: never through a JS number or Date.
 */
export type CanonicalType =
  | { kind: 'boolean' }
  /** Two's-complement integer of `bits`; `unsigned` doubles the positive range. */
  | { kind: 'int'; bits: 8 | 16 | 24 | 32 | 64; unsigned: boolean }
  /** Exact decimal; `precision` null = unbounded. */
  | { kind: 'decimal'; precision: number | null; scale: number }
  | { kind: 'float'; bits: 32 | 64 }
  /** Character data; `length` in characters (null = unbounded); `fixed`: blank-padded on the source. */
  | { kind: 'text'; length: number | null; fixed: boolean; charset: string | null }
  | { kind: 'bytes'; length: number | null; fixed: boolean }
  | { kind: 'date' }
  /** Time of day, or (`extended`) a signed duration in hours:minutes:seconds (MySQL TIME: ±838 h). */
  | { kind: 'time'; precision: number; extended: boolean }
  | { kind: 'timestamp'; precision: number; withZone: boolean }
  /** A calendar year (MySQL YEAR). */
  | { kind: 'year' }
  | { kind: 'interval' }
  | { kind: 'json' }
  | { kind: 'uuid' }
  | { kind: 'enum'; labels: string[] }
  /** A set of labels (MySQL SET). */
  | { kind: 'set'; labels: string[] }
  | { kind: 'bit'; length: number }
  /** `subtype`: geometry, point, linestring, polygon, multi…, geometrycollection. */
  | { kind: 'geometry'; subtype: string; srid: number | null }
  | { kind: 'array'; of: CanonicalType };

export type CanonicalKind = CanonicalType['kind'];

/**
 * The canonical text form of a value of each kind, as it travels in the
 * interchange stream and in change events (NULL is a null, never a text).
 */
export const CANONICAL_TEXT: Record<CanonicalKind, string> = {
  boolean: '`t` or `f`',
  int: 'decimal digits with an optional `-`',
  decimal: 'decimal digits, `.` and the scale’s digits, optional `-`',
  float: 'shortest round-trip decimal or exponent form; `NaN`, `Infinity`, `-Infinity`',
  text: 'the characters, UTF-8',
  bytes: '`\\x` and lowercase hex',
  date: '`YYYY-MM-DD` (a MySQL zero date `0000-00-00`, or a zero month or day, as it is: see ZERO_DATE_TEXT)',
  time: '`[-]HH:MM:SS[.ffffff]` (hours may exceed 23 when extended)',
  timestamp: '`YYYY-MM-DD HH:MM:SS[.ffffff]`, with `+00` when with zone (always UTC; a zero date has no zone)',
  year: 'four digits',
  interval: 'ISO 8601 duration or PostgreSQL interval text',
  json: 'JSON text',
  uuid: 'lowercase 8-4-4-4-12 hex',
  enum: 'the label',
  set: 'the labels joined by `,` in declaration order',
  bit: '`0` and `1`, most significant first',
  geometry: '`\\x` and hex of the 4-byte little-endian SRID followed by the WKB',
  array: 'PostgreSQL array literal of the element’s forms',
};

/**
 * A date or timestamp with no calendar date (MySQL's zero date, zero month
 * or zero day). Change values carry it as it is; a destination that cannot
 * hold it writes NULL and counts it (the full dump's stream already did).
 */
export const ZERO_DATE_TEXT = /^0000-00-00|^\d{4}-00-|^\d{4}-\d\d-00/;

/** A short human-readable name, for plans (`int32 unsigned`, `decimal(20,0)`, `text(255) latin1`). */
export function describeCanonical(t: CanonicalType): string {
  switch (t.kind) {
    case 'int':
      return `int${t.bits}${t.unsigned ? ' unsigned' : ''}`;
    case 'decimal':
      return t.precision === null ? 'decimal' : `decimal(${t.precision},${t.scale})`;
    case 'float':
      return `float${t.bits}`;
    case 'text':
      return `${t.fixed ? 'char' : 'text'}${t.length === null ? '' : `(${t.length})`}${t.charset ? ` ${t.charset}` : ''}`;
    case 'bytes':
      return `bytes${t.length === null ? '' : `(${t.length})`}${t.fixed ? ' fixed' : ''}`;
    case 'time':
      return `time(${t.precision})${t.extended ? ' extended' : ''}`;
    case 'timestamp':
      return `timestamp(${t.precision})${t.withZone ? ' with zone' : ''}`;
    case 'enum':
    case 'set':
      return `${t.kind}(${t.labels.length} labels)`;
    case 'bit':
      return `bit(${t.length})`;
    case 'geometry':
      return `geometry ${t.subtype}${t.srid === null ? '' : ` srid ${t.srid}`}`;
    case 'array':
      return `array of ${describeCanonical(t.of)}`;
    default:
      return t.kind;
  }
}
