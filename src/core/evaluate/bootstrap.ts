/**
 * Uncertainty of the headline metrics: percentile bootstrap confidence intervals over the
 * evaluation set, and mean ± standard deviation over cross-validation folds.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import type { Task } from '../project/types';
import { UserError, throwIfAborted } from '../util/errors';
import { createRng } from '../util/random';
import { quantileOfSorted } from './curves';
import { computeHeadlineMetrics } from './metrics';
import { binaryResampleMetrics, multiclassResampleMetrics, type ResampleMetrics } from './resample';

/** Options of {@link bootstrapIntervals}. */
export interface BootstrapOptions {
  /** Number of resamples. Default 1000. */
  resamples?: number;
  /** Coverage of the interval, in (0, 1). Default 0.95. */
  confidence?: number;
  /** Seed of the resampling generator (createRng). Default 0. */
  seed?: number;
  /** Checked between resamples; aborting throws CancelledError. */
  signal?: AbortSignal;
}

/** A metric's point estimate with its bootstrap interval. */
export interface MetricInterval {
  /** The metric on the full evaluation set. */
  estimate: number;
  /** Lower end: the (1 − confidence)/2 quantile of the resampled values. */
  lower: number;
  /** Upper end: the (1 + confidence)/2 quantile of the resampled values. */
  upper: number;
  /** Resamples on which the metric was defined (e.g. ROC AUC needs both classes in the resample). */
  resamplesUsed: number;
}

/** Result of {@link bootstrapIntervals}. */
export interface BootstrapResult {
  /** Metric name → interval; metrics undefined on the full set are absent. */
  intervals: Record<string, MetricInterval>;
  resamples: number;
  confidence: number;
  seed: number;
  /** Metrics undefined on the full set, with the reason (as computeHeadlineMetrics). */
  omitted: Record<string, string>;
}

/**
 * Percentile bootstrap intervals of the headline metrics: draw n examples with replacement
 * (seeded), recompute the metrics, take the quantiles of each metric's resampled values (linear
 * interpolation, numpy's default). A resample on which a metric is undefined is skipped for
 * that metric only; `resamplesUsed` says how many counted.
 * Inputs and shapes as {@link computeHeadlineMetrics}: binary (k = 2, scores P(class 1)),
 * multiclass (n×k probabilities), regression (k = 1, predictions).
 * The scores are sorted once and each resample is counted over them (./resample.ts), with
 * values identical to recomputing the metrics on each materialised resample.
 * Cost: O(n log n) once, then resamples × O(n) (binary, regression) or O(n·k) (multiclass).
 * @throws UserError on bad options or inputs; CancelledError when the signal aborts.
 */
export function bootstrapIntervals(
  task: Task,
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  options: BootstrapOptions = {},
): BootstrapResult {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(resamples) || resamples < 1) throw new UserError(`The number of bootstrap resamples is ${resamples}: it must be a positive integer.`);
  if (!(confidence > 0 && confidence < 1)) throw new UserError(`The confidence level is ${confidence}: it must lie strictly between 0 and 1, e.g. 0.95.`);
  const full = computeHeadlineMetrics(task, yTrue, scores, k); // validates the inputs
  const n = yTrue.length;
  const names = Object.keys(full.metrics);
  const samples: Record<string, Float64Array> = {};
  const counts: Record<string, number> = {};
  for (const name of names) {
    samples[name] = new Float64Array(resamples);
    counts[name] = 0;
  }
  const rng = createRng(seed);
  const drawn = new Int32Array(n);
  const drawCounts = new Int32Array(n);
  const resampleMetrics = metricsOfResample(task, yTrue, scores, k);
  for (let r = 0; r < resamples; r++) {
    if (r % 16 === 0) throwIfAborted(options.signal);
    drawCounts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rng() * n);
      drawn[i] = j;
      drawCounts[j]++;
    }
    const metrics = resampleMetrics(drawn, drawCounts);
    for (const name of names) {
      const value = metrics[name];
      if (value !== undefined) samples[name][counts[name]++] = value;
    }
  }
  const alpha = (1 - confidence) / 2;
  const intervals: Record<string, MetricInterval> = {};
  for (const name of names) {
    const used = samples[name].subarray(0, counts[name]).sort();
    intervals[name] = {
      estimate: full.metrics[name],
      lower: quantileOfSorted(used, alpha),
      upper: quantileOfSorted(used, 1 - alpha),
      resamplesUsed: counts[name],
    };
  }
  return { intervals, resamples, confidence, seed, omitted: full.omitted };
}

/**
 * The metrics of a resample given by its drawn rows: counted over the once-sorted original rows
 * for classification (./resample.ts), recomputed on the materialised rows for regression
 * (O(n) already, no sort).
 */
function metricsOfResample(task: Task, yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): ResampleMetrics {
  if (task === 'binary') return binaryResampleMetrics(yTrue, scores);
  if (task === 'multiclass') return multiclassResampleMetrics(yTrue, scores, k);
  const n = yTrue.length;
  const sampleLabels = new Float64Array(n);
  const samplePredictions = new Float64Array(n);
  return (drawn) => {
    for (let i = 0; i < n; i++) {
      sampleLabels[i] = yTrue[drawn[i]];
      samplePredictions[i] = scores[drawn[i]];
    }
    return computeHeadlineMetrics(task, sampleLabels, samplePredictions, k).metrics;
  };
}

/** A metric summarised over cross-validation folds. */
export interface FoldSummary {
  mean: number;
  /** Population standard deviation over folds (ddof = 0, as scikit-learn's cv_results_ std_test_score). */
  std: number;
  /** The per-fold values, in fold order, for the folds where the metric was defined. */
  values: number[];
  /** Number of folds where the metric was defined. */
  folds: number;
}

/**
 * Mean ± standard deviation of each metric over folds. A metric missing from some folds (e.g.
 * ROC AUC on a fold with one class) is summarised over the folds that have it; `folds` says how many.
 * @param foldMetrics one name → value record per fold (e.g. from headlineMetrics), at least one.
 * @throws UserError when no folds are given or a value is NaN.
 */
export function aggregateFolds(foldMetrics: ReadonlyArray<Record<string, number>>): Record<string, FoldSummary> {
  if (foldMetrics.length === 0) throw new UserError('No folds to aggregate: run at least one fold.');
  const values: Record<string, number[]> = {};
  foldMetrics.forEach((metrics, fold) => {
    for (const [name, value] of Object.entries(metrics)) {
      if (Number.isNaN(value)) throw new UserError(`Metric ${name} is NaN in fold ${fold}: fix that fold's evaluation before aggregating.`);
      (values[name] ??= []).push(value);
    }
  });
  const summary: Record<string, FoldSummary> = {};
  for (const [name, list] of Object.entries(values)) {
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    const variance = list.reduce((a, v) => a + (v - mean) * (v - mean), 0) / list.length;
    summary[name] = { mean, std: Math.sqrt(variance), values: list, folds: list.length };
  }
  return summary;
}
