/**
 * Input checks shared by the metric, curve and calibration functions.
 *
 * Every public numeric function validates its arguments up front with these, so a bad input
 * (empty, NaN, a label outside 0..k-1, a probability outside [0, 1], mismatched lengths) fails
 * with a UserError that names the argument and the first offending index instead of silently
 * producing NaN further down.
 *
 * Pure module: no node built-ins, no tfjs (the browser runtime imports calibrators that use it).
 */
import { UserError } from '../util/errors';

/** Throws when `values` is empty or holds a NaN / ±Infinity (infinite scores are allowed when `allowInfinite`). */
export function assertFiniteNonEmpty(name: string, values: ArrayLike<number>, allowInfinite = false): void {
  if (values.length === 0) {
    throw new UserError(`${name} is empty: at least one example is needed to compute a metric.`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      throw new UserError(`${name}[${i}] is NaN: remove or impute missing values before evaluating.`);
    }
    if (!allowInfinite && (v === Infinity || v === -Infinity)) {
      throw new UserError(`${name}[${i}] is ${v}: values must be finite numbers.`);
    }
  }
}

/** Throws unless the two arrays have the same length. */
export function assertSameLength(nameA: string, a: ArrayLike<number>, nameB: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new UserError(`${nameA} has ${a.length} values but ${nameB} has ${b.length}: they must describe the same examples.`);
  }
}

/** Throws unless every label is 0 or 1. */
export function assertBinaryLabels(name: string, yTrue: ArrayLike<number>): void {
  assertFiniteNonEmpty(name, yTrue);
  for (let i = 0; i < yTrue.length; i++) {
    const v = yTrue[i];
    if (v !== 0 && v !== 1) {
      throw new UserError(`${name}[${i}] is ${v}: binary labels must be 0 or 1.`);
    }
  }
}

/** Throws unless every label is an integer class index in 0..k-1. */
export function assertClassLabels(name: string, yTrue: ArrayLike<number>, k: number): void {
  assertClassCount(k);
  assertFiniteNonEmpty(name, yTrue);
  for (let i = 0; i < yTrue.length; i++) {
    const v = yTrue[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new UserError(`${name}[${i}] is ${v}: class labels must be integers in 0..${k - 1}.`);
    }
  }
}

/** Throws unless k is an integer ≥ 2. */
export function assertClassCount(k: number): void {
  if (!Number.isInteger(k) || k < 2) {
    throw new UserError(`The number of classes k is ${k}: it must be an integer of at least 2.`);
  }
}

/** Throws unless every value is a finite probability in [0, 1]. */
export function assertProbabilities(name: string, p: ArrayLike<number>): void {
  assertFiniteNonEmpty(name, p);
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (v < 0 || v > 1) {
      throw new UserError(`${name}[${i}] is ${v}: probabilities must lie in [0, 1].`);
    }
  }
}

/**
 * Throws unless `scores` is an n×k row-major probability matrix for `n` examples: length n·k,
 * every entry in [0, 1]. Rows are not required to sum to exactly 1 (float32 softmax output
 * rarely does); functions that need normalised rows say so.
 */
export function assertProbabilityMatrix(name: string, scores: ArrayLike<number>, n: number, k: number): void {
  if (scores.length !== n * k) {
    throw new UserError(
      `${name} has ${scores.length} values but ${n} examples × ${k} classes = ${n * k} were expected (row-major n×k probabilities).`,
    );
  }
  assertProbabilities(name, scores);
}

/**
 * Validates classification inputs in either layout and says which one it is:
 * binary (k = 2, scores = P(class 1), one per example, labels 0/1) or multiclass
 * (scores = n×k row-major probabilities, labels 0..k-1). With k = 2 the vector layout is the
 * binary task's convention; an n×2 matrix is accepted too and treated as multiclass.
 * @returns true for the binary vector layout.
 */
export function assertClassificationInputs(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number): boolean {
  if (k === 2 && scores.length === yTrue.length) {
    assertBinaryLabels('yTrue', yTrue);
    assertProbabilities('scores', scores);
    return true;
  }
  assertClassLabels('yTrue', yTrue, k);
  assertProbabilityMatrix('scores', scores, yTrue.length, k);
  return false;
}
