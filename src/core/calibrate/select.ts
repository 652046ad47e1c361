/**
 * Choosing a calibrator on held-out predictions by cross-validation.
 *
 * Each candidate method is fitted on k − 1 stratified folds of the calibration set and applied
 * to the remaining fold; the pooled out-of-fold predictions give honest ECE, Brier score and
 * log loss to compare with the raw predictions. A candidate "helps" only when
 * - its ECE is lower than the raw ECE by more than `margin` (relative, default 5%), and
 * - its Brier score is not higher than the raw Brier score.
 * The Brier condition guards against calibrators that buy a low binned ECE by flattening the
 * predictions (forecasting the base rate has ECE ≈ 0 and no resolution). Among the candidates
 * that help, the lowest Brier score wins (a proper scoring rule, free of ECE's binning noise);
 * when none helps the raw probabilities are kept ('none'). The chosen method is then refitted
 * on the whole calibration set.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { UserError, throwIfAborted } from '../util/errors';
import { createRng, shuffleInPlace } from '../util/random';
import { expectedCalibrationError, DEFAULT_CALIBRATION_BINS } from '../evaluate/calibrationError';
import {
  binaryBrierUnchecked,
  binaryLogLossUnchecked,
  multiclassBrierUnchecked,
  multiclassLogLossUnchecked,
} from '../evaluate/metrics';
import { applyCalibrator } from './apply';
import { fitHistogramBinning } from './histogram';
import { fitIsotonic } from './isotonic';
import { fitPlatt } from './platt';
import { assertFitInputs } from './shared';
import { fitTemperature, fitVectorScaling } from './temperature';
import type { CalibrationMethod, Calibrator } from './types';

/** Isotonic regression is only considered automatically from this many calibration examples (it overfits below). */
export const MIN_ISOTONIC_SAMPLES = 1000;

/** Options of {@link selectCalibrator}. */
export interface SelectCalibratorOptions {
  /**
   * 'auto' (default) compares the methods that suit the task and data size; a named method is
   * evaluated alone and still only accepted when it helps (see the file doc); 'none' returns the
   * identity calibrator with the raw scores measured. To apply a method unconditionally, call
   * its fit function (fitPlatt, fitIsotonic, …) directly.
   */
  method?: 'auto' | CalibrationMethod;
  /** Smallest relative ECE improvement that counts, e.g. 0.05 = ECE must fall by more than 5%. Default 0.05. */
  margin?: number;
  /** Seed of the fold assignment. Default 0. */
  seed?: number;
  /** Number of cross-validation folds, ≥ 2. Default 5. */
  folds?: number;
  /** Equal-width bins of the ECE. Default 15. */
  bins?: number;
  /** Cancels the search between fits (throws CancelledError). */
  signal?: AbortSignal;
}

/** Calibration quality of a set of probabilities. */
export interface CalibrationScores {
  /** Top-label expected calibration error (equal-width bins). */
  ece: number;
  /** Binary: mean (p − y)²; multiclass: mean Σ_c (p_c − 1[y = c])². */
  brier: number;
  /** Mean cross-entropy (natural log). */
  logLoss: number;
}

/** One method considered by {@link selectCalibrator}. */
export interface CalibrationCandidate {
  method: Exclude<CalibrationMethod, 'none'>;
  /** accepted: helps (and may or may not be the one chosen); rejected: evaluated, does not help; skipped: not evaluated. */
  status: 'accepted' | 'rejected' | 'skipped';
  /** The raw predictions' scores (same for every candidate). */
  before: CalibrationScores;
  /** Cross-validated scores after calibration; absent when skipped. */
  after?: CalibrationScores;
  /** (ECE before − ECE after) / ECE before; absent when skipped. */
  eceImprovement?: number;
  /** Why it was accepted, rejected or skipped. */
  reason: string;
}

/** Result of {@link selectCalibrator}. */
export interface CalibrationSelection {
  /** The chosen method ('none' when no candidate helps). */
  method: CalibrationMethod;
  /** The chosen calibrator refitted on all calibration examples (identity for 'none'). */
  calibrator: Calibrator;
  /** One sentence on why this method was chosen. */
  reason: string;
  /** Scores of the raw predictions. */
  before: CalibrationScores;
  /** Cross-validated scores of the chosen method (equal to before for 'none'). */
  after: CalibrationScores;
  candidates: CalibrationCandidate[];
  /** Things the user should know (e.g. isotonic requested on a small set). */
  warnings: string[];
  n: number;
  folds: number;
  margin: number;
  bins: number;
  seed: number;
}

