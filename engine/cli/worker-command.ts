import { systemClock } from '../runtime/clock.js';
import { Worker } from '../runtime/worker.js';
import { parseMetricsAddress } from '../metrics/metrics-address.js';
import { WorkerMetrics } from '../metrics/metrics-registry.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';
import { loadOrFail } from './load-or-fail.js';
import { openBackend } from './cli-context.js';
import { CliError, EXIT } from './exit-codes.js';
import { stderrLogger, type LogFormat } from './stderr-logger.js';

export interface WorkerCommandOptions {
  file: string;
  leaseTtl?: number;
  /** `HOST:PORT` for `/metrics`, `/healthz`, `/readyz`; no server when unset. */
  metricsAddress?: string;
  /** Default: `MIGRATE_LOG_FORMAT`, else text. */
  logFormat?: LogFormat;
}

/**
 * `migrate worker`: the long-running process that keeps continuous jobs
 * replicating after apply returns. Several workers may serve one backend;
 * leases keep each job on exactly one of them.
 */
export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  // a bad address fails before anything connects
  const address = opts.metricsAddress !== undefined ? parseAddress(opts.metricsAddress) : null;
  const logger = stderrLogger(process.env.MIGRATE_LOG ? undefined : 'info', opts.logFormat);
  const { declaration } = await loadOrFail(opts.file);
  const backend = openBackend(declaration);
  const worker = new Worker({ backend, logger, clock: systemClock, leaseTtlMs: (opts.leaseTtl ?? 15) * 1000 });
  let server: MetricsServer | null = null;
  if (address) {
    try {
      server = await startMetricsServer({
        address,
        metrics: new WorkerMetrics(
          () => worker.observe(),
          () => worker.ready(),
        ),
        ready: () => worker.ready(),
        logger,
      });
    } catch (err) {
      await backend.close?.();
      throw new CliError(`error: cannot serve metrics on ${address.host}:${address.port}: ${(err as Error).message}`, EXIT.ERROR);
    }
  }
  logger.info('worker started', {
    id: worker.id,
    backend: backend.description,
    ...(server ? { metrics: `${server.url}/metrics` } : {}),
  });
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
  // /readyz answers 503 from here on (the worker is stopping); the port closes once the jobs let go
  await worker.shutdown(10_000, forced.signal);
  await server?.close();
  await backend.close?.();
  logger.info('worker stopped', { id: worker.id });
  return EXIT.OK;
}

function parseAddress(text: string) {
  try {
    return parseMetricsAddress(text);
  } catch (err) {
    throw new CliError(`error: ${(err as Error).message}`, EXIT.ERROR);
  }
}
