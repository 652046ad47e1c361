/**
 * A trained stack of dense layers evaluated in plain TypeScript, without TensorFlow.js.
 *
 * Every model ML Loop builds (./models.ts) is Dense layers with Dropout between them, so a
 * bundle's network is fully described by each layer's kernel, bias and activation. Reading
 * those from the tfjs `model.json` + `weights.bin` and running the arithmetic here lets the
 * app runtime (src/runtime) load and predict in a browser or an edge function, with no
 * WebAssembly backend to start and none of tfjs' per-call bookkeeping (a single-record
 * predict is a few microseconds of arithmetic).
 *
 * Numbers: weights are the stored float32 values. A few rows (a single-record predict) are
 * computed in float64 with the outputs rounded to float32; batches run on WebAssembly SIMD
 * kernels in float32 (./simd-network.ts). Both agree with tfjs' float32 kernels to float32
 * rounding (test/unit/engine/dense-network.test.ts and test/integration/runtime.test.ts check
 * 1e-6, the latter on every example project's model). Dropout is the identity at inference.
 *
 * Pure: no Node built-ins, no tfjs.
 */
import { UserError } from '../util/errors';
import { evaluateDenseNetworkSimd } from './simd-network';

/** Activations the models of ./models.ts use. */
export type NetworkActivation = 'relu' | 'tanh' | 'elu' | 'selu' | 'sigmoid' | 'softmax' | 'linear';

const ACTIVATIONS: ReadonlySet<string> = new Set<NetworkActivation>(['relu', 'tanh', 'elu', 'selu', 'sigmoid', 'softmax', 'linear']);

/** SELU constants (Klambauer et al. 2017), as tfjs' selu uses them. */
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;

/** One dense layer: out = activation(in · kernel + bias). */
export interface NetworkLayer {
  /** Layer name in model.json (e.g. 'hidden_1', 'output'). */
  name: string;
  inputDim: number;
  units: number;
  activation: NetworkActivation;
  /** [inputDim × units], row-major (kernel[i·units + j] connects input i to unit j), as tfjs stores it. */
  kernel: Float64Array;
  /** [units]. */
  bias: Float64Array;
}

/** A feed-forward stack of dense layers; the last one is the head. */
export interface DenseNetwork {
  /** Width of an input row. */
  inputDim: number;
  /** Width of an output row (1 for binary and regression, k for multiclass). */
  outputs: number;
  layers: NetworkLayer[];
}

/**
 * Builds a network from layer descriptions and their weights (float32 or float64 values;
 * copied). Used for a network trained in this process (denseNetworkOfModel in ./models.ts).
 * @throws Error when the shapes do not chain (a bug, not user input).
 */
export function denseNetwork(layers: Array<Omit<NetworkLayer, 'kernel' | 'bias'> & { kernel: ArrayLike<number>; bias: ArrayLike<number> }>): DenseNetwork {
  if (layers.length === 0) throw new Error('denseNetwork: no layers');
  const built = layers.map((l, i) => {
    if (l.kernel.length !== l.inputDim * l.units || l.bias.length !== l.units) {
      throw new Error(`denseNetwork: layer ${l.name} has ${l.kernel.length} kernel and ${l.bias.length} bias values for ${l.inputDim}×${l.units}`);
    }
    if (i > 0 && layers[i - 1].units !== l.inputDim) throw new Error(`denseNetwork: layer ${l.name} takes ${l.inputDim} inputs after ${layers[i - 1].units} units`);
    return { name: l.name, inputDim: l.inputDim, units: l.units, activation: l.activation, kernel: Float64Array.from(l.kernel), bias: Float64Array.from(l.bias) };
  });
  return { inputDim: built[0].inputDim, outputs: built[built.length - 1].units, layers: built };
}

/**
 * Reads a network from a tfjs layers model: the parsed `model.json` (a Sequential of Dense and
 * Dropout layers, as ./models.ts builds and tfjs' `model.save` writes) and the bytes of its
 * weights file(s) concatenated in manifest order (little-endian float32).
 * @throws UserError when model.json is not such a model, names an activation or layer this
 *   runtime does not evaluate, or does not match the weight bytes.
 */
