/**
 * The training job: project + store → fitted pipeline and model → test metrics → a bundle
 * in .mlloop/models/<version>/ and a run record. Emits an event per epoch and honours
 * cancellation; the CLI runs it in-process, the extension in a worker thread.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { initBackend } from '../engine/backend';
import { balancedClassWeights, fitModel, trainerFor, trainingBackendName, type Dataset, type EpochLogs, type FitOptions, type FitResult } from '../engine/fit';
import type { TrainingConfig } from '../project/types';
import { trainProjectModel } from '../engine/select';
import { encodeLabels, fitTargetScale, scaleTargets } from '../data/labels';
import { fineTuneBase, type FineTuneBase } from './fineTune';
import { modelOutputs } from '../registry/predict';
import { denseNetworkOfModel } from '../engine/models';
import { outputColumns, textCapacityNotes } from '../data/pipeline';
import { assertTrainingMemory, trainingMemoryNeedsFor } from '../engine/memory';
import { groupColumns } from '../explain/groups';
import { assessModel, calibrationPlanned, runDetails } from './assess';
import { highestRunIdOnDisk, writeRunReport } from './report';
import type { ProjectContext } from '../context/projectContext';
import type { ExampleFilter, ModelRecord } from '../store/types';
import { isCancelled, isUserError } from '../util/errors';
import { fileSystemCause } from '../util/fsErrors';
import { absentFeatureWarningsFromColumns, exampleWhere, fitPipelineOn, planSplit, readFeatureColumns, targetsAt, transformPositions } from './dataset';
import type { ModelCard } from '../registry/types';
import { bundleDigest, materializeBundle, nextModelVersion } from '../registry/versions';
import { renderBundleFiles } from '../registry/renderBundle';
import { assertUsableModel } from '../registry/usable';
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
  /** Null when it could not be written (a warning said why). */
  reportFile: string | null;
  calibration: { method: string; reason: string; eceBefore: number | null; eceAfter: number | null };
  /** Time spent waiting for and reading or writing the store, in ms (for benchmarks). */
  storeMs: number;
  /** model: auto — the chosen candidate's label, why, and whether it was refitted; null for an explicit model. */
  selection: { chosen: string; reason: string; refitted: boolean } | null;
}

export interface TrainOptions {
  ctx: ProjectContext;
  backend?: BackendPreference;
  /** Which examples to train on (default: every stored example). */
  filter?: ExampleFilter;
  /**
   * Fine-tune this model instead of training from scratch: its pipeline and label map are
   * kept, training starts from its weights, for schedule.incremental.epochs at
   * schedule.incremental.learningRate. When it cannot be (a class it does not know, another
   * task), the run trains from scratch and logs why.
   */
  fineTune?: { from: ModelRecord };
  onEvent?: (e: TrainEvent) => void;
  signal?: AbortSignal;
}

/** Hash of the resolved config, so runs with the same settings can be grouped. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

/** How often a running run says it is alive (see RunRecord.heartbeatAt), in ms. */
export const HEARTBEAT_MS = 15_000;

/**
 * Trains the project's model on the stored examples (streamed: ids and labels first, then
 * one pass over the records into compact feature columns), evaluates it on the held-out test
 * split and records the model. The model version, its bundle files (kept in the store), the
 * run's epochs and its completion are one unit of work: all of them or none. The version is
 * the next above every version in the store and on disk, so none is ever reused.
 * @throws UserError (bad config, too little data, diverged loss), CancelledError.
 */
