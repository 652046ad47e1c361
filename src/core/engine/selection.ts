/**
 * What `model: auto` records with a run (RunDetails.selection): the candidates, their
 * validation scores and the choice. Types only, so the report and the run panel's page can
 * import them without the training code (./select.ts).
 */
import type { TrainableModel } from '../project/types';

/** One candidate of a selection, as recorded with the run. */
export interface SelectionCandidate {
  /** Short description, e.g. "logistic, C = 1" or "MLP [64, 32]". */
  label: string;
  kind: 'linear' | 'mlp';
  /** The settings, as an explicit model: key would write them (l2 for this run's n). */
  model: TrainableModel;
  /** C (classification) or alpha (regression) of a linear candidate. */
  strength?: number;
  /** Number of weights (kernels and biases). */
  parameters: number;
  /**
   * Lower is better. Classification: validation log loss after one temperature is fitted on
   * the validation rows (see the file doc); regression: validation MSE in label units.
   */
  score: number;
  /** Classification: the log loss before the temperature. */
  rawLogLoss?: number;
  /** Classification: the temperature fitted for the score. */
  temperature?: number;
  /** MLP: epochs run and the best epoch (whose weights were kept). Linear: L-BFGS iterations. */
  epochs?: number;
  bestEpoch?: number;
  iterations?: number;
  durationMs: number;
}

export interface ModelSelection {
  metric: 'log_loss' | 'mse';
  /** Where the scores come from: 'validation' rows, or 'training' rows when there were none. */
  scoredOn: 'validation' | 'training';
  rows: number;
  tolerance: number;
  candidates: SelectionCandidate[];
  /** Index into candidates. */
  chosen: number;
  /** Index of the best score (may differ from chosen on a tie). */
  best: number;
  /** One or two sentences: why this model. */
  reason: string;
  /** Candidate kinds left out, and why. */
  skipped: string[];
  refit: { done: boolean; reason: string; rows: number; epochs?: number };
}
