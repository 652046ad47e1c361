/**
 * The training step for ReLU MLPs and logistic models on ML Loop's own WebAssembly SIMD
 * kernels (./simd-kernels.ts), without TensorFlow.js in the loop.
 *
 * Same model, loss and optimiser as ./dense-trainer.ts (the tfjs loop, which stays for the
 * other activations and for an explicitly chosen tfjs backend): Adam on the flat weight
 * vector, Keras' 'sum over batch size' loss with row weights and the logistic L2 penalty,
 * inverted dropout with masks from the same seeded {@link DropoutMaskSource}, the gradient
 * straight from the logits. What differs is where the arithmetic runs:
 *
 * - every weight, moment, batch and activation lives in one WebAssembly memory, laid out
 *   once; a batch is copied in from the host rows, so a step allocates nothing;
 * - each layer's forward pass is one kernel call (product + bias + ReLU + dropout mask fused),
 *   its backward pass three (dW = aᵀ·dz, db = 1ᵀ·dz, and dz of the layer below = dz·Wᵀ gated
 *   by the ReLU derivative and the mask), and Adam one call for all weights;
 * - layer widths are padded to multiples of 4 (SIMD lanes) with zero weights; a padded unit
 *   has zero output and zero gradient, so it stays zero and changes nothing;
 * - the head's softmax / sigmoid, the loss and the metric are computed per row in float64 in
 *   JavaScript (k values per row).
 *
 * Deterministic: the same data, order, seed and weights give the same bits on every run and
 * machine (single thread, fixed order of operations). The gradient is checked against tfjs
 * autodiff in test/unit/engine/simd-trainer.test.ts.
 *
 * Pure: no Node built-ins, no tfjs.
 */
import type { Task } from '../project/types';
import { DropoutMaskSource, type AdamConfig, type EpochSums } from './dense-trainer';
import type { HostRows } from './host-rows';
import type { DenseLayerSpec } from './models';
import { createSimdKernels, GEMM, simdAvailable, type SimdKernels } from './simd-kernels';

/** Keras' clipping bound for probabilities inside the cross-entropy (as ./dense-trainer.ts). */
const PROBABILITY_EPSILON = 1e-7;

/**
 * True when {@link SimdDenseTrainer} can train this stack exactly: hidden layers with ReLU
 * (or none, the logistic model) and WebAssembly SIMD in this engine.
 */
export function simdTrainerSupports(layers: DenseLayerSpec[]): boolean {
  return layers.slice(0, -1).every((l) => l.activation === 'relu') && simdAvailable();
}

interface Layer {
  spec: DenseLayerSpec;
  /** Rows of the kernel: the raw input width for the first layer, else the padded width below. */
  inRows: number;
  /** Padded units (a multiple of 4). */
  width: number;
  /** Float offsets into the parameter block (kernel [inRows × width], then bias [width]). */
  kernel: number;
  bias: number;
  keep: number;
}

const round4 = (v: number) => Math.ceil(v / 4) * 4;

/**
 * Trains a dense stack with Adam on the SIMD kernels. Weights go in and out in tfjs' order
 * (kernel [in, out], bias [out] per layer, as `model.getWeights()`), as Float32Arrays.
 */
export class SimdDenseTrainer {
  private readonly kernels: SimdKernels;
  private readonly f32: Float32Array;
  private readonly layers: Layer[];
  private readonly task: Task;
  private readonly outputs: number;
  private readonly inputDim: number;
  private readonly maxRows: number;
  private readonly paramCount: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly learningRate: number;
  private readonly dropoutMasks: DropoutMaskSource;
  // Byte offsets of the buffers in memory.
  private readonly params: number;
  private readonly grads: number;
  private readonly firstMoment: number;
  private readonly secondMoment: number;
  private readonly one: number;
  private readonly input: number;
  /** Per layer: its output [maxRows × width] (hidden: after ReLU and mask; head: logits). */
  private readonly activation: number[];
  /** Per layer: dLoss/dz [maxRows × width]. */
  private readonly delta: number[];
  /** Per hidden layer with dropout: the mask [maxRows × width]. */
  private readonly mask: number[];
  /** Per layer: the transposed kernel [width × inRows]. */
  private readonly transposed: number[];
  /** Per-row weight × 1/rows of the current batch (host side). */
  private readonly rowScale: Float64Array;
  /** exp(logit − max) of one row's classes (softmax scratch). */
  private readonly exponentials: Float64Array;
  private steps = 0;
  private snapshot: Float32Array | null = null;
  private lossSum = 0;
  private metricSum = 0;
  private rowsSinceRead = 0;

