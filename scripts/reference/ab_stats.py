"""Reference values for src/core/experiments/distributions.ts and stats.ts (the A/B statistics).

Writes test/fixtures/sklearn/ab.json:
- distributions: scipy.special.betainc / gammaincc / gammaln, scipy.stats.t.sf / t.cdf / t.ppf,
  norm.cdf / norm.ppf and chi2.sf on grids that reach far into the tails and use fractional
  degrees of freedom (Welch's test has them). scipy's t.ppf is only accurate to about 1e-9
  relative for some arguments (it inverts the CDF iteratively), so the quantiles are also given
  to 30 significant digits by mpmath (the root of mpmath's betainc-based CDF), which the test
  compares at 1e-13;
- Welch's t-test: scipy.stats.ttest_ind(a, b, equal_var=False) on seeded normal samples of
  different sizes and spreads (the summaries n, mean, sample variance are recorded, the test
  gets only those); the Welch-Satterthwaite df and the interval
  (mean_a - mean_b) +- t.ppf((1 + c)/2, df) * se from scipy's pieces;
- the two-proportion z-test: the p-value of scipy.stats.chi2_contingency(table,
  correction=False), which equals the pooled z-test's, and the z statistic from the formula;
  the unpooled Wald interval from norm.ppf;
- Wilson intervals: scipy.stats.binomtest(x, n).proportion_ci(c, method='wilson');
- the chi-square goodness-of-fit test of assignment counts: scipy.stats.chisquare;
- sample sizes: the closed forms with norm.ppf, and the normal-approximation power at that n
  (at least the target; one observation fewer, below or equal to it).

Run from the repository root: /usr/bin/python3 scripts/reference/ab_stats.py
"""
import math
import os
import sys

import mpmath
import numpy as np
import scipy
from scipy import special, stats

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from common import write_fixture  # noqa: E402

mpmath.mp.dps = 40


def f(x):
    return float(x)


def mp_t_ppf(p, df):
    """Quantile of Student's t by mpmath: the root of its CDF, 1 - I_x(df/2, 1/2)/2 for t > 0."""
    p = mpmath.mpf(p)
    df = mpmath.mpf(df)
    if p == mpmath.mpf("0.5"):
        return mpmath.mpf(0)

    def sf(t):
        x = df / (df + t * t)
        return mpmath.betainc(df / 2, mpmath.mpf("0.5"), 0, x, regularized=True) / 2

    q = p if p < 0.5 else 1 - p
    start = mpmath.mpf(stats.t.isf(float(q), float(df)))
    t = mpmath.findroot(lambda t: mpmath.log(sf(t)) - mpmath.log(q), start)
    return -t if p < 0.5 else t


def distributions():
    beta = []
    for a, b, x in [(0.5, 0.5, 0.3), (2, 3, 0.1), (2, 3, 0.9), (10, 0.5, 0.999), (0.5, 10, 1e-6), (50, 60, 0.45), (1.5, 0.5, 0.02), (250, 0.5, 0.99), (3, 3, 0.5)]:
        beta.append({"a": a, "b": b, "x": x, "value": f(special.betainc(a, b, x))})
    gamma_q = []
    for a, x in [(0.5, 0.1), (0.5, 3), (1, 1), (2.5, 10), (10, 5), (10, 30), (50, 49), (0.5, 300), (100, 150)]:
        gamma_q.append({"a": a, "x": x, "value": f(special.gammaincc(a, x))})
    log_gamma = [{"x": x, "value": f(special.gammaln(x))} for x in [0.1, 0.5, 1, 1.5, 2, 3.7, 10, 55.5, 1000, 1e5]]
    t_tail = []
    for df in [1, 2, 3.5, 7.25, 30, 123.4, 1000, 1e6]:
        for t in [-40, -3, -0.5, 0, 0.01, 1, 1.96, 5, 12, 100]:
            t_tail.append({"t": t, "df": df, "sf": f(stats.t.sf(t, df)), "cdf": f(stats.t.cdf(t, df))})
    t_quantile = []
    for df in [1, 2.5, 4, 10.7, 30, 1000]:
        for p in [1e-12, 1e-6, 0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999999]:
            t_quantile.append({"p": p, "df": df, "scipy": f(stats.t.ppf(p, df)), "mpmath": f(mp_t_ppf(p, df))})
    normal = []
    for p in [1e-300, 1e-100, 1e-12, 1e-6, 0.001, 0.025, 0.2, 0.5, 0.6, 0.975, 0.999, 1 - 1e-12]:
        normal.append({"p": p, "ppf": f(stats.norm.ppf(p))})
    normal_cdf = [{"z": z, "cdf": f(stats.norm.cdf(z))} for z in [-38, -10, -3, -1.96, -0.1, 0, 0.5, 1.96, 8]]
    chi2 = []
    for df in [1, 2, 3, 5, 10, 47, 100]:
        for x in [0, 0.001, 0.5, 3.84, 7.81, 20, 60, 200, 1000]:
            chi2.append({"x": x, "df": df, "sf": f(stats.chi2.sf(x, df))})
    return {"beta": beta, "gammaQ": gamma_q, "logGamma": log_gamma, "tTail": t_tail, "tQuantile": t_quantile, "normalQuantile": normal, "normalCdf": normal_cdf, "chiSquare": chi2}


