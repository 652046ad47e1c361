/**
 * The alert rules: from one monitoring run's numbers (and the loop's facts) to the list of
 * conditions checked, each holding or not, with its severity and a sentence that says what
 * was measured on which window and what to do. A rule that could not be evaluated (too little
 * data) is left out, so it neither fires nor clears. Rules named in
 * monitoring.alerts.disabled are left out too.
 */
import type { AlertRuleName, MonitoringConfig } from '../project/types';
import { parseDuration } from '../util/schedule';
import type { AlertCheck } from './alerts';
import type { ColumnDrift, DatasetDrift, DriftLevel } from './drift';
import { consecutiveFailures, formatAge, type LoopFacts } from './health';
import type { LiveMetric } from './performance';

export interface RuleInputs {
  features: ColumnDrift[];
  prediction: ColumnDrift[];
  dataset: DatasetDrift;
  metrics: Record<string, LiveMetric>;
  latency: { n: number; p95: number | null };
  /** Describes the current window for sentences: "the 1,204 predictions of the last 24h". */
  window: string;
  minRows: number;
}

const round = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : String(Math.round(v * 10000) / 10000));

function driftSentence(c: ColumnDrift, what: string, window: string): string {
  const effect = c.effect.by === 'psi' ? `PSI ${round(c.psi)}` : c.effect.by === 'wasserstein' ? `Wasserstein distance ${round(c.distance)} reference standard deviations` : `Jensen–Shannon distance ${round(c.distance)}`;
  return `${what} moved: ${effect}; ${c.test} statistic ${round(c.statistic)}, p ${c.pValue !== null ? c.pValue.toExponential(2) : 'n/a'} (Holm-adjusted ${c.adjustedP !== null ? c.adjustedP.toExponential(2) : 'n/a'}) on ${window} against ${c.n.reference} reference rows. Look at what feeds it; if the change is real and lasting, retrain on recent data.`;
}

function levelSeverity(level: DriftLevel): 'warning' | 'critical' {
  return level === 'critical' ? 'critical' : 'warning';
}

