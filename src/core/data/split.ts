/**
 * Seeded train/validation/test splits and k-fold assignments over row indices.
 * The same labels, options and seed give the same indices on every machine.
 *
 * PURE: no node built-ins.
 */
import { UserError } from '../util/errors';
import { createRng, permutation, shuffleInPlace } from '../util/random';
import { plural } from '../util/plural';

export interface SplitOptions {
  /** Fraction of rows for the test part, in [0, 1). Rounded up (as scikit-learn rounds test_size). */
  testFraction: number;
  /** Fraction of rows for the validation part, in [0, 1). Rounded up. testFraction + validationFraction < 1. */
  validationFraction: number;
  seed: number;
  /** Split each class in proportion (classification). Use false for regression. */
  stratify: boolean;
}

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Fewest rows splitIndices accepts. */
export const minimumRowsToSplit = 10;

function classKey(label: string | number): string {
  return typeof label === 'string' ? label : String(label);
}

/** Row indices of each class, classes in ascending (code unit) order, rows in index order. */
function rowsByClass(labels: ArrayLike<string | number>): Array<{ name: string; rows: number[] }> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = classKey(labels[i]);
    let rows = groups.get(key);
    if (rows === undefined) groups.set(key, (rows = []));
    rows.push(i);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, rows]) => ({ name, rows }));
}

function assertNoSingletonClass(classes: Array<{ name: string; rows: number[] }>, purpose: string): void {
  const singletons = classes.filter((c) => c.rows.length < 2).map((c) => `'${c.name}'`);
  if (singletons.length > 0) {
    throw new UserError(
      `Class ${singletons.slice(0, 5).join(', ')}${singletons.length > 5 ? ' and others' : ''} ha${singletons.length > 1 ? 've' : 's'} only 1 example; ` +
        `${purpose} needs at least 2 examples of every class. Add examples of it or remove it from the data.`,
    );
  }
}

/**
 * Splits `total` among groups in proportion to `sizes` by the largest-remainder method
 * (ties go to the larger group, then the earlier one), never giving a group more than its size.
 */
function allocateProportionally(total: number, sizes: number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum === 0 || total === 0) return sizes.map(() => 0);
  const quotas = sizes.map((s) => (total * s) / sum);
  const counts = quotas.map(Math.floor);
  let remaining = total - counts.reduce((a, b) => a + b, 0);
  const order = sizes
    .map((_, i) => i)
    .sort((a, b) => quotas[b] - counts[b] - (quotas[a] - counts[a]) || sizes[b] - sizes[a] || a - b);
  for (const i of order) {
    if (remaining <= 0) break;
    if (counts[i] < sizes[i]) {
      counts[i]++;
      remaining--;
    }
  }
  return counts;
}

function sortedInt32(values: number[]): Int32Array {
  return Int32Array.from(values).sort();
}

/**
 * Splits row indices 0..n-1 into train, validation and test parts.
 *
 * Sizes: test = ceil(n·testFraction), validation = ceil(n·validationFraction), train = rest.
 * Stratified: each class is shuffled and split in proportion (largest-remainder rounding of
 * the overall sizes across classes), then adjusted so that every class has at least one
 * training row, a class with ≥ 2 rows has a test row (when testFraction > 0), and a class with
 * ≥ 3 rows has a validation row (when validationFraction > 0); the part sizes can differ
 * from the targets by a row or two because of this. Not stratified: one seeded shuffle.
 * Indices are sorted ascending within each part. Deterministic for a seed.
 * @throws UserError with fewer than 10 rows, when stratifying with a class of 1 row, with
 *   fractions outside [0, 1) or summing to ≥ 1, or when no training rows would remain.
 */
