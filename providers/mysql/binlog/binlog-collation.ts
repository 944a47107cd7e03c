/**
 * The few collation facts the decoder itself needs: which collation ids are
 * `binary` or latin1 (to read ENUM/SET labels in their charset).
 * Column values are never decoded here: consumers get the bytes and the id.
 */
import { isAscii } from 'node:buffer';

/** The `binary` pseudo-collation: bytes, not text. */
export const BINARY_COLLATION = 63;

/** latin1_* collations (MySQL and MariaDB ids). */
const LATIN1 = new Set([5, 8, 15, 31, 47, 48, 49, 94, 1032, 1055, 1080, 1103]);

/** A latin1_* collation (its text is cp1252). */
export function isLatin1Collation(collation: number | undefined): boolean {
  return collation !== undefined && LATIN1.has(collation);
}

// ignoreBOM: a leading U+FEFF is part of the value (the default would drop it)
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/**
 * MySQL's latin1 is cp1252: 0x80–0x9F are €, ‚, ƒ… (the five bytes cp1252
 * leaves undefined stay C1 controls, as in MySQL). Node's TextDecoder
 * decodes windows-1252 as ISO-8859-1 on some versions, hence the table.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function cp1252(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) s += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return s;
}

/**
 * ENUM/SET label bytes as text: latin1 as cp1252, binary byte by byte,
 * anything else as UTF-8, strictly: labels of another multi-byte charset
 * (sjis, gbk…) that are not valid UTF-8 throw instead of becoming U+FFFD.
 */
export function decodeLabel(bytes: Buffer, collation: number | undefined): string {
  // ASCII reads the same in every charset this accepts (the common case, checked fast)
  if (collation === BINARY_COLLATION || isAscii(bytes)) return bytes.toString('latin1');
  if (collation !== undefined && LATIN1.has(collation)) return cp1252(bytes);
  return utf8.decode(bytes);
}
