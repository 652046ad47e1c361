import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/engine/backend';
import { balancedClassWeights, fitModel, predictScores, type EpochLogs } from '../../../src/core/engine/fit';
import { CancelledError, UserError } from '../../../src/core/util/errors';
import { MLP, teacherDataset, trainingConfig } from './synthetic';

function accuracy(scores: Float32Array, y: Float32Array, k: number): number {
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c;
    if (best === y[i]) correct++;
  }
  return correct / y.length;
}

describe('engine/fit', () => {
  before(async () => {
    await initBackend('wasm');
  });

  describe('balancedClassWeights', () => {
    it('gives n / (k · n_c) per class, like scikit-learn', () => {
      // sklearn.utils.class_weight.compute_class_weight('balanced', classes=[0,1,2], y=[0,0,0,0,1,1,2,2,2,2,2,2])
      // → [1.0, 2.0, 0.6666667]
      const y = Float32Array.from([0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2]);
      const weights = balancedClassWeights(y, 3);
      assert.deepEqual(weights.map((w) => Number(w.toFixed(6))), [1, 2, 0.666667]);
    });

    it('gives weight 1 to a class without rows', () => {
      assert.deepEqual(balancedClassWeights(Float32Array.from([0, 0, 1, 1]), 3), [4 / 6, 4 / 6, 1]);
    });
  });

  // Every behaviour holds for both training loops: ML Loop's WebAssembly SIMD loop (the default
  // for these ReLU models) and the tfjs loop on the wasm backend.
  for (const trainer of ['auto', 'tfjs'] as const) {
    describe(`fitModel (trainer: ${trainer})`, () => {
      const fit: typeof fitModel = (train, validation, opts) => fitModel(train, validation, { trainer, ...opts });

      it('learns a multiclass teacher and reports Keras-style epoch logs', async () => {
        const train = teacherDataset('multiclass', 600, 6, 3, 1);
        const validation = teacherDataset('multiclass', 200, 6, 3, 1);
        const seen: EpochLogs[] = [];
        const result = await fit(train, validation, {
          task: 'multiclass',
          numClasses: 3,
          model: MLP,
          training: trainingConfig({ epochs: 8, learningRate: 0.02 }),
          onEpochEnd: (logs) => {
            seen.push(logs);
          },
        });
        assert.equal(result.epochsRun, 8);
        assert.deepEqual(seen, result.history);
        assert.deepEqual(result.history.map((h) => h.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);
        const last = result.history[7];
        assert.ok(last.loss < result.history[0].loss, 'training loss falls');
        assert.ok((last.val_accuracy as number) > 0.85, `val_accuracy ${last.val_accuracy}`);
        assert.equal(last.mae, undefined);
        assert.ok(last.durationMs > 0);
        const scores = predictScores(result.model, validation.x, validation.n, validation.d);
        assert.ok(Math.abs(accuracy(scores, validation.y, 3) - (last.val_accuracy as number)) < 1e-6, 'val_accuracy is the accuracy of the returned model');
        assert.equal(result.backend, trainer === 'auto' ? 'wasm-simd' : 'wasm');
        result.model.dispose();
      });

      it('reports mae for regression and accuracy for binary', async () => {
        const regression = await fit(teacherDataset('regression', 200, 4, 1, 2), teacherDataset('regression', 50, 4, 1, 3), {
          task: 'regression',
          numClasses: 0,
          model: { type: 'logistic', l2: 1e-4 },
          training: trainingConfig({ epochs: 3 }),
        });
        assert.ok(regression.history.every((h) => h.mae !== undefined && h.val_mae !== undefined && h.accuracy === undefined));
        regression.model.dispose();
        const binary = await fit(teacherDataset('binary', 200, 4, 2, 2), null, {
          task: 'binary',
          numClasses: 2,
          model: MLP,
          training: trainingConfig({ epochs: 2 }),
        });
        assert.ok(binary.history.every((h) => h.accuracy !== undefined && h.val_loss === undefined));
        const scores = predictScores(binary.model, teacherDataset('binary', 10, 4, 2, 2).x, 10, 4);
        assert.equal(scores.length, 10);
        assert.ok(scores.every((p) => p >= 0 && p <= 1));
        binary.model.dispose();
      });

      it('gives the same history and weights for the same seed, and different ones for another seed', async () => {
        const train = teacherDataset('binary', 300, 5, 2, 4);
        const run = async (seed: number) => {
          const result = await fit(train, null, { task: 'binary', numClasses: 2, model: MLP, training: trainingConfig({ epochs: 3, seed }) });
          const weights = result.model.getWeights().map((w) => Array.from(w.dataSync()));
          result.model.dispose();
          return { losses: result.history.map((h) => h.loss), weights };
        };
        const a = await run(1);
        const b = await run(1);
        const c = await run(2);
        assert.deepEqual(a, b);
        assert.notDeepEqual(a.losses, c.losses);
      });

      it('stops early on val_loss and puts back the best epoch', async () => {
        // A learning rate this high makes the validation loss bounce, so patience runs out.
        const train = teacherDataset('binary', 200, 5, 2, 5);
        const validation = teacherDataset('binary', 100, 5, 2, 6);
        const result = await fit(train, validation, {
          task: 'binary',
          numClasses: 2,
          model: MLP,
          training: trainingConfig({ epochs: 60, learningRate: 0.3 }, { enabled: true, patience: 3, minDelta: 0 }),
        });
        assert.ok(result.stoppedEarly, `ran ${result.epochsRun} epochs`);
        const losses = result.history.map((h) => h.val_loss as number);
        const best = losses.indexOf(Math.min(...losses)) + 1;
        assert.equal(result.bestEpoch, best);
        assert.equal(result.weightsFromEpoch, best);
        assert.equal(result.epochsRun, best + 3);
        assert.equal(result.monitor, 'val_loss');
        result.model.dispose();
      });

      it('monitors the training loss when there is no validation set', async () => {
        const result = await fit(teacherDataset('binary', 100, 3, 2, 1), null, {
          task: 'binary',
          numClasses: 2,
          model: MLP,
          training: trainingConfig({ epochs: 3 }, { enabled: true, monitor: 'val_accuracy' }),
        });
        assert.equal(result.monitor, 'loss');
        const losses = result.history.map((h) => h.loss);
        assert.equal(result.bestEpoch, losses.indexOf(Math.min(...losses)) + 1);
        result.model.dispose();
      });

      it('throws CancelledError when the signal is aborted, without leaking tensors', async () => {
        const before = tf.memory().numTensors;
        const controller = new AbortController();
        await assert.rejects(
          fit(teacherDataset('multiclass', 400, 5, 3, 1), null, {
            task: 'multiclass',
            numClasses: 3,
            model: MLP,
            training: trainingConfig({ epochs: 50 }),
            signal: controller.signal,
            onEpochEnd: (logs) => {
              if (logs.epoch === 2) controller.abort();
            },
          }),
          CancelledError,
        );
        assert.equal(tf.memory().numTensors, before);
      });

      it('ends a diverging run with a UserError naming the epoch', async () => {
        const before = tf.memory().numTensors;
        await assert.rejects(
          fit(teacherDataset('regression', 100, 3, 1, 1), null, {
            task: 'regression',
            numClasses: 0,
            model: { type: 'mlp', hidden: [8], dropout: 0, activation: 'relu' },
            training: trainingConfig({ epochs: 5, learningRate: 1e30 }),
          }),
          (e: unknown) => e instanceof UserError && /diverged at epoch \d+/.test(e.message) && /learningRate/.test(e.message),
        );
        assert.equal(tf.memory().numTensors, before);
      });

      it('refuses non-finite features and out-of-range labels with a UserError', async () => {
        const data = teacherDataset('multiclass', 20, 3, 3, 1);
        const options = { task: 'multiclass' as const, numClasses: 3, model: MLP, training: trainingConfig({ epochs: 1 }) };
        const badX = { ...data, x: data.x.slice() };
        badX.x[7] = NaN;
        await assert.rejects(fit(badX, null, options), (e: unknown) => e instanceof UserError && /row 3, column 2/.test(e.message));
        const badY = { ...data, y: data.y.slice() };
        badY.y[4] = 3;
        await assert.rejects(fit(badY, null, options), (e: unknown) => e instanceof UserError && /row 5 is 3/.test(e.message));
        await assert.rejects(fit({ ...data, x: new Float32Array(0), y: new Float32Array(0), n: 0 }, null, options), UserError);
      });

      it('weights rows by sampleWeight × classWeight (a zero-weight class is never predicted)', async () => {
        const train = teacherDataset('multiclass', 300, 4, 3, 8);
        const result = await fit(train, null, {
          task: 'multiclass',
          numClasses: 3,
          model: { type: 'logistic', l2: 0 },
          training: trainingConfig({ epochs: 15, learningRate: 0.05 }),
          classWeight: [1, 1, 0],
        });
        const scores = predictScores(result.model, train.x, train.n, train.d);
        let predictedTwo = 0;
        for (let i = 0; i < train.n; i++) if (scores[i * 3 + 2] > Math.max(scores[i * 3], scores[i * 3 + 1])) predictedTwo++;
        assert.equal(predictedTwo, 0);
        result.model.dispose();
      });

      it('keeps the number of tensors constant across epochs and releases all but the model', async () => {
        const before = tf.memory().numTensors;
        const counts: number[] = [];
        const result = await fit(teacherDataset('multiclass', 300, 5, 3, 2), teacherDataset('multiclass', 100, 5, 3, 3), {
          task: 'multiclass',
          numClasses: 3,
          model: MLP,
          training: trainingConfig({ epochs: 6 }, { enabled: true, patience: 100 }),
          onEpochEnd: () => {
            counts.push(tf.memory().numTensors);
          },
        });
        // epoch 1 may differ (first snapshot kept for restoreBest); afterwards the count is flat
        assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts per epoch: ${counts}`);
        const modelTensors = result.model.getWeights().length;
        assert.equal(tf.memory().numTensors, before + modelTensors);
        result.model.dispose();
        assert.equal(tf.memory().numTensors, before);
      });
    });
  }

  describe('predictScores', () => {
    it('predicts in chunks and returns n × outputs row-major values', async () => {
      const result = await fitModel(teacherDataset('multiclass', 100, 2, 4, 1), null, {
        task: 'multiclass',
        numClasses: 4,
        model: { type: 'logistic', l2: 0 },
        training: trainingConfig({ epochs: 1 }),
      });
      const n = 8192 + 10;
      const data = teacherDataset('multiclass', n, 2, 4, 9);
      const before = tf.memory().numTensors;
      const scores = predictScores(result.model, data.x, n, 2);
      assert.equal(tf.memory().numTensors, before);
      assert.equal(scores.length, n * 4);
      for (const row of [0, 8191, 8192, n - 1]) {
        const p = Array.from(scores.subarray(row * 4, row * 4 + 4));
        assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        const single = predictScores(result.model, data.x.subarray(row * 2, row * 2 + 2), 1, 2);
        p.forEach((v, c) => assert.ok(Math.abs(v - single[c]) < 1e-6));
      }
      assert.equal(predictScores(result.model, new Float32Array(0), 0, 2).length, 0);
      result.model.dispose();
    });
  });
});
