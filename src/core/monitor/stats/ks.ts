/**
 * The two-sample Kolmogorov–Smirnov test, with the p-values scipy's `ks_2samp` gives
 * (method 'auto', two-sided): exact when neither sample has more than 10,000 values, else
 * from the distribution of the one-sample statistic at n = round(n₁n₂/(n₁ + n₂)) (scipy's
 * `kstwo.sf`), which this module computes as Simard & L'Ecuyer (2011) recommend per region.
 * Checked against scipy 1.10 (scripts/reference/drift_stats.py → test/fixtures/sklearn/drift.json).
 *
 * Sources of the methods (the formulas, not code):
 * - exact two-sample p-values: the lattice-path count of Hodges (1958), as the recursion on
 *   the share of paths that left the band (Viehmann 2021, arXiv:2102.08037) so small
 *   p-values keep their digits; equal sizes by the reflection principle;
 * - the one-sided exact distribution (Birnbaum & Tingey 1951);
 * - the two-sided one-sample CDF by Durbin's matrix (1968) as Marsaglia, Tsang & Wang (2003)
 *   evaluate it, the Ruben–Gambino closed forms at the ends, and Pelz & Good's (1976)
 *   asymptotic series for large n (Simard & L'Ecuyer 2011, §2–3 for which to use where).
 *
 * Pure module: no node built-ins.
 */
import { stirlingRemainder } from './special';

/** Largest sample size for which the exact two-sample p-value is computed (scipy's MAX_AUTO_N). */
export const KS_EXACT_MAX_N = 10000;

/** Above this n the one-sided tail is the asymptotic e^(−(6nx+1)²/18n), as in scipy (cephes). */
const SMIRNOV_EXACT_MAX_N = 1_000_000;

export interface KsResult {
  /** sup |F₁ − F₂| over the pooled values (exact mode: rounded to the lattice h / lcm(n₁, n₂), as scipy). */
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

/**
 * The two-sided statistic D = sup_x |F₁(x) − F₂(x)| of two sorted samples (both ECDFs
 * right-continuous, so tied values are stepped over together), computed as scipy does it:
 * from i/n₁ − j/n₂ at each distinct value.
 * @param a sorted ascending, no NaN; length ≥ 1.
 * @param b sorted ascending, no NaN; length ≥ 1.
 */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let max = 0;
  let min = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  return Math.max(max, -min);
}

/**
 * The two-sample test of two sorted samples: statistic and two-sided p-value as scipy's
 * `ks_2samp(a, b, method='auto')`.
 * @throws Error when a sample is empty.
 */
export function ksTwoSampleSorted(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  if (a.length === 0 || b.length === 0) throw new Error('ksTwoSampleSorted: a sample is empty');
  return ksTwoSamplePValue(ksStatisticSorted(a, b), a.length, b.length);
}

/**
 * The two-sided p-value of a two-sample statistic `d` for sizes n₁, n₂ (scipy's 'auto'
 * method): exact when max(n₁, n₂) ≤ 10,000 — the statistic is then snapped to the lattice
 * h/lcm(n₁, n₂) it lies on, as scipy returns it — else P(D_N ≥ d) of the one-sample
 * statistic at N = round(n₁n₂/(n₁ + n₂)) (half to even, as numpy rounds).
 */
