import type { TableDef } from '../../providers/catalog.js';
import { qualifiedKey } from '../../providers/catalog.js';
import type { ChunkChecksum, KeyValues, TableChecksummer } from '../../providers/provider.js';

export type TableVerdict = 'equal' | 'different' | 'changing';

export interface RowDifference {
  /** Key values as JSON text (or a row hash for keyless tables). */
  key: string;
  kind: 'missing on destination' | 'extra on destination' | 'different';
}

export interface TableVerification {
  table: string;
  status: TableVerdict;
  rowsSource: number;
  rowsDestination: number;
  chunks: number;
  differentChunks: number;
  /** First differing rows (at most `maxDifferences`), located via the differing chunks. */
  differences: RowDifference[];
  /** Key range of the first differing chunk, `(lower, upper]`. */
  firstDifferentRange: { lower: KeyValues | null; upper: KeyValues | null } | null;
}

export interface VerifyTableOptions {
  chunkRows: number;
  /** Re-check a differing chunk this many times (a running job's destination may be catching up). */
  rechecks: number;
  recheckDelayMs: number;
  maxDifferences: number;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const same = (a: ChunkChecksum, b: ChunkChecksum) => a.count === b.count && a.hash === b.hash;

/**
 * Compare one table chunk by chunk in key order: equal chunks cost one
 * aggregate query per side; a differing chunk is re-checked (a live job may
 * still be applying it), then drilled down to rows. Keyless tables compare as
 * one order-independent chunk.
 */
export async function verifyTable(
  source: TableChecksummer,
  destination: TableChecksummer,
  table: TableDef,
  opts: VerifyTableOptions,
): Promise<TableVerification> {
  const key = table.primaryKey?.columns ?? [];
  const result: TableVerification = {
    table: qualifiedKey(table),
    status: 'equal',
    rowsSource: 0,
    rowsDestination: 0,
    chunks: 0,
    differentChunks: 0,
    differences: [],
    firstDifferentRange: null,
  };
  // pass 1: every chunk once
  const suspects: {
    lower: KeyValues | null;
    upper: KeyValues | null;
    src: ChunkChecksum;
    dst: ChunkChecksum;
    changing: boolean;
  }[] = [];
  let lower: KeyValues | null = null;
  for (;;) {
    if (opts.signal?.aborted) throw new Error('verify interrupted');
    const upper: KeyValues | null = key.length ? await source.keyAfter(table, key, lower, opts.chunkRows) : null;
    const src = await source.chunk(table, key, lower, upper);
    const dst = await destination.chunk(table, key, lower, upper);
    result.chunks++;
    result.rowsSource += src.count;
    result.rowsDestination += dst.count;
    if (!same(src, dst)) suspects.push({ lower, upper, src, dst, changing: false });
    if (!upper) break;
    lower = upper;
  }
  // pass 2: re-check only the differing chunks, together, giving a live job's destination time to catch up
  let open = suspects;
  for (let round = 0; round < opts.rechecks && open.some((c) => !same(c.src, c.dst)); round++) {
    await sleep(opts.recheckDelayMs * (round + 1));
    for (const c of open) {
      const again = await source.chunk(table, key, c.lower, c.upper);
      c.changing = !same(again, c.src);
      c.src = again;
      c.dst = await destination.chunk(table, key, c.lower, c.upper);
    }
    open = open.filter((c) => !same(c.src, c.dst));
  }
  for (const c of suspects) {
    if (same(c.src, c.dst)) continue;
    result.differentChunks++;
    if (c.changing) {
      if (result.status === 'equal') result.status = 'changing';
      continue;
    }
    result.status = 'different';
    result.firstDifferentRange ??= { lower: c.lower, upper: c.upper };
    if (result.differences.length < opts.maxDifferences) {
      result.differences.push(
        ...(await rowDifferences(
          source,
          destination,
          table,
          key,
          c.lower,
          c.upper,
          opts.maxDifferences - result.differences.length,
        )),
      );
    }
  }
  return result;
}

async function rowDifferences(
  source: TableChecksummer,
  destination: TableChecksummer,
  table: TableDef,
  key: string[],
  lower: KeyValues | null,
  upper: KeyValues | null,
  max: number,
): Promise<RowDifference[]> {
  const [a, b] = await Promise.all([source.rows(table, key, lower, upper), destination.rows(table, key, lower, upper)]);
  const out: RowDifference[] = [];
  for (const [k, h] of a) {
    if (out.length >= max) return out;
    const other = b.get(k);
    if (other === undefined) out.push({ key: k, kind: 'missing on destination' });
    else if (other !== h) out.push({ key: k, kind: key.length ? 'different' : 'missing on destination' });
  }
  for (const k of b.keys()) {
    if (out.length >= max) return out;
    if (!a.has(k)) out.push({ key: k, kind: 'extra on destination' });
  }
  return out;
}
