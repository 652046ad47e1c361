/**
 * The fast training step for stacks of dense layers (every model {@link buildModel} makes).
 *
 * Why not `model.fit` or `optimizer.minimize`: for the small MLPs ML Loop trains, a batch
 * costs a few microseconds of arithmetic and tens of microseconds of per-kernel bookkeeping,
 * so speed is the number of kernels launched per batch. `model.fit` adds per-batch callbacks,
 * data slicing and a loss read; autodiff (`tf.variableGrads`) records a tape and emits
 * broadcast/reshape gradients; tfjs' Adam runs ~15 kernels per variable. Here instead:
 *
 * - all weights live in one flat vector, so Adam is a dozen kernels for the whole model; each
 *   step slices every layer's kernel and bias out of it;
 * - the forward pass uses fused matmul + bias + activation kernels;
 * - the backward pass is written out by hand (the chain rule for dense layers: dW = aᵀ·dz,
 *   db = Σ dz, da = dz·Wᵀ, dz = da ⊙ act′), computing the loss gradient straight from the
 *   logits (softmax − one-hot, sigmoid − y, 2·(ŷ − y)), which is also the numerically stable
 *   form;
 * - on wasm, matrix products with a transposed operand transpose first (see matMulTransposeA);
 * - batches are assembled on the host and uploaded (./host-rows.ts);
 * - the epoch's loss and metric are summed on the device and read once per epoch.
 *
 * The gradient is checked against tfjs autodiff in test/unit/engine/dense-trainer.test.ts.
 *
 * Loss conventions (Keras' 'sum over batch size' reduction): batch loss =
 * Σᵢ wᵢ·ℓᵢ / batchSize + Σ_layers l2·ΣW², where wᵢ is the row weight (1 when there are none).
 * - binary: ℓ = softplus(z) − y·z, the cross-entropy of sigmoid(z), exact for any logit z;
 * - multiclass: ℓ = −log(clip(softmax(z)_y, 1e-7, 1 − 1e-7)) (Keras' clipped cross-entropy);
 * - regression: ℓ = (ŷ − y)².
 * Metrics are unweighted: accuracy = fraction of rows predicted right (binary: logit > 0,
 * i.e. p > 0.5; multiclass: arg max), mae = mean |ŷ − y|.
 *
 * Memory: the caller owns the data tensors; everything this class creates is released by
 * {@link DenseStackTrainer.dispose}, and each step releases its intermediates.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../project/types';
import { disposeBatch, type HostRows } from './host-rows';
import type { DenseLayerSpec } from './models';

/** Adam hyper-parameters; betas and epsilon default to Keras/tfjs' 0.9, 0.999, 1e-7. */
export interface AdamConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Sums over the rows seen since the last {@link DenseStackTrainer.takeEpochSums}. */
export interface EpochSums {
  /** Σ over rows of (wᵢ·ℓᵢ + L2 penalty); divide by rows for the epoch's mean loss. */
  lossSum: number;
  /** Σ of correct predictions (classification) or of |ŷ − y| (regression). */
  metricSum: number;
  /** Rows trained on. */
  rows: number;
  /** False when any weight became NaN or ±Inf. */
  weightsFinite: boolean;
}

interface LayerSlot {
  spec: DenseLayerSpec;
  kernelOffset: number;
  biasOffset: number;
  /** Output activation used inside the loop: the head is kept linear (logits). */
  activation: DenseLayerSpec['activation'];
}

interface LayerWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

interface ForwardPass {
  /** Input of each layer (after the previous layer's dropout). */
  inputs: tf.Tensor2D[];
  /** Activated output of each hidden layer, before dropout (for the activation derivative). */
  activated: tf.Tensor2D[];
  logits: tf.Tensor2D;
}

/** Activations the wasm, cpu and tensorflow backends can fuse into the matmul kernel. */
const FUSABLE = new Set(['relu', 'elu', 'linear']);

/** SELU constants (Klambauer et al. 2017), as used by tfjs' selu kernel. */
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;

/** Keras' clipping bound for probabilities inside the cross-entropy. */
const PROBABILITY_EPSILON = 1e-7;

