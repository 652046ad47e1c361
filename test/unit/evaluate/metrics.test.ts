import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  binaryConfusionMatrix,
  brierScore,
  classificationReport,
  computeHeadlineMetrics,
  confusionMatrix,
  argmaxRows,
  headlineMetrics,
  logLoss,
  multiclassMetrics,
} from '../../../src/core/evaluate/metrics';
import { averagePrecision, rocAuc, rocAucOneVsRest } from '../../../src/core/evaluate/ranking';
import { isUserError } from '../../../src/core/util/errors';

interface BinaryCase {
  name: string;
  yTrue: number[];
  scores: number[];
  expected: Record<string, number>;
  confusion: number[][];
}
interface MulticlassCase extends BinaryCase {
  k: number;
  perClass: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
}
interface MetricsFixture {
  sklearn: string;
  binary: BinaryCase[];
  multiclass: MulticlassCase[];
  regression: BinaryCase[];
}

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../fixtures/sklearn/metrics.json'), 'utf8'),
) as MetricsFixture;

/** Closed-form metrics must agree with scikit-learn to 1e-9 (absolute, values are O(1)). */
function assertClose(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: got ${actual}, scikit-learn ${expected} (tolerance ${tolerance})`);
}

function assertSameMetrics(actual: Record<string, number>, expected: Record<string, number>, label: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${label}: metric names`);
  for (const key of Object.keys(expected)) assertClose(actual[key], expected[key], 1e-9, `${label} ${key}`);
}

function assertUserError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => isUserError(e) && pattern.test((e as Error).message));
}

describe(`headline metrics agree with scikit-learn ${fixture.sklearn}`, () => {
  for (const c of fixture.binary) {
    it(`binary: ${c.name}`, () => {
      assertSameMetrics(headlineMetrics('binary', c.yTrue, c.scores, 2), c.expected, c.name);
      assert.deepEqual(binaryConfusionMatrix(c.yTrue, c.scores).matrix, c.confusion);
      assert.deepEqual(classificationReport(c.yTrue, c.scores, 2).confusion, c.confusion);
    });
  }
  for (const c of fixture.multiclass) {
    it(`multiclass: ${c.name}`, () => {
      assertSameMetrics(headlineMetrics('multiclass', c.yTrue, c.scores, c.k), c.expected, c.name);
      const predicted = argmaxRows(c.scores, c.yTrue.length, c.k);
      const matrix = confusionMatrix(c.yTrue, predicted, c.k);
      assert.deepEqual(matrix, c.confusion);
      const report = classificationReport(c.yTrue, c.scores, c.k);
      assert.deepEqual(report.confusion, c.confusion);
      const perClass = report.scores.perClass;
      for (let j = 0; j < c.k; j++) {
        assertClose(perClass[j].precision, c.perClass.precision[j], 1e-12, `precision of class ${j}`);
        assertClose(perClass[j].recall, c.perClass.recall[j], 1e-12, `recall of class ${j}`);
        assertClose(perClass[j].f1, c.perClass.f1[j], 1e-12, `f1 of class ${j}`);
        assert.equal(perClass[j].support, c.perClass.support[j]);
      }
    });
  }
  for (const c of fixture.regression) {
    it(`regression: ${c.name}`, () => {
      assertSameMetrics(headlineMetrics('regression', c.yTrue, c.scores, 1), c.expected, c.name);
    });
  }
});

describe('undefined metrics are omitted with a reason', () => {
  it('binary ROC AUC and average precision are omitted when yTrue has only negatives', () => {
    const report = computeHeadlineMetrics('binary', [0, 0, 0], [0.2, 0.6, 0.1], 2);
    assert.equal(report.metrics.roc_auc, undefined);
    assert.match(report.omitted.roc_auc, /only class 0/);
    assert.match(report.omitted.average_precision, /no positive/);
  });

  it('multiclass ROC AUC names the classes absent from yTrue', () => {
    const report = multiclassMetrics([0, 0, 1], [0.5, 0.3, 0.2, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6], 3);
    assert.match(report.omitted.roc_auc, /class 2 is absent/);
    assert.equal(report.metrics.roc_auc, undefined);
  });

  it('R² is omitted for a single example', () => {
    assert.match(computeHeadlineMetrics('regression', [1], [2], 1).omitted.r2, /fewer than two/);
  });
});

