/**
 * Permutation feature importance, as scikit-learn's `sklearn.inspection.permutation_importance`
 * defines it, per feature group: how much a metric worsens when the values of one feature are
 * shuffled across rows, breaking its link with the label while keeping its distribution.
 *
 * The model is behind a scoring function (rows in, predictions out), so this works for any
 * model and for the app runtime's bundles alike.
 *
 * Checked against scikit-learn 1.2 (test/fixtures/sklearn/permutation_importance.json, made by
 * scripts/reference/sklearn_permutation_importance.py): given the same permutations, the
 * importances agree to 1e-9.
 *
 * Pure module: no node built-ins, no tfjs (the browser runtime may import it).
 */
import { metricDirection } from '../evaluate/metricNames';
import {
  argmaxRows,
  binaryBrierUnchecked,
  binaryLogLossUnchecked,
  computeHeadlineMetrics,
  multiclassBrierUnchecked,
  multiclassLogLossUnchecked,
  regressionMetrics,
} from '../evaluate/metrics';
import type { Task } from '../project/types';
import { UserError, throwIfAborted } from '../util/errors';
import { createRng, permutation } from '../util/random';
import { assertValidGroups, type FeatureGroup } from './groups';

/**
 * Scores rows with the model: `x` is row-major n×d float32, the result n×outputs row-major
 * (binary P(class 1), multiclass k probabilities, regression the value — what
 * `predictScores` returns). The function must not keep `x`: the same buffer is overwritten
 * for the next permutation once the returned promise settles.
 */
export type ScoreRows = (x: Float32Array, n: number) => Float32Array | Promise<Float32Array>;