export async function trainProject(opts: TrainOptions): Promise<TrainResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const { ctx } = opts;
  const { config, paths, store } = ctx;
  const started = ctx.clock.now().getTime();
  const elapsed = () => ctx.clock.now().getTime() - started;
  let runId: number | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const epochs: EpochLogs[] = [];
  let storeMs = 0;
  const timed = async <T>(p: Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await p;
    } finally {
      storeMs += performance.now() - t0;
    }
  };
  try {
    const plan = await timed(planSplit(store, config, opts.filter ?? {}, opts.signal));
    let base: FineTuneBase | null = null;
    if (opts.fineTune) {
      const b = await timed(fineTuneBase(ctx, opts.fineTune.from, plan.rawLabels));
      if ('refused' in b) emit({ type: 'log', message: `not fine-tuning ${opts.fineTune.from.version}: ${b.refused}; training from scratch instead` });
      else {
        base = b;
        // The champion's outputs: its classes (a superset of the window's), its target scale.
        plan.labels = b.labels;
        plan.y = encodeLabels(b.labels, plan.rawLabels);
      }
    }
    const cols = await timed(readFeatureColumns(store, plan, config.features, opts.signal, config.label));
    const { train: trainIdx, validation: valIdx, test: testIdx } = plan.split;
    const train = targetsAt(plan, trainIdx);
    const validation = targetsAt(plan, valIdx);
    const test = targetsAt(plan, testIdx);
    if (config.task === 'regression' && !base) plan.labels.target = fitTargetScale(train.y);
    const pipeline = base ? base.pipeline : fitPipelineOn(cols, trainIdx);
    // Before the matrices are allocated: a config whose memory cannot fit is refused with the limit.
    const memory = trainingMemoryNeedsFor(pipeline, config, { train: trainIdx.length, validation: valIdx.length, test: testIdx.length }, config.task === 'multiclass' ? plan.labels.classes.length : 1);
    assertTrainingMemory(memory);
    for (const warning of absentFeatureWarningsFromColumns(cols, trainIdx)) emit({ type: 'log', message: `warning: ${warning}` });
    const xTrain = transformPositions(pipeline, cols, trainIdx, opts.signal);
    const xVal = transformPositions(pipeline, cols, valIdx, opts.signal);
    const xTest = transformPositions(pipeline, cols, testIdx, opts.signal);
    const k = config.task === 'multiclass' ? plan.labels.classes.length : config.task === 'binary' ? 2 : 1;
    const counts = {
      examples: plan.count,
      train: xTrain.n,
      validation: xVal.n,
      test: xTest.n,
      inputWidth: pipeline.width,
      classes: plan.labels.classes.length,
      maxExampleId: plan.selection.maxExampleId,
    };

    const tfjsBackend = await initBackend(opts.backend ?? 'auto', (m) => emit({ type: 'log', message: m }));
    assertTrainingMemory(memory, tfjsBackend);
    const backend = trainingBackendName(config.model, tfjsBackend, opts.backend);
    // Above every run the project's reports and bundles name: an id is never reused, even after
    // the store was moved aside or reset.
    runId = await timed(store.createRun({ config, configHash: configHash(config), dataCounts: counts, idAbove: highestRunIdOnDisk(paths) }));
    await timed(store.updateRun(runId, { backend }));
    const liveRun = runId;
    heartbeat = setInterval(() => void store.heartbeat(liveRun).catch(() => undefined), HEARTBEAT_MS);
    heartbeat.unref?.();
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
    for (const message of textCapacityNotes(pipeline)) emit({ type: 'log', message: `note: ${message}` });
    const tuning = base ? { ...config.training, epochs: config.schedule.incremental.epochs, learningRate: config.schedule.incremental.learningRate } : config.training;
    if (base) emit({ type: 'log', message: `fine-tuning ${base.from.version}: its pipeline and weights, ${tuning.epochs} epochs at learning rate ${tuning.learningRate}` });
    const fit = base
      ? await fineTuneModel(base, tuning, {
          task: config.task,
          numClasses: k,
          train: { x: xTrain.x, n: xTrain.n, d: xTrain.d, y: scaleTargets(plan.labels, train.y), ...(train.weights ? { sampleWeight: train.weights } : {}) },
          validation: xVal.n > 0 ? { x: xVal.x, n: xVal.n, d: xVal.d, y: scaleTargets(plan.labels, validation.y) } : null,
          trainer: trainerFor(opts.backend),
          ...(classWeight ? { classWeight } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          onEpochEnd: (logs) => {
            epochs.push(logs);
            emit({ type: 'epoch', runId: currentRun, logs, epochs: tuning.epochs });
          },
        })
      : await trainProjectModel({
      task: config.task,
      numClasses: k,
      model: config.model,
      training: config.training,
      train: { x: xTrain.x, n: xTrain.n, d: xTrain.d, y: scaleTargets(plan.labels, train.y), ...(train.weights ? { sampleWeight: train.weights } : {}) },
      validation: xVal.n > 0 ? { x: xVal.x, n: xVal.n, d: xVal.d, y: scaleTargets(plan.labels, validation.y) } : null,
      ...(plan.labels.target ? { targetScale: plan.labels.target.scale } : {}),
      calibrationPlanned: calibrationPlanned(config, xVal.n),
      trainer: trainerFor(opts.backend),
      ...(classWeight ? { classWeight } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      log: (message) => emit({ type: 'log', message }),
      onEpochEnd: (logs) => {
        epochs.push(logs);
        emit({ type: 'epoch', runId: currentRun, logs, epochs: config.training.epochs });
      },
    });

    const model = denseNetworkOfModel(fit.model);
    const held = (name: 'validation' | 'test', rows: typeof xTest) => ({ name, ...rows, where: (i: number) => exampleWhere(plan, plan.split[name][i]) });
    assertUsableModel(pipeline, plan.labels, (x, n) => modelOutputs(model, plan.labels, x, n, pipeline.width), [held('validation', xVal), held('test', xTest)]);
    const assessment = await assessModel({
      config,
      classes: plan.labels.classes,
      score: (x, n) => modelOutputs(model, plan.labels, x, n, pipeline.width),
      validation: { ...xVal, y: validation.y },
      test: { ...xTest, y: test.y },
      groups: groupColumns(outputColumns(pipeline)),
      ...(fit.refitted ? { noCalibrationReason: `Not calibrated: ${fit.selection?.refit.reason ?? 'the model was trained on the validation rows.'}` } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      log: (message) => emit({ type: 'log', message }),
    });
    const metrics = assessment.metrics;
    const durationMs = elapsed();
    const createdAt = ctx.clock.now().toISOString();
    const details = runDetails(assessment);

    // One unit of work: the version, the bundle's files, the model record, the epochs and the
    // run's completion commit together. Nothing slow happens inside (the model is rendered
    // to bytes in memory).
    const committed = await timed(
      store.unitOfWork(async (tx) => {
        const version = await nextModelVersion(tx, paths);
        const previous = (await tx.listModels())[0];
        const card: ModelCard = {
          format: 1,
          version,
          task: config.task,
          label: config.label,
          features: config.features.map((f) => ({ name: f.name, type: f.type })),
          createdAt,
          runId: currentRun,
          parentVersion: base ? base.from.version : (previous?.version ?? null),
          configHash: configHash(config),
          backend,
          metrics,
          data: {
            examples: plan.count,
            train: xTrain.n,
            validation: xVal.n,
            test: xTest.n,
            maxExampleId: plan.selection.maxExampleId,
            firstImportedAt: plan.firstImportedAt,
            lastImportedAt: plan.lastImportedAt,
            firstEventTime: plan.firstEventTime,
            lastEventTime: plan.lastEventTime,
            selection: plan.selection,
          },
          training: { epochsRun: fit.epochsRun, bestEpoch: fit.bestEpoch, stoppedEarly: fit.stoppedEarly, durationMs, ...(base ? { fineTunedFrom: base.from.version } : {}) },
          calibration: {
            method: assessment.calibration.method,
            eceBefore: assessment.calibration.test?.before.ece ?? null,
            eceAfter: assessment.calibration.test?.after.ece ?? null,
          },
          mlloopVersion: MLLOOP_VERSION,
        };
        const files = await renderBundleFiles({ model: fit.model, pipeline, labels: plan.labels, card, calibrator: assessment.calibrator });
        const digest = bundleDigest(files);
        const bundleDir = path.join(paths.modelsDir, version);
        await tx.addEpochs(currentRun, epochs.map(toEpochRecord));
        await tx.addModel({ version, runId: currentRun, createdAt, task: config.task, metrics, path: path.relative(paths.root, bundleDir).split(path.sep).join('/'), digest }, files);
        await tx.updateRun(currentRun, { status: 'completed', finishedAt: createdAt, durationMs, metrics, modelVersion: version, bestEpoch: fit.bestEpoch, details: { ...details, selection: fit.selection } });
        return { version, files, digest, bundleDir };
      }),
    );
    fit.model.dispose();
    clearInterval(heartbeat);
    heartbeat = undefined;
    // The disk copy for apps, after the commit: if this fails (disk full), the model is
    // still whole in the store, and the next command that loads it (predict, evaluate, …:
    // ensureBundleOnDisk) writes the folder from there.
    try {
      materializeBundle(committed.bundleDir, committed.files, committed.digest);
    } catch (e) {
      const cause = fileSystemCause(e) ?? (e as Error).message;
      emit({
        type: 'log',
        message:
          `warning: ${cause}: model ${committed.version} is saved in the store, but its folder ${committed.bundleDir} could not be written (nothing half-written was left). ` +
          `Once that is fixed, the folder is written from the store the next time a command loads the model (e.g. mlloop predict --model ${committed.version}).`,
      });
    }
    // The report too is written after the commit: a failure is a warning, never a failed run.
    let report: string | null = null;
    try {
      report = await timed(writeRunReport(store, paths, currentRun, config.name));
    } catch (e) {
      const cause = isUserError(e) ? e.message : `${fileSystemCause(e) ?? (e as Error).message}: the report of run ${currentRun} could not be written.`;
      emit({ type: 'log', message: `warning: ${cause} Run ${currentRun} and model ${committed.version} are saved in the store.` });
    }
    const result: TrainResult = {
      runId: currentRun,
      modelVersion: committed.version,
      backend,
      metrics,
      bestEpoch: fit.bestEpoch,
      epochsRun: fit.epochsRun,
      stoppedEarly: fit.stoppedEarly,
      durationMs,
      bundleDir: committed.bundleDir,
      reportFile: report,
      calibration: {
        method: assessment.calibration.method,
        reason: assessment.calibration.reason,
        eceBefore: assessment.calibration.test?.before.ece ?? null,
        eceAfter: assessment.calibration.test?.after.ece ?? null,
      },
      storeMs: Math.round(storeMs),
      selection: fit.selection ? { chosen: fit.selection.candidates[fit.selection.chosen].label, reason: fit.selection.reason, refitted: fit.refitted } : null,
    };
    emit({ type: 'finished', result });
    return result;
  } catch (e) {
    if (heartbeat) clearInterval(heartbeat);
    if (runId !== undefined) {
      const cancelled = isCancelled(e);
      const failedRun = runId;
      // The failure is recorded in one unit of work too; if even that fails (disk full), the
      // run shows as interrupted once this process is gone, and the error reaches the caller.
      await store
        .unitOfWork(async (tx) => {
          await tx.addEpochs(failedRun, epochs.map(toEpochRecord));
          await tx.updateRun(failedRun, {
            status: cancelled ? 'cancelled' : 'failed',
            finishedAt: ctx.clock.now().toISOString(),
            durationMs: elapsed(),
            error: cancelled ? 'cancelled' : isUserError(e) ? e.message : String((e as Error).message ?? e),
          });
        })
        .catch(() => undefined);
    }
    throw e;
  }
}
function toEpochRecord(l: EpochLogs): { epoch: number; logs: Record<string, number> } {
  const { epoch, ...logs } = l;
  return { epoch, logs: logs as Record<string, number> };
}

/** Fine-tuning: the champion's architecture, started from its weights (see TrainOptions.fineTune). */
async function fineTuneModel(
  base: FineTuneBase,
  training: TrainingConfig,
  o: Pick<FitOptions, 'task' | 'numClasses' | 'trainer' | 'classWeight' | 'signal' | 'onEpochEnd'> & { train: Dataset; validation: Dataset | null },
): Promise<{ model: FitResult['model']; history: EpochLogs[]; bestEpoch: number; epochsRun: number; stoppedEarly: boolean; selection: null; refitted: false }> {
  const { train, validation, ...rest } = o;
  const fit = await fitModel(train, validation, { ...rest, model: base.model, training, initialWeights: base.weights });
  return { model: fit.model, history: fit.history, bestEpoch: fit.bestEpoch, epochsRun: fit.epochsRun, stoppedEarly: fit.stoppedEarly, selection: null, refitted: false };
}
