/**
 * The few collation facts the decoder itself needs: which collation ids are
 * `binary` or single-byte latin1 (to read ENUM/SET labels in their charset).
 * Column values are never decoded here: consumers get the bytes and the id.
 */

/** The `binary` pseudo-collation: bytes, not text. */
export const BINARY_COLLATION = 63;

/** latin1_* collations (MySQL and MariaDB ids). */
const LATIN1 = new Set([5, 8, 15, 31, 47, 48, 49, 94, 1032, 1055, 1080, 1103]);

/** How to turn label bytes of a column with `collation` into a JS string. */
export function labelEncoding(collation: number | undefined): BufferEncoding {
  return collation !== undefined && (LATIN1.has(collation) || collation === BINARY_COLLATION) ? 'latin1' : 'utf8';
}
