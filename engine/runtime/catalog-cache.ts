import type { Catalog } from '../../providers/catalog.js';
import type { ResolvedProfile } from '../../providers/provider.js';
import type { TableSelection } from '../config/declaration.js';

/**
 * What the plan just read and checked, handed to apply's embedded worker so
 * a database is not introspected, nor a job's ends checked, twice within
 * seconds. An entry is used once and only while fresh (default 30 s after
 * the plan read it: a plan confirmed later, at a prompt, is read again); a
 * source changed in between is as if it changed just after the snapshot —
 * the dump reads the catalog's tables.
 */
export class CatalogCache {
  private readonly entries = new Map<string, { catalog: Catalog; at: number }>();
  private readonly checked = new Map<string, number>();

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

  /** The prerequisites of a job's two ends passed for exactly these databases. */
  putChecked(source: ResolvedProfile, destination: ResolvedProfile, check: EndsCheck): void {
    this.checked.set(checkKey(source, destination, check), this.now());
  }

  /** Whether the same check passed moments ago (once). */
  takeChecked(source: ResolvedProfile, destination: ResolvedProfile, check: EndsCheck): boolean {
    const k = checkKey(source, destination, check);
    const at = this.checked.get(k);
    this.checked.delete(k);
    return at !== undefined && this.now() - at <= this.ttlMs;
  }
}

/** What a job's prerequisite check covered. */
export interface EndsCheck {
  continuous: boolean;
  /** Source database names, in the job's order. */
  databases: readonly string[];
  /** Their destination databases. */
  targets: readonly string[];
}

/** The check of `job`'s ends for `databases` (all of the job's, or the ones added to it). */
export function endsCheck(job: { type: string }, databases: readonly { name: string; target: string }[]): EndsCheck {
  return {
    continuous: job.type === 'continuous',
    databases: databases.map((d) => d.name),
    targets: databases.map((d) => d.target),
  };
}

function endpoint(p: ResolvedProfile): unknown[] {
  return [p.engine, p.host, p.port, p.user];
}

function checkKey(source: ResolvedProfile, destination: ResolvedProfile, c: EndsCheck): string {
  return JSON.stringify([endpoint(source), endpoint(destination), c.continuous, c.databases, c.targets]);
}

function key(p: ResolvedProfile, database: string, selection: TableSelection): string {
  return JSON.stringify([...endpoint(p), database, selection.include, selection.exclude]);
}
