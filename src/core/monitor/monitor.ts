/**
 * One monitoring run: compare the current window of logged predictions with the serving
 * model's reference, measure live performance where labels arrived, raise alerts (once per
 * onset, with the cooldown), record a snapshot (drift over time) and write the HTML report.
 * What `mlloop monitor` does, and what `mlloop watch` (and the extension) run on their timer.
 *
 *   serving model (champion, else newest) → reference (cached per model) → current window
 *   → feature tests (one Holm family) · prediction tests (another) → dataset drift
 *   → live metrics → alert checks → alerts → snapshot → report → optional retraining cycle.
 *
 * No TensorFlow.js: the reference predictions come from the bundle's plain forward pass, so
 * the light CLI runs it. A retraining cycle (which trains) is started through a function the
 * caller passes (`startCycle`), only when `monitoring.retrain` is on.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectContext } from '../context/projectContext';
import { DEFAULT_CALIBRATION_BINS } from '../evaluate/calibrationError';
import { loadBundle } from '../registry/bundle';
import { currentModel } from '../registry/registry';
import type { LoadedBundle } from '../registry/types';
import { ensureBundleOnDisk } from '../registry/versions';
import { writeFileAtomic } from '../store/fileio';
import type { StoredAlert } from '../store/types';
import { UserError } from '../util/errors';
import { parseDuration } from '../util/schedule';
import { MLLOOP_VERSION } from '../version';
import { applyAlertChecks, openAlerts, type AlertCheck, type AppliedAlerts } from './alerts';
import { datasetDrift, decideDrift, testCategoricalColumn, testNumericColumn, testTextColumn, type ColumnDrift, type ColumnTest, type DatasetDrift, type DriftLevel, type DriftSettings } from './drift';
import { loopFacts } from './health';
import { latencyPercentiles, livePerformance, type LiveMetric } from './performance';
import { buildReference, modelFeatures, type ReferenceCache, type ReferenceProfile } from './reference';
import { renderMonitorReport } from './report';
import { applyRetention, type RetentionResult } from './retention';
import { alertChecks } from './rules';
import { numericScratch } from './stats/numeric';
import type { NumericReference } from './stats/numeric';
import type { CategoricalReference } from './stats/categorical';
import { arrivedLabels, readCurrentWindow, windowFilter, type CurrentWindow } from './window';

/** Rules whose critical alerts may start a retraining cycle (monitoring.retrain). */
const RETRAIN_RULES = new Set(['feature_drift', 'prediction_drift', 'dataset_drift', 'metric_floor', 'metric_interval', 'calibration']);

export interface MonitorOptions {
  ctx: ProjectContext;
  signal?: AbortSignal;
  /** Reference profiles kept between runs (mlloop watch). */
  cache?: ReferenceCache;
  /** Record alerts and the snapshot (default true; false computes only). */
  record?: boolean;
  /** Write the HTML report (default true). */
  report?: boolean;
  /**
   * Starts a retraining cycle when `monitoring.retrain` is on and a critical drift or
   * performance alert fired (the caller injects it: cycles train, which needs TensorFlow.js).
   */
  startCycle?: (reason: string) => Promise<{ cycle: number; decision: string; champion: string | null; challenger: string | null; reasons: string[] }>;
}

export interface PredictionDrift {
  /** The serving model's predictions in the window. */
  n: number;
  tests: ColumnDrift[];
  /** The worst level over the tests (not_enough_data when none could be tested). */
  drift: DriftLevel;
}

export interface PerformanceSummary {
  /** The serving model's predictions with a label or verdict that arrived. */
  labelled: number;
  metrics: Record<string, LiveMetric>;
  latencyMs: { n: number; p50: number | null; p95: number | null; p99: number | null };
  fallback: { n: number; threshold: number; rate: number | null };
  acceptance: { judged: number; accepted: number; share: number | null };
}

export interface MonitorResult {
  at: string;
  model: { version: string; why: 'champion' | 'newest'; task: LoadedBundle['card']['task'] };
  reference: { kind: ReferenceProfile['kind']; n: number; from: string | null; to: string | null; predictions: number };
  current: { n: number; from: string | null; to: string | null; served: number; window: ProjectContext['config']['monitoring']['window'] };
  features: ColumnDrift[];
  prediction: PredictionDrift;
  dataset: DatasetDrift;
  performance: PerformanceSummary;
  checks: AlertCheck[];
  alerts: { fired: StoredAlert[]; resolved: number[]; heldBack: AppliedAlerts['heldBack']; open: StoredAlert[] };
  retrain: { started: boolean; reason: string | null; result: Awaited<ReturnType<NonNullable<MonitorOptions['startCycle']>>> | null; error: string | null };
  snapshot: number | null;
  report: string | null;
  /** What this run deleted under monitoring.retention (nothing when it does not record). */
  retention: RetentionResult;
}

