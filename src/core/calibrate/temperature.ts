/**
 * Temperature scaling and vector scaling (Guo et al. 2017, "On Calibration of Modern Neural
 * Networks", §4.2), fitted by minimising the mean negative log-likelihood on held-out data.
 *
 * The calibrators receive probabilities, not the network's logits; log p is a logit vector up to
 * a per-row constant, which softmax ignores, so softmax(log p / T) is exactly temperature scaling
 * of the original logits. Probabilities are clipped to [1e-15, 1 − 1e-15] first.
 *
 * Both losses are convex (the NLL of a softmax is convex in the logits, and the logits are linear
 * in the parameters), so Newton's method with a backtracking line search finds the minimum.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { UserError } from '../util/errors';
import { assertFitInputs, clipProbability, log1pExp, logit, solveSymmetric } from './shared';
import type { TemperatureCalibrator, VectorScalingCalibrator } from './types';

/** Fitted temperatures are kept within [MIN_TEMPERATURE, MAX_TEMPERATURE]; beyond them predictions are already one-hot or uniform. */
export const MIN_TEMPERATURE = 1e-2;
export const MAX_TEMPERATURE = 1e3;

/** Log-probabilities (clipped) of an n×k matrix: the logits temperature scaling works on. */
export function logProbabilities(scores: ArrayLike<number>): Float64Array {
  const z = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) z[i] = Math.log(clipProbability(scores[i]));
  return z;
}

/**
 * Mean NLL of softmax(β·z) (multiclass, z n×k) or of sigmoid(β·z) (binary, z length n), with its
 * first and second derivatives in β = 1/T.
 */
function temperatureObjective(
  z: Float64Array,
  yTrue: ArrayLike<number>,
  k: number,
  binary: boolean,
  beta: number,
): { value: number; first: number; second: number } {
  const n = yTrue.length;
  let value = 0;
  let first = 0;
  let second = 0;
  if (binary) {
    for (let i = 0; i < n; i++) {
      const s = beta * z[i];
      const y = yTrue[i];
      // −log σ(s) = log(1 + e^−s); −log(1 − σ(s)) = log(1 + e^s)
      value += y === 1 ? log1pExp(-s) : log1pExp(s);
      const q = 1 / (1 + Math.exp(-s));
      first += (q - y) * z[i];
      second += q * (1 - q) * z[i] * z[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      const row = i * k;
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, beta * z[row + c]);
      let sum = 0;
      let meanZ = 0;
      let meanZ2 = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(beta * z[row + c] - max);
        sum += e;
        meanZ += e * z[row + c];
        meanZ2 += e * z[row + c] * z[row + c];
      }
      meanZ /= sum;
      meanZ2 /= sum;
      const label = yTrue[i];
      value += max + Math.log(sum) - beta * z[row + label];
      first += meanZ - z[row + label];
      second += Math.max(0, meanZ2 - meanZ * meanZ);
    }
  }
  return { value: value / n, first: first / n, second: second / n };
}

/**
 * Fits temperature scaling on held-out predictions: the T > 0 minimising the mean NLL of
 * softmax(log p / T) (k ≥ 3) or sigmoid(logit(p) / T) (k = 2), kept within [0.01, 1000].
 * @param scores P(class 1) (k = 2, length n) or n×k row-major probabilities.
 * @param yTrue 0/1 labels (k = 2) or class indices 0..k-1, length n ≥ 1.
 * @throws UserError on empty input, NaN, bad labels or shapes.
 */
export function fitTemperature(scores: ArrayLike<number>, yTrue: ArrayLike<number>, k: number): TemperatureCalibrator {
  const binary = assertFitInputs(scores, yTrue, k);
  const z = binary ? Float64Array.from(scores, logit) : logProbabilities(scores);
  // The mean NLL is convex in β = 1/T, so its derivative is non-decreasing: keep a bracket
  // [lo, hi] with f'(lo) ≤ 0 ≤ f'(hi), take Newton steps inside it and bisect otherwise. Unlike a
  // line search on the loss value, this cannot stall on rounding noise near the minimum.
  const result = (beta: number): TemperatureCalibrator => ({ method: 'temperature', params: { k, temperature: 1 / beta } });
  const minBeta = 1 / MAX_TEMPERATURE;
  const maxBeta = 1 / MIN_TEMPERATURE;
  let beta = 1;
  let current = temperatureObjective(z, yTrue, k, binary, beta);
  let lo: number;
  let hi: number;
  if (current.first > 0) {
    if (temperatureObjective(z, yTrue, k, binary, minBeta).first >= 0) return result(minBeta);
    lo = minBeta;
    hi = beta;
  } else if (current.first < 0) {
    if (temperatureObjective(z, yTrue, k, binary, maxBeta).first <= 0) return result(maxBeta);
    lo = beta;
    hi = maxBeta;
  } else {
    return result(beta);
  }
  for (let iteration = 0; iteration < 200; iteration++) {
    const newton = current.second > 0 ? beta - current.first / current.second : NaN;
    const next = newton > lo && newton < hi ? newton : (lo + hi) / 2;
    if (next === beta || hi - lo <= 1e-15 * beta) break;
    const converged = Math.abs(next - beta) <= 1e-13 * beta; // quadratic convergence: this step is the last that matters
    beta = next;
    if (converged) break;
    current = temperatureObjective(z, yTrue, k, binary, beta);
    if (current.first === 0) break;
    if (current.first > 0) hi = beta;
    else lo = beta;
  }
  return result(beta);
}

