/**
 * Checks one incoming record against the project config before it is stored, so a bad
 * value is reported at import (with its line) rather than surfacing as NaN in training.
 *
 * PURE: no node built-ins.
 */
import type { ProjectConfig } from '../project/types';
import { closestName } from '../util/suggest';
import { classLabelText } from './labels';
import { booleanSpellings, describeValue, fieldValue, isMissing, isScalar, numberRangeProblem, parseBoolean, parseNumber } from './values';

export type RecordCheck = { ok: true; label: string | number; weight?: number } | { ok: false; reason: string };

/**
 * The first feature value in `record` that the pipeline could not read (a numeric feature
 * that is not a number, a boolean that is not a boolean spelling, an object where a single
 * value belongs, a number beyond the 32-bit float range), as a reason naming the feature;
 * undefined when all are readable. Missing
 * values are fine (the pipeline imputes them). Used at import and at prediction time.
 */
export function featureProblem(record: Record<string, unknown>, features: ReadonlyArray<{ name: string; type: string }>): string | undefined {
  for (const feature of features) {
    const value = fieldValue(record, feature.name);
    if (isMissing(value)) continue;
    switch (feature.type) {
      case 'numeric': {
        const number = parseNumber(value);
        if (number === undefined) return `feature '${feature.name}': ${describeValue(value)} is not a number`;
        const range = numberRangeProblem(number);
        if (range !== undefined) return `feature '${feature.name}': ${range}`;
        break;
      }
      case 'boolean':
        if (parseBoolean(value) === undefined) return `feature '${feature.name}': ${describeValue(value)} is not a boolean (use ${booleanSpellings})`;
        break;
      case 'categorical':
      case 'text':
        if (!isScalar(value)) return `feature '${feature.name}': ${describeValue(value)} is not a single value`;
        break;
    }
  }
  return undefined;
}

/**
 * Why a record cannot be predicted, or undefined when it can: {@link featureProblem}, or no
 * feature of the model present at all. A record such as `{}`, or one whose keys are all
 * misspelled, would be answered from imputed values alone — a confident answer about nothing.
 * The reason lists the model's features and the record's keys (with "did you mean" when a
 * key is one typo away from a feature).
 */
export function predictionInputProblem(record: Record<string, unknown>, features: ReadonlyArray<{ name: string; type: string }>): string | undefined {
  const problem = featureProblem(record, features);
  if (problem !== undefined) return problem;
  if (features.length === 0 || features.some((f) => !isMissing(fieldValue(record, f.name)))) return undefined;
  const names = features.map((f) => f.name);
  const keys = Object.keys(record);
  const shownNames = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
  const shownKeys = keys.slice(0, 10).join(', ') + (keys.length > 10 ? ', …' : '');
  let typo = '';
  for (const key of keys) {
    const close = closestName(key, names);
    if (close !== undefined) {
      typo = ` Did you mean '${close}' for '${key}'?`;
      break;
    }
  }
  return `none of the model's features (${shownNames}) has a value in this record${keys.length ? ` (its keys: ${shownKeys})` : ' (it is empty)'}; nothing to predict from.${typo}`;
}

/**
 * Validates a record and extracts its label (and weight when configured).
 *
 * - label missing or empty → "missing label 'species'"; a non-scalar label (object/array)
 *   is rejected. Classification labels come back as strings (JSON true → 'true', 1 → '1',
 *   strings trimmed); regression labels as numbers (numeric strings are accepted).
 * - numeric feature present but not a finite number → "feature 'age': 'abc' is not a number";
 *   beyond ±3.4e38 (the 32-bit floats models compute in) → "feature 'age': 1e+308 is too large …".
 *   The same bound holds for regression labels and weights.
 * - boolean feature present but not one of true/false, yes/no, 1/0, t/f, y/n → reason.
 * - categorical/text feature holding an object or array → reason.
 * - weight (when `config.weight` is set): absent/empty → no weight (callers use 1); present
 *   but not a finite number ≥ 0 → reason.
 * Missing feature values are accepted: the pipeline imputes them.
 * Only the first problem found is reported (label, then features in config order, then weight).
 */
export function validateRecord(
  record: Record<string, unknown>,
  config: Pick<ProjectConfig, 'task' | 'label' | 'weight' | 'features'>,
): RecordCheck {
  const rawLabel = fieldValue(record, config.label);
  if (isMissing(rawLabel)) return { ok: false, reason: `missing label '${config.label}'` };
  if (!isScalar(rawLabel)) return { ok: false, reason: `label '${config.label}': ${describeValue(rawLabel)} is not a single value` };
  let label: string | number;
  if (config.task === 'regression') {
    const value = parseNumber(rawLabel);
    if (value === undefined) {
      return { ok: false, reason: `label '${config.label}': ${describeValue(rawLabel)} is not a number (task is regression)` };
    }
    const range = numberRangeProblem(value);
    if (range !== undefined) return { ok: false, reason: `label '${config.label}': ${range}` };
    label = value;
  } else {
    label = classLabelText(rawLabel);
  }

  const problem = featureProblem(record, config.features);
  if (problem) return { ok: false, reason: problem };

  if (config.weight === undefined) return { ok: true, label };
  const rawWeight = fieldValue(record, config.weight);
  if (isMissing(rawWeight)) return { ok: true, label };
  const weight = parseNumber(rawWeight);
  if (weight === undefined || weight < 0) {
    return { ok: false, reason: `weight '${config.weight}': ${describeValue(rawWeight)} is not a number ≥ 0` };
  }
  const range = numberRangeProblem(weight);
  if (range !== undefined) return { ok: false, reason: `weight '${config.weight}': ${range}` };
  return { ok: true, label, weight };
}
