/**
 * Curves as plain arrays (compute ≠ render): ROC, precision–recall, reliability, and the
 * threshold sweep that picks operating points (best F1, Youden's J). Webviews and the CLI draw
 * or print these; nothing here knows about charts.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { UserError } from '../util/errors';
import {
  assertBinaryLabels,
  assertFiniteNonEmpty,
  assertProbabilities,
  assertSameLength,
} from './inputs';
import { sortScoresByLabel, walkThresholdsDescending, type ScoresByLabel } from './ranking';

function sortedBinaryInputs(yTrue: ArrayLike<number>, scores: ArrayLike<number>): ScoresByLabel {
  assertBinaryLabels('yTrue', yTrue);
  assertFiniteNonEmpty('scores', scores, true);
  assertSameLength('yTrue', yTrue, 'scores', scores);
  return sortScoresByLabel(yTrue, scores);
}

/** A ROC curve: point i is (fpr[i], tpr[i]) for the rule score ≥ thresholds[i]. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /**
   * Decreasing. thresholds[0] is +Infinity (no example predicted positive, the (0, 0) point;
   * scikit-learn ≥ 1.3 does the same, 1.2 used max(score) + 1). Infinity serialises as null in JSON.
   */
  thresholds: number[];
}

/** Options of {@link rocCurve}. */
export interface RocCurveOptions {
  /**
   * Drop points that lie on a straight segment between their neighbours (they do not change the
   * curve or its area), as scikit-learn's `drop_intermediate=True`. Default true.
   */
  dropIntermediate?: boolean;
}

/**
 * Receiver operating characteristic, as scikit-learn's `roc_curve(y_true, y_score)`.
 * @param yTrue 0/1 labels, length n ≥ 1, both classes present.
 * @param scores real scores, higher = more positive, length n.
 * @throws UserError when yTrue lacks positives or negatives (a rate would be 0/0; scikit-learn
 *   returns NaN with a warning), on empty input or NaN.
 */
export function rocCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>, options: RocCurveOptions = {}): RocCurve {
  const sorted = sortedBinaryInputs(yTrue, scores);
  const nPos = sorted.positives.length;
  const nNeg = sorted.negatives.length;
  if (nPos === 0 || nNeg === 0) {
    throw new UserError(`A ROC curve needs both classes in yTrue, but only class ${nPos === 0 ? 0 : 1} is present.`);
  }
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  walkThresholdsDescending(sorted, (t, tp, fp) => {
    thresholds.push(t);
    tps.push(tp);
    fps.push(fp);
  });
  let keep: number[];
  if ((options.dropIntermediate ?? true) && tps.length > 2) {
    // A point is kept when the second difference of fps or of tps is non-zero there (a corner).
    keep = [0];
    for (let i = 1; i < tps.length - 1; i++) {
      const fpsCorner = fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0;
      const tpsCorner = tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0;
      if (fpsCorner || tpsCorner) keep.push(i);
    }
    keep.push(tps.length - 1);
  } else {
    keep = tps.map((_, i) => i);
  }
  const curve: RocCurve = { fpr: [0], tpr: [0], thresholds: [Infinity] };
  for (const i of keep) {
    curve.fpr.push(fps[i] / nNeg);
    curve.tpr.push(tps[i] / nPos);
    curve.thresholds.push(thresholds[i]);
  }
  return curve;
}

/** A precision–recall curve in scikit-learn's layout. */
export interface PrecisionRecallCurve {
  /** precision[i] for the rule score ≥ thresholds[i]; the last entry is 1 (recall 0 by convention). */
  precision: number[];
  /** recall[i] for the rule score ≥ thresholds[i]; decreasing, ends with 0. */
  recall: number[];
  /** The distinct scores, increasing; one shorter than precision and recall. */
  thresholds: number[];
}

/**
 * Precision–recall pairs at every distinct threshold, as scikit-learn 1.2's
 * `precision_recall_curve(y_true, probas_pred)`: thresholds increasing, and a final point
 * (precision 1, recall 0) without a threshold.
 * @throws UserError when yTrue has no positive (recall would be 0/0), on empty input or NaN.
 */
