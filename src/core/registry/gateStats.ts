/**
 * The statistics of the quality gate: McNemar's test on paired correct/wrong outcomes, and the
 * paired bootstrap of a metric difference, with the distribution tails they need (the normal,
 * χ² with one degree of freedom, the binomial with p = ½). Checked against scipy
 * (scripts/reference/gate_stats.py → test/fixtures/sklearn/gate.json).
 *
 * Every p-value here is ONE-SIDED, for the question the gate asks — is the challenger better? —
 * so that the false-positive rate of "promote when p < alpha" is alpha whichever test runs.
 * The two-sided McNemar p-value is reported beside it for readers who know that one.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { quantileOfSorted } from '../evaluate/curves';
import { createRng } from '../util/random';

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * The complementary error function erfc(x) = 1 − erf(x) for any real x (relative error below
 * 5e-15 against scipy.special.erfc on 2,700 points of [−4, 30]). |x| < 1: the power series of erf with positive terms,
 * erf(x) = (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)); from 1: Laplace's continued fraction
 * erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), evaluated by Lentz's method,
 * which keeps the relative accuracy in the far tail where 1 − erf(x) would round to 0 (and
 * converges in under 200 steps from x = 1).
 * Negative x: erfc(x) = 2 − erfc(−x). NaN gives NaN; erfc(+∞) = 0.
 */
export function complementaryErrorFunction(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - complementaryErrorFunction(-x);
  if (x === Infinity) return 0;
  if (x < 1) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - ((2 / SQRT_PI) * Math.exp(-x2) * sum);
  }
  // Lentz: f = x + a₁/(x + a₂/(x + …)) with a_j = j/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let j = 1; j < 10000; j++) {
    const a = j / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** P(Z ≥ z) for a standard normal Z: erfc(z/√2)/2, accurate far into both tails. */
export function normalUpperTail(z: number): number {
  return complementaryErrorFunction(z / Math.SQRT2) / 2;
}

/** P(χ²₁ ≥ x) for a χ² variable with one degree of freedom: erfc(√(x/2)); 1 for x ≤ 0. */
export function chiSquareOneSurvival(x: number): number {
  if (x <= 0) return 1;
  return complementaryErrorFunction(Math.sqrt(x / 2));
}

/** Largest n for which a row of Pascal's triangle and its sum 2ⁿ are exact in doubles. */
const EXACT_PASCAL_MAX_N = 52;

/**
 * Probabilities of X = 0..n for X ~ Binomial(n, ½). Up to n = 52 from exact integer binomial
 * coefficients (Pascal's triangle; each probability rounded once); beyond, from the ratio
 * recurrence in log space (relative error about n·1e-16).
 */
function binomialHalfProbabilities(n: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  if (n <= EXACT_PASCAL_MAX_N) {
    const row = new Float64Array(n + 1);
    row[0] = 1;
    for (let m = 1; m <= n; m++) for (let i = m; i > 0; i--) row[i] += row[i - 1];
    const scale = 2 ** -n;
    for (let i = 0; i <= n; i++) pmf[i] = row[i] * scale;
    return pmf;
  }
  let logTerm = -n * Math.LN2;
  for (let i = 0; i <= n; i++) {
    pmf[i] = Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1));
  }
  return pmf;
}

/**
 * P(X ≥ k) for X ~ Binomial(n, ½) — scipy's `binomtest(k, n, 0.5, alternative='greater')`.
 * @param k successes, any integer (k ≤ 0 gives 1, k > n gives 0).
 * @param n trials, an integer ≥ 0.
 */
export function binomialHalfUpperTail(k: number, n: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const pmf = binomialHalfProbabilities(n);
  let sum = 0;
  for (let i = n; i >= k; i--) sum += pmf[i]; // smallest terms first
  return Math.min(1, sum);
}

/**
 * Two-sided exact p-value of k successes in n trials at p = ½, as scipy's `binomtest(k, n).pvalue`:
 * the distribution is symmetric, so it is 2·P(X ≤ min(k, n − k)), capped at 1. n = 0 gives 1.
 */