export function denseNetworkFromArtifacts(modelJson: unknown, weights: ArrayBuffer): DenseNetwork {
  const json = modelJson as { modelTopology?: unknown; weightsManifest?: unknown } | null;
  if (json === null || typeof json !== 'object' || json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new UserError('The model.json is not a TensorFlow.js layers model (no modelTopology or weightsManifest): export the model again.');
  }
  const topology = json.modelTopology as { class_name?: unknown; config?: unknown; model_config?: { class_name?: unknown; config?: unknown } };
  // tfjs writes the Sequential at the top; Keras' converter nests it under model_config.
  const sequential = topology.class_name === undefined && topology.model_config ? topology.model_config : topology;
  const config = sequential.config as { layers?: unknown } | unknown[] | undefined;
  const layerList = Array.isArray(config) ? config : (config as { layers?: unknown } | undefined)?.layers;
  if (sequential.class_name !== 'Sequential' || !Array.isArray(layerList)) {
    throw new UserError(`The model.json holds a ${String(sequential.class_name)} model; ML Loop's runtime evaluates Sequential stacks of Dense layers. Export a model trained by ML Loop.`);
  }

  const specs = readWeightSpecs(json.weightsManifest as unknown[]);
  const expectedBytes = specs.reduce((sum, s) => sum + s.size * 4, 0);
  if (expectedBytes !== weights.byteLength) {
    throw new UserError(`The model weights have ${weights.byteLength} bytes but model.json describes ${expectedBytes}: the two files do not belong together; export the model again.`);
  }
  const view = new DataView(weights);
  const byName = new Map<string, { shape: number[]; values: Float64Array }>();
  let offset = 0;
  for (const s of specs) {
    const values = new Float64Array(s.size);
    for (let i = 0; i < s.size; i++) values[i] = view.getFloat32(offset + 4 * i, true);
    offset += 4 * s.size;
    byName.set(s.name, { shape: s.shape, values });
  }

  const layers: NetworkLayer[] = [];
  for (const entry of layerList as Array<{ class_name?: unknown; config?: Record<string, unknown> }>) {
    const className = entry?.class_name;
    const c = entry?.config ?? {};
    const name = String(c.name ?? `layer_${layers.length + 1}`);
    if (className === 'Dropout' || className === 'InputLayer') continue; // identity at inference
    if (className !== 'Dense') throw new UserError(`Layer ${name} of model.json is a ${String(className)} layer; ML Loop's runtime evaluates Dense and Dropout layers only.`);
    const activation = String(c.activation ?? 'linear');
    if (!ACTIVATIONS.has(activation)) throw new UserError(`Layer ${name} of model.json uses the activation '${activation}', which ML Loop's runtime does not evaluate.`);
    if (c.use_bias === false) throw new UserError(`Layer ${name} of model.json has no bias; ML Loop's runtime evaluates Dense layers with a bias.`);
    const kernel = byName.get(`${name}/kernel`);
    const bias = byName.get(`${name}/bias`);
    if (!kernel || !bias || kernel.shape.length !== 2 || bias.shape.length !== 1 || kernel.shape[1] !== bias.shape[0]) {
      throw new UserError(`The weights of layer ${name} (${name}/kernel [in, out] and ${name}/bias [out]) are missing from model.json's manifest or have the wrong shape: export the model again.`);
    }
    const [inputDim, units] = kernel.shape;
    const previous = layers[layers.length - 1];
    if (previous && previous.units !== inputDim) throw new UserError(`Layer ${name} of model.json takes ${inputDim} inputs, but the layer before it has ${previous.units} units: export the model again.`);
    layers.push({ name, inputDim, units, activation: activation as NetworkActivation, kernel: kernel.values, bias: bias.values });
  }
  if (layers.length === 0) throw new UserError('The model.json has no Dense layer: export a model trained by ML Loop.');
  return { inputDim: layers[0].inputDim, outputs: layers[layers.length - 1].units, layers };
}

function readWeightSpecs(manifest: unknown[]): Array<{ name: string; shape: number[]; size: number }> {
  const specs: Array<{ name: string; shape: number[]; size: number }> = [];
  for (const group of manifest as Array<{ weights?: unknown }>) {
    for (const w of Array.isArray(group?.weights) ? (group.weights as Array<Record<string, unknown>>) : []) {
      const shape = w.shape;
      if (typeof w.name !== 'string' || !Array.isArray(shape) || !shape.every((v) => Number.isInteger(v) && v >= 0)) {
        throw new UserError('The weights manifest of model.json has an entry without a name or shape: export the model again.');
      }
      if ((w.dtype ?? 'float32') !== 'float32') throw new UserError(`The weight ${w.name} of model.json is ${String(w.dtype)}; ML Loop's runtime reads float32 weights only.`);
      if (w.quantization) throw new UserError(`The weight ${w.name} of model.json is quantized; ML Loop's runtime reads unquantized float32 weights only.`);
      specs.push({ name: w.name, shape: shape as number[], size: (shape as number[]).reduce((a, b) => a * b, 1) });
    }
  }
  return specs;
}

/**
 * From this many rows on, a call runs on the WebAssembly SIMD kernels (./simd-network.ts) in
 * float32, as tfjs does; fewer rows (a single-record predict) take the float64 loop below,
 * which has no set-up cost. The two agree to float32 rounding.
 */
export const SIMD_MIN_ROWS = 16;

/** Scratch rows reused across calls of one network: [input row, then each layer's output]. */
const scratchOf = new WeakMap<DenseNetwork, Float64Array[]>();

