/**
 * Evaluating and using a saved model: on the test split of the run that trained it, or on a
 * labelled file; and predicting for records.
 */
import path from 'node:path';
import { readRecords } from '../data/readers';
import { predictionInputProblem, validateRecord } from '../data/validate';
import { initBackend } from '../engine/backend';
import { evaluatePredictions, type EvaluationReport } from '../evaluate/report';
import type { ProjectConfig } from '../project/types';
import type { ProjectContext } from '../context/projectContext';
import type { RejectedRow } from '../store/import';
import type { ModelRecord, Store } from '../store/types';
import { ensureBundleOnDisk } from '../registry/versions';
import { resolveModel } from '../registry/registry';
import { UserError } from '../util/errors';
import { loadBundle } from '../registry/bundle';
import { predictRecords, scoreRecords, type LoadedBundle, type Prediction } from '../registry/predict';
import { planSplit, recordsAtPositions, selectionFilter, targetsAt, type DataSelection } from './dataset';
import { runConfigOf } from './runRecord';
import { unusablePrediction } from '../registry/usable';
import type { BackendPreference } from './train';

/** The model a command means: `version`, else the champion (see registry.ts). */
export { resolveModel } from '../registry/registry';

export interface EvaluateOptions {
  ctx: ProjectContext;
  /** Model version; default the newest. */
  version?: string;
  /** A labelled file to evaluate on instead of the run's test split. */
  dataFile?: string;
  backend?: BackendPreference;
  signal?: AbortSignal;
}

export interface EvaluateResult {
  model: string;
  /** 'test split of run N' or the file's path. */
  on: string;
  n: number;
  metrics: Record<string, number>;
  /** Intervals, curves, confusion matrix, calibration error (see EvaluationReport). */
  evaluation: EvaluationReport;
  /** Rows of --data that could not be used (bad values, unseen labels). */
  rejected: RejectedRow[];
}

function evaluationOptions(config: ProjectConfig, signal?: AbortSignal) {
  return {
    resamples: config.evaluation.bootstrap,
    confidence: config.evaluation.confidence,
    seed: config.training.seed,
    bins: config.calibration.bins,
    ...(signal ? { signal } : {}),
  };
}

/** Loads the model's bundle (writing its folder from the store's copy when missing) for `fn`. */
export async function withModel<T>(
  ctx: ProjectContext,
  version: string | undefined,
  backend: BackendPreference | undefined,
  fn: (m: { config: ProjectConfig; store: Store; record: ModelRecord; bundle: LoadedBundle; root: string }) => Promise<T>,
): Promise<T> {
  const record = await resolveModel(ctx.store, version);
  await initBackend(backend ?? 'auto');
  const bundle = await loadBundle(await ensureBundleOnDisk(ctx.store, ctx.paths, record));
  return fn({ config: ctx.config, store: ctx.store, record, bundle, root: ctx.paths.root });
}

/** Which stored examples a model was trained and tested on (older cards: every id up to maxExampleId). */
export function modelSelection(bundle: LoadedBundle): DataSelection {
  return bundle.card.data.selection ?? { maxExampleId: bundle.card.data.maxExampleId };
}

/**
 * The rows a model's run held out for testing (or validation), rebuilt from the examples it
 * saw with the run's own config: exactly what the training job held out.
 */
export async function heldOutRows(
  store: Store,
  runConfig: ProjectConfig,
  bundle: LoadedBundle,
  which: 'test' | 'validation',
  signal?: AbortSignal,
): Promise<{ records: Array<Record<string, unknown>>; y: Float32Array; ids: number[]; labels: Array<string | number> }> {
  const plan = await planSplit(store, runConfig, selectionFilter(modelSelection(bundle)), signal);
  const positions = plan.split[which];
  const rows = await recordsAtPositions(store, plan, positions, signal);
  return { records: rows.map((r) => r.record), y: targetsAt(plan, positions).y, ids: rows.map((r) => r.id), labels: rows.map((r) => r.label) };
}

/**
 * Metrics of a saved model. Without `dataFile`, on the test split of the run that trained
 * it — rebuilt from the examples that existed then (id ≤ the card's maxExampleId) with the
 * run's own config, so it is exactly the rows the training job held out.
 */
