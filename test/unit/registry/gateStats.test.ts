/**
 * The gate's statistics against scipy / scikit-learn / numpy (test/fixtures/sklearn/gate.json,
 * written by scripts/reference/gate_stats.py): McNemar's exact and χ² p-values, erfc, binomial
 * tails, and the paired bootstrap evaluated by numpy on the very resamples the gate draws.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateGate } from '../../../src/core/registry/gate';
import {
  binomialHalfTwoSided,
  binomialHalfUpperTail,
  bootstrapResampleIndices,
  chiSquareOneSurvival,
  complementaryErrorFunction,
  MCNEMAR_EXACT_BELOW,
  mcnemarTest,
  normalUpperTail,
  summariseDifferences,
} from '../../../src/core/registry/gateStats';
import { metricValue } from '../../../src/core/registry/gateMetrics';
import type { GateConfig } from '../../../src/core/project/types';

interface McNemarCase {
  challengerOnly: number;
  championOnly: number;
  exactOneSided: number;
  exactTwoSided: number;
  chiSquareStatistic?: number;
  chiSquareTwoSided?: number;
  normalOneSided?: number;
  halfChiSquare?: number;
  variant: 'exact' | 'chi_square';
  statistic?: number;
  pValue: number;
  pValueTwoSided?: number;
}
interface BootstrapCase {
  name: string;
  task: 'binary' | 'multiclass' | 'regression';
  metric: string;
  k: number;
  seed: number;
  resamples: number;
  alpha: number;
  y: number[];
  champion: number[];
  challenger: number[];
  championValue: number | null;
  challengerValue: number | null;
  resamplesUsed: number;
  pValue: number;
  interval: { lower: number; upper: number; confidence: number };
  indices?: number[];
}
interface GateFixture {
  mcnemar: McNemarCase[];
  exactVersusChiSquare: { from: number; gap: number };
  erfc: Array<{ x: number; erfc: number }>;
  binomial: Array<{ k: number; n: number; upperTail: number; twoSided: number }>;
  bootstrap: BootstrapCase[];
}

const fixture: GateFixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/sklearn/gate.json'), 'utf8'));

/** |a − b| ≤ tol·max(1, |b|): absolute near 0, relative for large values. */
function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected} (difference ${actual - expected})`);
}

/** Relative closeness, for tail probabilities whose size spans many decades. */
function relClose(actual: number, expected: number, tol: number, what: string): void {
  if (expected === 0) return assert.equal(actual, 0, what);
  assert.ok(Math.abs(actual - expected) <= tol * Math.abs(expected), `${what}: ${actual} vs ${expected} (relative ${(actual - expected) / expected})`);
}

function bootstrapConfig(c: BootstrapCase): GateConfig {
  return { metric: c.metric, margin: 0, alpha: c.alpha, floors: {}, maxClassDrop: 1, minClassRows: 1, slices: [], minRows: 1, bootstrap: c.resamples };
}

describe('gate statistics against scipy (gate.json)', () => {
  it('erfc matches scipy.special.erfc to 1e-14 relative, from −3 to the far tail (x = 26)', () => {
    for (const { x, erfc } of fixture.erfc) relClose(complementaryErrorFunction(x), erfc, 1e-14, `erfc(${x})`);
  });

  it('binomial(n, ½) tails match scipy for n up to 1000 (exact rows to 52, log recurrence beyond)', () => {
    for (const { k, n, upperTail, twoSided } of fixture.binomial) {
      relClose(binomialHalfUpperTail(k, n), upperTail, 1e-12, `P(X ≥ ${k} | n = ${n})`);
      relClose(binomialHalfTwoSided(k, n), twoSided, 1e-12, `two-sided ${k} of ${n}`);
    }
  });

  it("McNemar's exact, χ² and normal-tail p-values match scipy on every table, ties and no discordant row included", () => {
    for (const t of fixture.mcnemar) {
      const where = `c = ${t.challengerOnly}, b = ${t.championOnly}`;
      const n = t.challengerOnly + t.championOnly;
      if (n > 0) {
        relClose(binomialHalfUpperTail(t.challengerOnly, n), t.exactOneSided, 1e-12, `${where}: binomtest greater`);
        relClose(binomialHalfTwoSided(t.challengerOnly, n), t.exactTwoSided, 1e-12, `${where}: binomtest two-sided`);
        relClose(chiSquareOneSurvival(t.chiSquareStatistic!), t.chiSquareTwoSided!, 1e-12, `${where}: chi2.sf`);
        relClose(normalUpperTail((t.challengerOnly - t.championOnly - 1) / Math.sqrt(n)), t.normalOneSided!, 1e-12, `${where}: norm.sf`);
        if (t.halfChiSquare !== undefined) relClose(t.normalOneSided!, t.halfChiSquare, 1e-12, `${where}: one-sided is half the chi-square p (the fixture agrees with itself)`);
      }
      const result = mcnemarTest(t.challengerOnly, t.championOnly);
      assert.equal(result.variant, t.variant, `${where}: variant`);
      assert.equal(result.variant, n < MCNEMAR_EXACT_BELOW ? 'exact' : 'chi_square');
      relClose(result.pValue, t.pValue, 1e-12, `${where}: gate p-value`);
      if (t.pValueTwoSided !== undefined) relClose(result.pValueTwoSided, t.pValueTwoSided, 1e-12, `${where}: two-sided`);
      if (t.statistic !== undefined) close(result.statistic!, t.statistic, 1e-12, `${where}: statistic`);
    }
  });

  it('no discordant row and an exact tie give p = 1 or more than ½: the challenger is not shown better', () => {
    assert.equal(mcnemarTest(0, 0).pValue, 1);
    assert.equal(mcnemarTest(0, 0).pValueTwoSided, 1);
    assert.ok(mcnemarTest(12, 12).pValue > 0.5);
    assert.ok(mcnemarTest(30, 30).pValue > 0.5);
  });

  it('the χ² approximation used from 25 discordant rows stays within 0.002 of the exact p-value (as the fixture measured)', () => {
    assert.equal(fixture.exactVersusChiSquare.from, MCNEMAR_EXACT_BELOW);
    assert.ok(fixture.exactVersusChiSquare.gap < 0.002, `gap ${fixture.exactVersusChiSquare.gap}`);
  });

  it("draws exactly the resamples the reference script regenerated from the generator's definition", () => {
    const c = fixture.bootstrap[0];
    assert.ok(c.indices, 'the first case records its indices');
    const ours = bootstrapResampleIndices(c.y.length, c.resamples, c.seed);
    assert.deepEqual(Array.from(ours), c.indices);
  });

  for (const c of fixture.bootstrap) {
    it(`paired bootstrap '${c.name}': p-value, percentile interval and resamples used equal numpy's on the same resamples (1e-12)`, () => {
      const width = c.task === 'multiclass' ? c.k : 1;
      assert.equal(c.champion.length, c.y.length * width);
      const classes = c.task === 'regression' ? [] : Array.from({ length: c.k }, (_, i) => `c${i}`);
      const d = evaluateGate({
        task: c.task,
        classes,
        y: Float32Array.from(c.y),
        champion: Float32Array.from(c.champion),
        challenger: Float32Array.from(c.challenger),
        config: bootstrapConfig(c),
        seed: c.seed,
      });
      assert.equal(d.test.name, 'paired_bootstrap');
      assert.equal(d.test.resamples, c.resamples);
      assert.equal(d.test.resamplesUsed, c.resamplesUsed);
      close(d.test.pValue!, c.pValue, 1e-12, 'p-value');
      close(d.test.interval!.lower, c.interval.lower, 1e-12, 'interval lower');
      close(d.test.interval!.upper, c.interval.upper, 1e-12, 'interval upper');
      close(d.test.interval!.confidence, c.interval.confidence, 1e-15, 'confidence');
      if (c.championValue !== null) close(d.champion![c.metric], c.championValue, 1e-12, 'champion metric');
      if (c.challengerValue !== null) close(d.challenger[c.metric], c.challengerValue, 1e-12, 'challenger metric');
    });
  }

  it('the full-row metric values the reference computed are what metricValue gives', () => {
    for (const c of fixture.bootstrap) {
      const value = metricValue(c.task, c.metric, Float32Array.from(c.y), Float32Array.from(c.challenger), c.k);
      if (c.challengerValue === null) assert.equal(value, undefined);
      else close(value!, c.challengerValue, 1e-12, c.name);
    }
  });
});

describe('summariseDifferences', () => {
  it('counts ties as "not better" whichever way the metric points', () => {
    const d = Float64Array.from([0, 0, 0.1, -0.1]);
    assert.equal(summariseDifferences(d, 4, true, 0.9).pValue, 0.75);
    assert.equal(summariseDifferences(d, 4, false, 0.9).pValue, 0.75);
  });

  it('gives no p-value and no interval when no resample was usable', () => {
    const r = summariseDifferences(new Float64Array(0), 100, true, 0.9);
    assert.equal(r.pValue, null);
    assert.equal(r.interval, null);
    assert.equal(r.resamplesUsed, 0);
  });
});