/**
 * Trains the weights of a dense stack with Adam, one batch at a time, keeping the weights as a
 * flat vector on the device. Call {@link writeWeightsTo} to copy them into a LayersModel.
 */
export class DenseStackTrainer {
  /** Total number of weights (kernels and biases). */
  readonly paramCount: number;
  private readonly slots: LayerSlot[];
  private readonly task: Task;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly learningRate: number;
  private readonly dropoutMasks: DropoutMaskSource;
  /** Transpose before matMul instead of passing transpose flags (see matMulTransposeA). */
  private readonly explicitTranspose: boolean;
  private params: tf.Tensor1D;
  private firstMoment: tf.Tensor1D;
  private secondMoment: tf.Tensor1D;
  /** Snapshot the caller asked to keep (see {@link keepSnapshot}); never disposed by a step. */
  private snapshot: tf.Tensor1D | null = null;
  private steps = 0;
  private lossSum: tf.Scalar;
  private metricSum: tf.Scalar;
  private rowsSinceRead = 0;
  /** Constants allocated once (scalars passed as JS numbers would be uploaded every call). */
  private readonly constants: Record<'oneMinusBeta1' | 'oneMinusBeta2' | 'one' | 'two' | 'zero' | 'seluScale' | 'seluScaleAlpha', tf.Scalar>;
  /** Per layer index with an L2 penalty: l2 and 2·l2 as device scalars. */
  private readonly l2Constants: Map<number, { l2: tf.Scalar; twiceL2: tf.Scalar }> = new Map();
  private readonly inverseBatch: Map<number, tf.Scalar> = new Map();

  /**
   * @param layers the dense stack, from {@link describeDenseStack}; its last layer is the head.
   * @param initialWeights kernel [in, out] and bias [out] of each layer in order, as
   *   `model.getWeights()` returns them. Copied; the caller keeps ownership.
   * @param dropoutSeed seed of the dropout masks (any integer; same seed, same masks).
   */
  constructor(task: Task, layers: DenseLayerSpec[], initialWeights: tf.Tensor[], adam: AdamConfig, dropoutSeed: number) {
    if (initialWeights.length !== layers.length * 2) {
      throw new Error(`DenseStackTrainer: expected ${layers.length * 2} weight tensors, got ${initialWeights.length}`);
    }
    // The loop trains on logits with the task's loss, so the head must be the task's head.
    const head = layers[layers.length - 1].activation;
    const expectedHead = task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
    if (head !== expectedHead) throw new Error(`DenseStackTrainer: a ${task} model needs a ${expectedHead} output layer, got ${head}`);
    this.task = task;
    this.learningRate = adam.learningRate;
    this.beta1 = adam.beta1 ?? 0.9;
    this.beta2 = adam.beta2 ?? 0.999;
    this.epsilon = adam.epsilon ?? 1e-7;
    this.dropoutMasks = new DropoutMaskSource(dropoutSeed);
    this.explicitTranspose = tf.getBackend() === 'wasm';
    let offset = 0;
    this.slots = layers.map((spec, i) => {
      const kernelOffset = offset;
      offset += spec.inputDim * spec.units;
      const biasOffset = offset;
      offset += spec.units;
      const isHead = i === layers.length - 1;
      return { spec, kernelOffset, biasOffset, activation: isHead ? 'linear' : spec.activation };
    });
    this.paramCount = offset;
    this.params = tf.tidy(() => tf.concat(initialWeights.map((w) => w.reshape([-1]))) as tf.Tensor1D);
    this.firstMoment = tf.zeros([this.paramCount]);
    this.secondMoment = tf.zeros([this.paramCount]);
    this.lossSum = tf.scalar(0);
    this.metricSum = tf.scalar(0);
    this.constants = {
      oneMinusBeta1: tf.scalar(1 - this.beta1),
      oneMinusBeta2: tf.scalar(1 - this.beta2),
      one: tf.scalar(1),
      two: tf.scalar(2),
      zero: tf.scalar(0),
      seluScale: tf.scalar(SELU_SCALE),
      seluScaleAlpha: tf.scalar(SELU_SCALE * SELU_ALPHA),
    };
    this.slots.forEach((slot, i) => {
      const l2 = slot.spec.kernelL2;
      if (l2 > 0) this.l2Constants.set(i, { l2: tf.scalar(l2), twiceL2: tf.scalar(2 * l2) });
    });
  }

