/**
 * Column defaults as sys.default_constraints stores them (`((1))`,
 * `(N'new')`, `(getdate())`) in the plainest T-SQL that means the same, so
 * a destination of another engine recognises literals and the current time
 * (pg-foreign-catalog.ts converts `'…'`, numbers and CURRENT_TIMESTAMP) and
 * a SQL Server destination recreates them unchanged in meaning.
 */

/** Whether `(`…`)` around the whole text are one pair (parentheses inside string literals ignored). */
function wrapped(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0 && i < text.length - 1) return false;
    }
  }
  return depth === 0 && !quoted;
}

/** The server's local time now (not the UTC functions: those mean another instant in another engine's session). */
const NOW = /^(getdate\(\)|sysdatetime\(\)|current_timestamp)$/i;

export function normalizeSqlServerDefault(definition: string): string {
  let d = definition.trim();
  while (wrapped(d)) d = d.slice(1, -1).trim();
  if (NOW.test(d)) return 'CURRENT_TIMESTAMP';
  const n = /^N('(?:[^']|'')*')$/s.exec(d);
  // a Unicode literal of ASCII characters only reads the same without its N
  if (n && /^[\x20-\x7e]*$/.test(n[1] as string)) return n[1] as string;
  return d;
}
