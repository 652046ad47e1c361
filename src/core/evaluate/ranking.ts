/**
 * Ranking metrics: ROC AUC (binary and one-vs-rest) and average precision.
 *
 * Algorithm: the scores of the positive and of the negative examples are copied into two
 * Float64Arrays and each is sorted with the native numeric typed-array sort (no comparator
 * callback, so ~10× faster than sorting an index array). Everything else is a linear merge of
 * the two sorted arrays, so the cost is O(n log n) with small constants and ties are handled
 * exactly: examples with equal scores always cross a threshold together, as in scikit-learn.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { UserError } from '../util/errors';
import {
  assertBinaryLabels,
  assertClassLabels,
  assertFiniteNonEmpty,
  assertProbabilityMatrix,
  assertSameLength,
} from './inputs';

/** Scores of the positive and negative examples, each sorted ascending. */
export interface ScoresByLabel {
  positives: Float64Array;
  negatives: Float64Array;
}

/**
 * Splits scores by label and sorts each part ascending.
 * @param yTrue labels; example i is positive when `yTrue[i] === positiveLabel`.
 * @param scores example i's score is `scores[i * stride + column]` (stride 1, column 0 for a vector;
 *   stride k, column c for column c of an n×k row-major matrix).
 */
export function sortScoresByLabel(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  positiveLabel = 1,
  stride = 1,
  column = 0,
): ScoresByLabel {
  const n = yTrue.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === positiveLabel) nPos++;
  const positives = new Float64Array(nPos);
  const negatives = new Float64Array(n - nPos);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    // `+ 0` turns -0 into +0 so that the sorted order and equality agree.
    const s = scores[i * stride + column] + 0;
    if (yTrue[i] === positiveLabel) positives[p++] = s;
    else negatives[q++] = s;
  }
  positives.sort();
  negatives.sort();
  return { positives, negatives };
}

/**
 * Area under the ROC curve from pre-sorted scores: the probability that a random positive
 * scores above a random negative, ties counting one half (the Mann–Whitney U statistic / (P·N)),
 * which equals the trapezoidal area under scikit-learn's ROC curve.
 * @returns NaN when there are no positives or no negatives (undefined).
 */
export function rocAucFromSorted({ positives, negatives }: ScoresByLabel): number {
  const nPos = positives.length;
  const nNeg = negatives.length;
  if (nPos === 0 || nNeg === 0) return NaN;
  // below = #negatives strictly below the current positive, atOrBelow = #negatives ≤ it.
  // Both only grow as we walk the positives upward, so the merge is linear.
  let below = 0;
  let atOrBelow = 0;
  let twiceU = 0;
  for (let i = 0; i < nPos; i++) {
    const s = positives[i];
    while (below < nNeg && negatives[below] < s) below++;
    if (atOrBelow < below) atOrBelow = below;
    while (atOrBelow < nNeg && negatives[atOrBelow] <= s) atOrBelow++;
    twiceU += below + atOrBelow; // = 2·(below + ties/2), kept integral for exactness
  }
  return twiceU / (2 * nPos * nNeg);
}

/**
 * Walks the distinct score values from highest to lowest, calling `visit(threshold, tp, fp)`
 * with the counts of positives and negatives whose score is ≥ threshold. This is the sequence
 * of operating points of scikit-learn's `_binary_clf_curve`.
 */
export function walkThresholdsDescending(
  { positives, negatives }: ScoresByLabel,
  visit: (threshold: number, tp: number, fp: number) => void,
): void {
  let pi = positives.length - 1;
  let ni = negatives.length - 1;
  let tp = 0;
  let fp = 0;
  while (pi >= 0 || ni >= 0) {
    const t = pi < 0 ? negatives[ni] : ni < 0 ? positives[pi] : Math.max(positives[pi], negatives[ni]);
    while (pi >= 0 && positives[pi] === t) {
      tp++;
      pi--;
    }
    while (ni >= 0 && negatives[ni] === t) {
      fp++;
      ni--;
    }
    visit(t, tp, fp);
  }
}

/**
 * Average precision from pre-sorted scores: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct thresholds
 * (scikit-learn's definition; a step function, not the interpolated trapezoid).
 * @returns NaN when there are no positives (recall is undefined).
 */
