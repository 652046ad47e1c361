/**
 * Classification and regression metrics, each defined as scikit-learn 1.2 defines it and checked
 * against values it produced (test/fixtures/sklearn/, scripts/reference/).
 *
 * Conventions shared by every function here:
 * - Binary: yTrue is 0/1; scores are P(class 1) in [0, 1]; an example is predicted positive when
 *   its score is ≥ the threshold (default 0.5) — the same "score ≥ t" rule as the ROC and
 *   precision–recall curves, so a threshold read off a curve means the same thing here.
 * - Multiclass: yTrue holds class indices 0..k-1; scores are an n×k row-major probability
 *   matrix; the predicted class is the row's arg max, ties going to the lowest index (numpy's
 *   argmax).
 * - Empty input, NaN, labels out of range and probabilities outside [0, 1] throw a UserError.
 * - Values that scikit-learn defines by convention are reproduced: precision / recall / F1 are
 *   0 where their denominator is 0 (zero_division=0), MCC is 0 when a marginal is constant,
 *   R² and explained variance are 1 for a perfect fit of constant targets and 0 otherwise
 *   (force_finite=True), macro averages run over the labels present in yTrue or the predictions
 *   (scikit-learn's default `labels=None`).
 * - Values that scikit-learn refuses (ROC AUC with one class in yTrue, R² with one example) are
 *   left out of {@link computeHeadlineMetrics} with the reason in `omitted`.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import type { Task } from '../project/types';
import { UserError } from '../util/errors';
import {
  assertBinaryLabels,
  assertClassLabels,
  assertFiniteNonEmpty,
  assertProbabilities,
  assertProbabilityMatrix,
  assertSameLength,
} from './inputs';
import { averagePrecisionFromSorted, rocAucFromSorted, rocAucOneVsRestUnchecked, sortScoresByLabel, type OneVsRestAuc } from './ranking';

/**
 * Probabilities are clipped to [LOG_LOSS_EPS, 1 − LOG_LOSS_EPS] before the log: float64's
 * machine epsilon (2.22e-16), as scikit-learn's `log_loss(eps="auto")` does for float64 input
 * (the only behaviour from scikit-learn 1.5 on, where the old fixed 1e-15 is gone). It matters
 * for exact 0/1 predictions: each confidently wrong one costs −log(eps) = 36.04, not 34.54.
 */
export const LOG_LOSS_EPS = Number.EPSILON;

/** Counts of a binary confusion matrix at one threshold. */
export interface BinaryConfusion {
  threshold: number;
  tn: number;
  fp: number;
  fn: number;
  tp: number;
  /** [[tn, fp], [fn, tp]]: rows are the true class, columns the predicted class (scikit-learn's layout). */
  matrix: number[][];
}

/**
 * Binary confusion matrix of `scores ≥ threshold` against yTrue.
 * @param yTrue 0/1 labels, length n ≥ 1.
 * @param scores P(class 1) — or any real score when the threshold is on that scale — length n.
 * @param threshold default 0.5; an example is predicted positive when score ≥ threshold.
 */
export function binaryConfusionMatrix(yTrue: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): BinaryConfusion {
  assertBinaryLabels('yTrue', yTrue);
  assertFiniteNonEmpty('scores', scores, true);
  assertSameLength('yTrue', yTrue, 'scores', scores);
  if (Number.isNaN(threshold)) throw new UserError('The decision threshold is NaN: give a number.');
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let tp = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const predictedPositive = scores[i] >= threshold;
    if (yTrue[i] === 1) {
      if (predictedPositive) tp++;
      else fn++;
    } else if (predictedPositive) fp++;
    else tn++;
  }
  return { threshold, tn, fp, fn, tp, matrix: [[tn, fp], [fn, tp]] };
}

/**
 * Predicted class of each row of an n×k row-major score matrix: the arg max, ties to the lowest
 * index. No input checks (callers validate).
 */
export function argmaxRows(scores: ArrayLike<number>, n: number, k: number): Int32Array {
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let best = 0;
    let bestScore = scores[row];
    for (let c = 1; c < k; c++) {
      const s = scores[row + c];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    predicted[i] = best;
  }
  return predicted;
}

