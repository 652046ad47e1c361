/**
 * Drift decisions on synthetic streams with known shifts (src/core/monitor/drift.ts): a mean
 * shift, a variance change, a new category, a label shift and a confidence collapse, each
 * detected at the severity its size calls for; and the false-alarm check — same-distribution
 * samples at n = 100 (many seeded trials; the measured rate is printed) and at n = 1,000,000
 * (18 features against a 100,000-row reference, on arrays: no store), where a difference that
 * is significant but trivial does not alert either.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_MONITORING } from '../../../src/core/project/parse';
import { bandLevel, datasetDrift, decideDrift, testCategoricalColumn, testNumericColumn, testTextColumn, type ColumnTest, type DriftSettings } from '../../../src/core/monitor/drift';
import { prepareCategoricalReference } from '../../../src/core/monitor/stats/categorical';
import { numericScratch, prepareNumericReference } from '../../../src/core/monitor/stats/numeric';
import { prepareTextReference } from '../../../src/core/monitor/stats/text';
import { createRng } from '../../../src/core/util/random';

const SETTINGS: DriftSettings = { alpha: DEFAULT_MONITORING.alpha, minRows: DEFAULT_MONITORING.minRows, drift: DEFAULT_MONITORING.drift };

function gaussian(seed: number): () => number {
  const rng = createRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function numeric(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: n }, () => mean + sd * g());
}

function categories(n: number, seed: number, shares: Record<string, number>): string[] {
  const rng = createRng(seed);
  const entries = Object.entries(shares);
  return Array.from({ length: n }, () => {
    let u = rng();
    for (const [k, s] of entries) {
      if ((u -= s) < 0) return k;
    }
    return entries[entries.length - 1][0];
  });
}

function numericDrift(ref: Float64Array, cur: Float64Array) {
  return decideDrift([testNumericColumn('x', prepareNumericReference(ref), cur, SETTINGS)], SETTINGS.alpha)[0];
}

function categoricalDrift(ref: string[], cur: Array<string | undefined>) {
  return decideDrift([testCategoricalColumn('c', 'categorical', prepareCategoricalReference(ref), cur, SETTINGS)], SETTINGS.alpha)[0];
}

describe('drift decisions: known shifts at the right severity', () => {
  const ref = numeric(5000, 1);

  it('a mean shift of 1 σ is critical (PSI ≈ 1), of 0.3 σ a warning (Wasserstein 0.3 σ), of 0.02 σ on 2,000 rows nothing', () => {
    const big = numericDrift(ref, numeric(2000, 2, 1));
    assert.equal(big.drift, 'critical');
    assert.ok(big.psi! > 0.25 && big.distance! > 0.5, `psi ${big.psi}, distance ${big.distance}`);
    const mid = numericDrift(ref, numeric(2000, 3, 0.3));
    assert.equal(mid.drift, 'warning');
    assert.equal(mid.effect.by, 'wasserstein');
    assert.equal(numericDrift(ref, numeric(2000, 4, 0.02)).drift, 'none');
  });

  it('a variance change: σ × 2 is critical, σ × 1.3 a warning — with the mean unchanged', () => {
    const wide = numericDrift(ref, numeric(2000, 5, 0, 2));
    assert.equal(wide.drift, 'critical');
    const wider = numericDrift(ref, numeric(2000, 6, 0, 1.3));
    assert.equal(wider.drift, 'warning');
    assert.ok(wider.pValue! < 1e-6, `p ${wider.pValue}`);
  });

  it('a new category: 30% of the rows is critical, 5% a warning, and the unseen values are counted', () => {
    const shares = { red: 0.5, green: 0.3, blue: 0.2 };
    const base = categories(5000, 7, shares);
    const many = categoricalDrift(base, [...categories(1400, 8, shares), ...Array(600).fill('purple')]);
    assert.equal(many.drift, 'critical');
    const detail = many.detail as { unseen: { count: number; examples: Array<{ value: string }> } };
    assert.equal(detail.unseen.count, 600);
    assert.equal(detail.unseen.examples[0].value, 'purple');
    const few = categoricalDrift(base, [...categories(1900, 9, shares), ...Array(100).fill('purple')]);
    assert.equal(few.drift, 'warning');
    assert.equal(categoricalDrift(base, categories(2000, 10, shares)).drift, 'none');
  });

  it('a label shift in the predicted labels: 50/50 → 80/20 is critical, → 65/35 a warning', () => {
    const base = categories(3000, 11, { yes: 0.5, no: 0.5 });
    assert.equal(categoricalDrift(base, categories(2000, 12, { yes: 0.8, no: 0.2 })).drift, 'critical');
    assert.equal(categoricalDrift(base, categories(2000, 13, { yes: 0.65, no: 0.35 })).drift, 'warning');
  });

  it('a confidence collapse (typically 0.9 → 0.55) is critical', () => {
    const rng = createRng(14);
    const confident = Float64Array.from({ length: 3000 }, () => 0.8 + 0.2 * rng());
    const unsure = Float64Array.from({ length: 2000 }, () => 0.5 + 0.1 * rng());
    const r = numericDrift(confident, unsure);
    assert.equal(r.drift, 'critical');
    assert.ok(r.psi! > 5, `psi ${r.psi}`);
  });

  it('a feature that goes missing is critical even when its present values did not move', () => {
    const cur = numeric(2000, 15);
    for (let i = 0; i < 1000; i++) cur[i] = NaN;
    const r = numericDrift(ref, cur);
    assert.equal(r.test, 'ks+missing');
    assert.equal(r.drift, 'critical');
    const allGone = numericDrift(ref, new Float64Array(500).fill(NaN));
    assert.equal(allGone.test, 'missing');
    assert.equal(allGone.drift, 'critical');
  });

  it('text: new vocabulary drifts, the same texts do not', () => {
    const rng = createRng(16);
    const topics = ['app crashes on save', 'invoice is missing', 'cannot log in', 'dashboard is slow', 'refund please'];
    const pick = (list: string[]) => Array.from({ length: 1500 }, () => `${list[Math.floor(rng() * list.length)]} ${Math.floor(rng() * 50)}`);
    const options = { ngrams: [1, 2] as [number, number], lowercase: true, analyzer: 'word' as const };
    const refText = prepareTextReference(pick(topics), options);
    const same = decideDrift([testTextColumn('t', refText, pick(topics), SETTINGS)], SETTINGS.alpha)[0];
    assert.equal(same.drift, 'none');
    const changed = decideDrift([testTextColumn('t', refText, pick([...topics.slice(0, 2), 'the new checkout page freezes', 'crypto wallet connect error']), SETTINGS)], SETTINGS.alpha)[0];
    assert.ok(changed.drift === 'warning' || changed.drift === 'critical', changed.drift);
  });

  it('says not_enough_data below minRows, never "no drift", and leaves such features out of the dataset share', () => {
    const few = numericDrift(ref, numeric(SETTINGS.minRows - 1, 17, 5));
    assert.equal(few.drift, 'not_enough_data');
    const tests = [testNumericColumn('a', prepareNumericReference(ref), numeric(20, 18, 5), SETTINGS), testNumericColumn('b', prepareNumericReference(ref), numeric(2000, 19, 2), SETTINGS), testNumericColumn('c', prepareNumericReference(ref), numeric(2000, 20), SETTINGS)];
    const decided = decideDrift(tests, SETTINGS.alpha);
    assert.deepEqual(decided.map((d) => d.drift), ['not_enough_data', 'critical', 'none']);
    const ds = datasetDrift(decided, 0.5);
    assert.equal(ds.tested, 2);
    assert.equal(ds.share, 0.5);
    assert.equal(ds.drift, 'critical');
    assert.equal(datasetDrift(decided.slice(0, 1), 0.5).drift, 'not_enough_data');
  });
});

describe('drift decisions: Holm over the features tested, then the effect floor', () => {
  const made = (name: string, pValue: number | null, level: 'none' | 'warning' | 'critical', tooFew = false): ColumnTest => ({
    name,
    type: 'numeric',
    test: 'ks',
    statistic: pValue === null ? null : 0.2,
    pValue,
    psi: level === 'critical' ? 0.4 : level === 'warning' ? 0.15 : 0.01,
    distance: 0.3,
    effect: { level, by: level === 'none' ? null : 'psi' },
    n: { reference: 1000, current: tooFew ? 10 : 500 },
    tooFew,
    detail: null,
  });

  it('a p-value significant alone is not after correcting for the other features; untested features do not count in the correction', () => {
    assert.equal(decideDrift([made('a', 0.003, 'critical')], 0.01)[0].drift, 'critical');
    const family = decideDrift([made('a', 0.003, 'critical'), made('b', 0.004, 'critical'), made('c', 0.2, 'none'), made('d', 0.9, 'none')], 0.01);
    assert.deepEqual(family.map((d) => d.adjustedP), [0.012, 0.012, 0.4, 0.9]);
    assert.deepEqual(family.map((d) => d.drift), ['none', 'none', 'none', 'none']);
    const withUntested = decideDrift([made('a', 0.003, 'critical'), made('e', null, 'none', true), made('f', null, 'none', true)], 0.01);
    assert.deepEqual(withUntested.map((d) => [d.drift, d.adjustedP]), [['critical', 0.003], ['not_enough_data', null], ['not_enough_data', null]]);
  });

  it('a significant change drifts at the band its effect reaches, and not at all below the floor', () => {
    const decided = decideDrift([made('big', 1e-12, 'critical'), made('mid', 1e-9, 'warning'), made('trivial', 1e-30, 'none')], 0.01);
    assert.deepEqual(decided.map((d) => d.drift), ['critical', 'warning', 'none']);
    assert.equal(datasetDrift(decided, 0.5).drift, 'warning', 'two of three drift, one critically');
    assert.deepEqual([datasetDrift(decided, 0.5).share, datasetDrift(decided, 0.5).drifting], [2 / 3, 2]);
  });

  it('the floors are the configured bands: PSI 0.1 / 0.25, Wasserstein 0.1 / 0.5 σ, Jensen–Shannon 0.1 / 0.2', () => {
    assert.deepEqual(SETTINGS.drift.psi, { warning: 0.1, critical: 0.25 });
    assert.deepEqual(SETTINGS.drift.wasserstein, { warning: 0.1, critical: 0.5 });
    assert.deepEqual(SETTINGS.drift.jensenShannon, { warning: 0.1, critical: 0.2 });
    assert.deepEqual([bandLevel(0.0999, SETTINGS.drift.psi), bandLevel(0.1, SETTINGS.drift.psi), bandLevel(0.25, SETTINGS.drift.psi), bandLevel(NaN, SETTINGS.drift.psi)], ['none', 'warning', 'critical', 'none']);
  });
});

describe('drift decisions: no alert on samples from the reference distribution', () => {
  it('at n = 100: 18 numeric and 2 categorical features, 300 seeded trials — a run with any drift at most 2% of the time', function () {
    this.timeout(120000);
    const features = 18;
    const refs = Array.from({ length: features }, (_, f) => prepareNumericReference(numeric(2000, 100 + f)));
    const catShares = { a: 0.6, b: 0.25, c: 0.1, d: 0.05 };
    const catRefs = [prepareCategoricalReference(categories(2000, 200, catShares)), prepareCategoricalReference(categories(2000, 201, catShares))];
    const trials = 300;
    let alarms = 0;
    let significant = 0;
    for (let t = 0; t < trials; t++) {
      const tests: ColumnTest[] = refs.map((r, f) => testNumericColumn(`x${f}`, r, numeric(100, 1000 + t * 40 + f), SETTINGS));
      catRefs.forEach((r, i) => tests.push(testCategoricalColumn(`c${i}`, 'categorical', r, categories(100, 5000 + t * 2 + i, catShares), SETTINGS)));
      const decided = decideDrift(tests, SETTINGS.alpha);
      if (decided.some((d) => d.drift === 'warning' || d.drift === 'critical')) alarms++;
      if (decided.some((d) => d.adjustedP !== null && d.adjustedP <= SETTINGS.alpha)) significant++;
    }
    // Holm keeps P(any significant) ≤ alpha = 0.01 per run; the effect floor removes more.
    console.log(`      n = 100: ${alarms} of ${trials} runs with a drifting feature (${((100 * alarms) / trials).toFixed(1)}%), ${significant} with any significant test`);
    assert.ok(alarms / trials <= 0.02, `${alarms} of ${trials}`);
    assert.ok(significant / trials <= 0.03, `${significant} of ${trials} significant`);
  });

  it('at n = 1,000,000 × 18 features against a 100,000-row reference: no drift; a 0.03 σ shift is significant but too small to alert', function () {
    this.timeout(300000);
    const features = 18;
    const scratch = numericScratch(1_000_000);
    const tests: ColumnTest[] = [];
    for (let f = 0; f < features; f++) {
      const ref = prepareNumericReference(numeric(100_000, 300 + f));
      // Feature 0 moves by 0.03 σ: real, detectable with a million rows, and trivial.
      tests.push(testNumericColumn(`x${f}`, ref, numeric(1_000_000, 400 + f, f === 0 ? 0.03 : 0), SETTINGS, scratch));
    }
    const decided = decideDrift(tests, SETTINGS.alpha);
    const drifting = decided.filter((d) => d.drift !== 'none').map((d) => `${d.name} ${d.drift}`);
    assert.deepEqual(drifting, []);
    assert.ok(decided[0].adjustedP! < 1e-6, `the trivial shift is significant: p ${decided[0].adjustedP}`);
    assert.ok(decided[0].psi! < 0.01 && decided[0].distance! < 0.05, `psi ${decided[0].psi}, distance ${decided[0].distance}`);
    const others = decided.slice(1).filter((d) => d.adjustedP! <= SETTINGS.alpha).length;
    console.log(`      n = 1,000,000: ${others} of 17 same-distribution features significant after Holm; largest PSI ${Math.max(...decided.slice(1).map((d) => d.psi!)).toExponential(2)}`);
  });
});
