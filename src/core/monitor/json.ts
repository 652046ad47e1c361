/**
 * The JSON shapes of `mlloop monitor --json`, `mlloop health --json` and `mlloop alerts --json`
 * (contracts: the README's CLI reference documents them, tests pin them). In core so that every
 * face of ML Loop (the CLI, the server, the extension) prints the same. Numbers that are not
 * finite become null (JSON has no NaN).
 */
import type { StoredAlert } from '../store/types';
import type { ColumnDrift } from './drift';
import type { HealthReport } from './health';
import type { MonitorResult } from './monitor';

const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

function columnJson(c: ColumnDrift, nameKey: 'feature' | 'name'): Record<string, unknown> {
  return {
    [nameKey]: c.name,
    type: c.type,
    test: c.test,
    statistic: num(c.statistic),
    p_value: num(c.pValue),
    ...(c.psi !== undefined ? { psi: num(c.psi) } : {}),
    distance: num(c.distance),
    drift: c.drift,
  };
}

/** An alert as the CLI prints it. */
export function alertJson(a: StoredAlert): Record<string, unknown> {
  return {
    id: a.id,
    rule: a.rule,
    key: a.key,
    severity: a.severity,
    title: a.title,
    detail: a.detail,
    metric: a.metric,
    value: num(a.value),
    threshold: num(a.threshold),
    model: a.model,
    status: a.status,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    acknowledged_at: a.acknowledgedAt,
    acknowledged_by: a.acknowledgedBy,
    resolved_at: a.resolvedAt,
    resolved_by: a.resolvedBy,
  };
}

/**
 * `mlloop monitor --json`: {"model", "reference": {"n"}, "current": {"n", "from", "to"},
 * "features": [{"feature", "type", "test", "statistic", "p_value", "psi"?, "distance", "drift"}],
 * "prediction": {"n", "drift", "tests": [{"name", …as features}]}, "dataset": {"share", "drift"},
 * "performance": {"labelled", "metrics", "latency_ms", "fallback_rate", "acceptance"},
 * "alerts": [open alerts, each with "new": fired by this run]}.
 */
export function monitorJson(r: MonitorResult): Record<string, unknown> {
  const fired = new Set(r.alerts.fired.map((a) => a.id));
  const p = r.performance;
  return {
    model: r.model.version,
    reference: { n: r.reference.n },
    current: { n: r.current.n, from: r.current.from, to: r.current.to },
    features: r.features.map((c) => columnJson(c, 'feature')),
    prediction: { n: r.prediction.n, drift: r.prediction.drift, tests: r.prediction.tests.map((c) => columnJson(c, 'name')) },
    dataset: { share: num(r.dataset.share), drift: r.dataset.drift },
    performance: {
      labelled: p.labelled,
      metrics: Object.fromEntries(
        Object.entries(p.metrics).map(([name, m]) => [
          name,
          {
            value: num(m.value),
            lower: num(m.lower),
            upper: num(m.upper),
            n: m.n,
            champion: m.champion ? { value: num(m.champion.value), lower: num(m.champion.lower), upper: num(m.champion.upper) } : null,
            floor: num(m.floor),
            status: m.status,
          },
        ]),
      ),
      latency_ms: { n: p.latencyMs.n, p50: num(p.latencyMs.p50), p95: num(p.latencyMs.p95), p99: num(p.latencyMs.p99) },
      fallback_rate: { n: p.fallback.n, threshold: p.fallback.threshold, rate: num(p.fallback.rate) },
      acceptance: { judged: p.acceptance.judged, accepted: p.acceptance.accepted, share: num(p.acceptance.share) },
    },
    alerts: r.alerts.open.map((a) => ({ ...alertJson(a), new: fired.has(a.id) })),
  };
}

/** `mlloop health --json`: {"status", "checks": [{"name", "status", "detail"}]}. */
export function healthJson(h: HealthReport): Record<string, unknown> {
  return { status: h.status, checks: h.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail })) };
}
