/**
 * Headline metrics of bootstrap resamples without re-sorting each resample.
 *
 * A resample draws n rows of the evaluation set with replacement. Materialising it and calling
 * computeHeadlineMetrics sorts the scores again for every resample (ROC AUC and average
 * precision; one sort per class for one-vs-rest AUC), which made 1,000 resamples of a 4,000-row
 * five-class test split cost seconds. Here the rows are sorted once, by score, and a resample is
 * described by how many times each original row was drawn (its count). Then:
 *
 * - the confusion matrix is the count-weighted tally of (true class, predicted class) — the
 *   predictions are computed once;
 * - ROC AUC walks the once-sorted rows in groups of tied scores: every positive in a group
 *   scores above the negatives of the groups below it and ties with the negatives of its own
 *   group, so 2U = Σ_groups pos·(2·negBelow + negInGroup), with counts as multiplicities;
 * - average precision walks the same groups downwards with count-weighted tp and fp;
 * - log loss and Brier score are sums of per-row terms, computed once per row and added in the
 *   order the rows were drawn.
 *
 * Every count and U statistic is an integer (exact in float64), and the sums are the same
 * additions in the same order as computeHeadlineMetrics on the materialised resample, so the
 * values are bit-identical to it (test/unit/evaluate/bootstrap.test.ts compares the two).
 * Cost per resample: O(n) for binary, O(n·k) for multiclass, instead of O(n log n) and
 * O(k·n log n).
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { argmaxRows, binaryLogLossUnchecked, binaryMetricsFromParts, multiclassLogLossUnchecked, multiclassMetricsFromParts } from './metrics';

/**
 * Computes the headline metrics of one resample.
 * @param drawn the original row index of each drawn row, in drawing order (length n).
 * @param counts how many times each original row was drawn (length n, sums to n).
 * @returns metric name → value; a metric undefined on the resample (e.g. ROC AUC with one
 *   class drawn) is absent.
 */
export type ResampleMetrics = (drawn: Int32Array, counts: Int32Array) => Record<string, number>;

/** Rows sorted ascending by one score column, in runs of equal scores. */
interface TiedGroups {
  /** Original row indices in ascending score order. */
  order: Int32Array;
  /** 1 where the row at that sorted position is a positive (filled by the caller). */
  positive: Uint8Array;
  /** groupEnd[g] is one past the last position of group g in `order`; groups ascend. */
  groupEnd: Int32Array;
  groups: number;
}

/** Sorts rows by scores[i·stride + column] (−0 equal to +0, as sortScoresByLabel) and groups ties. */
function tiedGroups(scores: ArrayLike<number>, n: number, stride: number, column: number): TiedGroups {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = scores[i * stride + column] + 0;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : a - b));
  const groupEnd = new Int32Array(n);
  let groups = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || values[order[i]] !== values[order[i - 1]]) groupEnd[groups++] = i;
  }
  return { order, positive: new Uint8Array(n), groupEnd, groups };
}

/** {@link tiedGroups} with `positive` set for the rows whose label is `positiveLabel`. */
function tiedGroupsWithLabels(yTrue: ArrayLike<number>, positiveLabel: number, scores: ArrayLike<number>, stride: number, column: number): TiedGroups {
  const g = tiedGroups(scores, yTrue.length, stride, column);
  for (let i = 0; i < yTrue.length; i++) g.positive[i] = yTrue[g.order[i]] === positiveLabel ? 1 : 0;
  return g;
}

/**
 * Count-weighted positives and negatives per tied group (written into pos/neg), and 2U of the
 * Mann–Whitney statistic: the integer numerator of ROC AUC = 2U / (2·P·N).
 */
function groupCounts(g: TiedGroups, counts: Int32Array, pos: Float64Array, neg: Float64Array): number {
  const { order, positive, groupEnd, groups } = g;
  let start = 0;
  let negativesBelow = 0;
  let twiceU = 0;
  for (let k = 0; k < groups; k++) {
    let p = 0;
    let q = 0;
    const end = groupEnd[k];
    // Branch-free: positives and negatives alternate unpredictably along the scores.
    for (let i = start; i < end; i++) {
      const c = counts[order[i]];
      const isPositive = positive[i];
      p += isPositive * c;
      q += (1 - isPositive) * c;
    }
    pos[k] = p;
    neg[k] = q;
    twiceU += p * (2 * negativesBelow + q);
    negativesBelow += q;
    start = end;
  }
  return twiceU;
}

/**
 * Resample metrics for a binary task: yTrue 0/1, scores P(class 1), as
 * {@link binaryMetricsFromParts} with threshold 0.5.
 */
