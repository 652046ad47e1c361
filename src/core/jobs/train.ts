/**
 * The training job: project + store → fitted pipeline and model → test metrics → a bundle
 * in .mlloop/models/<version>/ and a run record. Emits an event per epoch and honours
 * cancellation; the CLI runs it in-process, the extension in a worker thread.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../engine/backend';
import { assertTrainingMemory, trainingMemoryNeedsFor } from '../engine/memory';
import { balancedClassWeights, fitModel, type EpochLogs } from '../engine/fit';
import { fitTargetScale, scaleTargets } from '../data/labels';
import { modelOutputs } from '../registry/predict';
import { saveModel } from '../engine/serialize';
import { fitPipeline, outputColumns, transformRows } from '../data/pipeline';
import { absentFeatureWarnings } from '../data/importChecks';
import { groupColumns } from '../explain/groups';
import type { Calibrator } from '../calibrate/types';
import { assessModel, runDetails } from './assess';
import { writeRunReport } from './report';
import { loadProject } from '../project/workspace';
import { SqliteStore } from '../store/sqlite';
import { CancelledError, isUserError } from '../util/errors';
import { pick, splitExamples } from './dataset';
import type { ModelCard } from '../registry/types';
import { writeBundle } from '../registry/bundle';
import { assertUsableModel, exampleSource } from '../registry/usable';
import { MLLOOP_VERSION } from '../version';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export type TrainEvent =
  | { type: 'log'; message: string }
  | { type: 'started'; runId: number; backend: string; counts: Record<string, number>; epochs: number }
  | { type: 'epoch'; runId: number; logs: EpochLogs; epochs: number }
  | { type: 'finished'; result: TrainResult };

export interface TrainResult {
  runId: number;
  modelVersion: string;
  backend: string;
  metrics: Record<string, number>;
  bestEpoch: number;
  epochsRun: number;
  stoppedEarly: boolean;
  durationMs: number;
  bundleDir: string;
  /** The run's HTML report. */
  reportFile: string;
  calibration: { method: string; reason: string; eceBefore: number | null; eceAfter: number | null };
}

export interface TrainOptions {
  /** Project folder (holds mlloop.yaml). */
  root: string;
  backend?: BackendPreference;
  onEvent?: (e: TrainEvent) => void;
  signal?: AbortSignal;
}

/** Hash of the resolved config, so runs with the same settings can be grouped. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

/**
 * Trains the project's model on every stored example, evaluates it on the held-out test
 * split and saves the bundle. The model version is `v<runId>` — unique because run ids are
 * allocated under the store's lock, and it names the run that made it.
 * @throws UserError (bad config, too little data, diverged loss), CancelledError.
 */
