import * as assert from 'node:assert/strict';
import { aggregateFolds, bootstrapIntervals, type BootstrapResult } from '../../../src/core/evaluate/bootstrap';
import { quantileOfSorted } from '../../../src/core/evaluate/curves';
import { computeHeadlineMetrics } from '../../../src/core/evaluate/metrics';
import type { Task } from '../../../src/core/project/types';
import { CancelledError, isUserError } from '../../../src/core/util/errors';
import { createRng } from '../../../src/core/util/random';

function binaryData(n: number, seed: number): { y: number[]; p: number[] } {
  const rng = createRng(seed);
  const y: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < n; i++) {
    const score = rng();
    p.push(score);
    y.push(rng() < score ? 1 : 0);
  }
  return { y, p };
}

describe('bootstrapIntervals', () => {
  it('brackets every headline metric and is reproducible from the seed', () => {
    const { y, p } = binaryData(400, 1);
    const a = bootstrapIntervals('binary', y, p, 2, { resamples: 300, seed: 5 });
    const b = bootstrapIntervals('binary', y, p, 2, { resamples: 300, seed: 5 });
    assert.deepEqual(a, b);
    for (const [name, interval] of Object.entries(a.intervals)) {
      assert.ok(interval.lower <= interval.upper, name);
      assert.ok(interval.lower <= interval.estimate + 0.02 && interval.estimate - 0.02 <= interval.upper, `${name} estimate outside its interval`);
      assert.equal(interval.resamplesUsed, 300);
    }
    assert.deepEqual(Object.keys(a.intervals).sort(), ['accuracy', 'average_precision', 'brier', 'f1', 'f1_macro', 'log_loss', 'mcc', 'precision', 'precision_macro', 'recall', 'recall_macro', 'roc_auc'].sort());
  });

  it('narrows as the evaluation set grows (width ∝ 1/√n)', () => {
    const small = binaryData(200, 2);
    const large = binaryData(3200, 3);
    const width = (d: { y: number[]; p: number[] }) => {
      const i = bootstrapIntervals('binary', d.y, d.p, 2, { resamples: 200 }).intervals.roc_auc;
      return i.upper - i.lower;
    };
    const ratio = width(small) / width(large);
    assert.ok(ratio > 2.5 && ratio < 6.5, `width ratio ${ratio} (expected ≈ 4)`);
  });

  it('counts only the resamples where a metric is defined', () => {
    // One positive in 30: many resamples miss it, where ROC AUC is undefined.
    const y = new Array(30).fill(0);
    y[0] = 1;
    const p = y.map((v, i) => (v ? 0.9 : i / 40));
    const result = bootstrapIntervals('binary', y, p, 2, { resamples: 200 });
    assert.ok(result.intervals.roc_auc.resamplesUsed < 200);
    assert.equal(result.intervals.accuracy.resamplesUsed, 200);
  });

  it('works for multiclass and regression', () => {
    const rng = createRng(4);
    const y: number[] = [];
    const scores: number[] = [];
    const target: number[] = [];
    const prediction: number[] = [];
    for (let i = 0; i < 150; i++) {
      y.push(i % 3);
      const row = [rng(), rng(), rng()];
      row[i % 3] += 1;
      const total = row[0] + row[1] + row[2];
      scores.push(...row.map((v) => v / total));
      target.push(i / 10);
      prediction.push(i / 10 + rng() - 0.5);
    }
    const multiclass = bootstrapIntervals('multiclass', y, scores, 3, { resamples: 100 });
    assert.ok(multiclass.intervals.f1_weighted.lower > 0.5);
    const regression = bootstrapIntervals('regression', target, prediction, 1, { resamples: 100 });
    assert.ok(regression.intervals.r2.lower > 0.9 && regression.intervals.rmse.upper < 0.5);
  });

  it('rejects bad options and honours cancellation', () => {
    const { y, p } = binaryData(50, 5);
    assert.throws(() => bootstrapIntervals('binary', y, p, 2, { confidence: 1 }), isUserError);
    assert.throws(() => bootstrapIntervals('binary', y, p, 2, { resamples: 0 }), isUserError);
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => bootstrapIntervals('binary', y, p, 2, { signal: controller.signal }), (e: unknown) => e instanceof CancelledError);
  });
});

/**
 * The bootstrap done the straightforward way: materialise each resample (the same seeded draws
 * as bootstrapIntervals: row ⌊rng()·n⌋, n times) and recompute the metrics from scratch, sorting
 * again. bootstrapIntervals counts resamples over once-sorted scores instead; it must give
 * exactly these numbers.
 */
