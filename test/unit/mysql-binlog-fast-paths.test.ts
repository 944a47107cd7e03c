/**
 * The CDC hot path's shortcuts give exactly what the general code gives:
 * CRC-32 in JavaScript (zlib's), text decoded straight from an event's bytes
 * (decodeColumnText's text, or its error), positions compared through a memo.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Of } from '../../providers/mysql/binlog/binlog-header.js';
import type { BinlogColumn } from '../../providers/mysql/binlog/binlog-types.js';
import { columnTextDecoder, decodeColumnText, textDecoders } from '../../providers/mysql/mysql-charset.js';
import { compareBinlogPositions } from '../../providers/mysql/mysql-position.js';

describe('crc32Of', () => {
  it('equals zlib.crc32 for every length 0–80 and any offset', () => {
    const b = Buffer.alloc(100);
    for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 7) & 0xff;
    for (let start = 0; start < 9; start++) {
      for (let n = 0; start + n <= 80; n++) expect(crc32Of(b, start, start + n)).toBe(crc32(b.subarray(start, start + n)));
    }
  });

  it('equals zlib.crc32 on random data', () => {
    const b = Buffer.alloc(5000);
    let seed = 1;
    for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    expect(crc32Of(b, 0, b.length)).toBe(crc32(b));
    expect(crc32Of(b, 3, 4097)).toBe(crc32(b.subarray(3, 4097)));
  });
});

describe('columnTextDecoder: decodeColumnText over a range of the event', () => {
  const decoders = textDecoders([
    { id: 45, charset: 'utf8mb4' },
    { id: 33, charset: 'utf8mb3' },
    { id: 8, charset: 'latin1' },
    { id: 51, charset: 'cp1251' },
    { id: 3, charset: 'dec8' },
  ]);
  const text = columnTextDecoder(decoders);
  const col = (collation: number | undefined) => ({ collation }) as BinlogColumn;
  /** `bytes` placed inside other bytes, as a value sits in an event. */
  const inEvent = (bytes: Buffer) => Buffer.concat([Buffer.from([0xc3, 0x28, 1, 2]), bytes, Buffer.from([0xff, 0xfe])]);
  const same = (bytes: Buffer, collation: number | undefined) => {
    const ev = inEvent(bytes);
    let want: string | Error;
    try {
      want = decodeColumnText(bytes, collation, decoders);
    } catch (err) {
      want = err as Error;
    }
    if (want instanceof Error) expect(() => text(ev, 4, 4 + bytes.length, col(collation))).toThrow();
    else expect(text(ev, 4, 4 + bytes.length, col(collation))).toBe(want);
  };

  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['ASCII', Buffer.from('order 42 yyyy')],
    ['UTF-8', Buffer.from('Grüße, 日本, 🙂')],
    ['a real U+FFFD', Buffer.from('a\uFFFDb')],
    ['a leading U+FEFF', Buffer.from('\uFEFFbom')],
    ['invalid UTF-8', Buffer.from([0x61, 0xc3, 0x28, 0x62])],
    ['a lone continuation byte', Buffer.from([0x80])],
    ['a surrogate encoded', Buffer.from([0xed, 0xa0, 0x80])],
    ['truncated', Buffer.from([0xf0, 0x9f, 0x99])],
    ['cp1252 high bytes', Buffer.from([0x80, 0x41, 0x9f, 0x8d])],
    ['latin1 upper half', Buffer.from([0xe9, 0xe8, 0xff, 0xa0])],
  ];
  for (const [name, bytes] of cases) {
    for (const collation of [45, 33, 8, undefined, 51, 3]) {
      it(`${name}, collation ${collation}`, () => same(bytes, collation));
    }
  }

  it('keeps a leading U+FEFF (it is part of the value)', () => {
    const b = Buffer.from('\uFEFFx');
    expect(text(b, 0, b.length, col(45))).toBe('\uFEFFx');
    expect(decodeColumnText(b, 45, decoders)).toBe('\uFEFFx');
  });
});

describe('compareBinlogPositions with its memo of recent positions', () => {
  it('orders by file sequence, then offset, whatever was compared before', () => {
    const ps = ['binlog.000002:4', 'binlog.000001:900', 'binlog.000002:120', 'binlog.000010:4', 'binlog.000001:4'];
    const sorted = ['binlog.000001:4', 'binlog.000001:900', 'binlog.000002:4', 'binlog.000002:120', 'binlog.000010:4'];
    for (let round = 0; round < 3; round++) {
      for (const a of ps) {
        for (const b of ps) {
          expect(Math.sign(compareBinlogPositions(a, b))).toBe(Math.sign(sorted.indexOf(a) - sorted.indexOf(b)));
        }
      }
    }
  });
});