  /**
   * One Adam step on a batch.
   * @param x [rows, inputDim] float32 features.
   * @param y multiclass: [rows, classes] float32 one-hot rows; otherwise [rows, 1] float32
   *   targets (see {@link encodeTargets}).
   * @param weight [rows, 1] float32 row weights, or null for all ones.
   */
  trainBatch(x: tf.Tensor2D, y: tf.Tensor2D, weight: tf.Tensor2D | null): void {
    const rows = x.shape[0];
    this.steps += 1;
    // Bias correction folded into the step size and epsilon (Kingma & Ba, section 2):
    // lr·m̂/(√v̂ + ε) = lrₜ·m/(√v + ε·√(1 − β₂ᵗ)) with lrₜ = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ).
    const correction2 = Math.sqrt(1 - Math.pow(this.beta2, this.steps));
    const stepSize = (this.learningRate * correction2) / (1 - Math.pow(this.beta1, this.steps));
    const stepEpsilon = this.epsilon * correction2;
    const oldParams = this.params;
    const oldM = this.firstMoment;
    const oldV = this.secondMoment;
    const oldLoss = this.lossSum;
    const oldMetric = this.metricSum;
    const next = tf.tidy(() => {
      const weights = this.unpack(oldParams);
      const masks = this.drawDropoutMasks(rows);
      const pass = this.forward(weights, x, masks);
      const scale = this.rowScale(rows, weight);
      const { dLogits, lossSum, metricSum } = this.headGradient(pass.logits, y, weight, scale);
      const grads = this.backward(weights, pass, masks, dLogits as tf.Tensor2D);
      const penalty = this.penalty(weights);
      const batchLoss = penalty ? tf.add(lossSum, tf.mul(penalty, tf.scalar(rows))) : lossSum;
      const c = this.constants;
      const m = tf.add(oldM, tf.mul(tf.sub(grads, oldM), c.oneMinusBeta1));
      const v = tf.add(oldV, tf.mul(tf.sub(tf.square(grads), oldV), c.oneMinusBeta2));
      const update = tf.div(tf.mul(m, tf.scalar(stepSize)), tf.add(tf.sqrt(v), tf.scalar(stepEpsilon)));
      return {
        params: tf.sub(oldParams, update) as tf.Tensor1D,
        m: m as tf.Tensor1D,
        v: v as tf.Tensor1D,
        loss: tf.add(oldLoss, batchLoss) as tf.Scalar,
        metric: tf.add(oldMetric, metricSum) as tf.Scalar,
      };
    });
    this.params = next.params;
    this.firstMoment = next.m;
    this.secondMoment = next.v;
    this.lossSum = next.loss;
    this.metricSum = next.metric;
    this.rowsSinceRead += rows;
    if (oldParams !== this.snapshot) oldParams.dispose();
    tf.dispose([oldM, oldV, oldLoss, oldMetric]);
  }

  /**
   * The flat gradient of the batch loss at the current weights and the batch's loss sum,
   * without changing anything: what {@link trainBatch} feeds to Adam. For gradient checks.
   * @param masks dropout masks per layer (null entries: no dropout), or null for none.
   */
  gradient(x: tf.Tensor2D, y: tf.Tensor, weight: tf.Tensor2D | null, masks: Array<tf.Tensor2D | null> | null = null): { gradient: tf.Tensor1D; lossSum: tf.Scalar } {
    return tf.tidy(() => {
      const weights = this.unpack(this.params);
      const layerMasks = masks ?? this.slots.map(() => null);
      const pass = this.forward(weights, x, layerMasks);
      const { dLogits, lossSum } = this.headGradient(pass.logits, y, weight, this.rowScale(x.shape[0], weight));
      const penalty = this.penalty(weights);
      return {
        gradient: this.backward(weights, pass, layerMasks, dLogits as tf.Tensor2D),
        lossSum: penalty ? (tf.add(lossSum, tf.mul(penalty, tf.scalar(x.shape[0]))) as tf.Scalar) : lossSum,
      };
    });
  }

