/**
 * Makes one object's definition read the same whichever PostgreSQL version
 * printed it, where versions print the same object differently.
 *
 * Known difference: up to PostgreSQL 15 a view's query kept two placeholder
 * range-table entries (OLD and NEW), so `pg_get_viewdef` qualified every
 * column even when the query reads one relation (`SELECT t.id FROM
 * public.t`); 16 removed them and prints `SELECT id FROM public.t`. The
 * normal form is 16's: in a top-level query reading exactly one relation,
 * qualifications by that relation's name are dropped — outside sub-selects,
 * which qualify in every version.
 */

interface Token {
  text: string;
  /** Identifier (bare or quoted) as PostgreSQL resolves it, or null for other tokens. */
  ident: string | null;
}

/** SQL tokens: strings, quoted identifiers, words, numbers, punctuation; whitespace kept as its own tokens. */
function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    let j = i + 1;
    let ident: string | null = null;
    if (/\s/.test(ch)) {
      while (j < sql.length && /\s/.test(sql[j] as string)) j++;
    } else if (ch === "'" || ((ch === 'E' || ch === 'e') && sql[i + 1] === "'")) {
      const escapes = ch !== "'";
      j = escapes ? i + 2 : i + 1;
      while (j < sql.length) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      j++;
    } else if (ch === '"') {
      while (j < sql.length && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      j++;
      ident = sql.slice(i + 1, j - 1).replace(/""/g, '"');
    } else if (/[\p{L}_]/u.test(ch)) {
      while (j < sql.length && /[\p{L}\p{N}_$]/u.test(sql[j] as string)) j++;
      ident = sql.slice(i, j).toLowerCase();
    } else if (/[0-9]/.test(ch)) {
      while (j < sql.length && /[0-9.eE]/.test(sql[j] as string)) j++;
    }
    out.push({ text: sql.slice(i, j), ident });
    i = j;
  }
  return out;
}

const CLAUSE_END = new Set(['where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for']);
const SET_OPERATIONS = new Set(['union', 'intersect', 'except']);
const SUBQUERY_START = new Set(['select', 'with', 'values', 'table']);

/** See the file comment. Anything it does not recognise is returned unchanged. */
export function normalizeViewDefinition(sql: string): string {
  const tokens = tokenize(sql);
  const word = (t: Token | undefined) => (t && t.ident !== null && !t.text.startsWith('"') ? t.ident : null);
  // depth and enclosing sub-select of every token
  const depth: number[] = [];
  const inSubquery: boolean[] = [];
  const stack: boolean[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.text === ')') stack.pop();
    depth.push(stack.length);
    inSubquery.push(stack.some((s) => s));
    if (t.text === '(') {
      let k = i + 1;
      while (k < tokens.length && /^\s+$/.test((tokens[k] as Token).text)) k++;
      stack.push(SUBQUERY_START.has(word(tokens[k]) ?? ''));
    }
  }
  const top = tokens.map((t, i) => ({ t, i })).filter(({ i }) => depth[i] === 0);
  if (top.some(({ t }) => SET_OPERATIONS.has(word(t) ?? ''))) return sql;
  const previousWord = (i: number): string | null => {
    for (let k = i - 1; k >= 0; k--) if (!/^\s+$/.test((tokens[k] as Token).text)) return word(tokens[k]);
    return null;
  };
  // `IS [NOT] DISTINCT FROM` is an operator, not a FROM clause
  const froms = top.filter(({ t, i }) => word(t) === 'from' && previousWord(i) !== 'distinct');
  if (froms.length !== 1) return sql;
  const fromAt = (froms[0] as { i: number }).i;
  const end = top.find(({ t, i }) => i > fromAt && CLAUSE_END.has(word(t) ?? ''))?.i ?? tokens.length;
  const item = top.filter(({ t, i }) => i > fromAt && i < end && !/^\s+$/.test(t.text)).map(({ t }) => t);
  if (item.some((t) => t.text === ',' || word(t) === 'join')) return sql;
  // the relation's reference name: its alias, else its own (last) name
  const names = item.filter((t) => t.ident !== null && !['only', 'as', 'lateral'].includes(word(t) ?? ''));
  const ref = names[names.length - 1]?.ident;
  if (!ref) return sql;
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const dot = tokens[i + 1];
    const column = tokens[i + 2];
    const outside = !inSubquery[i] && (i < fromAt || i >= end);
    const qualifies = tokens[i - 1]?.text !== '.' && dot?.text === '.' && column?.ident != null && tokens[i + 3]?.text !== '(';
    if (outside && t.ident === ref && qualifies) {
      i++; // drop `ref.`
      continue;
    }
    out += t.text;
  }
  return out;
}
