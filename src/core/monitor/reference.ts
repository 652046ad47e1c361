/**
 * The reference the monitor compares with, prepared once per model (and kept in a cache by a
 * long-running watcher, since the champion's training rows do not change):
 *  - for the inputs: the champion's training rows (the rows its pipeline was fitted on), or
 *    the stored examples of a pinned event-time window (`monitoring.reference: {from, to}`);
 *  - for the predictions and their confidence: the champion's predictions on its held-out
 *    test rows — not on its training rows, on which a model is more confident than it will
 *    ever be in production (a confidence "drift" from day one);
 *  - for label shift: the labels of the training rows;
 *  - the champion's test metrics with their bootstrap intervals (from its run's details).
 * Values are read from the records exactly as training reads them (readFeatureColumns).
 */
import type { ProjectContext } from '../context/projectContext';
import type { FittedFeature } from '../data/pipeline';
import { planSplit, readFeatureColumns, selectionFilter, type DataSelection, type FeatureColumns, type SplitPlan } from '../jobs/dataset';
import { runConfigOf, runDetailsOf } from '../jobs/runRecord';
import type { FeatureSpec, MonitoringConfig } from '../project/types';
import { predictionsFromScores, scoreRecords } from '../registry/predict';
import type { LoadedBundle } from '../registry/types';
import type { ModelRecord } from '../store/types';
import { isUserError, UserError } from '../util/errors';
import type { ColumnType } from './drift';
import { liveF1Name, type ChampionMetric } from './performance';
import { prepareCategoricalReference, type CategoricalReference } from './stats/categorical';
import { prepareNumericReference, type NumericReference } from './stats/numeric';
import { prepareTextReference, type TextReference } from './stats/text';

export interface ReferenceColumn {
  name: string;
  type: ColumnType;
  numeric?: NumericReference;
  categorical?: CategoricalReference;
  text?: TextReference;
}

export interface ReferenceProfile {
  /** What it was built for: the model version and the reference setting. */
  key: string;
  kind: 'training' | 'window';
  from: string | null;
  to: string | null;
  /** Rows the input columns come from. */
  n: number;
  columns: ReferenceColumn[];
  prediction: {
    /** Rows scored for the prediction reference. */
    n: number;
    labels?: CategoricalReference;
    confidence?: NumericReference;
    values?: NumericReference;
  };
  /** True labels of the reference rows (label shift). */
  labels: CategoricalReference | NumericReference;
  champion: Record<string, ChampionMetric>;
}

/**
 * The examples a model was trained from (as jobs/evaluate.ts modelSelection, which this module
 * cannot import: that file loads TensorFlow.js, and the monitor runs in light commands).
 */
function modelSelection(bundle: LoadedBundle): DataSelection {
  return bundle.card.data.selection ?? { maxExampleId: bundle.card.data.maxExampleId };
}

/** Key of a reference: changes when the model or the reference setting changes. */
export function referenceKey(model: ModelRecord, m: Pick<MonitoringConfig, 'reference' | 'drift'>): string {
  return JSON.stringify([model.version, model.digest, m.reference, m.drift.bins]);
}

/** Reference profiles by key, for a process that monitors again and again (mlloop watch). */
export type ReferenceCache = Map<string, ReferenceProfile>;

/** The record keys and types the model reads: its fitted pipeline's features. */
export function modelFeatures(bundle: LoadedBundle): Array<{ name: string; type: ColumnType; fitted: FittedFeature }> {
  return bundle.pipeline.features.map((f) => ({ name: f.name, type: f.type, fitted: f }));
}

/**
 * Builds (or takes from `cache`) the reference of `model`.
 * @throws UserError when its rows cannot be found (a pinned window with too few examples, a model whose examples were deleted).
 */
