/**
 * MySQL zero dates (`0000-00-00`, `0000-00-00 00:00:00`, a zero month or day
 * like `2020-00-15`) at a PostgreSQL destination, which has no such value:
 * the job's `zeroDates` setting (SchemaSettings.zeroDates) says what each
 * becomes — NULL (the default, pgloader's zero-dates-to-null), an error that
 * holds the table back naming column and key, or a fixed value (`-infinity`,
 * `infinity`, a `YYYY-MM-DD` date; timestamps at midnight UTC). The full
 * dump's interchange stream carries them as they are (canonical text), so
 * the load converts them here, as change apply does: counted per table.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { ColumnDef } from '../catalog.js';
import { zeroDateKindOfColumn, zeroDateReplacement, type ZeroDateKind, type ZeroDateRule } from '../zero-dates.js';

export { zeroDateReplacement, zeroDateRule } from '../zero-dates.js';

/** The kind of a destination column type (`format_type`), or null when it is not a date or timestamp. */
export function zeroDateKindOfPgType(pgType: string | undefined): ZeroDateKind | null {
  if (!pgType) return null;
  if (pgType === 'date') return 'date';
  if (pgType.startsWith('timestamp')) return /with time zone|timestamptz/.test(pgType) ? 'timestamptz' : 'timestamp';
  return null;
}

/** `YYYY-MM-DD…` bytes with a zero month or day (`0000-00-00` included): no calendar date. */
export function isZeroDateAt(b: Buffer, start: number, end: number): boolean {
  if (end - start < 10 || b[start + 4] !== 0x2d || b[start + 7] !== 0x2d) return false;
  return (b[start + 5] === 0x30 && b[start + 6] === 0x30) || (b[start + 8] === 0x30 && b[start + 9] === 0x30);
}

/** A zero date under `zeroDates: error`: names the table, the column and the row's key. */
export class ZeroDateError extends Error {
  constructor(table: string, column: string, value: string, key: string) {
    super(
      `zero date ${value} in ${table}.${column} (${key}): zeroDates is error — fix the row on the source, or set zeroDates to null or a replacement value`,
    );
    this.name = 'ZeroDateError';
  }
}

/** `id=5, region=eu` from key column names and text values ("no key" when the table has none). */
export function describeKey(names: readonly string[], values: readonly (string | null)[]): string {
  if (!names.length) return 'no key';
  return `key ${names.map((n, i) => `${n}=${values[i] ?? 'NULL'}`).join(', ')}`;
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const NULL_FIELD = Buffer.from('\\N');

export interface ZeroDateFilterOptions {
  /** `schema.table` for messages. */
  table: string;
  /** The copied columns in stream order. */
  columns: readonly ColumnDef[];
  /** Key column names (the source's primary key), for the error's message. */
  key: readonly string[];
  rule: ZeroDateRule;
}

/**
 * A Transform over interchange-text COPY lines that writes each zero date of
 * the date and timestamp columns as the rule says and counts them (`count`),
 * or fails the stream with a ZeroDateError. Null when the table has no such
 * column (the stream needs no filter). Tabs and newlines inside values are
 * escaped in COPY text, so raw bytes split the fields exactly.
 */
export function zeroDateFilter(opts: ZeroDateFilterOptions): (Transform & { readonly count: number }) | null {
  const targets = new Map<number, { name: string; replacement: Buffer }>();
  opts.columns.forEach((c, i) => {
    const kind = zeroDateKindOfColumn(c);
    if (!kind) return;
    const text = opts.rule === 'error' ? null : zeroDateReplacement(opts.rule, kind);
    targets.set(i, { name: c.name, replacement: text === null ? NULL_FIELD : Buffer.from(text) });
  });
  if (!targets.size) return null;
  const keyIdx = opts.key.map((k) => opts.columns.findIndex((c) => c.name === k));
  const last = Math.max(...targets.keys(), ...keyIdx);
  /** The unfinished line's bytes. */
  let pending: Buffer[] = [];
  let count = 0;

  /** The fields of the line [start, end) up to column `last`: [start, end) pairs. */
  const fields = (b: Buffer, start: number, end: number): number[] => {
    const out: number[] = [];
    let from = start;
    for (let i = 0; i <= last; i++) {
      let to = b.indexOf(TAB, from);
      if (to < 0 || to > end) to = end;
      out.push(from, to);
      if (to === end) break;
      from = to + 1;
    }
    return out;
  };

  const filter = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (chunk.indexOf(NEWLINE) < 0) {
        // a line longer than the chunk (a large value): joined once its end arrives
        pending.push(chunk);
        cb();
        return;
      }
      const b: Buffer = pending.length ? Buffer.concat([...pending, chunk]) : chunk;
      pending = [];
      const stop = b.lastIndexOf(NEWLINE);
      if (stop + 1 < b.length) pending.push(b.subarray(stop + 1));
      const parts: Buffer[] = [];
      let copied = 0;
      let line = 0;
      try {
        while (line <= stop) {
          const end = b.indexOf(NEWLINE, line);
          const f = fields(b, line, end);
          for (const [col, target] of targets) {
            const s = f[col * 2];
            const e = f[col * 2 + 1];
            if (s === undefined || e === undefined || !isZeroDateAt(b, s, e)) continue;
            if (opts.rule === 'error') {
              const keyText = keyIdx.map((k) => {
                const ks = f[k * 2];
                const ke = f[k * 2 + 1];
                return ks === undefined || ke === undefined ? null : b.toString('utf8', ks, ke);
              });
              throw new ZeroDateError(opts.table, target.name, b.toString('utf8', s, e), describeKey(opts.key, keyText));
            }
            parts.push(b.subarray(copied, s), target.replacement);
            copied = e;
            count++;
          }
          line = end + 1;
        }
      } catch (err) {
        cb(err as Error);
        return;
      }
      parts.push(b.subarray(copied, stop + 1));
      cb(null, parts.length === 1 ? parts[0] : Buffer.concat(parts));
    },
    flush(cb: TransformCallback) {
      // the stream ends with a newline; anything after it is passed on for COPY to judge
      cb(null, pending.length ? Buffer.concat(pending) : undefined);
    },
  });
  return Object.defineProperty(filter, 'count', { get: () => count }) as Transform & { readonly count: number };
}
