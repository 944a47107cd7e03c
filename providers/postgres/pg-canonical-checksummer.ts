import { StringDecoder } from 'node:string_decoder';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { canonicalChunk, canonicalRowHash, canonicalRows, normaliseCanonical } from '../canonical-hash.js';
import type { ColumnDef, TableDef } from '../catalog.js';
import type { ChunkChecksum, KeyValues, TableChecksummer } from '../provider.js';
import { mapForeignTable } from './pg-foreign-catalog.js';
import { quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

/** A mapped column's value as the source engine's canonical text (canonical-hash.ts normalises the rest). */
function canonicalExpr(mapped: ColumnDef): string {
  const q = quoteIdent(mapped.name);
  if (mapped.nativeType === 'bytea') return `encode(${q}, 'hex')`;
  return `${q}::text`;
}

const TEXT_KEY = /^(text|varchar|character|char|citext|"|enum)/;

/**
 * Row hashes of a table loaded from another engine, in that engine's
 * canonical forms (bytes as hex, instants in UTC; canonical-hash.ts reads a
 * boolean back as the 1/0 of the source's flag), so they equal the source's
 * hashes exactly when every value arrived. Text keys compare by bytes
 * (`COLLATE "C"`), as the source compares them.
 */
export class PgCanonicalChecksummer implements TableChecksummer {
  constructor(private readonly connect: () => Promise<pg.ClientBase>) {}

  keyAfter(): Promise<KeyValues | null> {
    return Promise.reject(new Error('chunk bounds come from the source'));
  }

  chunk(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<ChunkChecksum> {
    return canonicalChunk((onRow) => this.scan(table, key, lower, upper, onRow));
  }

  rows(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<Map<string, string>> {
    return canonicalRows((onRow) => this.scan(table, key, lower, upper, onRow), key.length > 0);
  }

  async close(): Promise<void> {}

  private async scan(
    source: TableDef,
    key: string[],
    lower: KeyValues | null,
    upper: KeyValues | null,
    onRow: (key: string, hash: string) => void,
  ): Promise<void> {
    const mapped = mapForeignTable(source);
    const sourceColumns = source.columns.filter((c) => c.generated === null && c.canonical);
    const byName = new Map(mapped.columns.map((c) => [c.name, c]));
    const mappedKey = key.map((k) => byName.get(k.toLowerCase()) as ColumnDef);
    const keyIdx = key.map((k) => sourceColumns.findIndex((c) => c.name === k));
    const values: string[] = [];
    const bound = (vals: KeyValues, op: string) => {
      const left = mappedKey.map((c) => `${quoteIdent(c.name)}${TEXT_KEY.test(c.nativeType) ? ' COLLATE "C"' : ''}`);
      const right = mappedKey.map((c, i) => {
        values.push(vals[i] ?? '');
        return `$${values.length}::${TEXT_KEY.test(c.nativeType) ? 'text' : c.nativeType}`;
      });
      return `(${left.join(', ')}) ${op} (${right.join(', ')})`;
    };
    const conds = [...(lower ? [bound(lower, '>')] : []), ...(upper ? [bound(upper, '<=')] : [])];
    const select = mapped.columns.map(canonicalExpr).join(', ');
    const c = await this.connect();
    await c.query("SET TimeZone = 'UTC'; SET IntervalStyle = 'postgres'");
    const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
    // COPY streams whatever the chunk's size (a keyless table is one chunk); parameters are inlined as literals
    const sql = `COPY (SELECT ${select} FROM ONLY ${quoteQualified(mapped)}${where}) TO STDOUT`.replace(
      /\$(\d+)/g,
      (_m, n: string) => quoteLiteral(values[Number(n) - 1] ?? ''),
    );
    const stream = c.query(copyStreams.to(sql));
    let rest = '';
    const onLine = (line: string) => {
      const row = line.split('\t').map(unescapeCopy);
      const texts = sourceColumns.map((col, i) => normaliseCanonical(col.canonical, row[i] ?? null));
      const k = key.length ? JSON.stringify(keyIdx.map((i) => String(row[i] ?? ''))) : '';
      onRow(k, canonicalRowHash(texts));
    };
    const decoder = new StringDecoder('utf8');
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
    rest += decoder.end();
    if (rest) onLine(rest);
  }
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** One field of a COPY text line: `\N` is NULL; backslash escapes undone. */
function unescapeCopy(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_m, ch: string) => ESCAPES[ch] ?? ch);
}
