/**
 * Training and prediction entry points: fitModel trains a fresh model built from the project's
 * model config, with Adam, seeded shuffling and dropout, early stopping, cancellation and a
 * per-epoch callback; predictScores runs a trained model over a feature matrix.
 *
 * Node only (it initialises the backend through ./backend.ts); run it off the extension host
 * thread, in the training worker or the CLI.
 *
 * The inner loop is ./dense-trainer.ts rather than `model.fit`: the data is uploaded once,
 * each batch is gathered by an index tensor, gradients are computed by hand for the dense
 * stack, and the epoch's loss is read from the device once per epoch. bench/train.bench.ts
 * compares it with `model.fit`.
 */
import { tensor as tfTensor } from '@tensorflow/tfjs';
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig, Task, TrainableModel, TrainingConfig } from '../project/types';
import { CancelledError, UserError } from '../util/errors';
import { createRng, permutation } from '../util/random';
import { backendInUse, initBackend } from './backend';
import { DenseStackTrainer, encodeTargets, type EpochSums } from './dense-trainer';
import { disposeBatch, HostRows } from './host-rows';
import { EarlyStoppingTracker } from './early-stopping';
import { buildModel, describeDenseStack, outputUnits } from './models';
import { SimdDenseTrainer, simdTrainerSupports } from './simd-trainer';
import { simdAvailable } from './simd-kernels';
import type { EpochLogs } from './epochLogs';

export type { EpochLogs } from './epochLogs';

export { predictScores } from './predict';

/**
 * Rows of features and labels, ready for training.
 * - x: row-major [n × d] float32 features (already encoded and scaled).
 * - y: binary 0/1; multiclass the class index (0 … k−1) as a float; regression the target.
 * - sampleWeight: optional non-negative weight per row (default 1).
 */
export interface Dataset {
  x: Float32Array;
  n: number;
  d: number;
  y: Float32Array;
  sampleWeight?: Float32Array;
}

export interface FitOptions {
  task: Task;
  /** Number of classes for multiclass (≥ 2); ignored for binary (2) and regression. */
  numClasses: number;
  model: TrainableModel;
  training: TrainingConfig;
  /** Called after every epoch with its logs; training waits for a returned promise. */
  onEpochEnd?: (logs: EpochLogs) => void | Promise<void>;
  /** Aborting stops training between two batches with a CancelledError. */
  signal?: AbortSignal;
  /**
   * Which training loop runs the steps. 'auto' (default): ML Loop's WebAssembly SIMD loop
   * (./simd-trainer.ts) for ReLU MLPs and logistic models, the tfjs loop (./dense-trainer.ts)
   * on the initialised tfjs backend for other activations; 'tfjs': always the tfjs loop (an
   * explicitly chosen backend, see {@link trainingBackendName}).
   */
  trainer?: TrainerChoice;
  /**
   * Weight of each class (indexed by class: binary [w0, w1], multiclass k entries),
   * multiplied into the sample weights of training rows. When omitted and
   * training.classWeight is 'balanced', {@link balancedClassWeights} of the training labels is
   * used; pass explicit weights to override. Not used for regression, nor for validation rows
   * (as in Keras, the validation loss uses only the validation set's sample weights).
   */
  classWeight?: number[];
  /**
   * Start from these weights instead of a seeded initialisation (fine-tuning a model of the
   * same architecture): one array per weight of the built model, in its getWeights() order
   * (kernel then bias, layer by layer), each with that weight's size.
   * @throws Error when a size differs (the caller checks the architecture first).
   */
  initialWeights?: ArrayLike<number>[];
}

export interface FitResult {
  /** The trained model; the caller owns it (model.dispose() releases its weights). */
  model: tf.LayersModel;
  /** One entry per epoch run, in order. */
  history: EpochLogs[];
  /** 1-based epoch with the best monitored value (see {@link fitModel} for the monitor). */
  bestEpoch: number;
  /**
   * The epoch whose weights `model` holds: bestEpoch when early stopping is enabled with
   * restoreBest, otherwise the last epoch run.
   */
  weightsFromEpoch: number;
  /** True when early stopping ended training before training.epochs. */
  stoppedEarly: boolean;
  epochsRun: number;
  /** What ran the training steps: 'wasm-simd' (ML Loop's kernels) or the tfjs backend ('wasm', 'cpu', 'tensorflow'). */
  backend: string;
  /** The metric that decided bestEpoch and early stopping, after the no-validation fallback. */
  monitor: 'loss' | 'val_loss' | 'val_accuracy';
}