  /**
   * @param layers from describeDenseStack; hidden activations must be ReLU ({@link simdTrainerSupports}).
   * @param initialWeights kernel and bias of each layer, in order.
   * @param maxRows the largest batch (and evaluation chunk) this trainer will see.
   */
  constructor(task: Task, layers: DenseLayerSpec[], initialWeights: Float32Array[], adam: AdamConfig, dropoutSeed: number, maxRows: number) {
    if (!simdTrainerSupports(layers)) throw new Error('SimdDenseTrainer: hidden layers must be ReLU and WebAssembly SIMD available');
    if (initialWeights.length !== layers.length * 2) throw new Error(`SimdDenseTrainer: expected ${layers.length * 2} weight arrays, got ${initialWeights.length}`);
    const head = layers[layers.length - 1].activation;
    const expectedHead = task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
    if (head !== expectedHead) throw new Error(`SimdDenseTrainer: a ${task} model needs a ${expectedHead} output layer, got ${head}`);
    this.task = task;
    this.learningRate = adam.learningRate;
    this.beta1 = adam.beta1 ?? 0.9;
    this.beta2 = adam.beta2 ?? 0.999;
    this.epsilon = adam.epsilon ?? 1e-7;
    this.dropoutMasks = new DropoutMaskSource(dropoutSeed);
    this.inputDim = layers[0].inputDim;
    this.outputs = layers[layers.length - 1].units;
    this.maxRows = maxRows;

    let floats = 0;
    this.layers = layers.map((spec, i) => {
      const inRows = i === 0 ? spec.inputDim : round4(layers[i - 1].units);
      const width = round4(spec.units);
      const kernel = floats;
      floats += inRows * width;
      const bias = floats;
      floats += width;
      const isHidden = i < layers.length - 1;
      return { spec, inRows, width, kernel, bias, keep: isHidden && spec.dropoutAfter > 0 ? 1 / (1 - spec.dropoutAfter) : 1 };
    });
    this.paramCount = floats;

    // Memory layout (bytes, each buffer 16-byte aligned).
    let bytes = 0;
    const take = (count: number) => {
      const at = bytes;
      bytes += round4(count) * 4;
      return at;
    };
    this.params = take(floats);
    this.grads = take(floats);
    this.firstMoment = take(floats);
    this.secondMoment = take(floats);
    this.one = take(1);
    this.input = take(maxRows * this.inputDim);
    this.activation = this.layers.map((l) => take(maxRows * l.width));
    this.delta = this.layers.map((l) => take(maxRows * l.width));
    this.mask = this.layers.map((l) => (l.keep !== 1 ? take(maxRows * l.width) : -1));
    this.transposed = this.layers.map((l) => take(l.width * l.inRows));
    this.kernels = createSimdKernels(bytes);
    this.f32 = new Float32Array(this.kernels.memory.buffer);
    this.f32[this.one / 4] = 1;
    this.rowScale = new Float64Array(maxRows);
    this.exponentials = new Float64Array(this.outputs);
    this.setWeights(initialWeights);
  }

  /** One Adam step on rows order[start … end−1] of `rows` (end − start ≤ maxRows). */
  trainRows(rows: HostRows, order: Int32Array, start: number, end: number): void {
    const n = this.loadRows(rows, order, start, end);
    this.drawDropoutMasks(n);
    this.forward(n, true);
    const head = this.headGradient(rows, order, start, n, true);
    this.backward(n);
    const penalty = this.addPenaltyGradient();
    this.lossSum += head.lossSum + penalty * n;
    this.metricSum += head.metricSum;
    this.rowsSinceRead += n;
    this.steps += 1;
    // Bias correction folded into the step size and epsilon, as ./dense-trainer.ts.
    const correction2 = Math.sqrt(1 - Math.pow(this.beta2, this.steps));
    const stepSize = (this.learningRate * correction2) / (1 - Math.pow(this.beta1, this.steps));
    this.kernels.adam(this.params, this.grads, this.firstMoment, this.secondMoment, round4(this.paramCount), 1 - this.beta1, 1 - this.beta2, stepSize, this.epsilon * correction2);
  }

