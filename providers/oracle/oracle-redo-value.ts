/**
 * A value of SQL_REDO (oracle-redo-sql.ts) as the canonical text of its
 * column's type (oracle-value-text.ts): LogMiner prints every value in the
 * mining session's NLS formats (oracle-session.ts), typed ones through calls
 * — TO_DATE, TO_TIMESTAMP, TO_TIMESTAMP_TZ, TO_DSINTERVAL, TO_YMINTERVAL,
 * HEXTORAW, UNISTR (national or non-ASCII text), EMPTY_CLOB/EMPTY_BLOB — and
 * numbers as quoted strings. A call this decoder does not know is a named
 * error: a value is never guessed.
 */
import type { CanonicalType } from '../canonical-type.js';
import type { RedoValue } from './oracle-redo-sql.js';
import {
  canonicalBytes,
  canonicalDateTime,
  canonicalDouble,
  canonicalFloat32,
  canonicalInterval,
  canonicalNumber,
  decodeUnistr,
  OracleValueError,
  parseOracleFloat,
  trimCharPadding,
} from './oracle-value-text.js';

/** The text a value stands for (strings, UNISTR, concatenations, numbers), or null for NULL. */
function plainText(v: RedoValue, column: string): string | null {
  switch (v.kind) {
    case 'null':
      return null;
    case 'string':
    case 'number':
      return v.text;
    case 'call':
      if (v.name === '||') {
        // Oracle's || ignores NULL operands ('' is NULL)
        const parts = v.args.map((a) => plainText(a, column));
        return parts.every((p) => p === null) ? null : parts.map((p) => p ?? '').join('');
      }
      if (v.name === 'UNISTR') return decodeUnistr(oneString(v, column));
      if (v.name === 'EMPTY_CLOB') return '';
      if (v.name === 'UNSUPPORTED TYPE') {
        throw new OracleValueError(
          `column ${column}: LogMiner cannot print its value (Unsupported Type): exclude the table or change the column's type`,
        );
      }
      throw new OracleValueError(`column ${column}: ${v.name}(…) where text was expected`);
  }
}

function oneString(v: Extract<RedoValue, { kind: 'call' }>, column: string): string {
  const [arg] = v.args;
  if (!arg || (arg.kind !== 'string' && arg.kind !== 'number')) {
    throw new OracleValueError(`column ${column}: ${v.name} without a literal argument`);
  }
  return arg.text;
}

const DATE_CALLS = new Set(['TO_DATE', 'TO_TIMESTAMP', 'TO_TIMESTAMP_TZ']);
const INTERVAL_CALLS = new Set(['TO_DSINTERVAL', 'TO_YMINTERVAL']);

/** One SQL_REDO value of `column` (of canonical type `type`) as canonical text, null for NULL. */
export function canonicalRedoValue(v: RedoValue, type: CanonicalType, column: string): string | null {
  if (v.kind === 'null') return null;
  switch (type.kind) {
    case 'int':
    case 'decimal': {
      const t = plainText(v, column);
      return t === null ? null : canonicalNumber(t);
    }
    case 'float': {
      const t = plainText(v, column);
      if (t === null) return null;
      const n = parseOracleFloat(t);
      return type.bits === 32 ? canonicalFloat32(Math.fround(n)) : canonicalDouble(n);
    }
    case 'timestamp':
    case 'date': {
      const text = v.kind === 'call' && DATE_CALLS.has(v.name) ? oneString(v, column) : plainText(v, column);
      if (text === null) return null;
      return canonicalDateTime(text, type.kind === 'timestamp' && type.withZone);
    }
    case 'interval': {
      const text = v.kind === 'call' && INTERVAL_CALLS.has(v.name) ? oneString(v, column) : plainText(v, column);
      return text === null ? null : canonicalInterval(text);
    }
    case 'bytes': {
      if (v.kind === 'call' && v.name === 'EMPTY_BLOB') return '\\x';
      if (v.kind === 'call' && v.name === 'HEXTORAW') return canonicalBytes(oneString(v, column));
      const t = plainText(v, column);
      return t === null ? null : canonicalBytes(t);
    }
    case 'boolean': {
      const t = plainText(v, column);
      if (t === null) return null;
      if (/^(1|true)$/i.test(t.trim())) return 't';
      if (/^(0|false)$/i.test(t.trim())) return 'f';
      throw new OracleValueError(`column ${column}: not a BOOLEAN value: ${JSON.stringify(t)}`);
    }
    case 'text': {
      const t = plainText(v, column);
      return t === null ? null : type.fixed ? trimCharPadding(t) : t;
    }
    default: {
      const t = plainText(v, column);
      return t;
    }
  }
}
