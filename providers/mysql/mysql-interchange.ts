/**
 * Rows of a MySQL table as the interchange stream (DESIGN §7a): PostgreSQL
 * text COPY lines of canonical text values — tab between columns, `\N` for
 * NULL, backslash, tab, newline and carriage return escaped. Values are the
 * server's own text forms (exact: never a JS number or Date), with the few
 * conversions the canonical forms need: bytes and geometry as `\x` hex, BIT
 * as `0`/`1` digits, TIMESTAMP with its `+00` zone (sessions run in UTC),
 * FLOAT widened to DOUBLE on the server (exact). Zero dates (`0000-00-00`,
 * or a zero month or day), which no other engine holds, travel as they are
 * (canonical text, no zone) — counted: the destination makes them what the
 * job's `zeroDates` says.
 */
import type { CanonicalType } from '../canonical-type.js';
import type { ColumnDef } from '../catalog.js';
import { quoteMySqlIdent } from './mysql-quote.js';

/** The columns a copy moves: generated ones are computed by the destination (or not converted). */
export function copiedColumns(columns: readonly ColumnDef[]): ColumnDef[] {
  return columns.filter((c) => c.generated === null);
}

/** The SELECT list reading `columns` in the forms `encodeRow` expects. */
export function selectList(columns: readonly ColumnDef[]): string {
  return columns
    .map((c) => {
      const q = quoteMySqlIdent(c.name);
      // FLOAT's own text rounds to 6 digits; as DOUBLE it is the exact stored value
      if (c.canonical?.kind === 'float' && c.canonical.bits === 32) return `CAST(${q} AS DOUBLE)`;
      return q;
    })
    .join(', ');
}

type Encoder = (v: Buffer, counts: ConversionCounts) => Buffer | null;

export interface ConversionCounts {
  /** Zero dates read, per column (the destination converts them). */
  zeroDates: Map<string, number>;
}

const BACKSLASH = 0x5c;
const NULL_TEXT = Buffer.from('\\N');
const HEX_PREFIX = Buffer.from('\\\\x');
const ZONE = Buffer.from('+00');

/** The value with COPY text escapes (only when it needs them: most values are copied as they are). */
export function escapeCopyText(v: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    if (b === BACKSLASH || b === 0x09 || b === 0x0a || b === 0x0d) extra++;
  }
  if (!extra) return v;
  const out = Buffer.allocUnsafe(v.length + extra);
  let o = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    if (b === BACKSLASH) {
      out[o++] = BACKSLASH;
      out[o++] = BACKSLASH;
    } else if (b === 0x09) {
      out[o++] = BACKSLASH;
      out[o++] = 0x74; // t
    } else if (b === 0x0a) {
      out[o++] = BACKSLASH;
      out[o++] = 0x6e; // n
    } else if (b === 0x0d) {
      out[o++] = BACKSLASH;
      out[o++] = 0x72; // r
    } else out[o++] = b;
  }
  return out;
}

/** `YYYY-MM-DD…` with a zero year-month-day, month or day: no calendar date. */
export function isZeroDate(v: Buffer): boolean {
  // positions of the month and day digits in the text form
  return (v[5] === 0x30 && v[6] === 0x30) || (v[8] === 0x30 && v[9] === 0x30);
}

/** BIT(n) bytes (big-endian) as n `0`/`1` digits. */
export function bitDigits(v: Buffer, length: number): string {
  let bits = '';
  for (const b of v) bits += b.toString(2).padStart(8, '0');
  return bits.slice(bits.length - length).padStart(length, '0');
}

function encoderFor(c: ColumnDef): Encoder {
  const t: CanonicalType | undefined = c.canonical;
  switch (t?.kind) {
    case 'bytes':
    case 'geometry':
      return (v) => Buffer.concat([HEX_PREFIX, Buffer.from(v.toString('hex'))]);
    case 'bit':
      return (v) => Buffer.from(bitDigits(v, t.length));
    case 'date':
    case 'timestamp': {
      const zone = t.kind === 'timestamp' && t.withZone;
      return (v, counts) => {
        if (isZeroDate(v)) {
          counts.zeroDates.set(c.name, (counts.zeroDates.get(c.name) ?? 0) + 1);
          return v; // as it is, without a zone: the destination converts it (zeroDates)
        }
        return zone ? Buffer.concat([v, ZONE]) : v;
      };
    }
    case 'int':
    case 'decimal':
    case 'float':
    case 'year':
      return (v) => v;
    default:
      return escapeCopyText;
  }
}

/** Encodes rows (arrays of the server's value bytes, null for NULL) into COPY text lines. */
export class RowEncoder {
  private readonly encoders: Encoder[];
  readonly counts: ConversionCounts = { zeroDates: new Map() };

  constructor(columns: readonly ColumnDef[]) {
    this.encoders = columns.map(encoderFor);
  }

  /** Appends one line to `out`; returns its byte length. */
  encode(row: readonly (Buffer | null)[], out: Buffer[]): number {
    let bytes = 0;
    for (let i = 0; i < this.encoders.length; i++) {
      const raw = row[i];
      const v = raw === null || raw === undefined ? null : (this.encoders[i] as Encoder)(raw, this.counts);
      const part = v === null ? NULL_TEXT : v;
      out.push(part);
      bytes += part.length;
      const sep = i === this.encoders.length - 1 ? NEWLINE : TAB;
      out.push(sep);
      bytes += 1;
    }
    return bytes;
  }
}

const TAB = Buffer.from('\t');
const NEWLINE = Buffer.from('\n');
