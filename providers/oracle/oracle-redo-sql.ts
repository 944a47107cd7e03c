/**
 * SQL_REDO / SQL_UNDO statements of V$LOGMNR_CONTENTS parsed into column
 * values. LogMiner writes exactly three shapes for row changes:
 *
 *   insert into "S"."T"("A","B") values ('1',NULL);
 *   update "S"."T" set "A" = '2', "B" = NULL where "A" = '1' and "B" IS NULL;
 *   delete from "S"."T" where "A" = '1' and "B" IS NULL;
 *
 * (a trailing `and ROWID = '…'` unless NO_ROWID_IN_STMT; it is dropped:
 * ROWIDs differ on the destination). Values are literals — strings, NULL,
 * numbers — or calls LogMiner emits for typed values (TO_DATE, TO_TIMESTAMP,
 * TO_TIMESTAMP_TZ, TO_DSINTERVAL, TO_YMINTERVAL, HEXTORAW, UNISTR,
 * EMPTY_CLOB, EMPTY_BLOB…), kept unevaluated here: oracle-redo-value.ts turns
 * them into canonical text by the column's type. A WHERE clause holds the
 * supplemental-logged columns (the key, or all columns with ALL COLUMNS
 * logging): the old image of an update or delete.
 */
import { excerpt, RedoSyntaxError, tokenizeRedo, type RedoToken } from './oracle-redo-tokenizer.js';

export type RedoValue =
  | { kind: 'null' }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  /** A function call (name upper case), or `||` for a concatenation of its args. */
  | { kind: 'call'; name: string; args: RedoValue[] };

export type RedoAssignments = [column: string, value: RedoValue][];

export type RedoStatement =
  | { op: 'insert'; schema: string; table: string; values: RedoAssignments }
  | { op: 'update'; schema: string; table: string; set: RedoAssignments; where: RedoAssignments }
  | { op: 'delete'; schema: string; table: string; where: RedoAssignments };

class Cursor {
  private i = 0;
  constructor(
    private readonly tokens: RedoToken[],
    private readonly sql: string,
  ) {}
  peek(offset = 0): RedoToken | undefined {
    return this.tokens[this.i + offset];
  }
  next(): RedoToken {
    const t = this.tokens[this.i++];
    if (!t) throw this.error('unexpected end of statement');
    return t;
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  word(expected: string): void {
    const t = this.next();
    if (t.kind !== 'word' || t.text.toUpperCase() !== expected) throw this.error(`expected ${expected}, found ${describe(t)}`);
  }
  isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'word' && t.text.toUpperCase() === text;
  }
  punct(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) throw this.error(`expected ${text}, found ${describe(t)}`);
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.text === text;
  }
  ident(): string {
    const t = this.next();
    if (t.kind === 'ident') return t.text;
    // LogMiner quotes every name; an unquoted one is upper case by Oracle's rule
    if (t.kind === 'word') return t.text.toUpperCase();
    throw this.error(`expected a name, found ${describe(t)}`);
  }
  error(message: string): RedoSyntaxError {
    return new RedoSyntaxError(`${message} in: ${excerpt(this.sql, 0)}`);
  }
}

function describe(t: RedoToken): string {
  return t.kind === 'punct' ? `"${t.text}"` : `${t.kind} ${JSON.stringify(t.text)}`;
}

function qualifiedName(c: Cursor): { schema: string; table: string } {
  const first = c.ident();
  if (c.isPunct('.')) {
    c.next();
    return { schema: first, table: c.ident() };
  }
  throw c.error(`table ${first} without its schema`);
}

function value(c: Cursor): RedoValue {
  let v = primary(c);
  while (c.isPunct('||')) {
    c.next();
    const right = primary(c);
    v = { kind: 'call', name: '||', args: v.kind === 'call' && v.name === '||' ? [...v.args, right] : [v, right] };
  }
  return v;
}