/** The checks of one run. */
export function alertChecks(inputs: RuleInputs, facts: LoopFacts, m: MonitoringConfig): AlertCheck[] {
  const off = new Set<AlertRuleName>(m.alerts.disabled);
  const checks: AlertCheck[] = [];
  const add = (rule: AlertRuleName, c: Omit<AlertCheck, 'rule'>) => {
    if (!off.has(rule)) checks.push({ rule, ...c });
  };
  for (const f of inputs.features) {
    if (f.drift === 'not_enough_data') continue;
    add('feature_drift', {
      key: `feature_drift:${f.name}`,
      holds: f.drift === 'warning' || f.drift === 'critical',
      severity: levelSeverity(f.drift),
      title: `Input drift in ${f.name}`,
      detail: driftSentence(f, `The distribution of ${f.name}`, inputs.window),
      metric: `${f.effect.by ?? 'drift'}:${f.name}`,
      value: f.effect.by === 'psi' ? (f.psi ?? null) : f.distance,
      threshold: thresholdOf(f, m),
    });
  }
  for (const p of inputs.prediction) {
    if (p.drift === 'not_enough_data') continue;
    const what = p.name === 'labels' ? 'The predicted labels' : p.name === 'confidence' ? 'The confidence of the predictions' : p.name === 'values' ? 'The predicted values' : 'The labels that arrived (label shift)';
    add('prediction_drift', {
      key: `prediction_drift:${p.name}`,
      holds: p.drift === 'warning' || p.drift === 'critical',
      severity: levelSeverity(p.drift),
      title: `Prediction drift: ${p.name.replace('_', ' ')}`,
      detail: driftSentence(p, what, inputs.window),
      metric: `${p.effect.by ?? 'drift'}:prediction.${p.name}`,
      value: p.effect.by === 'psi' ? (p.psi ?? null) : p.distance,
      threshold: thresholdOf(p, m),
    });
  }
  if (inputs.dataset.drift !== 'not_enough_data') {
    add('dataset_drift', {
      key: 'dataset_drift',
      holds: inputs.dataset.drift === 'warning' || inputs.dataset.drift === 'critical',
      severity: levelSeverity(inputs.dataset.drift),
      title: 'Dataset drift',
      detail: `${inputs.dataset.drifting} of ${inputs.dataset.tested} tested features drift (share ${round(inputs.dataset.share)}, critical share ${round(inputs.dataset.criticalShare)}; dataset drift from ${m.drift.datasetShare}) on ${inputs.window}. The inputs as a whole no longer look like the training data: retrain on recent data.`,
      metric: 'dataset_drift_share',
      value: inputs.dataset.share,
      threshold: m.drift.datasetShare,
    });
  }
  for (const [name, metric] of Object.entries(inputs.metrics)) {
    if (metric.status === 'not_enough_data') continue;
    if (name === 'ece') {
      const limit = metric.floor;
      if (limit === null) continue;
      add('calibration', {
        key: 'calibration',
        holds: metric.lower !== null && metric.lower > limit,
        severity: 'warning',
        title: 'Calibration error over its limit',
        detail: `Live ECE ${round(metric.value)} (${round(metric.lower)}–${round(metric.upper)}, ${metric.n} labelled predictions) is above ${limit}: the confidence the app acts on no longer means what it says. Recalibrate (\`mlloop calibrate\`) or retrain.`,
        metric: 'live_ece',
        value: metric.value,
        threshold: limit,
      });
      continue;
    }
    if (metric.floor !== null) add('metric_floor', {
      key: `metric_floor:${name}`,
      holds: metric.status === 'critical',
      severity: 'critical',
      title: `Live ${name} under its floor`,
      detail: `${capitalise(metric.reason)} Roll back (\`mlloop rollback\`) if a promotion caused it, or retrain on recent labels.`,
      metric: `live_${name}`,
      value: metric.value,
      threshold: metric.floor,
    });
    if (metric.champion !== null) add('metric_interval', {
      key: `metric_interval:${name}`,
      holds: metric.status === 'warning' || metric.status === 'critical',
      severity: 'warning',
      title: `Live ${name} under the champion's test interval`,
      detail: `${capitalise(metric.reason)} The model does worse in production than on its test rows.`,
      metric: `live_${name}`,
      value: metric.value,
      threshold: metric.champion ? (metric.direction === 'higher' ? (metric.champion.lower ?? metric.champion.value) : (metric.champion.upper ?? metric.champion.value)) : null,
    });
  }
  if (m.alerts.latencyP95Ms !== null && inputs.latency.p95 !== null && inputs.latency.n >= inputs.minRows) {
    add('latency', {
      key: 'latency',
      holds: inputs.latency.p95 > m.alerts.latencyP95Ms,
      severity: 'warning',
      title: 'Prediction latency over its limit',
      detail: `p95 latency ${round(inputs.latency.p95)} ms over ${inputs.latency.n} logged predictions of ${inputs.window}, above ${m.alerts.latencyP95Ms} ms (monitoring.alerts.latencyP95Ms).`,
      metric: 'latency_p95_ms',
      value: inputs.latency.p95,
      threshold: m.alerts.latencyP95Ms,
    });
  }
  checks.push(...loopChecks(facts, m).filter((c) => !off.has(c.rule as AlertRuleName)));
  return checks;
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function thresholdOf(c: ColumnDrift, m: MonitoringConfig): number | null {
  const band = c.effect.by === 'psi' ? m.drift.psi : c.effect.by === 'wasserstein' ? m.drift.wasserstein : c.effect.by === 'jensen_shannon' ? m.drift.jensenShannon : null;
  if (!band) return c.type === 'numeric' ? m.drift.psi.warning : m.drift.jensenShannon.warning;
  return c.drift === 'critical' ? band.critical : band.warning;
}

/** The rules about the loop itself (no statistics): data arriving, champion age, cycles. */
export function loopChecks(facts: LoopFacts, m: MonitoringConfig): AlertCheck[] {
  const checks: AlertCheck[] = [];
  const now = facts.now.getTime();
  if (m.alerts.noDataFor !== 'off' && facts.lastPrediction !== null) {
    const limit = parseDuration(m.alerts.noDataFor);
    const age = now - Date.parse(facts.lastPrediction);
    checks.push({
      rule: 'no_data',
      key: 'no_data',
      holds: age > limit,
      severity: 'warning',
      title: 'No new predictions',
      detail: `The newest logged prediction is ${formatAge(age)} old (${facts.lastPrediction}), more than ${m.alerts.noDataFor} (monitoring.alerts.noDataFor). Is the app running and logging to the inbox, and is \`mlloop watch\` (or \`mlloop ingest\`) taking it in?`,
      metric: 'hours_since_last_prediction',
      value: age / 3_600_000,
      threshold: limit / 3_600_000,
    });
  }
  if (m.alerts.championMaxAge !== 'off' && facts.champion) {
    const limit = parseDuration(m.alerts.championMaxAge);
    const age = now - Date.parse(facts.champion.since);
    checks.push({
      rule: 'champion_age',
      key: 'champion_age',
      holds: age > limit,
      severity: 'warning',
      title: `Champion ${facts.champion.model.version} is old`,
      detail: `${facts.champion.model.version} has been the champion for ${formatAge(age)} (since ${facts.champion.since}), longer than ${m.alerts.championMaxAge} (monitoring.alerts.championMaxAge). Retraining is not running or its challengers do not pass the gate: see \`mlloop models\`.`,
      metric: 'champion_age_days',
      value: age / 86_400_000,
      threshold: limit / 86_400_000,
    });
  }
  const finished = facts.cycles.filter((c) => c.status !== 'running');
  if (finished.length) {
    const failures = consecutiveFailures(finished);
    const last = finished[0];
    checks.push({
      rule: 'cycles',
      key: 'cycles:failed',
      holds: failures > 0,
      severity: failures >= 3 ? 'critical' : 'warning',
      title: failures >= 3 ? `${failures} retraining cycles failed in a row` : 'A retraining cycle failed',
      detail: `Cycle ${last.id} (${last.trigger}) ${last.status}${last.error ? `: ${last.error}` : ''}. The champion keeps serving.${failures > 1 ? ` ${failures} cycles in a row did not complete.` : ''}`,
      metric: 'failed_cycles',
      value: failures,
      threshold: 1,
    });
    const lastDecided = finished.find((c) => c.status === 'completed' && (c.decision === 'promoted' || c.decision === 'rejected'));
    if (lastDecided) {
      checks.push({
        rule: 'cycles',
        key: 'cycles:rejected',
        holds: lastDecided.decision === 'rejected',
        severity: 'info',
        title: 'The last challenger was rejected',
        detail: `Cycle ${lastDecided.id}: ${lastDecided.challenger ?? 'the challenger'} was not promoted; ${lastDecided.champion ?? 'the champion'} keeps serving. ${lastDecided.reasons[0] ?? ''}`.trim(),
        metric: 'cycle_rejected',
        value: lastDecided.id,
        threshold: null,
      });
    }
  }
  return checks;
}
