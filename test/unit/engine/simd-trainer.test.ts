import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/engine/backend';
import { DropoutMaskSource, encodeTargets } from '../../../src/core/engine/dense-trainer';
import { HostRows } from '../../../src/core/engine/host-rows';
import { buildModel, describeDenseStack } from '../../../src/core/engine/models';
import { createSimdKernels, GEMM } from '../../../src/core/engine/simd-kernels';
import { SimdDenseTrainer, simdTrainerSupports } from '../../../src/core/engine/simd-trainer';
import { createRng } from '../../../src/core/util/random';
import { assertClose, batchFor, CASES, describeCase, FEATURES, referenceGradient, referenceLoss, ROWS, type Case } from './autodiff-reference';
import { teacherDataset } from './synthetic';

/** The batch of batchFor(c, weighted, seed) as host rows (what the SIMD trainer reads). */
function hostRowsFor(c: Case, weighted: boolean, seed = 3): HostRows {
  const data = teacherDataset(c.task, ROWS, FEATURES, c.classes, seed);
  const targets = encodeTargets(c.task, data.y, c.task === 'multiclass' ? c.classes : 1);
  const w = weighted ? Float32Array.from({ length: ROWS }, (_, i) => 0.5 + (i % 3)) : null;
  return new HostRows(data.x, FEATURES, targets.values, targets.shape[1], w);
}

function trainerFor(c: Case, model: tf.LayersModel, learningRate: number, maxRows = ROWS): SimdDenseTrainer {
  return new SimdDenseTrainer(c.task, describeDenseStack(model), model.getWeights().map((w) => w.dataSync() as Float32Array), { learningRate }, 1, maxRows);
}

const SIMD_CASES = CASES.filter((c) => c.model.type === 'logistic' || c.model.activation === 'relu');

describe('engine/simd-kernels', () => {
  it('computes A·B + bias with ReLU, Aᵀ·B and column sums as the plain definitions do', () => {
    const kernels = createSimdKernels(1 << 20);
    const f = new Float32Array(kernels.memory.buffer);
    const rng = createRng(7);
    // rows 7, inner 5, n 20 (one 16-wide block and one 4-wide block)
    const [rows, inner, n] = [7, 5, 20];
    const A = 0;
    const B = 4096;
    const C = 8192;
    const bias = 12288;
    const one = 16384;
    for (let i = 0; i < rows * inner; i++) f[A / 4 + i] = rng() * 2 - 1;
    for (let i = 0; i < rows * n; i++) f[B / 4 + i] = rng() * 2 - 1;
    for (let j = 0; j < n; j++) f[bias / 4 + j] = rng() - 0.5;
    f[one / 4] = 1;
    kernels.gemm(A, B, C, bias, rows, inner, n, inner * 4, 4, GEMM.BIAS | GEMM.RELU, 0, 1);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < n; j++) {
        let s = f[bias / 4 + j];
        for (let p = 0; p < inner; p++) s += f[A / 4 + i * inner + p] * f[B / 4 + p * n + j];
        assert.ok(Math.abs(Math.max(0, s) - f[C / 4 + i * n + j]) < 1e-5, `A·B[${i}][${j}]`);
      }
    }
    kernels.gemm(A, B, C, 0, inner, rows, n, 4, inner * 4, 0, 0, 1); // C[inner × n] = Aᵀ·B
    for (let p = 0; p < inner; p++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += f[A / 4 + r * inner + p] * f[B / 4 + r * n + j];
        assert.ok(Math.abs(s - f[C / 4 + p * n + j]) < 1e-5, `Aᵀ·B[${p}][${j}]`);
      }
    }
    kernels.gemm(one, B, C, 0, 1, rows, n, 0, 0, 0, 0, 1); // column sums of B
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += f[B / 4 + r * n + j];
      assert.ok(Math.abs(s - f[C / 4 + j]) < 1e-5, `1ᵀ·B[${j}]`);
    }
  });
});

describe('engine/simd-kernels dropout', () => {
  it('draws exactly the masks of DropoutMaskSource (values, padded layout and the state after)', () => {
    const kernels = createSimdKernels(1 << 16);
    const f = new Float32Array(kernels.memory.buffer);
    const reference = new DropoutMaskSource(12345);
    let state = new DropoutMaskSource(12345).state;
    for (const [rows, units, stride, rate] of [[7, 5, 8, 0.4], [32, 64, 64, 0.1], [3, 3, 4, 0.5]] as const) {
      const expected = new Float32Array(rows * stride).fill(-1);
      reference.drawInto(expected, 0, rows, units, rate, stride);
      f.fill(-1, 0, rows * stride);
      state = kernels.dropout(0, rows, units, stride, Math.round(rate * 65536), 1 / (1 - rate), state) >>> 0;
      assert.deepEqual(f.slice(0, rows * stride), expected, `${rows}×${units} rate ${rate}`);
      assert.equal(state, reference.state);
    }
  });
});

