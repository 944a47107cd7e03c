import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '../runtime/combine-errors.js';
import type { Logger } from '../runtime/logger.js';
import type { MetricsAddress } from './metrics-address.js';
import type { WorkerMetrics } from './metrics-registry.js';

export interface MetricsServerOptions {
  address: MetricsAddress;
  metrics: WorkerMetrics;
  /** `/readyz`: true once the worker serves or can serve jobs (state backend reached, no shutdown begun). */
  ready: () => boolean;
  logger: Logger;
}

export interface MetricsServer {
  /** `http://host:port` actually bound (port 0 resolved). */
  readonly url: string;
  /** Stop listening and drop open connections (keep-alive scrapers included). */
  close(): Promise<void>;
}

/**
 * `/metrics` (Prometheus text format), `/healthz` (liveness: answered while
 * the event loop runs), `/readyz` (readiness: 503 until the worker reached
 * the state backend and once shutdown began). Resolves once listening;
 * rejects when the address cannot be bound (in use, not ours).
 */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => void route(req, res, opts));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.address.port, opts.address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => opts.logger.error('metrics server error', { error: describeError(err) }));
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, opts: MetricsServerOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') return send(res, 200, 'ok\n');
  if (path === '/readyz') return opts.ready() ? send(res, 200, 'ready\n') : send(res, 503, 'not ready\n');
  if (path !== '/metrics') return send(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
  try {
    send(res, 200, await opts.metrics.text(), { 'content-type': opts.metrics.contentType });
  } catch (err) {
    opts.logger.error('cannot render metrics', { error: describeError(err) });
    send(res, 500, 'cannot render metrics\n');
  }
}

function send(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
