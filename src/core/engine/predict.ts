/**
 * Running a tfjs model over feature rows (no Node built-ins; ./fit.ts re-exports it). Bundles
 * are scored without tfjs (./dense-network.ts); this remains for a model in tfjs form, e.g.
 * explain's integrated gradients and the tests that compare the two.
 */
import * as tf from '@tensorflow/tfjs';

/** Rows predicted per chunk: bounds the memory of one forward pass. */
const PREDICT_CHUNK_ROWS = 8192;

/**
 * Runs `model` over n rows of row-major features and returns the outputs, row-major
 * [n × outputs]: binary P(class 1) (1 column), multiclass class probabilities (k columns),
 * regression the predicted value (1 column). Predicts in chunks of 8192 rows; every tensor
 * is released. n = 0 gives an empty array.
 */
export function predictScores(model: tf.LayersModel, x: Float32Array, n: number, d: number): Float32Array {
  if (x.length !== n * d) throw new Error(`predictScores: x has ${x.length} values, expected n·d = ${n * d}`);
  const outputShape = model.outputs[0].shape;
  const outputs = outputShape[outputShape.length - 1] as number;
  const scores = new Float32Array(n * outputs);
  for (let start = 0; start < n; start += PREDICT_CHUNK_ROWS) {
    const rows = Math.min(PREDICT_CHUNK_ROWS, n - start);
    const chunk = tf.tidy(() => {
      const xs = tf.tensor2d(x.subarray(start * d, (start + rows) * d), [rows, d]);
      return model.predict(xs, { batchSize: rows }) as tf.Tensor;
    });
    scores.set(chunk.dataSync() as Float32Array, start * outputs);
    chunk.dispose();
  }
  return scores;
}
