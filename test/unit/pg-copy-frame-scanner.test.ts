import { describe, expect, it } from 'vitest';
import { CopyFrameScanner } from '../../providers/postgres/pg-copy-frame-scanner.js';

const msg = (code: string, payload: Buffer | string): Buffer => {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head[0] = code.charCodeAt(0);
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/** A COPY OUT flow as a server sends it: response, rows (with a notice among them), done, complete, ready. */
function flow(rows: Buffer[], opts: { error?: boolean } = {}) {
  const data = rows.map((r) => msg('d', r));
  const head = msg('H', Buffer.from([1, 0, 0]));
  const notice = msg('N', 'SNOTICE\0Mhello\0\0');
  const middle = [...data.slice(0, 2), notice, ...data.slice(2)];
  const tail = opts.error
    ? Buffer.concat([msg('E', 'SERROR\0Mboom\0\0'), msg('Z', 'I')])
    : Buffer.concat([msg('c', ''), msg('C', 'COPY 3\0'), msg('Z', 'I')]);
  const bytes = Buffer.concat([head, ...middle, tail]);
  const afterDone = opts.error ? tail : Buffer.concat([msg('C', 'COPY 3\0'), msg('Z', 'I')]);
  return { bytes, frames: Buffer.concat(data), afterDone };
}

function scanIn(parts: Buffer[]) {
  const s = new CopyFrameScanner();
  const frames: Buffer[] = [];
  let rest: Buffer | undefined;
  let failed = false;
  for (const p of parts) {
    if (rest) {
      rest = Buffer.concat([rest, p]);
      continue;
    }
    const r = s.scan(p);
    frames.push(...r.frames);
    if (r.rest) {
      rest = r.rest;
      failed = !!r.failed;
    }
  }
  return { frames: Buffer.concat(frames), rest: rest ?? Buffer.alloc(0), failed, rows: s.rows, bytes: s.bytes };
}

const ROWS = [
  Buffer.from('row one\n'),
  Buffer.alloc(0),
  Buffer.from('a'.repeat(300)),
  Buffer.from([0, 1, 2, 255]),
  Buffer.from('x'),
];

describe('CopyFrameScanner', () => {
  it('keeps CopyData messages framed, skips the others, hands back what follows CopyDone', () => {
    const f = flow(ROWS);
    const r = scanIn([f.bytes]);
    expect(r.frames.equals(f.frames)).toBe(true);
    expect(r.rest.equals(f.afterDone)).toBe(true);
    expect(r.failed).toBe(false);
    expect(r.rows).toBe(ROWS.length);
    expect(r.bytes).toBe(ROWS.reduce((n, b) => n + b.length, 0));
  });

  it('gives the same result for a stream split at every position, in two and in three pieces', () => {
    const f = flow(ROWS);
    for (let a = 1; a < f.bytes.length; a++) {
      const two = scanIn([f.bytes.subarray(0, a), f.bytes.subarray(a)]);
      expect(two.frames.equals(f.frames), `split at ${a}`).toBe(true);
      expect(two.rest.equals(f.afterDone), `rest, split at ${a}`).toBe(true);
      expect(two.rows).toBe(ROWS.length);
      const b = Math.min(f.bytes.length - 1, a + 3);
      if (b > a) {
        const three = scanIn([f.bytes.subarray(0, a), f.bytes.subarray(a, b), f.bytes.subarray(b)]);
        expect(three.frames.equals(f.frames), `split at ${a}, ${b}`).toBe(true);
        expect(three.rest.equals(f.afterDone)).toBe(true);
      }
    }
  });

  it('byte by byte', () => {
    const f = flow(ROWS);
    const r = scanIn([...f.bytes].map((b) => Buffer.from([b])));
    expect(r.frames.equals(f.frames)).toBe(true);
    expect(r.rest.equals(f.afterDone)).toBe(true);
  });

  it('stops at an ErrorResponse and hands it back whole (the driver reports it)', () => {
    const f = flow(ROWS, { error: true });
    for (const a of [f.bytes.length - 20, f.bytes.length - 16, f.bytes.length - 3]) {
      const r = scanIn([f.bytes.subarray(0, a), f.bytes.subarray(a)]);
      expect(r.failed).toBe(true);
      expect(r.rest.equals(f.afterDone)).toBe(true);
      expect(r.frames.equals(f.frames)).toBe(true);
    }
  });

  it('refuses bytes after the end', () => {
    const s = new CopyFrameScanner();
    s.scan(msg('c', ''));
    expect(() => s.scan(Buffer.from('x'))).toThrow(/after the end/);
  });

  it('passes zero-copy slices of the chunk for messages wholly inside it', () => {
    const chunk = Buffer.concat([msg('d', 'abc'), msg('d', 'def')]);
    const r = new CopyFrameScanner().scan(chunk);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]?.buffer).toBe(chunk.buffer);
  });
});
