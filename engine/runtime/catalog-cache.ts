import type { Catalog } from '../../providers/catalog.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import type { TableSelection } from '../config/declaration.js';

/**
 * Catalogs the plan just read, handed to apply's embedded worker so a
 * database is not introspected twice within seconds. An entry is used once
 * and only while fresh (default 30 s after the plan read it: a plan confirmed
 * later, at a prompt, is read again); a source changed in between is as if
 * it changed just after the snapshot — the dump reads the catalog's tables.
 */
export class CatalogCache {
  private readonly entries = new Map<string, { catalog: Catalog; at: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  put(profile: ResolvedProfile, database: string, selection: TableSelection, catalog: Catalog): void {
    this.entries.set(key(profile, database, selection), { catalog, at: this.now() });
  }

  /** The fresh catalog for exactly this server, database and selection, once; else undefined. */
  take(profile: ResolvedProfile, database: string, selection: TableSelection): Catalog | undefined {
    const k = key(profile, database, selection);
    const hit = this.entries.get(k);
    this.entries.delete(k);
    return hit && this.now() - hit.at <= this.ttlMs ? hit.catalog : undefined;
  }
}

function key(p: ResolvedProfile, database: string, selection: TableSelection): string {
  return JSON.stringify([p.engine, p.host, p.port, p.user, database, selection.include, selection.exclude]);
}