/** See {@link FitOptions.trainer}. */
export type TrainerChoice = 'auto' | 'tfjs';

/** FitResult.backend of the WebAssembly SIMD training loop. */
export const SIMD_BACKEND = 'wasm-simd';

/**
 * The name of what will train `model` (FitResult.backend), known before training: a job
 * records it with the run. `tfjsBackend` is the initialised tfjs backend; a backend the user
 * chose explicitly (anything but 'auto') means the tfjs loop on it.
 */
export function trainingBackendName(model: ModelConfig, tfjsBackend: string, preference: string | undefined): string {
  // model: auto chooses among logistic models and ReLU MLPs, all of which the SIMD loop trains.
  const relu = model.type === 'logistic' || model.type === 'auto' || model.activation === 'relu';
  return trainerFor(preference) === 'auto' && relu && simdAvailable() ? SIMD_BACKEND : tfjsBackend;
}

/** The trainer for a job's `backend` option: an explicitly chosen tfjs backend means the tfjs loop on it. */
export function trainerFor(preference: string | undefined): TrainerChoice {
  return (preference ?? 'auto') === 'auto' ? 'auto' : 'tfjs';
}

/** The training loop fitModel drives, whichever trainer runs it. */
interface TrainingLoop {
  step(order: Int32Array, start: number, end: number): void;
  takeEpochSums(): Promise<EpochSums>;
  evaluate(rows: HostRows): Promise<{ lossSum: number; metricSum: number; rows: number }>;
  keepSnapshot(): void;
  hasSnapshot(): boolean;
  restoreSnapshot(): void;
  writeWeightsTo(model: tf.LayersModel): void;
  dispose(): void;
}

function tfjsLoop(trainer: DenseStackTrainer, rows: HostRows): TrainingLoop {
  return {
    step: (order, start, end) => {
      const batch = rows.gather(order, start, end);
      try {
        trainer.trainBatch(batch.x, batch.y, batch.w);
      } finally {
        disposeBatch(batch);
      }
    },
    takeEpochSums: () => trainer.takeEpochSums(),
    evaluate: (data) => trainer.evaluate(data),
    keepSnapshot: () => trainer.keepSnapshot(),
    hasSnapshot: () => trainer.hasSnapshot(),
    restoreSnapshot: () => trainer.restoreSnapshot(),
    writeWeightsTo: (model) => trainer.writeWeightsTo(model),
    dispose: () => trainer.dispose(),
  };
}

function simdLoop(trainer: SimdDenseTrainer, rows: HostRows): TrainingLoop {
  return {
    step: (order, start, end) => trainer.trainRows(rows, order, start, end),
    takeEpochSums: async () => trainer.takeEpochSums(),
    evaluate: async (data) => trainer.evaluate(data),
    keepSnapshot: () => trainer.keepSnapshot(),
    hasSnapshot: () => trainer.hasSnapshot(),
    restoreSnapshot: () => trainer.restoreSnapshot(),
    writeWeightsTo: (model) => {
      const layers = describeDenseStack(model);
      const weights = trainer.currentWeights().map((values, i) => {
        const spec = layers[Math.floor(i / 2)];
        return tfTensor(values, i % 2 === 0 ? [spec.inputDim, spec.units] : [spec.units]);
      });
      model.setWeights(weights);
      for (const w of weights) w.dispose();
    },
    // Its WebAssembly memory is garbage-collected with it; there is nothing to release early.
    dispose: () => undefined,
  };
}

/** How long the loop may compute before letting the event loop run (cancel messages, logs). */
const YIELD_EVERY_MS = 50;

