/**
 * What the compare panel shows, built from stored runs: each run's metrics, curves and
 * confusion matrix, the metric deltas against the first run with a better/worse verdict per
 * metric direction, the confusion-matrix differences, and the config settings that differ.
 * Pure: no 'vscode', no file system (unit-tested).
 */
import type { EvaluationReport } from '../../core/evaluate/report';
import type { EpochRecord, RunRecord } from '../../core/store/types';
import { compareMetric, formatMetric, metricDirection, metricLabel } from '../../../webview/shared/format';
import type { ComparedRun, ConfigDifference, ConfusionDifference, MetricComparisonRow } from '../../../webview/compare/protocol';
import type { RunTask } from '../../../webview/run/protocol';
import { epochLogsOf } from '../runPanel/snapshot';

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/**
 * "mlp [16] relu, dropout 0.1" or "logistic, l2 0.0001" from a stored config's model section;
 * for model: auto, "auto: <chosen candidate>" from the run's details ("auto" without them).
 */
export function describeModel(config: unknown, details?: unknown): string {
  const model = field(config, 'model');
  const type = field(model, 'type');
  if (type === 'auto') {
    const selection = field(details, 'selection');
    const candidates = field(selection, 'candidates');
    const chosen = field(selection, 'chosen');
    const label = Array.isArray(candidates) && typeof chosen === 'number' ? field(candidates[chosen], 'label') : undefined;
    const refitted = field(field(selection, 'refit'), 'done') === true;
    return typeof label === 'string' ? `auto: ${label}${refitted ? ', refitted' : ''}` : 'auto';
  }
  if (type === 'mlp') {
    const hidden = field(model, 'hidden');
    return `mlp [${Array.isArray(hidden) ? hidden.join(', ') : '?'}] ${String(field(model, 'activation') ?? '')}, dropout ${String(field(model, 'dropout') ?? '?')}`.replace(/\s+,/, ',');
  }
  if (type === 'logistic') return `logistic, l2 ${String(field(model, 'l2') ?? '?')}`;
  return typeof type === 'string' ? type : 'unknown model';
}

/** "temperature, ECE 0.0297 → 0.0237", "none", or "—" when the run recorded no calibration. */
export function describeCalibration(details: unknown): string {
  const calibration = field(details, 'calibration');
  const method = field(calibration, 'method');
  if (typeof method !== 'string') return '—';
  const test = field(calibration, 'test');
  const before = field(field(test, 'before'), 'ece');
  const after = field(field(test, 'after'), 'ece');
  if (method === 'none' || typeof before !== 'number' || typeof after !== 'number') return method;
  return `${method}, ECE ${formatMetric(before)} → ${formatMetric(after)}`;
}

/** A stored run (with its epochs) as the compare panel draws it. */
export function comparedRun(run: RunRecord, epochs: readonly EpochRecord[]): ComparedRun {
  const evaluation = field(run.details, 'evaluation') as EvaluationReport | undefined;
  const task = field(run.config, 'task');
  const intervals: ComparedRun['intervals'] = {};
  for (const [k, iv] of Object.entries(evaluation?.intervals?.byMetric ?? {})) intervals[k] = { lower: iv.lower, upper: iv.upper };
  return {
    id: run.id,
    status: run.status,
    modelVersion: run.modelVersion,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    task: task === 'binary' || task === 'multiclass' || task === 'regression' ? (task as RunTask) : 'multiclass',
    classes: evaluation?.classes ?? [],
    metrics: run.metrics ?? evaluation?.metrics ?? {},
    intervals,
    confidence: evaluation?.intervals?.resamples ? evaluation.intervals.confidence : null,
    testRows: evaluation?.n ?? null,
    epochs: epochLogsOf(epochs),
    bestEpoch: run.bestEpoch,
    roc: evaluation?.roc ?? [],
    confusionMatrix: evaluation?.confusionMatrix ?? null,
    model: describeModel(run.config, run.details),
    calibration: describeCalibration(run.details),
  };
}