export function ksTwoSamplePValue(d: number, n1: number, n2: number): KsResult {
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    const snapped = h / lcm;
    if (h === 0) return { statistic: snapped, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? equalSizeExitShare(n1, h) : bandExitShare(n1, n2, g, h);
    return { statistic: snapped, pValue: clip01(p), method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: clip01(kolmogorovSurvival(roundHalfEven(en), d)), method: 'asymp' };
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Math.round with ties to even (numpy's np.round), for the few exact halves that occur. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * P(D ≥ h/n) for two samples of size n: by reflection, 2·Σ_{k≥1} (−1)^(k+1) C(2n, n − kh)/C(2n, n).
 * Written as 2·A₁(1 − A₂(1 − A₃(…))) with A_k = C(2n, n − kh)/C(2n, n − (k−1)h), each a
 * product of h ratios below 1: no binomial is formed and the alternating sum does not cancel.
 */
function equalSizeExitShare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 1; k--) {
    const top = n - (k - 1) * h;
    const bottom = n + (k - 1) * h;
    let a = 1;
    for (let t = 0; t < h; t++) a = (a * (top - t)) / (bottom + t + 1);
    p = a * (1 - p);
  }
  return 2 * p;
}

/**
 * The share of monotone lattice paths from (0, 0) to (n₁, n₂) that touch a point with
 * |i/n₁ − j/n₂| ≥ h/lcm — the exact P(D ≥ d) under the null (every interleaving of the two
 * samples equally likely). q(i, j), the share of paths to (i, j) that already left the band,
 * is 1 outside it and (i·q(i−1, j) + j·q(i, j−1)) / (i + j) inside (a path reaches (i, j) from
 * the left in i of i + j cases). One column at a time, only the band's rows.
 */
function bandExitShare(n1: number, n2: number, g: number, h: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const mg = m / g;
  const ng = n / g;
  // Inside the band: |i·ng − j·mg| < h, i.e. (i·ng − h)/mg < j < (i·ng + h)/mg.
  const q = new Float64Array(n + 1).fill(1);
  for (let i = 0; i <= m; i++) {
    const lo = Math.max(0, Math.floor((i * ng - h) / mg) + 1);
    const hi = Math.min(n, Math.ceil((i * ng + h) / mg) - 1);
    if (lo > hi) return 1; // no lattice point inside this column: every path leaves
    if (lo > 0) q[lo - 1] = 1; // the point just below the band is outside (it may hold an old value)
    for (let j = lo; j <= hi; j++) {
      if (i === 0) q[j] = j === 0 ? 0 : q[j - 1];
      else q[j] = (i * q[j] + (j > 0 ? j * q[j - 1] : 0)) / (i + j);
    }
  }
  return q[n];
}

// ---- the one-sample distributions ------------------------------------------------------

/** ln(n!/nⁿ) = ½ ln(2πn) − n + R(n), the leading n ln n removed analytically. */
function logFactorialOverPower(n: number): number {
  return 0.5 * Math.log(2 * Math.PI * n) - n + stirlingRemainder(n);
}

/**
 * P(D⁺_n ≥ x) for the one-sided one-sample statistic (scipy.special.smirnov): the
 * Birnbaum–Tingey sum x·Σ_{j=0}^{⌊n(1−x)⌋} C(n, j)(1 − x − j/n)^(n−j)(x + j/n)^(j−1), whose terms
 * are all positive, each formed in logs with the large parts cancelled; up to x = 1/n the
 * closed form 1 − x(1 + x)^(n−1); above n = 10⁶ the asymptotic e^(−(6nx+1)²/18n), as scipy
 * switches there.
 */
export function smirnovSurvival(n: number, x: number): number {
  if (!(x > 0)) return 1;
  if (x >= 1) return 0;
  const nx = n * x;
  // Up to x = 1/n only the first term of the complementary sum is left: P(D⁺ < x) = x(1 + x)^(n−1).
  if (nx <= 1) return -Math.expm1(Math.log(x) + (n - 1) * Math.log1p(x));
  if (n > SMIRNOV_EXACT_MAX_N) return Math.exp(-((6 * n * x + 1) ** 2) / (18 * n));
  const last = Math.floor(n * (1 - x));
  // j = 0: (1 − x)^n / x. For 1 ≤ j ≤ n − 1, with k = n − j, the log of the term
  // ln C(n,j) + k ln(1 − x − j/n) + (j−1) ln(x + j/n) has its j ln(j/n) and k ln(k/n) parts
  // cancel against Stirling's form of ln C(n, j), leaving
  // j ln(1 + nx/j) + k ln(1 − nx/k) − ln(x + j/n) + ½ ln(n/(2πjk)) + R(n) − R(j) − R(k),
  // whose parts are no larger than nx: no digits are lost for n of a million.
  let sum = Math.exp(n * Math.log1p(-x) - Math.log(x));
  const rn = stirlingRemainder(n);
  for (let j = 1; j <= last; j++) {
    const k = n - j;
    if (k <= nx) break; // the factor (1 − x − j/n)^k is 0
    const logTerm = j * Math.log1p(nx / j) + k * Math.log1p(-nx / k) - Math.log((nx + j) / n) + 0.5 * Math.log(n / (2 * Math.PI * j * k)) + rn - stirlingRemainder(j) - stirlingRemainder(k);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, x * sum);
}

/**
 * P(D_n < d) by Durbin's matrix: with k = ⌈nd⌉, h = k − nd and the (2k−1)² matrix H of
 * H[i][j] = 1/(i−j+1)! (0 above the first superdiagonal), its first column and last row
 * corrected by (1 − h^r) and the corner by (1 − 2hᵐ + max(0, 2h − 1)ᵐ), the CDF is
 * n!/nⁿ · (Hⁿ)[k−1][k−1]. Powers by repeated squaring, each kept as a matrix and a power of two.
 */
export function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  const invFactorial = new Float64Array(m + 1);
  invFactorial[0] = 1;
  for (let r = 1; r <= m; r++) invFactorial[r] = invFactorial[r - 1] / r;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i - j + 1 >= 0) H[i * m + j] = invFactorial[i - j + 1];
  for (let i = 0; i < m; i++) {
    H[i * m] = (1 - h ** (i + 1)) * invFactorial[i + 1];
    H[(m - 1) * m + (m - 1 - i)] = (1 - h ** (i + 1)) * invFactorial[i + 1];
  }
  H[(m - 1) * m] = (1 - 2 * h ** m + Math.max(0, 2 * h - 1) ** m) * invFactorial[m];

  let base: Float64Array = H;
  let baseExp = 0;
  let acc: Float64Array | null = null as Float64Array | null;
  let accExp = 0;
  let e = n;
  while (e > 0) {
    if (e & 1) {
      if (acc === null) {
        acc = base.slice();
        accExp = baseExp;
      } else {
        acc = matMul(acc, base, m);
        accExp += baseExp;
        accExp += rescale(acc);
      }
    }
    e = Math.floor(e / 2);
    if (e > 0) {
      base = matMul(base, base, m);
      baseExp *= 2;
      baseExp += rescale(base);
    }
  }
  const centre = acc![(k - 1) * m + (k - 1)];
  if (!(centre > 0)) return 0;
  return Math.exp(Math.log(centre) + accExp * Math.LN2 + logFactorialOverPower(n));
}

