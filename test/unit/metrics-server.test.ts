import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WorkerMetrics } from '../../engine/metrics/metrics-registry.js';
import { startMetricsServer } from '../../engine/metrics/metrics-server.js';
import { silentLogger } from '../../engine/runtime/logger.js';
import { parsePrometheusText } from '../harness/prometheus-text.js';

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

describe('metrics server', () => {
  it('answers liveness always, readiness as told, metrics as text; closes its port', async () => {
    let ready = false;
    const server = await startMetricsServer({
      address: { host: '127.0.0.1', port: 0 },
      metrics: new WorkerMetrics(() => []),
      ready: () => ready,
      logger: silentLogger,
    });
    const get = (path: string, method = 'GET') => fetch(`${server.url}${path}`, { method });
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(503);
    ready = true;
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/readyz?verbose')).status).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(parsePrometheusText(await metrics.text()).has('process_start_time_seconds')).toBe(true);
    const head = await get('/metrics', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await get('/metrics', 'POST')).status).toBe(405);
    expect((await get('/')).status).toBe(404);

    const port = Number(new URL(server.url).port);
    // fetch keeps its connections alive: close must drop them, not wait for them
    await server.close();
    expect(await refused(port)).toBe(true);
  });
});
