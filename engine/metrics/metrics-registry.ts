import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { JobObservation } from '../runtime/job-observation.js';
import { jobMetricSamples } from './job-metric-samples.js';
import { METRICS, type MetricKey } from './metric-definitions.js';

/**
 * The worker's Prometheus registry: its own (never prom-client's global
 * one, so two workers in one process — tests, apply's embedded worker —
 * never share series), with the default process metrics and the job
 * metrics of `METRICS`, recomputed from `observe()` at every scrape.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly metrics: Record<MetricKey, Counter | Gauge>;

  constructor(
    private readonly observe: () => readonly JobObservation[],
    /** `migrate_worker_ready` (0 when not given). */
    private readonly ready?: () => boolean,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const entries = Object.entries(METRICS).map(([key, d]) => {
      const config = { name: d.name, help: d.help, labelNames: [...d.labels], registers: [this.registry] };
      return [key, d.type === 'counter' ? new Counter(config) : new Gauge(config)] as const;
    });
    this.metrics = Object.fromEntries(entries) as Record<MetricKey, Counter | Gauge>;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: job metrics as they stand now, then the process metrics. */
  async text(): Promise<string> {
    for (const m of Object.values(this.metrics)) m.reset();
    const samples = jobMetricSamples(this.observe());
    if (this.ready) samples.push({ metric: 'workerReady', labels: {}, value: +this.ready() });
    for (const s of samples) {
      const m = this.metrics[s.metric];
      if (m instanceof Counter) m.inc(s.labels, s.value);
      else m.set(s.labels, s.value);
    }
    return this.registry.metrics();
  }
}
