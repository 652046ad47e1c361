/**
 * How much memory a training run will need, estimated from the fitted pipeline, the split
 * sizes and the model config before anything large is allocated, so that a config that
 * cannot fit is refused with the reason and the limit instead of failing deep inside
 * WebAssembly ("memory access out of bounds") or V8 ("Array buffer allocation failed").
 *
 * Node only for the default host limit (half of os.totalmem()); pass limits to use it elsewhere.
 *
 * The figures behind the estimate (measured with tfjs-backend-wasm 4.22 and ML Loop's dense
 * trainer): a step keeps every intermediate of the Adam update alive until the step's
 * tf.tidy ends, so with the weights, both moments, the best-epoch snapshot and the model's
 * own variables the wasm heap settles at about 40 × 4 bytes per weight (2.66 GB for a
 * 262,144-wide text feature feeding 64 hidden units, 16.8 M weights), and it never shrinks.
 * Rows are uploaded in chunks of up to 8,192 for validation and prediction.
 */
import os from 'node:os';
import { featureWidth, type FittedPipeline } from '../data/pipeline';
import type { ModelConfig, ProjectConfig } from '../project/types';
import { UserError } from '../util/errors';

/** 32-bit floats. */
const BYTES_PER_FLOAT = 4;
/** Device floats per model weight at the plateau (see the file comment). */
const DEVICE_FLOATS_PER_WEIGHT = 40;
/** Rows per upload when evaluating or predicting (engine/predict.ts, DenseStackTrainer.evaluate). */
const CHUNK_ROWS = 8192;
/**
 * What tfjs-backend-wasm can address: its heap grows to at most 4 GiB (wasm32), and it never
 * returns memory, so a run is allowed 3 GiB of it.
 */
export const WASM_DEVICE_LIMIT_BYTES = 3 * 1024 ** 3;

export interface TrainingMemoryInput {
  /** Output columns of the fitted pipeline. */
  inputWidth: number;
  /** The widest inputs, for the message: feature name and its number of columns. */
  featureWidths: ReadonlyArray<{ name: string; width: number }>;
  rows: { train: number; validation: number; test: number };
  /** Output units (1 for binary and regression, k for multiclass). */
  outputs: number;
  model: ModelConfig;
  batchSize: number;
}

export interface TrainingMemoryNeeds {
  /** Weights of the model (kernels and biases). */
  weights: number;
  /** Feature matrices of the three splits in JavaScript memory, in bytes. */
  hostBytes: number;
  /** Peak memory of the tensor backend (the wasm heap, or native memory), in bytes. */
  deviceBytes: number;
  input: TrainingMemoryInput;
}

/** Number of weights of the model a config builds: Σ over dense layers of in × out + out. */
export function modelWeightCount(inputWidth: number, outputs: number, model: ModelConfig): number {
  const sizes = [inputWidth, ...(model.type === 'mlp' ? model.hidden : []), outputs];
  let weights = 0;
  for (let i = 1; i < sizes.length; i++) weights += sizes[i - 1] * sizes[i] + sizes[i];
  return weights;
}

/**
 * The memory a training run needs (see the file comment for where the factors come from).
 * Host: n × inputWidth floats for the rows of the three splits, plus one chunk copy. Device:
 * 40 floats per weight, the largest upload (a training batch, or a chunk of up to 8,192
 * validation or test rows; counted twice: the upload and its copy), and the batch's activations.
 */
export function trainingMemoryNeeds(input: TrainingMemoryInput): TrainingMemoryNeeds {
  const { inputWidth: d, rows, outputs, model, batchSize } = input;
  const weights = modelWeightCount(d, outputs, model);
  const n = rows.train + rows.validation + rows.test;
  const chunk = Math.min(CHUNK_ROWS, Math.max(rows.validation, rows.test, Math.min(batchSize, rows.train)));
  const hostBytes = (n * d + chunk * d) * BYTES_PER_FLOAT;
  const units = (model.type === 'mlp' ? model.hidden.reduce((a, b) => a + b, 0) : 0) + outputs;
  const batchRows = Math.min(batchSize, Math.max(1, rows.train));
  const upload = 2 * Math.max(chunk, batchRows) * d;
  const deviceBytes = (DEVICE_FLOATS_PER_WEIGHT * weights + upload + 8 * batchRows * units) * BYTES_PER_FLOAT;
  return { weights, hostBytes, deviceBytes, input };
}

