import * as assert from 'node:assert/strict';
import { aggregateFolds, bootstrapIntervals } from '../../../src/core/evaluate/bootstrap';
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