const worst = (levels: DriftLevel[]): DriftLevel => {
  const tested = levels.filter((l) => l !== 'not_enough_data');
  if (tested.length === 0) return 'not_enough_data';
  return tested.includes('critical') ? 'critical' : tested.includes('warning') ? 'warning' : 'none';
};

/**
 * Runs the monitor once.
 * @throws UserError when there is no model yet, or its reference rows are gone.
 */
export async function runMonitor(opts: MonitorOptions): Promise<MonitorResult> {
  const { ctx, signal } = opts;
  const m = ctx.config.monitoring;
  const now = ctx.clock.now();
  const at = now.toISOString();
  const current = await currentModel(ctx.store);
  if (!current) throw new UserError('There is no model to monitor yet. Train one (`mlloop train`, or `mlloop retrain` for the first champion).');
  const model = current.model;
  const bundle = await loadBundle(await ensureBundleOnDisk(ctx.store, ctx.paths, model));
  const reference = await buildReference(ctx, model, bundle, opts.cache, signal);
  const features = modelFeatures(bundle);
  const record = opts.record !== false;
  // Retention first, so that a window of the newest N never reaches past the kept log.
  const retention = record ? await applyRetention(ctx.store, { predictions: m.retention.predictions, history: 'forever' }, now) : { predictions: 0, snapshots: 0 };
  const window = await readCurrentWindow(ctx.store, features, model.version, windowFilter(m.window, now), signal);
  const settings: DriftSettings = { alpha: m.alpha, minRows: m.minRows, drift: m.drift };

  // Features: one family.
  const scratch = numericScratch(window.n);
  const featureTests: ColumnTest[] = reference.columns.map((col, i) => {
    const values = window.columns[i];
    if (col.numeric) return testNumericColumn(col.name, col.numeric, values as Float64Array, settings, scratch);
    if (col.text) return testTextColumn(col.name, col.text, values as Array<string | undefined>, settings);
    return testCategoricalColumn(col.name, col.type as 'categorical' | 'boolean', col.categorical!, values as Array<string | undefined>, settings);
  });
  const featureDrift = decideDrift(featureTests, m.alpha);
  const dataset = datasetDrift(featureDrift, m.drift.datasetShare);

  // Labels that arrived; predictions: another family (predicted labels or values, confidence, the true labels).
  const task = bundle.card.task;
  const labels = await arrivedLabels(ctx.store, window, task);
  const predictionTests: ColumnTest[] = [];
  if (task === 'regression') {
    if (reference.prediction.values) predictionTests.push(renamed(testNumericColumn('values', reference.prediction.values, window.served.values, settings, scratch), 'values'));
    if (labels.truths.length) predictionTests.push(renamed(testNumericColumn('actual_labels', reference.labels as NumericReference, Float64Array.from(labels.truths, Number), settings, scratch), 'actual_labels'));
  } else {
    if (reference.prediction.labels) predictionTests.push(testCategoricalColumn('labels', 'categorical', reference.prediction.labels, window.served.labels, settings));
    if (reference.prediction.confidence) predictionTests.push(testNumericColumn('confidence', reference.prediction.confidence, window.served.confidence, settings, scratch));
    if (labels.truths.length) predictionTests.push(testCategoricalColumn('actual_labels', 'categorical', reference.labels as CategoricalReference, labels.truths.map(String), settings));
  }
  const predictionDrift = decideDrift(predictionTests, m.alpha);

  // Live performance.
  const floors = { ...(m.alerts.floors ?? ctx.config.gate.floors) };
  const eceLimit = m.alerts.ece ?? ctx.config.gate.floors.ece ?? 0.2;
  if (task !== 'regression') floors.ece = eceLimit;
  else delete floors.ece;
  const metrics = livePerformance({
    task,
    classes: bundle.labels.classes,
    labelled: labels.labelled,
    champion: reference.champion,
    floors,
    minLabels: m.minLabels,
    confidence: ctx.config.evaluation.confidence,
    eceBins: ctx.config.calibration.bins ?? DEFAULT_CALIBRATION_BINS,
    seed: ctx.config.training.seed,
  });
  const latency = latencyPercentiles(window.latencies);
  let withConfidence = 0;
  let below = 0;
  for (const c of window.served.confidence) {
    if (!Number.isFinite(c)) continue;
    withConfidence++;
    if (c < ctx.config.runtime.threshold) below++;
  }
  const performance: PerformanceSummary = {
    labelled: labels.labelled.length,
    metrics,
    latencyMs: latency,
    fallback: { n: withConfidence, threshold: ctx.config.runtime.threshold, rate: withConfidence ? below / withConfidence : null },
    acceptance: { judged: labels.judged, accepted: labels.accepted, share: labels.judged ? labels.accepted / labels.judged : null },
  };

  // Alerts.
  const facts = await loopFacts(ctx);
  const checks = alertChecks(
    { features: featureDrift, prediction: predictionDrift, dataset, metrics, latency, window: describeWindow(window, m.window), minRows: m.minRows },
    facts,
    m,
  );
  let applied: AppliedAlerts = { fired: [], resolved: [], heldBack: [] };
  if (record) applied = await applyAlertChecks(ctx.store, checks, { now, cooldownMs: parseDuration(m.alerts.cooldown), model: model.version });
  const open = await openAlerts(ctx.store);

  const result: MonitorResult = {
    at,
    model: { version: model.version, why: current.why, task },
    reference: { kind: reference.kind, n: reference.n, from: reference.from, to: reference.to, predictions: reference.prediction.n },
    current: { n: window.n, from: window.from, to: window.to, served: window.served.n, window: m.window },
    features: featureDrift,
    prediction: { n: window.served.n, tests: predictionDrift, drift: worst(predictionDrift.map((t) => t.drift)) },
    dataset,
    performance,
    checks,
    alerts: { fired: applied.fired, resolved: applied.resolved, heldBack: applied.heldBack, open },
    retrain: { started: false, reason: null, result: null, error: null },
    snapshot: null,
    report: null,
    retention,
  };

  if (record) {
    result.snapshot = await ctx.store.addMonitorSnapshot({ at, model: model.version, windowFrom: window.from, windowTo: window.to, n: window.n, summary: snapshotSummary(result) });
    result.retention.snapshots = (await applyRetention(ctx.store, { predictions: 'forever', history: m.retention.history }, now)).snapshots;
  }
  if (opts.report !== false) {
    const file = path.join(ctx.paths.reportsDir, 'monitor.html');
    fs.mkdirSync(ctx.paths.reportsDir, { recursive: true });
    writeFileAtomic(file, Buffer.from(renderMonitorReport({ result, project: ctx.config.name, mlloopVersion: MLLOOP_VERSION }), 'utf8'));
    result.report = file;
  }

  // Item 7: a new critical drift or performance alert may start a cycle through the gate.
  const trigger = applied.fired.find((a) => a.severity === 'critical' && RETRAIN_RULES.has(a.rule));
  if (m.retrain && trigger && opts.startCycle) {
    result.retrain.reason = `alert ${trigger.id}: ${trigger.title}`;
    try {
      result.retrain.result = await opts.startCycle(result.retrain.reason);
      result.retrain.started = true;
    } catch (e) {
      result.retrain.error = (e as Error).message;
    }
  }
  return result;
}

