/**
 * What the Drift & Alerts panel draws, built from stored monitoring snapshots (core's
 * snapshotSummary, kept as JSON in the store). Pure (no 'vscode' import, no I/O): unit tests
 * cover it. Snapshots are read defensively — a summary written by another version of ML Loop
 * may lack a field, and a missing number is shown as missing, never as zero or "no drift".
 */
import type { MonitorSnapshot, StoredAlert } from '../../core/store/types';
import type { ColumnView, DriftLevelView, DriftPoint, HealthView, HistogramView, LiveMetricView, MonitoringView, MonitorRunView } from '../../../webview/drift/protocol';
import type { DashboardMonitoring } from '../../../webview/dashboard/protocol';

type Json = Record<string, unknown>;

const LEVELS: readonly DriftLevelView[] = ['none', 'warning', 'critical', 'not_enough_data'];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const level = (v: unknown): DriftLevelView => (LEVELS.includes(v as DriftLevelView) ? (v as DriftLevelView) : 'not_enough_data');
const numbers = (v: unknown): number[] => arr(v).map((x) => num(x) ?? 0);

/** Shares of a count vector (all zeros when it is empty). */
export function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/**
 * A bin edge for labels: `digits` significant digits (default 4), no exponent for everyday
 * sizes.
 */
export function edgeLabel(v: number, digits = 4): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-3) return v.toExponential(digits - 2);
  return String(Number(v.toPrecision(digits)));
}

/**
 * Labels for a run of increasing bin edges: the fewest significant digits (4 to 6) that keep
 * every two neighbours apart and no edge rounded to a whole number it is not — confidences
 * crowd near 1 (0.99991, 0.99997), and "1 – 1" says nothing. Edges closer than that to a whole
 * number are written as their distance from it ("1 − 2.6e-13"), which stays short.
 */
export function edgeLabels(edges: readonly number[]): string[] {
  for (let digits = 4; digits <= 6; digits++) {
    const labels = edges.map((e) => edgeLabel(e, digits));
    // Nor may an edge round to a whole number it is not: "≥ 1" for 0.999999 reads as "at least 1".
    const honest = labels.every((l, i) => Number.isInteger(edges[i]) || !Number.isInteger(Number(l)));
    if (honest && labels.every((l, i) => i === 0 || l !== labels[i - 1])) return labels;
  }
  return edges.map((e) => {
    const whole = Math.round(e);
    const off = e - whole;
    if (off === 0 || Math.abs(off) >= 1e-4) return edgeLabel(e, 6);
    return `${whole} ${off < 0 ? '−' : '+'} ${Math.abs(off).toExponential(1)}`;
  });
}

/**
 * The histogram a snapshot keeps for a column: numeric PSI bins (`{lower, reference,
 * current, missing}`, the first lower edge null for −∞) or a categorical table
 * (`{categories, reference, current}`). Null when the column has none (text, an old snapshot).
 */
export function histogramView(raw: unknown): HistogramView | null {
  const h = obj(raw);
  if (Array.isArray(h.categories)) {
    const reference = numbers(h.reference);
    const current = numbers(h.current);
    const labels = arr(h.categories).map(String);
    if (labels.length === 0 || reference.length !== labels.length || current.length !== labels.length) return null;
    return { labels, reference: shares(reference), current: shares(current), counts: { reference, current } };
  }
  if (Array.isArray(h.lower)) {
    const lower = arr(h.lower).map(num);
    const reference = numbers(h.reference);
    const current = numbers(h.current);
    if (lower.length === 0 || reference.length !== lower.length || current.length !== lower.length) return null;
    const edges = lower.filter((e): e is number => e !== null);
    const text = new Map(edges.map((e, i) => [e, edgeLabels(edges)[i]]));
    const label = (e: number) => text.get(e) ?? edgeLabel(e);
    const labels = lower.map((lo, i) => {
      const hi = lower[i + 1];
      if (lo === null) return hi === undefined || hi === null ? 'all' : `< ${label(hi)}`;
      return hi === undefined || hi === null ? `≥ ${label(lo)}` : `${label(lo)} – ${label(hi)}`;
    });
    const missing = obj(h.missing);
    if (num(missing.reference) !== null || num(missing.current) !== null) {
      labels.push('(missing)');
      reference.push(num(missing.reference) ?? 0);
      current.push(num(missing.current) ?? 0);
    }
    return { labels, reference: shares(reference), current: shares(current), counts: { reference, current } };
  }
  return null;
}

/** One column of a snapshot summary (see core's snapshotSummary). */
export function columnView(raw: unknown): ColumnView {
  const c = obj(raw);
  const type = str(c.type) ?? 'numeric';
  const n = obj(c.n);
  return {
    name: str(c.name) ?? '?',
    type,
    test: str(c.test) ?? '',
    statistic: num(c.statistic),
    pValue: num(c.p_value),
    adjustedP: num(c.adjusted_p),
    psi: num(c.psi),
    distance: num(c.distance),
    distanceName: type === 'numeric' ? 'normalised Wasserstein' : 'Jensen–Shannon',
    drift: level(c.drift),
    n: { reference: num(n.reference) ?? 0, current: num(n.current) ?? 0 },
    histogram: histogramView(c.histogram),
  };
}