/**
 * The network's outputs for n rows of row-major inputs x (n × inputDim): n × outputs,
 * row-major, float32 — binary P(class 1), multiclass class probabilities, regression the
 * (scaled) value, as the tfjs model's predict gives them. n = 0 gives an empty array.
 * Inputs equal to 0 are skipped in the sums (one-hot and hashed text columns are mostly 0).
 * Batches of {@link SIMD_MIN_ROWS} rows or more run on the SIMD kernels when this engine has
 * them (and the network is ReLU/linear inside), in float32 — unless the rows are wide and
 * almost all zeros (hashed text: a few hundred non-zeros among tens of thousands of columns),
 * where the zero-skipping loop does a fraction of the dense product's work.
 * @throws Error when x does not hold n · inputDim values.
 */
export function evaluateDenseNetwork(network: DenseNetwork, x: ArrayLike<number>, n: number): Float32Array {
  const d = network.inputDim;
  if (x.length !== n * d) throw new Error(`evaluateDenseNetwork: x has ${x.length} values, expected n·d = ${n * d}`);
  if (n >= SIMD_MIN_ROWS && !wideAndSparse(x, n, d)) {
    const fast = evaluateDenseNetworkSimd(network, x, n);
    if (fast) return fast;
  }
  const out = new Float32Array(n * network.outputs);
  let scratch = scratchOf.get(network);
  if (!scratch) {
    scratch = [new Float64Array(d), ...network.layers.map((l) => new Float64Array(l.units))];
    scratchOf.set(network, scratch);
  }
  const layers = network.layers;
  const k = network.outputs;
  const row = scratch[0];
  // A Float32Array input is read in place (each float32 value is exact in float64, so the sums
  // are those of a copy); anything else is copied row by row into one typed-array type.
  const direct = x instanceof Float32Array ? x : null;
  for (let r = 0; r < n; r++) {
    if (!direct) for (let i = 0; i < d; i++) row[i] = x[r * d + i];
    denseLayer(layers[0], direct ?? row, direct ? r * d : 0, scratch[1]);
    for (let li = 1; li < layers.length; li++) denseLayer(layers[li], scratch[li], 0, scratch[li + 1]);
    const last = scratch[layers.length];
    for (let j = 0; j < k; j++) out[r * k + j] = last[j];
  }
  return out;
}

/** Inputs at least this wide are checked for sparsity before a batch goes to the SIMD kernels. */
const SPARSE_CHECK_WIDTH = 1024;
/** Below this share of non-zero inputs the zero-skipping loop wins over the dense SIMD product. */
const SPARSE_SHARE = 0.05;

/**
 * Whether rows are wide and mostly zeros, judged on the first 32 rows: the dense product then
 * multiplies ~95% zeros, which the float64 loop skips (measured on 49,152 hashed columns with
 * ~160 non-zeros a row: ~4× faster than the SIMD product).
 */
function wideAndSparse(x: ArrayLike<number>, n: number, d: number): boolean {
  if (d < SPARSE_CHECK_WIDTH) return false;
  const rows = Math.min(n, 32);
  let nonZero = 0;
  for (let i = 0; i < rows * d; i++) if (x[i] !== 0) nonZero++;
  return nonZero < SPARSE_SHARE * rows * d;
}

/** z = activation(a · kernel + bias) for the row of a starting at `from`. */
function denseLayer(layer: NetworkLayer, a: Float64Array | Float32Array, from: number, z: Float64Array): void {
  const { inputDim, units, kernel, bias } = layer;
  for (let j = 0; j < units; j++) z[j] = bias[j];
  for (let i = 0; i < inputDim; i++) {
    const ai = a[from + i];
    if (ai === 0) continue;
    const offset = i * units;
    for (let j = 0; j < units; j++) z[j] += ai * kernel[offset + j];
  }
  activateInPlace(z, layer.activation);
}

/** Applies an activation to a row of pre-activations, as tfjs defines each. */
function activateInPlace(z: Float64Array, activation: NetworkActivation): void {
  const m = z.length;
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let j = 0; j < m; j++) if (z[j] < 0) z[j] = 0;
      return;
    case 'elu':
      for (let j = 0; j < m; j++) if (z[j] < 0) z[j] = Math.expm1(z[j]);
      return;
    case 'selu':
      for (let j = 0; j < m; j++) z[j] = z[j] > 0 ? SELU_SCALE * z[j] : SELU_SCALE * SELU_ALPHA * Math.expm1(z[j]);
      return;
    case 'tanh':
      for (let j = 0; j < m; j++) z[j] = Math.tanh(z[j]);
      return;
    case 'sigmoid':
      for (let j = 0; j < m; j++) z[j] = 1 / (1 + Math.exp(-z[j]));
      return;
    case 'softmax': {
      // Shifted by the maximum so exp never overflows.
      let max = -Infinity;
      for (let j = 0; j < m; j++) if (z[j] > max) max = z[j];
      let total = 0;
      for (let j = 0; j < m; j++) total += z[j] = Math.exp(z[j] - max);
      for (let j = 0; j < m; j++) z[j] /= total;
      return;
    }
  }
}