function primary(c: Cursor): RedoValue {
  const t = c.next();
  if (t.kind === 'string') return { kind: 'string', text: t.text };
  if (t.kind === 'number') return { kind: 'number', text: t.text };
  if (t.kind === 'punct' && (t.text === '-' || t.text === '+')) {
    const n = c.next();
    if (n.kind !== 'number') throw c.error(`expected a number after ${t.text}, found ${describe(n)}`);
    return { kind: 'number', text: t.text === '-' ? `-${n.text}` : n.text };
  }
  if (t.kind === 'word') {
    const name = t.text.toUpperCase();
    if (name === 'NULL') return { kind: 'null' };
    // LogMiner writes `Unsupported Type` in place of a value it cannot print: kept as a marker the decoder names
    if (name === 'UNSUPPORTED') {
      if (c.isWord('TYPE')) c.next();
      return { kind: 'call', name: 'UNSUPPORTED TYPE', args: [] };
    }
    if (!c.isPunct('(')) throw c.error(`unexpected word ${t.text}`);
    c.next();
    const args: RedoValue[] = [];
    if (!c.isPunct(')')) {
      for (;;) {
        args.push(value(c));
        if (c.isPunct(',')) {
          c.next();
          continue;
        }
        break;
      }
    }
    c.punct(')');
    return { kind: 'call', name, args };
  }
  throw c.error(`expected a value, found ${describe(t)}`);
}

/** `"A" = v and "B" IS NULL and ROWID = '…'` (ROWID left out). */
function conditions(c: Cursor): RedoAssignments {
  const out: RedoAssignments = [];
  for (;;) {
    const rowid = c.isWord('ROWID');
    const name = c.ident();
    if (c.isWord('IS')) {
      c.next();
      c.word('NULL');
      if (!rowid) out.push([name, { kind: 'null' }]);
    } else {
      c.punct('=');
      const v = value(c);
      if (!rowid) out.push([name, v]);
    }
    if (c.isWord('AND')) {
      c.next();
      continue;
    }
    return out;
  }
}

function assignments(c: Cursor): RedoAssignments {
  const out: RedoAssignments = [];
  for (;;) {
    const name = c.ident();
    c.punct('=');
    out.push([name, value(c)]);
    if (c.isPunct(',')) {
      c.next();
      continue;
    }
    return out;
  }
}

function end(c: Cursor): void {
  if (c.isPunct(';')) c.next();
  if (!c.atEnd()) throw c.error(`unexpected ${describe(c.peek() as RedoToken)} after the statement`);
}

/** One LogMiner DML statement; RedoSyntaxError for anything else. */
export function parseRedoSql(sql: string): RedoStatement {
  const c = new Cursor(tokenizeRedo(sql), sql);
  const head = c.next();
  const verb = head.kind === 'word' ? head.text.toUpperCase() : '';
  if (verb === 'INSERT') {
    c.word('INTO');
    const { schema, table } = qualifiedName(c);
    c.punct('(');
    const names: string[] = [];
    if (!c.isPunct(')')) {
      for (;;) {
        names.push(c.ident());
        if (c.isPunct(',')) {
          c.next();
          continue;
        }
        break;
      }
    }
    c.punct(')');
    c.word('VALUES');
    c.punct('(');
    const values: RedoValue[] = [];
    if (!c.isPunct(')')) {
      for (;;) {
        values.push(value(c));
        if (c.isPunct(',')) {
          c.next();
          continue;
        }
        break;
      }
    }
    c.punct(')');
    end(c);
    if (names.length !== values.length) throw c.error(`${names.length} columns but ${values.length} values`);
    return { op: 'insert', schema, table, values: names.map((n, i) => [n, values[i] as RedoValue]) };
  }
  if (verb === 'UPDATE') {
    const { schema, table } = qualifiedName(c);
    c.word('SET');
    const set = assignments(c);
    let where: RedoAssignments = [];
    if (c.isWord('WHERE')) {
      c.next();
      where = conditions(c);
    }
    end(c);
    return { op: 'update', schema, table, set, where };
  }
  if (verb === 'DELETE') {
    c.word('FROM');
    const { schema, table } = qualifiedName(c);
    let where: RedoAssignments = [];
    if (c.isWord('WHERE')) {
      c.next();
      where = conditions(c);
    }
    end(c);
    return { op: 'delete', schema, table, where };
  }
  throw new RedoSyntaxError(`not a LogMiner row change: ${excerpt(sql, 0)}`);
}
