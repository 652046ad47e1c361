/**
 * Checks one incoming record against the project config before it is stored, so a bad
 * value is reported at import (with its line) rather than surfacing as NaN in training.
 *
 * PURE: no node built-ins.
 */
import type { ProjectConfig } from '../project/types';
import { classLabelText } from './labels';
import { booleanSpellings, describeValue, isMissing, isScalar, parseBoolean, parseNumber } from './values';

export type RecordCheck = { ok: true; label: string | number; weight?: number } | { ok: false; reason: string };

/**
 * The first feature value in `record` that the pipeline could not read (a numeric feature
 * that is not a number, a boolean that is not a boolean spelling, an object where a single
 * value belongs), as a reason naming the feature; undefined when all are readable. Missing
 * values are fine (the pipeline imputes them). Used at import and at prediction time.
 */
export function featureProblem(record: Record<string, unknown>, features: ReadonlyArray<{ name: string; type: string }>): string | undefined {
  for (const feature of features) {
    const value = record[feature.name];
    if (isMissing(value)) continue;
    switch (feature.type) {
      case 'numeric':
        if (parseNumber(value) === undefined) return `feature '${feature.name}': ${describeValue(value)} is not a number`;
        break;
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
 * Validates a record and extracts its label (and weight when configured).
 *
 * - label missing or empty → "missing label 'species'"; a non-scalar label (object/array)
 *   is rejected. Classification labels come back as strings (JSON true → 'true', 1 → '1',
 *   strings trimmed); regression labels as numbers (numeric strings are accepted).
 * - numeric feature present but not a finite number → "feature 'age': 'abc' is not a number".
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
  const rawLabel = record[config.label];
  if (isMissing(rawLabel)) return { ok: false, reason: `missing label '${config.label}'` };
  if (!isScalar(rawLabel)) return { ok: false, reason: `label '${config.label}': ${describeValue(rawLabel)} is not a single value` };
  let label: string | number;
  if (config.task === 'regression') {
    const value = parseNumber(rawLabel);
    if (value === undefined) {
      return { ok: false, reason: `label '${config.label}': ${describeValue(rawLabel)} is not a number (task is regression)` };
    }
    label = value;
  } else {
    label = classLabelText(rawLabel);
  }

  const problem = featureProblem(record, config.features);
  if (problem) return { ok: false, reason: problem };

  if (config.weight === undefined) return { ok: true, label };
  const rawWeight = record[config.weight];
  if (isMissing(rawWeight)) return { ok: true, label };
  const weight = parseNumber(rawWeight);
  if (weight === undefined || weight < 0) {
    return { ok: false, reason: `weight '${config.weight}': ${describeValue(rawWeight)} is not a number ≥ 0` };
  }
  return { ok: true, label, weight };
}