describe('bad input fails with a UserError that says what is wrong', () => {
  it('NaN in scores names the index', () => {
    assertUserError(() => headlineMetrics('binary', [0, 1], [0.2, NaN], 2), /scores\[1\] is NaN/);
  });
  it('NaN in regression targets', () => {
    assertUserError(() => headlineMetrics('regression', [NaN], [1], 1), /yTrue\[0\] is NaN/);
  });
  it('empty input', () => {
    assertUserError(() => headlineMetrics('binary', [], [], 2), /empty/);
    assertUserError(() => headlineMetrics('multiclass', [], [], 3), /empty/);
  });
  it('labels other than 0/1 in a binary task', () => {
    assertUserError(() => headlineMetrics('binary', [0, 2], [0.1, 0.9], 2), /must be 0 or 1/);
  });
  it('a class index outside 0..k-1', () => {
    assertUserError(() => headlineMetrics('multiclass', [0, 3], [1, 0, 0, 0, 1, 0], 3), /0\.\.2/);
  });
  it('a probability above 1', () => {
    assertUserError(() => headlineMetrics('binary', [0, 1], [0.1, 1.2], 2), /\[0, 1\]/);
  });
  it('mismatched lengths', () => {
    assertUserError(() => headlineMetrics('binary', [0, 1, 1], [0.1, 0.2], 2), /same examples/);
    assertUserError(() => headlineMetrics('multiclass', [0, 1], [0.5, 0.5, 1], 2), /n×k/);
  });
  it('an n×2 matrix passed to a binary task', () => {
    assertUserError(() => headlineMetrics('binary', [0, 1], [0.8, 0.2, 0.3, 0.7], 2), /P\(class 1\)/);
  });
  it('a k that does not fit the task', () => {
    assertUserError(() => headlineMetrics('binary', [0, 1], [0.1, 0.9], 3), /k = 2/);
    assertUserError(() => headlineMetrics('regression', [0, 1], [0.1, 0.9], 2), /k = 1/);
  });
  it('rocAuc and averagePrecision refuse data without both classes', () => {
    assertUserError(() => rocAuc([1, 1], [0.2, 0.3]), /one class/);
    assertUserError(() => averagePrecision([0, 0], [0.2, 0.3]), /no positive/);
    assertUserError(() => rocAucOneVsRest([0, 1], [0.5, 0.3, 0.2, 0.1, 0.8, 0.1], 3), /every one of the 3 classes/);
  });
});

describe('metric definitions', () => {
  it('predicts positive at exactly the threshold (score ≥ t)', () => {
    const c = binaryConfusionMatrix([0, 1], [0.5, 0.5], 0.5);
    assert.deepEqual([c.tn, c.fp, c.fn, c.tp], [0, 1, 0, 1]);
  });
  it('log loss clips exact 0/1 probabilities at float64 machine epsilon, as scikit-learn eps="auto"', () => {
    // A confidently wrong prediction costs −log(2.22e-16) = 36.04 (1e-15 would give 34.54).
    assertClose(logLoss([1, 0], [0, 1], 2), -Math.log(2.220446049250313e-16), 1e-12, 'binary');
    assertClose(logLoss([2], [0.5, 0.5, 0], 3), -Math.log(2.220446049250313e-16 / (1 + 2.220446049250313e-16)), 1e-12, 'multiclass');
    // A confidently right one costs −log(1 − ε), i.e. about ε.
    assertClose(logLoss([1], [1], 2), 2.220446049250313e-16, 1e-20, 'right');
  });
  it('binary log loss and Brier accept k = 2 with a score vector', () => {
    assertClose(logLoss([1, 0], [0.5, 0.5], 2), Math.LN2, 1e-15, 'log loss');
    assertClose(brierScore([1, 0], [1, 0], 2), 0, 0, 'perfect brier');
  });
  it('multiclass Brier of a k = 2 matrix is twice the binary Brier', () => {
    const y = [1, 0, 1];
    const p = [0.7, 0.4, 0.1];
    const matrix = p.flatMap((v) => [1 - v, v]);
    assertClose(brierScore(y, matrix, 2), 2 * brierScore(y, p, 2), 1e-15, 'brier');
  });
  it('ROC AUC counts tied positive/negative pairs as one half', () => {
    assert.equal(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.9]), 0.75); // pairs: two ties (½ each) + two wins
    assert.equal(rocAuc([0, 1], [0.3, 0.3]), 0.5);
  });
  it('ROC AUC is unchanged by -0 versus +0 scores', () => {
    assert.equal(rocAuc([0, 1, 0, 1], [-0, 0, 0, -0]), 0.5);
  });
});
