import type { QualifiedName } from '../catalog.js';

/** A MySQL identifier in backquotes (a backquote inside doubled). */
export function quoteMySqlIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function quoteMySqlQualified(q: QualifiedName): string {
  return `${quoteMySqlIdent(q.schema)}.${quoteMySqlIdent(q.name)}`;
}
