/**
 * Row hashes of a SQL Server table in canonical form (canonical-hash.ts),
 * so a SQL Server → PostgreSQL job compares equal exactly when every value
 * arrived, and SQL Server → SQL Server the same way. Key bounds compare text
 * keys by code point (`Latin1_General_BIN2`), as the other side does.
 */
import { canonicalChunk, canonicalRowHash, canonicalRows, normaliseCanonical } from '../canonical-hash.js';
import type { CanonicalType } from '../canonical-type.js';
import type { ColumnDef, TableDef } from '../catalog.js';
import type { ChunkChecksum, KeyValues, ResolvedProfile, TableChecksummer } from '../provider.js';
import { SqlServerSession } from './mssql-connection.js';
import { keyComparison, rangeQuery } from './mssql-key-ranges.js';
import { quoteSqlServerIdent, quoteSqlServerQualified } from './mssql-quote.js';
import { copiedColumns } from './mssql-snapshot.js';
import { baseTypeName, canonicalText, selectExpression } from './mssql-value-text.js';

export class SqlServerChecksummer implements TableChecksummer {
  private session: SqlServerSession | null = null;

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly database: string,
  ) {}

  async keyAfter(table: TableDef, key: string[], after: KeyValues | null, offset: number): Promise<KeyValues | null> {
    const s = await this.connect();
    const cols = this.keyColumns(table, key);
    const where = after ? ` WHERE ${keyComparison(cols, after, '>', true)}` : '';
    const select = cols
      .map((c) =>
        selectExpression({ name: c.name, typeName: baseTypeName(c.nativeType), canonical: c.canonical as CanonicalType }),
      )
      .join(', ');
    const rows = await s.rows(
      `SELECT ${select} FROM ${quoteSqlServerQualified(table)}${where} ORDER BY ${this.order(cols)} OFFSET ${Math.max(0, offset - 1)} ROWS FETCH NEXT 1 ROWS ONLY`,
    );
    const [row] = rows;
    return row ? row.map((v, i) => canonicalText((cols[i] as ColumnDef).canonical as CanonicalType, v) ?? '') : null;
  }

  chunk(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<ChunkChecksum> {
    return canonicalChunk((onRow) => this.scan(table, key, lower, upper, onRow));
  }

  rows(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<Map<string, string>> {
    return canonicalRows((onRow) => this.scan(table, key, lower, upper, onRow), key.length > 0);
  }

  async close(): Promise<void> {
    await this.session?.close().catch(() => this.session?.destroy());
    this.session = null;
  }

  private keyColumns(table: TableDef, key: readonly string[]): ColumnDef[] {
    return key.map((k) => {
      const c = table.columns.find((x) => x.name === k);
      if (!c?.canonical) throw new Error(`key column ${k} of ${table.schema}.${table.name} has no canonical type`);
      return c;
    });
  }

  private order(cols: readonly ColumnDef[]): string {
    return cols
      .map((c) => `${quoteSqlServerIdent(c.name)}${c.canonical?.kind === 'text' ? ' COLLATE Latin1_General_BIN2' : ''}`)
      .join(', ');
  }

  private async scan(
    table: TableDef,
    key: string[],
    lower: KeyValues | null,
    upper: KeyValues | null,
    onRow: (key: string, hash: string) => void,
  ): Promise<void> {
    const s = await this.connect();
    const columns = copiedColumns(table.columns);
    const keyCols = this.keyColumns(table, key);
    const keyIdx = key.map((k) => columns.findIndex((c) => c.name === k));
    const conds = [
      lower ? keyComparison(keyCols, lower, '>', true) : null,
      upper ? keyComparison(keyCols, upper, '<=', true) : null,
    ].filter((x): x is string => x !== null);
    const sql = rangeQuery(table, columns, conds.length ? conds.join(' AND ') : null);
    const handle = s.stream(sql, (row) => {
      const texts = columns.map((c, i) => canonicalText(c.canonical as CanonicalType, row[i]));
      const k = key.length ? JSON.stringify(keyIdx.map((i) => texts[i] ?? '')) : '';
      onRow(k, canonicalRowHash(columns.map((c, i) => normaliseCanonical(c.canonical, texts[i] ?? null))));
      return true;
    });
    await handle.done;
  }

  private async connect(): Promise<SqlServerSession> {
    this.session ??= await SqlServerSession.open(this.profile, this.database);
    return this.session;
  }
}
