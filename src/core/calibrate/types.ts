/**
 * Calibrators as plain JSON-serialisable data: `{ method, params }`. A bundle stores one next to
 * the model; `applyCalibrator` (./apply.ts) turns raw probabilities into calibrated ones in the
 * extension, the CLI and the app runtime alike.
 *
 * Layout of per-class parameters: binary calibrators (k = 2, scores = P(class 1)) hold ONE entry
 * (for class 1; P(class 0) = 1 − P(class 1)); multiclass one-vs-rest calibrators hold k entries,
 * one per class, and their outputs are renormalised to sum to 1 per row.
 *
 * Pure module: no node built-ins, no tfjs.
 */

export type CalibrationMethod = 'none' | 'platt' | 'isotonic' | 'temperature' | 'vector' | 'histogram';

/** Leaves probabilities unchanged. */
export interface NoCalibrator {
  method: 'none';
  params: { k: number };
}

/**
 * Platt scaling: P = 1 / (1 + exp(a·f + b)) with f = logit(p) ('logit', the default) or f = p
 * ('probability', what scikit-learn's CalibratedClassifierCV feeds it for a model without
 * decision_function). A fitted a is usually negative.
 */
export interface PlattCalibrator {
  method: 'platt';
  params: { k: number; input: 'logit' | 'probability'; a: number[]; b: number[] };
}

/**
 * Isotonic regression of the outcome on the raw probability: a non-decreasing piecewise-linear
 * map through the points (x[c][j], y[c][j]) (x strictly increasing), constant outside
 * [x[c][0], x[c][last]] (scikit-learn's out_of_bounds='clip').
 */
export interface IsotonicCalibrator {
  method: 'isotonic';
  params: { k: number; x: number[][]; y: number[][] };
}

/**
 * Temperature scaling (Guo et al. 2017): softmax(log p / T) for multiclass, sigmoid(logit(p) / T)
 * for binary. T > 1 softens over-confident predictions. Does not change the predicted class.
 */
export interface TemperatureCalibrator {
  method: 'temperature';
  params: { k: number; temperature: number };
}

/** Vector scaling (Guo et al. 2017): softmax(scale ⊙ log p + bias), multiclass only; bias is centred to sum 0. */
export interface VectorScalingCalibrator {
  method: 'vector';
  params: { k: number; scale: number[]; bias: number[] };
}

/**
 * Histogram binning (Zadrozny & Elkan 2001): the raw probability's bin (edges[c], a bin holding
 * lower < p ≤ upper, p = 0 in the first) maps to values[c][bin], the fraction of positives the
 * bin held when fitted.
 */
export interface HistogramCalibrator {
  method: 'histogram';
  params: { k: number; edges: number[][]; values: number[][] };
}

export type Calibrator =
  | NoCalibrator
  | PlattCalibrator
  | IsotonicCalibrator
  | TemperatureCalibrator
  | VectorScalingCalibrator
  | HistogramCalibrator;