export function averagePrecisionFromSorted(sorted: ScoresByLabel): number {
  const nPos = sorted.positives.length;
  if (nPos === 0) return NaN;
  let ap = 0;
  let previousTp = 0;
  walkThresholdsDescending(sorted, (_t, tp, fp) => {
    if (tp !== previousTp) {
      ap += ((tp - previousTp) / nPos) * (tp / (tp + fp));
      previousTp = tp;
    }
  });
  return ap;
}

/**
 * Binary ROC AUC, as scikit-learn's `roc_auc_score(y_true, y_score)`.
 * @param yTrue labels 0/1, length n ≥ 1.
 * @param scores any finite or infinite real scores (higher = more positive), length n. Only their
 *   order matters, so the result is invariant to strictly increasing transforms.
 * @throws UserError when only one class is present in yTrue (scikit-learn raises too: the AUC is undefined),
 *   on empty input, NaN, or labels other than 0/1.
 */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  assertBinaryLabels('yTrue', yTrue);
  assertFiniteNonEmpty('scores', scores, true);
  assertSameLength('yTrue', yTrue, 'scores', scores);
  const auc = rocAucFromSorted(sortScoresByLabel(yTrue, scores));
  if (Number.isNaN(auc)) {
    throw new UserError('ROC AUC is undefined when only one class is present in yTrue: evaluate on data with both classes.');
  }
  return auc;
}

/**
 * Binary average precision (area under the precision–recall curve as a step sum), as
 * scikit-learn's `average_precision_score`.
 * @throws UserError when yTrue has no positive (scikit-learn warns and returns a meaningless value),
 *   on empty input, NaN, or labels other than 0/1.
 */
export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  assertBinaryLabels('yTrue', yTrue);
  assertFiniteNonEmpty('scores', scores, true);
  assertSameLength('yTrue', yTrue, 'scores', scores);
  const ap = averagePrecisionFromSorted(sortScoresByLabel(yTrue, scores));
  if (Number.isNaN(ap)) {
    throw new UserError('Average precision is undefined when yTrue has no positive example: evaluate on data with positives.');
  }
  return ap;
}

/** Result of {@link rocAucOneVsRest}. */
export interface OneVsRestAuc {
  /** Unweighted mean of the per-class AUCs. */
  macro: number;
  /** Mean of the per-class AUCs weighted by each class's count in yTrue. */
  weighted: number;
  /** AUC of class c against all others, length k. */
  perClass: Float64Array;
}

/**
 * One-vs-rest multiclass ROC AUC, as scikit-learn's `roc_auc_score(y, P, multi_class='ovr',
 * average='macro' | 'weighted')`.
 * @param yTrue class indices 0..k-1, length n.
 * @param scores n×k row-major probabilities (column c scores class c).
 * @throws UserError when some class in 0..k-1 is absent from yTrue (scikit-learn raises: that
 *   class's AUC is undefined), on NaN, empty input or shape mismatch.
 */
export function rocAucOneVsRest(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): OneVsRestAuc {
  assertClassLabels('yTrue', yTrue, k);
  assertProbabilityMatrix('scores', scores, yTrue.length, k);
  const result = rocAucOneVsRestUnchecked(yTrue, scores, k);
  if (result === undefined) {
    throw new UserError(
      `One-vs-rest ROC AUC needs every one of the ${k} classes present in yTrue: evaluate on data that contains each class.`,
    );
  }
  return result;
}

/** {@link rocAucOneVsRest} without input checks; undefined when a class is absent from yTrue. */
export function rocAucOneVsRestUnchecked(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): OneVsRestAuc | undefined {
  const n = yTrue.length;
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) counts[yTrue[i]]++;
  for (let c = 0; c < k; c++) if (counts[c] === 0) return undefined;
  const perClass = new Float64Array(k);
  let macro = 0;
  let weighted = 0;
  for (let c = 0; c < k; c++) {
    const auc = rocAucFromSorted(sortScoresByLabel(yTrue, scores, c, k, c));
    perClass[c] = auc;
    macro += auc;
    weighted += auc * counts[c];
  }
  // Every class is present and k ≥ 2, so each one-vs-rest split has both positives and negatives.
  return { macro: macro / k, weighted: weighted / n, perClass };
}
