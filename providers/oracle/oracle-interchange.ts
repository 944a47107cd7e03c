/**
 * Rows of an Oracle table as the interchange stream (DESIGN §7a):
 * PostgreSQL text COPY lines of canonical text values — tab between
 * columns, `\N` for NULL, backslash, tab, newline and carriage return
 * escaped. Values arrive as oracle-sql.ts selects them (NUMBER as text,
 * dates and timestamps as TO_CHAR text, LOBs as strings and Buffers,
 * BINARY_FLOAT/DOUBLE as IEEE numbers) and become canonical text through
 * oracle-value-text.ts, the same functions the change stream uses.
 */
import type { ColumnDef } from '../catalog.js';
import {
  canonicalBytes,
  canonicalDateTime,
  canonicalDouble,
  canonicalFloat32,
  canonicalInterval,
  canonicalNumber,
  OracleValueError,
  trimCharPadding,
} from './oracle-value-text.js';

/** One fetched value (string, number, Buffer, boolean) as canonical text, or null. */
export type OracleValueEncoder = (v: unknown) => string | null;

export function valueEncoder(c: ColumnDef): OracleValueEncoder {
  const t = c.canonical;
  const where = c.name;
  const text = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    throw new OracleValueError(`column ${where}: unexpected ${typeof v} value`);
  };
  switch (t?.kind) {
    case 'int':
    case 'decimal':
      return (v) => (v == null ? null : canonicalNumber(text(v)));
    case 'float':
      return (v) => {
        if (v == null) return null;
        const n = typeof v === 'number' ? v : Number(text(v));
        return t.bits === 32 ? canonicalFloat32(Math.fround(n)) : canonicalDouble(n);
      };
    case 'timestamp':
      return (v) => (v == null ? null : canonicalDateTime(text(v), t.withZone));
    case 'date':
      return (v) => (v == null ? null : canonicalDateTime(text(v), false).slice(0, 10));
    case 'interval':
      return (v) => (v == null ? null : canonicalInterval(text(v)));
    case 'bytes':
      return (v) => {
        if (v == null) return null;
        if (Buffer.isBuffer(v)) return canonicalBytes(v);
        throw new OracleValueError(`column ${where}: bytes arrived as ${typeof v}`);
      };
    case 'boolean':
      return (v) => (v == null ? null : v === true || v === 1 || v === '1' ? 't' : 'f');
    case 'text':
      return t.fixed ? (v) => (v == null ? null : trimCharPadding(text(v))) : (v) => (v == null ? null : text(v));
    default:
      return (v) => (v == null ? null : text(v));
  }
}

/** The value with COPY text escapes. */
export function escapeCopyText(v: string): string {
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'))
    : v;
}

/** Encodes fetched rows (arrays in select-list order) into COPY text lines. */
export class RowEncoder {
  private readonly encoders: OracleValueEncoder[];

  constructor(columns: readonly ColumnDef[]) {
    this.encoders = columns.map(valueEncoder);
  }

  /** The row's canonical values (NULL as null). */
  values(row: readonly unknown[]): (string | null)[] {
    return this.encoders.map((e, i) => e(row[i]));
  }

  /** One COPY text line, newline included. */
  line(row: readonly unknown[]): string {
    let out = '';
    for (let i = 0; i < this.encoders.length; i++) {
      const v = (this.encoders[i] as OracleValueEncoder)(row[i]);
      out += (i ? '\t' : '') + (v === null ? '\\N' : escapeCopyText(v));
    }
    return `${out}\n`;
  }
}
