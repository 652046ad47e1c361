/**
 * The current window: the logged predictions of the last `monitoring.window` (a duration, or
 * the newest N), read from the store in batches into compact columns — the model's input
 * features as the pipeline reads them, and for the predictions the serving model made, their
 * outputs, confidence and latency — with the outcomes and feedback that arrived for them.
 */
import type { MonitoringConfig } from '../project/types';
import { isMissing, parseBoolean, parseNumber, scalarText } from '../data/values';
import type { Label, PredictionFilter, Store, StoredFeedback, StoredOutcome } from '../store/types';
import { throwIfAborted } from '../util/errors';
import { parseDuration } from '../util/schedule';
import type { ColumnType } from './drift';
import type { LabelledPrediction } from './performance';

export interface CurrentWindow {
  /** Predictions in the window (all models). */
  n: number;
  /** Times of the oldest and newest prediction in it. */
  from: string | null;
  to: string | null;
  /** What the window was asked to be. */
  filter: PredictionFilter;
  /** Feature columns over all predictions of the window: numbers (NaN missing) or text (undefined missing). */
  columns: Array<Float64Array | Array<string | undefined>>;
  /** Latencies logged (ms), all models. */
  latencies: Float64Array;
  /** The serving model's predictions in the window. */
  served: {
    n: number;
    labels: Array<string | undefined>;
    values: Float64Array;
    confidence: Float64Array;
    /** Prediction ids, in order. */
    ids: string[];
  };
}

/** The store filter of the window at `now`. */
export function windowFilter(window: MonitoringConfig['window'], now: Date): PredictionFilter {
  if ('last' in window) return { last: window.last };
  return { from: new Date(now.getTime() - parseDuration(window.duration)).toISOString() };
}

/** A record value read as the pipeline reads it: number (NaN missing), or text ('true'/'false' for booleans). */
function readValue(type: ColumnType, raw: unknown): number | string | undefined {
  if (type === 'numeric') {
    const v = parseNumber(raw);
    return v === undefined ? NaN : v;
  }
  if (type === 'boolean') {
    const b = typeof raw === 'boolean' ? raw : isMissing(raw) ? undefined : parseBoolean(raw);
    return b === undefined ? undefined : b ? 'true' : 'false';
  }
  return scalarText(raw);
}

/**
 * Reads the window's predictions.
 * @param features the model's input features (name and type).
 * @param servingVersion the version whose outputs are compared (other versions' predictions count for the inputs only).
 */
export async function readCurrentWindow(store: Store, features: Array<{ name: string; type: ColumnType }>, servingVersion: string, filter: PredictionFilter, signal?: AbortSignal): Promise<CurrentWindow> {
  const numeric: number[][] = features.map(() => []);
  const text: Array<Array<string | undefined>> = features.map(() => []);
  const latencies: number[] = [];
  const served = { labels: [] as Array<string | undefined>, values: [] as number[], confidence: [] as number[], ids: [] as string[] };
  let n = 0;
  let from: string | null = null;
  let to: string | null = null;
  for await (const batch of store.streamPredictions(filter, { batchSize: 5000, ...(signal ? { signal } : {}) })) {
    throwIfAborted(signal);
    for (const p of batch) {
      n++;
      if (from === null || p.time < from) from = p.time;
      if (to === null || p.time > to) to = p.time;
      for (let f = 0; f < features.length; f++) {
        const v = readValue(features[f].type, p.input?.[features[f].name]);
        if (features[f].type === 'numeric') numeric[f].push(v as number);
        else text[f].push(v as string | undefined);
      }
      if (p.latencyMs !== undefined && Number.isFinite(p.latencyMs)) latencies.push(p.latencyMs);
      if (p.model === servingVersion) {
        served.ids.push(p.id);
        served.labels.push(p.output.label === undefined || p.output.label === null ? undefined : String(p.output.label));
        served.values.push(typeof p.output.value === 'number' ? p.output.value : NaN);
        served.confidence.push(typeof p.output.confidence === 'number' ? p.output.confidence : NaN);
      }
    }
  }
  return {
    n,
    from,
    to,
    filter,
    columns: features.map((f, i) => (f.type === 'numeric' ? Float64Array.from(numeric[i]) : text[i])),
    latencies: Float64Array.from(latencies),
    served: { n: served.ids.length, labels: served.labels, values: Float64Array.from(served.values), confidence: Float64Array.from(served.confidence), ids: served.ids },
  };
}

