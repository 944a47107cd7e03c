/**
 * Tokens of the SQL LogMiner writes into SQL_REDO / SQL_UNDO: quoted
 * identifiers (`"SCHEMA"."TABLE"`, `""` for a quote), string literals
 * (`'it''s'`, spanning lines: a value may hold newlines), numbers, bare words
 * (keywords, function names, NULL), and punctuation. Nothing else is legal
 * there; anything else is a named error, never skipped.
 */

export type RedoToken =
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' | '.' | '=' | ';' | '||' | '-' | '+' };

export class RedoSyntaxError extends Error {}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_$#]/;
const DIGIT = /[0-9]/;

export function tokenizeRedo(sql: string): RedoToken[] {
  const out: RedoToken[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i] as string;
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= n)
          throw new RedoSyntaxError(`unterminated ${ch === "'" ? 'string literal' : 'quoted name'} at ${i}: ${excerpt(sql, i)}`);
        const c = sql[j] as string;
        if (c === ch) {
          if (sql[j + 1] === ch) {
            text += ch;
            j += 2;
            continue;
          }
          j++;
          break;
        }
        text += c;
        j++;
      }
      out.push(ch === "'" ? { kind: 'string', text } : { kind: 'ident', text });
      i = j;
      continue;
    }
    if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(sql[i + 1] ?? ''))) {
      let j = i;
      while (j < n && DIGIT.test(sql[j] as string)) j++;
      if (sql[j] === '.') {
        j++;
        while (j < n && DIGIT.test(sql[j] as string)) j++;
      }
      if ((sql[j] === 'E' || sql[j] === 'e') && /[0-9+-]/.test(sql[j + 1] ?? '')) {
        j++;
        if (sql[j] === '+' || sql[j] === '-') j++;
        while (j < n && DIGIT.test(sql[j] as string)) j++;
      }
      out.push({ kind: 'number', text: sql.slice(i, j) });
      i = j;
      continue;
    }
    if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j] as string)) j++;
      out.push({ kind: 'word', text: sql.slice(i, j) });
      i = j;
      continue;
    }
    if (ch === '|' && sql[i + 1] === '|') {
      out.push({ kind: 'punct', text: '||' });
      i += 2;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === '.' || ch === '=' || ch === ';' || ch === '-' || ch === '+') {
      out.push({ kind: 'punct', text: ch });
      i++;
      continue;
    }
    throw new RedoSyntaxError(`unexpected character ${JSON.stringify(ch)} at ${i}: ${excerpt(sql, i)}`);
  }
  return out;
}

export function excerpt(sql: string, at: number): string {
  const from = Math.max(0, at - 20);
  return `…${sql.slice(from, at + 40)}…`;
}
