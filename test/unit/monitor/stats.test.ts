/**
 * The drift statistics (src/core/monitor/stats/) against scipy and numpy
 * (scripts/reference/drift_stats.py → test/fixtures/sklearn/drift.json): KS statistics and
 * p-values (exact and asymptotic, with ties), the one-sample KS distributions, χ² of
 * homogeneity and its survival function, the incomplete gamma functions, Wasserstein, Jensen–
 * Shannon, PSI over reference-quantile bins, the normal quantile; and the one-pass numeric
 * comparison against the sort-and-merge definitions it replaces.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chiSquareHomogeneity, holmAdjust, jensenShannonDistance, wassersteinSorted } from '../../../src/core/monitor/stats/distances';
import { kolmogorovSurvival, ksStatisticSorted, ksTwoSamplePValue, ksTwoSampleSorted, smirnovSurvival } from '../../../src/core/monitor/stats/ks';
import { compareNumeric, numericScratch, prepareNumericReference, sortFloat64 } from '../../../src/core/monitor/stats/numeric';
import { chiSquareSurvival, incompleteGamma, logGamma, normalQuantile } from '../../../src/core/monitor/stats/special';
import { createRng } from '../../../src/core/util/random';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'sklearn', 'drift.json'), 'utf8'));

/**
 * Relative difference, with differences below `floor` in absolute value counted as 0 (for
 * p-values of 1e-300 and less a relative comparison says nothing; for probabilities near 0
 * an absolute 1e-15 is all a double holds).
 */
function relDiff(actual: number, expected: number, floor = 1e-15): number {
  if (actual === expected) return 0;
  const d = Math.abs(actual - expected);
  if (d <= floor) return 0;
  return d / Math.max(Math.abs(expected), 1e-300);
}

function worst(pairs: Array<[number, number]>, floor?: number): number {
  return pairs.reduce((w, [a, e]) => Math.max(w, relDiff(a, e, floor)), 0);
}

const sorted = (v: number[]) => Float64Array.from(v).sort();
const TOL = 1e-9;

describe('monitor statistics against scipy (drift.json)', () => {
  it('ks_2samp: the statistic and its exact or asymptotic p-value on stored samples (sizes 1 to 1,500, with ties)', () => {
    let worstP = 0;
    for (const c of fixture.ks_samples) {
      const r = ksTwoSampleSorted(sorted(c.a), sorted(c.b));
      assert.ok(relDiff(r.statistic, c.statistic) <= 1e-15, `statistic ${r.statistic} vs ${c.statistic} (n ${c.a.length}, ${c.b.length})`);
      worstP = Math.max(worstP, relDiff(r.pValue, c.p));
    }
    assert.ok(worstP <= TOL, `worst p-value difference ${worstP}`);
  });

  it('ks_2samp: p-values for sizes up to 1,000,000 (exact to 10,000 per sample, then kstwo at the effective n)', () => {
    const pairs: Array<[number, number]> = [];
    for (const c of fixture.ks_sizes) {
      const r = ksTwoSamplePValue(c.d, c.n1, c.n2);
      assert.equal(r.method, Math.max(c.n1, c.n2) <= 10000 ? 'exact' : 'asymp');
      pairs.push([r.pValue, c.p]);
    }
    assert.ok(worst(pairs) <= TOL, `worst ${worst(pairs)}`);
  });

  it('kstwo.sf and smirnov over every region (Ruben–Gambino ends, Durbin, Pelz–Good, 2·smirnov, n to 2,000,000)', () => {
    const two = worst(fixture.kstwo_sf.map(([n, x, p]: number[]) => [kolmogorovSurvival(n, x), p]));
    const one = worst(fixture.smirnov.map(([n, x, p]: number[]) => [smirnovSurvival(n, x), p]));
    assert.ok(two <= TOL, `kstwo worst ${two}`);
    assert.ok(one <= TOL, `smirnov worst ${one}`);
  });

  it('chi2_contingency (no continuity correction) on 2×K tables, a category one side lacks included', () => {
    for (const c of fixture.chi2_contingency) {
      const r = chiSquareHomogeneity(c.table);
      assert.equal(r.dof, c.dof);
      assert.ok(relDiff(r.statistic, c.statistic) <= 1e-12, `statistic ${r.statistic} vs ${c.statistic}`);
      assert.ok(relDiff(r.pValue, c.p) <= TOL, `p ${r.pValue} vs ${c.p}`);
    }
  });

  it('chi2.sf over df 1–5,000 into the far tail, and the regularized incomplete gamma functions', () => {
    const sf = worst(fixture.chi2_sf.map(([x, df, p]: number[]) => [chiSquareSurvival(x, df), p]), 1e-300);
    assert.ok(sf <= TOL, `chi2.sf worst ${sf}`);
    const lower = worst(fixture.gamma.map(([a, x, p]: number[]) => [incompleteGamma(a, x).lower, p]));
    const upper = worst(fixture.gamma.map(([a, x, , q]: number[]) => [incompleteGamma(a, x).upper, q]), 1e-300);
    assert.ok(lower <= TOL && upper <= TOL, `gammainc ${lower}, gammaincc ${upper}`);
  });

  it('wasserstein_distance on samples with ties and different sizes', () => {
    const w = worst(fixture.wasserstein.map((c: { a: number[]; b: number[]; distance: number }) => [wassersteinSorted(sorted(c.a), sorted(c.b)), c.distance]));
    assert.ok(w <= TOL, `worst ${w}`);
  });

  it('jensenshannon (base 2) of counts, disjoint and identical ones included', () => {
    const w = worst(fixture.jensenshannon.map((c: { p: number[]; q: number[]; distance: number }) => [jensenShannonDistance(c.p, c.q), c.distance]));
    assert.ok(w <= 1e-12, `worst ${w}`);
  });

  it('PSI over inverted-CDF quantile bins of the reference, with tied edges and a missing bin, as the numpy transcription', () => {
    for (const c of fixture.psi) {
      const a = Float64Array.from(c.a, (v: number | null) => (v === null ? NaN : v));
      const b = Float64Array.from(c.b, (v: number | null) => (v === null ? NaN : v));
      const r = compareNumeric(prepareNumericReference(a, c.bins), b);
      const ref = [...r.bins.reference, ...(r.bins.missing ? [r.bins.missing.reference] : [])];
      const cur = [...r.bins.current, ...(r.bins.missing ? [r.bins.missing.current] : [])];
      assert.deepEqual(ref, c.reference);
      assert.deepEqual(cur, c.current);
      assert.ok(relDiff(r.psi, c.psi) <= 1e-12, `psi ${r.psi} vs ${c.psi}`);
    }
  });

  it('norm.ppf from 1e-300 to 1 − 1e-12', () => {
    const w = worst(fixture.norm_ppf.map(([p, z]: number[]) => [normalQuantile(p), z]));
    assert.ok(w <= 1e-12, `worst ${w}`);
  });

  it('log-gamma at integers, halves and large arguments', () => {
    assert.equal(logGamma(1), 0);
    assert.ok(relDiff(logGamma(0.5), 0.5 * Math.log(Math.PI)) < 1e-14);
    assert.ok(relDiff(logGamma(171), 706.5730622457875) < 1e-14); // scipy.special.gammaln
    assert.ok(relDiff(logGamma(100000.5), 1051293.4654351394) < 1e-14);
    assert.ok(relDiff(logGamma(3.7), 1.428072326665388) < 1e-14);
  });
});