/** What the labels that arrived say about the serving model's predictions of the window. */
export interface ArrivedLabels {
  labelled: LabelledPrediction[];
  /** The true labels (or values) that arrived, for label shift. */
  truths: Label[];
  /** Feedback that judged a suggestion (accepted, rejected, or a label): how many, and how many accepted it. */
  judged: number;
  accepted: number;
}

/**
 * Joins outcomes and feedback to the serving model's predictions of the window. The truth of a
 * prediction is its outcome's label or value, else the label of its newest correcting feedback;
 * an acceptance makes the prediction right; a rejection without a label makes it wrong with the
 * truth unknown (it counts for accuracy and calibration, not for F1).
 */
export async function arrivedLabels(store: Store, window: CurrentWindow, task: 'binary' | 'multiclass' | 'regression'): Promise<ArrivedLabels> {
  const index = new Map<string, number>();
  window.served.ids.forEach((id, i) => index.set(id, i));
  const empty: ArrivedLabels = { labelled: [], truths: [], judged: 0, accepted: 0 };
  if (index.size === 0 || window.from === null) return empty;
  // Outcomes and feedback come at or after their prediction, so the window's start bounds them.
  const outcomes: StoredOutcome[] = await store.listOutcomes({ from: window.from });
  const feedback: StoredFeedback[] = await store.listFeedback({ from: window.from });
  const truth = new Map<number, Label>();
  const verdict = new Map<number, boolean>();
  let judged = 0;
  let accepted = 0;
  for (const f of feedback) {
    const i = index.get(f.prediction);
    if (i === undefined) continue;
    const predicted = task === 'regression' ? window.served.values[i] : window.served.labels[i];
    if (f.label !== undefined) {
      truth.set(i, f.label);
      judged++;
      if (String(f.label) === String(predicted)) accepted++;
    } else if (f.accepted !== undefined) {
      judged++;
      if (f.accepted) accepted++;
      verdict.set(i, f.accepted);
    }
  }
  for (const o of outcomes) {
    const i = index.get(o.prediction);
    if (i === undefined) continue;
    if (task === 'regression' ? o.value !== undefined : o.label !== undefined) truth.set(i, (task === 'regression' ? o.value : o.label)!);
  }
  const labelled: LabelledPrediction[] = [];
  const truths: Label[] = [];
  const rows = new Set<number>([...truth.keys(), ...verdict.keys()]);
  for (const i of [...rows].sort((a, b) => a - b)) {
    const conf = window.served.confidence[i];
    const t = truth.get(i);
    if (task === 'regression') {
      const predicted = window.served.values[i];
      if (t === undefined || !Number.isFinite(predicted)) continue;
      labelled.push({ predicted, confidence: null, truth: Number(t), correct: null });
      truths.push(Number(t));
      continue;
    }
    const predicted = window.served.labels[i];
    if (predicted === undefined) continue;
    if (t !== undefined) {
      labelled.push({ predicted, confidence: Number.isFinite(conf) ? conf : null, truth: String(t), correct: String(t) === predicted });
      truths.push(String(t));
    } else {
      // A verdict without a label: accepted means the prediction was the truth.
      const ok = verdict.get(i)!;
      labelled.push({ predicted, confidence: Number.isFinite(conf) ? conf : null, truth: ok ? predicted : null, correct: ok });
      if (ok) truths.push(predicted);
    }
  }
  return { labelled, truths, judged, accepted };
}