/**
 * Trains a new model (built by {@link buildModel} from `opts.model`) on `train`.
 *
 * - Optimiser: Adam(learningRate, β₁ 0.9, β₂ 0.999, ε 1e-7), minibatches of
 *   training.batchSize rows in a fresh seeded order each epoch; the last batch may be smaller.
 * - Loss: binary cross-entropy / sparse categorical cross-entropy / mean squared error, each
 *   row weighted by sampleWeight × classWeight[class], averaged over the batch size (Keras'
 *   convention), plus the logistic model's L2 penalty. See ./dense-trainer.ts for details.
 * - Reproducible: the same seed, data and backend give the same history and weights (initial
 *   weights, shuffles and dropout masks all derive from training.seed).
 * - Early stopping (training.earlyStopping): Keras' EarlyStopping rules (see
 *   ./early-stopping.ts). Without a validation set (null or 0 rows) the monitor falls back to
 *   the training loss. With restoreBest the best epoch's weights are put back at the end,
 *   whether or not training stopped early. bestEpoch is tracked even when early stopping is
 *   disabled.
 * - Cancellation: `signal` is checked before every batch; the loop yields to the event loop
 *   every ~50 ms of work so a worker can receive the cancel message. Cancelled → CancelledError.
 * - Divergence: a NaN/±Inf training or validation loss, or weight, ends the run with a
 *   UserError naming the epoch. (A softmax head's cross-entropy is clipped as in Keras, so a
 *   far too high learning rate there gives a bad but finite loss rather than this error.)
 * - Every tensor created here is released on return or on error, except the returned model.
 *
 * Initialises the backend with 'auto' when nobody has (call {@link initBackend} first to
 * choose one).
 *
 * @throws UserError for non-finite features or labels, a label outside the classes, a
 *   monitor that does not fit the task, or divergence; CancelledError when aborted.
 */
