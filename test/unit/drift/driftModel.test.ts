/**
 * The Drift & Alerts panel's view of stored monitoring snapshots (src/extension/drift/
 * driftModel.ts): summaries made by core's own drift tests and snapshotSummary, stored as JSON
 * the way the store keeps them, read back into histograms (shares and counts, bin labels),
 * drift over time, the dataset share and live metrics; snapshots with fields missing read as
 * missing ("not enough data"), never as zero or "no drift"; which alerts are announced.
 */
import assert from 'node:assert/strict';
import { parseProject } from '../../../src/core/project/parse';
import { datasetDrift, decideDrift, testCategoricalColumn, testNumericColumn, type DriftSettings } from '../../../src/core/monitor/drift';
import { snapshotSummary, type MonitorResult } from '../../../src/core/monitor/monitor';
import { prepareCategoricalReference } from '../../../src/core/monitor/stats/categorical';
import { prepareNumericReference } from '../../../src/core/monitor/stats/numeric';
import type { MonitorSnapshot, StoredAlert } from '../../../src/core/store/types';
import { createRng } from '../../../src/core/util/random';
import { alertsToNotify, dashboardMonitoring, edgeLabel, edgeLabels, histogramView, monitoringView } from '../../../src/extension/drift/driftModel';

const parsed = parseProject('version: 1\ntask: binary\nlabel: y\nfeatures:\n  - { name: x, type: numeric }\n', 'demo');
if (!parsed.ok) throw new Error('fixture config does not parse');
const monitoring = parsed.config.monitoring;
const settings: DriftSettings = { alpha: monitoring.alpha, minRows: monitoring.minRows, drift: monitoring.drift };

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** A snapshot as the monitor stores it: x (numeric, current shifted by `shift`) and colour; `current` rows. */
function snapshot(id: number, at: string, shift: number, current = 500): MonitorSnapshot {
  const rng = createRng(7 + id);
  const refX = Float64Array.from({ length: 1000 }, () => gaussian(rng));
  const curX = Float64Array.from({ length: current }, () => gaussian(rng) + shift);
  const colors = ['red', 'green', 'blue'];
  const refC = Array.from({ length: 1000 }, () => colors[Math.floor(rng() * 3)]);
  const curC = Array.from({ length: current }, () => colors[Math.floor(rng() * 3)]);
  const features = decideDrift(
    [
      testNumericColumn('x', prepareNumericReference(refX), curX, settings),
      testCategoricalColumn('color', 'categorical', prepareCategoricalReference(refC), curC, settings),
    ],
    settings.alpha,
  );
  const result = {
    model: { version: 'v1', why: 'champion', task: 'binary' },
    reference: { kind: 'training', n: 1000, from: null, to: null, predictions: 1000 },
    current: { n: current, from: '2026-12-01T00:00:00.000Z', to: at, served: current, window: { duration: '24h' } },
    features,
    prediction: { n: current, tests: [], drift: 'not_enough_data' },
    dataset: datasetDrift(features, monitoring.drift.datasetShare),
    performance: {
      labelled: 40,
      metrics: { accuracy: { value: 0.8, lower: 0.7, upper: 0.9, n: 40, champion: { value: 0.92, lower: 0.88, upper: 0.95 }, floor: 0.85, direction: 'higher', status: 'critical', reason: 'under its floor' } },
      latencyMs: { n: current, p50: 5, p95: 9, p99: 12 },
      fallback: { n: current, threshold: 0.6, rate: 0.1 },
      acceptance: { judged: 0, accepted: 0, share: null },
    },
  } as unknown as MonitorResult;
  // Through JSON, as the store keeps it.
  const summary = JSON.parse(JSON.stringify(snapshotSummary(result))) as Record<string, unknown>;
  return { id, at, model: 'v1', windowFrom: '2026-12-01T00:00:00.000Z', windowTo: at, n: current, summary };
}