export function precisionRecallCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): PrecisionRecallCurve {
  const sorted = sortedBinaryInputs(yTrue, scores);
  const nPos = sorted.positives.length;
  if (nPos === 0) throw new UserError('A precision–recall curve needs at least one positive example in yTrue.');
  const precisionDesc: number[] = [];
  const recallDesc: number[] = [];
  const thresholdsDesc: number[] = [];
  walkThresholdsDescending(sorted, (t, tp, fp) => {
    thresholdsDesc.push(t);
    precisionDesc.push(tp / (tp + fp));
    recallDesc.push(tp / nPos);
  });
  return {
    precision: [...precisionDesc.reverse(), 1],
    recall: [...recallDesc.reverse(), 0],
    thresholds: thresholdsDesc.reverse(),
  };
}

/** One operating point of a {@link thresholdSweep}. */
export interface OperatingPoint {
  /** Rule: predict positive when score ≥ threshold. */
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** False positive rate. */
  fpr: number;
  /** Youden's J = recall (TPR) − FPR. */
  youdenJ: number;
}

/** Result of {@link thresholdSweep}. */
export interface ThresholdSweep {
  /** One point per distinct score, thresholds decreasing. */
  points: OperatingPoint[];
  /** The point with the highest F1 (the highest threshold among equals). */
  bestF1: OperatingPoint;
  /** The point with the highest Youden's J (the highest threshold among equals). */
  bestYoudenJ: OperatingPoint;
}

/**
 * Evaluates the rule "score ≥ t" at every distinct score t and picks the thresholds that
 * maximise F1 and Youden's J. Precision at a threshold is never 0/0 because each threshold is
 * an observed score. F1 is 0 where precision + recall is 0.
 * @param yTrue 0/1 labels, both classes present.
 * @param scores real scores, length n.
 * @throws UserError when yTrue lacks either class, on empty input or NaN.
 */
export function thresholdSweep(yTrue: ArrayLike<number>, scores: ArrayLike<number>): ThresholdSweep {
  const sorted = sortedBinaryInputs(yTrue, scores);
  const nPos = sorted.positives.length;
  const nNeg = sorted.negatives.length;
  if (nPos === 0 || nNeg === 0) {
    throw new UserError(`A threshold sweep needs both classes in yTrue, but only class ${nPos === 0 ? 0 : 1} is present.`);
  }
  const points: OperatingPoint[] = [];
  let bestF1: OperatingPoint | undefined;
  let bestYoudenJ: OperatingPoint | undefined;
  walkThresholdsDescending(sorted, (threshold, tp, fp) => {
    const precision = tp / (tp + fp);
    const recall = tp / nPos;
    const fpr = fp / nNeg;
    const f1 = tp > 0 ? (2 * tp) / (2 * tp + fp + (nPos - tp)) : 0;
    const point: OperatingPoint = { threshold, precision, recall, f1, fpr, youdenJ: recall - fpr };
    points.push(point);
    // Strict '>' keeps the first (highest) threshold among equal values: fewer alerts for the same score.
    if (bestF1 === undefined || point.f1 > bestF1.f1) bestF1 = point;
    if (bestYoudenJ === undefined || point.youdenJ > bestYoudenJ.youdenJ) bestYoudenJ = point;
  });
  return { points, bestF1: bestF1 as OperatingPoint, bestYoudenJ: bestYoudenJ as OperatingPoint };
}

/** How {@link reliabilityCurve} places its bin edges. */
export type BinStrategy = 'uniform' | 'quantile';

/** Options of {@link reliabilityCurve}. */
export interface ReliabilityCurveOptions {
  /** Number of bins. Default 10. */
  bins?: number;
  /** 'uniform': equal-width bins on [0, 1]; 'quantile': edges at the quantiles of the scores (equal counts). Default 'uniform'. */
  strategy?: BinStrategy;
}