/**
 * k×k confusion matrix: entry [t][p] counts examples of true class t predicted as p
 * (scikit-learn's `confusion_matrix(y, y_pred, labels=range(k))`).
 * @param yTrue class indices 0..k-1, length n ≥ 1.
 * @param yPred class indices 0..k-1, length n.
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  assertClassLabels('yTrue', yTrue, k);
  assertClassLabels('yPred', yPred, k);
  assertSameLength('yTrue', yTrue, 'yPred', yPred);
  const matrix: number[][] = [];
  for (let t = 0; t < k; t++) matrix.push(new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]][yPred[i]]++;
  return matrix;
}

/** Precision, recall and F1 of one class, with its support (number of true examples). */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Averaged precision, recall and F1. */
export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

/** Result of {@link classificationScores}. */
export interface ClassificationScores {
  /** Per class 0..k-1 (a class absent from both yTrue and the predictions scores 0 with support 0). */
  perClass: ClassScores[];
  /** Unweighted mean over the classes present in yTrue or the predictions (scikit-learn's default label set). */
  macro: AveragedScores;
  /** Mean weighted by support over the same classes. */
  weighted: AveragedScores;
  /** From the pooled counts; equals accuracy for single-label data. */
  micro: AveragedScores;
  /** Indices of the classes the macro and weighted averages run over. */
  labelsAveraged: number[];
}

/** Row sums (true counts), column sums (predicted counts), the trace and the total of a k×k confusion matrix. */
function confusionMarginals(matrix: number[][]): { trueCounts: Float64Array; predictedCounts: Float64Array; correct: number; total: number } {
  const k = matrix.length;
  const trueCounts = new Float64Array(k);
  const predictedCounts = new Float64Array(k);
  let correct = 0;
  let total = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      trueCounts[t] += matrix[t][p];
      predictedCounts[p] += matrix[t][p];
      total += matrix[t][p];
    }
    correct += matrix[t][t];
  }
  return { trueCounts, predictedCounts, correct, total };
}

/**
 * Per-class, macro, weighted and micro precision, recall and F1 from a confusion matrix, as
 * scikit-learn's `precision_recall_fscore_support` with `zero_division=0`.
 * @param matrix k×k confusion matrix (rows true class, columns predicted class), total count ≥ 1.
 */
export function classificationScoresFromConfusion(matrix: number[][]): ClassificationScores {
  const k = matrix.length;
  const { trueCounts, predictedCounts, correct, total } = confusionMarginals(matrix);
  const perClass: ClassScores[] = [];
  const labelsAveraged: number[] = [];
  const macro = { precision: 0, recall: 0, f1: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0 };
  let supportAveraged = 0;
  for (let c = 0; c < k; c++) {
    const tp = matrix[c][c];
    const precision = predictedCounts[c] > 0 ? tp / predictedCounts[c] : 0;
    const recall = trueCounts[c] > 0 ? tp / trueCounts[c] : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support: trueCounts[c] });
    if (trueCounts[c] > 0 || predictedCounts[c] > 0) {
      labelsAveraged.push(c);
      macro.precision += precision;
      macro.recall += recall;
      macro.f1 += f1;
      weighted.precision += precision * trueCounts[c];
      weighted.recall += recall * trueCounts[c];
      weighted.f1 += f1 * trueCounts[c];
      supportAveraged += trueCounts[c];
    }
  }
  const m = labelsAveraged.length;
  macro.precision /= m;
  macro.recall /= m;
  macro.f1 /= m;
  weighted.precision /= supportAveraged;
  weighted.recall /= supportAveraged;
  weighted.f1 /= supportAveraged;
  const microValue = correct / total;
  return { perClass, macro, weighted, micro: { precision: microValue, recall: microValue, f1: microValue }, labelsAveraged };
}

/** Result of {@link classificationReport}. */
export interface ClassificationReport {
  /** k×k counts, rows true class, columns predicted class. */
  confusion: number[][];
  /** Per-class, macro, weighted and micro precision / recall / F1. */
  scores: ClassificationScores;
  /** Predicted class of each example. */
  predicted: Int32Array;
}