function straightforwardIntervals(task: Task, y: ArrayLike<number>, scores: ArrayLike<number>, k: number, resamples: number, seed: number): BootstrapResult['intervals'] {
  const full = computeHeadlineMetrics(task, y, scores, k).metrics;
  const n = y.length;
  const width = task === 'multiclass' ? k : 1;
  const values: Record<string, number[]> = Object.fromEntries(Object.keys(full).map((name) => [name, []]));
  const rng = createRng(seed);
  for (let r = 0; r < resamples; r++) {
    const labels = new Float64Array(n);
    const sampled = new Float64Array(n * width);
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rng() * n);
      labels[i] = y[j];
      for (let c = 0; c < width; c++) sampled[i * width + c] = scores[j * width + c];
    }
    const metrics = computeHeadlineMetrics(task, labels, sampled, k).metrics;
    for (const name of Object.keys(full)) if (metrics[name] !== undefined) values[name].push(metrics[name]);
  }
  const intervals: BootstrapResult['intervals'] = {};
  const alpha = (1 - 0.95) / 2; // as bootstrapIntervals computes it (0.025000000000000022)
  for (const [name, list] of Object.entries(values)) {
    const sorted = Float64Array.from(list).sort();
    intervals[name] = { estimate: full[name], lower: quantileOfSorted(sorted, alpha), upper: quantileOfSorted(sorted, 1 - alpha), resamplesUsed: list.length };
  }
  return intervals;
}

/** n rows × k classes: probabilities rounded to 0.05 (many ties, exact 0 and 1), a rare last class. */
function multiclassData(n: number, k: number, seed: number, rareShare: number): { y: number[]; p: number[] } {
  const rng = createRng(seed);
  const y: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng() < rareShare ? k - 1 : Math.floor(rng() * (k - 1));
    y.push(label);
    const row = Array.from({ length: k }, (_, c) => Math.round((rng() + (c === label ? 0.6 : 0)) * 4) / 4);
    if (rng() < 0.1) row.fill(0).splice(Math.floor(rng() * k), 1, 1); // a one-hot row
    const total = row.reduce((a, b) => a + b, 0) || 1;
    p.push(...row.map((v) => (total === 0 ? 1 / k : v / total)));
  }
  return { y, p };
}

describe('bootstrapIntervals gives the intervals of recomputing every resample from scratch', () => {
  it('binary, with tied scores and exact 0/1 predictions', () => {
    const rng = createRng(11);
    const y: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < 500; i++) {
      const score = i % 25 === 0 ? (i % 50 === 0 ? 0 : 1) : Math.round(rng() * 20) / 20;
      p.push(score);
      y.push(rng() < (score + 0.1) / 1.2 ? 1 : 0);
    }
    assert.deepEqual(bootstrapIntervals('binary', y, p, 2, { resamples: 300, seed: 3 }).intervals, straightforwardIntervals('binary', y, p, 2, 300, 3));
  });

  it('binary, where many resamples miss the only positive (ROC AUC and average precision undefined there)', () => {
    const y = new Array(40).fill(0);
    y[7] = 1;
    const p = y.map((v, i) => (v ? 0.6 : (i % 9) / 10));
    const result = bootstrapIntervals('binary', y, p, 2, { resamples: 400, seed: 8 });
    assert.ok(result.intervals.roc_auc.resamplesUsed < 400);
    assert.deepEqual(result.intervals, straightforwardIntervals('binary', y, p, 2, 400, 8));
  });

  it('multiclass, with ties, one-hot rows and a rare class some resamples miss', () => {
    const { y, p } = multiclassData(300, 5, 21, 0.01);
    const result = bootstrapIntervals('multiclass', y, p, 5, { resamples: 300, seed: 4 });
    assert.ok(result.intervals.roc_auc.resamplesUsed < 300 && result.intervals.roc_auc.resamplesUsed > 0);
    assert.deepEqual(result.intervals, straightforwardIntervals('multiclass', y, p, 5, 300, 4));
  });

  it('multiclass, float32 model outputs', () => {
    const { y, p } = multiclassData(800, 4, 22, 0.2);
    const scores = Float32Array.from(p);
    assert.deepEqual(bootstrapIntervals('multiclass', y, scores, 4, { resamples: 200, seed: 42 }).intervals, straightforwardIntervals('multiclass', y, scores, 4, 200, 42));
  });

  it('regression', () => {
    const rng = createRng(5);
    const target = Array.from({ length: 200 }, (_, i) => i / 20);
    const prediction = target.map((t) => t + rng() - 0.5);
    assert.deepEqual(bootstrapIntervals('regression', target, prediction, 1, { resamples: 200, seed: 1 }).intervals, straightforwardIntervals('regression', target, prediction, 1, 200, 1));
  });
});

describe('aggregateFolds', () => {
  it('gives the mean and population standard deviation per metric', () => {
    const summary = aggregateFolds([{ accuracy: 0.8, roc_auc: 0.9 }, { accuracy: 0.9 }, { accuracy: 1.0, roc_auc: 0.7 }]);
    assert.ok(Math.abs(summary.accuracy.mean - 0.9) < 1e-15);
    // numpy.std([0.8, 0.9, 1.0]) = 0.0816496580927726
    assert.ok(Math.abs(summary.accuracy.std - 0.0816496580927726) < 1e-15);
    assert.equal(summary.accuracy.folds, 3);
    assert.deepEqual(summary.roc_auc.values, [0.9, 0.7]);
    assert.equal(summary.roc_auc.folds, 2);
  });

  it('refuses no folds and NaN values', () => {
    assert.throws(() => aggregateFolds([]), isUserError);
    assert.throws(() => aggregateFolds([{ f1: NaN }]), isUserError);
  });
});
