/**
 * Many rows through a dense network at once on the WebAssembly SIMD kernels (./simd-kernels.ts):
 * one fused product + bias + ReLU per layer and chunk of rows, the head's activation in float64
 * JavaScript. This is what makes scoring the validation and test rows, and the thousands of
 * shuffled copies permutation importance scores, cheap; ./dense-network.ts calls it for
 * batches and keeps its float64 loop for small ones.
 *
 * Float32 arithmetic, like tfjs: outputs agree with the float64 loop to float32 rounding.
 * Deterministic (single thread, fixed order of additions).
 *
 * Pure: no Node built-ins, no tfjs. Where WebAssembly SIMD is missing or code generation is not
 * allowed (some edge runtimes refuse to compile WebAssembly at run time), it declines and the
 * caller uses its float64 loop.
 */
import type { DenseNetwork } from './dense-network';
import { createSimdKernels, GEMM, simdAvailable, type SimdKernels } from './simd-kernels';

/** Rows per chunk: bounds the memory (chunk × widest layer floats). */
const CHUNK_ROWS = 1024;

const round4 = (v: number) => Math.ceil(v / 4) * 4;

interface PaddedLayer {
  inRows: number;
  width: number;
  units: number;
  /** Byte offsets of the padded kernel [inRows × width] and bias [width]. */
  kernel: number;
  bias: number;
  relu: boolean;
}

interface State {
  kernels: SimdKernels;
  f32: Float32Array;
  layers: PaddedLayer[];
  input: number;
  /** Per layer, its output [CHUNK_ROWS × width]. */
  outputs: number[];
}

const states = new WeakMap<DenseNetwork, State | null>();

/** The network's weights laid out for the kernels, or null when this network or engine cannot use them. */
function stateOf(network: DenseNetwork): State | null {
  const known = states.get(network);
  if (known !== undefined) return known;
  let state: State | null = null;
  const hiddenOk = network.layers.slice(0, -1).every((l) => l.activation === 'relu' || l.activation === 'linear');
  const headOk = ['softmax', 'sigmoid', 'linear', 'relu'].includes(network.layers[network.layers.length - 1].activation);
  if (hiddenOk && headOk && simdAvailable()) {
    try {
      state = layOut(network);
    } catch {
      state = null; // e.g. run-time WebAssembly compilation refused
    }
  }
  states.set(network, state);
  return state;
}

function layOut(network: DenseNetwork): State {
  let bytes = 0;
  const take = (floats: number) => {
    const at = bytes;
    bytes += round4(floats) * 4;
    return at;
  };
  const shapes = network.layers.map((l, i) => ({ l, inRows: i === 0 ? l.inputDim : round4(network.layers[i - 1].units), width: round4(l.units) }));
  const placed = shapes.map(({ l, inRows, width }) => ({ inRows, width, units: l.units, kernel: take(inRows * width), bias: take(width), relu: l.activation === 'relu' }));
  const input = take(CHUNK_ROWS * network.inputDim);
  const outputs = placed.map((p) => take(CHUNK_ROWS * p.width));
  const kernels = createSimdKernels(bytes);
  const f32 = new Float32Array(kernels.memory.buffer);
  network.layers.forEach((l, i) => {
    const p = placed[i];
    for (let r = 0; r < l.inputDim; r++) for (let j = 0; j < l.units; j++) f32[p.kernel / 4 + r * p.width + j] = l.kernel[r * l.units + j];
    for (let j = 0; j < l.units; j++) f32[p.bias / 4 + j] = l.bias[j];
  });
  return { kernels, f32, layers: placed, input, outputs };
}

/**
 * The network's outputs for n rows (as evaluateDenseNetwork), or null when the SIMD kernels
 * cannot run this network here (hidden activations other than ReLU/linear, no SIMD).
 */
export function evaluateDenseNetworkSimd(network: DenseNetwork, x: ArrayLike<number>, n: number): Float32Array | null {
  const state = stateOf(network);
  if (!state) return null;
  const { kernels, f32, layers, input, outputs } = state;
  const d = network.inputDim;
  const k = network.outputs;
  const head = network.layers[network.layers.length - 1].activation;
  const out = new Float32Array(n * k);
  const row = new Float64Array(k);
  for (let start = 0; start < n; start += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, n - start);
    for (let i = 0, at = input / 4, from = start * d; i < rows * d; i++) f32[at + i] = x[from + i];
    let a = input;
    let aRow = d * 4;
    layers.forEach((l, i) => {
      kernels.gemm(a, l.kernel, outputs[i], l.bias, rows, l.inRows, l.width, aRow, 4, GEMM.BIAS | (l.relu ? GEMM.RELU : 0), 0, 1);
      a = outputs[i];
      aRow = l.width * 4;
    });
    const last = layers[layers.length - 1];
    const logits = outputs[layers.length - 1] / 4;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) row[j] = f32[logits + r * last.width + j];
      activateHead(row, head);
      for (let j = 0; j < k; j++) out[(start + r) * k + j] = row[j];
    }
  }
  return out;
}

/** The head's activation on one row of logits (as ./dense-network.ts; the heads ML Loop builds). */
function activateHead(z: Float64Array, activation: string): void {
  const m = z.length;
  if (activation === 'softmax') {
    let max = -Infinity;
    for (let j = 0; j < m; j++) if (z[j] > max) max = z[j];
    let total = 0;
    for (let j = 0; j < m; j++) total += z[j] = Math.exp(z[j] - max);
    for (let j = 0; j < m; j++) z[j] /= total;
  } else if (activation === 'sigmoid') {
    for (let j = 0; j < m; j++) z[j] = 1 / (1 + Math.exp(-z[j]));
  } else if (activation === 'relu') {
    for (let j = 0; j < m; j++) if (z[j] < 0) z[j] = 0;
  }
}
