import type { QualifiedName } from '../catalog.js';

/** A T-SQL identifier in brackets (a `]` inside is doubled). */
export function quoteSqlServerIdent(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

export function quoteSqlServerQualified(q: QualifiedName): string {
  return `${quoteSqlServerIdent(q.schema)}.${quoteSqlServerIdent(q.name)}`;
}

/** A Unicode string literal (`N'…'`, a quote inside doubled). */
export function quoteSqlServerLiteral(text: string): string {
  return `N'${text.replace(/'/g, "''")}'`;
}