describe('monitor statistics: the one-pass numeric comparison', () => {
  const rng = createRng(11);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

  it('gives the exact KS statistic and p-value, and the Wasserstein distance, of sort-and-merge — ties, missing values, values outside the reference included', () => {
    let worstW = 0;
    for (let trial = 0; trial < 200; trial++) {
      const m = 1 + Math.floor(rng() * (trial < 100 ? 60 : 4000));
      const n = 1 + Math.floor(rng() * (trial < 100 ? 60 : 4000));
      const ties = [0, 2, 10][trial % 3];
      const shift = trial % 4 === 0 ? 0 : 2 * rng() - 1;
      const draw = (s: number) => {
        const v = normal() * (trial % 5 === 0 ? 3 : 1) + s;
        return ties ? Math.round(v * ties) / ties : v;
      };
      const a = Float64Array.from({ length: m }, () => draw(0));
      const b = Float64Array.from({ length: n }, () => draw(shift));
      if (trial % 7 === 0) for (let i = 0; i < n - 1; i += 3) b[i] = NaN;
      const present = b.filter((x) => !Number.isNaN(x)).sort();
      const r = compareNumeric(prepareNumericReference(a), b);
      const expected = ksTwoSampleSorted(a.slice().sort(), present);
      assert.equal(r.ks.statistic, expected.statistic, `trial ${trial}`);
      assert.equal(r.ks.pValue, expected.pValue, `trial ${trial}`);
      worstW = Math.max(worstW, relDiff(r.wasserstein, wassersteinSorted(a.slice().sort(), present)));
      assert.equal(r.missing, n - present.length);
    }
    assert.ok(worstW <= 1e-12, `worst Wasserstein difference ${worstW}`);
  });

  it('keeps exact at 200,000 current values against 20,000 reference values through the lookup grid (heavy-tailed and discrete columns too)', () => {
    const scratch = numericScratch(200000);
    for (const kind of ['normal', 'lognormal', 'integers']) {
      const draw = () => (kind === 'normal' ? normal() : kind === 'lognormal' ? Math.exp(2 * normal()) : Math.floor(Math.abs(normal()) * 20));
      const a = Float64Array.from({ length: 20000 }, draw);
      const b = Float64Array.from({ length: 200000 }, () => draw() * 1.01);
      const r = compareNumeric(prepareNumericReference(a), b, scratch);
      const sa = a.slice().sort();
      const sb = b.slice().sort();
      assert.equal(r.ks.statistic, ksStatisticSorted(sa, sb), kind);
      assert.ok(relDiff(r.wasserstein, wassersteinSorted(sa, sb)) <= 1e-12, kind);
    }
  });

  it('stays exact for values on a lattice that fall on the cells\' edges (64+ distinct reference values: the grid is used)', () => {
    // 61 integers and a few more: 256 cells of width 0.28125, so 63 lies exactly on a cell's lower edge.
    const a = Float64Array.from([...Array.from({ length: 61 }, (_, i) => i), 62, 65, 66, 72]);
    const ref = prepareNumericReference(a);
    const sa = a.slice().sort();
    for (const b of [[63], [0, 63], [9, 63, 63, 72, 80], [-1, 0.5, 63, 64.125]]) {
      const cur = Float64Array.from(b);
      const r = compareNumeric(ref, cur);
      const sb = cur.slice().sort();
      assert.equal(r.ks.statistic, ksTwoSampleSorted(sa, sb).statistic, `${b}`);
      assert.ok(relDiff(r.wasserstein, wassersteinSorted(sa, sb)) <= 1e-12, `${b}: ${r.wasserstein} vs ${wassersteinSorted(sa, sb)}`);
    }
    // Many lattice samples: every cell edge and reference value hit by current values.
    const scratch = numericScratch(0);
    for (let trial = 0; trial < 60; trial++) {
      const step = [0.25, 0.5, 1, 0.1][trial % 4];
      const ra = Float64Array.from({ length: 500 + trial * 40 }, () => Math.round((normal() * 12) / step) * step);
      const rb = Float64Array.from({ length: 300 + trial * 97 }, () => Math.round((normal() * 12 + (trial % 3) - 1) / step) * step * (trial % 5 === 0 ? 1.1 : 1));
      const r = compareNumeric(prepareNumericReference(ra), rb, scratch);
      const x = ra.slice().sort();
      const y = rb.slice().sort();
      const expected = ksTwoSampleSorted(x, y);
      assert.equal(r.ks.statistic, expected.statistic, `trial ${trial}`);
      assert.equal(r.ks.pValue, expected.pValue, `trial ${trial}`);
      assert.ok(relDiff(r.wasserstein, wassersteinSorted(x, y)) <= 1e-12, `trial ${trial}`);
    }
  });

  it('sorts a reference column by radix in exactly the built-in order (signs, −0 before +0, infinities, subnormals, ties)', () => {
    const kinds: Array<() => number> = [
      () => normal(),
      () => Math.round(normal() * 3),
      () => Math.exp(normal() * 40) * (rng() < 0.5 ? -1 : 1),
      () => (rng() < 0.5 ? -0 : 0),
      () => normal() * 1e-310,
      () => (rng() < 0.02 ? Infinity : rng() < 0.02 ? -Infinity : normal()),
    ];
    for (const [k, draw] of kinds.entries()) {
      for (const n of [4096, 30000]) {
        const a = Float64Array.from({ length: n }, draw);
        const expected = a.slice().sort();
        sortFloat64(a);
        for (let i = 0; i < n; i++) assert.ok(Object.is(a[i], expected[i]), `kind ${k}, n ${n}, at ${i}: ${a[i]} vs ${expected[i]}`);
      }
    }
  });

  it('normalises Wasserstein by the reference standard deviation, and says null for a constant reference that moved', () => {
    const r = compareNumeric(prepareNumericReference([0, 2, 0, 2]), [1, 3, 1, 3]);
    assert.equal(r.wasserstein, 1);
    assert.equal(r.normalizedWasserstein, 1); // population std of {0, 2, 0, 2} is 1
    assert.equal(compareNumeric(prepareNumericReference([5, 5, 5]), [6, 6]).normalizedWasserstein, null);
    assert.equal(compareNumeric(prepareNumericReference([5, 5, 5]), [5, 5]).normalizedWasserstein, 0);
  });
});

describe('Holm adjustment', () => {
  it('multiplies the i-th smallest p-value by m − i + 1, keeps the order monotone, caps at 1 and skips NaN', () => {
    const adjusted = Array.from(holmAdjust([0.01, 0.04, 0.03, NaN, 0.5]));
    // sorted: 0.01·4, 0.03·3, 0.04·2 → max(0.09, 0.08) = 0.09, 0.5·1
    assert.deepEqual(adjusted.map((v) => (Number.isNaN(v) ? 'nan' : Math.round(v * 1e12) / 1e12)), [0.04, 0.09, 0.09, 'nan', 0.5]);
    assert.deepEqual(Array.from(holmAdjust([0.6, 0.7])), [1, 1]);
  });
});
