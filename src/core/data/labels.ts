/**
 * The label map: which class name each output index of a classifier stands for.
 * Saved in the bundle so predictions can be turned back into class names.
 *
 * PURE: no node built-ins; the browser runtime uses this file.
 */
import type { Task } from '../project/types';
import { UserError } from '../util/errors';
import { describeValue, numberRangeProblem, parseNumber } from './values';

/**
 * `classes` are the distinct labels seen in training, as strings, sorted ascending by
 * UTF-16 code units (the order scikit-learn's LabelEncoder gives for string labels, so
 * '10' < '2'). Class i is output index i. Binary: the positive class is classes[1] (the
 * probability a binary model outputs is P(classes[1])). Regression: classes = [].
 */
export interface LabelMap {
  task: Task;
  classes: string[];
  /**
   * Regression only: the model learns (y − center) / scale, with center and scale the mean
   * and standard deviation of the training labels, so a target in the thousands trains as
   * well as one near 1. Outputs are mapped back with y = output · scale + center
   * ({@link unscaleTargets}). Absent for classification (and in bundles made before it existed).
   */
  target?: { center: number; scale: number };
}

/**
 * Center and scale for regression targets: mean and population standard deviation of the
 * training labels (scale 1 when they are all equal or there are none).
 */
export function fitTargetScale(y: ArrayLike<number>): { center: number; scale: number } {
  const n = y.length;
  if (n === 0) return { center: 0, scale: 1 };
  // Sums over y / 2^k (k from the largest |y|): exact for ordinary labels, and finite for
  // any finite labels, where a plain sum of squares of 1e200 is Infinity.
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(y[i]));
  const unit = largest > 1 && Number.isFinite(largest) ? 2 ** Math.min(1023, Math.ceil(Math.log2(largest))) : 1;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / unit;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] / unit - mean) ** 2;
  const std = Math.sqrt(ss / n) * unit;
  const center = mean * unit;
  return { center: Number.isFinite(center) ? center : 0, scale: std > 0 && Number.isFinite(std) ? std : 1 };
}

/** Targets as the model learns them: (y − center) / scale; a copy, or `y` itself without a target scale. */
export function scaleTargets(map: LabelMap, y: Float32Array): Float32Array {
  const t = map.target;
  if (!t) return y;
  return Float32Array.from(y, (v) => (v - t.center) / t.scale);
}

/** Model outputs back in label units: output · scale + center, in place; no-op without a target scale. */
export function unscaleTargets(map: Pick<LabelMap, 'target'>, outputs: Float32Array): Float32Array {
  const t = map.target;
  if (!t) return outputs;
  for (let i = 0; i < outputs.length; i++) outputs[i] = outputs[i] * t.scale + t.center;
  return outputs;
}

/** The string a classification label is known by: strings trimmed, 1 → '1', true → 'true'. */
export function classLabelText(label: string | number | boolean): string {
  return typeof label === 'string' ? label.trim() : String(label);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * When every class is a number and they look like measurements rather than codes (some
 * are not whole numbers, or there are more than 20), a phrase saying so for an error
 * message; undefined otherwise.
 */
function continuousLabelHint(classes: string[], counts: Map<string, number>): string | undefined {
  const values = classes.map((c) => parseNumber(c));
  if (values.some((v) => v === undefined)) return undefined;
  const whole = (values as number[]).every(Number.isInteger);
  if (whole && classes.length <= 20) return undefined;
  const once = classes.filter((c) => counts.get(c) === 1).length;
  const examples = classes.slice(0, 3).join(', ');
  return (
    `the label looks like a continuous number: ${classes.length} distinct values (such as ${examples})` +
    (once > 0 ? `, ${once} of them seen only once` : '')
  );
}

/**
 * Builds the label map for a task from the training labels.
 * @throws UserError when a binary task does not see exactly 2 classes, or a multiclass task
 *   sees fewer than 3 (each message suggests the other task), when the labels are numbers
 *   that look continuous (not whole, or more than 20 distinct) and some value is seen only
 *   once (the message suggests task: regression), or when there are no labels.
 */
export function fitLabelMap(task: Task, labels: ReadonlyArray<string | number>): LabelMap {
  if (task === 'regression') return { task, classes: [] };
  if (labels.length === 0) throw new UserError('There are no labelled examples to learn classes from.');
  const counts = new Map<string, number>();
  for (const label of labels) {
    const text = classLabelText(label);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const classes = [...counts.keys()].sort(compareCodeUnits);
  const shown = classes.slice(0, 10).map((c) => `'${c}'`).join(', ') + (classes.length > 10 ? ', …' : '');
  if (classes.length < 2) {
    throw new UserError(`The label has a single class (${shown}); a classifier needs examples of at least two classes.`);
  }
  const continuous = continuousLabelHint(classes, counts);
  if (task === 'binary' && classes.length !== 2) {
    throw new UserError(
      continuous
        ? `task is 'binary' but ${continuous}; set task: regression in mlloop.yaml to predict the number.`
        : `task is 'binary' but the label has ${classes.length} classes (${shown}); set task: multiclass in mlloop.yaml.`,
    );
  }
  if (task === 'multiclass' && continuous !== undefined && classes.some((c) => (counts.get(c) ?? 0) < 2)) {
    throw new UserError(
      `task is 'multiclass' but ${continuous}; set task: regression in mlloop.yaml to predict the number ` +
        '(multiclass needs a few classes with several examples each).',
    );
  }
  if (task === 'multiclass' && classes.length < 3) {
    throw new UserError(`task is 'multiclass' but the label has only 2 classes (${shown}); set task: binary in mlloop.yaml.`);
  }
  return { task, classes };
}

/**
 * Labels as model targets: the class index (0 … classes.length-1) for classification, the
 * value itself for regression (numbers, or strings holding plain decimal numbers).
 * @throws UserError naming a class that is not in the map, or a regression label that is
 *   not a number.
 */
export function encodeLabels(map: LabelMap, labels: ReadonlyArray<string | number>): Float32Array {
  const out = new Float32Array(labels.length);
  if (map.task === 'regression') {
    for (let i = 0; i < labels.length; i++) {
      const value = parseNumber(labels[i]);
      if (value === undefined) throw new UserError(`Label ${describeValue(labels[i])} is not a number; a regression label must be numeric.`);
      const range = numberRangeProblem(value);
      if (range !== undefined) throw new UserError(`Label ${range}. Remove the example or rescale the label, then import again.`);
      out[i] = value;
    }
    return out;
  }
  const indexOf = new Map<string, number>();
  map.classes.forEach((name, i) => indexOf.set(name, i));
  for (let i = 0; i < labels.length; i++) {
    const index = indexOf.get(classLabelText(labels[i]));
    if (index === undefined) {
      throw new UserError(
        `Class '${classLabelText(labels[i])}' was not seen when the model was trained (known classes: ${map.classes.join(', ')}); retrain with examples of it.`,
      );
    }
    out[i] = index;
  }
  return out;
}

/** The class name for an output index; throws a RangeError for an index outside the map. */
export function decodeClass(map: LabelMap, index: number): string {
  const name = map.classes[index];
  if (name === undefined) throw new RangeError(`Class index ${index} is outside 0..${map.classes.length - 1}`);
  return name;
}
