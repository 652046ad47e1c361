import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/engine/backend';
import { denseNetworkFromArtifacts, evaluateDenseNetwork, SIMD_MIN_ROWS } from '../../../src/core/engine/dense-network';
import { predictScores } from '../../../src/core/engine/fit';
import { buildModel, denseNetworkOfModel } from '../../../src/core/engine/models';
import { modelToArtifacts } from '../../../src/core/engine/serialize';
import type { TrainableModel as ModelConfig, Task } from '../../../src/core/project/types';
import { isUserError } from '../../../src/core/util/errors';
import { createRng } from '../../../src/core/util/random';
import { teacherDataset } from './synthetic';

/** |a − b| ≤ 1e-6 · max(1, |b|) for every value. */
function assertCloseTo(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-6 * Math.max(1, Math.abs(expected[i])), `${label}[${i}]: ${actual[i]} vs tfjs ${expected[i]}`);
  }
}

/**
 * Random biases in ±scale (the initialisers leave them at 0), so every activation is seen on
 * both sides of its kink and not only at a zero bias; kernels keep their initialisation.
 */
function randomiseBiases(model: tf.LayersModel, seed: number, scale: number): void {
  const rng = createRng(seed);
  const weights = model.getWeights().map((w) => (w.rank === 1 ? tf.tensor(Float32Array.from({ length: w.size }, () => (rng() * 2 - 1) * scale), w.shape) : w.clone()));
  model.setWeights(weights);
  tf.dispose(weights);
}