function metricView(name: string, raw: unknown): LiveMetricView {
  const m = obj(raw);
  const champion = obj(m.champion);
  const status = m.status === 'ok' || m.status === 'warning' || m.status === 'critical' ? m.status : 'not_enough_data';
  return {
    name,
    value: num(m.value),
    lower: num(m.lower),
    upper: num(m.upper),
    n: num(m.n) ?? 0,
    champion: num(champion.value) !== null ? { value: num(champion.value)!, lower: num(champion.lower), upper: num(champion.upper) } : null,
    floor: num(m.floor),
    direction: m.direction === 'lower' ? 'lower' : 'higher',
    status,
    reason: str(m.reason) ?? '',
  };
}

/**
 * The panel's view of the stored snapshots (oldest first; the newest decides what is shown
 * now, all of them make the drift-over-time series). Null when there is none.
 * @param datasetShareThreshold monitoring.drift.datasetShare (the share at which the dataset drifts), if known.
 */
export function monitoringView(snapshots: readonly MonitorSnapshot[], datasetShareThreshold: number | null = null): MonitoringView | null {
  const latest = snapshots[snapshots.length - 1];
  if (!latest) return null;
  const s = obj(latest.summary);
  const history: Record<string, DriftPoint[]> = {};
  for (const snap of snapshots) {
    for (const raw of arr(obj(snap.summary).features)) {
      const c = columnView(raw);
      (history[c.name] ??= []).push({ at: snap.at, statistic: c.statistic, psi: c.psi, distance: c.distance, drift: c.drift });
    }
  }
  const reference = obj(s.reference);
  const current = obj(s.current);
  const prediction = obj(s.prediction);
  const dataset = obj(s.dataset);
  const perf = obj(s.performance);
  const latency = obj(perf.latencyMs);
  const fallback = obj(perf.fallback);
  const acceptance = obj(perf.acceptance);
  return {
    at: latest.at,
    model: latest.model ?? str(s.model),
    runs: snapshots.length,
    reference: { n: num(reference.n) ?? 0, kind: str(reference.kind) },
    current: { n: num(current.n) ?? latest.n, from: str(current.from) ?? latest.windowFrom, to: str(current.to) ?? latest.windowTo },
    features: arr(s.features).map(columnView),
    history,
    prediction: { n: num(prediction.n) ?? 0, drift: level(prediction.drift), tests: arr(prediction.tests).map(columnView) },
    dataset: { share: num(dataset.share), drifting: num(dataset.drifting) ?? 0, tested: num(dataset.tested) ?? 0, drift: level(dataset.drift), threshold: datasetShareThreshold },
    performance: {
      labelled: num(perf.labelled) ?? 0,
      metrics: Object.entries(obj(perf.metrics)).map(([name, m]) => metricView(name, m)),
      latencyMs: { n: num(latency.n) ?? 0, p50: num(latency.p50), p95: num(latency.p95), p99: num(latency.p99) },
      fallback: { n: num(fallback.n) ?? 0, threshold: num(fallback.threshold), rate: num(fallback.rate) },
      acceptance: { judged: num(acceptance.judged) ?? 0, accepted: num(acceptance.accepted) ?? 0, share: num(acceptance.share) },
    },
  };
}

/** The alerts of a monitor run a notification announces: warning and critical ones, most urgent first. */
export function alertsToNotify(fired: readonly StoredAlert[]): StoredAlert[] {
  const rank = (a: StoredAlert) => (a.severity === 'critical' ? 0 : 1);
  return fired.filter((a) => a.severity === 'critical' || a.severity === 'warning').sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}

/** The dashboard's Monitoring card from the monitor's newest snapshot, health and run status. */
export function dashboardMonitoring(view: MonitoringView | null, health: HealthView | null, status: MonitorRunView): DashboardMonitoring {
  const rank = (l: string) => (l === 'critical' ? 0 : 1);
  return {
    health,
    running: status.running,
    intervalMinutes: status.intervalMinutes,
    error: status.lastRun?.error ?? null,
    latest: view
      ? {
          at: view.at,
          predictions: view.current.n,
          dataset: { share: view.dataset.share, drift: view.dataset.drift },
          drifting: view.features
            .filter((f): f is ColumnView & { drift: 'warning' | 'critical' } => f.drift === 'warning' || f.drift === 'critical')
            .sort((a, b) => rank(a.drift) - rank(b.drift))
            .map((f) => ({ name: f.name, drift: f.drift })),
        }
      : null,
  };
}