describe('engine/simd-trainer', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('trains ReLU MLPs and logistic models, not other activations', () => {
    for (const c of CASES) {
      const model = buildModel(c.task, FEATURES, c.task === 'multiclass' ? c.classes : 1, c.model, 1);
      assert.equal(simdTrainerSupports(describeDenseStack(model)), SIMD_CASES.includes(c), describeCase(c));
      model.dispose();
    }
  });

  for (const c of SIMD_CASES) {
    it(`matches tfjs autodiff for the gradient and loss of a weighted ${describeCase(c)}`, () => {
      const model = buildModel(c.task, FEATURES, c.task === 'multiclass' ? c.classes : 1, c.model, 11);
      const specs = describeDenseStack(model);
      const trainer = trainerFor(c, model, 0.01);
      const batch = batchFor(c, true);
      const expected = referenceGradient(c, model, specs, batch, null);
      const actual = trainer.gradient(hostRowsFor(c, true));
      assertClose([actual.lossSum / ROWS], [expected.loss], 1e-5, 'loss');
      assertClose(actual.gradient, expected.gradient, 1e-5, 'gradient');
      tf.dispose([batch.x, batch.y, batch.w as tf.Tensor]);
      model.dispose();
    });
  }

  it('matches tfjs autodiff with dropout masks applied after each hidden layer', () => {
    const c: Case = { task: 'multiclass', classes: 3, model: { type: 'mlp', hidden: [8, 6], dropout: 0.5, activation: 'relu' } };
    const model = buildModel(c.task, FEATURES, 3, c.model, 5);
    const specs = describeDenseStack(model);
    const trainer = trainerFor(c, model, 0.01);
    const source = new DropoutMaskSource(9);
    const hidden = [source.draw(ROWS * 8, 0.5), source.draw(ROWS * 6, 0.5)];
    const masks = [tf.tensor2d(hidden[0], [ROWS, 8]), tf.tensor2d(hidden[1], [ROWS, 6]), null];
    const batch = batchFor(c, false);
    const expected = referenceGradient(c, model, specs, batch, masks);
    const actual = trainer.gradient(hostRowsFor(c, false), [...hidden, null]);
    assertClose(actual.gradient, expected.gradient, 1e-5, 'gradient');
    tf.dispose([batch.x, batch.y, masks[0] as tf.Tensor, masks[1] as tf.Tensor]);
    model.dispose();
  });

  it("takes the same steps as tfjs' Adam optimizer given the same gradients", () => {
    const c = SIMD_CASES[0];
    const model = buildModel(c.task, FEATURES, c.classes, c.model, 2);
    const specs = describeDenseStack(model);
    const trainer = trainerFor(c, model, 0.05);
    const optimizer = tf.train.adam(0.05);
    const order = Int32Array.from({ length: ROWS }, (_, i) => i);
    for (let step = 0; step < 4; step++) {
      const batch = batchFor(c, step % 2 === 0, 10 + step);
      tf.tidy(() => {
        const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => referenceLoss(c, model, specs, batch.x, batch.y, batch.w, null), variables);
        optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      });
      trainer.trainRows(hostRowsFor(c, step % 2 === 0, 10 + step), order, 0, ROWS);
      tf.dispose([batch.x, batch.y, ...(batch.w ? [batch.w] : [])]);
    }
    const theirs = model.getWeights();
    trainer.currentWeights().forEach((w, i) => assertClose(w, theirs[i].dataSync(), 2e-5, `weights ${i}`));
    optimizer.dispose();
    model.dispose();
  });

  it('is bit-reproducible: the same weights, rows, order and seed give the same weights and sums', () => {
    const c: Case = { task: 'multiclass', classes: 3, model: { type: 'mlp', hidden: [9, 5], dropout: 0.2, activation: 'relu' } };
    const model = buildModel(c.task, FEATURES, 3, c.model, 3);
    const data = teacherDataset('multiclass', 100, FEATURES, 3, 4);
    const targets = encodeTargets('multiclass', data.y, 3);
    const rows = new HostRows(data.x, FEATURES, targets.values, 3, null);
    const run = () => {
      const trainer = trainerFor(c, model, 0.02, 16);
      const order = Int32Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
      for (let start = 0; start < 100; start += 16) trainer.trainRows(rows, order, start, Math.min(start + 16, 100));
      return { weights: trainer.currentWeights().map((w) => Array.from(w)), sums: trainer.takeEpochSums(), evaluation: trainer.evaluate(rows) };
    };
    const a = run();
    assert.deepEqual(run(), a);
    assert.equal(a.sums.rows, 100);
    assert.ok(a.sums.weightsFinite);
    model.dispose();
  });

  it('evaluates in chunks of its batch size with the loss of the model it writes back', () => {
    const c = SIMD_CASES[0];
    const model = buildModel(c.task, FEATURES, c.classes, c.model, 4);
    const trainer = trainerFor(c, model, 0.05, 5);
    const order = Int32Array.from({ length: ROWS }, (_, i) => i);
    const rows = hostRowsFor(c, false);
    for (let i = 0; i < 5; i++) for (let start = 0; start < ROWS; start += 5) trainer.trainRows(rows, order, start, Math.min(start + 5, ROWS));
    const weights = trainer.currentWeights();
    model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
    const data = teacherDataset(c.task, ROWS, FEATURES, c.classes, 3);
    const probabilities = tf.tidy(() => (model.predict(tf.tensor2d(data.x, [ROWS, FEATURES])) as tf.Tensor).arraySync() as number[][]);
    const expectedLoss = probabilities.reduce((sum, p, i) => sum - Math.log(p[data.y[i]]), 0) / ROWS;
    const evaluation = trainer.evaluate(rows);
    assert.equal(evaluation.rows, ROWS);
    assertClose([evaluation.lossSum / ROWS], [expectedLoss], 1e-5, 'loss');
    // keepSnapshot / restoreSnapshot put back exactly the kept weights
    trainer.keepSnapshot();
    trainer.trainRows(rows, order, 0, 5);
    trainer.restoreSnapshot();
    trainer.currentWeights().forEach((w, i) => assert.deepEqual(w, weights[i]));
    model.dispose();
  });
});