/**
 * Fits vector scaling on held-out multiclass predictions: per-class scale w and bias b
 * minimising the mean NLL of softmax(w ⊙ log p + b). The bias is only defined up to a common
 * shift (softmax ignores it), so it is returned centred (Σ b = 0).
 * Vector scaling has 2k parameters and needs a few examples per class; for two classes use
 * Platt scaling on logits, which is the same model.
 * @param scores n×k row-major probabilities (k ≥ 3).
 * @param yTrue class indices 0..k-1, length n ≥ 1.
 * @throws UserError for k = 2, on empty input, NaN, bad labels or shapes.
 */
export function fitVectorScaling(scores: ArrayLike<number>, yTrue: ArrayLike<number>, k: number): VectorScalingCalibrator {
  if (k === 2) {
    throw new UserError("Vector scaling is for three or more classes; for two classes use 'platt', which is the same model.");
  }
  assertFitInputs(scores, yTrue, k);
  const n = yTrue.length;
  const z = logProbabilities(scores);
  const d = 2 * k; // parameters: scale[0..k-1], bias[0..k-1]
  let params = new Float64Array(d);
  for (let c = 0; c < k; c++) params[c] = 1;
  const logits = new Float64Array(k);
  const q = new Float64Array(k);

  const evaluate = (theta: Float64Array, withDerivatives: boolean) => {
    let value = 0;
    const gradient = new Float64Array(d);
    const hessian = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const row = i * k;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        logits[c] = theta[c] * z[row + c] + theta[k + c];
        if (logits[c] > max) max = logits[c];
      }
      let sum = 0;
      for (let c = 0; c < k; c++) {
        q[c] = Math.exp(logits[c] - max);
        sum += q[c];
      }
      const label = yTrue[i];
      value += max + Math.log(sum) - logits[label];
      if (!withDerivatives) continue;
      for (let c = 0; c < k; c++) q[c] /= sum;
      for (let c = 0; c < k; c++) {
        const r = q[c] - (c === label ? 1 : 0);
        gradient[c] += r * z[row + c];
        gradient[k + c] += r;
        // ∂²/∂logit_c∂logit_e = q_c(δ_ce − q_e); ∂logit_c/∂scale_c = z_c, ∂logit_c/∂bias_c = 1.
        const zc = z[row + c];
        for (let e = 0; e < k; e++) {
          const curvature = (c === e ? q[c] : 0) - q[c] * q[e];
          const ze = z[row + e];
          hessian[c * d + e] += curvature * zc * ze;
          hessian[(k + c) * d + (k + e)] += curvature;
          hessian[c * d + (k + e)] += curvature * zc;
          hessian[(k + c) * d + e] += curvature * ze;
        }
      }
    }
    if (withDerivatives) {
      for (let j = 0; j < d; j++) gradient[j] /= n;
      for (let j = 0; j < d * d; j++) hessian[j] /= n;
    }
    return { value: value / n, gradient, hessian };
  };

  let current = evaluate(params, true);
  for (let iteration = 0; iteration < 100; iteration++) {
    let gradientNorm = 0;
    for (let j = 0; j < d; j++) gradientNorm = Math.max(gradientNorm, Math.abs(current.gradient[j]));
    if (gradientNorm <= 1e-13) break;
    const step = solveSymmetric(current.hessian, current.gradient, d);
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++) {
      const candidate = Float64Array.from(params, (v, j) => v - t * step[j]);
      const value = evaluate(candidate, false).value;
      if (value <= current.value + 1e-15 * Math.abs(current.value)) {
        params = candidate;
        current = evaluate(params, true);
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
    let stepNorm = 0;
    for (let j = 0; j < d; j++) stepNorm = Math.max(stepNorm, Math.abs(t * step[j]));
    if (stepNorm <= 1e-14) break;
  }
  const scale = Array.from(params.subarray(0, k));
  const rawBias = Array.from(params.subarray(k));
  const meanBias = rawBias.reduce((a, b) => a + b, 0) / k;
  return { method: 'vector', params: { k, scale, bias: rawBias.map((b) => b - meanBias) } };
}
