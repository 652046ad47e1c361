/**
 * The last check before a trained model is saved as completed: that it can be loaded and
 * that it predicts numbers. A pipeline whose statistics are not finite is refused by the
 * loader (pipeline.json would hold `null`), and a model that outputs NaN for rows of its own
 * data would print "NaN%" to every app that uses it; either way the run must fail with a
 * reason instead of leaving a bundle that looks fine and is not.
 *
 * PURE: no node built-ins.
 */
import type { LabelMap } from '../data/labels';
import { pipelineFromJson, type FittedPipeline } from '../data/pipeline';
import { UserError } from '../util/errors';
import type { Prediction } from './predict';

/** Rows of one held-out split, encoded, with where each came from (for the message). */
export interface HeldOutRows {
  name: string;
  x: Float32Array;
  n: number;
  /** 'data/x.csv:17' for row i, when known. */
  where?: (row: number) => string | undefined;
}

/** 'data/x.csv:17' for an example read from a file, its source alone otherwise. */
export function exampleSource(e: { source: string; sourceLine: number | null }): string {
  return e.sourceLine ? `${e.source}:${e.sourceLine}` : e.source;
}

/**
 * Throws a UserError when the model could not be used: the fitted pipeline does not survive
 * a JSON round trip as the loader reads it; a regression target scale is not finite; or
 * `score` gives a non-finite output for some row of `splits` (validation and test rows: rows
 * the model must be able to answer). The message names the count, the first such row and
 * what to do. Returns normally otherwise.
 * @param score the model's outputs (n × outputs) for encoded rows.
 */
export function assertUsableModel(pipeline: FittedPipeline, labels: LabelMap, score: (x: Float32Array, n: number) => ArrayLike<number>, splits: HeldOutRows[]): void {
  try {
    pipelineFromJson(JSON.parse(JSON.stringify(pipeline)) as unknown);
  } catch (e) {
    throw new UserError(
      `The trained model cannot be saved: its feature pipeline is not usable (${(e as Error).message.replace(/^Not a fitted feature pipeline: /, '')}). ` +
        'A numeric feature probably holds values too large for its statistics; fix those rows and import them again.',
    );
  }
  const target = labels.target;
  if (target && !(Number.isFinite(target.center) && Number.isFinite(target.scale) && target.scale > 0)) {
    throw new UserError('The trained model cannot be saved: the regression labels are too large to scale (their mean or spread is not a finite number). Rescale the label and import again.');
  }
  for (const split of splits) {
    if (split.n === 0) continue;
    const outputs = score(split.x, split.n);
    const width = outputs.length / split.n;
    let bad = 0;
    let first = -1;
    for (let r = 0; r < split.n; r++) {
      for (let c = 0; c < width; c++) {
        if (!Number.isFinite(outputs[r * width + c])) {
          if (first < 0) first = r;
          bad++;
          break;
        }
      }
    }
    if (bad > 0) {
      const where = split.where?.(first);
      throw new UserError(
        `The trained model does not give a number for ${bad} of ${split.n} ${split.name} row${split.n === 1 ? '' : 's'} ` +
          `(the first is ${where ?? `row ${first + 1}`}), so it is not saved. A value there is probably far outside the range ` +
          'of the training rows: fix or remove such rows, or use transform: log1p for a feature with huge values, and train again.',
      );
    }
  }
}

/**
 * Why a prediction cannot be shown, or undefined when it is all numbers: a regression value,
 * a confidence or a class probability that is NaN or ±Infinity (the record's values are far
 * outside what the model was trained on, and its arithmetic overflowed). Callers answer such
 * a record with an error instead of "NaN%".
 */
export function unusablePrediction(p: Prediction): string | undefined {
  const numbers = 'value' in p ? [p.value] : [p.confidence, ...Object.values(p.probabilities)];
  if (numbers.every(Number.isFinite)) return undefined;
  return "the model's output for this record is not a number: a value in it is probably far outside the range of the training data";
}
