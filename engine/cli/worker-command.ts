import { systemClock } from '../runtime/clock.js';
import { Worker } from '../runtime/worker.js';
import { loadOrFail } from './load-or-fail.js';
import { openBackend } from './cli-context.js';
import { EXIT } from './exit-codes.js';
import { stderrLogger } from './stderr-logger.js';

export interface WorkerCommandOptions {
  file: string;
  leaseTtl?: number;
}

/**
 * `migrate worker`: the long-running process that keeps continuous jobs
 * replicating after apply returns. Several workers may serve one backend;
 * leases keep each job on exactly one of them.
 */
export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  const { declaration } = await loadOrFail(opts.file);
  const backend = openBackend(declaration);
  const logger = stderrLogger(process.env.MIGRATE_LOG ? undefined : 'info');
  const worker = new Worker({ backend, logger, clock: systemClock, leaseTtlMs: (opts.leaseTtl ?? 15) * 1000 });
  logger.info('worker started', { id: worker.id, backend: backend.description });
  worker.start();
  const forced = new AbortController();
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      if (forced.signal.aborted) return;
      logger.info(`${sig} received: stopping (jobs stay claimable by other workers)`);
      process.once('SIGINT', () => forced.abort());
      process.once('SIGTERM', () => forced.abort());
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await worker.shutdown(10_000, forced.signal);
  await backend.close?.();
  logger.info('worker stopped', { id: worker.id });
  return EXIT.OK;
}
