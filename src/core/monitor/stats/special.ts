/**
 * Special functions the drift tests need: log-gamma (and the Stirling remainder that lets
 * log-binomials of a hundred thousand be formed without cancelling large numbers), the
 * regularized incomplete gamma functions, and the χ² survival function built on them.
 * Checked against scipy (scripts/reference/drift_stats.py → test/fixtures/sklearn/drift.json).
 *
 * Pure module: no node built-ins.
 */
import { complementaryErrorFunction } from '../../registry/gateStats';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(k!) for k = 0..LOG_FACTORIAL_TABLE − 1, summed exactly enough (each step one rounding). */
const LOG_FACTORIAL_TABLE = 32;
const logFactorials: Float64Array = (() => {
  const t = new Float64Array(LOG_FACTORIAL_TABLE);
  let f = 1;
  for (let k = 1; k < LOG_FACTORIAL_TABLE; k++) {
    f *= k; // exact up to 22!, then within one rounding per step: ln of it is exact to 1e-16
    t[k] = Math.log(f);
  }
  return t;
})();

/**
 * The remainder of Stirling's series, ln Γ(x + 1) − (x ln x − x + ½ ln(2πx)), for x ≥ 1:
 * Σ B₂ⱼ / (2j(2j − 1) x^(2j−1)) (j = 1..8) from x = 10 on, where the series is good to 1e-17;
 * below, from the exact table of ln k! (integer x) or by stepping x up to 10 with
 * ln Γ(x + 1) = ln Γ(x + 2) − ln(x + 1). About 1/(12x): small, so a log-binomial built from
 * these never subtracts numbers of the size of x ln x.
 * @param x ≥ 1 (not checked; 0 would divide by zero).
 */
export function stirlingRemainder(x: number): number {
  if (x >= 10) {
    const r = 1 / x;
    const r2 = r * r;
    // B2/2, B4/12, B6/30, B8/56, B10/90, B12/132, B14/182, B16/240
    return (
      r *
      (1 / 12 +
        r2 *
          (-1 / 360 +
            r2 *
              (1 / 1260 +
                r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156 + r2 * (-3617 / 122400))))))))
    );
  }
  if (Number.isInteger(x) && x < LOG_FACTORIAL_TABLE) return logFactorials[x] - (x * Math.log(x) - x + LOG_SQRT_2PI + 0.5 * Math.log(x));
  // ln Γ(x+1) = ln Γ(x+1+s) − Σ ln(x+1..x+s); write both sides with Stirling's leading terms.
  let s = 0;
  let logProduct = 0;
  while (x + s < 10) {
    s++;
    logProduct += Math.log(x + s);
  }
  const y = x + s;
  const lgY = y * Math.log(y) - y + LOG_SQRT_2PI + 0.5 * Math.log(y) + stirlingRemainder(y);
  return lgY - logProduct - (x * Math.log(x) - x + LOG_SQRT_2PI + 0.5 * Math.log(x));
}

/**
 * ln Γ(x) for x > 0 (relative error about 1e-15 away from the zeros of ln Γ at 1 and 2, where
 * the absolute error is about 1e-16). NaN for x ≤ 0 or NaN.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x === Infinity) return Infinity;
  if (Number.isInteger(x) && x <= LOG_FACTORIAL_TABLE) return logFactorials[x - 1];
  if (x < 10) {
    // Γ(x) = Γ(x + s) / (x (x+1) … (x+s−1)), with x + s ≥ 10 where Stirling's series is exact to 1e-17.
    let product = 1;
    let y = x;
    while (y < 10) {
      product *= y;
      y += 1;
    }
    return logGamma(y) - Math.log(product);
  }
  const z = x - 1; // ln Γ(x) = ln Γ(z + 1)
  return z * Math.log(z) - z + LOG_SQRT_2PI + 0.5 * Math.log(z) + stirlingRemainder(z);
}

/**
 * ln(1 + u) − u, accurate for small |u| (where the difference would cancel) and for u near −1.
 * @param u > −1.
 */
export function log1pMinus(u: number): number {
  if (Math.abs(u) < 0.3) {
    // −u²/2 + u³/3 − u⁴/4 + … ; |u| < 0.3 reaches 1e-17 within 40 terms.
    let term = u;
    let sum = 0;
    for (let k = 2; k < 60; k++) {
      term *= -u;
      const next = term / k;
      sum += next;
      if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
    }
    return sum;
  }
  return Math.log1p(u) - u;
}

