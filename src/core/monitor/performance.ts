/**
 * Live performance of the serving model once labels arrive (outcomes, and feedback that
 * corrects, accepts or rejects a prediction): accuracy, F1 and ECE (MAE for regression) over
 * the current window, each with an interval of its own sampling error, compared with the
 * champion's test metrics and their bootstrap intervals; latency percentiles; the share of
 * predictions under the confidence threshold (the fallback rate); the share of suggestions
 * accepted.
 *
 * A live metric is judged against two bars, both only when the live interval clears them
 * (a few dozen labels do not alert because one day was unlucky):
 *  - under its floor (the gate's floors by default): critical — the model is worse than any
 *    model would be allowed to be;
 *  - under the champion's test interval: warning — it does worse in production than on its
 *    test rows, beyond what chance explains on either side.
 *
 * Pure module: no node built-ins.
 */
import { binnedCalibrationErrorUnchecked } from '../evaluate/calibrationError';
import { quantileOfSorted } from '../evaluate/curves';
import { metricDirection } from '../evaluate/metricNames';
import type { Task } from '../project/types';
import { createRng } from '../util/random';
import { normalQuantile } from './stats/special';

/** A prediction of the serving model with what is known of the truth. */
export interface LabelledPrediction {
  predicted: string | number;
  confidence: number | null;
  /** The true label or value, when an outcome or a correcting feedback said it. */
  truth: string | number | null;
  /** Classification: whether the prediction was right (a rejection without a label: false). */
  correct: boolean | null;
}

export interface ChampionMetric {
  value: number;
  lower: number | null;
  upper: number | null;
}

export type LiveStatus = 'ok' | 'warning' | 'critical' | 'not_enough_data';

export interface LiveMetric {
  value: number | null;
  lower: number | null;
  upper: number | null;
  /** Rows it was computed on. */
  n: number;
  champion: ChampionMetric | null;
  /** Floor (a ceiling for errors) it is held to, if any. */
  floor: number | null;
  direction: 'higher' | 'lower';
  status: LiveStatus;
  /** Why the status, in a sentence. */
  reason: string;
}

export interface LivePerformanceInput {
  task: Task;
  /** The serving model's classes in index order (binary: the positive class is the second). */
  classes: string[];
  labelled: LabelledPrediction[];
  champion: Record<string, ChampionMetric>;
  floors: Record<string, number>;
  minLabels: number;
  /** Interval coverage (evaluation.confidence). */
  confidence: number;
  eceBins: number;
  seed: number;
  /** Bootstrap resamples of the F1, ECE and MAE intervals. Default 400. */
  resamples?: number;
}

/** The F1 a task's headline uses: the positive class's for binary, macro for multiclass. */
export function liveF1Name(task: Task): 'f1' | 'f1_macro' {
  return task === 'binary' ? 'f1' : 'f1_macro';
}

/** The live metrics, each with its interval, its comparison and its status. */
export function livePerformance(input: LivePerformanceInput): Record<string, LiveMetric> {
  const rows = input.labelled;
  const out: Record<string, LiveMetric> = {};
  const z = normalQuantile(0.5 + input.confidence / 2);
  const resamples = input.resamples ?? 400;
  const lowerQ = (1 - input.confidence) / 2;
  const upperQ = (1 + input.confidence) / 2;
  const judge = (name: string, value: number | null, lower: number | null, upper: number | null, n: number): LiveMetric => {
    const direction = metricDirection(name === 'ece' ? 'ece' : name);
    const champion = input.champion[name] ?? null;
    const floor = input.floors[name] ?? null;
    const base = { value, lower, upper, n, champion, floor, direction };
    if (n < input.minLabels || value === null) return { ...base, status: 'not_enough_data', reason: `${n} labelled prediction${n === 1 ? '' : 's'}; live ${name} needs ${input.minLabels} (monitoring.minLabels).` };
    const fmt = (v: number) => String(Math.round(v * 10000) / 10000);
    // "Significantly worse than b": the whole live interval is on the wrong side of b.
    const worseThan = (b: number) => (direction === 'higher' ? upper! < b : lower! > b);
    if (floor !== null && worseThan(floor)) {
      return { ...base, status: 'critical', reason: `live ${name} ${fmt(value)} (${fmt(lower!)}–${fmt(upper!)}, ${n} rows) is ${direction === 'higher' ? 'below its floor' : 'above its limit'} ${fmt(floor)}.` };
    }
    if (champion) {
      const bar = direction === 'higher' ? (champion.lower ?? champion.value) : (champion.upper ?? champion.value);
      if (worseThan(bar)) {
        return {
          ...base,
          status: 'warning',
          reason: `live ${name} ${fmt(value)} (${fmt(lower!)}–${fmt(upper!)}, ${n} rows) is ${direction === 'higher' ? 'below' : 'above'} the champion's test ${name} ${fmt(champion.value)}${champion.lower !== null ? ` (${fmt(champion.lower)}–${fmt(champion.upper!)})` : ''}.`,
        };
      }
    }
    return { ...base, status: 'ok', reason: `live ${name} ${fmt(value)} (${fmt(lower!)}–${fmt(upper!)}, ${n} rows).` };
  };

  if (input.task === 'regression') {
    const pairs = rows.filter((r) => typeof r.truth === 'number' && typeof r.predicted === 'number');
    const err = Float64Array.from(pairs, (r) => Math.abs((r.predicted as number) - (r.truth as number)));
    const mae = err.length ? mean(err) : null;
    const [lo, hi] = err.length >= input.minLabels ? bootstrapInterval(err.length, resamples, input.seed, lowerQ, upperQ, (idx) => meanAt(err, idx)) : [null, null];
    out.mae = judge('mae', mae, lo, hi, err.length);
    return out;
  }

  // Accuracy: every row whose correctness is known; Wilson's interval.
  const judged = rows.filter((r) => r.correct !== null);
  const correct = judged.filter((r) => r.correct).length;
  const n = judged.length;
  if (n > 0) {
    const p = correct / n;
    const z2 = z * z;
    const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
    // At p = 0 or 1 the interval ends exactly at the bound (the float sum misses it by an ulp).
    out.accuracy = judge('accuracy', p, correct === 0 ? 0 : Math.max(0, centre - half), correct === n ? 1 : Math.min(1, centre + half), n);
  } else out.accuracy = judge('accuracy', null, null, null, 0);

  // F1: rows whose true class is known.
  const known = rows.filter((r) => r.truth !== null);
  const classIndex = new Map(input.classes.map((c, i) => [c, i]));
  const other = input.classes.length; // a label the model does not know: its own class
  const y = Int32Array.from(known, (r) => classIndex.get(String(r.truth)) ?? other);
  const yp = Int32Array.from(known, (r) => classIndex.get(String(r.predicted)) ?? other);
  const f1Name = liveF1Name(input.task);
  const f1 = (idx: ArrayLike<number> | null) => (input.task === 'binary' ? binaryF1(y, yp, idx) : macroF1(y, yp, other + 1, idx));
  if (known.length > 0) {
    const [lo, hi] = known.length >= input.minLabels ? bootstrapInterval(known.length, resamples, input.seed + 1, lowerQ, upperQ, f1) : [null, null];
    out[f1Name] = judge(f1Name, f1(null), lo, hi, known.length);
  } else out[f1Name] = judge(f1Name, null, null, null, 0);

  // ECE: rows with a confidence and a known correctness; top-label, equal-width bins.
  const withConfidence = judged.filter((r) => r.confidence !== null && Number.isFinite(r.confidence));
  const conf = Float64Array.from(withConfidence, (r) => r.confidence!);
  const hit = Float64Array.from(withConfidence, (r) => (r.correct ? 1 : 0));
  const ece = (idx: ArrayLike<number> | null) => {
    if (!idx) return binnedCalibrationErrorUnchecked(conf, hit, input.eceBins).ece;
    const c = new Float64Array(idx.length);
    const h = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      c[i] = conf[idx[i]];
      h[i] = hit[idx[i]];
    }
    return binnedCalibrationErrorUnchecked(c, h, input.eceBins).ece;
  };
  if (conf.length > 0) {
    const [lo, hi] = conf.length >= input.minLabels ? bootstrapInterval(conf.length, resamples, input.seed + 2, lowerQ, upperQ, ece) : [null, null];
    out.ece = judge('ece', ece(null), lo, hi, conf.length);
  } else out.ece = judge('ece', null, null, null, 0);
  return out;
}