export async function trainProject(opts: TrainOptions): Promise<TrainResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const started = Date.now();
  const { config, paths } = loadProject(opts.root);
  const store = await SqliteStore.open(paths.storeFile, { purpose: 'mlloop train' });
  let runId: number | undefined;
  const epochs: EpochLogs[] = [];
  try {
    const examples = await store.listExamples();
    const data = splitExamples(config, examples);
    const train = pick(data, data.split.train);
    const validation = pick(data, data.split.validation);
    const test = pick(data, data.split.test);
    if (config.task === 'regression') data.labels.target = fitTargetScale(train.y);
    const pipeline = fitPipeline(config.features, train.records);
    const memory = trainingMemoryNeedsFor(pipeline, config, { train: train.y.length, validation: validation.y.length, test: test.y.length }, config.task === 'multiclass' ? data.labels.classes.length : 1);
    assertTrainingMemory(memory);
    for (const warning of absentFeatureWarnings(config.features, train.records, config.label)) emit({ type: 'log', message: `warning: ${warning}` });
    const xTrain = transformRows(pipeline, train.records);
    const xVal = transformRows(pipeline, validation.records);
    const xTest = transformRows(pipeline, test.records);
    const k = config.task === 'multiclass' ? data.labels.classes.length : config.task === 'binary' ? 2 : 1;
    const counts = {
      examples: examples.length,
      train: xTrain.n,
      validation: xVal.n,
      test: xTest.n,
      inputWidth: pipeline.width,
      classes: data.labels.classes.length,
      maxExampleId: data.maxExampleId,
    };

    const backend = await initBackend(opts.backend ?? 'auto', (m) => emit({ type: 'log', message: m }));
    assertTrainingMemory(memory, backend);
    runId = await store.createRun({ config, configHash: configHash(config), dataCounts: counts });
    await store.updateRun(runId, { backend });
    emit({ type: 'started', runId, backend, counts, epochs: config.training.epochs });
    emit({
      type: 'log',
      message: `run ${runId}: ${counts.train} train / ${counts.validation} validation / ${counts.test} test rows, ${pipeline.width} input columns, ${config.model.type} on ${backend}`,
    });

    const classWeight =
      config.training.classWeight === 'balanced' && config.task !== 'regression'
        ? balancedClassWeights(train.y, config.task === 'binary' ? 2 : k)
        : undefined;
    const currentRun = runId;
    const fit = await fitModel(
      { x: xTrain.x, n: xTrain.n, d: xTrain.d, y: scaleTargets(data.labels, train.y), ...(train.weights ? { sampleWeight: train.weights } : {}) },
      xVal.n > 0 ? { x: xVal.x, n: xVal.n, d: xVal.d, y: scaleTargets(data.labels, validation.y) } : null,
      {
        task: config.task,
        numClasses: k,
        model: config.model,
        training: config.training,
        ...(classWeight ? { classWeight } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onEpochEnd: (logs) => {
          epochs.push(logs);
          emit({ type: 'epoch', runId: currentRun, logs, epochs: config.training.epochs });
        },
      },
    );

    const model = fit.model;
    const held = (name: 'validation' | 'test', rows: typeof xTest) => ({ name, ...rows, where: (i: number) => exampleSource(data.examples[data.split[name][i]]) });
    assertUsableModel(pipeline, data.labels, (x, n) => modelOutputs(model, data.labels, x, n, pipeline.width), [held('validation', xVal), held('test', xTest)]);
    const assessment = await assessModel({
      config,
      classes: data.labels.classes,
      score: (x, n) => modelOutputs(model, data.labels, x, n, pipeline.width),
      validation: { ...xVal, y: validation.y },
      test: { ...xTest, y: test.y },
      groups: groupColumns(outputColumns(pipeline)),
      ...(opts.signal ? { signal: opts.signal } : {}),
      log: (message) => emit({ type: 'log', message }),
    });
    const metrics = assessment.metrics;
    const version = `v${runId}`;
    const bundleDir = path.join(paths.modelsDir, version);
    const durationMs = Date.now() - started;
    const importedAt = examples.map((e) => e.importedAt).sort();
    const previous = (await store.listModels())[0];
    const card: ModelCard = {
      format: 1,
      version,
      task: config.task,
      label: config.label,
      features: config.features.map((f) => ({ name: f.name, type: f.type })),
      createdAt: new Date().toISOString(),
      runId,
      parentVersion: previous?.version ?? null,
      configHash: configHash(config),
      backend,
      metrics,
      data: {
        examples: examples.length,
        train: xTrain.n,
        validation: xVal.n,
        test: xTest.n,
        maxExampleId: data.maxExampleId,
        firstImportedAt: importedAt[0] ?? null,
        lastImportedAt: importedAt[importedAt.length - 1] ?? null,
      },
      training: { epochsRun: fit.epochsRun, bestEpoch: fit.bestEpoch, stoppedEarly: fit.stoppedEarly, durationMs },
      calibration: {
        method: assessment.calibration.method,
        eceBefore: assessment.calibration.test?.before.ece ?? null,
        eceAfter: assessment.calibration.test?.after.ece ?? null,
      },
      mlloopVersion: MLLOOP_VERSION,
    };
    await writeBundle(bundleDir, { model: fit.model, pipeline, labels: data.labels, card, calibrator: assessment.calibrator });
    fit.model.dispose();

    await store.addEpochs(runId, epochs.map(toEpochRecord));
    await store.addModel({ version, runId, createdAt: card.createdAt, task: config.task, metrics, path: path.relative(paths.root, bundleDir) });
    await store.updateRun(runId, {
      status: 'completed',
      finishedAt: card.createdAt,
      durationMs,
      metrics,
      modelVersion: version,
      bestEpoch: fit.bestEpoch,
      details: runDetails(assessment),
    });
    const report = await writeRunReport(store, paths, runId, config.name);
    const result: TrainResult = {
      runId,
      modelVersion: version,
      backend,
      metrics,
      bestEpoch: fit.bestEpoch,
      epochsRun: fit.epochsRun,
      stoppedEarly: fit.stoppedEarly,
      durationMs,
      bundleDir,
      reportFile: report,
      calibration: { method: assessment.calibration.method, reason: assessment.calibration.reason, eceBefore: card.calibration.eceBefore, eceAfter: card.calibration.eceAfter },
    };
    emit({ type: 'finished', result });
    return result;
  } catch (e) {
    if (runId !== undefined) {
      const cancelled = e instanceof CancelledError;
      await store.addEpochs(runId, epochs.map(toEpochRecord)).catch(() => undefined);
      await store
        .updateRun(runId, {
          status: cancelled ? 'cancelled' : 'failed',
          finishedAt: new Date().toISOString(),
          durationMs: Date.now() - started,
          error: cancelled ? 'cancelled' : isUserError(e) ? e.message : String((e as Error).stack ?? e),
        })
        .catch(() => undefined);
    }
    throw e;
  } finally {
    await store.close();
  }
}

function toEpochRecord(l: EpochLogs): { epoch: number; logs: Record<string, number> } {
  const { epoch, ...logs } = l;
  return { epoch, logs: logs as Record<string, number> };
}