  /** Reads and resets the sums accumulated by {@link trainBatch} (one device read). */
  async takeEpochSums(): Promise<EpochSums> {
    const packed = tf.tidy(() => tf.stack([this.lossSum, this.metricSum, tf.sum(this.params)]));
    const [lossSum, metricSum, paramSum] = await packed.data();
    packed.dispose();
    const rows = this.rowsSinceRead;
    tf.dispose([this.lossSum, this.metricSum]);
    this.lossSum = tf.scalar(0);
    this.metricSum = tf.scalar(0);
    this.rowsSinceRead = 0;
    return { lossSum, metricSum, rows, weightsFinite: Number.isFinite(paramSum) };
  }

  /**
   * Loss and metric sums of the current weights on a data set, in inference mode (no
   * dropout), uploading `chunkRows` rows at a time to bound memory. Same conventions as
   * training; one device read at the end.
   * @returns lossSum (Σ wᵢ·ℓᵢ + rows · L2 penalty), metricSum and rows.
   */
  async evaluate(data: HostRows, chunkRows = 8192): Promise<{ lossSum: number; metricSum: number; rows: number }> {
    let sums: tf.Tensor1D = tf.zeros([2]);
    for (let start = 0; start < data.n; start += chunkRows) {
      const end = Math.min(start + chunkRows, data.n);
      const batch = data.slice(start, end);
      const previous = sums;
      try {
        sums = tf.tidy(() => {
          const weights = this.unpack(this.params);
          const pass = this.forward(weights, batch.x, null);
          const { lossSum, metricSum } = this.headGradient(pass.logits, batch.y, batch.w, null);
          const penalty = this.penalty(weights);
          const loss = penalty ? tf.add(lossSum, tf.mul(penalty, tf.scalar(end - start))) : lossSum;
          return tf.add(previous, tf.stack([loss, metricSum])) as tf.Tensor1D;
        });
      } finally {
        disposeBatch(batch);
        previous.dispose();
      }
    }
    const [lossSum, metricSum] = await sums.data();
    sums.dispose();
    return { lossSum, metricSum, rows: data.n };
  }

  /**
   * Keeps the current weights as a snapshot (e.g. the best epoch so far), replacing any
   * earlier one. Costs no copy: steps make new weight tensors rather than writing in place.
   */
  keepSnapshot(): void {
    this.dropSnapshot();
    this.snapshot = this.params;
  }

  /** True when {@link keepSnapshot} has been called since the last restore/drop. */
  hasSnapshot(): boolean {
    return this.snapshot !== null;
  }

  /** Makes the snapshot the current weights (the Adam moments are left as they are). */
  restoreSnapshot(): void {
    if (!this.snapshot) throw new Error('restoreSnapshot: no snapshot kept');
    if (this.params !== this.snapshot) this.params.dispose();
    this.params = this.snapshot;
    this.snapshot = null;
  }

  /** The current weights as `model.getWeights()` orders them (caller disposes). */
  currentWeights(): tf.Tensor[] {
    return tf.tidy(() => this.unpack(this.params).flatMap((w) => [w.kernel, w.bias]));
  }

  /** Copies the current weights into `model` (a model of the same architecture). */
  writeWeightsTo(model: tf.LayersModel): void {
    const weights = this.currentWeights();
    model.setWeights(weights);
    tf.dispose(weights);
  }

  /** Releases every tensor this trainer holds. */
  dispose(): void {
    this.dropSnapshot();
    tf.dispose([this.params, this.firstMoment, this.secondMoment, this.lossSum, this.metricSum]);
    tf.dispose(Object.values(this.constants));
    for (const { l2, twiceL2 } of this.l2Constants.values()) tf.dispose([l2, twiceL2]);
    tf.dispose([...this.inverseBatch.values()]);
  }

