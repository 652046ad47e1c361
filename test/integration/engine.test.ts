/**
 * The training engine end to end on real data: Fisher's iris (150 rows, 4 features, 3
 * classes; the committed copy in examples/iris, identical to ../shared/datasets/iris.csv).
 * The features are standardised here, by hand, so this test depends on the engine alone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/engine/backend';
import { fitModel, predictScores, type Dataset, type EpochLogs } from '../../src/core/engine/fit';
import type { TrainableModel, TrainingConfig } from '../../src/core/project/types';
import { CancelledError, UserError } from '../../src/core/util/errors';
import { createRng, permutation } from '../../src/core/util/random';

const IRIS_PATHS = [path.resolve(__dirname, '../../examples/iris/data/iris.csv'), '/work/shared/datasets/iris.csv'];

/** The project defaults (mlloop.yaml without a model or training section). */
const DEFAULT_MLP: TrainableModel = { type: 'mlp', hidden: [64, 32], dropout: 0.1, activation: 'relu' };
const DEFAULT_TRAINING: TrainingConfig = {
  batchSize: 32,
  learningRate: 0.001,
  epochs: 200,
  validationSplit: 0.15,
  testSplit: 0.2,
  classWeight: 'none',
  seed: 42,
  earlyStopping: { enabled: true, monitor: 'val_loss', minDelta: 0.0001, patience: 10, restoreBest: true },
};