  /**
   * The flat gradient (tfjs' weight order, unpadded) of the batch loss at the current weights
   * and the batch's loss sum, without a step: what {@link trainRows} feeds to Adam.
   * @param masks per layer, the dropout mask [n × units] (null: none), or null for no dropout.
   */
  gradient(rows: HostRows, masks: Array<Float32Array | null> | null = null): { gradient: Float32Array; lossSum: number } {
    const order = Int32Array.from({ length: rows.n }, (_, i) => i);
    const n = this.loadRows(rows, order, 0, rows.n);
    this.layers.forEach((l, i) => {
      if (this.mask[i] < 0) return;
      const m = masks?.[i];
      for (let r = 0; r < n; r++) for (let j = 0; j < l.spec.units; j++) this.f32[this.mask[i] / 4 + r * l.width + j] = m ? m[r * l.spec.units + j] : 1;
    });
    this.forward(n, masks !== null);
    const head = this.headGradient(rows, order, 0, n, true);
    this.backward(n);
    const penalty = this.addPenaltyGradient();
    return { gradient: this.unpad(this.grads / 4), lossSum: head.lossSum + penalty * n };
  }

  /** Reads and resets the sums accumulated by {@link trainRows}. */
  takeEpochSums(): EpochSums {
    let finite = true;
    const p = this.params / 4;
    for (let i = 0; i < this.paramCount && finite; i++) finite = Number.isFinite(this.f32[p + i]);
    const sums = { lossSum: this.lossSum, metricSum: this.metricSum, rows: this.rowsSinceRead, weightsFinite: finite };
    this.lossSum = 0;
    this.metricSum = 0;
    this.rowsSinceRead = 0;
    return sums;
  }

  /** Loss and metric sums of the current weights on `rows`, without dropout (as DenseStackTrainer.evaluate). */
  evaluate(rows: HostRows): { lossSum: number; metricSum: number; rows: number } {
    let lossSum = 0;
    let metricSum = 0;
    const order = Int32Array.from({ length: rows.n }, (_, i) => i);
    const penalty = this.penalty();
    for (let start = 0; start < rows.n; start += this.maxRows) {
      const end = Math.min(start + this.maxRows, rows.n);
      const n = this.loadRows(rows, order, start, end);
      this.forward(n, false);
      const head = this.headGradient(rows, order, start, n, false);
      lossSum += head.lossSum + penalty * n;
      metricSum += head.metricSum;
    }
    return { lossSum, metricSum, rows: rows.n };
  }

  /** Keeps a copy of the current weights (e.g. the best epoch so far). */
  keepSnapshot(): void {
    this.snapshot = this.f32.slice(this.params / 4, this.params / 4 + this.paramCount);
  }

  hasSnapshot(): boolean {
    return this.snapshot !== null;
  }

  /** Makes the snapshot the current weights (the Adam moments are left as they are). */
  restoreSnapshot(): void {
    if (!this.snapshot) throw new Error('restoreSnapshot: no snapshot kept');
    this.f32.set(this.snapshot, this.params / 4);
    this.snapshot = null;
  }

  /** The current weights in tfjs' order: kernel [in × units] and bias [units] per layer. */
  currentWeights(): Float32Array[] {
    const p = this.params / 4;
    return this.layers.flatMap((l) => {
      const { inputDim, units } = l.spec;
      const kernel = new Float32Array(inputDim * units);
      for (let i = 0; i < inputDim; i++) for (let j = 0; j < units; j++) kernel[i * units + j] = this.f32[p + l.kernel + i * l.width + j];
      return [kernel, this.f32.slice(p + l.bias, p + l.bias + units)];
    });
  }

