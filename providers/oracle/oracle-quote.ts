import type { QualifiedName } from '../catalog.js';

/** An Oracle identifier quoted: case is kept as the catalog spells it (unquoted names are stored upper case). */
export function quoteOracleIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error(`an Oracle name cannot hold NUL: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteOracleQualified(q: QualifiedName): string {
  return `${quoteOracleIdent(q.schema)}.${quoteOracleIdent(q.name)}`;
}

/** A string literal (`'` doubled). */
export function quoteOracleLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
