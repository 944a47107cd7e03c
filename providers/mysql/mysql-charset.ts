/**
 * Text of a binlog value in its column's charset. The binary log carries a
 * string column's stored bytes and its collation id; UTF-8 (utf8mb3/utf8mb4),
 * latin1 and binary are decoded by the binlog layer's own rules
 * (`decodeLabel`); every other charset is looked up by collation id in the
 * source's `information_schema.COLLATIONS` and decoded with the WHATWG
 * decoder of the same encoding. A charset without one is an error naming it
 * (the value would otherwise arrive as mojibake, silently).
 */
import { BINARY_COLLATION, decodeLabel, isLatin1Collation } from './binlog/binlog-collation.js';
import type { BinlogTextDecoder } from './binlog/binlog-types.js';

/** MySQL charset → WHATWG encoding label (TextDecoder), for charsets the UTF-8 rules do not read. */
const WHATWG: Record<string, string> = {
  big5: 'big5',
  cp1250: 'windows-1250',
  cp1251: 'windows-1251',
  cp1256: 'windows-1256',
  cp1257: 'windows-1257',
  cp866: 'ibm866',
  cp932: 'shift_jis',
  sjis: 'shift_jis',
  eucjpms: 'euc-jp',
  ujis: 'euc-jp',
  euckr: 'euc-kr',
  gb2312: 'gbk',
  gbk: 'gbk',
  gb18030: 'gb18030',
  greek: 'iso-8859-7',
  hebrew: 'iso-8859-8',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
  latin2: 'iso-8859-2',
  latin5: 'iso-8859-9',
  latin7: 'iso-8859-13',
  macroman: 'macintosh',
  tis620: 'windows-874',
  utf16le: 'utf-16le',
  ucs2: 'utf-16be',
  utf16: 'utf-16be',
};

/** Charsets `decodeLabel` reads correctly: UTF-8, latin1 (cp1252), ASCII, binary. */
const NATIVE = new Set(['utf8', 'utf8mb3', 'utf8mb4', 'latin1', 'ascii', 'binary']);

export type TextDecoderOf = (collation: number | undefined) => ((bytes: Buffer) => string) | undefined;

/**
 * Decoders by collation id from the source's collation list (ID,
 * CHARACTER_SET_NAME rows); undefined for collations decodeLabel handles.
 * A charset nothing here decodes throws when a value of it is met.
 */
export function textDecoders(collations: readonly { id: number; charset: string }[]): TextDecoderOf {
  const byId = new Map<number, (bytes: Buffer) => string>();
  for (const { id, charset } of collations) {
    const cs = charset.toLowerCase();
    if (NATIVE.has(cs)) continue;
    byId.set(id, decoderFor(cs));
  }
  return (collation) => (collation === undefined ? undefined : byId.get(collation));
}

function decoderFor(charset: string): (bytes: Buffer) => string {
  if (charset === 'utf32') return utf32;
  const label = WHATWG[charset];
  let decoder: TextDecoder | null = null;
  try {
    decoder = label ? new TextDecoder(label, { fatal: true }) : null;
  } catch {
    decoder = null; // a Node built without full ICU
  }
  if (!decoder) {
    return () => {
      throw new Error(`text in charset ${charset} cannot be decoded from the binary log: convert the column to utf8mb4`);
    };
  }
  const d = decoder;
  return (bytes) => d.decode(bytes);
}

/** UTF-32 (big-endian, as MySQL stores it). */
function utf32(bytes: Buffer): string {
  if (bytes.length % 4) throw new Error(`a utf32 value of ${bytes.length} bytes`);
  let s = '';
  for (let i = 0; i < bytes.length; i += 4) s += String.fromCodePoint(bytes.readUInt32BE(i));
  return s;
}

/** A string column's bytes as text: the charset's decoder, else the UTF-8/latin1 rules. */
export function decodeColumnText(bytes: Buffer, collation: number | undefined, decoders?: TextDecoderOf): string {
  if (collation === BINARY_COLLATION) return decodeLabel(bytes, collation);
  const d = decoders?.(collation);
  return d ? d(bytes) : decodeLabel(bytes, collation);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `decodeColumnText` over a range of an event's bytes, for the binlog reader
 * (`decodeText`): the same text, without a Buffer view per value in the
 * common cases. UTF-8 is decoded leniently and checked: only bytes that are
 * not UTF-8 (or a real U+FFFD) make U+FFFD, and then the strict decoder
 * decides (it throws on the former). Latin1 without 0x80–0x9F bytes reads
 * the same as cp1252.
 */
export function columnTextDecoder(decoders?: TextDecoderOf): BinlogTextDecoder {
  return (buf, start, end, column) => {
    const collation = column.collation;
    const d = decoders?.(collation);
    if (d) return d(buf.subarray(start, end));
    if (isLatin1Collation(collation)) {
      for (let i = start; i < end; i++) {
        const b = buf[i] as number;
        if (b >= 0x80 && b < 0xa0) return decodeLabel(buf.subarray(start, end), collation);
      }
      return buf.toString('latin1', start, end);
    }
    const s = buf.toString('utf8', start, end);
    return s.includes('\uFFFD') ? strictUtf8.decode(buf.subarray(start, end)) : s;
  };
}
