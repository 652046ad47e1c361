import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  precisionRecallCurve,
  quantileOfSorted,
  reliabilityCurve,
  rocCurve,
  thresholdSweep,
} from '../../../src/core/evaluate/curves';
import {
  brierDecomposition,
  calibrationError,
  classwiseCalibrationError,
  expectedCalibrationError,
} from '../../../src/core/evaluate/calibrationError';
import { brierScore } from '../../../src/core/evaluate/metrics';
import { averagePrecision, rocAuc } from '../../../src/core/evaluate/ranking';
import { createRng } from '../../../src/core/util/random';
import { isUserError } from '../../../src/core/util/errors';

interface CurveCase {
  name: string;
  yTrue: number[];
  scores: number[];
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  rocAll: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  sweep: { count: number; bestF1: { threshold: number; f1: number }; bestYoudenJ: { threshold: number; youdenJ: number } };
  reliability: Record<string, { fractionPositive: number[]; meanPredicted: number[] }>;
}
interface CalibrationCase {
  name: string;
  k: number;
  yTrue: number[];
  scores: number[];
  bins: Record<
    string,
    {
      ece: number;
      mce: number;
      classwiseEce: number;
      perClass: number[];
      brier: number;
      reliability: number;
      resolution: number;
      uncertainty: number;
    }
  >;
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/sklearn/curves.json'), 'utf8')) as {
  sklearn: string;
  curves: CurveCase[];
  calibration: CalibrationCase[];
};