/** A reliability (calibration) curve: only non-empty bins appear, in increasing order. */
export interface ReliabilityCurve {
  /** Fraction of positives in each non-empty bin (y axis). */
  fractionPositive: number[];
  /** Mean predicted probability in each non-empty bin (x axis). */
  meanPredicted: number[];
  /** Number of examples in each non-empty bin. */
  counts: number[];
  /** All bins + 1 edges, including those of the empty bins that were dropped. */
  edges: number[];
}

/**
 * Reliability curve, as scikit-learn's `calibration_curve(y_true, y_prob, n_bins, strategy)`:
 * an example with probability p goes to the bin whose inner edges e satisfy e < p ≤ next edge
 * (numpy's searchsorted, side 'left'; p = 0 is in the first bin), empty bins are dropped.
 * Quantile edges use linear interpolation between order statistics (numpy's percentile).
 * For multiclass, pass the top-label confidence and whether the top label was right (see
 * topLabelConfidence in calibrationError.ts).
 * @param yTrue 0/1 labels, length n ≥ 1.
 * @param probabilities P(class 1) in [0, 1], length n.
 */
export function reliabilityCurve(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: ReliabilityCurveOptions = {},
): ReliabilityCurve {
  assertBinaryLabels('yTrue', yTrue);
  assertProbabilities('probabilities', probabilities);
  assertSameLength('yTrue', yTrue, 'probabilities', probabilities);
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) throw new UserError(`The number of bins is ${bins}: it must be a positive integer.`);
  const strategy = options.strategy ?? 'uniform';
  const edges = strategy === 'quantile' ? quantileEdges(probabilities, bins) : uniformEdges(bins);
  const n = yTrue.length;
  const sums = new Float64Array(bins);
  const positives = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = binIndexLeft(edges, probabilities[i]);
    sums[b] += probabilities[i];
    positives[b] += yTrue[i];
    counts[b]++;
  }
  const curve: ReliabilityCurve = { fractionPositive: [], meanPredicted: [], counts: [], edges };
  for (let b = 0; b < bins; b++) {
    if (counts[b] === 0) continue;
    curve.fractionPositive.push(positives[b] / counts[b]);
    curve.meanPredicted.push(sums[b] / counts[b]);
    curve.counts.push(counts[b]);
  }
  return curve;
}

/** bins + 1 equal-width edges on [0, 1] (numpy's linspace(0, 1, bins + 1)). */
export function uniformEdges(bins: number): number[] {
  const edges: number[] = [];
  // i · (1 / bins) with the last edge exactly 1, as numpy's linspace computes them, so that a
  // probability lying on an edge lands in the same bin as in scikit-learn.
  const step = 1 / bins;
  for (let i = 0; i < bins; i++) edges.push(i * step);
  edges.push(1);
  return edges;
}

/** bins + 1 edges at the 0, 1/bins, …, 1 quantiles of the values, linear interpolation (numpy's percentile). */
export function quantileEdges(values: ArrayLike<number>, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  // The quantile levels are scaled to percent and back exactly as scikit-learn (linspace · 100)
  // and numpy (÷ 100) do: an edge that falls on an observed score must match to the last bit,
  // or examples with that score would change bins.
  return uniformEdges(bins).map((q) => quantileOfSorted(sorted, (q * 100) / 100));
}

/**
 * The q-quantile (q in [0, 1]) of ascending-sorted values with linear interpolation between
 * order statistics, as numpy's default `percentile(values, 100·q)`.
 */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const fraction = position - lower;
  // numpy's lerp form, which is exact at both ends.
  const a = sorted[lower];
  const b = sorted[upper];
  return fraction >= 0.5 ? b - (b - a) * (1 - fraction) : a + (b - a) * fraction;
}

/**
 * Index of the bin of value p for edges e_0 < … < e_B: the number of inner edges e_1..e_{B-1}
 * strictly below p (numpy's searchsorted(edges[1:-1], p, side='left')). Binary search.
 */
export function binIndexLeft(edges: ArrayLike<number>, p: number): number {
  let lo = 1;
  let hi = edges.length - 1; // search the inner edges [1, B-1]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < p) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
