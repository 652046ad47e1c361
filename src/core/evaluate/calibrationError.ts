/**
 * Calibration error: expected and maximum calibration error (ECE, MCE) of the top label,
 * classwise ECE, and the Murphy decomposition of the Brier score.
 *
 * Definitions:
 * - ECE (Guo et al. 2017, "On Calibration of Modern Neural Networks", eq. 3): the top-label
 *   confidence (probability of the predicted class) is binned into B equal-width bins on [0, 1]
 *   (default 15), a bin holding the confidences c with lower < c ≤ upper (c = 0 goes to the first
 *   bin); ECE = Σ_b (n_b / n)·|accuracy_b − mean confidence_b|, MCE = max_b |…| over non-empty
 *   bins. The same bins as scikit-learn's reliability curve (`calibration_curve`).
 * - Classwise ECE (Kull et al. 2019): for each class c, the same binning of p_c against 1[y = c];
 *   the mean over classes.
 * - Brier decomposition (Murphy 1973) over the same bins: Brier ≈ reliability − resolution +
 *   uncertainty; the rest, `withinBin`, is 0 when every bin holds a single forecast value.
 *
 * Binary inputs (k = 2, scores = P(class 1), length n) predict class 1 when p ≥ 0.5, as metrics.ts.
 *
 * Pure module: no node built-ins, no tfjs (the runtime's monitoring may use it).
 */
import { UserError } from '../util/errors';
import { assertClassificationInputs } from './inputs';
import { binIndexLeft, uniformEdges } from './curves';

/** ECE's default number of equal-width bins (Guo et al. 2017). */
export const DEFAULT_CALIBRATION_BINS = 15;

/** Options of the calibration-error functions. */
export interface CalibrationErrorOptions {
  /** Number of equal-width bins on [0, 1]. Default 15. */
  bins?: number;
}

/** Top-label view of a set of predictions. */
export interface TopLabel {
  /** Predicted class of each example. */
  predicted: Int32Array;
  /** Probability of the predicted class, in [0, 1] (≥ 1/k). */
  confidence: Float64Array;
  /** 1 when the predicted class is the true class, else 0. */
  correct: Uint8Array;
}

/**
 * Predicted class, its probability and correctness for each example.
 * Multiclass: arg max of the row (ties to the lowest index). Binary: class 1 when p ≥ 0.5.
 * @param yTrue 0/1 labels (binary) or class indices 0..k-1.
 * @param scores P(class 1) (binary, length n, k = 2) or n×k row-major probabilities.
 */
export function topLabelConfidence(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): TopLabel {
  const binary = assertClassificationInputs(yTrue, scores, k);
  const n = yTrue.length;
  const predicted = new Int32Array(n);
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best: number;
    let bestP: number;
    if (binary) {
      const p = scores[i];
      best = p >= 0.5 ? 1 : 0;
      bestP = best === 1 ? p : 1 - p;
    } else {
      const row = i * k;
      best = 0;
      bestP = scores[row];
      for (let c = 1; c < k; c++) {
        if (scores[row + c] > bestP) {
          bestP = scores[row + c];
          best = c;
        }
      }
    }
    predicted[i] = best;
    confidence[i] = bestP;
    correct[i] = best === yTrue[i] ? 1 : 0;
  }
  return { predicted, confidence, correct };
}

/** One bin of a calibration-error report. */
export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean outcome (accuracy for the top label, frequency of the class for classwise) in the bin; NaN when empty. */
  accuracy: number;
  /** Mean predicted probability in the bin; NaN when empty. */
  confidence: number;
}

/** Result of {@link calibrationError}. */
export interface CalibrationErrorReport {
  /** Expected calibration error, in [0, 1]. */
  ece: number;
  /** Maximum calibration error over non-empty bins, in [0, 1]. */
  mce: number;
  /** Every bin, empty ones included (count 0, NaN means), so a chart can show gaps. */
  bins: CalibrationBin[];
}

function resolveBins(options: CalibrationErrorOptions): number {
  const bins = options.bins ?? DEFAULT_CALIBRATION_BINS;
  if (!Number.isInteger(bins) || bins < 1) throw new UserError(`The number of bins is ${bins}: it must be a positive integer.`);
  return bins;
}

/**
 * Binned calibration error of probabilities against 0/1 outcomes (no input checks).
 * @param probabilities forecasts in [0, 1], length n ≥ 1.
 * @param outcomes 0/1 outcomes, length n.
 */
export function binnedCalibrationErrorUnchecked(
  probabilities: ArrayLike<number>,
  outcomes: ArrayLike<number>,
  bins: number,
): CalibrationErrorReport {
  const edges = uniformEdges(bins);
  const counts = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const n = probabilities.length;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i];
    // Equal-width bins: the arithmetic guess is exact except right on an edge, which the
    // comparisons below settle the way binIndexLeft (searchsorted, side 'left') would.
    let b = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
    if (b > 0 && p <= edges[b]) b--;
    else if (b < bins - 1 && p > edges[b + 1]) b++;
    counts[b]++;
    sumP[b] += p;
    sumY[b] += outcomes[i];
  }
  let ece = 0;
  let mce = 0;
  const report: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const count = counts[b];
    const accuracy = count > 0 ? sumY[b] / count : NaN;
    const confidence = count > 0 ? sumP[b] / count : NaN;
    if (count > 0) {
      const gap = Math.abs(accuracy - confidence);
      ece += (count / n) * gap;
      if (gap > mce) mce = gap;
    }
    report.push({ lower: edges[b], upper: edges[b + 1], count, accuracy, confidence });
  }
  return { ece, mce, bins: report };
}