/**
 * One row per metric any run has (in the first run's order, then new ones as they appear),
 * with deltas and verdicts against the first run. Verdicts follow the metric's direction:
 * for log_loss, brier, mse, rmse and mae a smaller value is better.
 */
export function metricComparison(runs: readonly ComparedRun[]): MetricComparisonRow[] {
  const keys: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.metrics)) if (!keys.includes(k)) keys.push(k);
  const task = runs[0]?.task;
  return keys.map((key) => {
    const values = runs.map((r) => (typeof r.metrics[key] === 'number' && Number.isFinite(r.metrics[key]) ? r.metrics[key] : null));
    const base = values[0];
    return {
      key,
      label: metricLabel(key, task),
      direction: metricDirection(key),
      values,
      deltas: values.map((v, i) => (i === 0 || v === null || base === null ? null : v - base)),
      verdicts: values.map((v, i) => (i === 0 || v === null || base === null ? null : compareMetric(key, v, base))),
    };
  });
}

/**
 * `other − base` of two runs' confusion matrices, when both exist over the same classes in
 * the same order; otherwise `difference` is null and `reason` says why.
 */
export function confusionDifference(base: ComparedRun, other: ComparedRun): ConfusionDifference {
  const out: ConfusionDifference = { baseRunId: base.id, otherRunId: other.id, labels: base.classes, base: base.confusionMatrix, other: other.confusionMatrix, difference: null };
  if (base.task === 'regression' || other.task === 'regression') return { ...out, reason: 'Regression runs have no confusion matrix.' };
  if (!base.confusionMatrix || !other.confusionMatrix) return { ...out, reason: `Run ${!base.confusionMatrix ? base.id : other.id} recorded no confusion matrix.` };
  const same = base.classes.length === other.classes.length && base.classes.every((c, i) => c === other.classes[i]);
  if (!same || base.confusionMatrix.length !== other.confusionMatrix.length) {
    return { ...out, reason: `The runs predict different classes (${base.classes.join(', ')} vs ${other.classes.join(', ')}).` };
  }
  return { ...out, difference: base.confusionMatrix.map((row, i) => row.map((v, j) => other.confusionMatrix![i][j] - v)) };
}

/** Leaves of a JSON value as dotted paths ("training.earlyStopping.patience"); arrays are leaves. */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** Settings of the runs' resolved configs that are not the same in every run (sorted by path). */
export function configDifferences(configs: readonly unknown[]): ConfigDifference[] {
  const flat = configs.map((c) => flatten(c));
  const paths = new Set<string>();
  for (const f of flat) for (const p of f.keys()) paths.add(p);
  const out: ConfigDifference[] = [];
  for (const p of [...paths].sort()) {
    const values = flat.map((f) => f.get(p) ?? '—');
    if (values.some((v) => v !== values[0])) out.push({ path: p, values });
  }
  return out;
}

/**
 * Run ids from a command's arguments: an array of ids (in that order), or the Runs view's
 * `(clickedId, selectedIds)` (the selection, sorted ascending so the older run is the
 * baseline). Ids may be numbers, numeric strings or objects with `runId`/`id`. Duplicates
 * are dropped.
 */
export function runIdsFromArguments(first: unknown, second: unknown): number[] {
  const asId = (v: unknown): number | undefined => {
    const o = v !== null && typeof v === 'object' ? ((v as Record<string, unknown>).runId ?? (v as Record<string, unknown>).id) : v;
    const n = typeof o === 'string' && o.trim() !== '' ? Number(o) : o;
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
  };
  let ids: number[];
  if (Array.isArray(first)) ids = first.map(asId).filter((x): x is number => x !== undefined);
  else if (Array.isArray(second)) {
    ids = second.map(asId).filter((x): x is number => x !== undefined);
    const clicked = asId(first);
    if (clicked !== undefined && !ids.includes(clicked)) ids.push(clicked);
    ids.sort((a, b) => a - b);
  } else ids = [asId(first)].filter((x): x is number => x !== undefined);
  return [...new Set(ids)];
}