export function binaryResampleMetrics(yTrue: ArrayLike<number>, scores: ArrayLike<number>): ResampleMetrics {
  const n = yTrue.length;
  const positive = new Uint8Array(n);
  const predictedPositive = new Uint8Array(n);
  const logTerm = new Float64Array(n);
  const brierTerm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    positive[i] = yTrue[i] === 1 ? 1 : 0;
    predictedPositive[i] = scores[i] >= 0.5 ? 1 : 0;
    // The same expressions as binaryLogLossUnchecked / binaryBrierUnchecked, per row.
    logTerm[i] = -binaryLogLossUnchecked([yTrue[i]], [scores[i]]);
    const d = scores[i] - yTrue[i];
    brierTerm[i] = d * d;
  }
  const groups = tiedGroupsWithLabels(yTrue, 1, scores, 1, 0);
  const pos = new Float64Array(groups.groups);
  const neg = new Float64Array(groups.groups);
  return (drawn, counts) => {
    let logSum = 0;
    let brierSum = 0;
    for (let i = 0; i < n; i++) {
      const j = drawn[i];
      logSum -= logTerm[j];
      brierSum += brierTerm[j];
    }
    let tn = 0;
    let fp = 0;
    let fn = 0;
    let tp = 0;
    for (let j = 0; j < n; j++) {
      const c = counts[j];
      if (c === 0) continue;
      if (positive[j]) {
        if (predictedPositive[j]) tp += c;
        else fn += c;
      } else if (predictedPositive[j]) fp += c;
      else tn += c;
    }
    const nPos = tp + fn;
    const nNeg = tn + fp;
    const twiceU = groupCounts(groups, counts, pos, neg);
    let averagePrecision = NaN;
    if (nPos > 0) {
      // Distinct thresholds from the highest down; a group drawn zero times changes nothing.
      averagePrecision = 0;
      let cumulativeTp = 0;
      let cumulativeFp = 0;
      let previousTp = 0;
      for (let k = groups.groups - 1; k >= 0; k--) {
        cumulativeTp += pos[k];
        cumulativeFp += neg[k];
        if (cumulativeTp !== previousTp) {
          averagePrecision += ((cumulativeTp - previousTp) / nPos) * (cumulativeTp / (cumulativeTp + cumulativeFp));
          previousTp = cumulativeTp;
        }
      }
    }
    return binaryMetricsFromParts({
      matrix: [
        [tn, fp],
        [fn, tp],
      ],
      n,
      rocAuc: nPos > 0 && nNeg > 0 ? twiceU / (2 * nPos * nNeg) : NaN,
      averagePrecision,
      logLoss: logSum / n,
      brier: brierSum / n,
    });
  };
}

/**
 * Resample metrics for a multiclass task: yTrue class indices 0..k−1, scores n×k row-major
 * probabilities, as {@link multiclassMetricsFromParts}.
 */
export function multiclassResampleMetrics(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): ResampleMetrics {
  const n = yTrue.length;
  const label = Int32Array.from(yTrue);
  const predicted = argmaxRows(scores, n, k);
  const logTerm = new Float64Array(n);
  const brierTerms = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    // The same expression as multiclassLogLossUnchecked, per row.
    const row = Array.from({ length: k }, (_, c) => scores[i * k + c]);
    logTerm[i] = -multiclassLogLossUnchecked([label[i]], row, k);
    for (let c = 0; c < k; c++) {
      const d = scores[i * k + c] - (c === label[i] ? 1 : 0);
      brierTerms[i * k + c] = d * d;
    }
  }
  const perClass = Array.from({ length: k }, (_, c) => tiedGroupsWithLabels(label, c, scores, k, c));
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  const classCounts = new Float64Array(k);
  // Row j's cell of the confusion matrix, label · k + predicted, looked up once per row.
  const cell = new Int32Array(n);
  for (let j = 0; j < n; j++) cell[j] = label[j] * k + predicted[j];
  const tally = new Float64Array(k * k);
  return (drawn, counts) => {
    let logSum = 0;
    let brierSum = 0;
    for (let i = 0; i < n; i++) {
      const j = drawn[i];
      logSum -= logTerm[j];
      // multiclassBrierUnchecked adds each class's term to the running sum, in class order.
      const at = j * k;
      for (let c = 0; c < k; c++) brierSum += brierTerms[at + c];
    }
    tally.fill(0);
    for (let j = 0; j < n; j++) tally[cell[j]] += counts[j];
    const matrix: number[][] = [];
    classCounts.fill(0);
    for (let t = 0; t < k; t++) {
      const row = Array.from(tally.subarray(t * k, (t + 1) * k));
      for (let c = 0; c < k; c++) classCounts[t] += row[c];
      matrix.push(row);
    }
    let rocAuc: { macro: number; weighted: number } | null = null;
    if (classCounts.every((count) => count > 0)) {
      let macro = 0;
      let weighted = 0;
      for (let c = 0; c < k; c++) {
        const twiceU = groupCounts(perClass[c], counts, pos, neg);
        const nPos = classCounts[c];
        const nNeg = n - nPos;
        const auc = twiceU / (2 * nPos * nNeg);
        macro += auc;
        weighted += auc * classCounts[c];
      }
      rocAuc = { macro: macro / k, weighted: weighted / n };
    }
    return multiclassMetricsFromParts({ matrix, rocAuc, logLoss: logSum / n, brier: brierSum / n });
  };
}