/**
 * Confusion matrix and per-class / averaged precision, recall and F1 of probabilistic
 * predictions, for the tables the CLI and the evaluation panel show.
 * @param yTrue 0/1 labels (k = 2 with a score vector) or class indices 0..k-1, length n ≥ 1.
 * @param scores P(class 1) (k = 2, length n; class 1 predicted when ≥ threshold) or n×k
 *   row-major probabilities (arg max, ties to the lowest index).
 * @param threshold binary decision threshold, default 0.5; ignored for a matrix.
 */
export function classificationReport(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number, threshold = 0.5): ClassificationReport {
  const n = yTrue.length;
  let predicted: Int32Array;
  if (k === 2 && scores.length === n) {
    assertBinaryLabels('yTrue', yTrue);
    assertFiniteNonEmpty('scores', scores, true);
    predicted = Int32Array.from(scores, (s) => (s >= threshold ? 1 : 0));
  } else {
    assertClassLabels('yTrue', yTrue, k);
    assertProbabilityMatrix('scores', scores, n, k);
    predicted = argmaxRows(scores, n, k);
  }
  const confusion = confusionMatrix(yTrue, predicted, k);
  return { confusion, scores: classificationScoresFromConfusion(confusion), predicted };
}

/**
 * Matthews correlation coefficient from a k×k confusion matrix (the multiclass R_K statistic,
 * which reduces to (tp·tn − fp·fn)/√(…) for k = 2), as scikit-learn's `matthews_corrcoef`.
 * @returns a value in [−1, 1]; 0 when yTrue or the predictions hold a single class (the
 *   denominator is 0), as scikit-learn does.
 */
export function matthewsCorrelationFromConfusion(matrix: number[][]): number {
  const k = matrix.length;
  const { trueCounts, predictedCounts, correct, total } = confusionMarginals(matrix);
  let truePredDot = 0;
  let predPredDot = 0;
  let trueTrueDot = 0;
  for (let c = 0; c < k; c++) {
    truePredDot += trueCounts[c] * predictedCounts[c];
    predPredDot += predictedCounts[c] * predictedCounts[c];
    trueTrueDot += trueCounts[c] * trueCounts[c];
  }
  const covTruePred = correct * total - truePredDot;
  const covPredPred = total * total - predPredDot;
  const covTrueTrue = total * total - trueTrueDot;
  if (covPredPred * covTrueTrue === 0) return 0;
  return covTruePred / Math.sqrt(covTrueTrue * covPredPred);
}

/**
 * Mean log loss (cross-entropy, natural log), as scikit-learn's `log_loss(y, p, labels=range(k), eps="auto")`:
 * probabilities are clipped to [ε, 1 − ε] with ε = float64's machine epsilon ({@link LOG_LOSS_EPS})
 * and each row renormalised to sum to 1, so an exact 0 for the true class costs −log ε ≈ 36.04.
 * @param yTrue binary 0/1 labels when k = 2 and scores has n values; else class indices 0..k-1.
 * @param scores P(class 1) (length n) when k = 2 and binary; otherwise n×k row-major probabilities.
 * @param k number of classes (≥ 2).
 */
export function logLoss(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  if (k === 2 && scores.length === n) {
    assertBinaryLabels('yTrue', yTrue);
    assertProbabilities('scores', scores);
    return binaryLogLossUnchecked(yTrue, scores);
  }
  assertClassLabels('yTrue', yTrue, k);
  assertProbabilityMatrix('scores', scores, n, k);
  return multiclassLogLossUnchecked(yTrue, scores, k);
}

function clipProbability(p: number): number {
  return p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p;
}

/** Binary log loss without input checks (see {@link logLoss}). */
export function binaryLogLossUnchecked(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = clipProbability(scores[i]);
    const q = 1 - p;
    // scikit-learn renormalises the two-column row [1 − p, p]; (1 − p) + p is 1 up to rounding.
    sum -= Math.log((yTrue[i] === 1 ? p : q) / (q + p));
  }
  return sum / n;
}