function matMul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let t = 0; t < m; t++) {
      const ait = a[i * m + t];
      if (ait === 0) continue;
      const row = t * m;
      const o = i * m;
      for (let j = 0; j < m; j++) out[o + j] += ait * b[row + j];
    }
  }
  return out;
}

/** Divides the matrix by a power of two so its largest entry is near 1; returns the exponent taken out. */
function rescale(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > max) max = a[i];
  if (max === 0 || (max > 2 ** -256 && max < 2 ** 256)) return 0;
  const e = Math.round(Math.log2(max));
  const f = 2 ** -e;
  for (let i = 0; i < a.length; i++) a[i] *= f;
  return e;
}

const PI2 = Math.PI * Math.PI;
const PI4 = PI2 * PI2;
const PI6 = PI4 * PI2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * Pelz & Good's asymptotic series for P(√n·D_n ≤ z), z = x√n, in the form for small z:
 * K₀ + K₁/√n + K₂/n + K₃/n^(3/2) (Simard & L'Ecuyer 2011, eq. 2.4–2.7).
 * @returns { cdf, sf } with sf = (1 − K₀) − K₁/√n − K₂/n − K₃/n^(3/2).
 */
export function pelzGood(n: number, x: number): { cdf: number; sf: number } {
  if (x <= 0) return { cdf: 0, sf: 1 };
  if (x >= 1) return { cdf: 1, sf: 0 };
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const z8 = z4 * z4;
  const logQ = -PI2 / (8 * z2);
  if (logQ < -708) return { cdf: 0, sf: 1 };
  // Sums over odd m = 2k − 1 of c(m)·e^(−π²m²/(8z²)); k up to ⌈16z/π⌉ (later terms are below 1e-300).
  const maxK = Math.ceil((16 * z) / Math.PI);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = maxK; k >= 1; k--) {
    const odd = 2 * k - 1;
    const o2 = odd * odd;
    const o4 = o2 * o2;
    const w = Math.exp(logQ * o2);
    s0 += w;
    s1 += w * (-z2 + (PI2 / 4) * o2);
    s2 += w * (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * PI2 * o2) / 4 + (PI4 * (1 - 2 * z2) * o4) / 16);
    s3 += w * (-30 * z6 - 90 * z8 + (PI2 * (135 * z4 - 96 * z6) * o2) / 4 + (PI4 * (-60 * z2 + 212 * z4) * o4) / 16 + (PI6 * (5 - 30 * z2) * o4 * o2) / 64);
  }
  let k0 = (SQRT_2PI * s0) / z;
  let k1 = (SQRT_2PI * s1) / (6 * z4);
  let k2 = (SQRT_2PI * s2) / (72 * z6 * z);
  let k3 = (SQRT_2PI * s3) / (6480 * z8 * z2);
  // The sums over all integers k of k²·e^(−π²k²/(2z²)) that K₂ and K₃ add.
  let t2 = 0;
  let t3 = 0;
  for (let kk = maxK; kk >= 1; kk--) {
    const k2sq = kk * kk;
    const w = Math.exp((-PI2 * k2sq) / (2 * z2));
    t2 += k2sq * w;
    t3 += (3 * z2 - PI2 * k2sq) * k2sq * w;
  }
  k2 += (PI2 * SQRT_2PI * t2) / (-36 * z2 * z);
  k3 += (PI2 * SQRT_2PI * t3) / (216 * z6);
  const rn = Math.sqrt(n);
  k1 /= rn;
  k2 /= n;
  k3 /= n * rn;
  const cdf = k0 + k1 + k2 + k3;
  k0 = 1 - k0;
  const sf = k0 - k1 - k2 - k3;
  return { cdf, sf };
}