  private dropSnapshot(): void {
    if (this.snapshot && this.snapshot !== this.params) this.snapshot.dispose();
    this.snapshot = null;
  }

  /**
   * Each layer's kernel [in, out] and bias [out] from the flat vector. tfjs-backend-wasm's
   * Slice copies its whole input before taking the part it needs, so slicing 2·layers pieces
   * from a vector of P weights costs 2·layers·P copies. When the first kernel holds most of
   * the weights (wide inputs, e.g. hashed text), it is cut off first and the other pieces are
   * sliced from the small remainder: ~2·P copies instead (−0.15 ms per step at 1024 inputs).
   */
  private unpack(params: tf.Tensor1D): LayerWeights[] {
    const firstKernel = this.slots[0].spec.inputDim * this.slots[0].spec.units;
    const peel = this.slots.length > 1 && firstKernel > this.paramCount / 2;
    const rest = peel ? tf.slice(params, firstKernel, this.paramCount - firstKernel) : params;
    const shift = peel ? firstKernel : 0;
    return this.slots.map((slot, i) => {
      const size = slot.spec.inputDim * slot.spec.units;
      const kernel = peel && i === 0 ? tf.slice(params, 0, size) : tf.slice(rest, slot.kernelOffset - shift, size);
      return {
        kernel: tf.reshape(kernel, [slot.spec.inputDim, slot.spec.units]),
        bias: tf.slice(rest, slot.biasOffset - shift, slot.spec.units),
      };
    });
  }

  /** Per-layer dropout masks with values 0 or 1/(1 − rate) (inverted dropout), or null. */
  private drawDropoutMasks(rows: number): Array<tf.Tensor2D | null> {
    return this.slots.map((slot, i) => {
      const rate = slot.spec.dropoutAfter;
      if (rate <= 0 || i === this.slots.length - 1) return null;
      return tf.tensor2d(this.dropoutMasks.draw(rows * slot.spec.units, rate), [rows, slot.spec.units]);
    });
  }

  private forward(weights: LayerWeights[], x: tf.Tensor2D, masks: Array<tf.Tensor2D | null> | null): ForwardPass {
    const inputs: tf.Tensor2D[] = [];
    const activated: tf.Tensor2D[] = [];
    let a = x;
    for (let i = 0; i < this.slots.length; i++) {
      inputs.push(a);
      const { kernel, bias } = weights[i];
      const activation = this.slots[i].activation;
      let h: tf.Tensor2D;
      if (FUSABLE.has(activation)) {
        h = tf.fused.matMul({ a, b: kernel, bias, activation: activation as 'relu' | 'elu' | 'linear' }) as tf.Tensor2D;
      } else {
        const z = tf.fused.matMul({ a, b: kernel, bias }) as tf.Tensor2D;
        h = applyActivation(z, activation);
      }
      activated.push(h);
      const mask = masks?.[i];
      a = mask ? tf.mul(h, mask) : h;
    }
    return { inputs, activated, logits: activated[activated.length - 1] };
  }

  /** Row weights × 1/rows as a column, or the scalar 1/rows when rows are unweighted. */
  private rowScale(rows: number, weight: tf.Tensor2D | null): tf.Tensor {
    let inverse = this.inverseBatch.get(rows);
    if (!inverse) {
      // tf.keep: this may run inside a step's tidy, but the constant outlives it.
      inverse = tf.keep(tf.scalar(1 / rows));
      this.inverseBatch.set(rows, inverse);
    }
    return weight ? tf.mul(weight, inverse) : inverse;
  }

