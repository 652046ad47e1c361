import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/engine/backend';
import { DenseStackTrainer, DropoutMaskSource, encodeTargets } from '../../../src/core/engine/dense-trainer';
import { HostRows } from '../../../src/core/engine/host-rows';
import { buildModel, describeDenseStack, type DenseLayerSpec } from '../../../src/core/engine/models';
import { assertClose, batchFor, CASES, describeCase, FEATURES, referenceGradient, referenceLoss, ROWS, type Case } from './autodiff-reference';
import { teacherDataset } from './synthetic';

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`engine/dense-trainer on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });
    after(async () => {
      await initBackend('wasm');
    });

    for (const c of CASES) {
      it(`matches tfjs autodiff for the gradient and loss of a weighted ${describeCase(c)}`, () => {
        const model = buildModel(c.task, FEATURES, c.task === 'multiclass' ? c.classes : 1, c.model, 11);
        const specs = describeDenseStack(model);
        const trainer = new DenseStackTrainer(c.task, specs, model.getWeights(), { learningRate: 0.01 }, 1);
        const batch = batchFor(c, true);
        const expected = referenceGradient(c, model, specs, batch, null);
        const actual = trainer.gradient(batch.x, batch.y, batch.w);
        assertClose([actual.lossSum.dataSync()[0] / ROWS], [expected.loss], 1e-5, 'loss');
        assertClose(actual.gradient.dataSync(), expected.gradient, 1e-5, 'gradient');
        tf.dispose([actual.gradient, actual.lossSum, batch.x, batch.y, batch.w as tf.Tensor]);
        trainer.dispose();
        model.dispose();
      });
    }

    it('matches tfjs autodiff with dropout masks applied after each hidden layer', () => {
      const c: Case = { task: 'multiclass', classes: 3, model: { type: 'mlp', hidden: [8, 6], dropout: 0.5, activation: 'relu' } };
      const model = buildModel(c.task, FEATURES, 3, c.model, 5);
      const specs = describeDenseStack(model);
      const trainer = new DenseStackTrainer(c.task, specs, model.getWeights(), { learningRate: 0.01 }, 1);
      const source = new DropoutMaskSource(9);
      const hiddenMasks = [tf.tensor2d(source.draw(ROWS * 8, 0.5), [ROWS, 8]), tf.tensor2d(source.draw(ROWS * 6, 0.5), [ROWS, 6])];
      const masks = [...hiddenMasks, null];
      const batch = batchFor(c, false);
      const expected = referenceGradient(c, model, specs, batch, masks);
      const actual = trainer.gradient(batch.x, batch.y, null, masks);
      assertClose(actual.gradient.dataSync(), expected.gradient, 1e-5, 'gradient');
      tf.dispose([actual.gradient, actual.lossSum, batch.x, batch.y, ...hiddenMasks]);
      trainer.dispose();
      model.dispose();
    });

    it("takes the same steps as tfjs' Adam optimizer given the same gradients", () => {
      const c = CASES[0];
      const model = buildModel(c.task, FEATURES, c.classes, c.model, 2);
      const specs = describeDenseStack(model);
      const trainer = new DenseStackTrainer(c.task, specs, model.getWeights(), { learningRate: 0.05 }, 1);
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 4; step++) {
        const batch = batchFor(c, step % 2 === 0, 10 + step);
        tf.tidy(() => {
          const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
          const { grads } = tf.variableGrads(() => referenceLoss(c, model, specs, batch.x, batch.y, batch.w, null), variables);
          optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
        });
        trainer.trainBatch(batch.x, batch.y, batch.w);
        tf.dispose([batch.x, batch.y, ...(batch.w ? [batch.w] : [])]);
      }
      const ours = trainer.currentWeights();
      const theirs = model.getWeights();
      ours.forEach((w, i) => assertClose(w.dataSync(), theirs[i].dataSync(), 2e-5, `weights ${i}`));
      tf.dispose(ours);
      optimizer.dispose();
      trainer.dispose();
      model.dispose();
    });

    it('copies its weights into the model so model.predict agrees with its own forward pass', async () => {
      const c = CASES[0];
      const model = buildModel(c.task, FEATURES, c.classes, c.model, 4);
      const trainer = new DenseStackTrainer(c.task, describeDenseStack(model), model.getWeights(), { learningRate: 0.05 }, 1);
      const batch = batchFor(c, false);
      for (let i = 0; i < 5; i++) trainer.trainBatch(batch.x, batch.y, null);
      trainer.writeWeightsTo(model);
      // the loss the trainer computes for the rows equals the loss of the model's predictions
      const data = teacherDataset(c.task, ROWS, FEATURES, c.classes, 3);
      const targets = encodeTargets(c.task, data.y, c.classes);
      const evaluation = await trainer.evaluate(new HostRows(data.x, FEATURES, targets.values, c.classes, null));
      const probabilities = (model.predict(batch.x) as tf.Tensor).arraySync() as number[][];
      const expectedLoss = probabilities.reduce((sum, p, i) => sum - Math.log(p[data.y[i]]), 0) / ROWS;
      assertClose([evaluation.lossSum / ROWS], [expectedLoss], 1e-5, 'loss');
      tf.dispose([batch.x, batch.y]);
      trainer.dispose();
      model.dispose();
    });

    it('keeps the tensor count constant across steps, snapshots and evaluation', async () => {
      const c = CASES[2];
      const model = buildModel(c.task, FEATURES, 1, { type: 'mlp', hidden: [6], dropout: 0.3, activation: 'relu' }, 4);
      const trainer = new DenseStackTrainer(c.task, describeDenseStack(model), model.getWeights(), { learningRate: 0.01 }, 1);
      const batch = batchFor(c, true);
      const data = teacherDataset(c.task, 40, FEATURES, 1, 3);
      const rows = new HostRows(data.x, FEATURES, data.y, 1, null);
      trainer.trainBatch(batch.x, batch.y, batch.w);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        trainer.trainBatch(batch.x, batch.y, batch.w);
        trainer.keepSnapshot();
        trainer.trainBatch(batch.x, batch.y, batch.w);
        await trainer.takeEpochSums();
        await trainer.evaluate(rows, 16);
      }
      trainer.restoreSnapshot();
      assert.equal(tf.memory().numTensors, before);
      const created = tf.memory().numTensors;
      trainer.dispose();
      tf.dispose([batch.x, batch.y, batch.w as tf.Tensor]);
      model.dispose();
      assert.ok(tf.memory().numTensors < created);
    });
  });
}

describe('engine/dense-trainer helpers', () => {
  it('refuses a model whose output layer does not match the task', async () => {
    await initBackend('wasm');
    const model = buildModel('regression', 3, 1, { type: 'logistic', l2: 0 }, 1);
    assert.throws(() => new DenseStackTrainer('binary', describeDenseStack(model), model.getWeights(), { learningRate: 0.1 }, 1), /needs a sigmoid output layer, got linear/);
    model.dispose();
  });


  it('draws dropout masks with the requested rate, the inverted-dropout scale and a seed', () => {
    const a = new DropoutMaskSource(1).draw(100001, 0.3);
    const b = new DropoutMaskSource(1).draw(100001, 0.3);
    const c = new DropoutMaskSource(2).draw(100001, 0.3);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const dropped = a.filter((v) => v === 0).length / a.length;
    assert.ok(Math.abs(dropped - 0.3) < 0.01, `dropped fraction ${dropped}`);
    assert.ok(a.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
    // consecutive draws continue the sequence instead of repeating it
    const source = new DropoutMaskSource(1);
    assert.notDeepEqual(source.draw(64, 0.5), source.draw(64, 0.5));
  });

  it('writes the same mask values into a padded layout (drawInto) as draw returns, and continues the same sequence', () => {
    const [rows, units, stride] = [7, 5, 8]; // an odd count: one draw's second half is unused
    const plain = new DropoutMaskSource(3);
    const padded = new DropoutMaskSource(3);
    for (let round = 0; round < 2; round++) {
      const expected = plain.draw(rows * units, 0.4);
      const target = new Float32Array(2 + rows * stride).fill(-1);
      padded.drawInto(target, 2, rows, units, 0.4, stride);
      for (let r = 0; r < rows; r++) {
        assert.deepEqual(target.subarray(2 + r * stride, 2 + r * stride + units), expected.subarray(r * units, (r + 1) * units), `round ${round} row ${r}`);
        if (r < rows - 1) assert.ok(target.subarray(2 + r * stride + units, 2 + (r + 1) * stride).every((v) => v === -1), 'padding untouched');
      }
    }
  });

  it('encodes multiclass labels as one-hot rows and other targets as a column', () => {
    assert.deepEqual(encodeTargets('multiclass', Float32Array.from([2, 0]), 3), { values: Float32Array.from([0, 0, 1, 1, 0, 0]), shape: [2, 3] });
    assert.deepEqual(encodeTargets('regression', Float32Array.from([1.5, -2]), 1).shape, [2, 1]);
  });
});
