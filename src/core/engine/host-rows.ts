/**
 * Training rows kept in JavaScript memory and uploaded one batch at a time.
 *
 * Assembling a shuffled batch on the host and uploading it is 5–10× cheaper than keeping the
 * data on the device and gathering rows there (tfjs-backend-wasm's GatherV2: ~25 µs per batch
 * of 32 and ~150 µs per batch of 256 rows × 18 features, against ~4 µs and ~14 µs here), and
 * it leaves no copy of the data set on the device.
 */
import * as tf from '@tensorflow/tfjs';

/** One batch on the device; the caller disposes it with {@link disposeBatch}. */
export interface DeviceBatch {
  /** [rows, d] features. */
  x: tf.Tensor2D;
  /** [rows, targetWidth] targets (one-hot rows for multiclass, a column otherwise). */
  y: tf.Tensor2D;
  /** [rows, 1] row weights, or null when all rows weigh 1. */
  w: tf.Tensor2D | null;
}

export function disposeBatch(batch: DeviceBatch): void {
  batch.x.dispose();
  batch.y.dispose();
  batch.w?.dispose();
}

export class HostRows {
  /** Number of rows. */
  readonly n: number;

  /**
   * @param x row-major [n × d] features.
   * @param targets row-major [n × targetWidth] targets.
   * @param weights n row weights, or null for all ones.
   */
  constructor(
    readonly x: Float32Array,
    readonly d: number,
    readonly targets: Float32Array,
    readonly targetWidth: number,
    readonly weights: Float32Array | null,
  ) {
    this.n = x.length / d;
  }

  /**
   * Uploads the rows order[start … end−1] as one batch. Fresh buffers every call: the cpu
   * backend keeps a reference to the array it is given instead of copying it.
   */
  gather(order: Int32Array, start: number, end: number): DeviceBatch {
    const rows = end - start;
    const { d, targetWidth: k } = this;
    const xb = new Float32Array(rows * d);
    const yb = new Float32Array(rows * k);
    const wb = this.weights ? new Float32Array(rows) : null;
    for (let i = 0; i < rows; i++) {
      const row = order[start + i];
      const from = row * d;
      const to = i * d;
      for (let j = 0; j < d; j++) xb[to + j] = this.x[from + j];
      const fromY = row * k;
      const toY = i * k;
      for (let j = 0; j < k; j++) yb[toY + j] = this.targets[fromY + j];
      if (wb) wb[i] = (this.weights as Float32Array)[row];
    }
    return {
      x: tf.tensor2d(xb, [rows, d]),
      y: tf.tensor2d(yb, [rows, k]),
      w: wb ? tf.tensor2d(wb, [rows, 1]) : null,
    };
  }

  /** Uploads the contiguous rows start … end−1 as one batch (copies, see {@link gather}). */
  slice(start: number, end: number): DeviceBatch {
    const rows = end - start;
    return {
      x: tf.tensor2d(this.x.slice(start * this.d, end * this.d), [rows, this.d]),
      y: tf.tensor2d(this.targets.slice(start * this.targetWidth, end * this.targetWidth), [rows, this.targetWidth]),
      w: this.weights ? tf.tensor2d(this.weights.slice(start, end), [rows, 1]) : null,
    };
  }
}