export async function evaluateModel(opts: EvaluateOptions): Promise<EvaluateResult> {
  return withModel(opts.ctx, opts.version, opts.backend, async ({ config, store, record, bundle, root }) => {
    const k = bundle.card.task === 'multiclass' ? bundle.labels.classes.length : bundle.card.task === 'binary' ? 2 : 1;
    if (!opts.dataFile) {
      const run = await store.getRun(record.runId);
      const test = await heldOutRows(store, runConfigOf(run, config), bundle, 'test', opts.signal);
      const { scores } = scoreRecords(bundle, test.records);
      const evaluation = evaluatePredictions(bundle.card.task, test.y, scores, k, bundle.labels.classes, evaluationOptions(config, opts.signal));
      return { model: record.version, on: `test split of run ${record.runId}`, n: test.records.length, metrics: evaluation.metrics, evaluation, rejected: [] };
    }
    const rejected: RejectedRow[] = [];
    const records: Array<Record<string, unknown>> = [];
    const y: number[] = [];
    const rel = path.relative(root, path.resolve(opts.dataFile)) || opts.dataFile;
    const classIndex = new Map(bundle.labels.classes.map((c, i) => [c, i]));
    for await (const item of readRecords(opts.dataFile, undefined, opts.signal)) {
      if (item.kind === 'error') {
        rejected.push({ file: rel, line: item.line, reason: item.reason });
        continue;
      }
      const checked = validateRecord(item.record, { ...config, task: bundle.card.task, label: bundle.card.label });
      if (!checked.ok) {
        rejected.push({ file: rel, line: item.line, reason: checked.reason });
        continue;
      }
      if (bundle.card.task === 'regression') y.push(Number(checked.label));
      else {
        const c = classIndex.get(String(checked.label));
        if (c === undefined) {
          rejected.push({ file: rel, line: item.line, reason: `label '${String(checked.label)}' was not among the classes the model was trained on (${bundle.labels.classes.join(', ')})` });
          continue;
        }
        y.push(c);
      }
      records.push(item.record);
    }
    if (records.length === 0) throw new UserError(`${opts.dataFile} has no usable labelled rows${rejected.length ? ` (first problem: line ${rejected[0].line}: ${rejected[0].reason})` : ''}.`, { file: opts.dataFile });
    const { scores } = scoreRecords(bundle, records);
    const evaluation = evaluatePredictions(bundle.card.task, y, scores, k, bundle.labels.classes, evaluationOptions(config, opts.signal));
    return { model: record.version, on: rel, n: records.length, metrics: evaluation.metrics, evaluation, rejected };
  });
}

export interface PredictOptions {
  ctx: ProjectContext;
  version?: string;
  /** The records, or a function that reads them (called once the model is known to exist, so a bad --model fails before stdin is read). */
  records: Array<Record<string, unknown>> | (() => Promise<Array<Record<string, unknown>>>);
  backend?: BackendPreference;
}

/**
 * Predictions of a saved model for records (a label key, if present, is ignored). A record
 * with a value the pipeline cannot read (e.g. 'abc' for a numeric feature), with none of the
 * model's features, or for which the model's output is not a number gets `{ error }` in its
 * place instead of a prediction from silently imputed values; the others are predicted.
 * `rejected` counts those records.
 */
export async function predictWithModel(opts: PredictOptions): Promise<{ model: string; predictions: Array<Prediction | { error: string }>; rejected: number }> {
  return withModel(opts.ctx, opts.version, opts.backend, async ({ record, bundle }) => {
    const records = typeof opts.records === 'function' ? await opts.records() : opts.records;
    const problems = records.map((r) => predictionInputProblem(r, bundle.pipeline.features));
    const good = records.filter((_, i) => problems[i] === undefined);
    const predicted = predictRecords(bundle, good);
    let next = 0;
    const predictions = problems.map((p) => (p === undefined ? predicted[next++] : { error: p }));
    predictions.forEach((p, i) => {
      const unusable = 'error' in p ? undefined : unusablePrediction(p);
      if (unusable !== undefined) {
        predictions[i] = { error: unusable };
        problems[i] = unusable;
      }
    });
    return { model: record.version, predictions, rejected: problems.filter((p) => p !== undefined).length };
  });
}
