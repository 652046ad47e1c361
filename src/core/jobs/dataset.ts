/**
 * From stored examples to the arrays a model trains and is tested on, streamed so that no job
 * holds every stored row as an object at once:
 *  1. {@link planSplit} reads only ids, labels and weights (no records) and splits them:
 *     the split is a pure function of (the selected examples in id order, seed, fractions),
 *     so `evaluate` rebuilds a run's test split from the selection stored with the model.
 *  2. {@link readFeatureColumns} reads the records once and keeps only each feature's value,
 *     in a compact column (numbers in a Float64Array, booleans in an Int8Array, text as
 *     strings); the record objects are dropped batch by batch.
 *  3. {@link fitPipelineOn} and {@link transformPositions} fit the feature pipeline on the
 *     training positions and fill the model's matrices from the columns.
 * "Position" below means the index of an example in the selection (0 = smallest id).
 */
import { encodeLabels, fitLabelMap, type LabelMap } from '../data/labels';
import { featureWidth, fitNumericValues, fitPipeline, numericInput, PIPELINE_VERSION, transformRows, type FittedNumericFeature, type FittedPipeline } from '../data/pipeline';
import { splitIndices } from '../data/split';
import { isMissing, parseBoolean, parseNumber, scalarText } from '../data/values';
import { absentFeatureSentences, maxColumnsRemembered } from '../data/importChecks';
import type { FeatureSpec, ProjectConfig } from '../project/types';
import type { ExampleFilter, Label, Store, StoredExample } from '../store/types';
import { throwIfAborted, UserError } from '../util/errors';

/** Fewest examples a training run accepts (below this, every split is too small to mean anything). */
export const MIN_EXAMPLES = 20;

/**
 * Which stored examples a run used: every example with id ≤ maxExampleId (and, when set,
 * an event-time window and sources). Stored in the model card so the split can be rebuilt.
 */
export interface DataSelection {
  maxExampleId: number;
  /** Event time at or after (ISO). */
  from?: string;
  /** Event time before (ISO). */
  to?: string;
  sources?: string[];
}

export function selectionFilter(s: DataSelection): ExampleFilter {
  return { maxId: s.maxExampleId, ...(s.from ? { from: s.from } : {}), ...(s.to ? { to: s.to } : {}), ...(s.sources ? { sources: s.sources } : {}) };
}

export interface SplitPlan {
  selection: DataSelection;
  /** Examples selected. */
  count: number;
  /** Example id at each position (ascending). */
  ids: Float64Array;
  labels: LabelMap;
  /** The label as stored, per position. */
  rawLabels: Label[];
  /** Encoded target (class index or value) per position. */
  y: Float32Array;
  /** Weight per position, or null when no example has one. */
  weights: Float32Array | null;
  /** Positions of each split, in the split's own (seeded) order. */
  split: { train: Int32Array; validation: Int32Array; test: Int32Array };
  firstEventTime: string | null;
  lastEventTime: string | null;
  firstImportedAt: string | null;
  lastImportedAt: string | null;
  /** Where each example came from, for messages: an index into `sources` and the line (0: none), per position. */
  sources: string[];
  sourceOf: Int32Array;
  lineOf: Int32Array;
}

/**
 * Reads the labels of the selected examples and splits them as the project says.
 * @param filter which examples (default: all stored now); `maxId` is fixed to the highest
 *   id present when the read starts, so examples added meanwhile are not half-included.
 * @throws UserError when there are fewer than {@link MIN_EXAMPLES}, or the labels do not fit the task.
 */
export async function planSplit(store: Store, config: ProjectConfig, filter: ExampleFilter = {}, signal?: AbortSignal): Promise<SplitPlan> {
  const ids: number[] = [];
  const rawLabels: Label[] = [];
  const weightList: Array<number | null> = [];
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  const sourceOf: number[] = [];
  const lineOf: number[] = [];
  let anyWeight = false;
  let firstEvent: string | null = null;
  let lastEvent: string | null = null;
  let firstImport: string | null = null;
  let lastImport: string | null = null;
  for await (const batch of store.streamExampleMeta(filter, { signal, batchSize: 20000 })) {
    for (const e of batch) {
      ids.push(e.id);
      rawLabels.push(e.label);
      weightList.push(e.weight);
      let si = sourceIndex.get(e.source);
      if (si === undefined) {
        si = sources.length;
        sources.push(e.source);
        sourceIndex.set(e.source, si);
      }
      sourceOf.push(si);
      lineOf.push(e.sourceLine ?? 0);
      if (e.weight !== null) anyWeight = true;
      if (firstEvent === null || e.eventTime < firstEvent) firstEvent = e.eventTime;
      if (lastEvent === null || e.eventTime > lastEvent) lastEvent = e.eventTime;
      if (firstImport === null || e.importedAt < firstImport) firstImport = e.importedAt;
      if (lastImport === null || e.importedAt > lastImport) lastImport = e.importedAt;
    }
  }
  if (ids.length < MIN_EXAMPLES) {
    const where = filter.from || filter.to ? ' in the data window' : ' in the store';
    throw new UserError(
      `Only ${ids.length} example${ids.length === 1 ? '' : 's'}${where}; training needs at least ${MIN_EXAMPLES}. Import data with \`mlloop import FILE\`.`,
    );
  }
  const labels = fitLabelMap(config.task, rawLabels);
  const y = encodeLabels(labels, rawLabels);
  const split = splitIndices(rawLabels, {
    testFraction: config.training.testSplit,
    validationFraction: config.training.validationSplit,
    seed: config.training.seed,
    stratify: config.task !== 'regression',
  });
  const weights = anyWeight ? Float32Array.from(weightList, (w) => (w === null ? 1 : w)) : null;
  const maxExampleId = ids[ids.length - 1];
  return {
    selection: { ...pickSelection(filter), maxExampleId },
    count: ids.length,
    ids: Float64Array.from(ids),
    labels,
    rawLabels,
    y,
    weights,
    split,
    firstEventTime: firstEvent,
    lastEventTime: lastEvent,
    firstImportedAt: firstImport,
    lastImportedAt: lastImport,
    sources,
    sourceOf: Int32Array.from(sourceOf),
    lineOf: Int32Array.from(lineOf),
  };
}

