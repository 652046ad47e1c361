/**
 * k-fold cross-validation of the project's model (`mlloop evaluate --cv K`): each fold is
 * scored by a model trained on the other folds, exactly as `train` would train it (its own
 * validation rows for early stopping and calibration, the pipeline fitted on its training
 * rows only). Reports each metric's mean ± std over folds, as scikit-learn's cross_validate.
 */
import { kFoldIndices, splitIndices } from '../data/split';
import { fitPipeline, outputColumns, transformRows } from '../data/pipeline';
import { initBackend } from '../engine/backend';
import { assertTrainingMemory, trainingMemoryNeedsFor } from '../engine/memory';
import { balancedClassWeights, fitModel } from '../engine/fit';
import { fitTargetScale, scaleTargets } from '../data/labels';
import { modelOutputs } from '../registry/predict';
import { aggregateFolds, type FoldSummary } from '../evaluate/bootstrap';
import { groupColumns } from '../explain/groups';
import { loadProject } from '../project/workspace';
import { SqliteStore } from '../store/sqlite';
import { UserError } from '../util/errors';
import { assessModel, metricK } from './assess';
import { pick, splitExamples } from './dataset';
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
  root: string;
  folds: number;
  backend?: BackendPreference;
  signal?: AbortSignal;
  onFold?: (fold: number, folds: number, metrics: Record<string, number>) => void;
}

/** @throws UserError for fewer than 2 folds or too little data per fold. */
export async function crossValidate(opts: CrossValidationOptions): Promise<CrossValidationResult> {
  if (!Number.isInteger(opts.folds) || opts.folds < 2 || opts.folds > 50) throw new UserError(`--cv takes a whole number of folds from 2 to 50 (got ${opts.folds}).`);
  const { config, paths } = loadProject(opts.root);
  const store = await SqliteStore.open(paths.storeFile, { purpose: 'mlloop evaluate --cv' });
  let examples;
  try {
    examples = await store.listExamples();
  } finally {
    await store.close();
  }
  const all = splitExamples(config, examples);
  const labels = examples.map((e) => e.label);
  const stratify = config.task !== 'regression';
  const folds = kFoldIndices(labels, opts.folds, config.training.seed, stratify);
  const backend = await initBackend(opts.backend ?? 'auto');
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
    const train = pick(all, fitIdx);
    const validation = pick(all, valIdx);
    const test = pick(all, testIdx);
    // Each fold scales a regression target with its own training rows, as train does.
    const labelMap = config.task === 'regression' ? { ...all.labels, target: fitTargetScale(train.y) } : all.labels;
    const pipeline = fitPipeline(config.features, train.records);
    assertTrainingMemory(trainingMemoryNeedsFor(pipeline, config, { train: train.y.length, validation: validation.y.length, test: test.y.length }, config.task === 'multiclass' ? k : 1), backend);
    const xTrain = transformRows(pipeline, train.records);
    const xVal = transformRows(pipeline, validation.records);
    const xTest = transformRows(pipeline, test.records);
    const classWeight = config.training.classWeight === 'balanced' && config.task !== 'regression' ? balancedClassWeights(train.y, k) : undefined;
    const fit = await fitModel(
      { x: xTrain.x, n: xTrain.n, d: xTrain.d, y: scaleTargets(labelMap, train.y), ...(train.weights ? { sampleWeight: train.weights } : {}) },
      xVal.n > 0 ? { x: xVal.x, n: xVal.n, d: xVal.d, y: scaleTargets(labelMap, validation.y) } : null,
      { task: config.task, numClasses: k, model: config.model, training: config.training, ...(classWeight ? { classWeight } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    try {
      const assessment = await assessModel({
        config: { ...config, evaluation: { ...config.evaluation, bootstrap: 0 } },
        classes: all.labels.classes,
        score: (x, n) => modelOutputs(fit.model, labelMap, x, n, pipeline.width),
        validation: { ...xVal, y: validation.y },
        test: { ...xTest, y: test.y },
        groups: groupColumns(outputColumns(pipeline)),
        skipImportance: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      perFold.push({ fold: f + 1, n: xTest.n, metrics: assessment.metrics, epochs: fit.epochsRun, calibration: assessment.calibration.method });
      opts.onFold?.(f + 1, folds.length, assessment.metrics);
    } finally {
      fit.model.dispose();
    }
  }
  return { folds: folds.length, n: examples.length, metrics: aggregateFolds(perFold.map((p) => p.metrics)), perFold, backend };
}