function renamed(t: ColumnTest, name: string): ColumnTest {
  return { ...t, name };
}

/** "the 1204 predictions of the last 24h (2026-…–2026-…)". */
export function describeWindow(w: CurrentWindow, spec: ProjectContext['config']['monitoring']['window']): string {
  const what = 'last' in spec ? `the newest ${w.n} predictions (window: last ${spec.last})` : `the ${w.n} predictions of the last ${spec.duration}`;
  return w.from && w.to ? `${what}, ${w.from} – ${w.to}` : what;
}

/**
 * What a snapshot keeps of a run (for drift over time and the panel's histograms): each
 * feature's statistic, p-value, effect sizes, level and PSI bins; the prediction tests; the
 * dataset share; the live metrics; latency, fallback and acceptance.
 */
export function snapshotSummary(r: MonitorResult): Record<string, unknown> {
  const column = (c: ColumnDrift) => {
    const d = c.detail as { bins?: unknown; table?: unknown } | null;
    return {
      name: c.name,
      type: c.type,
      test: c.test,
      statistic: c.statistic,
      p_value: c.pValue,
      adjusted_p: c.adjustedP,
      psi: c.psi ?? null,
      distance: c.distance,
      drift: c.drift,
      n: c.n,
      ...(d && 'bins' in d ? { histogram: d.bins } : {}),
      ...(d && 'table' in d ? { histogram: d.table } : {}),
    };
  };
  return {
    model: r.model.version,
    reference: r.reference,
    current: r.current,
    features: r.features.map(column),
    prediction: { n: r.prediction.n, drift: r.prediction.drift, tests: r.prediction.tests.map(column) },
    dataset: r.dataset,
    performance: r.performance,
  };
}