/**
 * P(D_n ≥ x) for the two-sided one-sample statistic (scipy's `kstwo.sf(x, n)`), by region as
 * Simard & L'Ecuyer (2011) decide: the Ruben–Gambino closed forms for nx ≤ 1 and nx ≥ n − 1;
 * 2·P(D⁺ ≥ x), exact for x ≥ ½ and the approximation they use in the upper tail (nx² > 4 for
 * n ≤ 140, nx² ≥ 2.2 above); 0 from nx² ≥ 370; otherwise 1 − the CDF, from Durbin's matrix
 * (n ≤ 140, or n ≤ 10⁵ with n·x^1.5 ≤ 1.4) or Pelz–Good's series.
 * Where Simard & L'Ecuyer use Pomeranz's recursion (n ≤ 140, 0.754693 < nx² ≤ 4) this uses
 * Durbin's matrix, which is exact there too.
 * @param n an integer ≥ 1.
 */
export function kolmogorovSurvival(n: number, x: number): number {
  if (!(n >= 1)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= (i / n) * (2 * t - 1);
    } else cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSurvival(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip01(1 - durbinCdf(n, x));
    return clip01(2 * smirnovSurvival(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSurvival(n, x));
  if (n <= 100000 && n * x ** 1.5 <= 1.4) return clip01(1 - durbinCdf(n, x));
  return clip01(pelzGood(n, x).sf);
}
