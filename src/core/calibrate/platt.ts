/**
 * Platt scaling (Platt 1999) fitted as scikit-learn's `_sigmoid_calibration`: targets smoothed
 * to (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2) (Platt's Bayesian prior, which keeps the fit finite on
 * separable data), starting point (0, log((N₋ + 1)/(N₊ + 1))), loss = the summed cross-entropy.
 * scikit-learn minimises it with BFGS; the loss is convex in (a, b), so here Newton's method
 * with a backtracking line search converges to the same minimum, more tightly and in a handful
 * of iterations. The loss is evaluated stably (log(1 + e^z) − (1 − T)·z). scikit-learn 1.2
 * evaluates log(1 − P) directly, which rounds badly once |a·f + b| exceeds ~35 (confident
 * models, logit inputs): its BFGS then stops early ("precision loss") short of the minimum, and
 * our parameters differ from its — with a lower loss. The fixtures record both (see
 * test/unit/calibrate/calibrators.test.ts).
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { assertFitInputs, log1pExp, logit, oneVsRestColumn, sigmoid, solveSymmetric } from './shared';
import type { PlattCalibrator } from './types';

/** The two parameters of P(y = 1 | f) = 1 / (1 + exp(a·f + b)). */
export interface SigmoidParameters {
  a: number;
  b: number;
}

/**
 * Fits Platt's sigmoid to real-valued inputs f and 0/1 outcomes (scikit-learn's
 * `_sigmoid_calibration(f, y)` without sample weights).
 * @param f the model's outputs (logits or probabilities), finite, length n ≥ 1.
 * @param y 0/1 outcomes (any value ≤ 0 counts as negative, as in scikit-learn), length n.
 * @returns a and b of P = 1 / (1 + exp(a·f + b)).
 */
export function fitSigmoid(f: ArrayLike<number>, y: ArrayLike<number>): SigmoidParameters {
  const n = f.length;
  let negatives = 0;
  for (let i = 0; i < n; i++) if (y[i] <= 0) negatives++;
  const positives = n - negatives;
  const targetPositive = (positives + 1) / (positives + 2);
  const targetNegative = 1 / (negatives + 2);
  const target = new Float64Array(n);
  for (let i = 0; i < n; i++) target[i] = y[i] > 0 ? targetPositive : targetNegative;

  // loss(z) = T·log(1 + e^z) + (1 − T)·log(1 + e^−z) = log(1 + e^z) − (1 − T)·z, with z = a·f + b.
  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * f[i] + b;
      sum += log1pExp(z) - (1 - target[i]) * z;
    }
    return sum;
  };

  let a = 0;
  let b = Math.log((negatives + 1) / (positives + 1));
  let current = loss(a, b);
  const hessian = new Float64Array(4);
  const gradient = new Float64Array(2);
  for (let iteration = 0; iteration < 200; iteration++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      const fi = f[i];
      const p = sigmoid(-(a * fi + b)); // the model's P(y = 1)
      const residual = target[i] - p; // ∂loss/∂z
      const weight = p * (1 - p); // ∂²loss/∂z²
      gradient[0] += residual * fi;
      gradient[1] += residual;
      hessian[0] += weight * fi * fi;
      hessian[1] += weight * fi;
      hessian[3] += weight;
    }
    hessian[2] = hessian[1];
    if (Math.max(Math.abs(gradient[0]), Math.abs(gradient[1])) <= 1e-12 * Math.max(1, n)) break;
    const step = solveSymmetric(hessian, gradient, 2);
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++) {
      const na = a - t * step[0];
      const nb = b - t * step[1];
      const candidate = loss(na, nb);
      // Near the minimum the loss changes by less than its rounding error; accept those steps.
      if (candidate <= current + 1e-13 * Math.abs(current)) {
        a = na;
        b = nb;
        current = candidate;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
    if (Math.abs(t * step[0]) <= 1e-15 * (1 + Math.abs(a)) && Math.abs(t * step[1]) <= 1e-15 * (1 + Math.abs(b))) break;
  }
  return { a, b };
}

/** Options of {@link fitPlatt}. */
export interface PlattOptions {
  /**
   * What the sigmoid takes as input: 'logit' (log-odds of the probability, the default: the
   * sigmoid family then contains the identity map, a = −1, b = 0) or 'probability' (the raw
   * probability, as scikit-learn's CalibratedClassifierCV does for a model without decision_function).
   */
  input?: 'logit' | 'probability';
}

/**
 * Fits Platt scaling on held-out predictions.
 * Binary (k = 2): one sigmoid on P(class 1). Multiclass: one sigmoid per class, one-vs-rest,
 * outputs renormalised per row when applied (as scikit-learn's CalibratedClassifierCV).
 * @param scores P(class 1) (k = 2, length n) or n×k row-major probabilities.
 * @param yTrue 0/1 labels (k = 2) or class indices 0..k-1, length n ≥ 1.
 * @throws UserError on empty input, NaN, bad labels or shapes.
 */
export function fitPlatt(scores: ArrayLike<number>, yTrue: ArrayLike<number>, k: number, options: PlattOptions = {}): PlattCalibrator {
  const binary = assertFitInputs(scores, yTrue, k);
  const input = options.input ?? 'logit';
  const transform = input === 'logit' ? logit : (p: number) => p;
  const a: number[] = [];
  const b: number[] = [];
  const classes = binary ? [1] : Array.from({ length: k }, (_, c) => c);
  for (const c of classes) {
    const column = binary ? { probabilities: scores, outcomes: yTrue } : oneVsRestColumn(scores, yTrue, k, c);
    const f = Float64Array.from(column.probabilities, transform);
    const fitted = fitSigmoid(f, column.outcomes);
    a.push(fitted.a);
    b.push(fitted.b);
  }
  return { method: 'platt', params: { k, input, a, b } };
}
