/**
 * What an app does with a prediction when the model is unsure: the two policies the systems ML
 * Loop replaces ran in the app.
 *
 * - A threshold: a classification whose confidence (the probability of its label, calibrated
 *   when the bundle has a calibrator) is below it is not acted on; the app falls back to its
 *   own rules or to the system it had before. `mlloop serve` answers the same `cleared` /
 *   `fallback` flags, and monitoring reports the share below the threshold as the fallback rate.
 * - A blend: the model's probabilities mixed with a rule-based score, weighted by the model's
 *   confidence, so that a confident model decides and an unsure one leans on the rule.
 *
 * Pure functions over {@link Prediction}s: no bundle, no I/O, usable in a browser.
 */
import type { Prediction } from '../core/registry/predict';

/** The default confidence threshold (mlloop.yaml's `runtime.threshold` default). */
export const DEFAULT_THRESHOLD = 0.5;

export type Decision = Prediction & {
  /** The confidence the threshold was compared with; null for regression (no confidence). */
  confidence: number | null;
  /** The prediction may be acted on: classification with confidence ≥ threshold, or regression. */
  cleared: boolean;
  /** The app should use its fallback (= !cleared). */
  fallback: boolean;
  threshold: number;
};

/**
 * Whether a prediction clears a confidence threshold.
 * @param prediction from predictRecords.
 * @param threshold in [0, 1], default 0.5; 0 clears every prediction. A classification clears
 *   when its confidence is ≥ threshold. Regression has no confidence: it always clears.
 * @throws RangeError when the threshold is not a number in [0, 1].
 */
export function decide(prediction: Prediction, threshold: number = DEFAULT_THRESHOLD): Decision {
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be a number from 0 to 1 (got ${String(threshold)})`);
  }
  if ('value' in prediction) return { ...prediction, confidence: null, cleared: true, fallback: false, threshold };
  const cleared = prediction.confidence >= threshold;
  return { ...prediction, cleared, fallback: !cleared, threshold };
}

export interface BlendOptions {
  /**
   * The model's weight in [0, 1]. Default: the model's confidence (classification): at
   * confidence 0.9 the model counts 0.9 and the rule 0.1. Regression has no confidence: pass
   * a weight.
   */
  weight?: number;
}

export type Blended =
  | { label: string; score: number; probabilities: Record<string, number>; weight: number }
  | { value: number; weight: number };

/**
 * Mixes a prediction with a rule-based score: weight · model + (1 − weight) · rule.
 * @param prediction from predictRecords.
 * @param rule classification: a score in [0, 1] per label (labels left out score 0; a label the
 *   model does not know is kept with weight (1 − w)); regression: a number in the label's units.
 * @param opts.weight the model's weight, default its confidence (required for regression).
 * @returns classification: the blended score per label, the label with the highest one (ties:
 *   the model's label) and its score; regression: the blended value. Both with the weight used.
 * @throws RangeError for a rule or weight of the wrong kind or out of range (never NaN out).
 */
export function blend(prediction: Prediction, rule: Readonly<Record<string, number>> | number, opts: BlendOptions = {}): Blended {
  const w = opts.weight ?? ('confidence' in prediction ? prediction.confidence : undefined);
  if (w === undefined) throw new RangeError('blend: a regression prediction has no confidence; pass opts.weight (0 to 1)');
  if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw new RangeError(`blend: weight must be a number from 0 to 1 (got ${String(w)})`);
  if ('value' in prediction) {
    if (typeof rule !== 'number' || !Number.isFinite(rule)) throw new RangeError('blend: for a regression prediction the rule must be a finite number');
    return { value: w * prediction.value + (1 - w) * rule, weight: w };
  }
  if (typeof rule !== 'object' || rule === null) throw new RangeError('blend: for a classification the rule must be an object of scores per label');
  const scores = new Map<string, number>();
  for (const [label, p] of Object.entries(prediction.probabilities)) scores.set(label, w * p);
  for (const [label, r] of Object.entries(rule)) {
    if (typeof r !== 'number' || !(r >= 0 && r <= 1)) throw new RangeError(`blend: the rule's score for '${label}' must be a number from 0 to 1 (got ${String(r)})`);
    scores.set(label, (scores.get(label) ?? 0) + (1 - w) * r);
  }
  let label = prediction.label;
  let score = scores.get(label) ?? 0;
  for (const [l, s] of scores) {
    if (s > score) {
      label = l;
      score = s;
    }
  }
  return { label, score, probabilities: Object.fromEntries(scores), weight: w };
}