/**
 * e^(−x) x^a / Γ(a), the factor in front of both incomplete gamma functions. From a = 10 on it
 * is √(a/2π) · exp(a·(ln(1 + u) − u) − R(a)) with u = x/a − 1 and R the Stirling remainder, so
 * that a and x of thousands (χ² with many categories) lose no digits to exp of a difference of
 * large numbers.
 */
function gammaPrefactor(a: number, x: number): number {
  if (a < 10) return Math.exp(a * Math.log(x) - x - logGamma(a));
  // Γ(a) = Γ(a+1)/a and ln Γ(a+1) = a ln a − a + ½ ln(2πa) + R(a):
  // x^a e^(−x) / Γ(a) = a · exp(a ln(x/a) − x + a − ½ ln(2πa) − R(a)) = √(a/2π) · exp(a·(ln(1+u) − u) − R(a)).
  const u = (x - a) / a;
  return Math.sqrt(a / (2 * Math.PI)) * Math.exp(a * log1pMinus(u) - stirlingRemainder(a));
}

/** Both regularized incomplete gamma functions at once: P(a, x) + Q(a, x) = 1. */
export interface IncompleteGamma {
  /** P(a, x) = γ(a, x) / Γ(a): the CDF of a Gamma(a, 1) variable at x. */
  lower: number;
  /** Q(a, x) = Γ(a, x) / Γ(a): its survival function, accurate in the far tail. */
  upper: number;
}

/**
 * The regularized incomplete gamma functions P(a, x) and Q(a, x) for a > 0, x ≥ 0. For
 * x < a + 1 the power series of P (all terms positive), Q = 1 − P; otherwise the continued
 * fraction of Q (Legendre's, evaluated by the modified Lentz method), P = 1 − Q — so the
 * smaller of the two is always computed directly, to full relative precision, whichever tail
 * is asked for.
 * @returns NaN for a ≤ 0, x < 0 or NaN inputs.
 */
export function incompleteGamma(a: number, x: number): IncompleteGamma {
  if (!(a > 0) || !(x >= 0)) return { lower: NaN, upper: NaN };
  if (x === 0) return { lower: 0, upper: 1 };
  if (x === Infinity) return { lower: 1, upper: 0 };
  const prefactor = gammaPrefactor(a, x);
  if (prefactor === 0) return x < a ? { lower: 0, upper: 1 } : { lower: 1, upper: 0 };
  if (x < a + 1) {
    // P = prefactor/a · Σ x^n / ((a+1)…(a+n)).
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 100000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const lower = Math.min(1, (prefactor / a) * sum);
    return { lower, upper: 1 - lower };
  }
  // Q = prefactor · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …))).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const upper = Math.min(1, prefactor * h);
  return { lower: 1 - upper, upper };
}

/**
 * P(χ²_df ≥ x): the p-value of a χ² statistic, scipy's `chi2.sf(x, df)` (= Q(df/2, x/2)).
 * @param x the statistic; ≤ 0 gives 1.
 * @param df degrees of freedom, > 0 (0 gives NaN: there is no test).
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return incompleteGamma(df / 2, x / 2).upper;
}

/**
 * ln(n!/(j!(n−j)!)) for integers 0 ≤ j ≤ n, without forming ln n! (which for n = 10⁵ is 10⁶ and
 * would leave only ten correct digits after the subtraction): Stirling's leading terms cancel
 * analytically and only their small remainders are subtracted.
 */
export function logBinomial(n: number, j: number): number {
  if (j < 0 || j > n) return -Infinity;
  if (j === 0 || j === n) return 0;
  const k = n - j;
  // n ln n − j ln j − k ln k = −j ln(j/n) − k ln(k/n)
  const lead = -j * Math.log(j / n) - k * Math.log(k / n);
  return lead + 0.5 * Math.log(n / (2 * Math.PI * j * k)) + stirlingRemainder(n) - stirlingRemainder(j) - stirlingRemainder(k);
}

/**
 * The standard normal quantile Φ⁻¹(p) for 0 < p < 1: Acklam's rational approximation (relative
 * error 1.2e-9) refined by one Halley step on the complementary error function, which brings it
 * to full double precision. ±Infinity at 0 and 1, NaN outside.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // The upper half by symmetry: 1 − p is exact there, and the lower tail keeps relative precision.
  if (p > 0.5) return -normalQuantile(1 - p);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley: e = Φ(x) − p, with Φ(x) = erfc(−x/√2)/2.
  const e = 0.5 * complementaryErrorFunction(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
