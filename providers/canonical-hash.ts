/**
 * Row hashes of heterogeneous pairs (DESIGN §7a: "verify hashes canonical
 * values on both sides"). Each side reads its values as canonical text
 * (see CANONICAL_TEXT) and normalises the spellings engines differ in —
 * trailing fraction zeros, float text, JSON key order and spacing, the zone
 * suffix — so equal values hash equal whichever engine holds them.
 */
import { createHash } from 'node:crypto';
import type { CanonicalType } from './canonical-type.js';
import type { ChunkChecksum } from './provider.js';

/** Sorted-key JSON text of a parsed value. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** `12:00:00.500000` → `12:00:00.5`; `…:00.000000` → `…:00`. */
function trimFraction(v: string): string {
  return v.replace(/\.(\d*?)0+(?=$|[+-]\d\d$)/, (_m, keep: string) => (keep ? `.${keep}` : ''));
}

/** The normalised canonical text of one value of type `t` (null stays null). */
export function normaliseCanonical(t: CanonicalType | undefined, v: string | null): string | null {
  if (v === null || !t) return v;
  switch (t.kind) {
    case 'boolean':
      return v === 't' || v === 'true' || v === '1' ? '1' : '0';
    case 'int':
    case 'bit':
      // a flag the destination holds as a boolean (types: to boolean)
      return v === 't' || v === 'true' ? '1' : v === 'f' || v === 'false' ? '0' : v;
    case 'float': {
      const n = Number(v);
      return String(t.bits === 32 ? Math.fround(n) : n);
    }
    case 'year':
      return String(Number(v));
    case 'time':
      return trimFraction(v);
    case 'timestamp':
      return trimFraction(v.replace(/\+00(:00)?$/, ''));
    case 'json':
      try {
        return stableJson(JSON.parse(v));
      } catch {
        return v;
      }
    case 'bytes':
    case 'geometry':
      return v.replace(/^\\x/, '').toLowerCase();
    default:
      return v;
  }
}

/** Hash of one row's normalised values (NULL distinct from every text). */
export function canonicalRowHash(values: readonly (string | null)[]): string {
  const h = createHash('md5');
  for (const v of values) {
    if (v === null) h.update('\u0000N');
    else h.update(`\u0001${v.length}:`).update(v);
  }
  return h.digest('hex');
}

const MOD = 1n << 128n;

/**
 * Hash of a chunk: the sum of its row hashes modulo 2^128 — independent of
 * row order (engines sort text keys by different collations; keyless tables
 * have no order) and of memory (rows are added as they stream).
 */
export class ChunkHasher {
  private sum = 0n;
  count = 0;

  add(rowHash: string): void {
    this.sum = (this.sum + BigInt(`0x${rowHash}`)) % MOD;
    this.count++;
  }

  digest(): string {
    return this.count ? this.sum.toString(16).padStart(32, '0') : '';
  }
}

/** Streams the rows of a chunk: each row's key text (JSON of its values; '' when keyless) and hash. */
export type CanonicalScan = (onRow: (key: string, hash: string) => void) => Promise<void>;

/** A chunk's checksum from its scan. */
export async function canonicalChunk(scan: CanonicalScan): Promise<ChunkChecksum> {
  const hasher = new ChunkHasher();
  await scan((_k, h) => hasher.add(h));
  return { count: hasher.count, hash: hasher.digest() };
}

/** Per-row hashes by key; a keyless table's rows by hash, with their count. */
export async function canonicalRows(scan: CanonicalScan, keyed: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await scan((k, h) => {
    if (keyed) out.set(k, h);
    else out.set(h, `${Number(out.get(h) ?? '0') + 1}`);
  });
  return out;
}
