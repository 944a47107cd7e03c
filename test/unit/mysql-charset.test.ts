import { describe, expect, it } from 'vitest';
import { decodeColumnText, textDecoders } from '../../providers/mysql/mysql-charset.js';

/** Collation ids as information_schema.COLLATIONS lists them (MariaDB 10.11 / MySQL 8 share these). */
const COLLATIONS = [
  { id: 33, charset: 'utf8mb3' },
  { id: 45, charset: 'utf8mb4' },
  { id: 8, charset: 'latin1' },
  { id: 63, charset: 'binary' },
  { id: 35, charset: 'ucs2' },
  { id: 54, charset: 'utf16' },
  { id: 56, charset: 'utf16le' },
  { id: 60, charset: 'utf32' },
  { id: 13, charset: 'sjis' },
  { id: 28, charset: 'gbk' },
  { id: 51, charset: 'cp1251' },
  { id: 9, charset: 'latin2' },
  { id: 3, charset: 'dec8' },
];
const decoders = textDecoders(COLLATIONS);

const be16 = (s: string) => Buffer.from(s, 'utf16le').swap16();
const utf32 = (s: string) => {
  const cps = [...s].map((c) => c.codePointAt(0) as number);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => b.writeUInt32BE(cp, i * 4));
  return b;
};

describe('binlog text in its column charset', () => {
  it.each([
    ['utf8mb4', Buffer.from('Aé✓𝄞'), 45, 'Aé✓𝄞'],
    ['latin1 as cp1252', Buffer.from([0x80, 0x41, 0xe9]), 8, '€Aé'],
    ['ucs2 (big-endian)', be16('Aé✓'), 35, 'Aé✓'],
    ['utf16 with a surrogate pair', be16('A𝄞'), 54, 'A𝄞'],
    ['utf16le', Buffer.from('é𝄞', 'utf16le'), 56, 'é𝄞'],
    ['utf32', utf32('1✓𝄞'), 60, '1✓𝄞'],
    ['sjis', Buffer.from([0xb1, 0x93, 0xfa, 0x96, 0x7b]), 13, 'ｱ日本'],
    ['gbk', Buffer.from([0xd6, 0xd0, 0xce, 0xc4]), 28, '中文'],
    ['cp1251', Buffer.from([0xc6, 0xf3, 0xea]), 51, 'Жук'],
    ['latin2', Buffer.from([0xa3, 0xf3, 0x64, 0xbc]), 9, 'Łódź'],
  ])('%s', (_name, bytes, collation, text) => expect(decodeColumnText(bytes, collation, decoders)).toBe(text));

  it('ASCII in a UTF-16 column is still UTF-16 (not read as single bytes)', () => {
    expect(decodeColumnText(be16('AB'), 54, decoders)).toBe('AB');
  });

  it('a charset nothing decodes is an error naming it, never mojibake', () => {
    expect(() => decodeColumnText(Buffer.from([0xe9]), 3, decoders)).toThrow(/charset dec8 cannot be decoded/);
  });

  it('invalid bytes for the charset are an error', () => {
    expect(() => decodeColumnText(Buffer.from([0xff, 0xfe, 0xfd]), 45, decoders)).toThrow();
  });
});
