/**
 * Everything ML Loop shows about a model's predictions on an evaluation set, computed in one
 * place and stored with the run (the CLI prints it, the HTML report and the panels draw it).
 * Pure: no node built-ins, no tfjs.
 */
import type { Task } from '../project/types';
import { bootstrapIntervals, type MetricInterval } from './bootstrap';
import { calibrationError, classwiseCalibrationError, brierDecomposition, topLabelConfidence, type BrierDecomposition } from './calibrationError';
import { precisionRecallCurve, reliabilityCurve, rocCurve, thresholdSweep, type OperatingPoint, type ReliabilityCurve } from './curves';
import { argmaxRows, computeHeadlineMetrics, confusionMatrix } from './metrics';

export interface CurvePoints {
  x: number[];
  y: number[];
  /** The score threshold of each point where it has one (null for ±Infinity). */
  thresholds?: Array<number | null>;
}

export interface CalibrationSummary {
  ece: number;
  mce: number;
  /** Multiclass only: mean over classes of each class's ECE. */
  classwiseEce?: number;
  bins: number;
  brier: BrierDecomposition;
  /** Reliability curve of the top-label confidence (binary: P(class 1)), uniform bins, empty bins dropped. */
  reliability: ReliabilityCurve;
}

export interface EvaluationReport {
  task: Task;
  /** Rows evaluated. */
  n: number;
  /** Class names in index order ([] for regression). */
  classes: string[];
  metrics: Record<string, number>;
  /** Metrics that are undefined on this set, with the reason (e.g. one class present). */
  omitted: Record<string, string>;
  /** Percentile bootstrap intervals of the metrics. */
  intervals: { confidence: number; resamples: number; seed: number; byMetric: Record<string, MetricInterval> };
  /** Counts, rows = true class, columns = predicted class (binary: threshold 0.5). */
  confusionMatrix?: number[][];
  /** Binary: the ROC and precision-recall curves; multiclass: one-vs-rest ROC per class. */
  roc?: Array<{ label: string; curve: CurvePoints }>;
  pr?: Array<{ label: string; curve: CurvePoints }>;
  /** Binary: operating points that maximise F1 and Youden's J. */
  thresholds?: { bestF1: OperatingPoint; bestYoudenJ: OperatingPoint };
  calibration?: CalibrationSummary;
  /** Regression: up to 2,000 (actual, predicted) pairs, evenly sampled, for plots. */
  regression?: { actual: number[]; predicted: number[] };
}

export interface EvaluationOptions {
  /** Bootstrap resamples. Default 1000 (0 turns intervals off). */
  resamples?: number;
  confidence?: number;
  seed?: number;
  /** ECE bins. Default 15. */
  bins?: number;
  /** Curves longer than this are thinned evenly (keeping both ends) for storage. Default 400. */
  maxCurvePoints?: number;
  signal?: AbortSignal;
}

/**
 * Builds the full evaluation of predictions.
 * @param yTrue class index (0..k-1) or value, length n.
 * @param scores binary: P(class 1), length n; multiclass: n×k probabilities; regression: predictions.
 * @param k 2 for binary, the class count for multiclass, 1 for regression.
 * @param classes class names in index order ([] for regression).
 */