/** Options of {@link permutationImportance}; see there for meanings and defaults. */
export interface PermutationImportanceOptions {
  x: Float32Array;
  n: number;
  d: number;
  yTrue: ArrayLike<number>;
  task: Task;
  k: number;
  groups: FeatureGroup[];
  score: ScoreRows;
  metric?: string;
  repeats?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The importance of one feature group. */
export interface FeatureImportance {
  feature: string;
  /** Mean importance over the repeats, in the metric's units; larger = more important. */
  mean: number;
  /** Population standard deviation (ddof = 0) of the repeats, as scikit-learn's importances_std. */
  std: number;
  /** One importance per repeat, in repeat order. */
  values: number[];
}

export interface PermutationImportanceResult {
  /** The metric used (a key of the task's headline metrics, e.g. 'accuracy', 'r2', 'log_loss'). */
  metric: string;
  /** False for losses (log_loss, brier, mse, rmse, mae): importance = permuted − baseline. */
  greaterIsBetter: boolean;
  /** The metric on the unpermuted rows. */
  baseline: number;
  /** One entry per group, sorted by mean descending (ties keep the groups' order). */
  importances: FeatureImportance[];
}

/** True unless `metric` is a loss (log_loss, brier, mse, rmse, mae). */
export function metricGreaterIsBetter(metric: string): boolean {
  return metricDirection(metric) === 'higher';
}

/** The metric used when none is given: accuracy for classification, r2 for regression. */
export function defaultImportanceMetric(task: Task): string {
  return task === 'regression' ? 'r2' : 'accuracy';
}

/** How long to compute before letting the event loop run (cancel messages, progress). */
const YIELD_EVERY_MS = 50;

/**
 * Permutation importance of each feature group.
 *
 * For every group and repeat, the rows of the group's columns are permuted jointly (one
 * permutation for all of its columns, so a one-hot or text block stays a valid row), the rows
 * are scored, and the importance is baseline − permuted for greater-is-better metrics
 * (accuracy, roc_auc, f1_macro, r2, …) and permuted − baseline for losses (log_loss, brier,
 * mse, rmse, mae), so larger means more important either way; 0 means the model's metric did
 * not change, and a negative value means shuffling happened to help (noise).
 *
 * - x: row-major n×d float32 (row r, column c at x[r·d + c]), usually the held-out test rows;
 *   it is not modified (one scratch copy is made and reused for every permutation).
 * - yTrue, task, k: as `headlineMetrics` (binary 0/1 with k = 2; multiclass class indices with
 *   k classes; regression targets with k = 1).
 * - metric: a key of the task's headline metrics; default accuracy (classification) or r2
 *   (regression).
 * - repeats: permutations per group, default 5. seed: default 0; the permutations are drawn
 *   from createRng(seed) group by group, repeat by repeat, so the same seed, groups and n
 *   give the same permutations.
 * - score is called (groups with columns) × repeats + 1 times with n rows each.
 * - onProgress(done, total) after each permuted scoring (total = groups × repeats).
 * - A group with no columns gets importances of exactly 0 without scoring.
 *
 * @throws UserError for fewer than 2 rows, an unknown metric, or a metric undefined on this
 *   data (e.g. roc_auc with one class); CancelledError when `signal` is aborted (checked before
 *   every scoring).
 */
export async function permutationImportance(opts: PermutationImportanceOptions): Promise<PermutationImportanceResult> {
  const repeats = opts.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new UserError(`The number of permutation repeats must be a whole number ≥ 1 (got ${repeats}).`);
  const rng = createRng(opts.seed ?? 0);
  // Drawn as needed, in group-then-repeat order, so only one permutation is held at a time.
  return importanceWithPermutationSource(opts, repeats, () => permutation(opts.n, rng));
}

/** Options of {@link permutationImportanceWithPermutations}. */
export interface ExplicitPermutationOptions extends Omit<PermutationImportanceOptions, 'repeats' | 'seed'> {
  /**
   * permutations[g][r] is the row order of repeat r for group g: after permuting, row i of the
   * group's columns holds the values of row permutations[g][r][i] (numpy's `X[perm, cols]`).
   * Every group needs the same number of repeats (≥ 1), each a permutation of 0…n−1.
   */
  permutations: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>;
}

/**
 * {@link permutationImportance} with the permutations given instead of drawn: the same
 * computation, for reproducing another implementation's result exactly (the scikit-learn
 * check) or for sharing permutations between models. Each permutation is applied to the
 * original rows (not to the previous repeat's result).
 * @throws Error when permutations does not have one list per group, the lists differ in
 *   length, or an entry is not a permutation of 0…n−1.
 */
export async function permutationImportanceWithPermutations(opts: ExplicitPermutationOptions): Promise<PermutationImportanceResult> {
  const { permutations, groups, n } = opts;
  if (permutations.length !== groups.length) throw new Error(`permutations has ${permutations.length} lists for ${groups.length} groups`);
  const repeats = permutations[0]?.length ?? 1;
  if (repeats < 1) throw new Error('permutations needs at least one repeat per group');
  const seen = new Uint8Array(n);
  permutations.forEach((perGroup, g) => {
    if (perGroup.length !== repeats) throw new Error(`group ${g} has ${perGroup.length} permutations, group 0 has ${repeats}`);
    perGroup.forEach((perm, r) => {
      if (perm.length !== n) throw new Error(`permutation ${r} of group ${g} has ${perm.length} entries, expected n = ${n}`);
      seen.fill(0);
      for (let i = 0; i < n; i++) {
        const j = perm[i];
        if (!Number.isInteger(j) || j < 0 || j >= n || seen[j]) throw new Error(`permutation ${r} of group ${g} is not a permutation of 0…${n - 1} (entry ${i} is ${j})`);
        seen[j] = 1;
      }
    });
  });
  return importanceWithPermutationSource(opts, repeats, (g, r) => permutations[g][r]);
}

async function importanceWithPermutationSource(
  opts: Omit<PermutationImportanceOptions, 'repeats' | 'seed'>,
  repeats: number,
  nextPermutation: (group: number, repeat: number) => ArrayLike<number>,
): Promise<PermutationImportanceResult> {
  const { x, n, d, yTrue, task, k, groups, signal } = opts;
  if (!Number.isInteger(n) || !Number.isInteger(d) || d < 1 || x.length !== n * d) {
    throw new Error(`permutationImportance: x has ${x.length} values, expected n·d = ${n}·${d}`);
  }
  if (n < 2) throw new UserError(`Permutation importance needs at least 2 rows to shuffle, but ${n} ${n === 1 ? 'was' : 'were'} given.`);
  if (yTrue.length !== n) throw new Error(`permutationImportance: yTrue has ${yTrue.length} values, expected n = ${n}`);
  assertValidGroups(groups, d);
  const metric = opts.metric ?? defaultImportanceMetric(task);
  const greaterIsBetter = metricGreaterIsBetter(metric);
  const outputs = task === 'multiclass' ? k : 1;

  const scoreRows = async (rows: Float32Array): Promise<Float32Array> => {
    throwIfAborted(signal);
    const scores = await opts.score(rows, n);
    if (scores.length !== n * outputs) {
      throw new Error(`permutationImportance: the scoring function returned ${scores.length} values for ${n} rows, expected ${n * outputs}`);
    }
    return scores;
  };

  // The baseline goes through the checked headline metrics (labels, probabilities, whether the
  // metric exists and is defined here); the permuted scorings then compute just that metric.
  const baseline = metricValue(task, yTrue, await scoreRows(x), k, metric);
  const fast = singleMetric(task, k, metric);
  const evaluate = async (rows: Float32Array): Promise<number> => {
    const scores = await scoreRows(rows);
    return fast ? fast(yTrue, assertFiniteScores(scores)) : metricValue(task, yTrue, scores, k, metric);
  };
  const scratch = x.slice();
  const total = groups.length * repeats;
  let done = 0;
  let lastYield = Date.now();
  const importances: FeatureImportance[] = [];
  for (let g = 0; g < groups.length; g++) {
    const columns = groups[g].columns;
    const values: number[] = [];
    for (let r = 0; r < repeats; r++) {
      if (columns.length === 0) {
        values.push(0);
      } else {
        const perm = nextPermutation(g, r);
        permuteColumnsInto(scratch, x, d, n, columns, perm);
        const permuted = await evaluate(scratch);
        values.push(greaterIsBetter ? baseline - permuted : permuted - baseline);
      }
      done++;
      opts.onProgress?.(done, total);
      if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    // Put the group's own values back so the next group sees the original rows.
    restoreColumns(scratch, x, d, n, columns);
    importances.push({ feature: groups[g].feature, ...meanAndStd(values), values });
  }
  // Array.prototype.sort is stable, so equal means keep the groups' order.
  importances.sort((a, b) => b.mean - a.mean);
  return { metric, greaterIsBetter, baseline, importances };
}

/** target[i, c] = source[perm[i], c] for every row i and each listed column c. */
function permuteColumnsInto(target: Float32Array, source: Float32Array, d: number, n: number, columns: readonly number[], perm: ArrayLike<number>): void {
  for (let i = 0; i < n; i++) {
    const to = i * d;
    const from = perm[i] * d;
    for (let j = 0; j < columns.length; j++) target[to + columns[j]] = source[from + columns[j]];
  }
}

function restoreColumns(target: Float32Array, source: Float32Array, d: number, n: number, columns: readonly number[]): void {
  for (let i = 0; i < n; i++) {
    const at = i * d;
    for (let j = 0; j < columns.length; j++) target[at + columns[j]] = source[at + columns[j]];
  }
}

/** Mean and population standard deviation (ddof = 0), computed as numpy's mean and std. */
function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / values.length) };
}

