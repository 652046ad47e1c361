/**
 * The tests of an A/B experiment: Welch's t-test for a continuous outcome, the two-proportion
 * z-test for a rate, the intervals of one arm's mean (Student's t) and rate (Wilson), the χ²
 * goodness-of-fit test of the assignment counts (sample-ratio mismatch), and the sample size
 * that detects a given effect with a given power. Checked against scipy
 * (scripts/reference/ab_stats.py → test/fixtures/sklearn/ab.json).
 *
 * Every p-value here is TWO-SIDED: an experiment asks "are the arms different?" and either
 * arm may win.
 *
 * Pure module: no node built-ins.
 */
import { chiSquareSurvival, normalQuantile, normalUpperTail, studentTQuantile, studentTSurvival } from './distributions';

/** Count, mean and sample variance (n − 1 in the denominator) of one arm's observations. */
export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample variance (ddof = 1); 0 for n < 2. */
  variance: number;
}

/**
 * Running count, mean and variance (Welford's update, stable for a million observations of
 * similar values, where Σx² − n·mean² would cancel).
 */
export class RunningSummary implements SampleSummary {
  n = 0;
  mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
  }

  get variance(): number {
    return this.n < 2 ? 0 : this.m2 / (this.n - 1);
  }

  /** A plain copy (for results that are serialised). */
  snapshot(): SampleSummary {
    return { n: this.n, mean: this.mean, variance: this.variance };
  }
}

/** The summary of a list of numbers. */
export function summarise(values: ArrayLike<number>): SampleSummary {
  const s = new RunningSummary();
  for (let i = 0; i < values.length; i++) s.add(values[i]);
  return s.snapshot();
}

/** A two-sided interval. */
export interface Interval {
  lower: number;
  upper: number;
}

/** Result of a two-sample test: the difference a − b, its interval, the statistic and the p-value. */
export interface DifferenceTest {
  test: 'welch_t' | 'two_proportion_z';
  /** mean(a) − mean(b) (rates: the difference of the proportions). */
  difference: number;
  /** Standard error of the difference used for the interval. */
  standardError: number;
  /** t (Welch) or z (pooled two-proportion); 0 when nothing varies and the arms agree. */
  statistic: number;
  /** Welch–Satterthwaite degrees of freedom (Welch only). */
  df?: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Interval of the difference at `confidence`. */
  interval: Interval;
  confidence: number;
}

/**
 * Welch's t-test of mean(a) = mean(b) with unequal variances (scipy's
 * `ttest_ind(a, b, equal_var=False)`): t = (m_a − m_b)/√(s²_a/n_a + s²_b/n_b) on the
 * Welch–Satterthwaite degrees of freedom ν = (v_a + v_b)²/(v_a²/(n_a − 1) + v_b²/(n_b − 1)),
 * and the interval (m_a − m_b) ± t_{(1+c)/2, ν}·se.
 *
 * Edge cases: fewer than 2 observations in an arm → undefined (no variance to test with).
 * Both arms constant (se = 0): equal means give p = 1, different means p = 0 (every
 * observation of one arm differs from every one of the other: scipy gives NaN there), with the
 * interval the single point of the difference.
 * @param confidence interval coverage in (0, 1), e.g. 0.95.
 */
export function welchTTest(a: SampleSummary, b: SampleSummary, confidence: number): DifferenceTest | undefined {
  if (a.n < 2 || b.n < 2) return undefined;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const difference = a.mean - b.mean;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    return { test: 'welch_t', difference, standardError: 0, statistic: 0, pValue: difference === 0 ? 1 : 0, interval: { lower: difference, upper: difference }, confidence };
  }
  const df = ((va + vb) * (va + vb)) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const statistic = difference / se;
  const pValue = Math.min(1, 2 * studentTSurvival(Math.abs(statistic), df));
  const half = studentTQuantile((1 + confidence) / 2, df) * se;
  return { test: 'welch_t', difference, standardError: se, statistic, df, pValue, interval: { lower: difference - half, upper: difference + half }, confidence };
}

/**
 * The two-proportion z-test of p_a = p_b: z = (p̂_a − p̂_b)/√(p̂(1 − p̂)(1/n_a + 1/n_b)) with the
 * pooled p̂ = (x_a + x_b)/(n_a + n_b) (its p-value equals scipy's
 * `chi2_contingency([[x_a, n_a − x_a], [x_b, n_b − x_b]], correction=False)`), and the Wald
 * interval of the difference with the unpooled standard error √(p̂_a q̂_a/n_a + p̂_b q̂_b/n_b)
 * (the interval does not assume the arms are equal; the test does, under its null).
 *
 * Edge cases: an arm without observations → undefined. Every observation a success, or none
 * (pooled p̂ ∈ {0, 1}): nothing tells the arms apart, p = 1.
 * @param successesA, successesB whole numbers within 0..n.
 */