describe('engine/dense-network: a bundle network evaluated without tfjs', () => {
  before(async () => {
    await initBackend('wasm');
  });

  const cases: Array<{ task: Task; model: ModelConfig; k: number }> = [
    { task: 'multiclass', model: { type: 'mlp', hidden: [64, 32, 16], dropout: 0.1, activation: 'relu' }, k: 5 },
    { task: 'binary', model: { type: 'mlp', hidden: [12, 7], dropout: 0, activation: 'tanh' }, k: 2 },
    { task: 'binary', model: { type: 'mlp', hidden: [9], dropout: 0.3, activation: 'elu' }, k: 2 },
    { task: 'regression', model: { type: 'mlp', hidden: [10, 6], dropout: 0, activation: 'selu' }, k: 1 },
    { task: 'multiclass', model: { type: 'logistic', l2: 0.01 }, k: 3 },
    { task: 'regression', model: { type: 'logistic', l2: 0 }, k: 1 },
  ];
  for (const [i, c] of cases.entries()) {
    const name = c.model.type === 'mlp' ? `${c.model.activation} mlp [${c.model.hidden.join(', ')}]` : 'logistic';
    it(`gives tfjs' predictions to 1e-6: ${c.task} ${name}`, async () => {
      const d = 11;
      const outputs = c.task === 'multiclass' ? c.k : 1;
      const model = buildModel(c.task, d, outputs, c.model, 100 + i);
      randomiseBiases(model, 200 + i, 0.5);
      const data = teacherDataset(c.task, 300, d, c.k, 300 + i);
      // Some exact zeros (skipped in the sums) and some larger inputs (saturating heads),
      // within what a standardised feature takes.
      for (let j = 0; j < data.x.length; j += 7) data.x[j] = 0;
      for (let j = 3; j < data.x.length; j += 29) data.x[j] *= 4;
      const expected = predictScores(model, data.x, data.n, d);
      const { modelJson, weights } = await modelToArtifacts(model);
      const fromFiles = denseNetworkFromArtifacts(JSON.parse(JSON.stringify(modelJson)), weights);
      assert.equal(fromFiles.inputDim, d);
      assert.equal(fromFiles.outputs, outputs);
      // 300 rows at once: the SIMD kernels (float32); one row at a time: the float64 loop.
      assertCloseTo(evaluateDenseNetwork(fromFiles, data.x, data.n), expected, 'from model.json, batched');
      const oneByOne = new Float32Array(expected.length);
      for (let r = 0; r < data.n; r++) oneByOne.set(evaluateDenseNetwork(fromFiles, data.x.subarray(r * d, (r + 1) * d), 1), r * outputs);
      assertCloseTo(oneByOne, expected, 'from model.json, row by row');
      assertCloseTo(evaluateDenseNetwork(denseNetworkOfModel(model), data.x, data.n), expected, 'from the model in memory');
      model.dispose();
    });
  }

  it('gives the same output for a row alone as inside a small batch (no state kept between rows)', () => {
    const model = buildModel('multiclass', 4, 3, { type: 'mlp', hidden: [5], dropout: 0, activation: 'relu' }, 9);
    const network = denseNetworkOfModel(model);
    model.dispose();
    assert.ok(3 < SIMD_MIN_ROWS, 'three rows take the float64 loop, as one does');
    const x = Float32Array.from([0.1, -2, 3, 0.5, 1, 1, -1, 0, 4, 0, 0, -0.3]);
    const batch = evaluateDenseNetwork(network, x, 3);
    for (let r = 0; r < 3; r++) assert.deepEqual(evaluateDenseNetwork(network, x.subarray(r * 4, (r + 1) * 4), 1), batch.subarray(r * 3, (r + 1) * 3));
    assert.equal(evaluateDenseNetwork(network, new Float32Array(0), 0).length, 0);
    assert.throws(() => evaluateDenseNetwork(network, new Float32Array(5), 1), /5 values, expected n·d = 4/);
  });

  it('wide, almost empty rows (hashed text) take the zero-skipping loop even in a batch, dense wide rows the SIMD kernels; both agree with tfjs', () => {
    const d = 4096;
    const n = 64;
    const model = buildModel('multiclass', d, 6, { type: 'logistic', l2: 0 }, 4);
    randomiseBiases(model, 5, 0.5);
    const network = denseNetworkOfModel(model);
    const rng = createRng(12);
    const sparse = new Float32Array(n * d);
    for (let r = 0; r < n; r++) for (let t = 0; t < 40; t++) sparse[r * d + Math.floor(rng() * d)] = rng();
    const dense = Float32Array.from({ length: n * d }, () => rng() - 0.5);
    for (const [label, x, loopAlone] of [['sparse', sparse, true], ['dense', dense, false]] as const) {
      const batch = evaluateDenseNetwork(network, x, n);
      assertCloseTo(batch, predictScores(model, x, n, d), `${label}: batch vs tfjs`);
      // One row alone always takes the float64 loop: the batch gives its exact bits only on that loop.
      let sameBits = true;
      for (let r = 0; r < n; r++) {
        const alone = evaluateDenseNetwork(network, x.subarray(r * d, (r + 1) * d), 1);
        for (let c = 0; c < 6; c++) if (alone[c] !== batch[r * 6 + c]) sameBits = false;
      }
      assert.equal(sameBits, loopAlone, `${label}: ${loopAlone ? 'the zero-skipping loop' : 'the SIMD kernels'}`);
    }
    model.dispose();
  });

  it('refuses model files it cannot evaluate exactly, with a UserError that says why', async () => {
    const model = buildModel('binary', 3, 1, { type: 'mlp', hidden: [4], dropout: 0, activation: 'relu' }, 1);
    const { modelJson, weights } = await modelToArtifacts(model);
    model.dispose();
    const json = () => JSON.parse(JSON.stringify(modelJson));
    assert.throws(() => denseNetworkFromArtifacts(json(), weights.slice(0, weights.byteLength - 4)), (e: unknown) => isUserError(e) && /do not belong together/.test((e as Error).message));
    assert.throws(() => denseNetworkFromArtifacts({ format: 'graph-model' }, weights), (e: unknown) => isUserError(e) && /not a TensorFlow.js layers model/.test((e as Error).message));
    const swish = json();
    swish.modelTopology.config.layers[0].config.activation = 'swish';
    assert.throws(() => denseNetworkFromArtifacts(swish, weights), (e: unknown) => isUserError(e) && /hidden_1 .*'swish'/.test((e as Error).message));
    const conv = json();
    conv.modelTopology.config.layers[0].class_name = 'Conv1D';
    assert.throws(() => denseNetworkFromArtifacts(conv, weights), (e: unknown) => isUserError(e) && /Conv1D layer/.test((e as Error).message));
    const renamed = json();
    renamed.weightsManifest[0].weights[0].name = 'other/kernel';
    assert.throws(() => denseNetworkFromArtifacts(renamed, weights), (e: unknown) => isUserError(e) && /hidden_1\/kernel/.test((e as Error).message));
    const half = json();
    half.weightsManifest[0].weights[0].dtype = 'float16';
    assert.throws(() => denseNetworkFromArtifacts(half, weights), (e: unknown) => isUserError(e) && /float16/.test((e as Error).message));
  });
});