export function splitIndices(labels: ArrayLike<string | number>, opts: SplitOptions): SplitIndices {
  const n = labels.length;
  const { testFraction, validationFraction } = opts;
  if (!(testFraction >= 0 && testFraction < 1 && validationFraction >= 0 && validationFraction < 1 && testFraction + validationFraction < 1)) {
    throw new UserError(
      `testSplit (${testFraction}) and validationSplit (${validationFraction}) must each be in [0, 1) and add up to less than 1.`,
    );
  }
  if (n < minimumRowsToSplit) {
    throw new UserError(`There are ${n} labelled examples; splitting into train/validation/test needs at least ${minimumRowsToSplit}.`);
  }
  const testTarget = Math.ceil(n * testFraction - 1e-9);
  const validationTarget = Math.ceil(n * validationFraction - 1e-9);
  if (testTarget + validationTarget >= n) {
    throw new UserError(`With ${plural(n, 'example')}, testSplit ${testFraction} and validationSplit ${validationFraction} leave no training rows.`);
  }
  const rng = createRng(opts.seed);
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];

  if (!opts.stratify) {
    const order = permutation(n, rng);
    for (let p = 0; p < n; p++) {
      (p < testTarget ? test : p < testTarget + validationTarget ? validation : train).push(order[p]);
    }
    return { train: sortedInt32(train), validation: sortedInt32(validation), test: sortedInt32(test) };
  }

  const classes = rowsByClass(labels);
  assertNoSingletonClass(classes, 'a stratified split');
  const sizes = classes.map((c) => c.rows.length);
  const testCounts = allocateProportionally(testTarget, sizes);
  const validationCounts = allocateProportionally(
    validationTarget,
    sizes.map((s, c) => s - testCounts[c]),
  );
  classes.forEach((group, c) => {
    const size = sizes[c];
    let nTest = testCounts[c];
    let nValidation = validationCounts[c];
    let nTrain = size - nTest - nValidation;
    // Every class must be learnable: take a row back from validation first, then test.
    while (nTrain < 1) {
      if (nValidation > 0) nValidation--;
      else nTest--;
      nTrain++;
    }
    // Every class that can spare a row should be measured in test and seen in validation.
    if (testFraction > 0 && nTest === 0 && size >= 2) {
      if (nTrain >= 2) nTrain--;
      else nValidation--;
      nTest++;
    }
    if (validationFraction > 0 && nValidation === 0 && size >= 3) {
      if (nTrain >= 2) nTrain--;
      else nTest--;
      nValidation++;
    }
    const rows = shuffleInPlace(group.rows.slice(), rng) as number[];
    for (let p = 0; p < size; p++) {
      (p < nTest ? test : p < nTest + nValidation ? validation : train).push(rows[p]);
    }
  });
  return { train: sortedInt32(train), validation: sortedInt32(validation), test: sortedInt32(test) };
}

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/**
 * k folds for cross-validation; fold f's test rows are its share, its train rows all others.
 *
 * Stratified (like scikit-learn's StratifiedKFold(shuffle=True)): rows ordered by class are
 * dealt to folds 0,1,…,k-1,0,1,… so each class is spread over the folds as evenly as possible
 * and fold sizes differ by at most one; then within each class the fold assignments are
 * shuffled. A class with fewer than k rows is missing from some test folds.
 * Not stratified (like KFold(shuffle=True)): a seeded shuffle cut into k parts, the first
 * n mod k parts one row larger. Indices sorted within each part. Deterministic for a seed.
 * @throws UserError when k < 2, k > n, or (stratified) a class has only 1 row.
 */
export function kFoldIndices(labels: ArrayLike<string | number>, k: number, seed: number, stratify: boolean): Fold[] {
  const n = labels.length;
  if (!Number.isInteger(k) || k < 2) throw new UserError(`Cross-validation needs at least 2 folds (got ${k}).`);
  if (n < k) throw new UserError(`There are ${n} labelled examples; ${k}-fold cross-validation needs at least ${k}.`);
  const rng = createRng(seed);
  const foldOf = new Int32Array(n);
  if (stratify) {
    const classes = rowsByClass(labels);
    assertNoSingletonClass(classes, 'stratified cross-validation');
    let position = 0;
    for (const group of classes) {
      const folds = new Int32Array(group.rows.length);
      for (let j = 0; j < folds.length; j++) folds[j] = position++ % k;
      shuffleInPlace(folds, rng);
      group.rows.forEach((row, j) => (foldOf[row] = folds[j]));
    }
  } else {
    const order = permutation(n, rng);
    const base = Math.floor(n / k);
    const larger = n % k;
    let p = 0;
    for (let f = 0; f < k; f++) {
      const size = base + (f < larger ? 1 : 0);
      for (let j = 0; j < size; j++) foldOf[order[p++]] = f;
    }
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? test : train).push(i);
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}