/**
 * {@link trainingMemoryNeeds} of a project's training run: the fitted pipeline's width and
 * features, the split sizes, the task's outputs, model.* and training.batchSize.
 */
export function trainingMemoryNeedsFor(
  pipeline: FittedPipeline,
  config: Pick<ProjectConfig, 'model' | 'training'>,
  rows: { train: number; validation: number; test: number },
  outputs: number,
): TrainingMemoryNeeds {
  return trainingMemoryNeeds({
    inputWidth: pipeline.width,
    featureWidths: pipeline.features.map((f) => ({ name: f.name, width: featureWidth(f) })),
    rows,
    outputs,
    model: config.model,
    batchSize: config.training.batchSize,
  });
}

/** Bytes for people: '3.2 GB', '740 MB' (powers of 1024, as memory is counted). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function widestInputs(needs: TrainingMemoryNeeds): string {
  const wide = [...needs.input.featureWidths].sort((a, b) => b.width - a.width).filter((f) => f.width > 1).slice(0, 3);
  const count = needs.input.featureWidths.length;
  const parts = wide.map((f) => `'${f.name}' ${f.width.toLocaleString('en-US')} columns`);
  return `${needs.input.inputWidth.toLocaleString('en-US')} input columns from ${count} feature${count === 1 ? '' : 's'}${parts.length ? ` (widest: ${parts.join(', ')})` : ''}`;
}

/** The memory a run may use: the host's for feature matrices (and non-wasm backends), the wasm heap's. */
export interface MemoryLimits {
  hostBytes: number;
  wasmBytes: number;
}

/** Half of this machine's memory for the host; {@link WASM_DEVICE_LIMIT_BYTES} for wasm. */
export function defaultMemoryLimits(): MemoryLimits {
  return { hostBytes: Math.floor(os.totalmem() / 2), wasmBytes: WASM_DEVICE_LIMIT_BYTES };
}

/**
 * Refuses a run that will not fit, before it allocates anything large: first the feature
 * matrices in the host's memory, then (when `backend` is known) the model in the tensor
 * backend's memory ('wasm' has {@link MemoryLimits.wasmBytes}; 'tensorflow' and 'cpu' use the
 * host's memory).
 * @throws UserError with the estimate, the limit and what to change in mlloop.yaml.
 */
export function assertTrainingMemory(needs: TrainingMemoryNeeds, backend?: string, limits: MemoryLimits = defaultMemoryLimits()): void {
  if (needs.hostBytes > limits.hostBytes) {
    const { rows } = needs.input;
    const n = rows.train + rows.validation + rows.test;
    throw new UserError(
      `The data is too large to train on: ${n.toLocaleString('en-US')} rows × ${widestInputs(needs)} need about ` +
        `${formatBytes(needs.hostBytes)} as 32-bit floats, and at most ${formatBytes(limits.hostBytes)} (half of this machine's memory) is available. ` +
        'Use smaller text dimensions or fewer features in mlloop.yaml, or train on fewer rows.',
    );
  }
  if (backend === undefined) return;
  const limit = backend === 'wasm' ? limits.wasmBytes : limits.hostBytes;
  if (needs.deviceBytes <= limit) return;
  const { model } = needs.input;
  const first = model.type === 'mlp' && model.hidden.length > 0 ? `, a smaller first hidden layer (model.hidden[0] is ${model.hidden[0]})` : '';
  throw new UserError(
    `The model is too large to train on the ${backend} backend: ${widestInputs(needs)} make ${needs.weights.toLocaleString('en-US')} weights, ` +
      `which need about ${formatBytes(needs.deviceBytes)} while training; the ${backend} backend ${backend === 'wasm' ? 'can use' : 'is given'} at most ${formatBytes(limit)}. ` +
      `Use smaller text dimensions or fewer features${first} in mlloop.yaml` +
      `${backend === 'wasm' ? ", or install @tensorflow/tfjs-node (the tensorflow backend uses the machine's memory)" : ''}.`,
  );
}