describe('drift panel view model', () => {
  it('reads the newest snapshot: levels, dataset share, numeric and categorical histograms as shares with their counts', () => {
    const view = monitoringView([snapshot(1, '2026-12-02T01:00:00.000Z', 1.5)], monitoring.drift.datasetShare)!;
    assert.equal(view.runs, 1);
    assert.equal(view.current.n, 500);
    assert.deepEqual(view.features.map((f) => [f.name, f.drift]), [['x', 'critical'], ['color', 'none']]);
    assert.deepEqual(view.dataset, { share: 0.5, drifting: 1, tested: 2, drift: 'critical', threshold: monitoring.drift.datasetShare });

    const x = view.features[0];
    assert.equal(x.distanceName, 'normalised Wasserstein');
    assert.ok(x.psi! > 0.25 && x.pValue! < 1e-10);
    const hx = x.histogram!;
    assert.equal(hx.labels.length, 10, 'deciles of the reference');
    assert.match(hx.labels[0], /^< -?\d/);
    assert.match(hx.labels[9], /^≥ -?\d/);
    assert.match(hx.labels[4], /^-?[\d.]+ – -?[\d.]+$/);
    assert.equal(hx.counts.reference.reduce((a, b) => a + b, 0), 1000);
    assert.equal(hx.counts.current.reduce((a, b) => a + b, 0), 500);
    assert.ok(Math.abs(hx.reference.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    // Deciles: about a tenth of the reference in each bin; the shifted current piles up at the top.
    for (const s of hx.reference) assert.ok(Math.abs(s - 0.1) < 0.011, `reference share ${s}`);
    assert.ok(hx.current[9] > 0.4, `current share in the top bin ${hx.current[9]}`);

    const color = view.features[1];
    assert.equal(color.distanceName, 'Jensen–Shannon');
    assert.deepEqual([...color.histogram!.labels].sort(), ['blue', 'green', 'red']);
    assert.equal(color.histogram!.counts.current.reduce((a, b) => a + b, 0), 500);

    const acc = view.performance.metrics[0];
    assert.deepEqual([acc.name, acc.value, acc.champion, acc.floor, acc.status], ['accuracy', 0.8, { value: 0.92, lower: 0.88, upper: 0.95 }, 0.85, 'critical']);
    assert.equal(view.performance.fallback.rate, 0.1);
    assert.equal(view.performance.acceptance.share, null);
  });

  it('keeps every snapshot\'s numbers per feature for drift over time, oldest first', () => {
    const view = monitoringView([snapshot(1, '2026-12-02T01:00:00.000Z', 0), snapshot(2, '2026-12-02T01:05:00.000Z', 0.8), snapshot(3, '2026-12-02T01:10:00.000Z', 1.5)])!;
    assert.equal(view.at, '2026-12-02T01:10:00.000Z');
    const xs = view.history.x;
    assert.deepEqual(xs.map((p) => p.at), ['2026-12-02T01:00:00.000Z', '2026-12-02T01:05:00.000Z', '2026-12-02T01:10:00.000Z']);
    assert.equal(xs[0].drift, 'none');
    assert.equal(xs[2].drift, 'critical');
    assert.ok(xs[0].psi! < xs[1].psi! && xs[1].psi! < xs[2].psi!, `PSI grows with the shift: ${xs.map((p) => p.psi)}`);
    assert.ok(xs[0].statistic! < xs[2].statistic!);
    assert.equal(view.history.color.length, 3);
  });

  it('too few current rows read as not enough data, never as no drift', () => {
    const view = monitoringView([snapshot(1, '2026-12-02T01:00:00.000Z', 1.5, 10)])!;
    assert.deepEqual(view.features.map((f) => f.drift), ['not_enough_data', 'not_enough_data']);
    assert.equal(view.dataset.drift, 'not_enough_data');
    assert.equal(view.dataset.share, null);
  });

  it('reads a snapshot with fields missing or malformed as missing, not as zero or no drift', () => {
    const odd: MonitorSnapshot = { id: 9, at: '2026-12-02T02:00:00.000Z', model: null, windowFrom: null, windowTo: null, n: 0, summary: { features: [{ name: 'x', drift: 'sideways', statistic: 'big', histogram: { lower: [null, 1], reference: [1] } }], performance: { metrics: { f1: {} } } } };
    const view = monitoringView([odd])!;
    assert.equal(view.features[0].drift, 'not_enough_data');
    assert.equal(view.features[0].statistic, null);
    assert.equal(view.features[0].histogram, null, 'bins and counts of different lengths are no histogram');
    assert.equal(view.dataset.drift, 'not_enough_data');
    assert.equal(view.dataset.share, null);
    assert.deepEqual(view.performance.metrics.map((m) => [m.name, m.value, m.status]), [['f1', null, 'not_enough_data']]);
    assert.equal(monitoringView([]), null);
  });

  it('labels numeric bins from their edges and adds the missing bin', () => {
    const h = histogramView({ lower: [null, 0.5, 2], reference: [2, 6, 2], current: [0, 5, 4], missing: { reference: 0, current: 1 } })!;
    assert.deepEqual(h.labels, ['< 0.5', '0.5 – 2', '≥ 2', '(missing)']);
    assert.deepEqual(h.counts.current, [0, 5, 4, 1]);
    assert.deepEqual(h.current, [0, 0.5, 0.4, 0.1]);
    assert.deepEqual(h.reference, [0.2, 0.6, 0.2, 0]);
    assert.equal(edgeLabel(1234567), '1.23e+6');
    assert.equal(edgeLabel(0.000012), '1.20e-5');
    assert.equal(edgeLabel(3.14159), '3.142');
    // Confidences crowd near 1: as many digits as it takes to tell neighbours apart.
    assert.deepEqual(edgeLabels([0.9725, 0.99991, 0.99997, 0.999999]), ['0.9725', '0.99991', '0.99997', '0.999999']);
    assert.deepEqual(histogramView({ lower: [null, 0.99991, 0.99997], reference: [1, 1, 1], current: [1, 1, 1], missing: null })!.labels, ['< 0.99991', '0.99991 – 0.99997', '≥ 0.99997']);
    // A saturated model's confidences: edges a hair under 1 are written by their distance from it.
    assert.deepEqual(edgeLabels([0.97253, 0.9999999971, 0.9999999999997, 1]), ['0.97253', '1 − 2.9e-9', '1 − 3.0e-13', '1']);
  });

  it('announces warning and critical alerts only, critical first', () => {
    const alert = (id: number, severity: StoredAlert['severity']): StoredAlert => ({ id, rule: 'feature_drift', key: `feature_drift:f${id}`, severity, title: `a${id}`, detail: '', metric: 'psi', value: 1, threshold: 0.25, model: 'v1', createdAt: '', updatedAt: '', status: 'active', acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null });
    assert.deepEqual(alertsToNotify([alert(1, 'info'), alert(2, 'warning'), alert(3, 'critical'), alert(4, 'warning')]).map((a) => a.id), [3, 2, 4]);
  });

  it('gives the dashboard card the drifting features worst first and the run status', () => {
    const view = monitoringView([snapshot(1, '2026-12-02T01:00:00.000Z', 1.5)])!;
    const card = dashboardMonitoring(view, { status: 'critical', at: view.at, checks: [] }, { running: false, intervalMinutes: 5, lastRun: { at: view.at, error: null } });
    assert.deepEqual(card.latest?.drifting, [{ name: 'x', drift: 'critical' }]);
    assert.equal(card.latest?.predictions, 500);
    assert.equal(card.health?.status, 'critical');
    assert.deepEqual(dashboardMonitoring(null, null, { running: true, intervalMinutes: 0, lastRun: null }), { health: null, running: true, intervalMinutes: 0, error: null, latest: null });
  });
});
