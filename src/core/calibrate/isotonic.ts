/**
 * Isotonic regression calibration, as scikit-learn's `IsotonicRegression(out_of_bounds='clip')`
 * fitted on (probability, outcome) pairs:
 * 1. inputs within 1e-15 of the first input of their group are merged into one point carrying the
 *    mean outcome and the group's size as weight (scikit-learn's `_make_unique`, whose tolerance
 *    is numpy's float64 resolution);
 * 2. pool-adjacent-violators gives the weighted least-squares non-decreasing fit;
 * 3. interior points whose fitted value equals both neighbours' are dropped (they lie on a flat
 *    segment and do not change the interpolation);
 * 4. prediction interpolates linearly between the kept points and is constant beyond the ends.
 *
 * Because outcomes are 0/1, the inputs are split by outcome and each part sorted with the native
 * typed-array sort; a merge then yields every distinct input with its count and positives —
 * O(n log n) without a comparator-driven index sort.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { assertFitInputs, oneVsRestColumn } from './shared';
import type { IsotonicCalibrator } from './types';

/** Inputs closer than this to the first input of their group are merged (numpy's float64 resolution, as scikit-learn). */
const UNIQUE_TOLERANCE = 1e-15;

/** A fitted isotonic map: x strictly increasing, y non-decreasing, same length ≥ 1. */
export interface IsotonicFit {
  x: number[];
  y: number[];
}

/**
 * Weighted pool-adjacent-violators: the non-decreasing sequence closest to `values` in weighted
 * least squares. Returns a new array of fitted values, one per input.
 * @param values length m ≥ 0; @param weights positive, length m.
 */
export function poolAdjacentViolators(values: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
  const m = values.length;
  // Blocks as a stack: mean, weight and the index where each starts.
  const blockMean = new Float64Array(m);
  const blockWeight = new Float64Array(m);
  const blockStart = new Int32Array(m);
  let top = -1;
  for (let i = 0; i < m; i++) {
    top++;
    blockMean[top] = values[i];
    blockWeight[top] = weights[i];
    blockStart[top] = i;
    while (top > 0 && blockMean[top - 1] >= blockMean[top]) {
      const w = blockWeight[top - 1] + blockWeight[top];
      blockMean[top - 1] = (blockWeight[top - 1] * blockMean[top - 1] + blockWeight[top] * blockMean[top]) / w;
      blockWeight[top - 1] = w;
      top--;
    }
  }
  const fitted = new Float64Array(m);
  for (let b = 0; b <= top; b++) {
    const end = b < top ? blockStart[b + 1] : m;
    fitted.fill(blockMean[b], blockStart[b], end);
  }
  return fitted;
}

/**
 * Fits a non-decreasing map from probabilities to 0/1 outcomes (see the file doc for the steps).
 * @param x inputs (e.g. probabilities), finite, length n ≥ 1.
 * @param outcomes 0/1, length n.
 */
export function fitIsotonicBinary(x: ArrayLike<number>, outcomes: ArrayLike<number>): IsotonicFit {
  const n = x.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (outcomes[i] === 1) nPos++;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (outcomes[i] === 1) pos[p++] = x[i] + 0;
    else neg[q++] = x[i] + 0;
  }
  pos.sort();
  neg.sort();

  // Merge ascending into groups: first x of the group, its size and its positives.
  const groupX: number[] = [];
  const groupCount: number[] = [];
  const groupPositives: number[] = [];
  let pi = 0;
  let ni = 0;
  let start = NaN;
  while (pi < nPos || ni < neg.length) {
    // On equal inputs take the negative first: scikit-learn orders by (x, y).
    const takeNegative = pi >= nPos || (ni < neg.length && neg[ni] <= pos[pi]);
    const value = takeNegative ? neg[ni++] : pos[pi++];
    if (groupX.length === 0 || value - start >= UNIQUE_TOLERANCE) {
      start = value;
      groupX.push(value);
      groupCount.push(0);
      groupPositives.push(0);
    }
    const g = groupX.length - 1;
    groupCount[g]++;
    if (!takeNegative) groupPositives[g]++;
  }
  const m = groupX.length;
  const means = new Float64Array(m);
  for (let g = 0; g < m; g++) means[g] = groupPositives[g] / groupCount[g];
  const fitted = poolAdjacentViolators(means, groupCount);

  const fit: IsotonicFit = { x: [], y: [] };
  for (let g = 0; g < m; g++) {
    const interiorOnFlat = g > 0 && g < m - 1 && fitted[g] === fitted[g - 1] && fitted[g] === fitted[g + 1];
    if (interiorOnFlat) continue;
    fit.x.push(groupX[g]);
    fit.y.push(fitted[g]);
  }
  return fit;
}

/**
 * Evaluates a fitted isotonic map at t: linear interpolation between the points, constant
 * beyond the first and last (scikit-learn's out_of_bounds='clip').
 */
export function evaluateIsotonic(x: ArrayLike<number>, y: ArrayLike<number>, t: number): number {
  const m = x.length;
  if (t <= x[0]) return y[0];
  if (t >= x[m - 1]) return y[m - 1];
  // Largest j with x[j] ≤ t (binary search); then x[j] ≤ t < x[j + 1].
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= t) lo = mid;
    else hi = mid;
  }
  const slope = (y[hi] - y[lo]) / (x[hi] - x[lo]);
  return slope * (t - x[lo]) + y[lo];
}

/**
 * Fits isotonic calibration on held-out predictions.
 * Binary (k = 2): one map on P(class 1). Multiclass: one map per class, one-vs-rest, rows
 * renormalised when applied (as scikit-learn's CalibratedClassifierCV).
 * Isotonic regression has as many free steps as distinct inputs and overfits small sets:
 * selectCalibrator only considers it from 1,000 examples.
 * @param scores P(class 1) (k = 2, length n) or n×k row-major probabilities.
 * @param yTrue 0/1 labels (k = 2) or class indices 0..k-1, length n ≥ 1.
 * @throws UserError on empty input, NaN, bad labels or shapes.
 */
export function fitIsotonic(scores: ArrayLike<number>, yTrue: ArrayLike<number>, k: number): IsotonicCalibrator {
  const binary = assertFitInputs(scores, yTrue, k);
  const x: number[][] = [];
  const y: number[][] = [];
  const classes = binary ? [1] : Array.from({ length: k }, (_, c) => c);
  for (const c of classes) {
    const column = binary ? { probabilities: scores, outcomes: yTrue } : oneVsRestColumn(scores, yTrue, k, c);
    const fit = fitIsotonicBinary(column.probabilities, column.outcomes);
    x.push(fit.x);
    y.push(fit.y);
  }
  return { method: 'isotonic', params: { k, x, y } };
}
