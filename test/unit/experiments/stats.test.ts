/**
 * The A/B statistics against scipy and mpmath (test/fixtures/sklearn/ab.json, written by
 * scripts/reference/ab_stats.py): the distributions (incomplete beta and gamma, Student's t,
 * the normal, χ²) and the tests built on them (Welch, two-proportion z, Wilson, χ²
 * goodness of fit, sample sizes).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  chiSquareSurvival,
  logGamma,
  normalCdf,
  normalQuantile,
  regularizedGammaQ,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTQuantile,
  studentTSurvival,
} from '../../../src/core/experiments/distributions';
import {
  chiSquareGoodnessOfFit,
  meanInterval,
  RunningSummary,
  sampleSizeForMeans,
  sampleSizeForProportions,
  summarise,
  twoProportionZTest,
  welchTTest,
  wilsonInterval,
} from '../../../src/core/experiments/stats';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture: any = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'sklearn', 'ab.json'), 'utf8'));

/** |actual − expected| within rel·|expected| (or abs near 0). */
function close(actual: number, expected: number, rel: number, what: string, abs = 1e-300): void {
  const tol = Math.max(abs, rel * Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

describe('A/B distributions against scipy', () => {
  const d = fixture.distributions;

  it('the regularized incomplete beta function matches scipy.special.betainc to 1e-13', () => {
    for (const c of d.beta) close(regularizedIncompleteBeta(c.x, c.a, c.b), c.value, 1e-13, `I_${c.x}(${c.a}, ${c.b})`);
  });

  it('ln Γ and the regularized upper incomplete gamma match scipy to 1e-13', () => {
    for (const c of d.logGamma) close(logGamma(c.x), c.value, 1e-13, `lnΓ(${c.x})`, 1e-15);
    for (const c of d.gammaQ) close(regularizedGammaQ(c.a, c.x), c.value, 1e-12, `Q(${c.a}, ${c.x})`);
  });

  it("Student's t tails match scipy's t.sf and t.cdf to 1e-12 (1e-10 at a million df), far into the tails and for fractional df", () => {
    for (const c of d.tTail) {
      const rel = c.df > 1000 ? 1e-10 : 1e-12;
      close(studentTSurvival(c.t, c.df), c.sf, rel, `sf(${c.t}; ${c.df})`);
      close(studentTCdf(c.t, c.df), c.cdf, rel, `cdf(${c.t}; ${c.df})`);
    }
  });

  it("Student's t quantiles match mpmath to 1e-13 (and scipy's coarser t.ppf to 1e-8)", () => {
    for (const c of d.tQuantile) {
      const q = studentTQuantile(c.p, c.df);
      close(q, c.mpmath, 1e-13, `ppf(${c.p}; ${c.df})`, 1e-15);
      close(q, c.scipy, 1e-8, `ppf(${c.p}; ${c.df}) vs scipy`, 1e-15);
    }
  });

  it('the normal quantile and CDF match scipy, down to p = 1e-300', () => {
    for (const c of d.normalQuantile) close(normalQuantile(c.p), c.ppf, 1e-13, `Φ⁻¹(${c.p})`, 1e-15);
    for (const c of d.normalCdf) close(normalCdf(c.z), c.cdf, 1e-13, `Φ(${c.z})`);
  });

  it('χ² survival matches scipy.stats.chi2.sf to 1e-12', () => {
    for (const c of d.chiSquare) close(chiSquareSurvival(c.x, c.df), c.sf, 1e-12, `χ²_${c.df} ≥ ${c.x}`);
  });

  it('edge arguments: quantiles at 0 and 1 are infinite, invalid ones NaN', () => {
    assert.equal(studentTQuantile(0, 5), -Infinity);
    assert.equal(studentTQuantile(1, 5), Infinity);
    assert.ok(Number.isNaN(studentTQuantile(0.5, 0)));
    assert.ok(Number.isNaN(normalQuantile(1.5)));
    assert.equal(chiSquareSurvival(0, 3), 1);
    assert.equal(studentTSurvival(Infinity, 3), 0);
    assert.equal(studentTSurvival(2, Infinity), normalCdf(-2));
  });
});

describe('A/B tests against scipy', () => {
  it("Welch's t-test matches scipy.stats.ttest_ind(equal_var=False): t, p, df and the interval", () => {
    for (const c of fixture.welch) {
      const r = welchTTest(c.a, c.b, c.confidence)!;
      const what = `welch n=${c.a.n}/${c.b.n}`;
      close(r.statistic, c.statistic, 1e-12, `${what} t`);
      close(r.pValue, c.pValue, 1e-10, `${what} p`);
      close(r.df!, c.df, 1e-12, `${what} df`);
      close(r.difference, c.difference, 1e-12, `${what} difference`, 1e-15);
      close(r.interval.lower, c.lower, 1e-11, `${what} lower`, 1e-14);
      close(r.interval.upper, c.upper, 1e-11, `${what} upper`, 1e-14);
    }
  });

  it("Welch's test needs two observations per arm, and constant arms are decided by their means", () => {
    assert.equal(welchTTest({ n: 1, mean: 1, variance: 0 }, { n: 10, mean: 0, variance: 1 }, 0.95), undefined);
    assert.equal(welchTTest({ n: 5, mean: 1, variance: 0 }, { n: 5, mean: 1, variance: 0 }, 0.95)!.pValue, 1);
    assert.equal(welchTTest({ n: 5, mean: 2, variance: 0 }, { n: 5, mean: 1, variance: 0 }, 0.95)!.pValue, 0);
  });

  it('the two-proportion z-test has the p-value of chi2_contingency(correction=False) and the unpooled Wald interval', () => {
    for (const c of fixture.proportions) {
      const r = twoProportionZTest(c.xa, c.na, c.xb, c.nb, c.confidence)!;
      const what = `${c.xa}/${c.na} vs ${c.xb}/${c.nb}`;
      close(r.statistic, c.statistic, 1e-12, `${what} z`, 1e-15);
      close(r.pValue, c.pValue, 1e-10, `${what} p`);
      close(r.interval.lower, c.lower, 1e-12, `${what} lower`, 1e-15);
      close(r.interval.upper, c.upper, 1e-12, `${what} upper`, 1e-15);
    }
    assert.equal(twoProportionZTest(0, 10, 0, 12, 0.95)!.pValue, 1, 'no successes anywhere: nothing tells the arms apart');
    assert.equal(twoProportionZTest(0, 0, 1, 2, 0.95), undefined);
  });

  it("Wilson's interval matches scipy's binomtest(...).proportion_ci(method='wilson')", () => {
    for (const c of fixture.wilson) {
      const r = wilsonInterval(c.x, c.n, c.confidence)!;
      close(r.lower, c.lower, 1e-12, `wilson ${c.x}/${c.n} lower`, 1e-15);
      close(r.upper, c.upper, 1e-12, `wilson ${c.x}/${c.n} upper`, 1e-15);
    }
  });

  it('the χ² goodness-of-fit test of assignment counts matches scipy.stats.chisquare', () => {
    for (const c of fixture.srm) {
      const r = chiSquareGoodnessOfFit(c.observed, c.shares)!;
      close(r.statistic, c.statistic, 1e-12, `χ² ${c.observed}`, 1e-15);
      close(r.pValue, c.pValue, 1e-10, `p ${c.observed}`);
      assert.equal(r.df, c.df);
    }
    assert.equal(chiSquareGoodnessOfFit([10, 0], [1, 0]), undefined, 'one arm with a share: nothing to compare');
  });

  it('sample sizes match the closed forms, and have the planned power by the normal approximation', () => {
    for (const c of fixture.sampleSize.means) {
      assert.equal(sampleSizeForMeans(c.sd, c.delta, c.alpha, c.power), c.n, `means ${JSON.stringify(c)}`);
      assert.ok(c.powerAtN >= c.power);
    }
    for (const c of fixture.sampleSize.proportions) {
      assert.equal(sampleSizeForProportions(c.p1, c.p2, c.alpha, c.power), c.n, `proportions ${JSON.stringify(c)}`);
      assert.ok(c.powerAtN >= c.power);
    }
    assert.equal(sampleSizeForMeans(1, 0, 0.05, 0.8), Infinity);
  });

  it('a mean interval is the t interval, and the running summary is stable for large offsets', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 7));
    const s = summarise(values);
    const exact = values.map((v) => v - 1e9);
    const mean = exact.reduce((a, b) => a + b, 0) / exact.length;
    const variance = exact.reduce((a, b) => a + (b - mean) ** 2, 0) / (exact.length - 1);
    close(s.mean - 1e9, mean, 1e-6, 'mean');
    close(s.variance, variance, 1e-6, 'variance');
    const r = new RunningSummary();
    for (const v of [1, 2, 3, 4]) r.add(v);
    const i = meanInterval(r, 0.95)!;
    close(i.upper - 2.5, studentTQuantile(0.975, 3) * Math.sqrt(r.variance / 4), 1e-12, 'half width');
    assert.equal(meanInterval({ n: 1, mean: 1, variance: 0 }, 0.95), undefined);
  });
});