/** "data/x.csv:17" (or the source alone) for the example at a position: for messages. */
export function exampleWhere(plan: SplitPlan, position: number): string {
  const source = plan.sources[plan.sourceOf[position]] ?? `example ${plan.ids[position]}`;
  const line = plan.lineOf[position];
  return line ? `${source}:${line}` : source;
}

function pickSelection(f: ExampleFilter): Omit<DataSelection, 'maxExampleId'> {
  return { ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}), ...(f.sources ? { sources: f.sources } : {}) };
}

/** Targets and weights of some positions, in their order. */
export function targetsAt(plan: SplitPlan, positions: Int32Array): { y: Float32Array; weights?: Float32Array } {
  const y = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i++) y[i] = plan.y[positions[i]];
  if (!plan.weights) return { y };
  const weights = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i++) weights[i] = plan.weights[positions[i]];
  return { y, weights };
}

/** One feature's values for every position: numbers (NaN = missing), booleans (−1 missing), or text. */
export type FeatureColumn = Float64Array | Int8Array | Array<string | undefined>;

export interface FeatureColumns {
  n: number;
  features: FeatureSpec[];
  columns: FeatureColumn[];
  /** Keys the records had (up to maxColumnsRemembered), the label excluded: for "did you mean" in messages. */
  keys: string[];
}

/**
 * Reads the records of the plan's examples once, keeping each feature's value in a compact
 * column by position. Values are read exactly as the pipeline reads them (parseNumber,
 * parseBoolean, scalarText), so fitting and transforming from the columns gives what
 * fitting and transforming the records would.
 */
export async function readFeatureColumns(store: Store, plan: SplitPlan, features: FeatureSpec[], signal?: AbortSignal, label?: string): Promise<FeatureColumns> {
  const n = plan.count;
  const columns: FeatureColumn[] = features.map((f) =>
    f.type === 'numeric' ? new Float64Array(n).fill(NaN) : f.type === 'boolean' ? new Int8Array(n).fill(-1) : new Array<string | undefined>(n).fill(undefined),
  );
  let position = 0;
  const keys = new Set<string>();
  for await (const batch of store.streamRecords(selectionFilter(plan.selection), { signal, batchSize: 5000 })) {
    throwIfAborted(signal);
    for (const e of batch) {
      if (keys.size < maxColumnsRemembered) for (const k in e.record) keys.add(k);
      // The selection is fixed by maxExampleId; ids only grow, so positions line up with plan.ids.
      while (position < n && plan.ids[position] < e.id) position++;
      if (position >= n || plan.ids[position] !== e.id) continue;
      for (let f = 0; f < features.length; f++) {
        const raw = e.record[features[f].name];
        const col = columns[f];
        switch (features[f].type) {
          case 'numeric': {
            const v = parseNumber(raw);
            (col as Float64Array)[position] = v === undefined ? NaN : v;
            break;
          }
          case 'boolean': {
            const b = typeof raw === 'boolean' ? raw : isMissing(raw) ? undefined : parseBoolean(raw);
            (col as Int8Array)[position] = b === undefined ? -1 : b ? 1 : 0;
            break;
          }
          default:
            (col as Array<string | undefined>)[position] = scalarText(raw);
        }
      }
      position++;
    }
  }
  return { n, features, columns, keys: [...keys].filter((k) => k !== label) };
}

/**
 * Warnings for features that no row at `positions` (the training rows) has a value for: they
 * would train as constants (a typo in mlloop.yaml, most often), with "did you mean".
 */
