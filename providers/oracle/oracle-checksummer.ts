/**
 * Row hashes of an Oracle table in canonical form (canonical-hash.ts), so an
 * Oracle → PostgreSQL job compares equal exactly when every value arrived.
 * Values are read as the dump reads them (oracle-interchange.ts) with what
 * the destination's types do to them applied first: timestamps with more
 * than 6 fraction digits rounded to microseconds on the server (CAST … AS
 * TIMESTAMP(6)), decimals of a fixed scale padded to it (numeric(p,s)
 * prints its scale). Keys order by their bytes (NLS_SORT/NLS_COMP BINARY),
 * as the destination compares them (`COLLATE "C"`). Read at the current
 * data, not AS OF an SCN: verify compares settled tables.
 */
import { canonicalChunk, canonicalRowHash, canonicalRows, normaliseCanonical } from '../canonical-hash.js';
import type { ColumnDef, TableDef } from '../catalog.js';
import type { ChunkChecksum, KeyValues, ResolvedProfile, TableChecksummer } from '../provider.js';
import { connectOracle } from './oracle-connection.js';
import { arrayRows, type OracleConnection } from './oracle-driver.js';
import { RowEncoder } from './oracle-interchange.js';
import { quoteOracleIdent, quoteOracleQualified } from './oracle-quote.js';
import { copiedColumns, selectExpression } from './oracle-sql.js';

/** A column as verify reads it: timestamps rounded to the destination's microseconds. */
export function verifySelectExpression(c: ColumnDef): string {
  const t = c.canonical;
  if (t?.kind === 'timestamp' && t.precision > 6) {
    const native = c.nativeType.replace(/\(\d\)/, '(6)');
    return selectExpression({ ...c, name: c.name, nativeType: native }).replace(
      quoteOracleIdent(c.name),
      `CAST(${quoteOracleIdent(c.name)} AS ${native})`,
    );
  }
  return selectExpression(c);
}

/** A decimal of scale s as numeric(p,s) prints it: exactly s fraction digits. */
export function padScale(v: string | null, c: ColumnDef): string | null {
  const t = c.canonical;
  if (v === null || t?.kind !== 'decimal' || t.precision === null || t.scale <= 0) return v;
  const [int, frac = ''] = v.split('.');
  return `${int}.${frac.padEnd(t.scale, '0')}`;
}

/**
 * `(a, b) > (x, y)` spelled out (Oracle has no row-value comparison): a > x
 * OR (a = x AND b > y). Named binds `:bN` (a name used twice binds once).
 */
export function keyBound(key: readonly string[], op: '>' | '<=', offset: number): string {
  const parts: string[] = [];
  for (let i = 0; i < key.length; i++) {
    const eq = key.slice(0, i).map((k, j) => `${quoteOracleIdent(k)} = :b${offset + j + 1}`);
    const last = `${quoteOracleIdent(key[i] as string)} ${i === key.length - 1 ? op : op === '>' ? '>' : '<'} :b${offset + i + 1}`;
    parts.push(`(${[...eq, last].join(' AND ')})`);
  }
  return `(${parts.join(' OR ')})`;
}

/** `{ b1: v1, b2: v2 }` for `:b1`, `:b2`. */
export function namedBinds(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((v, i) => [`b${i + 1}`, v]));
}

export class OracleChecksummer implements TableChecksummer {
  private conn: OracleConnection | null = null;

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly service: string,
  ) {}

  async keyAfter(table: TableDef, key: string[], after: KeyValues | null, offset: number): Promise<KeyValues | null> {
    const c = await this.connect();
    const cols = key.map((k) => table.columns.find((x) => x.name === k) as ColumnDef);
    const encoder = new RowEncoder(cols);
    const sql =
      `SELECT ${cols.map(verifySelectExpression).join(', ')} FROM ${quoteOracleQualified(table)}` +
      (after ? ` WHERE ${keyBound(key, '>', 0)}` : '') +
      ` ORDER BY ${key.map(quoteOracleIdent).join(', ')} OFFSET ${Math.max(0, offset - 1)} ROWS FETCH NEXT 1 ROWS ONLY`;
    const res = await c.execute<unknown[]>(sql, namedBinds(after ?? []), arrayRows());
    const [row] = res.rows ?? [];
    return row ? encoder.values(row).map((v) => v ?? '') : null;
  }

  chunk(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<ChunkChecksum> {
    return canonicalChunk((onRow) => this.scan(table, key, lower, upper, onRow));
  }

  rows(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<Map<string, string>> {
    return canonicalRows((onRow) => this.scan(table, key, lower, upper, onRow), key.length > 0);
  }

  async close(): Promise<void> {
    await this.conn?.close().catch(() => undefined);
    this.conn = null;
  }

  private async scan(
    table: TableDef,
    key: string[],
    lower: KeyValues | null,
    upper: KeyValues | null,
    onRow: (key: string, hash: string) => void,
  ): Promise<void> {
    const c = await this.connect();
    const columns = copiedColumns(table.columns);
    const encoder = new RowEncoder(columns);
    const keyIdx = key.map((k) => columns.findIndex((col) => col.name === k));
    const conds: string[] = [];
    const binds: string[] = [];
    if (lower) {
      conds.push(keyBound(key, '>', binds.length));
      binds.push(...lower);
    }
    if (upper) {
      conds.push(keyBound(key, '<=', binds.length));
      binds.push(...upper);
    }
    const sql =
      `SELECT ${columns.map(verifySelectExpression).join(', ')} FROM ${quoteOracleQualified(table)}` +
      (conds.length ? ` WHERE ${conds.join(' AND ')}` : '');
    const res = await c.execute<unknown[]>(sql, namedBinds(binds), { ...arrayRows(), resultSet: true, fetchArraySize: 1000 });
    const rs = res.resultSet;
    if (!rs) throw new Error(`verify of ${table.schema}.${table.name}: no result set`);
    try {
      for (;;) {
        const rows = await rs.getRows(1000);
        for (const r of rows) {
          const values = encoder.values(r);
          const texts = columns.map((col, i) => normaliseCanonical(col.canonical, padScale(values[i] ?? null, col)));
          const k = key.length ? JSON.stringify(keyIdx.map((i) => values[i] ?? '')) : '';
          onRow(k, canonicalRowHash(texts));
        }
        if (rows.length < 1000) break;
      }
    } finally {
      await rs.close().catch(() => undefined);
    }
  }

  private async connect(): Promise<OracleConnection> {
    if (!this.conn) {
      const conn = await connectOracle(this.profile, this.service);
      await conn.execute("ALTER SESSION SET NLS_SORT = 'BINARY' NLS_COMP = 'BINARY'");
      this.conn = conn;
    }
    return this.conn;
  }
}