/**
 * One headline metric of the task, or a UserError that says why it cannot be used here:
 * an unknown name (listing the names that exist) or a metric undefined on this data.
 */
function metricValue(task: Task, yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number, metric: string): number {
  const report = computeHeadlineMetrics(task, yTrue, scores, k);
  const value = report.metrics[metric];
  if (value !== undefined) return value;
  const reason = report.omitted[metric];
  if (reason !== undefined) {
    throw new UserError(`Permutation importance cannot use ${metric} on these rows: ${reason}. Choose another metric, e.g. ${defaultImportanceMetric(task)}.`);
  }
  const known = [...Object.keys(report.metrics), ...Object.keys(report.omitted)].sort().join(', ');
  throw new UserError(`Unknown metric '${metric}' for a ${task} task: choose one of ${known}.`);
}

/**
 * A direct computation of the metrics that are cheap to compute alone (the same functions the
 * headline metrics use, so the values are identical), or null to use the headline metrics. All
 * headline metrics together cost several times the scoring of a small model (multiclass ROC
 * AUC sorts the rows once per class), and permutation importance computes its metric
 * groups × repeats times.
 */
function singleMetric(task: Task, k: number, metric: string): ((yTrue: ArrayLike<number>, scores: Float32Array) => number) | null {
  if (task === 'regression') return (yTrue, scores) => regressionMetrics(yTrue, scores).metrics[metric];
  if (task === 'binary') {
    if (metric === 'accuracy') {
      return (yTrue, scores) => {
        let correct = 0;
        for (let i = 0; i < yTrue.length; i++) if ((scores[i] >= 0.5 ? 1 : 0) === yTrue[i]) correct++;
        return correct / yTrue.length;
      };
    }
    if (metric === 'log_loss') return binaryLogLossUnchecked;
    if (metric === 'brier') return binaryBrierUnchecked;
    return null;
  }
  if (metric === 'accuracy') {
    return (yTrue, scores) => {
      const predicted = argmaxRows(scores, yTrue.length, k);
      let correct = 0;
      for (let i = 0; i < yTrue.length; i++) if (predicted[i] === yTrue[i]) correct++;
      return correct / yTrue.length;
    };
  }
  if (metric === 'log_loss') return (yTrue, scores) => multiclassLogLossUnchecked(yTrue, scores, k);
  if (metric === 'brier') return (yTrue, scores) => multiclassBrierUnchecked(yTrue, scores, k);
  return null;
}

/** The scores, after checking they hold no NaN or ±Infinity (the fast metrics do not check). */
function assertFiniteScores(scores: Float32Array): Float32Array {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      throw new UserError(`The model produced ${scores[i]} for a permuted row (output ${i}): its predictions are not finite, so permutation importance cannot be computed.`);
    }
  }
  return scores;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
