import { providerFor } from '../../providers/provider-registry.js';
import { resolveProfile } from '../runtime/resolve-profile.js';
import { verifyDatabases, type JobVerification } from '../verify/verify-job.js';
import { observedStatus } from '../lifecycle/observed-status.js';
import { schemaSettings } from '../plan/planner.js';
import { loadOrFail } from './load-or-fail.js';
import { openBackend, readRecorded } from './cli-context.js';
import { CliError, EXIT } from './exit-codes.js';
import { stderrLogger } from './stderr-logger.js';

export interface VerifyOptions {
  file: string;
  database?: string;
  json?: boolean;
  chunkRows?: number;
}

/**
 * `migrate verify JOB`: compare source and destination table by table.
 * Exit 0 equal, 3 different, 1 error. While the job streams, differing
 * chunks are re-checked so rows still in flight are not reported.
 */
export async function verifyCommand(job: string, opts: VerifyOptions): Promise<number> {
  const { declaration } = await loadOrFail(opts.file);
  const backend = openBackend(declaration);
  const { state, runtimes } = await readRecorded(backend);
  const record = state?.jobs[job];
  if (!state || !record) throw new CliError(`job.${job} is not in the state (apply it first)`);
  const databases = record.databases.filter((d) => !opts.database || d.name === opts.database);
  if (!databases.length) throw new CliError(`job.${job} has no database ${opts.database}`);
  const src = state.profiles[record.source];
  const dst = state.profiles[record.destination];
  if (!src || !dst) throw new CliError(`job.${job}: its profiles are not in the state`);
  const logger = stderrLogger();
  // the job's settings: verify normalises values the way loads and changes converted them (zeroDates)
  const settings = schemaSettings(record);
  const source = (await providerFor(src.engine)).source(resolveProfile(record.source, src), { logger, settings });
  const destination = (await providerFor(dst.engine)).destination(resolveProfile(record.destination, dst), { logger, settings });
  const { status, substatus } = observedStatus(record, runtimes[job] ?? null);
  const live = (status === 'RUNNING' || status === 'RUNNING_WITH_ERRORS') && substatus !== 'FULL_DUMP';
  let result: JobVerification;
  try {
    result = await verifyDatabases(
      job,
      source,
      destination,
      databases,
      {
        chunkRows: opts.chunkRows ?? 10_000,
        rechecks: live ? 4 : 1,
        recheckDelayMs: 500,
        maxDifferences: 10,
        schema: {
          owners: schemaSettings(record).owners === 'keep',
          grants: schemaSettings(record).grants === 'keep',
          // triggers, rules and forced row security take their source state at finalize
          finalized: status === 'COMPLETED',
        },
      },
      (db, t) => {
        if (!opts.json) {
          const mark = t.status === 'equal' ? 'equal    ' : t.status === 'changing' ? 'changing ' : 'DIFFERENT';
          process.stdout.write(
            `${mark} ${db}: ${t.table} — ${t.rowsSource} rows on source, ${t.rowsDestination} on destination, ${t.chunks} chunk(s)${t.differentChunks ? `, ${t.differentChunks} differing` : ''}\n`,
          );
          for (const d of t.differences) process.stdout.write(`            key ${d.key}: ${d.kind}\n`);
        }
      },
      (db, s) => {
        if (opts.json) return;
        const known = s.notMigrated.length ? `, ${s.notMigrated.length} not migrated as planned` : '';
        process.stdout.write(
          `${s.differences.length ? 'DIFFERENT' : 'equal    '} ${db}: schema — ${s.objects} objects${known}${s.differences.length ? `, ${s.differences.length} differing` : ''}\n`,
        );
        for (const d of s.differences.slice(0, 50)) process.stdout.write(`            ${d.kind} ${d.name}: ${d.difference}\n`);
        if (s.differences.length > 50)
          process.stdout.write(`            … and ${s.differences.length - 50} more (--json lists all)\n`);
      },
    );
  } finally {
    await source.close();
    await destination.close();
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const d of result.databases) {
      if (d.schemaNotCompared) process.stdout.write(`note      ${d.name}: ${d.schemaNotCompared}\n`);
    }
    const different = result.databases.flatMap((d) => [
      ...(d.schema?.differences.length ? [`${d.name}: schema`] : []),
      ...d.tables.filter((t) => t.status === 'different').map((t) => `${d.name}: ${t.table}`),
    ]);
    process.stdout.write(
      different.length
        ? `\nDifferent: ${different.join(', ')} (${result.rowsCompared} source rows compared).\n`
        : `\nEqual: ${result.rowsCompared} source rows compared${live ? ' while the job streams' : ''}.\n`,
    );
  }
  return result.equal ? EXIT.OK : EXIT.DIFFERENT;
}
