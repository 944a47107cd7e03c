/**
 * Oracle values as canonical text (DESIGN §7a), from the text forms our
 * sessions read them in (oracle-session.ts sets the NLS formats) — the same
 * functions for the full dump, the change stream and verify, so both paths
 * agree to the character. Exact: NUMBER never passes through a JS number,
 * DATE and TIMESTAMP never through a JS Date (BINARY_FLOAT/DOUBLE do pass
 * through a JS number: an IEEE double holds both exactly).
 *
 * The empty-string rule: Oracle stores a zero-length VARCHAR2, NVARCHAR2,
 * CHAR or RAW value as NULL (`'' IS NULL` is true there), so no such value
 * ever reaches us as an empty string: it arrives in PostgreSQL as NULL, which
 * is what the Oracle application already reads back. A NOT NULL column on
 * Oracle therefore never holds one, and its PostgreSQL copy keeps NOT NULL.
 * The one zero-length value Oracle does keep is an empty LOB (EMPTY_CLOB(),
 * EMPTY_BLOB()): it arrives as `''` / `\x`, not NULL. Applications that
 * write `''` into PostgreSQL after cut-over get an empty string there
 * (PostgreSQL tells them apart); nothing is rewritten to guess.
 *
 * CHAR/NCHAR values are blank-padded by Oracle; trailing blanks are trimmed
 * (the destination's varchar(n) holds them as the MySQL pair does), so a
 * CHAR of blanks only arrives as `''`.
 */

export class OracleValueError extends Error {}

/** A NUMBER's text (`.5`, `-1.20`, `1E+125`, `12`) as plain decimal digits (`0.5`, `-1.20`, `1` + 125 zeros, `12`). */
export function canonicalNumber(text: string): string {
  const t = text.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m || (!m[2] && !m[3])) throw new OracleValueError(`not a NUMBER value: ${JSON.stringify(text)}`);
  const sign = m[1] === '-' ? '-' : '';
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) {
    const moved = frac.slice(0, exp).padEnd(exp, '0');
    int += moved;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const k = -exp;
    const padded = int.padStart(k, '0');
    frac = padded.slice(padded.length - k) + frac;
    int = padded.slice(0, padded.length - k);
  }
  int = int.replace(/^0+(?=\d)/, '') || '0';
  const out = frac ? `${int}.${frac}` : int;
  return sign && /[1-9]/.test(out) ? `-${out}` : out;
}

/** BINARY_DOUBLE as its shortest round-trip text (`NaN`, `Infinity`, `-Infinity`). */
export function canonicalDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** BINARY_FLOAT (widened exactly to a double) as the shortest text that reads back as the same float32. */
export function canonicalFloat32(v: number): string {
  if (!Number.isFinite(v) || v === 0) return canonicalDouble(v);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return String(candidate);
  }
  return String(v);
}

/** The text of a BINARY_FLOAT/DOUBLE as Oracle writes it (`1.5E+000`, `Nan`, `Inf`, `-Inf`). */
export function parseOracleFloat(text: string): number {
  const t = text.trim();
  if (/^nan$/i.test(t)) return NaN;
  if (/^\+?inf(inity)?$/i.test(t)) return Infinity;
  if (/^-inf(inity)?$/i.test(t)) return -Infinity;
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) throw new OracleValueError(`not a BINARY_FLOAT/DOUBLE value: ${JSON.stringify(text)}`);
  return n;
}

const DATETIME =
  /^\s*([+-]?)(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?)?(?:\s*(?:([+-])(\d\d?):(\d\d)|(UTC|GMT|Z)))?\s*$/;

export interface OracleDateTime {
  /** Astronomical year as Oracle prints it with SYYYY: 2024, or -44 for 44 BC (Oracle has no year 0). */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction digits as written (up to 9), or ''. */
  fraction: string;
  /** Offset from UTC in minutes, or null when the text has none. */
  offsetMinutes: number | null;
}