interface Iris {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/** Reads iris, splits it stratified by class (seeded) and standardises with training statistics. */
function loadIris(seed: number): Iris {
  const file = IRIS_PATHS.find((p) => fs.existsSync(p));
  if (!file) throw new Error(`iris.csv not found in ${IRIS_PATHS.join(' or ')}`);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const species = [...new Set(lines.map((l) => l.split(',')[4].trim()))].sort();
  const rows = lines.map((l) => {
    const cells = l.split(',');
    return { x: cells.slice(0, 4).map(Number), y: species.indexOf(cells[4].trim()) };
  });
  const rng = createRng(seed);
  const parts: Record<'train' | 'validation' | 'test', typeof rows> = { train: [], validation: [], test: [] };
  for (let c = 0; c < species.length; c++) {
    const members = rows.filter((r) => r.y === c);
    const order = permutation(members.length, rng);
    const nTest = Math.round(members.length * 0.2);
    const nValidation = Math.round(members.length * 0.15);
    order.forEach((index, rank) => {
      const part = rank < nTest ? 'test' : rank < nTest + nValidation ? 'validation' : 'train';
      parts[part].push(members[index]);
    });
  }
  const mean = [0, 1, 2, 3].map((j) => parts.train.reduce((s, r) => s + r.x[j], 0) / parts.train.length);
  const std = [0, 1, 2, 3].map((j) => Math.sqrt(parts.train.reduce((s, r) => s + (r.x[j] - mean[j]) ** 2, 0) / parts.train.length));
  const toDataset = (part: typeof rows): Dataset => ({
    x: Float32Array.from(part.flatMap((r) => r.x.map((v, j) => (v - mean[j]) / std[j]))),
    y: Float32Array.from(part.map((r) => r.y)),
    n: part.length,
    d: 4,
  });
  return { train: toDataset(parts.train), validation: toDataset(parts.validation), test: toDataset(parts.test) };
}

function accuracy(scores: Float32Array, data: Dataset, k = 3): number {
  let correct = 0;
  for (let i = 0; i < data.n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c;
    if (best === data.y[i]) correct++;
  }
  return correct / data.n;
}

/** Mean cross-entropy of predicted probabilities, with Keras' clipping. */
function crossEntropy(scores: Float32Array, data: Dataset, k = 3): number {
  let sum = 0;
  for (let i = 0; i < data.n; i++) sum -= Math.log(Math.min(Math.max(scores[i * k + data.y[i]], 1e-7), 1 - 1e-7));
  return sum / data.n;
}

/** The data repeated `times` times, so an epoch takes long enough to cancel in the middle. */
function repeat(data: Dataset, times: number): Dataset {
  const x = new Float32Array(data.x.length * times);
  const y = new Float32Array(data.n * times);
  for (let t = 0; t < times; t++) {
    x.set(data.x, t * data.x.length);
    y.set(data.y, t * data.n);
  }
  return { x, y, n: data.n * times, d: data.d };
}

describe('engine on iris (integration)', function () {
  this.timeout(60000);
  const iris = loadIris(42);

  before(async () => {
    await initBackend('auto');
  });

  it('reaches test accuracy ≥ 0.9 with the default MLP and training settings', async () => {
    const result = await fitModel(iris.train, iris.validation, { task: 'multiclass', numClasses: 3, model: DEFAULT_MLP, training: DEFAULT_TRAINING });
    const testAccuracy = accuracy(predictScores(result.model, iris.test.x, iris.test.n, 4), iris.test);
    assert.ok(testAccuracy >= 0.9, `test accuracy ${testAccuracy} after ${result.epochsRun} epochs`);
    result.model.dispose();
  });

  it('is reproducible: the same seed gives the same history and predictions, another seed does not', async () => {
    const options = { task: 'multiclass' as const, numClasses: 3, model: DEFAULT_MLP, training: { ...DEFAULT_TRAINING, epochs: 15 } };
    const run = async (seed: number) => {
      const result = await fitModel(iris.train, iris.validation, { ...options, training: { ...options.training, seed } });
      const scores = predictScores(result.model, iris.test.x, iris.test.n, 4);
      result.model.dispose();
      return { history: result.history.map(({ durationMs: _ignored, ...logs }) => logs), scores: Array.from(scores) };
    };
    const first = await run(7);
    const second = await run(7);
    const other = await run(8);
    assert.deepEqual(second, first);
    assert.notDeepEqual(other.history, first.history);
  });

  it('stops early on val_loss and restores the weights of the best epoch', async () => {
    // A high learning rate on few rows makes the validation loss bounce, so patience runs out.
    const result = await fitModel(iris.train, iris.validation, {
      task: 'multiclass',
      numClasses: 3,
      model: DEFAULT_MLP,
      training: { ...DEFAULT_TRAINING, learningRate: 0.05, earlyStopping: { ...DEFAULT_TRAINING.earlyStopping, patience: 5 } },
    });
    assert.ok(result.stoppedEarly, `ran all ${result.epochsRun} epochs`);
    const valLosses = result.history.map((h) => h.val_loss as number);
    const best = valLosses.indexOf(Math.min(...valLosses)) + 1;
    assert.equal(result.bestEpoch, best);
    assert.equal(result.epochsRun, best + 5);
    assert.equal(result.weightsFromEpoch, best);
    // The returned model is the best epoch's, not the last one's.
    const restoredLoss = crossEntropy(predictScores(result.model, iris.validation.x, iris.validation.n, 4), iris.validation);
    assert.ok(Math.abs(restoredLoss - valLosses[best - 1]) < 1e-5, `validation loss of the returned model ${restoredLoss}, best epoch ${valLosses[best - 1]}, last ${valLosses[valLosses.length - 1]}`);
    result.model.dispose();
  });

  it('stops within a batch or so when the AbortSignal fires in the middle of an epoch', async () => {
    const before = tf.memory().numTensors;
    const big = repeat(iris.train, 2000); // ~180k rows: one epoch at batch 8 takes seconds
    const controller = new AbortController();
    const epochs: EpochLogs[] = [];
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 300);
    await assert.rejects(
      fitModel(big, null, {
        task: 'multiclass',
        numClasses: 3,
        model: DEFAULT_MLP,
        training: { ...DEFAULT_TRAINING, batchSize: 8, epochs: 3 },
        signal: controller.signal,
        onEpochEnd: (logs) => {
          epochs.push(logs);
        },
      }),
      CancelledError,
    );
    const reaction = performance.now() - abortedAt;
    assert.ok(abortedAt > 0, 'the abort timer ran while training (the loop yields to the event loop)');
    assert.ok(reaction < 500, `cancelled ${reaction.toFixed(0)} ms after the abort`);
    assert.equal(epochs.length, 0, 'cancelled inside the first epoch');
    assert.equal(tf.memory().numTensors, before);
  });

  it('sees an abort from a timer even when every epoch is shorter than the yield interval', async () => {
    // Iris epochs take about a millisecond: the loop must still give timers (and a worker's
    // message handler) a turn, or the abort would only be seen after the last epoch.
    const controller = new AbortController();
    let epochsBeforeAbort = 0;
    const started = performance.now();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(
      fitModel(iris.train, null, {
        task: 'multiclass',
        numClasses: 3,
        model: DEFAULT_MLP,
        training: { ...DEFAULT_TRAINING, epochs: 1_000_000, earlyStopping: { ...DEFAULT_TRAINING.earlyStopping, enabled: false } },
        signal: controller.signal,
        onEpochEnd: (logs) => {
          epochsBeforeAbort = logs.epoch;
        },
      }),
      CancelledError,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1200, `training ended ${elapsed.toFixed(0)} ms after start, for an abort at 200 ms`);
    assert.ok(epochsBeforeAbort > 1, `aborted after epoch ${epochsBeforeAbort}`);
  });

  it('ends with a UserError naming the epoch when the loss becomes infinite (learning rate 1e6)', async () => {
    // Regression (petal width from the three other standardised features): Adam moves every
    // weight by ~1e6 per step, the squared error overflows float32 within the first epoch.
    // (A softmax head with Keras' clipped cross-entropy stays finite at this learning rate —
    // the loss just stays bad — so the regression head is what shows divergence here.)
    const before = tf.memory().numTensors;
    const regression = (data: Dataset): Dataset => ({
      x: Float32Array.from({ length: data.n * 3 }, (_, i) => data.x[Math.floor(i / 3) * 4 + (i % 3)]),
      y: Float32Array.from({ length: data.n }, (_, i) => data.x[i * 4 + 3]),
      n: data.n,
      d: 3,
    });
    await assert.rejects(
      fitModel(regression(iris.train), regression(iris.validation), {
        task: 'regression',
        numClasses: 0,
        model: DEFAULT_MLP,
        training: { ...DEFAULT_TRAINING, learningRate: 1e6 },
      }),
      (e: unknown) => e instanceof UserError && /Training diverged at epoch 1\b/.test(e.message) && /lower training\.learningRate/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, before);
  });

  it('ends with a UserError when huge unscaled feature values overflow to NaN', async () => {
    const before = tf.memory().numTensors;
    const huge = { ...iris.train, x: iris.train.x.map((v) => v * 1e30) };
    await assert.rejects(
      fitModel(huge, null, { task: 'multiclass', numClasses: 3, model: DEFAULT_MLP, training: DEFAULT_TRAINING }),
      (e: unknown) => e instanceof UserError && /diverged at epoch 1\b/.test(e.message) && /features are scaled/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, before);
  });

  it('leaks no tensors: the count is flat across epochs and back to the start after disposing the model', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const result = await fitModel(iris.train, iris.validation, {
      task: 'multiclass',
      numClasses: 3,
      model: DEFAULT_MLP,
      training: { ...DEFAULT_TRAINING, epochs: 12, earlyStopping: { ...DEFAULT_TRAINING.earlyStopping, patience: 100 } },
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `tensor counts per epoch: ${counts}`);
    result.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