/** Multiclass log loss without input checks (see {@link logLoss}). */
export function multiclassLogLossUnchecked(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += clipProbability(scores[row + c]);
    sum -= Math.log(clipProbability(scores[row + yTrue[i]]) / rowSum);
  }
  return sum / n;
}

/**
 * Brier score. Binary (k = 2, scores of length n): mean of (p − y)², as scikit-learn's
 * `brier_score_loss`, in [0, 1]. Multiclass (n×k scores): mean over examples of Σ_c (p_c − 1[y = c])²,
 * in [0, 2] — for k = 2 this is twice the binary value.
 * @param yTrue 0/1 labels (binary) or class indices 0..k-1.
 * @param scores P(class 1) (binary, length n) or n×k row-major probabilities.
 */
export function brierScore(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  if (k === 2 && scores.length === n) {
    assertBinaryLabels('yTrue', yTrue);
    assertProbabilities('scores', scores);
    return binaryBrierUnchecked(yTrue, scores);
  }
  assertClassLabels('yTrue', yTrue, k);
  assertProbabilityMatrix('scores', scores, n, k);
  return multiclassBrierUnchecked(yTrue, scores, k);
}

/** Binary Brier score without input checks. */
export function binaryBrierUnchecked(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = scores[i] - yTrue[i];
    sum += d * d;
  }
  return sum / n;
}

/** Multiclass Brier score without input checks. */
export function multiclassBrierUnchecked(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    const label = yTrue[i];
    for (let c = 0; c < k; c++) {
      const d = scores[row + c] - (c === label ? 1 : 0);
      sum += d * d;
    }
  }
  return sum / n;
}

/** A set of named metric values plus the metrics that could not be computed and why. */
export interface MetricReport {
  /** Metric name → value. Only defined values appear. */
  metrics: Record<string, number>;
  /** Metric name → why it is undefined on this data (e.g. "only one class present in yTrue"). */
  omitted: Record<string, string>;
}

/**
 * Binary metrics at a threshold plus the threshold-free ones.
 * Keys: accuracy, precision, recall, f1 (of class 1), precision_macro, recall_macro, f1_macro,
 * roc_auc, average_precision, log_loss, brier, mcc.
 * roc_auc is omitted when yTrue holds a single class; average_precision when it has no positive.
 * @param yTrue 0/1 labels, length n ≥ 1.
 * @param scores P(class 1) in [0, 1], length n.
 * @param threshold decision threshold, default 0.5 (score ≥ threshold → positive).
 */
export function binaryMetrics(yTrue: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): MetricReport {
  assertBinaryLabels('yTrue', yTrue);
  assertProbabilities('scores', scores);
  assertSameLength('yTrue', yTrue, 'scores', scores);
  const n = yTrue.length;
  const confusion = binaryConfusionMatrix(yTrue, scores, threshold);
  const omitted: Record<string, string> = {};
  const sorted = sortScoresByLabel(yTrue, scores);
  const onlyClass = sorted.positives.length === 0 ? 0 : sorted.negatives.length === 0 ? 1 : -1;
  if (onlyClass >= 0) omitted.roc_auc = `only class ${onlyClass} is present in yTrue, so ROC AUC is undefined`;
  if (sorted.positives.length === 0) omitted.average_precision = 'yTrue has no positive example, so recall and average precision are undefined';
  const metrics = binaryMetricsFromParts({
    matrix: confusion.matrix,
    n,
    rocAuc: onlyClass >= 0 ? NaN : rocAucFromSorted(sorted),
    averagePrecision: sorted.positives.length === 0 ? NaN : averagePrecisionFromSorted(sorted),
    logLoss: binaryLogLossUnchecked(yTrue, scores),
    brier: binaryBrierUnchecked(yTrue, scores),
  });
  return { metrics, omitted };
}

/**
 * The binary headline metrics (keys as {@link binaryMetrics}) from their parts: the confusion
 * matrix [[tn, fp], [fn, tp]] of n examples, and the threshold-free metrics computed
 * elsewhere (NaN for an undefined ROC AUC or average precision, which is then left out).
 * binaryMetrics and the bootstrap (./resample.ts) both build their records here, so a
 * resample's metrics are defined exactly as the full set's.
 */