export function absentFeatureWarningsFromColumns(cols: FeatureColumns, positions: Int32Array): string[] {
  const seen = cols.features.map((spec, f) => {
    const col = cols.columns[f];
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i];
      if (spec.type === 'numeric' ? !Number.isNaN((col as Float64Array)[p]) : spec.type === 'boolean' ? (col as Int8Array)[p] >= 0 : (col as Array<string | undefined>)[p] !== undefined) return true;
    }
    return false;
  });
  if (seen.every(Boolean)) return [];
  return absentFeatureSentences(cols.features, seen, cols.keys, 'of the training set');
}

/** Records (feature keys only) for positions, rebuilt from the columns: small and short-lived. */
function recordsAt(cols: FeatureColumns, positions: ArrayLike<number>, from: number, to: number, featureIndexes: number[]): Array<Record<string, unknown>> {
  const out = new Array<Record<string, unknown>>(to - from);
  for (let i = from; i < to; i++) {
    const p = positions[i];
    const r: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const f of featureIndexes) {
      const spec = cols.features[f];
      const col = cols.columns[f];
      if (spec.type === 'numeric') {
        const v = (col as Float64Array)[p];
        if (!Number.isNaN(v)) r[spec.name] = v;
      } else if (spec.type === 'boolean') {
        const b = (col as Int8Array)[p];
        if (b >= 0) r[spec.name] = b === 1;
      } else {
        const s = (col as Array<string | undefined>)[p];
        if (s !== undefined) r[spec.name] = s;
      }
    }
    out[i - from] = r;
  }
  return out;
}

/**
 * Fits the feature pipeline on the given positions (the training rows), one feature at a
 * time so that only one feature's worth of small row objects exists at once.
 */
export function fitPipelineOn(cols: FeatureColumns, positions: Int32Array): FittedPipeline {
  if (cols.features.length === 0) return fitPipeline([], []); // throws the "no features" UserError
  const features = cols.features.map((spec, f) => {
    if (spec.type !== 'numeric') return fitPipeline([spec], recordsAt(cols, positions, 0, positions.length, [f])).features[0];
    // Numeric columns hold the values as the pipeline reads them (NaN: missing): fitted
    // straight from the column, without a row object per example.
    const column = cols.columns[f] as Float64Array;
    const present: number[] = [];
    for (let i = 0; i < positions.length; i++) {
      const v = column[positions[i]];
      if (!Number.isNaN(v)) present.push(v);
    }
    return fitNumericValues(spec.name, spec.transform, spec.impute, present, positions.length);
  });
  return { version: PIPELINE_VERSION, features, width: features.reduce((w, f) => w + featureWidth(f), 0) };
}

/**
 * The model's input matrix for positions, in their order (row i = positions[i]).
 * @returns x row-major n×d Float32Array; d = pipeline.width.
 */
export function transformPositions(pipeline: FittedPipeline, cols: FeatureColumns, positions: Int32Array, signal?: AbortSignal): { x: Float32Array; n: number; d: number } {
  const n = positions.length;
  const d = pipeline.width;
  const x = new Float32Array(n * d);
  // A numeric table: each cell straight from its column, as transformRows computes it from a
  // row (a fine-tuned model's pipeline may list the features in another order: found by name).
  const numericColumns = pipeline.features.map((feature) => {
    const f = cols.features.findIndex((spec) => spec.name === feature.name);
    return feature.type === 'numeric' && f >= 0 && cols.features[f].type === 'numeric' ? (cols.columns[f] as Float64Array) : null;
  });
  if (numericColumns.every((c) => c !== null)) {
    pipeline.features.forEach((feature, f) => {
      const column = numericColumns[f] as Float64Array;
      const fitted = feature as FittedNumericFeature;
      for (let i = 0, at = f; i < n; i++, at += d) x[at] = numericInput(fitted, column[positions[i]]);
    });
    return { x, n, d };
  }
  const all = cols.features.map((_, i) => i);
  const CHUNK = 4096;
  for (let from = 0; from < n; from += CHUNK) {
    throwIfAborted(signal);
    const to = Math.min(n, from + CHUNK);
    transformRows(pipeline, recordsAt(cols, positions, from, to, all), { x, offset: from });
  }
  return { x, n, d };
}

/**
 * The stored records at some positions, in the positions' order (for jobs that need whole
 * records, e.g. to predict through a bundle's own pipeline). Holds only those records.
 */
export async function recordsAtPositions(store: Store, plan: SplitPlan, positions: Int32Array, signal?: AbortSignal): Promise<StoredExample[]> {
  const slot = new Map<number, number>();
  for (let i = 0; i < positions.length; i++) slot.set(plan.ids[positions[i]], i);
  const out = new Array<StoredExample>(positions.length);
  for await (const batch of store.streamExamples(selectionFilter(plan.selection), { signal, batchSize: 5000 })) {
    for (const e of batch) {
      const i = slot.get(e.id);
      if (i !== undefined) out[i] = e;
    }
  }
  return out;
}