def welch_cases():
    rng = np.random.default_rng(20261201)
    cases = []
    for na, nb, ma, mb, sa, sb in [(12, 15, 1.0, 1.4, 1.0, 2.0), (200, 180, 0.5, 0.45, 0.3, 0.35), (5, 40, 10, 12, 0.5, 4), (1000, 1000, 0, 0.05, 1, 1), (3, 3, 2, 2.1, 0.01, 0.2), (60, 25, -3, -3, 2, 2)]:
        a = rng.normal(ma, sa, na)
        b = rng.normal(mb, sb, nb)
        r = stats.ttest_ind(a, b, equal_var=False)
        va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
        df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
        se = math.sqrt(va + vb)
        diff = a.mean() - b.mean()
        for conf in [0.95, 0.99]:
            half = float(mp_t_ppf((1 + conf) / 2, df)) * se
            cases.append(
                {
                    "a": {"n": na, "mean": f(a.mean()), "variance": f(a.var(ddof=1))},
                    "b": {"n": nb, "mean": f(b.mean()), "variance": f(b.var(ddof=1))},
                    "confidence": conf,
                    "statistic": f(r.statistic),
                    "pValue": f(r.pvalue),
                    "df": f(df),
                    "difference": f(diff),
                    "lower": f(diff - half),
                    "upper": f(diff + half),
                }
            )
    return cases


def proportion_cases():
    cases = []
    for xa, na, xb, nb in [(45, 100, 30, 100), (510, 1000, 480, 1000), (3, 20, 9, 25), (0, 50, 4, 60), (700, 10000, 640, 9800), (50, 50, 48, 50), (120, 400, 120, 400)]:
        table = [[xa, na - xa], [xb, nb - xb]]
        _chi2, p, _dof, _exp = stats.chi2_contingency(table, correction=False)
        pa, pb = xa / na, xb / nb
        pooled = (xa + xb) / (na + nb)
        z = (pa - pb) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        zc = stats.norm.ppf(0.975)
        cases.append(
            {
                "xa": xa, "na": na, "xb": xb, "nb": nb, "confidence": 0.95,
                "statistic": f(z), "pValue": f(p), "normalPValue": f(2 * stats.norm.sf(abs(z))),
                "difference": f(pa - pb), "lower": f(pa - pb - zc * se), "upper": f(pa - pb + zc * se),
            }
        )
    return cases


def wilson_cases():
    out = []
    for x, n, c in [(0, 10, 0.95), (10, 10, 0.95), (3, 10, 0.95), (480, 1000, 0.95), (7, 2000, 0.99), (1, 1, 0.9)]:
        ci = stats.binomtest(x, n).proportion_ci(confidence_level=c, method="wilson")
        out.append({"x": x, "n": n, "confidence": c, "lower": f(ci.low), "upper": f(ci.high)})
    return out


def srm_cases():
    out = []
    for observed, shares in [([5000, 5000], [0.5, 0.5]), ([5200, 4800], [0.5, 0.5]), ([1000, 950, 1075], [1 / 3, 1 / 3, 1 / 3]), ([9030, 970], [0.9, 0.1]), ([2750, 2250], [0.5, 0.5])]:
        total = sum(observed)
        expected = [total * s for s in shares]
        r = stats.chisquare(observed, expected)
        out.append({"observed": observed, "shares": shares, "statistic": f(r.statistic), "pValue": f(r.pvalue), "df": len(observed) - 1})
    return out


def power_means(n, sd, delta, alpha):
    se = sd * math.sqrt(2 / n)
    z = stats.norm.ppf(1 - alpha / 2)
    return stats.norm.cdf(abs(delta) / se - z) + stats.norm.cdf(-abs(delta) / se - z)


def power_props(n, p1, p2, alpha):
    pbar = (p1 + p2) / 2
    z = stats.norm.ppf(1 - alpha / 2)
    s0 = math.sqrt(2 * pbar * (1 - pbar) / n)
    s1 = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)
    d = abs(p1 - p2)
    return stats.norm.cdf((d - z * s0) / s1) + stats.norm.cdf((-d - z * s0) / s1)


def sample_sizes():
    means = []
    for sd, delta, alpha, power in [(1, 0.1, 0.05, 0.8), (2.5, 0.5, 0.05, 0.9), (10, 1, 0.01, 0.8), (0.3, 0.05, 0.025, 0.8)]:
        z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
        n = math.ceil(2 * z * z * sd * sd / (delta * delta))
        means.append({"sd": sd, "delta": delta, "alpha": alpha, "power": power, "n": n, "powerAtN": f(power_means(n, sd, delta, alpha))})
    props = []
    for p1, p2, alpha, power in [(0.1, 0.15, 0.05, 0.8), (0.5, 0.55, 0.05, 0.8), (0.3, 0.2, 0.01, 0.9), (0.02, 0.03, 0.05, 0.8)]:
        pbar = (p1 + p2) / 2
        a = stats.norm.ppf(1 - alpha / 2) * math.sqrt(2 * pbar * (1 - pbar))
        b = stats.norm.ppf(power) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
        n = math.ceil((a + b) ** 2 / (p1 - p2) ** 2)
        props.append({"p1": p1, "p2": p2, "alpha": alpha, "power": power, "n": n, "powerAtN": f(power_props(n, p1, p2, alpha))})
    return {"means": means, "proportions": props}


write_fixture(
    "ab.json",
    {
        "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "mpmath": mpmath.__version__},
        "distributions": distributions(),
        "welch": welch_cases(),
        "proportions": proportion_cases(),
        "wilson": wilson_cases(),
        "srm": srm_cases(),
        "sampleSize": sample_sizes(),
    },
)
