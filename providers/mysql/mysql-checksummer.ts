import type { Connection } from 'mysql2/promise';
import { canonicalChunk, canonicalRowHash, canonicalRows, normaliseCanonical } from '../canonical-hash.js';
import type { ColumnDef, TableDef } from '../catalog.js';
import type { ChunkChecksum, KeyValues, ResolvedProfile, TableChecksummer } from '../provider.js';
import { connectMySql, coreConnection, mysqlRows } from './mysql-connection.js';
import { bitDigits, copiedColumns, isZeroDate, selectList } from './mysql-interchange.js';
import { quoteMySqlIdent, quoteMySqlQualified } from './mysql-quote.js';
import { zeroDateKindOfColumn, zeroDateReplacement, type ZeroDateRule } from '../zero-dates.js';

/**
 * A value's canonical text as the destination holds it (unescaped), for
 * hashing: a zero date as the job's `zeroDates` made it (NULL or its value;
 * under `error` as it is, which no destination row equals).
 */
function canonicalText(c: ColumnDef, v: Buffer | null, zero: ZeroDateRule): string | null {
  if (v === null) return null;
  switch (c.canonical?.kind) {
    case 'bytes':
    case 'geometry':
      return v.toString('hex');
    case 'bit':
      return bitDigits(v, c.canonical.length);
    case 'date':
    case 'timestamp':
      if (!isZeroDate(v)) return v.toString();
      if (zero === 'error') return v.toString();
      return zeroDateReplacement(zero, zeroDateKindOfColumn(c) ?? 'date');
    default:
      return v.toString();
  }
}

/**
 * Row hashes of a MySQL table in canonical form (canonical-hash.ts), so a
 * MySQL → PostgreSQL job compares equal exactly when every value arrived.
 * Key bounds compare text keys by their bytes (`BINARY`), as the destination
 * compares them (`COLLATE "C"`), so both sides select the same rows.
 */
export class MySqlChecksummer implements TableChecksummer {
  private conn: Connection | null = null;

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly database: string,
    /** The job's `zeroDates` (NULL by default). */
    private readonly zeroDates: ZeroDateRule = 'null',
  ) {}

  async keyAfter(table: TableDef, key: string[], after: KeyValues | null, offset: number): Promise<KeyValues | null> {
    const c = await this.connect();
    const where = after ? `WHERE ${this.bound(table, key, '>')}` : '';
    const order = key.map((k) => this.keyExpr(table, k)).join(', ');
    const [row] = await mysqlRows<Record<string, string>>(
      c,
      `SELECT ${key.map((k, i) => `${quoteMySqlIdent(k)} AS k${i}`).join(', ')} FROM ${quoteMySqlQualified({ schema: this.database, name: table.name })} ${where}
        ORDER BY ${order} LIMIT 1 OFFSET ${offset - 1}`,
      after ?? [],
    );
    return row ? key.map((_, i) => row[`k${i}`] as string) : null;
  }

  chunk(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<ChunkChecksum> {
    return canonicalChunk((onRow) => this.scan(table, key, lower, upper, onRow));
  }

  rows(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<Map<string, string>> {
    return canonicalRows((onRow) => this.scan(table, key, lower, upper, onRow), key.length > 0);
  }

  async close(): Promise<void> {
    await this.conn?.end().catch(() => this.conn?.destroy());
    this.conn = null;
  }

  /** Text keys compare by their bytes (CAST … AS BINARY: the `BINARY x` operator is deprecated in MySQL 8). */
  private byBytes(table: TableDef, k: string): boolean {
    const kind = table.columns.find((c) => c.name === k)?.canonical?.kind;
    return kind === 'text' || kind === 'enum' || kind === 'set';
  }

  private keyExpr(table: TableDef, k: string): string {
    return this.byBytes(table, k) ? `CAST(${quoteMySqlIdent(k)} AS BINARY)` : quoteMySqlIdent(k);
  }

  private bound(table: TableDef, key: string[], op: string): string {
    const left = key.map((k) => this.keyExpr(table, k));
    const right = key.map((k) => (this.byBytes(table, k) ? 'CAST(? AS BINARY)' : '?'));
    return `(${left.join(', ')}) ${op} (${right.join(', ')})`;
  }

  /** Stream the rows in (lower, upper]: each row's key text (JSON) and hash. */
  private async scan(
    table: TableDef,
    key: string[],
    lower: KeyValues | null,
    upper: KeyValues | null,
    onRow: (key: string, hash: string) => void,
  ): Promise<void> {
    const c = await this.connect();
    const columns = copiedColumns(table.columns);
    const keyIdx = key.map((k) => columns.findIndex((c) => c.name === k));
    const conds: string[] = [];
    const values: string[] = [];
    if (lower) {
      conds.push(this.bound(table, key, '>'));
      values.push(...lower);
    }
    if (upper) {
      conds.push(this.bound(table, key, '<='));
      values.push(...upper);
    }
    const sql = `SELECT ${selectList(columns)} FROM ${quoteMySqlQualified({ schema: this.database, name: table.name })}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`;
    await new Promise<void>((resolve, reject) => {
      const q = coreConnection(c).query({
        sql,
        values,
        rowsAsArray: true,
        typeCast: (f: { buffer(): Buffer | null }) => f.buffer(),
      });
      q.on('error', reject);
      q.on('result', (row: unknown) => {
        const raw = row as (Buffer | null)[];
        const texts = columns.map((col, i) =>
          normaliseCanonical(col.canonical, canonicalText(col, raw[i] ?? null, this.zeroDates)),
        );
        const k = key.length ? JSON.stringify(keyIdx.map((i) => (raw[i] ?? Buffer.alloc(0)).toString())) : '';
        onRow(k, canonicalRowHash(texts));
      });
      q.on('end', () => resolve());
    });
  }

  private async connect(): Promise<Connection> {
    this.conn ??= await connectMySql(this.profile, this.database);
    return this.conn;
  }
}