  private setWeights(weights: Float32Array[]): void {
    const p = this.params / 4;
    this.f32.fill(0, p, p + this.paramCount);
    this.layers.forEach((l, li) => {
      const { inputDim, units } = l.spec;
      const kernel = weights[2 * li];
      const bias = weights[2 * li + 1];
      if (kernel.length !== inputDim * units || bias.length !== units) throw new Error(`SimdDenseTrainer: layer ${li} weights have the wrong size`);
      for (let i = 0; i < inputDim; i++) for (let j = 0; j < units; j++) this.f32[p + l.kernel + i * l.width + j] = kernel[i * units + j];
      this.f32.set(bias, p + l.bias);
    });
  }

  /** The gradient buffer (float offset `at`) in tfjs' order, without the padding. */
  private unpad(at: number): Float32Array {
    const parts = this.layers.flatMap((l) => {
      const { inputDim, units } = l.spec;
      const kernel = new Float32Array(inputDim * units);
      for (let i = 0; i < inputDim; i++) for (let j = 0; j < units; j++) kernel[i * units + j] = this.f32[at + l.kernel + i * l.width + j];
      return [kernel, this.f32.slice(at + l.bias, at + l.bias + units)];
    });
    const out = new Float32Array(parts.reduce((s, a) => s + a.length, 0));
    let offset = 0;
    for (const a of parts) {
      out.set(a, offset);
      offset += a.length;
    }
    return out;
  }

  /** Copies the rows' features into the input buffer and their weights/rows into rowScale. */
  private loadRows(rows: HostRows, order: Int32Array, start: number, end: number): number {
    const n = end - start;
    if (n > this.maxRows) throw new Error(`SimdDenseTrainer: ${n} rows, at most ${this.maxRows}`);
    const d = this.inputDim;
    const at = this.input / 4;
    const inverse = 1 / n;
    const f = this.f32;
    const x = rows.x;
    for (let i = 0; i < n; i++) {
      const row = order[start + i];
      // An element loop rather than set(subarray): no view object per row.
      for (let j = 0, from = row * d, to = at + i * d; j < d; j++) f[to + j] = x[from + j];
      this.rowScale[i] = rows.weights ? rows.weights[row] * inverse : inverse;
    }
    return n;
  }

  private drawDropoutMasks(n: number): void {
    this.layers.forEach((l, i) => {
      if (this.mask[i] < 0) return;
      // The draws of DropoutMaskSource.drawInto, made by the dropout kernel.
      const rate = l.spec.dropoutAfter;
      this.dropoutMasks.state = this.kernels.dropout(this.mask[i], n, l.spec.units, l.width, Math.round(rate * 65536), 1 / (1 - rate), this.dropoutMasks.state) >>> 0;
    });
  }

  private forward(n: number, dropout: boolean): void {
    const last = this.layers.length - 1;
    let a = this.input;
    let aRow = this.inputDim * 4;
    this.layers.forEach((l, i) => {
      const hidden = i < last;
      const masked = dropout && this.mask[i] >= 0;
      const flags = GEMM.BIAS | (hidden ? GEMM.RELU : 0) | (masked ? GEMM.MULTIPLY : 0);
      this.kernels.gemm(a, this.params + l.kernel * 4, this.activation[i], this.params + l.bias * 4, n, l.inRows, l.width, aRow, 4, flags, masked ? this.mask[i] : 0, 1);
      a = this.activation[i];
      aRow = l.width * 4;
    });
  }