export function binomialHalfTwoSided(k: number, n: number): number {
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  return Math.min(1, 2 * binomialHalfUpperTail(n - m, n));
}

/**
 * Below this many discordant rows McNemar's test is the exact binomial test; from it on, the
 * χ² approximation with continuity correction (the form most readers know, and what other tools
 * print). On few pairs the approximation is coarse: over 1–24 discordant rows its one-sided
 * p-value is off by up to 0.023, and by up to 25% of its value near alpha; from 25 rows to 200
 * by at most 0.0011 (test/fixtures/sklearn/gate.json records both). 25 is the usual textbook limit.
 */
export const MCNEMAR_EXACT_BELOW = 25;

/** Result of {@link mcnemarTest}. */
export interface McNemarResult {
  /** 'exact': binomial test on the discordant rows; 'chi_square': χ² with continuity correction. */
  variant: 'exact' | 'chi_square';
  /** Rows only the challenger gets right. */
  challengerOnly: number;
  /** Rows only the champion gets right. */
  championOnly: number;
  /** χ² variant: (|b − c| − 1)²/(b + c), as statsmodels' mcnemar(exact=False). Exact: challengerOnly. Absent with no discordant row. */
  statistic?: number;
  /** One-sided p-value of "the challenger is not more accurate": small when it is. */
  pValue: number;
  /** The classic two-sided McNemar p-value (for reading alongside other tools). */
  pValueTwoSided: number;
}

/**
 * McNemar's test for paired accuracies: on the rows where exactly one model is right, is the
 * challenger right more often than chance (½) would make it?
 * - fewer than {@link MCNEMAR_EXACT_BELOW} discordant rows: exact, p = P(X ≥ c), X ~ Bin(b + c, ½);
 * - otherwise the continuity-corrected normal approximation of the same tail,
 *   p = P(Z ≥ (c − b − 1)/√(b + c)), which for c > b is half the χ² p-value of
 *   (|b − c| − 1)²/(b + c) on one degree of freedom.
 * No discordant rows (the models are right on the same rows): p = 1 — nothing tells them apart.
 * @param challengerOnly c, rows only the challenger gets right (integer ≥ 0).
 * @param championOnly b, rows only the champion gets right (integer ≥ 0).
 */
export function mcnemarTest(challengerOnly: number, championOnly: number): McNemarResult {
  const c = challengerOnly;
  const b = championOnly;
  const n = b + c;
  if (n === 0) return { variant: 'exact', challengerOnly: c, championOnly: b, pValue: 1, pValueTwoSided: 1 };
  if (n < MCNEMAR_EXACT_BELOW) {
    return { variant: 'exact', challengerOnly: c, championOnly: b, statistic: c, pValue: binomialHalfUpperTail(c, n), pValueTwoSided: binomialHalfTwoSided(c, n) };
  }
  const corrected = Math.abs(b - c) - 1;
  const statistic = (corrected * corrected) / n;
  return {
    variant: 'chi_square',
    challengerOnly: c,
    championOnly: b,
    statistic,
    pValue: normalUpperTail((c - b - 1) / Math.sqrt(n)),
    pValueTwoSided: chiSquareOneSurvival(statistic),
  };
}

/**
 * Fills `out` with one bootstrap resample of the rows 0..n−1: out[i] = ⌊u·n⌋ for the next draw
 * u of `rng` (createRng), i = 0..n−1 — the same draws as evaluate/bootstrap.ts. Exported so the
 * reference script can be fed the very resamples the gate uses.
 */
export function drawResample(rng: () => number, n: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng() * n);
}

/** The first `resamples` resamples {@link pairedBootstrap} draws for this seed, row-major (resamples × n). */
export function bootstrapResampleIndices(n: number, resamples: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const all = new Int32Array(n * resamples);
  for (let r = 0; r < resamples; r++) drawResample(rng, n, all.subarray(r * n, (r + 1) * n));
  return all;
}

