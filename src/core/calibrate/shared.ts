/**
 * Numeric helpers and input checks shared by the calibrators.
 *
 * Layout rule for every calibrator: k = 2 means the binary layout (scores = P(class 1), one per
 * example, labels 0/1); k ≥ 3 means an n×k row-major probability matrix with labels 0..k-1.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { UserError } from '../util/errors';
import { assertBinaryLabels, assertClassCount, assertClassLabels, assertProbabilities, assertProbabilityMatrix } from '../evaluate/inputs';

/** Probabilities are clipped to [PROBABILITY_EPS, 1 − PROBABILITY_EPS] before a logit or log, so 0 and 1 map to finite values (±34.5). */
export const PROBABILITY_EPS = 1e-15;

export function clipProbability(p: number): number {
  return p < PROBABILITY_EPS ? PROBABILITY_EPS : p > 1 - PROBABILITY_EPS ? 1 - PROBABILITY_EPS : p;
}

/** log(p / (1 − p)) of the clipped probability. */
export function logit(p: number): number {
  const q = clipProbability(p);
  return Math.log(q / (1 - q));
}

/** 1 / (1 + e^(−z)), without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z), without overflow for large z and without losing precision for very negative z. */
export function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Checks fit inputs and says whether they are binary (k = 2) or multiclass.
 * @throws UserError on empty input, NaN, bad labels, probabilities outside [0, 1], shape
 *   mismatch, or an n×2 matrix given for k = 2.
 */
export function assertFitInputs(scores: ArrayLike<number>, yTrue: ArrayLike<number>, k: number): boolean {
  assertClassCount(k);
  if (k === 2) {
    if (scores.length === 2 * yTrue.length && yTrue.length > 0) {
      throw new UserError('For two classes, calibrators take P(class 1), one value per example, not an n×2 matrix: pass the second column.');
    }
    assertBinaryLabels('yTrue', yTrue);
    assertProbabilities('scores', scores);
    if (scores.length !== yTrue.length) {
      throw new UserError(`scores has ${scores.length} values but yTrue has ${yTrue.length}: they must describe the same examples.`);
    }
    return true;
  }
  assertClassLabels('yTrue', yTrue, k);
  assertProbabilityMatrix('scores', scores, yTrue.length, k);
  return false;
}

/** Checks scores to be calibrated: P(class 1) for k = 2, else n×k probabilities. Returns the number of examples. */
export function assertApplyInputs(scores: ArrayLike<number>, k: number): number {
  assertClassCount(k);
  if (k === 2) {
    assertProbabilities('scores', scores);
    return scores.length;
  }
  if (scores.length % k !== 0) {
    throw new UserError(`scores has ${scores.length} values, which is not a multiple of k = ${k}: pass n×k row-major probabilities.`);
  }
  assertProbabilityMatrix('scores', scores, scores.length / k, k);
  return scores.length / k;
}

/**
 * Column c of an n×k matrix as an outcome/score pair for one-vs-rest fitting.
 * @returns the column's probabilities and 1[y = c].
 */
export function oneVsRestColumn(
  scores: ArrayLike<number>,
  yTrue: ArrayLike<number>,
  k: number,
  c: number,
): { probabilities: Float64Array; outcomes: Uint8Array } {
  const n = yTrue.length;
  const probabilities = new Float64Array(n);
  const outcomes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    probabilities[i] = scores[i * k + c];
    outcomes[i] = yTrue[i] === c ? 1 : 0;
  }
  return { probabilities, outcomes };
}

/**
 * Divides each row by its sum in place; a row summing to 0 becomes uniform 1/k, and values that
 * exceed 1 by at most 1e-5 through rounding become 1 (both as scikit-learn's
 * CalibratedClassifierCV does).
 */
export function normaliseRowsInPlace(matrix: Float64Array, k: number): Float64Array {
  const n = matrix.length / k;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += matrix[row + c];
    for (let c = 0; c < k; c++) {
      let v = sum !== 0 ? matrix[row + c] / sum : 1 / k;
      if (v > 1 && v <= 1 + 1e-5) v = 1;
      matrix[row + c] = v;
    }
  }
  return matrix;
}

/**
 * Solves the symmetric positive (semi-)definite system H·x = g in place of a copy, by Cholesky
 * with a small ridge added when a pivot is not positive (a flat direction of a convex loss).
 * @param h d×d row-major matrix; @param g length d.
 */
export function solveSymmetric(h: Float64Array, g: Float64Array, d: number): Float64Array {
  let ridge = 0;
  let scale = 0;
  for (let i = 0; i < d; i++) scale = Math.max(scale, Math.abs(h[i * d + i]));
  if (scale === 0) scale = 1;
  for (let attempt = 0; attempt < 30; attempt++) {
    const l = new Float64Array(d * d);
    let ok = true;
    for (let i = 0; i < d && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = h[i * d + j] + (i === j ? ridge : 0);
        for (let m = 0; m < j; m++) sum -= l[i * d + m] * l[j * d + m];
        if (i === j) {
          if (!(sum > 1e-13 * scale)) {
            ok = false;
            break;
          }
          l[i * d + i] = Math.sqrt(sum);
        } else {
          l[i * d + j] = sum / l[j * d + j];
        }
      }
    }
    if (ok) {
      const x = Float64Array.from(g);
      for (let i = 0; i < d; i++) {
        for (let m = 0; m < i; m++) x[i] -= l[i * d + m] * x[m];
        x[i] /= l[i * d + i];
      }
      for (let i = d - 1; i >= 0; i--) {
        for (let m = i + 1; m < d; m++) x[i] -= l[m * d + i] * x[m];
        x[i] /= l[i * d + i];
      }
      return x;
    }
    ridge = ridge === 0 ? 1e-10 * scale : ridge * 10;
  }
  // Unreachable for a finite matrix: a large enough ridge always makes it positive definite.
  throw new Error('solveSymmetric: matrix is not finite');
}
