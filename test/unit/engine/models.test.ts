import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/engine/backend';
import { buildModel, describeDenseStack, outputUnits } from '../../../src/core/engine/models';

function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('engine/models', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('builds an MLP with dense hidden layers, dropout after each and a softmax head for multiclass', () => {
    const model = buildModel('multiclass', 18, 5, { type: 'mlp', hidden: [64, 32, 16], dropout: 0.2, activation: 'relu' }, 1);
    assert.deepEqual(
      model.layers.map((l) => l.getClassName()),
      ['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense'],
    );
    assert.deepEqual(model.outputs[0].shape, [null, 5]);
    assert.deepEqual(
      describeDenseStack(model).map((s) => [s.inputDim, s.units, s.activation, s.dropoutAfter, s.kernelL2]),
      [
        [18, 64, 'relu', 0.2, 0],
        [64, 32, 'relu', 0.2, 0],
        [32, 16, 'relu', 0.2, 0],
        [16, 5, 'softmax', 0, 0],
      ],
    );
    model.dispose();
  });

  it('uses a sigmoid head for binary and a linear head for regression', () => {
    const binary = buildModel('binary', 3, 1, { type: 'mlp', hidden: [4], dropout: 0, activation: 'tanh' }, 1);
    const regression = buildModel('regression', 3, 1, { type: 'mlp', hidden: [4], dropout: 0, activation: 'elu' }, 1);
    assert.deepEqual(describeDenseStack(binary).map((s) => s.activation), ['tanh', 'sigmoid']);
    assert.deepEqual(describeDenseStack(regression).map((s) => s.activation), ['elu', 'linear']);
    // dropout 0 adds no Dropout layer
    assert.equal(binary.layers.length, 2);
    binary.dispose();
    regression.dispose();
  });

  it('builds logistic regression as one dense layer with an L2 penalty on the kernel only', () => {
    const model = buildModel('binary', 6, 1, { type: 'logistic', l2: 0.01 }, 1);
    assert.equal(model.layers.length, 1);
    const config = model.layers[0].getConfig() as Record<string, unknown>;
    assert.equal((config.kernelRegularizer as { className: string }).className, 'L1L2');
    assert.equal(config.biasRegularizer ?? null, null);
    assert.deepEqual(describeDenseStack(model).map((s) => [s.inputDim, s.units, s.activation, s.kernelL2]), [[6, 1, 'sigmoid', 0.01]]);
    model.dispose();
  });

  it('gives identical initial weights for the same seed and different ones for another seed', () => {
    const config = { type: 'mlp' as const, hidden: [8, 4], dropout: 0.1, activation: 'selu' as const };
    const a = buildModel('multiclass', 5, 3, config, 42);
    const b = buildModel('multiclass', 5, 3, config, 42);
    const c = buildModel('multiclass', 5, 3, config, 43);
    assert.deepEqual(weightValues(a), weightValues(b));
    assert.notDeepEqual(weightValues(a), weightValues(c));
    // biases start at zero, kernels do not
    assert.ok(weightValues(a)[1].every((v) => v === 0));
    assert.ok(weightValues(a)[0].some((v) => v !== 0));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('does not give two layers the same initial kernel values', () => {
    const model = buildModel('regression', 8, 1, { type: 'mlp', hidden: [8, 8], dropout: 0, activation: 'tanh' }, 3);
    const [first, , second] = weightValues(model);
    assert.notDeepEqual(first, second);
    model.dispose();
  });

  it('rejects an output count that does not fit the task', () => {
    assert.throws(() => buildModel('multiclass', 3, 1, { type: 'logistic', l2: 0 }, 1), /at least 2 outputs/);
    assert.throws(() => buildModel('binary', 3, 2, { type: 'logistic', l2: 0 }, 1), /1 output/);
    assert.throws(() => buildModel('binary', 0, 1, { type: 'logistic', l2: 0 }, 1), /inputDim/);
  });

  it('maps tasks to output units', () => {
    assert.equal(outputUnits('binary', 2), 1);
    assert.equal(outputUnits('regression', 0), 1);
    assert.equal(outputUnits('multiclass', 7), 7);
  });

  it('refuses to describe a model with layers the training loop cannot train', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.batchNormalization()] });
    assert.throws(() => describeDenseStack(model), /BatchNormalization layers are not supported/);
    model.dispose();
  });
});
