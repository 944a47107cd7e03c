/** Where the metrics server listens. */
export interface MetricsAddress {
  host: string;
  port: number;
}

/** Loopback unless the user names another host: metrics name databases and tables. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/**
 * Parse `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (the last two listen on
 * loopback). Port 0 picks a free port (the worker logs which).
 */
export function parseMetricsAddress(text: string): MetricsAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text.trim()) ?? /^()()(\d+)$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65_535) {
    throw new Error(`--metrics-address ${JSON.stringify(text)}: expected HOST:PORT, e.g. 127.0.0.1:9464`);
  }
  return { host: m[1] || m[2] || DEFAULT_METRICS_HOST, port };
}
