/**
 * The distributions the A/B statistics need: the normal (CDF and quantile), Student's t (CDF,
 * survival and quantile, through the regularized incomplete beta function) and χ² (survival,
 * through the regularized upper incomplete gamma function). Checked against scipy
 * (scripts/reference/ab_stats.py → test/fixtures/sklearn/ab.json).
 *
 * Tails are computed directly (never as 1 − CDF), so a p-value of 1e-40 is 1e-40 and not 0.
 *
 * Pure module: no node built-ins (the app runtime and the dashboard may use it).
 */
import { normalUpperTail } from '../registry/gateStats';

export { normalUpperTail } from '../registry/gateStats';

/** Lanczos coefficients for g = 7, n = 9 (relative error of Γ below 1e-15 for positive arguments). */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0 (Lanczos' approximation; below 0.5 by the reflection formula).
 * NaN for x ≤ 0 or NaN (the statistics here only need positive arguments).
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The remainder of Stirling's series, ln Γ(x) − [(x − ½)·ln x − x + ½·ln 2π], for x ≥ 10
 * (terms B₂ₙ/(2n(2n − 1)x^(2n−1)) up to n = 6; the next is below 1e-15 there).
 */
function stirlingRemainder(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - r2 * (691 / 360360))))));
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), a, b > 0. When the larger argument is 10 or
 * more, ln Γ(a) − ln Γ(a + b) is taken from Stirling's series as one expression,
 * −(a − ½)·ln(1 + b/a) − b·ln(a + b) + b + remainders, so that the two large logarithms
 * (2,600 for a = 500) do not cancel: Student's t with 1,000 degrees of freedom needs that.
 */
export function logBeta(a: number, b: number): number {
  const big = Math.max(a, b);
  const small = Math.min(a, b);
  if (big < 10) return logGamma(a) + logGamma(b) - logGamma(a + b);
  const ratio = -(big - 0.5) * Math.log1p(small / big) - small * Math.log(big + small) + small + stirlingRemainder(big) - stirlingRemainder(big + small);
  if (small < 10) return logGamma(small) + ratio;
  return HALF_LOG_TWO_PI + (small - 0.5) * Math.log(small) - small + stirlingRemainder(small) + ratio;
}

const TINY = 1e-300;
const EPS = 1e-16;

/**
 * The continued fraction of I_x(a, b) (modified Lentz): converges fast for x < (a + 1)/(a + b + 2).
 * Terms: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)), d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
 */
function betaContinuedFraction(x: number, a: number, b: number, xc: number): number {
  let c = 1;
  // 1 − (a + b)x/(a + 1), written with 1 − x where x is near 1: for a = 5e5 the subtraction
  // would lose five digits, and everything after inherits them.
  let d = x <= 0.5 ? 1 - ((a + b) * x) / (a + 1) : (1 - b + (a + b) * xc) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b) = B(x; a, b)/B(a, b), scipy's
 * `special.betainc(a, b, x)`.
 * @param x in [0, 1].
 * @param a, b > 0.
 * @param xc 1 − x when the caller has it more exactly than `1 - x` would give (e.g. t²/(ν + t²)
 *   for Student's t near 0); default 1 − x.
 * @returns NaN for arguments outside these ranges.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number, xc = 1 - x): number {
  if (!(a > 0 && b > 0) || !(x >= 0 && x <= 1)) return NaN;
  if (x === 0) return 0;
  if (xc === 0 || x === 1) return 1;
  // ln x from whichever of x and 1 − x is the small, exactly known one: a·ln x with a = 5e5
  // (Student's t with 10⁶ degrees of freedom) multiplies any rounding of x by a.
  const logX = x <= 0.5 ? Math.log(x) : Math.log1p(-xc);
  const logXc = xc <= 0.5 ? Math.log(xc) : Math.log1p(-x);
  const front = Math.exp(a * logX + b * logXc - logBeta(a, b));
  // The fraction converges quickly on the side of the mean; the other side by symmetry,
  // I_x(a, b) = 1 − I_{1−x}(b, a), computed as its own small tail where that is the small one.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b, xc)) / a;
  return 1 - (front * betaContinuedFraction(xc, b, a, x)) / b;
}

/** P(Z ≤ z) for a standard normal Z (scipy's `norm.cdf`), accurate in both tails. */
export function normalCdf(z: number): number {
  return normalUpperTail(-z);
}

/** The standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * The z with P(Z ≥ z) = q for 0 < q ≤ ½ (z ≥ 0): a rational start (Abramowitz & Stegun
 * 26.2.23, error < 4.5e-4) refined by Newton's method on ln Q(z) − ln q, which stays
 * well-conditioned far into the tail (q = 1e-300).
 */