/** A bootstrap percentile interval. */
export interface DifferenceInterval {
  lower: number;
  upper: number;
  /** Coverage, e.g. 0.9. */
  confidence: number;
}

/** Result of {@link summariseDifferences} and {@link pairedBootstrap}. */
export interface PairedBootstrapResult {
  resamples: number;
  /** Resamples on which the metric was defined for both models (e.g. ROC AUC needs both classes). */
  resamplesUsed: number;
  /**
   * One-sided p-value that the challenger is not better: the fraction of used resamples whose
   * difference is ≤ 0 (higher-is-better metrics) or ≥ 0 (lower-is-better). Identical
   * predictions give 1. Null when no resample was usable.
   */
  pValue: number | null;
  /** Percentile interval of the difference challenger − champion (numpy's linear percentile); null when no resample was usable. */
  interval: DifferenceInterval | null;
}

/**
 * p-value and percentile interval from resampled differences (challenger − champion).
 * @param differences the used resamples' differences (not modified).
 * @param higherIsBetter the metric's direction (metricDirection).
 * @param confidence interval coverage in (0, 1).
 */
export function summariseDifferences(differences: Float64Array, resamples: number, higherIsBetter: boolean, confidence: number): PairedBootstrapResult {
  const used = differences.length;
  if (used === 0) return { resamples, resamplesUsed: 0, pValue: null, interval: null };
  let notBetter = 0;
  for (let i = 0; i < used; i++) if (higherIsBetter ? differences[i] <= 0 : differences[i] >= 0) notBetter++;
  const sorted = Float64Array.from(differences).sort();
  const tail = (1 - confidence) / 2;
  return {
    resamples,
    resamplesUsed: used,
    pValue: notBetter / used,
    interval: { lower: quantileOfSorted(sorted, tail), upper: quantileOfSorted(sorted, 1 - tail), confidence },
  };
}

/**
 * challenger − champion, with differences within 1e-12 of the values' magnitude set to exactly 0:
 * two models that tie on a resample (e.g. the same ROC AUC) may differ by one rounding, and
 * the sign of that rounding must not decide whether the resample counts as "better".
 */
export function tieSnapped(challenger: number, champion: number): number {
  const d = challenger - champion;
  return Math.abs(d) <= 1e-12 * Math.max(1, Math.abs(challenger), Math.abs(champion)) ? 0 : d;
}

/**
 * Paired bootstrap of a metric difference: `resamples` times, draw n row indices with
 * replacement (seeded; {@link drawResample}) and evaluate BOTH models on the same drawn rows,
 * so what the two have in common cancels out of the difference. A resample on which the
 * metric is undefined is skipped and not counted. A difference within rounding of 0
 * ({@link tieSnapped}) counts as a tie, i.e. "not better".
 * Cost: resamples × the cost of `difference` (O(n) or O(n log n) per metric).
 * @param n rows, ≥ 1.
 * @param values the metric of each model on the rows `indices` (length n), undefined when it is not defined there.
 * @param confidence coverage of the percentile interval; the gate passes 1 − 2·alpha, so that
 *   the interval's end on the worse side is the one-sided bound the p-value tests.
 */
export function pairedBootstrap(
  n: number,
  resamples: number,
  seed: number,
  values: (indices: Int32Array) => { champion: number; challenger: number } | undefined,
  higherIsBetter: boolean,
  confidence: number,
): PairedBootstrapResult {
  const rng = createRng(seed);
  const indices = new Int32Array(n);
  const differences = new Float64Array(resamples);
  let used = 0;
  for (let r = 0; r < resamples; r++) {
    drawResample(rng, n, indices);
    const v = values(indices);
    if (v === undefined || !Number.isFinite(v.champion) || !Number.isFinite(v.challenger)) continue;
    differences[used++] = tieSnapped(v.challenger, v.champion);
  }
  return summariseDifferences(differences.subarray(0, used), resamples, higherIsBetter, confidence);
}
