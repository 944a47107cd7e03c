/**
 * The job's `zeroDates` setting (SchemaSettings.zeroDates): what a MySQL
 * zero date (`0000-00-00`, `0000-00-00 00:00:00`, a zero month or day like
 * `2020-00-15`) becomes at a destination that cannot hold it — NULL (the
 * default), an error, or a fixed value. The destination converts (full dump
 * and changes); a source's verify reader normalises the same way.
 */
import type { SchemaSettings } from '../contract/declaration.js';
import type { ColumnDef } from './catalog.js';

/** `null`, `error`, or the replacement text (`-infinity`, `infinity`, `YYYY-MM-DD`). */
export type ZeroDateRule = 'null' | 'error' | { value: string };

export function zeroDateRule(settings: SchemaSettings | undefined): ZeroDateRule {
  const v = settings?.zeroDates;
  if (v === undefined || v === null || v === 'null') return 'null';
  if (v === 'error') return 'error';
  return { value: v };
}

/** The column kinds a zero date can be in: `date`, `timestamp` (without zone) and `timestamptz`. */
export type ZeroDateKind = 'date' | 'timestamp' | 'timestamptz';

/** The kind of a source column by its canonical type (the interchange stream's columns). */
export function zeroDateKindOfColumn(c: ColumnDef): ZeroDateKind | null {
  const t = c.canonical;
  if (t?.kind === 'date') return 'date';
  if (t?.kind === 'timestamp') return t.withZone ? 'timestamptz' : 'timestamp';
  return null;
}

/** The text a zero date of `kind` becomes under `rule` (null: NULL). Never called for `error`. */
export function zeroDateReplacement(rule: ZeroDateRule, kind: ZeroDateKind): string | null {
  if (rule === 'null' || rule === 'error') return null;
  const v = rule.value;
  if (v === '-infinity' || v === 'infinity' || kind === 'date') return v;
  return kind === 'timestamptz' ? `${v} 00:00:00+00` : `${v} 00:00:00`;
}
