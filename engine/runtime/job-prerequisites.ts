import type { Catalog, NotMigratedObject } from '../../providers/catalog.js';
import { qualifiedKey } from '../../providers/catalog.js';
import type { DestinationProvider, SourceProvider } from '../../providers/provider.js';
import type { DatabaseRecord, JobConfigRecord } from '../../state/state-document.js';
import type { SchemaSettings } from '../config/declaration.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';
import { schemaSettings } from '../plan/planner.js';
import { describeError } from './combine-errors.js';

/** A job cannot start or go on until a setting, privilege or credential is fixed; retried with backoff meanwhile. */
export class PrerequisiteError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`prerequisites failed:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
    this.name = 'PrerequisiteError';
  }
}

export interface JobEnds {
  /** The job's name and its recorded configuration. */
  name: string;
  job: JobConfigRecord;
  source: SourceProvider;
  destination: DestinationProvider;
}

/** Diagnostics of one side, with the profile named; a failure to even ask (connect, authenticate) is one error. */
async function side(
  profile: string,
  role: 'source' | 'destination',
  job: string,
  check: () => Promise<Diagnostic[]>,
): Promise<Diagnostic[]> {
  const address = `profile.${profile}`;
  const label = `${address} (${role} of job.${job})`;
  try {
    return (await check()).map((d) => ({ ...d, summary: `${label}: ${d.summary}`, address: d.address ?? address }));
  } catch (err) {
    return [{ severity: 'error', summary: `${label}: ${describeError(err)}`, address }];
  }
}

/**
 * Connectivity, credentials, settings and privileges of both ends
 * (`wal_level`, free replication slots and senders, CREATEDB…), every failure
 * a diagnostic naming the profile and the setting. Reads only.
 */
export async function checkJobEnds(ends: JobEnds, databases: readonly DatabaseRecord[]): Promise<Diagnostic[]> {
  const { job } = ends;
  const [src, dst] = await Promise.all([
    side(job.source, 'source', ends.name, () =>
      ends.source.checkPrerequisites({ databases: databases.map((d) => d.name), continuous: job.type === 'continuous' }),
    ),
    side(job.destination, 'destination', ends.name, () =>
      ends.destination.checkPrerequisites({ databases: databases.map((d) => d.target) }),
    ),
  ]);
  return [...src, ...dst];
}

/**
 * What one database's migration will and will not recreate: objects not
 * migrated (warnings), keyless tables of continuous jobs (warnings), and
 * whether the destination can take the catalog (missing roles, extensions:
 * errors). Reads only.
 */
export async function inspectDatabase(
  ends: JobEnds,
  db: DatabaseRecord,
  catalog: Catalog,
  opts: { keyless: boolean },
): Promise<Diagnostic[]> {
  const address = `job.${ends.name}.database.${db.name}`;
  const out: Diagnostic[] = notMigratedOf(ends.destination, catalog, schemaSettings(ends.job)).map((n) => ({
    severity: 'warning',
    summary: `${address}: not migrated: ${n.kind} ${n.name}`,
    detail: n.reason,
    address,
  }));
  if (opts.keyless && ends.job.type === 'continuous') {
    const keyless = await ends.source.tablesWithoutKey(
      db.name,
      catalog.tables.filter((t) => t.kind !== 'partitioned'),
    );
    if (keyless.length) {
      out.push({
        severity: 'warning',
        summary: `${address}: ${keyless.map(qualifiedKey).join(', ')} ha${keyless.length > 1 ? 've' : 's'} no primary key`,
        detail:
          'their updates and deletes are matched on the destination by the whole old row (on a PostgreSQL source migrate sets REPLICA IDENTITY FULL on them at start, so whole old rows are written to WAL)',
        address,
      });
    }
  }
  const fit = await ends.destination.checkCatalog(db.target, catalog, schemaSettings(ends.job));
  out.push(...fit.map((d) => ({ ...d, summary: `${address}: ${d.summary}`, address: d.address ?? address })));
  return out;
}

/** Everything a database's migration leaves out: what the source reported, and what the destination cannot take. */
export function notMigratedOf(destination: DestinationProvider, catalog: Catalog, settings: SchemaSettings): NotMigratedObject[] {
  return [...(catalog.notMigrated ?? []), ...(destination.notMigrated?.(catalog, settings) ?? [])];
}