/**
 * Top-label ECE and MCE with the per-bin table (Guo et al. 2017; see the file doc for the bins).
 * @param yTrue 0/1 labels (binary) or class indices 0..k-1, length n ≥ 1.
 * @param scores P(class 1) (binary, length n, k = 2) or n×k row-major probabilities.
 * @param options bins: number of equal-width bins, default 15.
 */
export function calibrationError(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  options: CalibrationErrorOptions = {},
): CalibrationErrorReport {
  const bins = resolveBins(options);
  const top = topLabelConfidence(yTrue, scores, k);
  return binnedCalibrationErrorUnchecked(top.confidence, top.correct, bins);
}

/** Top-label expected calibration error (see {@link calibrationError}). */
export function expectedCalibrationError(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  options: CalibrationErrorOptions = {},
): number {
  return calibrationError(yTrue, scores, k, options).ece;
}

/** Top-label maximum calibration error (see {@link calibrationError}). */
export function maxCalibrationError(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  options: CalibrationErrorOptions = {},
): number {
  return calibrationError(yTrue, scores, k, options).mce;
}

/** Result of {@link classwiseCalibrationError}. */
export interface ClasswiseCalibrationError {
  /** Mean over classes of the per-class ECE. */
  classwiseEce: number;
  /** ECE of p_c against 1[y = c], per class 0..k-1. */
  perClass: number[];
}

/**
 * Classwise ECE (Kull et al. 2019): each class's probability column binned against whether the
 * example belongs to that class, averaged over classes. For binary input both columns
 * (1 − p and p) are used, so the value equals the ECE of p.
 */
export function classwiseCalibrationError(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  options: CalibrationErrorOptions = {},
): ClasswiseCalibrationError {
  const bins = resolveBins(options);
  const binary = assertClassificationInputs(yTrue, scores, k);
  const n = yTrue.length;
  const column = new Float64Array(n);
  const outcome = new Uint8Array(n);
  const perClass: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      column[i] = binary ? (c === 1 ? scores[i] : 1 - scores[i]) : scores[i * k + c];
      outcome[i] = yTrue[i] === c ? 1 : 0;
    }
    perClass.push(binnedCalibrationErrorUnchecked(column, outcome, bins).ece);
  }
  return { classwiseEce: perClass.reduce((a, b) => a + b, 0) / k, perClass };
}

/** Result of {@link brierDecomposition}. */
export interface BrierDecomposition {
  /** The Brier score itself (binary: mean (p − y)²; multiclass: mean Σ_c (p_c − 1[y = c])²). */
  brier: number;
  /** Σ_b (n_b/n)(mean forecast_b − observed frequency_b)²: lower is better calibrated. */
  reliability: number;
  /** Σ_b (n_b/n)(observed frequency_b − base rate)²: higher is sharper and more informative. */
  resolution: number;
  /** base rate · (1 − base rate): the Brier score of always forecasting the base rate. */
  uncertainty: number;
  /** brier − (reliability − resolution + uncertainty): the part due to forecasts varying within a bin. */
  withinBin: number;
}

/**
 * Murphy's decomposition of the Brier score over equal-width forecast bins (default 15).
 * Binary: of P(class 1). Multiclass: the sum over classes of the one-vs-rest decompositions of
 * p_c against 1[y = c], which adds up to the multiclass Brier score of metrics.ts.
 * @param yTrue 0/1 labels (binary) or class indices 0..k-1, length n ≥ 1.
 * @param scores P(class 1) (binary, length n, k = 2) or n×k row-major probabilities.
 */
export function brierDecomposition(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  options: CalibrationErrorOptions = {},
): BrierDecomposition {
  const bins = resolveBins(options);
  const binary = assertClassificationInputs(yTrue, scores, k);
  const n = yTrue.length;
  const result: BrierDecomposition = { brier: 0, reliability: 0, resolution: 0, uncertainty: 0, withinBin: 0 };
  const edges = uniformEdges(bins);
  const classes = binary ? [1] : Array.from({ length: k }, (_, c) => c);
  const counts = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (const c of classes) {
    counts.fill(0);
    sumP.fill(0);
    sumY.fill(0);
    let squaredError = 0;
    let positives = 0;
    for (let i = 0; i < n; i++) {
      const p = binary ? scores[i] : scores[i * k + c];
      const y = yTrue[i] === c ? 1 : 0;
      const b = binIndexLeft(edges, p);
      counts[b]++;
      sumP[b] += p;
      sumY[b] += y;
      positives += y;
      squaredError += (p - y) * (p - y);
    }
    const baseRate = positives / n;
    let reliability = 0;
    let resolution = 0;
    for (let b = 0; b < bins; b++) {
      if (counts[b] === 0) continue;
      const meanP = sumP[b] / counts[b];
      const freq = sumY[b] / counts[b];
      reliability += counts[b] * (meanP - freq) * (meanP - freq);
      resolution += counts[b] * (freq - baseRate) * (freq - baseRate);
    }
    result.brier += squaredError / n;
    result.reliability += reliability / n;
    result.resolution += resolution / n;
    result.uncertainty += baseRate * (1 - baseRate);
  }
  result.withinBin = result.brier - (result.reliability - result.resolution + result.uncertainty);
  return result;
}
