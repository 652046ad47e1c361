import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  columnMeans,
  integratedGradients,
  occlusionAttribution,
  predictedOutputIndex,
} from '../../../src/core/explain/attribution';
import type { FeatureGroup } from '../../../src/core/explain/groups';
import { singleColumnGroups } from '../../../src/core/explain/groups';

/** A one-layer model with given kernel (d × units, row-major) and bias. */
function denseModel(kernel: number[], bias: number[], activation: 'linear' | 'sigmoid' | 'softmax'): tf.LayersModel {
  const units = bias.length;
  const d = kernel.length / units;
  const model = tf.sequential({ layers: [tf.layers.dense({ units, activation, inputShape: [d] })] });
  tf.tidy(() => model.setWeights([tf.tensor2d(kernel, [d, units]), tf.tensor1d(bias)]));
  return model;
}

/** A small relu MLP with fixed seeded weights and a dropout layer (which must be off). */
function mlp(d: number, outputs: number, head: 'sigmoid' | 'softmax'): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 12, activation: 'tanh', inputShape: [d], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dropout({ rate: 0.5, seed: 2 }),
      tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 3 }), biasInitializer: tf.initializers.constant({ value: 0.1 }) }),
      tf.layers.dense({ units: outputs, activation: head, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}

function value(result: { attributions: Array<{ feature: string; value: number }> }, feature: string): number {
  const entry = result.attributions.find((a) => a.feature === feature);
  assert.ok(entry, `no attribution for ${feature}`);
  return entry.value;
}

const groups: FeatureGroup[] = [
  { feature: 'age', columns: [0] },
  { feature: 'color', columns: [1, 2, 3] },
  { feature: 'income', columns: [4] },
];

describe('explain/attribution', () => {
  const models: tf.LayersModel[] = [];
  after(() => models.forEach((m) => m.dispose()));
  const keep = (m: tf.LayersModel): tf.LayersModel => {
    models.push(m);
    return m;
  };

  describe('integratedGradients', () => {
    it('equals w·(x − baseline) summed per group for a linear model, with no gap', () => {
      const w = [0.5, -1, 2, 0.25, 3];
      const model = keep(denseModel(w, [0.7], 'linear'));
      const row = Float32Array.from([2, 0, 1, 0, -1]);
      const baseline = Float32Array.from([1, 0.2, 0.3, 0.5, 0.5]);
      const r = integratedGradients(model, row, { outputIndex: 0, groups, baseline, steps: 7 });
      assert.deepEqual(
        r.attributions.map((a) => a.feature),
        ['age', 'color', 'income'],
      );
      assert.ok(Math.abs(value(r, 'age') - 0.5 * (2 - 1)) < 1e-6);
      assert.ok(Math.abs(value(r, 'color') - (-1 * (0 - 0.2) + 2 * (1 - 0.3) + 0.25 * (0 - 0.5))) < 1e-6);
      assert.ok(Math.abs(value(r, 'income') - 3 * (-1 - 0.5)) < 1e-6);
      const expectedFx = 0.7 + 0.5 * 2 + 2 * 1 - 3;
      assert.ok(Math.abs(r.fx - expectedFx) < 1e-6);
      assert.ok(Math.abs(r.gap) < 1e-5, `gap ${r.gap}`);
    });

    it('uses the all-zeros row as the default baseline', () => {
      const model = keep(denseModel([1, 2], [0.25], 'sigmoid'));
      const r = integratedGradients(model, Float32Array.from([1, 1]), { outputIndex: 0, groups: singleColumnGroups(2) });
      assert.ok(Math.abs(r.fBaseline - 1 / (1 + Math.exp(-0.25))) < 1e-6);
      assert.ok(Math.abs(r.fx - 1 / (1 + Math.exp(-3.25))) < 1e-6);
    });

    it('adds up to f(x) − f(baseline) through a nonlinear network, and the gap shrinks with more steps', () => {
      const model = keep(mlp(5, 1, 'sigmoid'));
      const row = Float32Array.from([1.5, 1, 0, 0, -2]);
      const coarse = integratedGradients(model, row, { outputIndex: 0, groups, steps: 4, maxSteps: 4 });
      const uniform = integratedGradients(model, row, { outputIndex: 0, groups, steps: 50, maxSteps: 50 });
      const finer = integratedGradients(model, row, { outputIndex: 0, groups, steps: 400, maxSteps: 400 });
      assert.equal(coarse.steps, 4, 'maxSteps = steps keeps the plain uniform rule');
      assert.equal(finer.steps, 400);
      const change = Math.abs(uniform.fx - uniform.fBaseline);
      assert.ok(change > 0.01, 'the row moves the output');
      assert.ok(Math.abs(uniform.gap) < 1e-2 * change, `relative gap ${uniform.gap / change} with 50 steps`);
      assert.ok(Math.abs(finer.gap) < Math.abs(coarse.gap), `gap ${finer.gap} (400 steps) vs ${coarse.gap} (4 steps)`);
      const sum = uniform.attributions.reduce((total, a) => total + a.value, 0);
      assert.ok(Math.abs(sum - (uniform.fx - uniform.fBaseline) - uniform.gap) < 1e-6, 'gap is Σ attributions − (fx − fBaseline)');
    });

    it('refines the intervals where ReLU units switch until the gap meets the tolerance, within maxSteps', () => {
      // A wide ReLU layer gives the integrand many jumps along the path.
      const model = keep(
        tf.sequential({
          layers: [
            tf.layers.dense({ units: 64, activation: 'relu', inputShape: [5], kernelInitializer: tf.initializers.heNormal({ seed: 7 }), biasInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 8 }) }),
            tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }),
          ],
        }),
      );
      const row = Float32Array.from([2, 1, 0, 0, -2]);
      const uniform = integratedGradients(model, row, { outputIndex: 0, groups, steps: 10, maxSteps: 10 });
      const refined = integratedGradients(model, row, { outputIndex: 0, groups, steps: 10 });
      const change = Math.abs(refined.fx - refined.fBaseline);
      assert.ok(Math.abs(uniform.gap) > 1e-3 * change, `10 equal steps already met the tolerance (${uniform.gap}): the test needs a harder model`);
      assert.ok(Math.abs(refined.gap) <= 1e-3 * change, `refined relative gap ${refined.gap / change}`);
      assert.ok(refined.steps > 10 && refined.steps < 1000, `${refined.steps} intervals`);
      const capped = integratedGradients(model, row, { outputIndex: 0, groups, steps: 10, maxSteps: 12 });
      assert.ok(capped.steps <= 12);
      const loose = integratedGradients(model, row, { outputIndex: 0, groups, steps: 10, tolerance: 0.5 });
      assert.equal(loose.steps, 10, 'no refinement when the equal steps meet the tolerance');
    });

    it('explains the requested class of a softmax model, and the classes’ attributions sum to 0 (probabilities sum to 1)', () => {
      const model = keep(mlp(5, 3, 'softmax'));
      const row = Float32Array.from([1, 0, 1, 0, 2]);
      const perClass = [0, 1, 2].map((c) => integratedGradients(model, row, { outputIndex: c, groups, steps: 200 }));
      const outputs = tf.tidy(() => (model.predict(tf.tensor2d(row, [1, 5])) as tf.Tensor).dataSync());
      perClass.forEach((r, c) => assert.ok(Math.abs(r.fx - outputs[c]) < 1e-6, `fx of class ${c}`));
      for (const g of groups) {
        const total = perClass.reduce((s, r) => s + value(r, g.feature), 0);
        assert.ok(Math.abs(total) < 1e-3, `${g.feature}: classes sum to ${total}`);
      }
    });

    it('gives 0 to a group whose columns equal the baseline and leaves no tensor behind', () => {
      const model = keep(mlp(5, 1, 'sigmoid'));
      const row = Float32Array.from([1, 0, 0, 0, 0]);
      const before = tf.memory().numTensors;
      const r = integratedGradients(model, row, { outputIndex: 0, groups: [...groups, { feature: 'none', columns: [] }] });
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assert.equal(value(r, 'income'), 0);
      assert.equal(value(r, 'none'), 0);
      assert.notEqual(value(r, 'age'), 0);
    });

    it('gives the same explanation whatever the dropout layer (inference mode)', () => {
      const model = keep(mlp(5, 1, 'sigmoid'));
      const row = Float32Array.from([1, 0, 1, 0, 1]);
      const a = integratedGradients(model, row, { outputIndex: 0, groups });
      const b = integratedGradients(model, row, { outputIndex: 0, groups });
      assert.deepEqual(a, b);
      const predicted = tf.tidy(() => (model.predict(tf.tensor2d(row, [1, 5])) as tf.Tensor).dataSync()[0]);
      assert.ok(Math.abs(a.fx - predicted) < 1e-6);
    });

    it('rejects a row of the wrong width, an output index out of range, bad steps and overlapping groups', () => {
      const model = keep(denseModel([1, 2], [0], 'sigmoid'));
      const before = tf.memory().numTensors;
      assert.throws(() => integratedGradients(model, new Float32Array(3), { outputIndex: 0, groups: [] }), /inputs of shape \[null,2\], the row has 3/);
      assert.throws(() => integratedGradients(model, new Float32Array(2), { outputIndex: 1, groups: [] }), /outputIndex 1 is outside the model's 1 output/);
      assert.throws(() => integratedGradients(model, new Float32Array(2), { outputIndex: 0, groups: [], steps: 0 }), /steps/);
      assert.throws(() => integratedGradients(model, new Float32Array(2), { outputIndex: 0, groups: [], steps: 10, maxSteps: 5 }), /maxSteps must be a whole number ≥ steps/);
      assert.throws(() => integratedGradients(model, new Float32Array(2), { outputIndex: 0, groups: [], baseline: new Float32Array(1) }), /baseline has 1 values/);
      assert.throws(
        () => integratedGradients(model, new Float32Array(2), { outputIndex: 0, groups: [{ feature: 'a', columns: [0, 1] }, { feature: 'b', columns: [1] }] }),
        /belongs to both/,
      );
      assert.equal(tf.memory().numTensors, before);
    });
  });

  describe('occlusionAttribution', () => {
    const linear = (w: number[], b: number) => (x: Float32Array, n: number) => {
      const d = w.length;
      return Float32Array.from({ length: n }, (_, i) => w.reduce((s, wj, j) => s + wj * x[i * d + j], b));
    };

    it('equals w·(x − baseline) per group for an additive model, with no gap, in one scoring call', async () => {
      let calls = 0;
      const score = linear([0.5, -1, 2, 0.25, 3], 0.5);
      const row = Float32Array.from([2, 0, 1, 0, -1]);
      const baseline = Float32Array.from([1, 0.5, 0, 0, 0]);
      const r = await occlusionAttribution({
        row,
        baseline,
        outputIndex: 0,
        groups,
        score: (x, n) => {
          calls++;
          assert.equal(n, groups.length + 2);
          return score(x, n);
        },
      });
      assert.equal(calls, 1);
      assert.ok(Math.abs(value(r, 'age') - 0.5) < 1e-6);
      assert.ok(Math.abs(value(r, 'color') - (-1 * -0.5 + 2)) < 1e-6);
      assert.ok(Math.abs(value(r, 'income') - -3) < 1e-6);
      assert.ok(Math.abs(r.gap) < 1e-6);
    });

    it('reports the non-additivity of an interaction as the gap', async () => {
      // f = x0·x1: occluding either one removes the whole product, so the effects double-count.
      const r = await occlusionAttribution({
        row: Float32Array.from([2, 3]),
        outputIndex: 0,
        groups: singleColumnGroups(2),
        score: (x, n) => Float32Array.from({ length: n }, (_, i) => x[2 * i] * x[2 * i + 1]),
      });
      assert.deepEqual(r.attributions, [
        { feature: 'x0', value: 6 },
        { feature: 'x1', value: 6 },
      ]);
      assert.equal(r.fx, 6);
      assert.equal(r.fBaseline, 0);
      assert.equal(r.gap, 6);
    });

    it('explains the requested output of a multi-output scorer and checks the output index', async () => {
      const score = (x: Float32Array, n: number) => {
        const out = new Float32Array(n * 2);
        for (let i = 0; i < n; i++) {
          out[2 * i] = x[2 * i];
          out[2 * i + 1] = 10 * x[2 * i + 1];
        }
        return out;
      };
      const r = await occlusionAttribution({ row: Float32Array.from([1, 1]), outputIndex: 1, groups: singleColumnGroups(2), score });
      assert.deepEqual(r.attributions, [
        { feature: 'x0', value: 0 },
        { feature: 'x1', value: 10 },
      ]);
      await assert.rejects(occlusionAttribution({ row: Float32Array.from([1, 1]), outputIndex: 2, groups: [], score }), /outputIndex 2 is outside the model's 2 outputs/);
    });
  });

  it('columnMeans averages each column (the average-training-row baseline)', () => {
    assert.deepEqual(columnMeans(Float32Array.from([1, 0, 3, 1]), 2, 2), Float32Array.from([2, 0.5]));
    assert.deepEqual(columnMeans(new Float32Array(0), 0, 3), new Float32Array(3));
    assert.throws(() => columnMeans(new Float32Array(3), 2, 2), /expected n·d = 4/);
  });

  it('predictedOutputIndex explains P(class 1) for binary, the value for regression and the arg max class for multiclass', () => {
    assert.equal(predictedOutputIndex('binary', [0.2]), 0);
    assert.equal(predictedOutputIndex('regression', [5]), 0);
    assert.equal(predictedOutputIndex('multiclass', [0.2, 0.5, 0.3]), 1);
    assert.equal(predictedOutputIndex('multiclass', [0.4, 0.4, 0.2]), 0);
  });
});
