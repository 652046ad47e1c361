/**
 * Training throughput on one thread, on the decision-policy shape — an 18→64→32→16→5 relu
 * MLP, softmax head, Adam(1e-3) — over 20,000 synthetic rows for 5 epochs, at batch 32 and
 * batch 256, side by side in the same run:
 *
 * - ours: fitModel's default loop, ML Loop's WebAssembly SIMD kernels (./src/core/engine/simd-trainer.ts),
 *   without and with the project's default dropout 0.1 (a seeded mask per batch);
 * - ours on tfjs: fitModel's tfjs loop (./src/core/engine/dense-trainer.ts, trainer 'tfjs') on
 *   each tfjs backend that loads here (wasm, cpu; tensorflow if installed), and tfjs' own
 *   model.fit on it;
 * - PyTorch: bench/train_torch.py, the same model and loop with torch.set_num_threads(1)
 *   (when /usr/bin/python3 has torch).
 *
 *   npx tsx bench/train.bench.ts            all tfjs backends
 *   npx tsx bench/train.bench.ts wasm       one tfjs backend
 *
 * Figures are samples per second (rows × epochs / wall time), the best of `REPEATS` runs to
 * damp the noise of a shared machine; each loop's first call is a discarded warm-up. Every
 * loop computes the loss of every batch. A benchmark prints figures; it never fails on time.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/core/engine/backend';
import { fitModel, type Dataset, type TrainerChoice } from '../src/core/engine/fit';
import { buildModel } from '../src/core/engine/models';
import type { MlpModel, TrainingConfig } from '../src/core/project/types';
import { createRng } from '../src/core/util/random';

const ROWS = 20000;
const FEATURES = 18;
const CLASSES = 5;
const EPOCHS = 5;
const BATCH_SIZES = [32, 256];
const REPEATS = 2;
const MODEL: MlpModel = { type: 'mlp', hidden: [64, 32, 16], dropout: 0, activation: 'relu' };

function syntheticRows(): Dataset {
  const rng = createRng(1);
  const teacher = Array.from({ length: FEATURES * CLASSES }, () => rng() * 2 - 1);
  const x = new Float32Array(ROWS * FEATURES);
  const y = new Float32Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const scores = new Array<number>(CLASSES).fill(0);
    for (let j = 0; j < FEATURES; j++) {
      const v = rng() * 2 - 1;
      x[i * FEATURES + j] = v;
      for (let c = 0; c < CLASSES; c++) scores[c] += v * teacher[j * CLASSES + c];
    }
    y[i] = scores.indexOf(Math.max(...scores));
  }
  return { x, y, n: ROWS, d: FEATURES };
}

function training(batchSize: number, epochs: number): TrainingConfig {
  return {
    batchSize,
    learningRate: 1e-3,
    epochs,
    validationSplit: 0,
    testSplit: 0.2,
    classWeight: 'none',
    seed: 1,
    earlyStopping: { enabled: false, monitor: 'loss', minDelta: 0, patience: 10, restoreBest: false },
  };
}

interface Measurement {
  samplesPerSecond: number;
  finalLoss: number;
}

async function ours(data: Dataset, batchSize: number, epochs: number, dropout: number, trainer: TrainerChoice = 'auto'): Promise<Measurement> {
  const started = performance.now();
  const result = await fitModel(data, null, { task: 'multiclass', numClasses: CLASSES, model: { ...MODEL, dropout }, training: training(batchSize, epochs), trainer });
  const seconds = (performance.now() - started) / 1000;
  result.model.dispose();
  return { samplesPerSecond: (data.n * epochs) / seconds, finalLoss: result.history[result.history.length - 1].loss };
}

async function modelFit(data: Dataset, batchSize: number, epochs: number): Promise<Measurement> {
  const model = buildModel('multiclass', FEATURES, CLASSES, MODEL, 1);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d(data.x, [data.n, data.d]);
  const y = tf.tensor2d(data.y, [data.n, 1]);
  const started = performance.now();
  const history = await model.fit(x, y, { batchSize, epochs, shuffle: true, verbose: 0 });
  const seconds = (performance.now() - started) / 1000;
  const losses = history.history.loss as number[];
  tf.dispose([x, y]);
  model.dispose();
  return { samplesPerSecond: (data.n * epochs) / seconds, finalLoss: losses[losses.length - 1] };
}

async function best(run: () => Promise<Measurement>): Promise<Measurement> {
  let top: Measurement | null = null;
  for (let i = 0; i < REPEATS; i++) {
    const m = await run();
    if (!top || m.samplesPerSecond > top.samplesPerSecond) top = m;
  }
  return top as Measurement;
}

function format(m: Measurement): string {
  return `${Math.round(m.samplesPerSecond).toLocaleString('en-US').padStart(9)} (loss ${m.finalLoss.toFixed(3)})`;
}

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(30) : i === 1 ? c.padEnd(7) : c.padStart(24))).join('');
}

async function main(): Promise<void> {
  const requested = process.argv[2];
  const backends = requested ? [requested] : ['tensorflow', 'wasm', 'cpu'];
  const data = syntheticRows();
  const small = { ...data, n: 2000, x: data.x.subarray(0, 2000 * FEATURES), y: data.y.subarray(0, 2000) };
  console.log(`18→64→32→16→5 relu MLP, ${ROWS} rows, ${EPOCHS} epochs, Adam 1e-3, one thread; samples/s (best of ${REPEATS}), final epoch loss`);
  console.log(row(['loop', 'batch', 'no dropout', 'dropout 0.1']));
  await initBackend('wasm');
  await ours(small, 32, 1, 0.1); // warm-up
  for (const batchSize of BATCH_SIZES) {
    const fast = await best(() => ours(data, batchSize, EPOCHS, 0));
    const withDropout = await best(() => ours(data, batchSize, EPOCHS, 0.1));
    console.log(row(['ours (wasm-simd)', String(batchSize), format(fast), format(withDropout)]));
  }
  for (const backend of backends) {
    try {
      await initBackend(backend as 'tensorflow' | 'wasm' | 'cpu');
    } catch (e) {
      const reason = (e as Error).message.replace(/^[^:]*: /, '').split('. ')[0];
      console.log(row([`tfjs ${backend}`, '-', `not available (${reason})`]));
      continue;
    }
    await ours(small, 32, 1, 0, 'tfjs');
    await modelFit(small, 32, 1);
    for (const batchSize of BATCH_SIZES) {
      const loop = await best(() => ours(data, batchSize, EPOCHS, 0, 'tfjs'));
      const withDropout = await best(() => ours(data, batchSize, EPOCHS, 0.1, 'tfjs'));
      console.log(row([`ours on tfjs ${backend}`, String(batchSize), format(loop), format(withDropout)]));
      console.log(row([`tfjs model.fit on ${backend}`, String(batchSize), format(await best(() => modelFit(data, batchSize, EPOCHS))), '']));
    }
  }
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log('(PyTorch not installed: apt-get install -y python3-torch to print its figure too)');
    return;
  }
  const script = path.join(__dirname, 'train_torch.py');
  const run = spawnSync('/usr/bin/python3', [script, String(ROWS), String(EPOCHS), String(REPEATS), ...BATCH_SIZES.map(String)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of (run.stdout ?? '').trim().split('\n')) {
    const m = /^batch (\d+): (\d+) \(loss ([\d.]+)\)$/.exec(line.trim());
    if (m) console.log(row(['PyTorch (1 thread)', m[1], format({ samplesPerSecond: Number(m[2]), finalLoss: Number(m[3]) }), '']));
    else if (line.trim()) console.log(line);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
