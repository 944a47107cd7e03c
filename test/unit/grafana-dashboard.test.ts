import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../engine/metrics/metric-definitions.js';
import { WorkerMetrics } from '../../engine/metrics/metrics-registry.js';
import { parsePrometheusText } from '../harness/prometheus-text.js';

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../examples/grafana/migrate-dashboard.json', import.meta.url), 'utf8')) as {
  panels: Panel[];
  templating: { list: { query?: { query: string } | string }[] };
};
const queries = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.templating.list.map((v) => (typeof v.query === 'object' ? v.query.query : '')),
];
// metric names in PromQL: identifiers followed by `{`, or inside label_values(…, )
const used = new Set(queries.flatMap((q) => [...q.matchAll(/\b((?:migrate|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!)));

describe('examples/grafana/migrate-dashboard.json', () => {
  it('queries only metrics the worker serves', async () => {
    const served = parsePrometheusText(
      await new WorkerMetrics(
        () => [],
        () => true,
      ).text(),
    );
    const names = new Set([...served.values()].flatMap((f) => [f.name, ...f.samples.map((s) => s.name)]));
    for (const m of Object.values(METRICS)) names.add(m.name);
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
  });

  it('shows every job metric', () => {
    expect(
      Object.values(METRICS)
        .filter((m) => !used.has(m.name))
        .map((m) => m.name),
    ).toEqual([]);
  });
});