function assertArrayClose(actual: number[], expected: number[], tolerance: number, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${label}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

function assertClose(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: got ${actual}, expected ${expected}`);
}

describe(`curves agree with scikit-learn ${fixture.sklearn}`, () => {
  for (const c of fixture.curves) {
    describe(c.name, () => {
      it('ROC curve with intermediate points dropped', () => {
        const curve = rocCurve(c.yTrue, c.scores);
        assertArrayClose(curve.fpr, c.roc.fpr, 1e-12, 'fpr');
        assertArrayClose(curve.tpr, c.roc.tpr, 1e-12, 'tpr');
        assert.equal(curve.thresholds[0], Infinity);
        assertArrayClose(curve.thresholds.slice(1), c.roc.thresholds, 0, 'thresholds');
      });
      it('ROC curve with every threshold', () => {
        const curve = rocCurve(c.yTrue, c.scores, { dropIntermediate: false });
        assertArrayClose(curve.fpr, c.rocAll.fpr, 1e-12, 'fpr');
        assertArrayClose(curve.tpr, c.rocAll.tpr, 1e-12, 'tpr');
        assertArrayClose(curve.thresholds.slice(1), c.rocAll.thresholds, 0, 'thresholds');
      });
      it('precision-recall curve', () => {
        const curve = precisionRecallCurve(c.yTrue, c.scores);
        assertArrayClose(curve.precision, c.pr.precision, 1e-12, 'precision');
        assertArrayClose(curve.recall, c.pr.recall, 1e-12, 'recall');
        assertArrayClose(curve.thresholds, c.pr.thresholds, 0, 'thresholds');
      });
      it('threshold sweep best F1 and Youden J', () => {
        const sweep = thresholdSweep(c.yTrue, c.scores);
        assert.equal(sweep.points.length, c.sweep.count);
        assert.equal(sweep.bestF1.threshold, c.sweep.bestF1.threshold);
        assertClose(sweep.bestF1.f1, c.sweep.bestF1.f1, 1e-12, 'best f1');
        assert.equal(sweep.bestYoudenJ.threshold, c.sweep.bestYoudenJ.threshold);
        assertClose(sweep.bestYoudenJ.youdenJ, c.sweep.bestYoudenJ.youdenJ, 1e-12, 'best J');
      });
      for (const [key, expected] of Object.entries(c.reliability)) {
        it(`reliability curve ${key}`, () => {
          const [strategy, bins] = key.split('_');
          const curve = reliabilityCurve(c.yTrue, c.scores, { strategy: strategy as 'uniform' | 'quantile', bins: Number(bins) });
          assertArrayClose(curve.fractionPositive, expected.fractionPositive, 1e-12, 'fraction positive');
          assertArrayClose(curve.meanPredicted, expected.meanPredicted, 1e-12, 'mean predicted');
          assert.equal(curve.counts.reduce((a, b) => a + b, 0), c.yTrue.length);
        });
      }
    });
  }
});

describe('calibration error agrees with the numpy transcription of the published formulas', () => {
  for (const c of fixture.calibration) {
    for (const [bins, expected] of Object.entries(c.bins)) {
      it(`${c.name}, ${bins} bins`, () => {
        const options = { bins: Number(bins) };
        const report = calibrationError(c.yTrue, c.scores, c.k, options);
        assertClose(report.ece, expected.ece, 1e-12, 'ece');
        assertClose(report.mce, expected.mce, 1e-12, 'mce');
        const classwise = classwiseCalibrationError(c.yTrue, c.scores, c.k, options);
        assertClose(classwise.classwiseEce, expected.classwiseEce, 1e-12, 'classwise ece');
        assertArrayClose(classwise.perClass, expected.perClass, 1e-12, 'per class');
        const decomposition = brierDecomposition(c.yTrue, c.scores, c.k, options);
        assertClose(decomposition.brier, expected.brier, 1e-12, 'brier');
        assertClose(decomposition.reliability, expected.reliability, 1e-12, 'reliability');
        assertClose(decomposition.resolution, expected.resolution, 1e-12, 'resolution');
        assertClose(decomposition.uncertainty, expected.uncertainty, 1e-12, 'uncertainty');
      });
    }
  }
});

describe('curve and calibration invariants', () => {
  const rng = createRng(42);
  const n = 2000;
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng() < 0.4 ? 1 : 0;
    y.push(label);
    // Rounded so that ties are common.
    s.push(Math.round((rng() + 0.3 * label) * 40) / 40);
  }

  it('ROC AUC and average precision are invariant to strictly increasing transforms of the scores', () => {
    const transforms = [(v: number) => Math.exp(3 * v), (v: number) => 1 / (1 + Math.exp(-(v * 10 - 4))), (v: number) => v * v * v - 7];
    const auc = rocAuc(y, s);
    const ap = averagePrecision(y, s);
    for (const f of transforms) {
      const t = s.map(f);
      assert.equal(rocAuc(y, t), auc);
      assert.equal(averagePrecision(y, t), ap);
    }
  });

  it('ROC AUC equals the trapezoidal area under the ROC curve', () => {
    const curve = rocCurve(y, s);
    let area = 0;
    for (let i = 1; i < curve.fpr.length; i++) area += ((curve.fpr[i] - curve.fpr[i - 1]) * (curve.tpr[i] + curve.tpr[i - 1])) / 2;
    assertClose(area, rocAuc(y, s), 1e-12, 'area');
  });

  it('reversing the scores turns AUC into 1 − AUC', () => {
    assertClose(rocAuc(y, s.map((v) => -v)), 1 - rocAuc(y, s), 1e-12, 'reversed');
  });

  it('ECE of a perfectly calibrated sampler shrinks towards 0 as n grows', () => {
    const eceAt = (size: number): number => {
      const r = createRng(size);
      const labels = new Uint8Array(size);
      const probabilities = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        probabilities[i] = r();
        labels[i] = r() < probabilities[i] ? 1 : 0;
      }
      return expectedCalibrationError(labels, probabilities, 2);
    };
    const small = eceAt(1_000);
    const large = eceAt(200_000);
    assert.ok(large < 0.01, `ECE at n = 200k is ${large}`);
    assert.ok(large < small / 4, `ECE should fall roughly as 1/√n: ${small} → ${large}`);
  });

  it('ECE of a constant overconfident forecaster is the gap between confidence and accuracy', () => {
    const labels = [1, 0, 1, 0];
    assertClose(expectedCalibrationError(labels, [0.9, 0.9, 0.9, 0.9], 2), 0.4, 1e-12, 'ece');
  });

  it('the Brier decomposition adds up when each bin holds one forecast value', () => {
    // Forecasts at bin centres, so no bin mixes two forecast values.
    const forecasts = s.map((v) => (Math.min(14, Math.floor(v * 15)) + 0.5) / 15);
    const d = brierDecomposition(y, forecasts, 2);
    assertClose(d.withinBin, 0, 1e-12, 'within-bin remainder');
    assertClose(d.brier, brierScore(y, forecasts, 2), 1e-15, 'brier');
  });

  it('quantile interpolation matches numpy at the ends and between order statistics', () => {
    const sorted = [1, 2, 4, 8];
    assert.equal(quantileOfSorted(sorted, 0), 1);
    assert.equal(quantileOfSorted(sorted, 1), 8);
    assert.equal(quantileOfSorted(sorted, 0.5), 3);
    assertClose(quantileOfSorted(sorted, 0.9), 6.8, 1e-12, 'q90');
  });

  it('curves refuse data without both classes with a UserError', () => {
    assert.throws(() => rocCurve([1, 1], [0.1, 0.2]), isUserError);
    assert.throws(() => precisionRecallCurve([0, 0], [0.1, 0.2]), isUserError);
    assert.throws(() => thresholdSweep([0, 0], [0.1, 0.2]), isUserError);
    assert.throws(() => reliabilityCurve([0, 1], [0.1, NaN]), isUserError);
  });
});
