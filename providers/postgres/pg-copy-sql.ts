import type { TableDef } from '../catalog.js';
import type { CopyFormat } from '../provider.js';
import { quoteIdent } from './pg-quote.js';

/** Columns moved by COPY: generated columns are recomputed by the destination. */
export function copyColumnList(table: TableDef): string {
  return table.columns
    .filter((c) => c.generated === null)
    .map((c) => quoteIdent(c.name))
    .join(', ');
}

export function copyOptions(format: CopyFormat, extra: string[] = []): string {
  const opts = [format === 'pg-binary' ? 'FORMAT binary' : 'FORMAT text', ...extra];
  return `(${opts.join(', ')})`;
}
