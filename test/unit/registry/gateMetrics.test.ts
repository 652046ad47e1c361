/**
 * The gate computes one metric at a time by the cheapest evaluate function (gateMetrics.ts):
 * the values must be exactly those of computeHeadlineMetrics and calibrationError, for every
 * metric the project file may name, or "accuracy" would mean two numbers.
 */
import * as assert from 'node:assert/strict';
import { calibrationError, classwiseCalibrationError } from '../../../src/core/evaluate/calibrationError';
import { TASK_METRICS } from '../../../src/core/evaluate/metricNames';
import { computeHeadlineMetrics } from '../../../src/core/evaluate/metrics';
import { allMetrics, metricValue } from '../../../src/core/registry/gateMetrics';
import { createRng } from '../../../src/core/util/random';

function binaryData(n: number, seed: number): { y: Float32Array; s: Float32Array } {
  const rng = createRng(seed);
  const y = new Float32Array(n);
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = rng();
    y[i] = rng() < s[i] ? 1 : 0;
  }
  return { y, s };
}

function multiclassData(n: number, k: number, seed: number): { y: Float32Array; s: Float32Array } {
  const rng = createRng(seed);
  const y = new Float32Array(n);
  const s = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    y[i] = Math.floor(rng() * k);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += s[i * k + c] = rng() + (c === y[i] ? 1 : 0);
    for (let c = 0; c < k; c++) s[i * k + c] /= sum;
  }
  return { y, s };
}

function expectedMetrics(task: 'binary' | 'multiclass' | 'regression', y: Float32Array, s: Float32Array, k: number, bins: number): Record<string, number> {
  const out = { ...computeHeadlineMetrics(task, y, s, k).metrics };
  if (task !== 'regression') {
    const e = calibrationError(y, s, k, { bins });
    out.ece = e.ece;
    out.mce = e.mce;
    out.classwise_ece = classwiseCalibrationError(y, s, k, { bins }).classwiseEce;
  }
  return out;
}

describe('gate metrics (one metric at a time)', () => {
  const cases = [
    { task: 'binary' as const, k: 2, ...binaryData(300, 1) },
    { task: 'multiclass' as const, k: 4, ...multiclassData(300, 4, 2) },
    (() => {
      const rng = createRng(3);
      const y = Float32Array.from({ length: 200 }, () => 10 * rng());
      const s = Float32Array.from(y, (v) => v + rng() - 0.5);
      return { task: 'regression' as const, k: 1, y, s };
    })(),
  ];
  for (const c of cases) {
    it(`${c.task}: every metric the gate may name equals computeHeadlineMetrics / calibrationError exactly`, () => {
      const expected = expectedMetrics(c.task, c.y, c.s, c.k, 10);
      assert.deepEqual(Object.keys(expected).sort(), [...TASK_METRICS[c.task]].sort(), 'TASK_METRICS lists exactly the metrics computed');
      for (const name of TASK_METRICS[c.task]) assert.equal(metricValue(c.task, name, c.y, c.s, c.k, 10), expected[name], name);
      assert.deepEqual(allMetrics(c.task, c.y, c.s, c.k, 10).metrics, expected);
    });
  }

  it('is undefined where scikit-learn refuses: ROC AUC and average precision with one class, multiclass ROC AUC with a class absent, R² with one row', () => {
    const y = Float32Array.from([0, 0, 0, 0]);
    const s = Float32Array.from([0.1, 0.6, 0.3, 0.2]);
    assert.equal(metricValue('binary', 'roc_auc', y, s, 2), undefined);
    assert.equal(metricValue('binary', 'average_precision', y, s, 2), undefined);
    assert.equal(typeof metricValue('binary', 'accuracy', y, s, 2), 'number');
    const m = multiclassData(30, 3, 4);
    for (let i = 0; i < m.y.length; i++) if (m.y[i] === 2) m.y[i] = 0;
    assert.equal(metricValue('multiclass', 'roc_auc', m.y, m.s, 3), undefined);
    assert.equal(metricValue('multiclass', 'roc_auc_weighted', m.y, m.s, 3), undefined);
    assert.equal(metricValue('regression', 'r2', Float32Array.from([1]), Float32Array.from([2]), 1), undefined);
    assert.equal(metricValue('regression', 'mae', Float32Array.from([1]), Float32Array.from([2]), 1), 1);
  });

  it("is undefined for a metric the task does not have (binary 'f1_weighted', multiclass 'f1')", () => {
    const b = binaryData(20, 5);
    assert.equal(metricValue('binary', 'f1_weighted', b.y, b.s, 2), undefined);
    const m = multiclassData(20, 3, 6);
    assert.equal(metricValue('multiclass', 'f1', m.y, m.s, 3), undefined);
    assert.equal(metricValue('multiclass', 'no_such_metric', m.y, m.s, 3), undefined);
  });
});