export function binaryMetricsFromParts(parts: {
  matrix: number[][];
  n: number;
  rocAuc: number;
  averagePrecision: number;
  logLoss: number;
  brier: number;
}): Record<string, number> {
  const { matrix, n } = parts;
  const report = classificationScoresFromConfusion(matrix);
  const positive = report.perClass[1];
  const metrics: Record<string, number> = {
    accuracy: (matrix[1][1] + matrix[0][0]) / n,
    precision: positive.precision,
    recall: positive.recall,
    f1: positive.f1,
    precision_macro: report.macro.precision,
    recall_macro: report.macro.recall,
    f1_macro: report.macro.f1,
  };
  if (!Number.isNaN(parts.rocAuc)) metrics.roc_auc = parts.rocAuc;
  if (!Number.isNaN(parts.averagePrecision)) metrics.average_precision = parts.averagePrecision;
  metrics.log_loss = parts.logLoss;
  metrics.brier = parts.brier;
  metrics.mcc = matthewsCorrelationFromConfusion(matrix);
  return metrics;
}

/**
 * Multiclass metrics from probabilities.
 * Keys: accuracy, precision_macro, recall_macro, f1_macro, precision_weighted, recall_weighted,
 * f1_weighted, f1_micro, roc_auc (one-vs-rest macro), roc_auc_weighted (one-vs-rest weighted by
 * prevalence), log_loss, brier (Σ over classes, mean over examples), mcc.
 * roc_auc and roc_auc_weighted are omitted when some class is absent from yTrue (scikit-learn raises).
 * @param yTrue class indices 0..k-1, length n ≥ 1.
 * @param scores n×k row-major probabilities.
 */
export function multiclassMetrics(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): MetricReport {
  assertClassLabels('yTrue', yTrue, k);
  assertProbabilityMatrix('scores', scores, yTrue.length, k);
  const n = yTrue.length;
  const predicted = argmaxRows(scores, n, k);
  const matrix = confusionMatrix(yTrue, predicted, k);
  const omitted: Record<string, string> = {};
  const auc = rocAucOneVsRestUnchecked(yTrue, scores, k);
  if (auc === undefined) {
    const absent: number[] = [];
    for (let c = 0; c < k; c++) if (matrix[c].every((count) => count === 0)) absent.push(c);
    const reason = `class${absent.length > 1 ? 'es' : ''} ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} absent from yTrue, so one-vs-rest ROC AUC is undefined`;
    omitted.roc_auc = reason;
    omitted.roc_auc_weighted = reason;
  }
  const metrics = multiclassMetricsFromParts({
    matrix,
    rocAuc: auc ?? null,
    logLoss: multiclassLogLossUnchecked(yTrue, scores, k),
    brier: multiclassBrierUnchecked(yTrue, scores, k),
  });
  return { metrics, omitted };
}

/**
 * The multiclass headline metrics (keys as {@link multiclassMetrics}) from their parts: the
 * k×k confusion matrix, the one-vs-rest ROC AUC (null when a class is absent from yTrue,
 * which leaves roc_auc and roc_auc_weighted out), log loss and Brier score. Shared with the
 * bootstrap (./resample.ts), see {@link binaryMetricsFromParts}.
 */
export function multiclassMetricsFromParts(parts: {
  matrix: number[][];
  rocAuc: Pick<OneVsRestAuc, 'macro' | 'weighted'> | null;
  logLoss: number;
  brier: number;
}): Record<string, number> {
  const report = classificationScoresFromConfusion(parts.matrix);
  const metrics: Record<string, number> = {
    accuracy: report.micro.f1,
    precision_macro: report.macro.precision,
    recall_macro: report.macro.recall,
    f1_macro: report.macro.f1,
    precision_weighted: report.weighted.precision,
    recall_weighted: report.weighted.recall,
    f1_weighted: report.weighted.f1,
    f1_micro: report.micro.f1,
  };
  if (parts.rocAuc) {
    metrics.roc_auc = parts.rocAuc.macro;
    metrics.roc_auc_weighted = parts.rocAuc.weighted;
  }
  metrics.log_loss = parts.logLoss;
  metrics.brier = parts.brier;
  metrics.mcc = matthewsCorrelationFromConfusion(parts.matrix);
  return metrics;
}