  /**
   * Gradient of the batch loss with respect to the logits, plus the batch's loss and metric
   * sums (as scalars on the device).
   * @param scale the factor each row's gradient is multiplied by (wᵢ/rows), or null to skip
   *   the gradient (evaluation).
   */
  private headGradient(
    logits: tf.Tensor2D,
    y: tf.Tensor,
    weight: tf.Tensor2D | null,
    scale: tf.Tensor | null,
  ): { dLogits: tf.Tensor2D | null; lossSum: tf.Scalar; metricSum: tf.Scalar } {
    const c = this.constants;
    const weightedSum = (perRow: tf.Tensor): tf.Scalar => tf.sum(weight ? tf.mul(perRow, weight) : perRow);
    if (this.task === 'multiclass') {
      // y is already one-hot: tfjs-backend-wasm 4.22's OneHot kernel ignores dtype 'float32'
      // and returns zeros, and uploading the one-hot rows once is cheaper than a kernel per batch.
      const probabilities = tf.softmax(logits);
      const target = y;
      const dLogits = scale ? (tf.mul(tf.sub(probabilities, target), scale) as tf.Tensor2D) : null;
      const picked = tf.clipByValue(tf.sum(tf.mul(probabilities, target), 1, true), PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
      const lossSum = tf.neg(weightedSum(tf.log(picked)));
      const metricSum = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(target, 1)), 'float32')) as tf.Scalar;
      return { dLogits, lossSum, metricSum };
    }
    if (this.task === 'binary') {
      const dLogits = scale ? (tf.mul(tf.sub(tf.sigmoid(logits), y), scale) as tf.Tensor2D) : null;
      const lossSum = weightedSum(tf.sub(tf.softplus(logits), tf.mul(logits, y)));
      const predicted = tf.cast(tf.greater(logits, c.zero), 'float32');
      const metricSum = tf.sum(tf.cast(tf.equal(predicted, y), 'float32')) as tf.Scalar;
      return { dLogits, lossSum, metricSum };
    }
    const error = tf.sub(logits, y);
    const dLogits = scale ? (tf.mul(error, tf.mul(scale, c.two)) as tf.Tensor2D) : null;
    const lossSum = weightedSum(tf.square(error));
    const metricSum = tf.sum(tf.abs(error)) as tf.Scalar;
    return { dLogits, lossSum, metricSum };
  }

  /** Flat gradient of the batch loss, in the parameter vector's layout. */
  private backward(weights: LayerWeights[], pass: ForwardPass, masks: Array<tf.Tensor2D | null>, dLogits: tf.Tensor2D): tf.Tensor1D {
    const parts: tf.Tensor[] = new Array(this.slots.length * 2);
    let dz = dLogits;
    for (let i = this.slots.length - 1; i >= 0; i--) {
      let dKernel = this.matMulTransposeA(pass.inputs[i], dz);
      const penalty = this.l2Constants.get(i);
      if (penalty) dKernel = tf.add(dKernel, tf.mul(weights[i].kernel, penalty.twiceL2));
      parts[2 * i] = tf.reshape(dKernel, [-1]);
      parts[2 * i + 1] = tf.sum(dz, 0);
      if (i === 0) break;
      let dActivated: tf.Tensor2D = this.matMulTransposeB(dz, weights[i].kernel);
      const mask = masks[i - 1];
      if (mask) dActivated = tf.mul(dActivated, mask) as tf.Tensor2D;
      dz = this.activationGradient(this.slots[i - 1].activation, pass.activated[i - 1], dActivated);
    }
    return tf.concat(parts) as tf.Tensor1D;
  }

  /**
   * aᵀ·b. tfjs-backend-wasm only sends plain a·b to XNNPACK; with a transpose flag it falls
   * back to a scalar triple loop, 2× (batch 32) to 6× (batch 256) slower than transposing
   * first (measured on the bench's layer sizes). Other backends transpose for free.
   */
  private matMulTransposeA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return this.explicitTranspose ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, b, true, false);
  }

  /** a·bᵀ, see {@link matMulTransposeA}. */
  private matMulTransposeB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return this.explicitTranspose ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
  }

  /** dL/dz from dL/dh for h = act(z), written in terms of h (what the forward pass kept). */
  private activationGradient(activation: DenseLayerSpec['activation'], h: tf.Tensor2D, dh: tf.Tensor2D): tf.Tensor2D {
    const c = this.constants;
    switch (activation) {
      case 'relu':
        return tf.mul(dh, tf.step(h));
      case 'elu':
        // EluGrad(dy, y) = dy where y ≥ 0, dy·(y + 1) where y < 0 — tfjs' own elu gradient.
        return tf.engine().runKernel('EluGrad', { dy: dh, y: h }) as tf.Tensor2D;
      case 'tanh':
        return tf.mul(dh, tf.sub(c.one, tf.square(h)));
      case 'selu':
        // selu′(z) = scale for z > 0, scale·alpha·eᶻ = h + scale·alpha for z ≤ 0.
        return tf.mul(dh, tf.where(tf.greater(h, c.zero), tf.onesLike(h).mul(c.seluScale), tf.add(h, c.seluScaleAlpha)));
      case 'sigmoid':
        return tf.mul(dh, tf.mul(h, tf.sub(c.one, h)));
      case 'linear':
        return dh;
      default:
        throw new Error(`Activation ${activation} is not supported in hidden layers`);
    }
  }

  /** Σ over layers of l2 · ΣW² (a scalar), or null when no layer has a penalty. */
  private penalty(weights: LayerWeights[]): tf.Scalar | null {
    let total: tf.Scalar | null = null;
    for (const [i, { l2 }] of this.l2Constants) {
      const term = tf.mul(tf.sum(tf.square(weights[i].kernel)), l2) as tf.Scalar;
      total = total ? (tf.add(total, term) as tf.Scalar) : term;
    }
    return total;
  }
}