function mean(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

function meanAt(v: Float64Array, idx: ArrayLike<number> | null): number {
  if (!idx) return mean(v);
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += v[idx[i]];
  return s / idx.length;
}

/** Percentile bootstrap of a statistic of rows (seeded: the same data give the same interval). */
function bootstrapInterval(n: number, resamples: number, seed: number, lowerQ: number, upperQ: number, stat: (idx: ArrayLike<number> | null) => number): [number, number] {
  const rng = createRng(seed);
  const values = new Float64Array(resamples);
  const idx = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    values[r] = stat(idx);
  }
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  return [quantileOfSorted(finite, lowerQ), quantileOfSorted(finite, upperQ)];
}

/** F1 of class 1 (scikit-learn's f1_score with pos_label the positive class; 0 when undefined). */
function binaryF1(y: Int32Array, yp: Int32Array, idx: ArrayLike<number> | null): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const n = idx ? idx.length : y.length;
  for (let t = 0; t < n; t++) {
    const i = idx ? idx[t] : t;
    const truth = y[i] === 1;
    const pred = yp[i] === 1;
    if (truth && pred) tp++;
    else if (pred) fp++;
    else if (truth) fn++;
  }
  const d = 2 * tp + fp + fn;
  return d === 0 ? 0 : (2 * tp) / d;
}

/** Macro F1 over the classes present in the truth or the predictions (scikit-learn's default labels). */
function macroF1(y: Int32Array, yp: Int32Array, k: number, idx: ArrayLike<number> | null): number {
  const tp = new Float64Array(k);
  const fp = new Float64Array(k);
  const fn = new Float64Array(k);
  const seen = new Uint8Array(k);
  const n = idx ? idx.length : y.length;
  for (let t = 0; t < n; t++) {
    const i = idx ? idx[t] : t;
    seen[y[i]] = 1;
    seen[yp[i]] = 1;
    if (y[i] === yp[i]) tp[y[i]]++;
    else {
      fp[yp[i]]++;
      fn[y[i]]++;
    }
  }
  let sum = 0;
  let count = 0;
  for (let c = 0; c < k; c++) {
    if (!seen[c]) continue;
    const d = 2 * tp[c] + fp[c] + fn[c];
    sum += d === 0 ? 0 : (2 * tp[c]) / d;
    count++;
  }
  return count ? sum / count : 0;
}

/** p50 / p95 / p99 of latencies in ms (numpy's linear percentiles); null with none. */
export function latencyPercentiles(latencies: ArrayLike<number>): { n: number; p50: number | null; p95: number | null; p99: number | null } {
  const sorted = Float64Array.from(latencies).filter((v) => Number.isFinite(v)).sort();
  if (sorted.length === 0) return { n: 0, p50: null, p95: null, p99: null };
  return { n: sorted.length, p50: quantileOfSorted(sorted, 0.5), p95: quantileOfSorted(sorted, 0.95), p99: quantileOfSorted(sorted, 0.99) };
}
