/**
 * After a model is fitted: choose a calibrator on the validation rows, evaluate on the test
 * rows (metrics, intervals, curves, calibration error), and measure permutation importance.
 * The result is what a run records in `details` and what reports and panels draw.
 */
import { applyCalibrator } from '../calibrate/apply';
import { selectCalibrator, type CalibrationCandidate, type CalibrationScores } from '../calibrate/select';
import type { Calibrator } from '../calibrate/types';
import { evaluatePredictions, type EvaluationReport } from '../evaluate/report';
import { permutationImportance, type FeatureImportance } from '../explain/permutation';
import type { FeatureGroup } from '../explain/groups';
import type { CalibrationMethodName, ProjectConfig } from '../project/types';
import type { ReliabilityCurve } from '../evaluate/curves';
import { permutation, createRng } from '../util/random';
import type { ModelSelection } from '../engine/selection';
import { startComputeTask } from '../compute/thread';

export interface Rows {
  x: Float32Array;
  n: number;
  d: number;
  /** Class index or value per row. */
  y: Float32Array;
}

export interface CalibrationRecord {
  /** The method in use ('none' when no calibrator helped or calibration did not run). */
  method: string;
  reason: string;
  warnings: string[];
  /** On the validation rows, cross-validated (what the choice was made on). */
  selection: { n: number; folds: number; margin: number; before: CalibrationScores; after: CalibrationScores; candidates: CalibrationCandidate[] } | null;
  /** On the test rows, which the calibrator never saw. */
  test: { before: CalibrationScores; after: CalibrationScores; reliabilityBefore: ReliabilityCurve } | null;
}

export interface ImportanceRecord {
  metric: string;
  greaterIsBetter: boolean;
  baseline: number;
  repeats: number;
  seed: number;
  rows: number;
  importances: FeatureImportance[];
}

export interface Assessment {
  metrics: Record<string, number>;
  evaluation: EvaluationReport;
  calibration: CalibrationRecord;
  calibrator: Calibrator | null;
  importance: ImportanceRecord | null;
}

export interface AssessOptions {
  config: ProjectConfig;
  classes: string[];
  /** Raw (uncalibrated) model scores: n×outputs (binary P(class 1), multiclass probabilities, regression values). */
  score: (x: Float32Array, n: number) => Float32Array;
  validation: Rows;
  test: Rows;
  groups: FeatureGroup[];
  /** Override config.calibration.method (the calibrate command). */
  calibrationMethod?: CalibrationMethodName;
  /**
   * Fit no calibrator, for this reason (the model was trained on the validation rows, so
   * they are not held out any more).
   */
  noCalibrationReason?: string;
  /** Skip permutation importance (e.g. inside cross-validation folds). */
  skipImportance?: boolean;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/**
 * Fewest validation rows a calibrator is fitted on; below, predictions stay uncalibrated.
 * Why 100: the choice is cross-validated over 5 folds, and with folds of a handful of rows
 * the ECE/Brier differences between methods are noise (on iris's 23 validation rows,
 * temperature scaling "won" by sharpening every probability to 0/1 and multiplied the test
 * log loss by 13).
 */
export const MIN_CALIBRATION_ROWS = 100;

/**
 * Whether assessModel will try to fit a calibrator on `validationRows` held-out rows:
 * classification, calibration not 'none', and at least {@link MIN_CALIBRATION_ROWS} rows.
 * (It may still keep none, when none helps.) Training uses this to decide whether the
 * validation rows must stay held out.
 */
export function calibrationPlanned(config: ProjectConfig, validationRows: number, method: CalibrationMethodName = config.calibration.method): boolean {
  return config.task !== 'regression' && method !== 'none' && validationRows >= MIN_CALIBRATION_ROWS;
}

/** Misclassified rows (binary: threshold 0.5; multiclass: arg max). */
function countErrors(task: ProjectConfig['task'], y: ArrayLike<number>, scores: ArrayLike<number>, k: number): number {
  let errors = 0;
  for (let i = 0; i < y.length; i++) {
    let predicted: number;
    if (task === 'binary') predicted = scores[i] >= 0.5 ? 1 : 0;
    else {
      predicted = 0;
      for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + predicted]) predicted = c;
    }
    if (predicted !== y[i]) errors++;
  }
  return errors;
}

/** Number of model outputs the metric functions expect as k (binary: 2, multiclass: classes, regression: 1). */
export function metricK(task: ProjectConfig['task'], classes: string[]): number {
  return task === 'multiclass' ? classes.length : task === 'binary' ? 2 : 1;
}

function calibrationScores(report: EvaluationReport): CalibrationScores {
  return { ece: report.calibration!.ece, brier: report.metrics.brier, logLoss: report.metrics.log_loss };
}

/**
 * Chooses a calibrator on the validation rows (or explains why none is used).
 * Binary scores are P(class 1) (k = 2); multiclass n×k probabilities.
 */