/**
 * Chooses and fits a calibrator for held-out predictions (see the file doc for the rule).
 * Candidates under 'auto': binary — platt, isotonic (from 1,000 examples), temperature;
 * multiclass — temperature, vector, platt, isotonic (from 1,000 examples).
 * @param scores P(class 1) (k = 2, length n) or n×k row-major probabilities of a held-out set
 *   (never the training set: calibrators fitted there learn the model's over-confidence on data it memorised).
 * @param yTrue 0/1 labels (k = 2) or class indices 0..k-1, length n.
 * @throws UserError when fewer than 2 examples per fold are available, when yTrue holds a single
 *   class, on bad options, or on invalid inputs; CancelledError when the signal aborts.
 */
export function selectCalibrator(
  scores: ArrayLike<number>,
  yTrue: ArrayLike<number>,
  k: number,
  options: SelectCalibratorOptions = {},
): CalibrationSelection {
  const binary = assertFitInputs(scores, yTrue, k);
  const method = options.method ?? 'auto';
  const margin = options.margin ?? 0.05;
  const seed = options.seed ?? 0;
  const folds = options.folds ?? 5;
  const bins = options.bins ?? DEFAULT_CALIBRATION_BINS;
  const n = yTrue.length;
  if (!Number.isFinite(margin)) throw new UserError(`The calibration margin is ${margin}: give a finite number such as 0.05.`);
  if (!Number.isInteger(folds) || folds < 2) throw new UserError(`The number of calibration folds is ${folds}: it must be an integer of at least 2.`);
  const classCounts = new Float64Array(k);
  for (let i = 0; i < n; i++) classCounts[yTrue[i]]++;
  const classesPresent = classCounts.filter((count) => count > 0).length;
  if (classesPresent < 2) {
    throw new UserError('Calibration needs examples of at least two classes in the held-out set; only one class is present.');
  }
  if (n < 2 * folds) {
    throw new UserError(`Calibration with ${folds}-fold cross-validation needs at least ${2 * folds} held-out examples, but ${n} were given: collect more labelled data or lower the number of folds.`);
  }

  const before = calibrationScores(scores, yTrue, k, binary, bins);
  const base = { before, n, folds, margin, bins, seed };
  const identity: Calibrator = { method: 'none', params: { k } };
  if (method === 'none') {
    return { ...base, method: 'none', calibrator: identity, reason: 'Calibration is turned off (method none).', after: before, candidates: [], warnings: [] };
  }

  const warnings: string[] = [];
  const candidateMethods: Exclude<CalibrationMethod, 'none'>[] =
    method === 'auto' ? (binary ? ['platt', 'isotonic', 'temperature'] : ['temperature', 'vector', 'platt', 'isotonic']) : [method];
  if (method === 'vector' && binary) {
    throw new UserError("Vector scaling is for three or more classes; for two classes use 'platt', which is the same model.");
  }
  if (method === 'isotonic' && n < MIN_ISOTONIC_SAMPLES) {
    warnings.push(`Isotonic regression was requested with ${n} calibration examples; below ${MIN_ISOTONIC_SAMPLES} it tends to overfit, and 'auto' would not consider it.`);
  }

  const foldOf = stratifiedFolds(yTrue, k, folds, seed);
  const candidates: CalibrationCandidate[] = [];
  for (const candidate of candidateMethods) {
    throwIfAborted(options.signal);
    if (method === 'auto' && candidate === 'isotonic' && n < MIN_ISOTONIC_SAMPLES) {
      candidates.push({
        method: candidate,
        status: 'skipped',
        before,
        reason: `only ${n} calibration examples; isotonic regression is considered from ${MIN_ISOTONIC_SAMPLES}`,
      });
      continue;
    }
    const outOfFold = crossValidatedPredictions(candidate, scores, yTrue, k, binary, foldOf, folds, options.signal);
    const after = calibrationScores(outOfFold, yTrue, k, binary, bins);
    const eceImprovement = before.ece > 0 ? (before.ece - after.ece) / before.ece : 0;
    const helpsEce = eceImprovement > margin;
    const keepsBrier = after.brier <= before.brier;
    const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
    let reason: string;
    if (!helpsEce) {
      reason = `ECE ${fmt(before.ece)} → ${fmt(after.ece)} (${percent(eceImprovement)}), not more than the ${percent(margin)} margin`;
    } else if (!keepsBrier) {
      reason = `ECE improves ${percent(eceImprovement)} but the Brier score rises ${fmt(before.brier)} → ${fmt(after.brier)}`;
    } else {
      reason = `ECE ${fmt(before.ece)} → ${fmt(after.ece)} (${percent(eceImprovement)}) and Brier ${fmt(before.brier)} → ${fmt(after.brier)}`;
    }
    candidates.push({ method: candidate, status: helpsEce && keepsBrier ? 'accepted' : 'rejected', before, after, eceImprovement, reason });
  }

  const accepted = candidates.filter((c) => c.status === 'accepted');
  if (accepted.length === 0) {
    const evaluated = candidates.filter((c) => c.after !== undefined);
    const best = evaluated.reduce<CalibrationCandidate | undefined>((b, c) => (b === undefined || c.after!.ece < b.after!.ece ? c : b), undefined);
    const reason =
      `No calibrator helps: none lowered the cross-validated ECE by more than ${(100 * margin).toFixed(1)}% without raising the Brier score` +
      (best ? ` (best: ${best.method}, ${best.reason}).` : '.') +
      ' The raw probabilities are kept.';
    return { ...base, method: 'none', calibrator: identity, reason, after: before, candidates, warnings };
  }
  // Lowest Brier wins; ties go to lower ECE, then to the earlier (simpler) candidate.
  const chosen = accepted.reduce((b, c) =>
    c.after!.brier < b.after!.brier || (c.after!.brier === b.after!.brier && c.after!.ece < b.after!.ece) ? c : b,
  );
  throwIfAborted(options.signal);
  const calibrator = fitMethod(chosen.method, scores, yTrue, k);
  const others = accepted.length > 1 ? `; lowest cross-validated Brier score of the ${accepted.length} methods that help` : '';
  return {
    ...base,
    method: chosen.method,
    calibrator,
    reason: `${chosen.method}: ${chosen.reason}${others}.`,
    after: chosen.after!,
    candidates,
    warnings,
  };
}