function applyActivation(z: tf.Tensor2D, activation: DenseLayerSpec['activation']): tf.Tensor2D {
  switch (activation) {
    case 'tanh':
      return tf.tanh(z);
    case 'selu':
      return tf.selu(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'relu':
      return tf.relu(z);
    case 'elu':
      return tf.elu(z);
    case 'linear':
      return z;
    default:
      throw new Error(`Activation ${activation} is not supported in hidden layers`);
  }
}

/**
 * Labels as the trainer wants them: multiclass one-hot rows [n, classes]; binary (0/1) and
 * regression targets as a column [n, 1]. Float32, row-major.
 * @param y binary 0/1, multiclass class index (0 … classes−1) as float, regression target.
 */
export function encodeTargets(task: Task, y: Float32Array, classes: number): { values: Float32Array; shape: [number, number] } {
  if (task !== 'multiclass') return { values: y, shape: [y.length, 1] };
  const values = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) values[i * classes + y[i]] = 1;
  return { values, shape: [y.length, classes] };
}

/**
 * Seeded dropout masks, drawn fast: at batch 256 a mask per layer is ~30k draws per step, and
 * a closure call per draw cost a third of the step. This inlines the mulberry32 step (the
 * generator of util/random's createRng) and uses each 32-bit output for two 16-bit uniform
 * draws, so a rate is honoured to within 1/65536.
 */
export class DropoutMaskSource {
  /** The generator's 32-bit state (unsigned); another implementation of the same draws may read and advance it. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** `size` values, each 0 with probability `rate` (rounded to 1/65536), else 1/(1 − rate). */
  draw(size: number, rate: number): Float32Array {
    const values = new Float32Array(size);
    this.drawInto(values, 0, 1, size, rate);
    return values;
  }

  /**
   * The values {@link draw}(rows · units, rate) would give, written as `rows` rows of `units`
   * values into `target` starting at `offset`, consecutive rows `stride` values apart (a
   * padded layout), without allocating.
   */
  drawInto(target: Float32Array, offset: number, rows: number, units: number, rate: number, stride = units): void {
    const size = rows * units;
    const keep = 1 / (1 - rate);
    const threshold = Math.round(rate * 65536);
    let a = this.state;
    // Value k of the sequence goes to row ⌊k / units⌋, column k mod units.
    let column = 0;
    let at = offset;
    for (let k = 0; k < size; k += 2) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      t = (t ^ (t >>> 14)) >>> 0;
      target[at + column] = (t & 0xffff) < threshold ? 0 : keep;
      if (++column === units) {
        column = 0;
        at += stride;
      }
      if (k + 1 < size) {
        target[at + column] = t >>> 16 < threshold ? 0 : keep;
        if (++column === units) {
          column = 0;
          at += stride;
        }
      }
    }
    this.state = a;
  }
}
