import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeatureGroup } from '../../../src/core/explain/groups';
import { singleColumnGroups } from '../../../src/core/explain/groups';
import {
  metricGreaterIsBetter,
  permutationImportance,
  permutationImportanceWithPermutations,
  type PermutationImportanceResult,
  type ScoreRows,
} from '../../../src/core/explain/permutation';
import type { Task } from '../../../src/core/project/types';
import { CancelledError, isUserError } from '../../../src/core/util/errors';
import { createRng } from '../../../src/core/util/random';

interface FixtureMetric {
  sklearnScorer: string;
  baseline: number;
  values: number[][];
  mean: number[];
  std: number[];
}
interface FixtureCase {
  name: string;
  task: Task;
  k: number;
  n: number;
  d: number;
  x: number[];
  y: number[];
  weights: number[];
  bias: number[];
  groups: FeatureGroup[];
  permutations: number[][][];
  metrics: Record<string, FixtureMetric>;
}

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../fixtures/sklearn/permutation_importance.json'), 'utf8'),
) as { sklearn: string; cases: FixtureCase[] };

/**
 * The fixture's linear model, computed as scripts/reference/sklearn_permutation_importance.py
 * does: float64 sum column by column, then sigmoid / softmax / identity, rounded to float32.
 */
function linearScorer(task: Task, weights: number[], bias: number[], d: number): ScoreRows {
  const outputs = bias.length;
  return (x, n) => {
    const out = new Float32Array(n * outputs);
    const z = new Float64Array(outputs);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < outputs; c++) z[c] = bias[c];
      for (let j = 0; j < d; j++) {
        for (let c = 0; c < outputs; c++) z[c] += x[i * d + j] * weights[j * outputs + c];
      }
      if (task === 'binary') {
        out[i] = 1 / (1 + Math.exp(-z[0]));
      } else if (task === 'regression') {
        out[i] = z[0];
      } else {
        let max = -Infinity;
        for (let c = 0; c < outputs; c++) max = Math.max(max, z[c]);
        let total = 0;
        const e = new Float64Array(outputs);
        for (let c = 0; c < outputs; c++) {
          e[c] = Math.exp(z[c] - max);
          total += e[c];
        }
        for (let c = 0; c < outputs; c++) out[i * outputs + c] = e[c] / total;
      }
    }
    return out;
  };
}

function byFeature(result: PermutationImportanceResult): Map<string, PermutationImportanceResult['importances'][number]> {
  return new Map(result.importances.map((entry) => [entry.feature, entry]));
}