function chooseCalibrator(opts: AssessOptions, k: number): { calibrator: Calibrator | null; calibration: CalibrationRecord } {
  const { config, validation } = opts;
  const task = config.task;
  const method = opts.calibrationMethod ?? config.calibration.method;
  const calibration: CalibrationRecord = { method: 'none', reason: '', warnings: [], selection: null, test: null };
  const none = (reason: string) => ({ calibrator: null, calibration: { ...calibration, reason } });
  if (task === 'regression') return none('Regression outputs are values, not probabilities: nothing to calibrate.');
  if (method === 'none') return none('Calibration is off (calibration.method: none).');
  if (opts.noCalibrationReason) return none(opts.noCalibrationReason);
  if (validation.n < MIN_CALIBRATION_ROWS) {
    return none(`Only ${validation.n} validation rows; calibration needs at least ${MIN_CALIBRATION_ROWS} held-out rows to choose reliably (raise training.validationSplit or import more data).`);
  }
  const rawVal = opts.score(validation.x, validation.n);
  if (countErrors(task, validation.y, rawVal, k) === 0) {
    // Every held-out row is right: they show nothing about over-confidence, and every
    // calibrator would "improve" them by pushing probabilities to 0 and 1.
    return none(`The model classifies all ${validation.n} validation rows correctly, so they cannot show how over- or under-confident it is; probabilities are left as they are.`);
  }
  try {
    const sel = selectCalibrator(rawVal, validation.y, k, {
      method,
      margin: config.calibration.margin,
      bins: config.calibration.bins,
      seed: config.training.seed,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return {
      calibrator: sel.method !== 'none' ? sel.calibrator : null,
      calibration: {
        method: sel.method,
        reason: sel.reason,
        warnings: sel.warnings,
        selection: { n: sel.n, folds: sel.folds, margin: sel.margin, before: sel.before, after: sel.after, candidates: sel.candidates },
        test: null,
      },
    };
  } catch (e) {
    // Too few rows per fold, or a single class among the validation rows: keep raw scores and say why.
    if ((e as Error).name !== 'UserError') throw e;
    return none(`Not calibrated: ${(e as Error).message}`);
  }
}

/** See the file doc. Deterministic for a config seed. */
export async function assessModel(opts: AssessOptions): Promise<Assessment> {
  const { config, classes, test } = opts;
  const task = config.task;
  const k = metricK(task, classes);
  const log = opts.log ?? (() => undefined);
  const { calibrator, calibration } = chooseCalibrator(opts, k);
  log(`calibration: ${calibration.method} — ${calibration.reason}`);
  const calibrate = (s: Float32Array) => (calibrator ? Float32Array.from(applyCalibrator(calibrator, s, k)) : s);

  const rawTest = opts.score(test.x, test.n);
  const testScores = calibrate(rawTest);
  // The bootstrap intervals on a thread of their own (../compute/thread.ts) while this one
  // computes the rest of the evaluation and the permutation importance: the same intervals
  // either way.
  const { bootstrap: resamples, confidence } = config.evaluation;
  const seed = config.training.seed;
  const intervals = resamples > 0 ? startComputeTask({ kind: 'bootstrap', job: { task, yTrue: test.y, scores: testScores, k, resamples, confidence, seed } }, opts.signal) : null;
  try {
    const evalOpts = { resamples: 0, confidence, seed, bins: config.calibration.bins, ...(opts.signal ? { signal: opts.signal } : {}) };
    const evaluation = evaluatePredictions(task, test.y, testScores, k, classes, evalOpts);
    if (task !== 'regression') {
      const raw = calibrator ? evaluatePredictions(task, test.y, rawTest, k, classes, evalOpts) : evaluation;
      calibration.test = { before: calibrationScores(raw), after: calibrationScores(evaluation), reliabilityBefore: raw.calibration!.reliability };
    }

    let importance: ImportanceRecord | null = null;
    if (!opts.skipImportance && config.evaluation.importanceRepeats > 0 && test.n >= 2) {
      const sample = sampleRows(test, config.evaluation.importanceMaxRows, seed);
      try {
        const r = await permutationImportance({
          x: sample.x,
          n: sample.n,
          d: sample.d,
          yTrue: sample.y,
          task,
          k,
          groups: opts.groups,
          score: (x, n) => calibrate(opts.score(x, n)),
          repeats: config.evaluation.importanceRepeats,
          seed,
          ...(config.evaluation.importanceMetric ? { metric: config.evaluation.importanceMetric } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        importance = { ...r, repeats: config.evaluation.importanceRepeats, seed, rows: sample.n };
      } catch (e) {
        if ((e as Error).name !== 'UserError') throw e;
        log(`permutation importance skipped: ${(e as Error).message}`);
      }
    }
    if (intervals) evaluation.intervals = { confidence, resamples, seed, byMetric: await intervals.result() };
    return { metrics: evaluation.metrics, evaluation, calibration, calibrator, importance };
  } finally {
    intervals?.stop();
  }
}

/** At most `max` rows of `rows`, a seeded sample in original order. */
function sampleRows(rows: Rows, max: number, seed: number): Rows {
  if (rows.n <= max) return rows;
  const idx = Array.from(permutation(rows.n, createRng(seed ^ 0x5eed)).subarray(0, max)).sort((a, b) => a - b);
  const x = new Float32Array(max * rows.d);
  const y = new Float32Array(max);
  idx.forEach((r, i) => {
    x.set(rows.x.subarray(r * rows.d, (r + 1) * rows.d), i * rows.d);
    y[i] = rows.y[r];
  });
  return { x, n: max, d: rows.d, y };
}

/** What a run stores in `details` (JSON): everything the report and the panels draw. */
export interface RunDetails {
  evaluation: EvaluationReport;
  calibration: CalibrationRecord;
  importance: ImportanceRecord | null;
  /** model: auto — the candidates, their validation scores and the choice; null or absent for an explicit model. */
  selection?: ModelSelection | null;
}

export function runDetails(a: Assessment): RunDetails & Record<string, unknown> {
  return { evaluation: a.evaluation, calibration: a.calibration, importance: a.importance };
}