/** `SYYYY-MM-DD HH24:MI:SS[.FF9][ TZH:TZM]` (the formats our sessions set). */
export function parseOracleDateTime(text: string): OracleDateTime {
  const m = DATETIME.exec(text);
  if (!m) {
    if (/[A-Za-z]+\/[A-Za-z_]+/.test(text)) {
      throw new OracleValueError(
        `a time zone region in ${JSON.stringify(text)}: the session format must print offsets (TZH:TZM)`,
      );
    }
    throw new OracleValueError(`not a date/time value: ${JSON.stringify(text)}`);
  }
  const year = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  let offsetMinutes: number | null = null;
  if (m[9]) offsetMinutes = (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  else if (m[12]) offsetMinutes = 0;
  return {
    year,
    month: Number(m[3]),
    day: Number(m[4]),
    hour: Number(m[5] ?? 0),
    minute: Number(m[6] ?? 0),
    second: Number(m[7] ?? 0),
    fraction: m[8] ?? '',
    offsetMinutes,
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Shift a wall-clock time by `minutes` (calendar arithmetic on the proleptic Gregorian calendar). */
function shift(d: OracleDateTime, minutes: number): OracleDateTime {
  if (!minutes) return d;
  const date = new Date(0);
  date.setUTCFullYear(d.year <= 0 ? d.year + 1 : d.year, d.month - 1, d.day);
  date.setUTCHours(d.hour, d.minute - minutes, d.second, 0);
  const y = date.getUTCFullYear();
  return {
    ...d,
    year: y <= 0 ? y - 1 : y,
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

/**
 * A DATE or TIMESTAMP as canonical text: `YYYY-MM-DD HH:MM:SS[.fffffffff]`
 * (trailing fraction zeros dropped; PostgreSQL rounds past 6 digits), with
 * `+00` when `withZone` (an offset in the text is applied: the instant, in
 * UTC; no offset: already UTC, as our sessions read WITH LOCAL TIME ZONE),
 * and ` BC` for years before 1.
 */
export function canonicalDateTime(text: string, withZone: boolean): string {
  let d = parseOracleDateTime(text);
  if (withZone && d.offsetMinutes) d = shift(d, d.offsetMinutes);
  const bc = d.year < 0;
  const frac = d.fraction.replace(/0+$/, '');
  const out = `${pad(Math.abs(d.year), 4)}-${pad(d.month)}-${pad(d.day)} ${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}${frac ? `.${frac}` : ''}`;
  return `${out}${withZone ? '+00' : ''}${bc ? ' BC' : ''}`;
}

/**
 * INTERVAL text as Oracle prints it (`+01 02:03:04.500000`,
 * `-000000001 02:03:04.5`, `+02-03`) as PostgreSQL's own interval output
 * (`1 day 02:03:04.5`, `-1 days -02:03:04.5`, `2 years 3 mons`; zero parts
 * left out, `00:00:00` for zero), so verify compares equal texts.
 */
export function canonicalInterval(text: string): string {
  const t = text.trim();
  // PostgreSQL writes the plural unless the value is exactly 1 (so -1 days)
  const unit = (n: number, word: string, s: string) => `${s}${n} ${word}${n === 1 && !s ? '' : 's'}`;
  let m = /^([+-]?)(\d+) (\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(t);
  if (m) {
    const s = m[1] === '-' ? '-' : '';
    const days = Number(m[2]);
    const frac = (m[6] ?? '').replace(/0+$/, '');
    const [h, mi, sec] = [Number(m[3]), Number(m[4]), Number(m[5])];
    const parts: string[] = [];
    if (days) parts.push(unit(days, 'day', s));
    if (h || mi || sec || frac || !days) {
      const zero = !h && !mi && !sec && !frac;
      parts.push(`${zero ? '' : s}${pad(h)}:${pad(mi)}:${pad(sec)}${frac ? `.${frac}` : ''}`);
    }
    return parts.join(' ');
  }
  m = /^([+-]?)(\d+)-(\d+)$/.exec(t);
  if (m) {
    const s = m[1] === '-' ? '-' : '';
    const [y, mo] = [Number(m[2]), Number(m[3])];
    const parts: string[] = [];
    if (y) parts.push(unit(y, 'year', s));
    if (mo) parts.push(unit(mo, 'mon', s));
    return parts.length ? parts.join(' ') : '00:00:00';
  }
  throw new OracleValueError(`not an INTERVAL value: ${JSON.stringify(text)}`);
}

/** CHAR/NCHAR blank padding removed (see the module comment). */
export function trimCharPadding(text: string): string {
  return text.replace(/ +$/, '');
}

/** `UNISTR('\00e4\\x')` text: `\XXXX` UTF-16 code units, `\\` a backslash. */
export function decodeUnistr(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    if (text[i + 1] === '\\') {
      out += '\\';
      i++;
      continue;
    }
    const hex = text.slice(i + 1, i + 5);
    if (!/^[0-9A-Fa-f]{4}$/.test(hex))
      throw new OracleValueError(`bad UNISTR escape at ${i}: ${JSON.stringify(text.slice(i, i + 5))}`);
    out += String.fromCharCode(parseInt(hex, 16));
    i += 4;
  }
  return out;
}

/** RAW/BLOB bytes (a Buffer, or hex text as HEXTORAW takes it) as `\x` + lowercase hex. */
export function canonicalBytes(v: Buffer | string): string {
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  const hex = v.trim();
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(hex)) throw new OracleValueError(`not hex bytes: ${JSON.stringify(v.slice(0, 40))}`);
  return `\\x${hex.toLowerCase()}`;
}