function assertClose(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: got ${actual}, scikit-learn ${expected}`);
}

/** n rows of d standard-normal-ish float32 features from a seeded generator. */
function randomRows(n: number, d: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng() + rng() + rng() - 1.5;
  return x;
}

async function rejectsWith(promise: Promise<unknown>, check: (e: unknown) => boolean, label: string): Promise<void> {
  try {
    await promise;
  } catch (e) {
    assert.ok(check(e), `${label}: unexpected error ${String(e)}`);
    return;
  }
  assert.fail(`${label}: did not throw`);
}

describe('explain/permutation', () => {
  describe(`agrees with scikit-learn ${fixture.sklearn} given the same permutations`, () => {
    for (const c of fixture.cases) {
      for (const [metric, expected] of Object.entries(c.metrics)) {
        it(`${c.name}: ${metric} (${expected.sklearnScorer}) baseline, per-repeat values, mean and std to 1e-9`, async () => {
          const result = await permutationImportanceWithPermutations({
            x: Float32Array.from(c.x),
            n: c.n,
            d: c.d,
            yTrue: c.y,
            task: c.task,
            k: c.k,
            groups: c.groups,
            score: linearScorer(c.task, c.weights, c.bias, c.d),
            metric,
            permutations: c.permutations,
          });
          assert.equal(result.metric, metric);
          assert.equal(result.greaterIsBetter, !expected.sklearnScorer.startsWith('neg_'));
          assertClose(result.baseline, expected.baseline, 1e-9, 'baseline');
          const found = byFeature(result);
          c.groups.forEach((group, g) => {
            const entry = found.get(group.feature);
            assert.ok(entry, `no importance for ${group.feature}`);
            expected.values[g].forEach((v, r) => assertClose(entry.values[r], v, 1e-9, `${group.feature} repeat ${r}`));
            assertClose(entry.mean, expected.mean[g], 1e-9, `${group.feature} mean`);
            assertClose(entry.std, expected.std[g], 1e-9, `${group.feature} std`);
          });
        });
      }
    }
  });

  const n = 400;
  const d = 4;
  const x = randomRows(n, d, 11);
  // The label is fully determined by x0; x1 nudges the score a little; x2 and x3 are unused.
  const yTrue = Array.from({ length: n }, (_, i) => (x[i * d] > 0 ? 1 : 0));
  const score: ScoreRows = (rows, count) => {
    const p = new Float32Array(count);
    for (let i = 0; i < count; i++) p[i] = 1 / (1 + Math.exp(-(8 * rows[i * d] + 0.5 * rows[i * d + 1])));
    return p;
  };
  const base = { x, n, d, yTrue, task: 'binary' as const, k: 2, groups: singleColumnGroups(d), score };

  for (const metric of ['accuracy', 'roc_auc', 'f1_macro', 'log_loss', 'brier']) {
    it(`gives exactly 0 to features the score does not read and ranks the label-determining feature first (${metric})`, async () => {
      const result = await permutationImportance({ ...base, metric, repeats: 3, seed: 5 });
      assert.equal(result.importances[0].feature, 'x0');
      const found = byFeature(result);
      for (const unused of ['x2', 'x3']) {
        const entry = found.get(unused)!;
        assert.deepEqual(entry.values, [0, 0, 0]);
        assert.equal(entry.mean, 0);
        assert.equal(entry.std, 0);
      }
      assert.ok(found.get('x0')!.mean > found.get('x1')!.mean);
      assert.ok(found.get('x0')!.mean > 0, 'an informative feature is positive for losses too');
    });
  }

  it('uses accuracy for classification and r2 for regression by default, and flags losses', async () => {
    const classification = await permutationImportance({ ...base, repeats: 1 });
    assert.equal(classification.metric, 'accuracy');
    assert.equal(classification.greaterIsBetter, true);
    const y = Array.from({ length: n }, (_, i) => 2 * x[i * d]);
    const regression = await permutationImportance({
      ...base,
      task: 'regression',
      k: 1,
      yTrue: y,
      score: (rows, count) => Float32Array.from({ length: count }, (_, i) => 2 * rows[i * d]),
      repeats: 1,
    });
    assert.equal(regression.metric, 'r2');
    assert.equal(regression.baseline, 1);
    assert.equal(regression.importances[0].feature, 'x0');
    for (const loss of ['log_loss', 'brier', 'mse', 'rmse', 'mae']) assert.equal(metricGreaterIsBetter(loss), false);
    for (const score of ['accuracy', 'roc_auc', 'f1_macro', 'r2', 'mcc']) assert.equal(metricGreaterIsBetter(score), true);
  });

  it('uses five repeats by default, is reproducible for a seed and changes with the seed', async () => {
    const a = await permutationImportance({ ...base, seed: 3 });
    const b = await permutationImportance({ ...base, seed: 3 });
    const c = await permutationImportance({ ...base, seed: 4 });
    assert.equal(a.importances[0].values.length, 5);
    assert.deepEqual(a, b);
    assert.notDeepEqual(byFeature(a).get('x0')!.values, byFeature(c).get('x0')!.values);
  });

  it('sorts by mean importance, largest first', async () => {
    const result = await permutationImportance({ ...base, repeats: 2 });
    for (let i = 1; i < result.importances.length; i++) assert.ok(result.importances[i - 1].mean >= result.importances[i].mean);
  });

  it('permutes a group jointly, so every permuted row of a one-hot block is a row of the original block', async () => {
    const rows = 50;
    const width = 5; // age, color=a, color=b, color=c, noise
    const data = new Float32Array(rows * width);
    const rng = createRng(2);
    for (let i = 0; i < rows; i++) {
      data[i * width] = rng();
      data[i * width + 1 + (i % 3)] = 1;
      data[i * width + 4] = rng();
    }
    const original = data.slice();
    const blockOf = (m: Float32Array, i: number): string => Array.from(m.subarray(i * width + 1, i * width + 4)).join(',');
    const originalBlocks = Array.from({ length: rows }, (_, i) => blockOf(original, i));
    const seenBuffers = new Set<Float32Array>();
    let calls = 0;
    await permutationImportance({
      x: data,
      n: rows,
      d: width,
      yTrue: Array.from({ length: rows }, (_, i) => i % 2),
      task: 'binary',
      k: 2,
      groups: [
        { feature: 'age', columns: [0] },
        { feature: 'color', columns: [1, 2, 3] },
        { feature: 'noise', columns: [4] },
      ],
      repeats: 3,
      score: (m, count) => {
        calls++;
        if (calls > 1) seenBuffers.add(m);
        // Each row's block must be some original row's block, and its other columns untouched
        // unless they belong to the group being permuted.
        const blocks = Array.from({ length: count }, (_, i) => blockOf(m, i));
        for (const block of blocks) assert.ok(originalBlocks.includes(block), `block ${block} is not an original row`);
        assert.deepEqual([...blocks].sort(), [...originalBlocks].sort(), 'the block rows are a permutation of the original rows');
        return new Float32Array(count).fill(0.5);
      },
    });
    assert.equal(calls, 1 + 3 * 3);
    assert.equal(seenBuffers.size, 1, 'one scratch buffer is reused for every permutation');
    assert.ok(!seenBuffers.has(data), 'the caller’s x is not the scratch buffer');
    assert.deepEqual(data, original, 'x is left unchanged');
  });

  it('restores a group before permuting the next, so each permutation sees only one group changed', async () => {
    const rows = 30;
    const data = randomRows(rows, 3, 9);
    const original = data.slice();
    await permutationImportance({
      x: data,
      n: rows,
      d: 3,
      yTrue: Array.from({ length: rows }, (_, i) => i % 2),
      task: 'binary',
      k: 2,
      groups: singleColumnGroups(3),
      repeats: 2,
      score: (m, count) => {
        let changedColumns = 0;
        for (let c = 0; c < 3; c++) {
          let changed = false;
          for (let i = 0; i < count; i++) if (m[i * 3 + c] !== original[i * 3 + c]) changed = true;
          if (changed) changedColumns++;
        }
        assert.ok(changedColumns <= 1, `${changedColumns} columns changed at once`);
        return new Float32Array(count).fill(0.5);
      },
    });
  });

  it('accepts an asynchronous scoring function and reports progress after every permuted scoring', async () => {
    const progress: Array<[number, number]> = [];
    const result = await permutationImportance({
      ...base,
      repeats: 2,
      score: async (rows, count) => score(rows, count),
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.equal(result.importances[0].feature, 'x0');
    assert.deepEqual(
      progress,
      Array.from({ length: 8 }, (_, i) => [i + 1, 8]),
    );
  });

  it('gives 0 to a group without columns without scoring it', async () => {
    let calls = 0;
    const result = await permutationImportance({
      ...base,
      groups: [{ feature: 'empty', columns: [] }],
      repeats: 2,
      score: (rows, count) => {
        calls++;
        return score(rows, count);
      },
    });
    assert.equal(calls, 1);
    assert.deepEqual(result.importances, [{ feature: 'empty', mean: 0, std: 0, values: [0, 0] }]);
  });

  it('stops with a CancelledError when the signal is aborted', async () => {
    const controller = new AbortController();
    await rejectsWith(
      permutationImportance({ ...base, repeats: 3, signal: controller.signal, onProgress: (done) => done === 2 && controller.abort() }),
      (e) => e instanceof CancelledError,
      'abort during the run',
    );
  });

  it('says what to do for an unknown metric, a metric undefined on the rows, too few rows and bad repeats', async () => {
    await rejectsWith(permutationImportance({ ...base, metric: 'r2' }), (e) => isUserError(e) && /Unknown metric 'r2' for a binary task: choose one of .*accuracy/.test(e.message), 'unknown');
    await rejectsWith(
      permutationImportance({ ...base, yTrue: new Array(n).fill(1), metric: 'roc_auc' }),
      (e) => isUserError(e) && /cannot use roc_auc.*only class 1/.test(e.message),
      'undefined metric',
    );
    await rejectsWith(
      permutationImportance({ ...base, x: x.subarray(0, d), n: 1, yTrue: [1] }),
      (e) => isUserError(e) && /at least 2 rows/.test(e.message),
      'one row',
    );
    await rejectsWith(permutationImportance({ ...base, repeats: 0 }), (e) => isUserError(e) && /repeats/.test(e.message), 'repeats');
  });

  it('rejects explicit permutations that are not permutations of the rows', async () => {
    const groups = singleColumnGroups(1);
    const one = { x: Float32Array.from([0, 1, 2]), n: 3, d: 1, yTrue: [0, 1, 1], task: 'binary' as const, k: 2, groups, score: (_: Float32Array, c: number) => new Float32Array(c).fill(0.5) };
    await rejectsWith(permutationImportanceWithPermutations({ ...one, permutations: [[[0, 0, 1]]] }), (e) => /not a permutation/.test(String(e)), 'duplicate');
    await rejectsWith(permutationImportanceWithPermutations({ ...one, permutations: [[[0, 1]]] }), (e) => /2 entries/.test(String(e)), 'short');
    await rejectsWith(permutationImportanceWithPermutations({ ...one, permutations: [] }), (e) => /0 lists for 1 groups/.test(String(e)), 'missing');
  });

  it('refuses non-finite predictions on permuted rows instead of scoring them', async () => {
    let calls = 0;
    await rejectsWith(
      permutationImportance({ ...base, score: (rows, count) => (++calls === 1 ? score(rows, count) : new Float32Array(count).fill(NaN)) }),
      (e) => isUserError(e) && /predictions are not finite/.test(e.message),
      'NaN after the baseline',
    );
  });

  it('rejects a scoring function that returns the wrong number of values', async () => {
    await rejectsWith(
      permutationImportance({ ...base, task: 'multiclass', k: 3, yTrue: yTrue, score }),
      (e) => /returned 400 values for 400 rows, expected 1200/.test(String(e)),
      'multiclass width',
    );
  });
});