  /**
   * From the logits in the head's activation buffer: dLoss/dlogits into the head's delta
   * buffer (when `withGradient`), and the loss and metric sums of the n rows (conventions as
   * ./dense-trainer.ts: Σ wᵢ·ℓᵢ, and correct predictions or Σ |ŷ − y|).
   */
  private headGradient(rows: HostRows, order: Int32Array, start: number, n: number, withGradient: boolean): { lossSum: number; metricSum: number } {
    const head = this.layers[this.layers.length - 1];
    const logits = this.activation[this.layers.length - 1] / 4;
    const delta = this.delta[this.layers.length - 1] / 4;
    const width = head.width;
    const k = this.outputs;
    const f = this.f32;
    const targets = rows.targets;
    const tw = rows.targetWidth;
    let lossSum = 0;
    let metricSum = 0;
    for (let i = 0; i < n; i++) {
      const row = order[start + i];
      const w = rows.weights ? rows.weights[row] : 1;
      const scale = withGradient ? this.rowScale[i] : 0;
      const z = logits + i * width;
      const dz = delta + i * width;
      if (this.task === 'multiclass') {
        let max = -Infinity;
        let argmax = 0;
        for (let c = 0; c < k; c++) {
          if (f[z + c] > max) {
            max = f[z + c];
            argmax = c;
          }
        }
        const e = this.exponentials;
        let total = 0;
        for (let c = 0; c < k; c++) total += e[c] = Math.exp(f[z + c] - max);
        let picked = 0;
        let label = 0;
        for (let c = 0; c < k; c++) {
          const p = e[c] / total;
          const y = targets[row * tw + c];
          if (y === 1) label = c;
          picked += p * y;
          if (withGradient) f[dz + c] = (p - y) * scale;
        }
        const clipped = picked < PROBABILITY_EPSILON ? PROBABILITY_EPSILON : picked > 1 - PROBABILITY_EPSILON ? 1 - PROBABILITY_EPSILON : picked;
        lossSum -= w * Math.log(clipped);
        if (argmax === label) metricSum += 1;
      } else if (this.task === 'binary') {
        const logit = f[z];
        const y = targets[row];
        // softplus(z) − y·z, the cross-entropy of sigmoid(z), stable for any z.
        const softplus = logit > 0 ? logit + Math.log1p(Math.exp(-logit)) : Math.log1p(Math.exp(logit));
        lossSum += w * (softplus - y * logit);
        if (withGradient) f[dz] = (1 / (1 + Math.exp(-logit)) - y) * scale;
        if ((logit > 0 ? 1 : 0) === y) metricSum += 1;
      } else {
        const error = f[z] - targets[row];
        lossSum += w * error * error;
        if (withGradient) f[dz] = 2 * error * scale;
        metricSum += Math.abs(error);
      }
    }
    return { lossSum, metricSum };
  }

  private backward(n: number): void {
    const f = this.f32;
    const p = this.params / 4;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const l = this.layers[i];
      const a = i === 0 ? this.input : this.activation[i - 1];
      // dW = aᵀ·dz: [inRows × width], A read transposed (row stride 4 bytes, inner stride one row).
      this.kernels.gemm(a, this.delta[i], this.grads + l.kernel * 4, 0, l.inRows, n, l.width, 4, l.inRows * 4, 0, 0, 1);
      // db = 1ᵀ·dz.
      this.kernels.gemm(this.one, this.delta[i], this.grads + l.bias * 4, 0, 1, n, l.width, 0, 0, 0, 0, 1);
      if (i === 0) break;
      // dz below = (dz · Wᵀ) · keep where the layer's input a > 0 (ReLU′ and the dropout mask).
      const t = this.transposed[i] / 4;
      for (let r = 0; r < l.inRows; r++) for (let c = 0; c < l.width; c++) f[t + c * l.inRows + r] = f[p + l.kernel + r * l.width + c];
      this.kernels.gemm(this.delta[i], this.transposed[i], this.delta[i - 1], 0, n, l.width, l.inRows, l.width * 4, 4, GEMM.GATE, a, this.layers[i - 1].keep);
    }
  }

  /** Adds 2·l2·W to the kernel gradients of penalised layers; returns Σ l2·ΣW². */
  private addPenaltyGradient(): number {
    let penalty = 0;
    const f = this.f32;
    const p = this.params / 4;
    const g = this.grads / 4;
    for (const l of this.layers) {
      const l2 = l.spec.kernelL2;
      if (!(l2 > 0)) continue;
      let squares = 0;
      for (let i = 0; i < l.inRows * l.width; i++) {
        const w = f[p + l.kernel + i];
        squares += w * w;
        f[g + l.kernel + i] += 2 * l2 * w;
      }
      penalty += l2 * squares;
    }
    return penalty;
  }

  private penalty(): number {
    let penalty = 0;
    const p = this.params / 4;
    for (const l of this.layers) {
      if (!(l.spec.kernelL2 > 0)) continue;
      let squares = 0;
      for (let i = 0; i < l.inRows * l.width; i++) squares += this.f32[p + l.kernel + i] ** 2;
      penalty += l.spec.kernelL2 * squares;
    }
    return penalty;
  }
}
