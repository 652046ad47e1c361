/**
 * From stored examples to the arrays a model trains and is tested on. The same function
 * gives the training job its splits and `evaluate` the run's test split back: the split is
 * a pure function of (examples up to the run's last example id, seed, fractions).
 */
import { encodeLabels, fitLabelMap, type LabelMap } from '../data/labels';
import { splitIndices } from '../data/split';
import type { ProjectConfig } from '../project/types';
import type { Label, StoredExample } from '../store/types';
import { UserError } from '../util/errors';

export interface SplitExamples {
  examples: StoredExample[];
  labels: LabelMap;
  /** Encoded targets for all examples (class index or value). */
  y: Float32Array;
  split: { train: Int32Array; validation: Int32Array; test: Int32Array };
  maxExampleId: number;
}

/** Fewest examples a training run accepts (below this, every split is too small to mean anything). */
export const MIN_EXAMPLES = 20;

/**
 * Splits stored examples into train / validation / test as the project says.
 * @param examples in id order; pass those with id ≤ a run's maxExampleId to reproduce its split.
 * @throws UserError when there are too few examples, or the labels do not fit the task.
 */
export function splitExamples(config: ProjectConfig, examples: StoredExample[]): SplitExamples {
  if (examples.length < MIN_EXAMPLES) {
    throw new UserError(
      `Only ${examples.length} example${examples.length === 1 ? '' : 's'} in the store; training needs at least ${MIN_EXAMPLES}. Import data with \`mlloop import FILE\`.`,
    );
  }
  const rawLabels: Label[] = examples.map((e) => e.label);
  const labels = fitLabelMap(config.task, rawLabels);
  const y = encodeLabels(labels, rawLabels);
  const split = splitIndices(rawLabels, {
    testFraction: config.training.testSplit,
    validationFraction: config.training.validationSplit,
    seed: config.training.seed,
    stratify: config.task !== 'regression',
  });
  return { examples, labels, y, split, maxExampleId: examples.length ? examples[examples.length - 1].id : 0 };
}

/** Gathers rows/targets/weights of a split. */
export function pick(s: SplitExamples, idx: Int32Array): { records: Array<Record<string, unknown>>; y: Float32Array; weights?: Float32Array } {
  const records = new Array<Record<string, unknown>>(idx.length);
  const y = new Float32Array(idx.length);
  let weights: Float32Array | undefined;
  for (let i = 0; i < idx.length; i++) {
    const ex = s.examples[idx[i]];
    records[i] = ex.record;
    y[i] = s.y[idx[i]];
    if (ex.weight !== null) {
      weights ??= new Float32Array(idx.length).fill(1);
      weights[i] = ex.weight;
    }
  }
  return { records, y, ...(weights ? { weights } : {}) };
}