export function twoProportionZTest(successesA: number, nA: number, successesB: number, nB: number, confidence: number): DifferenceTest | undefined {
  if (nA < 1 || nB < 1) return undefined;
  const pa = successesA / nA;
  const pb = successesB / nB;
  const difference = pa - pb;
  const pooled = (successesA + successesB) / (nA + nB);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const se = Math.sqrt((pa * (1 - pa)) / nA + (pb * (1 - pb)) / nB);
  const z = normalQuantile((1 + confidence) / 2);
  const interval = { lower: difference - z * se, upper: difference + z * se };
  if (pooledSe === 0) return { test: 'two_proportion_z', difference, standardError: se, statistic: 0, pValue: 1, interval, confidence };
  const statistic = difference / pooledSe;
  return { test: 'two_proportion_z', difference, standardError: se, statistic, pValue: Math.min(1, 2 * normalUpperTail(Math.abs(statistic))), interval, confidence };
}

/**
 * Interval of one arm's mean: mean ± t_{(1+c)/2, n−1}·s/√n. Undefined for n < 2.
 */
export function meanInterval(s: SampleSummary, confidence: number): Interval | undefined {
  if (s.n < 2) return undefined;
  const half = studentTQuantile((1 + confidence) / 2, s.n - 1) * Math.sqrt(s.variance / s.n);
  return { lower: s.mean - half, upper: s.mean + half };
}

/**
 * Wilson's score interval of a proportion (scipy's
 * `binomtest(x, n).proportion_ci(confidence, method='wilson')`): unlike the Wald interval it
 * stays inside [0, 1] and is not a single point at 0 or n successes. Undefined for n = 0.
 */
export function wilsonInterval(successes: number, n: number, confidence: number): Interval | undefined {
  if (n < 1) return undefined;
  const z = normalQuantile((1 + confidence) / 2);
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Result of {@link chiSquareGoodnessOfFit}. */
export interface GoodnessOfFit {
  statistic: number;
  df: number;
  pValue: number;
  /** The expected counts (total × share). */
  expected: number[];
}

/**
 * Pearson's χ² goodness-of-fit test of observed counts against expected shares (scipy's
 * `chisquare(observed, total·shares)`): Σ (O − E)²/E on k − 1 degrees of freedom. Used for the
 * sample-ratio-mismatch check: were units assigned to the arms in the configured proportions?
 * @param shares non-negative, summing to 1 (normalised here when they do not); categories with
 *   share 0 are left out (a unit there is a mismatch of its own, which callers report).
 * @returns undefined when fewer than two categories have a share, or nothing was observed.
 */
export function chiSquareGoodnessOfFit(observed: number[], shares: number[]): GoodnessOfFit | undefined {
  const total = observed.reduce((s, x) => s + x, 0);
  const shareSum = shares.reduce((s, x) => s + x, 0);
  const used = shares.map((s, i) => (s > 0 ? i : -1)).filter((i) => i >= 0);
  if (used.length < 2 || total === 0 || !(shareSum > 0)) return undefined;
  const expected = shares.map((s) => (total * s) / shareSum);
  let statistic = 0;
  for (const i of used) statistic += ((observed[i] - expected[i]) * (observed[i] - expected[i])) / expected[i];
  const df = used.length - 1;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df), expected };
}

/**
 * Observations per arm for a two-sided test at level `alpha` to detect a difference `delta`
 * in means with power `power`, when each observation has standard deviation `sd` (normal
 * approximation, equal arms): n = 2·(z_{1−α/2} + z_{power})²·σ²/δ², rounded up.
 * Infinity when delta is 0; NaN for a non-finite sd.
 */
export function sampleSizeForMeans(sd: number, delta: number, alpha: number, power: number): number {
  return sampleSizeForMeansZ(sd, delta, normalQuantile(1 - alpha / 2), normalQuantile(power));
}

/** {@link sampleSizeForMeans} with z_{1−α/2} and z_{power} given (for callers that evaluate it many times). */
export function sampleSizeForMeansZ(sd: number, delta: number, zAlpha: number, zPower: number): number {
  if (!Number.isFinite(sd) || sd < 0) return NaN;
  if (delta === 0) return Infinity;
  const z = zAlpha + zPower;
  return Math.ceil((2 * z * z * sd * sd) / (delta * delta));
}

/**
 * Observations per arm for the two-proportion test at level `alpha` to tell rate p1 from
 * p2 with power `power` (equal arms, normal approximation without continuity correction,
 * as in Fleiss): n = (z_{1−α/2}·√(2 p̄ q̄) + z_{power}·√(p1 q1 + p2 q2))²/(p1 − p2)², p̄ = (p1 + p2)/2,
 * rounded up. Infinity when p1 = p2.
 * @param p1, p2 in [0, 1].
 */
export function sampleSizeForProportions(p1: number, p2: number, alpha: number, power: number): number {
  return sampleSizeForProportionsZ(p1, p2, normalQuantile(1 - alpha / 2), normalQuantile(power));
}

/** {@link sampleSizeForProportions} with z_{1−α/2} and z_{power} given. */
export function sampleSizeForProportionsZ(p1: number, p2: number, zAlpha: number, zPower: number): number {
  if (!(p1 >= 0 && p1 <= 1 && p2 >= 0 && p2 <= 1)) return NaN;
  if (p1 === p2) return Infinity;
  const pBar = (p1 + p2) / 2;
  const a = zAlpha * Math.sqrt(2 * pBar * (1 - pBar));
  const b = zPower * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil(((a + b) * (a + b)) / ((p1 - p2) * (p1 - p2)));
}