function upperNormalQuantile(q: number): number {
  const t = Math.sqrt(-2 * Math.log(q));
  let z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  for (let i = 0; i < 50; i++) {
    const tail = normalUpperTail(z);
    const step = ((Math.log(tail) - Math.log(q)) * tail) / normalPdf(z);
    z += step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

/**
 * The quantile Φ⁻¹(p) of the standard normal (scipy's `norm.ppf`): −∞ at 0, +∞ at 1, NaN
 * outside [0, 1]. Accurate to about 1e-15 relative, also for p = 1e-300.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  return p < 0.5 ? -upperNormalQuantile(p) : upperNormalQuantile(1 - p);
}

/**
 * P(T ≥ t) for Student's t with `df` degrees of freedom (scipy's `t.sf`): for t ≥ 0,
 * ½·I_{ν/(ν+t²)}(ν/2, ½). Any df > 0 (not only whole numbers: Welch's test has fractional ones);
 * df = ∞ is the normal. NaN for df ≤ 0 or NaN arguments. Relative error against scipy below
 * 1e-12 up to 1,000 degrees of freedom, below 1e-10 at 10⁶ (where x is within 1e-5 of the
 * continued fraction's turning point and its recursion loses digits: irrelevant for a test at
 * any usual alpha).
 */
export function studentTSurvival(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (df === Infinity) return normalUpperTail(t);
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const t2 = t * t;
  // x = ν/(ν + t²) and 1 − x = t²/(ν + t²), each computed directly.
  const x = df / (df + t2);
  const xc = t2 / (df + t2);
  const half = 0.5 * regularizedIncompleteBeta(x, df / 2, 0.5, xc);
  return t >= 0 ? half : 1 - half;
}

/** P(T ≤ t) for Student's t (scipy's `t.cdf`). */
export function studentTCdf(t: number, df: number): number {
  return studentTSurvival(-t, df);
}

/** Student's t density with `df` degrees of freedom. */
export function studentTPdf(t: number, df: number): number {
  if (df === Infinity) return normalPdf(t);
  return Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/**
 * The quantile of Student's t (scipy's `t.ppf(p, df)`): the t with P(T ≤ t) = p. Solved by
 * Newton's method on ln P(T ≥ t) − ln q (q the smaller tail), kept inside a bracket that
 * bisects (geometrically, for the heavy tails of few degrees of freedom) whenever a step would
 * leave it; relative accuracy about 1e-14. ±∞ at 0 and 1, NaN outside [0, 1] or for df ≤ 0.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df === Infinity) return normalQuantile(p);
  const q = p < 0.5 ? p : 1 - p;
  // Bracket [lo, hi] with S(lo) > q ≥ S(hi), t ≥ 0.
  let lo = 0;
  let hi = Math.max(1, upperNormalQuantile(q));
  while (studentTSurvival(hi, df) > q) {
    lo = hi;
    hi *= 4;
    if (!Number.isFinite(hi)) return p < 0.5 ? -Infinity : Infinity;
  }
  let t = (lo + hi) / 2;
  for (let i = 0; i < 400; i++) {
    const tail = studentTSurvival(t, df);
    if (tail > q) lo = t;
    else hi = t;
    const step = ((Math.log(tail) - Math.log(q)) * tail) / studentTPdf(t, df);
    let next = t + step;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = lo > 0 ? Math.sqrt(lo * hi) : (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-15 * Math.max(1, Math.abs(next)) || hi - lo <= 1e-15 * hi) {
      t = next;
      break;
    }
    t = next;
  }
  return p < 0.5 ? -t : t;
}

/** e^(−x)·x^a/Γ(a): the factor the series and the continued fraction of the incomplete gamma share. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** P(a, x) by its power series (converges fast for x < a + 1). */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 100000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * gammaPrefactor(a, x);
}

/** Q(a, x) by its continued fraction (modified Lentz; converges fast for x ≥ a + 1). */
function upperGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < 100000; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h * gammaPrefactor(a, x);
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a) (scipy's
 * `special.gammaincc(a, x)`), a > 0, x ≥ 0. Q(a, 0) = 1. NaN outside the domain.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerGammaSeries(a, x) : upperGammaFraction(a, x);
}

/**
 * P(χ²_df ≥ x) (scipy's `chi2.sf(x, df)`) = Q(df/2, x/2). 1 for x ≤ 0; NaN for df ≤ 0.
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}