export async function buildReference(ctx: ProjectContext, model: ModelRecord, bundle: LoadedBundle, cache?: ReferenceCache, signal?: AbortSignal): Promise<ReferenceProfile> {
  const m = ctx.config.monitoring;
  const key = referenceKey(model, m);
  const hit = cache?.get(key);
  if (hit) return hit;
  const run = model.runId > 0 ? await ctx.store.getRun(model.runId) : undefined;
  const runConfig = runConfigOf(run, ctx.config);
  const pinned = m.reference !== 'training' ? m.reference : null;
  let plan: SplitPlan;
  try {
    plan = await planSplit(ctx.store, runConfig, pinned ? { from: pinned.from, to: pinned.to } : selectionFilter(modelSelection(bundle)), signal);
  } catch (e) {
    if (!isUserError(e)) throw e;
    throw new UserError(
      pinned
        ? `monitoring.reference: the window ${pinned.from} – ${pinned.to} holds too few stored examples to compare with (${e.message.replace(/ training needs.*$/, '')}). Widen the window, or use reference: training.`
        : `The examples ${model.version} was trained on are not in the store any more (${e.message}); the monitor compares with them. Pin a window of stored examples with monitoring.reference: { from, to }.`,
    );
  }
  const features = modelFeatures(bundle);
  const specs = features.map((f) => ({ name: f.name, type: f.type }) as FeatureSpec);
  const cols = await readFeatureColumns(ctx.store, plan, specs, signal, runConfig.label);
  // Inputs: the training rows (all rows of a pinned window); predictions: the test rows (all rows of a pinned window).
  const all = Int32Array.from({ length: plan.count }, (_, i) => i);
  const inputRows = pinned ? all : plan.split.train;
  let predictionRows = pinned ? all : plan.split.test;
  if (!pinned && predictionRows.length < m.minRows) predictionRows = concat(plan.split.test, plan.split.validation);
  const columns: ReferenceColumn[] = features.map((f, i) => {
    const col = cols.columns[i];
    if (f.type === 'numeric') return { name: f.name, type: f.type, numeric: prepareNumericReference(pick(col as Float64Array, inputRows), m.drift.bins) };
    if (f.type === 'text') {
      const fitted = f.fitted as Extract<FittedFeature, { type: 'text' }>;
      return { name: f.name, type: f.type, text: prepareTextReference(pickText(col, inputRows), { ngrams: fitted.ngrams, lowercase: fitted.lowercase, analyzer: fitted.analyzer }) };
    }
    return { name: f.name, type: f.type, categorical: prepareCategoricalReference(pickCategories(col, f.type, inputRows)) };
  });
  const prediction = predictionReference(bundle, cols, features, predictionRows, m.drift.bins);
  const labels =
    bundle.card.task === 'regression'
      ? prepareNumericReference(Float64Array.from(inputRows, (p) => Number(plan.rawLabels[p])), m.drift.bins)
      : prepareCategoricalReference(Array.from(inputRows, (p) => String(plan.rawLabels[p])));
  const profile: ReferenceProfile = {
    key,
    kind: pinned ? 'window' : 'training',
    from: pinned?.from ?? plan.firstEventTime,
    to: pinned?.to ?? plan.lastEventTime,
    n: inputRows.length,
    columns,
    prediction,
    labels,
    champion: championMetrics(bundle, run),
  };
  cache?.set(key, profile);
  return profile;
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function pick(col: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
  return out;
}

function pickText(col: FeatureColumns['columns'][number], rows: Int32Array): Array<string | undefined> {
  const c = col as Array<string | undefined>;
  return Array.from(rows, (p) => c[p]);
}

/** Categories as text: booleans as 'true' / 'false' (missing undefined), as the pipeline reads them. */
function pickCategories(col: FeatureColumns['columns'][number], type: ColumnType, rows: Int32Array): Array<string | undefined> {
  if (type === 'boolean') {
    const c = col as Int8Array;
    return Array.from(rows, (p) => (c[p] < 0 ? undefined : c[p] === 1 ? 'true' : 'false'));
  }
  return pickText(col, rows);
}

/** The model's predictions on the reference's prediction rows, rebuilt from the columns (the values the pipeline would read). */
function predictionReference(bundle: LoadedBundle, cols: FeatureColumns, features: ReturnType<typeof modelFeatures>, rows: Int32Array, bins: number): ReferenceProfile['prediction'] {
  const records = Array.from(rows, (p) => {
    const r: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    features.forEach((f, i) => {
      const col = cols.columns[i];
      if (f.type === 'numeric') {
        const v = (col as Float64Array)[p];
        if (!Number.isNaN(v)) r[f.name] = v;
      } else if (f.type === 'boolean') {
        const b = (col as Int8Array)[p];
        if (b >= 0) r[f.name] = b === 1;
      } else {
        const s = (col as Array<string | undefined>)[p];
        if (s !== undefined) r[f.name] = s;
      }
    });
    return r;
  });
  if (records.length === 0) return { n: 0 };
  const { scores, n } = scoreRecords(bundle, records);
  const predictions = predictionsFromScores(bundle.card.task, bundle.labels.classes, scores, n);
  if (bundle.card.task === 'regression') {
    return { n, values: prepareNumericReference(Float64Array.from(predictions, (p) => ('value' in p ? p.value : NaN)), bins) };
  }
  return {
    n,
    labels: prepareCategoricalReference(predictions.map((p) => ('label' in p ? p.label : undefined))),
    confidence: prepareNumericReference(Float64Array.from(predictions, (p) => ('confidence' in p ? p.confidence : NaN)), bins),
  };
}

/** The champion's test metrics with their bootstrap intervals (run details), else the card's metrics alone. */
function championMetrics(bundle: LoadedBundle, run: Parameters<typeof runDetailsOf>[0]): Record<string, ChampionMetric> {
  const details = runDetailsOf(run);
  const evaluation = details.evaluation;
  const metrics = evaluation?.metrics ?? bundle.card.metrics ?? {};
  const intervals = evaluation?.intervals?.byMetric ?? {};
  const out: Record<string, ChampionMetric> = {};
  const names = bundle.card.task === 'regression' ? ['mae'] : ['accuracy', liveF1Name(bundle.card.task)];
  for (const name of names) {
    const value = metrics[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const interval = intervals[name];
    out[name] = { value, lower: interval ? interval.lower : null, upper: interval ? interval.upper : null };
  }
  const ece = evaluation?.calibration?.ece ?? bundle.card.calibration?.eceAfter ?? bundle.card.calibration?.eceBefore;
  if (bundle.card.task !== 'regression' && typeof ece === 'number' && Number.isFinite(ece)) {
    const interval = intervals.ece;
    out.ece = { value: ece, lower: interval ? interval.lower : null, upper: interval ? interval.upper : null };
  }
  return out;
}
