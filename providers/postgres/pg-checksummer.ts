import type pg from 'pg';
import type { TableDef } from '../catalog.js';
import type { ChunkChecksum, KeyValues, ResolvedProfile, TableChecksummer } from '../provider.js';
import { connectPg } from './pg-connection.js';
import { PgCanonicalChecksummer } from './pg-canonical-checksummer.js';
import { isForeignTable } from './pg-foreign-catalog.js';
import { quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

/**
 * Checksums rows by their text form (`t::text`), which is identical across
 * PostgreSQL versions for built-in types, so a 14 → 17 pair compares exactly.
 * Key bounds are typed literals (`'…'::type`), compared as row values in the
 * server's own order on both sides. Tables loaded from another engine hash
 * that engine's canonical values instead (pg-canonical-checksummer.ts).
 */
export class PgChecksummer implements TableChecksummer {
  private client: pg.Client | null = null;
  private readonly canonical = new PgCanonicalChecksummer(() => this.connect());

  constructor(
    private readonly profile: ResolvedProfile,
    private readonly database: string,
  ) {}

  async keyAfter(table: TableDef, key: string[], after: KeyValues | null, offset: number): Promise<KeyValues | null> {
    const c = await this.connect();
    const cols = key.map(quoteIdent);
    const res = await c.query<Record<string, string>>({
      text: `SELECT ${cols.map((k, i) => `${k}::text AS k${i}`).join(', ')} FROM ONLY ${quoteQualified(table)} t
             ${after ? `WHERE ${this.bound(table, key, after, '>')}` : ''} ORDER BY ${cols.join(', ')} OFFSET ${offset - 1} LIMIT 1`,
    });
    const row = res.rows[0];
    return row ? key.map((_, i) => row[`k${i}`] as string) : null;
  }

  async chunk(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<ChunkChecksum> {
    if (isForeignTable(table)) return this.canonical.chunk(table, key, lower, upper);
    const c = await this.connect();
    const order = key.length ? key.map(quoteIdent).join(', ') : 'md5(t::text)';
    const res = await c.query<{ n: string; h: string | null }>(
      `SELECT count(*)::text AS n, md5(string_agg(md5(t::text), '' ORDER BY ${order})) AS h
         FROM ONLY ${quoteQualified(table)} t ${this.where(table, key, lower, upper)}`,
    );
    return { count: Number(res.rows[0]?.n ?? '0'), hash: res.rows[0]?.h ?? '' };
  }

  async rows(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): Promise<Map<string, string>> {
    if (isForeignTable(table)) return this.canonical.rows(table, key, lower, upper);
    const c = await this.connect();
    const keyExpr = key.length
      ? `json_build_array(${key.map((k) => `${quoteIdent(k)}::text`).join(', ')})::text`
      : 'md5(t::text)';
    const res = await c.query<{ k: string; h: string }>(
      `SELECT ${keyExpr} AS k, md5(t::text) AS h FROM ONLY ${quoteQualified(table)} t ${this.where(table, key, lower, upper)}`,
    );
    const out = new Map<string, string>();
    for (const r of res.rows) out.set(r.k, key.length ? r.h : `${Number(out.get(r.k) ?? '0') + 1}`);
    return out;
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private where(table: TableDef, key: string[], lower: KeyValues | null, upper: KeyValues | null): string {
    const parts: string[] = [];
    if (lower) parts.push(this.bound(table, key, lower, '>'));
    if (upper) parts.push(this.bound(table, key, upper, '<='));
    return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  }

  private bound(table: TableDef, key: string[], values: KeyValues, op: string): string {
    const typed = key.map((k, i) => {
      const type = table.columns.find((c) => c.name === k)?.nativeType ?? 'text';
      return `${quoteLiteral(values[i] ?? '')}::${type}`;
    });
    return `(${key.map(quoteIdent).join(', ')}) ${op} (${typed.join(', ')})`;
  }

  private async connect(): Promise<pg.Client> {
    this.client ??= await connectPg(this.profile, this.database, { applicationName: 'migrate:verify' });
    return this.client;
  }
}
