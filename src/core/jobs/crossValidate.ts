/**
 * k-fold cross-validation of the project's model (`mlloop evaluate --cv K`): each fold is
 * scored by a model trained on the other folds, exactly as `train` would train it (its own
 * validation rows for early stopping and calibration, the pipeline fitted on its training
 * rows only). Reports each metric's mean ± std over folds, as scikit-learn's cross_validate.
 */
import { kFoldIndices, splitIndices } from '../data/split';
import { outputColumns } from '../data/pipeline';
import { initBackend } from '../engine/backend';
import { balancedClassWeights, trainerFor, trainingBackendName } from '../engine/fit';
import { trainProjectModel } from '../engine/select';
import { denseNetworkOfModel } from '../engine/models';
import { assertTrainingMemory, trainingMemoryNeedsFor } from '../engine/memory';
import { fitTargetScale, scaleTargets } from '../data/labels';
import { modelOutputs } from '../registry/predict';
import { aggregateFolds, type FoldSummary } from '../evaluate/bootstrap';
import { groupColumns } from '../explain/groups';
import type { ProjectContext } from '../context/projectContext';
import { UserError } from '../util/errors';
import { assessModel, calibrationPlanned, metricK } from './assess';
import { fitPipelineOn, planSplit, readFeatureColumns, targetsAt, transformPositions } from './dataset';
import type { BackendPreference } from './train';

export interface CrossValidationResult {
  folds: number;
  n: number;
  /** Metric → mean, std (ddof 0) and per-fold values. */
  metrics: Record<string, FoldSummary>;
  perFold: Array<{ fold: number; n: number; metrics: Record<string, number>; epochs: number; calibration: string }>;
  backend: string;
}

export interface CrossValidationOptions {
  ctx: ProjectContext;
  folds: number;
  backend?: BackendPreference;
  signal?: AbortSignal;
  onFold?: (fold: number, folds: number, metrics: Record<string, number>) => void;
}

/** @throws UserError for fewer than 2 folds or too little data per fold. */
export async function crossValidate(opts: CrossValidationOptions): Promise<CrossValidationResult> {
  if (!Number.isInteger(opts.folds) || opts.folds < 2 || opts.folds > 50) throw new UserError(`--cv takes a whole number of folds from 2 to 50 (got ${opts.folds}).`);
  const { config, store } = opts.ctx;
  const all = await planSplit(store, config, {}, opts.signal);
  const cols = await readFeatureColumns(store, all, config.features, opts.signal);
  const labels = all.rawLabels;
  const stratify = config.task !== 'regression';
  const folds = kFoldIndices(labels, opts.folds, config.training.seed, stratify);
  const backend = trainingBackendName(config.model, await initBackend(opts.backend ?? 'auto'), opts.backend);
  const k = metricK(config.task, all.labels.classes);
  const perFold: CrossValidationResult['perFold'] = [];
  for (let f = 0; f < folds.length; f++) {
    const { train: trainIdx, test: testIdx } = folds[f];
    // Validation rows for early stopping and calibration come out of this fold's training rows.
    const inner = splitIndices(Array.from(trainIdx, (i) => labels[i]), {
      testFraction: config.training.validationSplit > 0 ? config.training.validationSplit : 0,
      validationFraction: 0,
      seed: config.training.seed + f + 1,
      stratify,
    });
    const fitIdx = Int32Array.from(inner.train, (i) => trainIdx[i]);
    const valIdx = Int32Array.from(inner.test, (i) => trainIdx[i]);
    const train = targetsAt(all, fitIdx);
    const validation = targetsAt(all, valIdx);
    const test = targetsAt(all, testIdx);
    // Each fold scales a regression target with its own training rows, as train does.
    const labelMap = config.task === 'regression' ? { ...all.labels, target: fitTargetScale(train.y) } : all.labels;
    const pipeline = fitPipelineOn(cols, fitIdx);
    assertTrainingMemory(trainingMemoryNeedsFor(pipeline, config, { train: fitIdx.length, validation: valIdx.length, test: testIdx.length }, config.task === 'multiclass' ? k : 1), backend);
    const xTrain = transformPositions(pipeline, cols, fitIdx, opts.signal);
    const xVal = transformPositions(pipeline, cols, valIdx, opts.signal);
    const xTest = transformPositions(pipeline, cols, testIdx, opts.signal);
    const classWeight = config.training.classWeight === 'balanced' && config.task !== 'regression' ? balancedClassWeights(train.y, k) : undefined;
    // model: auto selects within each fold, as train would.
    const fit = await trainProjectModel({
      task: config.task,
      numClasses: k,
      model: config.model,
      training: config.training,
      train: { x: xTrain.x, n: xTrain.n, d: xTrain.d, y: scaleTargets(labelMap, train.y), ...(train.weights ? { sampleWeight: train.weights } : {}) },
      validation: xVal.n > 0 ? { x: xVal.x, n: xVal.n, d: xVal.d, y: scaleTargets(labelMap, validation.y) } : null,
      ...(labelMap.target ? { targetScale: labelMap.target.scale } : {}),
      calibrationPlanned: calibrationPlanned(config, xVal.n),
      trainer: trainerFor(opts.backend),
      ...(classWeight ? { classWeight } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    try {
      const network = denseNetworkOfModel(fit.model);
      const assessment = await assessModel({
        config: { ...config, evaluation: { ...config.evaluation, bootstrap: 0 } },
        classes: all.labels.classes,
        score: (x, n) => modelOutputs(network, labelMap, x, n, pipeline.width),
        validation: { ...xVal, y: validation.y },
        test: { ...xTest, y: test.y },
        groups: groupColumns(outputColumns(pipeline)),
        ...(fit.refitted ? { noCalibrationReason: `Not calibrated: ${fit.selection?.refit.reason ?? 'the model was trained on the validation rows.'}` } : {}),
        skipImportance: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      perFold.push({ fold: f + 1, n: xTest.n, metrics: assessment.metrics, epochs: fit.epochsRun, calibration: assessment.calibration.method });
      opts.onFold?.(f + 1, folds.length, assessment.metrics);
    } finally {
      fit.model.dispose();
    }
  }
  return { folds: folds.length, n: all.count, metrics: aggregateFolds(perFold.map((p) => p.metrics)), perFold, backend };
}