export function evaluatePredictions(task: Task, yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number, classes: string[], opts: EvaluationOptions = {}): EvaluationReport {
  const { metrics, omitted: byIndex } = computeHeadlineMetrics(task, yTrue, scores, k);
  const omitted = nameAbsentClasses(task, byIndex, yTrue, k, classes);
  const resamples = opts.resamples ?? 1000;
  const confidence = opts.confidence ?? 0.95;
  const seed = opts.seed ?? 0;
  const bins = opts.bins ?? 15;
  const maxPoints = opts.maxCurvePoints ?? 400;
  const n = yTrue.length;
  const report: EvaluationReport = {
    task,
    n,
    classes,
    metrics,
    omitted,
    intervals: { confidence, resamples, seed, byMetric: {} },
  };
  if (resamples > 0) {
    report.intervals.byMetric = bootstrapIntervals(task, yTrue, scores, k, { resamples, confidence, seed, ...(opts.signal ? { signal: opts.signal } : {}) }).intervals;
  }
  if (task === 'regression') {
    const step = Math.max(1, Math.ceil(n / 2000));
    const actual: number[] = [];
    const predicted: number[] = [];
    for (let i = 0; i < n; i += step) {
      actual.push(yTrue[i]);
      predicted.push(scores[i]);
    }
    report.regression = { actual, predicted };
    return report;
  }

  if (task === 'binary') {
    const predicted = new Int32Array(n);
    for (let i = 0; i < n; i++) predicted[i] = scores[i] >= 0.5 ? 1 : 0;
    report.confusionMatrix = confusionMatrix(yTrue, predicted, 2);
    if (bothClasses(yTrue, 1)) {
      const roc = rocCurve(yTrue, scores);
      const pr = precisionRecallCurve(yTrue, scores);
      report.roc = [{ label: classes[1] ?? '1', curve: thin({ x: roc.fpr, y: roc.tpr, thresholds: roc.thresholds.map(finiteOrNull) }, maxPoints) }];
      report.pr = [{ label: classes[1] ?? '1', curve: thin({ x: pr.recall, y: pr.precision, thresholds: [...pr.thresholds.map(finiteOrNull), null] }, maxPoints) }];
      const sweep = thresholdSweep(yTrue, scores);
      report.thresholds = { bestF1: sweep.bestF1, bestYoudenJ: sweep.bestYoudenJ };
    }
    const ce = calibrationError(yTrue, scores, 2, { bins });
    report.calibration = {
      ece: ce.ece,
      mce: ce.mce,
      bins,
      brier: brierDecomposition(yTrue, scores, 2, { bins }),
      reliability: reliabilityCurve(yTrue, scores, { bins }),
    };
    return report;
  }

  // multiclass
  report.confusionMatrix = confusionMatrix(yTrue, argmaxRows(scores, n, k), k);
  report.roc = [];
  for (let c = 0; c < k; c++) {
    const yc = new Float64Array(n);
    const sc = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      yc[i] = yTrue[i] === c ? 1 : 0;
      sc[i] = scores[i * k + c];
    }
    if (!bothClasses(yc, 1)) continue;
    const roc = rocCurve(yc, sc);
    report.roc.push({ label: classes[c] ?? String(c), curve: thin({ x: roc.fpr, y: roc.tpr, thresholds: roc.thresholds.map(finiteOrNull) }, maxPoints) });
  }
  const ce = calibrationError(yTrue, scores, k, { bins });
  const top = topLabelConfidence(yTrue, scores, k);
  report.calibration = {
    ece: ce.ece,
    mce: ce.mce,
    classwiseEce: classwiseCalibrationError(yTrue, scores, k, { bins }).classwiseEce,
    bins,
    brier: brierDecomposition(yTrue, scores, k, { bins }),
    reliability: reliabilityCurve(top.correct, top.confidence, { bins }),
  };
  return report;
}

/**
 * The reasons of omitted metrics with classes named as the user knows them ('virginica')
 * rather than by output index ('class 2'): the metric functions only see indices.
 */
function nameAbsentClasses(task: Task, omitted: Record<string, string>, yTrue: ArrayLike<number>, k: number, classes: string[]): Record<string, string> {
  if (task === 'regression' || classes.length === 0) return omitted;
  const support = new Array<number>(k).fill(0);
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] >= 0 && yTrue[i] < k) support[yTrue[i]]++;
  const name = (c: number) => `'${classes[c] ?? String(c)}'`;
  const out = { ...omitted };
  if (task === 'binary' && out.roc_auc !== undefined) {
    const present = support[1] > 0 ? 1 : 0;
    out.roc_auc = `only class ${name(present)} is present in the evaluated rows, so ROC AUC is undefined`;
  }
  if (task === 'binary' && out.average_precision !== undefined) {
    out.average_precision = `no evaluated row is of the positive class ${name(1)}, so recall and average precision are undefined`;
  }
  if (task === 'multiclass' && out.roc_auc !== undefined) {
    const absent = support.flatMap((count, c) => (count === 0 ? [name(c)] : []));
    const reason = `class${absent.length > 1 ? 'es' : ''} ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} absent from the evaluated rows, so one-vs-rest ROC AUC is undefined`;
    out.roc_auc = reason;
    if (out.roc_auc_weighted !== undefined) out.roc_auc_weighted = reason;
  }
  return out;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function bothClasses(y: ArrayLike<number>, positive: number): boolean {
  let pos = false;
  let neg = false;
  for (let i = 0; i < y.length && !(pos && neg); i++) {
    if (y[i] === positive) pos = true;
    else neg = true;
  }
  return pos && neg;
}

/** Keeps at most `max` points, evenly spaced by index, always including the first and last. */
export function thin(c: CurvePoints, max: number): CurvePoints {
  const len = c.x.length;
  if (len <= max) return c;
  const idx: number[] = [];
  for (let j = 0; j < max; j++) idx.push(Math.round((j * (len - 1)) / (max - 1)));
  return {
    x: idx.map((i) => c.x[i]),
    y: idx.map((i) => c.y[i]),
    ...(c.thresholds ? { thresholds: idx.map((i) => c.thresholds![i]) } : {}),
  };
}
