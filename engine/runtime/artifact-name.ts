import { createHash } from 'node:crypto';

/**
 * Name of the source-side change-capture artifacts (slot, publication) of a
 * job's database. Slot names are cluster-wide and limited to 63 lowercase
 * chars: job and database are kept readable, the state lineage keeps two
 * projects with the same job name apart.
 */
export function artifactName(job: string, database: string, lineage: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const hash = createHash('sha256').update(`${lineage}/${job}/${database}`).digest('hex').slice(0, 8);
  const base = `migrate_${clean(job)}_${clean(database)}`.slice(0, 63 - 9);
  return `${base}_${hash}`;
}