function fmt(v: number): string {
  return v.toPrecision(4);
}

/** Fits one method on all given examples. */
export function fitMethod(
  method: Exclude<CalibrationMethod, 'none'>,
  scores: ArrayLike<number>,
  yTrue: ArrayLike<number>,
  k: number,
): Calibrator {
  switch (method) {
    case 'platt':
      return fitPlatt(scores, yTrue, k);
    case 'isotonic':
      return fitIsotonic(scores, yTrue, k);
    case 'temperature':
      return fitTemperature(scores, yTrue, k);
    case 'vector':
      return fitVectorScaling(scores, yTrue, k);
    case 'histogram':
      return fitHistogramBinning(scores, yTrue, k);
  }
}

/** ECE, Brier and log loss of probabilities in either layout (inputs already validated). */
function calibrationScores(scores: ArrayLike<number>, yTrue: ArrayLike<number>, k: number, binary: boolean, bins: number): CalibrationScores {
  return {
    ece: expectedCalibrationError(yTrue, scores, k, { bins }),
    brier: binary ? binaryBrierUnchecked(yTrue, scores) : multiclassBrierUnchecked(yTrue, scores, k),
    logLoss: binary ? binaryLogLossUnchecked(yTrue, scores) : multiclassLogLossUnchecked(yTrue, scores, k),
  };
}

/**
 * Fold index (0..folds-1) of each example, stratified by class: each class's examples are
 * shuffled with the seeded generator and dealt round-robin, continuing the rotation from one
 * class to the next so fold sizes differ by at most one.
 */
export function stratifiedFolds(yTrue: ArrayLike<number>, k: number, folds: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const n = yTrue.length;
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) byClass[yTrue[i]].push(i);
  const foldOf = new Int32Array(n);
  let next = 0;
  for (const members of byClass) {
    shuffleInPlace(members, rng);
    for (const i of members) {
      foldOf[i] = next;
      next = (next + 1) % folds;
    }
  }
  return foldOf;
}

function crossValidatedPredictions(
  method: Exclude<CalibrationMethod, 'none'>,
  scores: ArrayLike<number>,
  yTrue: ArrayLike<number>,
  k: number,
  binary: boolean,
  foldOf: Int32Array,
  folds: number,
  signal: AbortSignal | undefined,
): Float64Array {
  const n = yTrue.length;
  const width = binary ? 1 : k;
  const outOfFold = new Float64Array(scores.length);
  for (let f = 0; f < folds; f++) {
    throwIfAborted(signal);
    let testCount = 0;
    for (let i = 0; i < n; i++) if (foldOf[i] === f) testCount++;
    const trainScores = new Float64Array((n - testCount) * width);
    const trainLabels = new Int32Array(n - testCount);
    const testScores = new Float64Array(testCount * width);
    const testIndex = new Int32Array(testCount);
    let tr = 0;
    let te = 0;
    for (let i = 0; i < n; i++) {
      if (foldOf[i] === f) {
        for (let c = 0; c < width; c++) testScores[te * width + c] = scores[i * width + c];
        testIndex[te++] = i;
      } else {
        for (let c = 0; c < width; c++) trainScores[tr * width + c] = scores[i * width + c];
        trainLabels[tr++] = yTrue[i];
      }
    }
    const calibrated = applyCalibrator(fitMethod(method, trainScores, trainLabels, k), testScores, k);
    for (let j = 0; j < testCount; j++) {
      for (let c = 0; c < width; c++) outOfFold[testIndex[j] * width + c] = calibrated[j * width + c];
    }
  }
  return outOfFold;
}