/**
 * Regression metrics. Keys: mse, rmse, mae, r2, explained_variance.
 * r2 is omitted with fewer than two examples (scikit-learn returns NaN). For constant targets
 * both r2 and explained_variance are 1 when the fit is perfect and 0 otherwise (scikit-learn's
 * force_finite=True).
 * @param yTrue targets, length n ≥ 1, finite.
 * @param yPred predictions, length n, finite.
 */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): MetricReport {
  assertFiniteNonEmpty('yTrue', yTrue);
  assertFiniteNonEmpty('yPred', yPred);
  assertSameLength('yTrue', yTrue, 'yPred', yPred);
  const n = yTrue.length;
  let sumTrue = 0;
  let sumResidual = 0;
  let sumSquared = 0;
  let sumAbsolute = 0;
  for (let i = 0; i < n; i++) {
    const r = yTrue[i] - yPred[i];
    sumTrue += yTrue[i];
    sumResidual += r;
    sumSquared += r * r;
    sumAbsolute += Math.abs(r);
  }
  const meanTrue = sumTrue / n;
  const meanResidual = sumResidual / n;
  // Second pass around the means: centred sums are far more accurate than E[x²] − E[x]².
  let totalSquares = 0;
  let residualVariance = 0;
  for (let i = 0; i < n; i++) {
    const d = yTrue[i] - meanTrue;
    totalSquares += d * d;
    const e = yTrue[i] - yPred[i] - meanResidual;
    residualVariance += e * e;
  }
  const mse = sumSquared / n;
  const metrics: Record<string, number> = { mse, rmse: Math.sqrt(mse), mae: sumAbsolute / n };
  const omitted: Record<string, string> = {};
  if (n < 2) {
    omitted.r2 = 'R² is not well-defined with fewer than two examples';
  } else {
    metrics.r2 = forceFiniteRatioScore(sumSquared, totalSquares);
  }
  metrics.explained_variance = forceFiniteRatioScore(residualVariance, totalSquares);
  return { metrics, omitted };
}

/** 1 − numerator/denominator, with scikit-learn's force_finite rule when the denominator is 0. */
function forceFiniteRatioScore(numerator: number, denominator: number): number {
  if (denominator === 0) return numerator === 0 ? 1 : 0;
  return 1 - numerator / denominator;
}

/**
 * The headline metrics of a task with the metrics that are undefined on this data and why.
 * - binary: yTrue 0/1, scores P(class 1) (length n), k = 2. Keys as {@link binaryMetrics}.
 * - multiclass: yTrue class indices 0..k-1, scores n×k row-major probabilities, k ≥ 2. Keys as
 *   {@link multiclassMetrics}.
 * - regression: yTrue targets, scores predictions (length n), k = 1. Keys as {@link regressionMetrics}.
 * @throws UserError on empty input, NaN, bad labels or shapes, or a k that does not fit the task.
 */
export function computeHeadlineMetrics(task: Task, yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): MetricReport {
  switch (task) {
    case 'binary':
      if (k !== 2) throw new UserError(`A binary task has k = 2 classes, but k = ${k} was given.`);
      if (scores.length === 2 * yTrue.length && yTrue.length > 0) {
        throw new UserError('Binary scores must be P(class 1), one value per example, not an n×2 matrix: pass the second column.');
      }
      return binaryMetrics(yTrue, scores);
    case 'multiclass':
      return multiclassMetrics(yTrue, scores, k);
    case 'regression':
      if (k !== 1) throw new UserError(`A regression task has k = 1 output, but k = ${k} was given.`);
      return regressionMetrics(yTrue, scores);
    default:
      throw new UserError(`Unknown task '${String(task)}': expected binary, multiclass or regression.`);
  }
}

/**
 * The headline metrics of a task as name → value; metrics undefined on this data are left out
 * (call {@link computeHeadlineMetrics} to get the reasons). See computeHeadlineMetrics for shapes.
 */
export function headlineMetrics(task: Task, yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): Record<string, number> {
  return computeHeadlineMetrics(task, yTrue, scores, k).metrics;
}