export async function fitModel(train: Dataset, validation: Dataset | null, opts: FitOptions): Promise<FitResult> {
  const { task, training } = opts;
  const outputs = outputUnits(task, opts.numClasses);
  checkTrainingConfig(training);
  checkDataset(train, 'training', task, outputs);
  const hasValidation = validation !== null && validation.n > 0;
  if (hasValidation) {
    checkDataset(validation, 'validation', task, outputs);
    if (validation.d !== train.d) throw new Error(`fitModel: validation rows have ${validation.d} features, training rows ${train.d}`);
  }
  const monitor = resolveMonitor(training, task, hasValidation);
  const classWeight = resolveClassWeight(train, task, outputs, opts.classWeight, training.classWeight);
  const rowWeight = combineRowWeights(train, classWeight);

  await initBackend();
  const backend = backendInUse();
  throwIfCancelled(opts.signal);

  // Independent streams for the three random choices, all from the one seed.
  const seeds = createRng(training.seed);
  const modelSeed = Math.floor(seeds() * 0x7fffffff);
  const shuffleRng = createRng(Math.floor(seeds() * 0x7fffffff));
  const dropoutSeed = Math.floor(seeds() * 0x7fffffff);

  const trainRows = hostRows(train, task, outputs, rowWeight);
  const validationRows = hasValidation ? hostRows(validation, task, outputs, validation.sampleWeight ?? null) : null;
  const model = buildModel(task, train.d, outputs, opts.model, modelSeed);
  if (opts.initialWeights) setInitialWeights(model, opts.initialWeights);
  let loop: TrainingLoop | null = null;
  let succeeded = false;
  const specs = describeDenseStack(model);
  const useSimd = (opts.trainer ?? 'auto') === 'auto' && simdTrainerSupports(specs);
  try {
    // getWeights returns the model's own variables; the trainers copy them.
    const adam = { learningRate: training.learningRate };
    loop = useSimd
      ? simdLoop(
          new SimdDenseTrainer(task, specs, model.getWeights().map((w) => w.dataSync() as Float32Array), adam, dropoutSeed, Math.max(training.batchSize, Math.min(validation?.n ?? 0, 4096))),
          trainRows,
        )
      : tfjsLoop(new DenseStackTrainer(task, specs, model.getWeights(), adam, dropoutSeed), trainRows);
    const trainer = loop;

    const es = training.earlyStopping;
    const tracker = new EarlyStoppingTracker(monitor === 'val_accuracy' ? 'max' : 'min', es.minDelta, es.enabled ? es.patience : Infinity);
    const restoreBest = es.enabled && es.restoreBest;
    const history: EpochLogs[] = [];
    let stoppedEarly = false;
    let lastYield = performance.now();

    for (let epoch = 1; epoch <= training.epochs; epoch++) {
      const started = performance.now();
      const order = permutation(train.n, shuffleRng);
      for (let start = 0; start < train.n; start += training.batchSize) {
        throwIfCancelled(opts.signal);
        trainer.step(order, start, Math.min(start + training.batchSize, train.n));
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      const sums = await trainer.takeEpochSums();
      const loss = sums.lossSum / sums.rows;
      if (!Number.isFinite(loss) || !sums.weightsFinite) throw divergenceError(epoch, training.learningRate);
      const logs: EpochLogs = { epoch, loss, durationMs: 0 };
      setMetric(logs, task, 'train', sums.metricSum / sums.rows);
      if (validationRows) {
        const v = await trainer.evaluate(validationRows);
        logs.val_loss = v.lossSum / v.rows;
        if (!Number.isFinite(logs.val_loss)) throw divergenceError(epoch, training.learningRate);
        setMetric(logs, task, 'val', v.metricSum / v.rows);
      }
      logs.durationMs = performance.now() - started;
      history.push(logs);

      const monitored = logs[monitor] as number;
      const verdict = tracker.update(epoch, monitored);
      if (verdict.improved && restoreBest) trainer.keepSnapshot();
      throwIfCancelled(opts.signal);
      if (opts.onEpochEnd) await opts.onEpochEnd(logs);
      // Not resetting lastYield here: a synchronous onEpochEnd is no yield, and with epochs
      // shorter than YIELD_EVERY_MS a worker would otherwise never see a 'cancel' message.
      if (verdict.stop) {
        stoppedEarly = epoch < training.epochs;
        break;
      }
    }

    // An abort during the last onEpochEnd still means the caller no longer wants the model.
    throwIfCancelled(opts.signal);
    let weightsFromEpoch = history.length;
    if (restoreBest && trainer.hasSnapshot()) {
      trainer.restoreSnapshot();
      weightsFromEpoch = tracker.bestEpoch;
    }
    trainer.writeWeightsTo(model);
    succeeded = true;
    return {
      model,
      history,
      bestEpoch: tracker.bestEpoch,
      weightsFromEpoch,
      stoppedEarly,
      epochsRun: history.length,
      backend: useSimd ? SIMD_BACKEND : backend,
      monitor,
    };
  } finally {
    loop?.dispose();
    if (!succeeded) model.dispose();
  }
}

/**
 * Class weights n / (k · n_c) for labels 0 … k−1 (scikit-learn's class_weight='balanced'):
 * every class then carries the same total weight. A class with no rows gets weight 1 (no row
 * uses it). Labels outside 0 … k−1 are ignored.
 * @param y class indices as floats (binary: 0/1, so k = 2).
 */
export function balancedClassWeights(y: Float32Array, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  let n = 0;
  for (const label of y) {
    if (Number.isInteger(label) && label >= 0 && label < k) {
      counts[label] += 1;
      n += 1;
    }
  }
  return counts.map((count) => (count > 0 ? n / (k * count) : 1));
}

/** The rows of a data set with targets encoded for the trainer. */
function hostRows(data: Dataset, task: Task, outputs: number, rowWeight: Float32Array | null): HostRows {
  const targets = encodeTargets(task, data.y, outputs);
  return new HostRows(data.x, data.d, targets.values, targets.shape[1], rowWeight);
}

/** sampleWeight × classWeight[y] per row, or null when neither is given. */
function combineRowWeights(data: Dataset, classWeight: number[] | null): Float32Array | null {
  if (!classWeight && !data.sampleWeight) return null;
  const weights = new Float32Array(data.n);
  for (let i = 0; i < data.n; i++) {
    weights[i] = (data.sampleWeight ? data.sampleWeight[i] : 1) * (classWeight ? classWeight[data.y[i]] : 1);
  }
  return weights;
}

function resolveClassWeight(
  train: Dataset,
  task: Task,
  classes: number,
  explicit: number[] | undefined,
  configured: TrainingConfig['classWeight'],
): number[] | null {
  if (task === 'regression') return null;
  const k = task === 'binary' ? 2 : classes;
  if (explicit) {
    if (explicit.length !== k || explicit.some((w) => !Number.isFinite(w) || w < 0)) {
      throw new Error(`fitModel: classWeight needs ${k} non-negative finite numbers, got ${JSON.stringify(explicit)}`);
    }
    return explicit;
  }
  return configured === 'balanced' ? balancedClassWeights(train.y, k) : null;
}

function resolveMonitor(training: TrainingConfig, task: Task, hasValidation: boolean): FitResult['monitor'] {
  const wanted = training.earlyStopping.monitor;
  if (wanted === 'val_accuracy' && task === 'regression') {
    throw new UserError('Early stopping cannot monitor val_accuracy for a regression task: set training.earlyStopping.monitor to val_loss.');
  }
  if (!hasValidation) return 'loss';
  return wanted;
}

function setMetric(logs: EpochLogs, task: Task, split: 'train' | 'val', value: number): void {
  if (task === 'regression') {
    if (split === 'train') logs.mae = value;
    else logs.val_mae = value;
  } else if (split === 'train') logs.accuracy = value;
  else logs.val_accuracy = value;
}

function checkTrainingConfig(training: TrainingConfig): void {
  if (!Number.isInteger(training.batchSize) || training.batchSize < 1) throw new UserError(`training.batchSize must be a positive integer, got ${training.batchSize}.`);
  if (!Number.isInteger(training.epochs) || training.epochs < 1) throw new UserError(`training.epochs must be a positive integer, got ${training.epochs}.`);
  if (!(training.learningRate > 0) || !Number.isFinite(training.learningRate)) {
    throw new UserError(`training.learningRate must be a positive number, got ${training.learningRate}.`);
  }
}

function checkDataset(data: Dataset, name: string, task: Task, outputs: number): void {
  if (!Number.isInteger(data.n) || data.n < 0 || !Number.isInteger(data.d) || data.d < 1) {
    throw new Error(`fitModel: ${name} set has invalid shape n=${data.n}, d=${data.d}`);
  }
  if (data.x.length !== data.n * data.d) throw new Error(`fitModel: ${name} x has ${data.x.length} values, expected n·d = ${data.n * data.d}`);
  if (data.y.length !== data.n) throw new Error(`fitModel: ${name} y has ${data.y.length} values, expected n = ${data.n}`);
  if (data.sampleWeight && data.sampleWeight.length !== data.n) {
    throw new Error(`fitModel: ${name} sampleWeight has ${data.sampleWeight.length} values, expected n = ${data.n}`);
  }
  if (name === 'training' && data.n === 0) throw new UserError('There are no training rows: add labelled examples before training.');
  for (let i = 0; i < data.x.length; i++) {
    if (!Number.isFinite(data.x[i])) {
      const row = Math.floor(i / data.d);
      throw new UserError(
        `The ${name} features of row ${row + 1}, column ${(i % data.d) + 1} are not a finite number (${data.x[i]}): check the feature pipeline's input for missing or huge values.`,
      );
    }
  }
  for (let i = 0; i < data.n; i++) {
    const label = data.y[i];
    if (task === 'regression' ? !Number.isFinite(label) : !(Number.isInteger(label) && label >= 0 && label < (task === 'binary' ? 2 : outputs))) {
      const expected = task === 'regression' ? 'a finite number' : task === 'binary' ? '0 or 1' : `a class index 0…${outputs - 1}`;
      throw new UserError(`The ${name} label of row ${i + 1} is ${label}, expected ${expected}.`);
    }
    const weight = data.sampleWeight?.[i];
    if (weight !== undefined && !(weight >= 0 && Number.isFinite(weight))) {
      throw new UserError(`The ${name} weight of row ${i + 1} is ${weight}, expected a non-negative number.`);
    }
  }
}

function divergenceError(epoch: number, learningRate: number): UserError {
  return new UserError(
    `Training diverged at epoch ${epoch}: the loss became NaN or infinite. ` +
      `Try a lower training.learningRate (now ${learningRate}), and check that the features are scaled (standardize/minmax/log1p) and free of huge values.`,
  );
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Training cancelled');
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Overwrites a freshly built model's weights (see FitOptions.initialWeights). */
function setInitialWeights(model: tf.LayersModel, weights: ArrayLike<number>[]): void {
  const current = model.getWeights();
  if (current.length !== weights.length) throw new Error(`initialWeights: the model has ${current.length} weights, ${weights.length} were given`);
  const tensors = current.map((w, i) => {
    if (weights[i].length !== w.size) throw new Error(`initialWeights[${i}]: ${weights[i].length} values for a weight of shape [${w.shape.join(', ')}]`);
    return tfTensor(Float32Array.from(weights[i]), w.shape);
  });
  model.setWeights(tensors);
  for (const t of tensors) t.dispose();
}
