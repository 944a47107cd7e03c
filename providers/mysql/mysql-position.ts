/**
 * Binary-log positions as opaque strings `file:offset` (e.g.
 * `binlog.000012:4711`), ordered by the file's sequence number, then the
 * offset. Files of one server share a base name and grow by one.
 */
export function formatBinlogPosition(file: string, offset: number): string {
  if (!file || !Number.isInteger(offset) || offset < 0) throw new Error(`not a binary-log position: ${file}:${offset}`);
  return `${file}:${offset}`;
}

export interface BinlogPosition {
  file: string;
  /** The file's sequence number (the digits after the last dot). */
  sequence: number;
  offset: number;
}

export function parseBinlogPosition(position: string): BinlogPosition {
  const colon = position.lastIndexOf(':');
  const file = position.slice(0, colon);
  const offset = Number(position.slice(colon + 1));
  const m = /\.(\d+)$/.exec(file);
  if (colon < 1 || !m || !Number.isInteger(offset) || offset < 0) throw new Error(`not a binary-log position: ${position}`);
  return { file, sequence: Number(m[1]), offset };
}

/** The last positions compared (the engine compares each transaction with the same few positions). */
const recent: [string, BinlogPosition][] = [];

function parsed(position: string): BinlogPosition {
  for (const [text, p] of recent) if (text === position) return p;
  const p = parseBinlogPosition(position);
  recent.unshift([position, p]);
  if (recent.length > 4) recent.pop();
  return p;
}

export function compareBinlogPositions(a: string, b: string): number {
  const x = parsed(a);
  const y = parsed(b);
  if (x.sequence !== y.sequence) return x.sequence < y.sequence ? -1 : 1;
  return x.offset === y.offset ? 0 : x.offset < y.offset ? -1 : 1;
}
