"""Reference values for the drift statistics of src/core/monitor/stats/.

Writes test/fixtures/sklearn/drift.json:
- two-sample Kolmogorov-Smirnov (scipy.stats.ks_2samp, method 'auto', two-sided): statistic and
  p-value on samples of several sizes, with ties, equal and unequal sizes, on both sides of the
  10,000-value switch from the exact to the asymptotic p-value (samples up to 1,500 values are
  stored; for larger ones the statistic is stored with the sizes and only the p-value is
  compared), and the one-sample distributions it uses: kstwo.sf(x, n) on a grid of n and
  z = x*sqrt(n) that visits every region of Simard & L'Ecuyer's algorithm, and
  scipy.special.smirnov(n, x);
- the chi-square test of homogeneity (scipy.stats.chi2_contingency, correction=False) on 2xK
  tables, including a category only one sample has, and chi2.sf(x, df) / gammainc /
  gammaincc over a grid of df and x, into the far tails;
- the 1-Wasserstein distance (scipy.stats.wasserstein_distance) on samples with ties and
  different sizes;
- the Jensen-Shannon distance (scipy.spatial.distance.jensenshannon, base 2);
- the PSI as ML Loop defines it, transcribed in numpy: bins start at the reference's
  inverted-CDF quantiles (numpy.quantile(method='inverted_cdf')) at 1/B ... (B-1)/B, equal
  edges collapse, the first bin is open below and the last open above, counts by
  numpy.searchsorted(side='left'), a missing-value bin when either side has NaN, and empty
  shares raised to 1e-4 before sum((c - r) * ln(c / r));
- the standard normal quantile (scipy.stats.norm.ppf).

Run from the repository root: /usr/bin/python3 scripts/reference/drift_stats.py
"""
import os
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from common import write_fixture  # noqa: E402

rng = np.random.default_rng(20261201)


def sample(n, shift=0.0, scale=1.0, ties=None):
    x = rng.normal(shift, scale, n)
    if ties:
        x = np.round(x * ties) / ties
    return x


def ks_cases():
    stored, sized = [], []
    specs = [
        (1, 1, 0.0, None), (1, 5, 0.0, None), (3, 4, 0.5, None), (5, 7, 0.0, None), (8, 8, 1.0, None),
        (10, 10, 0.5, None), (20, 30, 0.0, 2), (30, 40, 0.3, 3), (50, 50, 0.0, 1), (60, 25, 0.8, None),
        (100, 100, 0.0, 3), (100, 250, 0.2, None), (300, 200, 0.15, 5), (500, 500, 0.1, None),
        (999, 1000, 0.05, None), (1200, 700, 0.0, 10), (1500, 1500, 0.12, 4),
    ]
    for n1, n2, shift, ties in specs:
        a, b = sample(n1, ties=ties), sample(n2, shift=shift, ties=ties)
        r = stats.ks_2samp(a, b)
        stored.append({"a": a.tolist(), "b": b.tolist(), "statistic": float(r.statistic), "p": float(r.pvalue)})
    for n1, n2, shift, ties in [
        (3000, 7000, 0.1, 3), (10000, 10000, 0.02, None), (10000, 9999, 0.0, None), (7000, 10000, 0.04, None),
        (50, 20000, 0.3, None), (100, 100000, 0.0, None), (100, 100000, 0.4, None), (140, 30000, 0.3, None),
        (20000, 30000, 0.01, None), (20000, 30000, 0.05, None), (10001, 10001, 0.05, 5),
        (100000, 1000000, 0.0, None), (100000, 1000000, 0.01, None), (100000, 1000000, 0.05, None),
    ]:
        a, b = sample(n1, ties=ties), sample(n2, shift=shift, ties=ties)
        r = stats.ks_2samp(a, b)
        sized.append({"n1": n1, "n2": n2, "d": float(r.statistic), "p": float(r.pvalue)})
    return stored, sized


def one_sample_grid():
    kstwo, smirnov = [], []
    for n in [1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 1000, 5000, 20000, 90909, 100000, 100001, 250000, 1000000, 2000000]:
        xs = [z / np.sqrt(n) for z in [0.05, 0.2, 0.4, 0.6, 0.8, 0.87, 1.0, 1.2, 1.4, 1.6, 2.0, 2.5, 3.0, 4.0, 6.0]]
        xs += [0.5 / n + 1e-9, 0.75 / n, 1.0 / n, 0.55, 0.7, 0.99]
        if n > 1:
            xs.append(1 - 1.0 / n)
        for x in xs:
            if 0 < x < 1:
                kstwo.append([n, float(x), float(stats.kstwo.sf(x, n))])
                smirnov.append([n, float(x), float(special.smirnov(n, x))])
    return kstwo, smirnov


def chi_square_cases():
    tables = [
        [[10, 20, 30], [12, 18, 30]],
        [[100, 0, 5], [90, 8, 7]],  # a category only the current sample has
        [[500, 300, 200, 0], [480, 310, 190, 20]],
        [[5, 5], [6, 4]],
        [[1000, 2000, 3000, 4000, 5000], [1100, 1900, 3100, 3900, 5200]],
        [[3, 0, 7, 1, 9, 2], [1, 4, 6, 0, 8, 5]],
        [[40000, 35000, 25000], [330000, 370000, 300000]],
    ]
    cases = []
    for t in tables:
        stat, p, dof, _ = stats.chi2_contingency(np.array(t), correction=False)
        cases.append({"table": t, "statistic": float(stat), "p": float(p), "dof": int(dof)})
    sf = []
    for df in [1, 2, 3, 4, 5, 9, 10, 17, 30, 49, 100, 500, 1000, 5000]:
        for x in [1e-6, 0.01, 0.5, 1, 2, 5, 10, 20, 50, 100, 300, 700, 1500, 3000, 8000]:
            sf.append([float(x), df, float(stats.chi2.sf(x, df))])
    gamma = []
    for a in [0.5, 1, 1.5, 3, 9.5, 10, 25, 100, 1000]:
        for x in [1e-3, 0.3, 1, 2.5, 9, 11, 30, 99, 120, 1100]:
            gamma.append([a, x, float(special.gammainc(a, x)), float(special.gammaincc(a, x))])
    return cases, sf, gamma


def wasserstein_cases():
    out = []
    for n1, n2, shift, scale, ties in [(1, 1, 0.5, 1, None), (5, 3, 0, 1, None), (50, 80, 0.3, 1.5, None), (200, 200, 0, 1, 2), (700, 300, 1.0, 0.5, 10), (1000, 1500, 0.01, 1, None)]:
        a, b = sample(n1, ties=ties), sample(n2, shift=shift, scale=scale, ties=ties)
        out.append({"a": a.tolist(), "b": b.tolist(), "distance": float(stats.wasserstein_distance(a, b))})
    return out


def js_cases():
    out = []
    for p, q in [([1, 0], [0, 1]), ([1, 1], [1, 1]), ([10, 20, 30], [12, 18, 30]), ([5, 0, 5, 90], [5, 5, 0, 90]), ([100, 200, 300, 0], [90, 210, 280, 20]), ([0.2, 0.3, 0.5], [0.5, 0.3, 0.2])]:
        out.append({"p": p, "q": q, "distance": float(distance.jensenshannon(p, q, base=2))})
    return out


def psi(reference, current, bins):
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref_present, cur_present = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    qs = np.quantile(ref_present, [b / bins for b in range(1, bins)], method="inverted_cdf")
    edges = []
    for q in qs:
        if not edges or q > edges[-1]:
            edges.append(q)
    edges = [e for e in edges if e > ref_present.min()]  # a first edge at the minimum would leave an empty first bin
    def counts(values):
        cut = np.searchsorted(np.sort(values), edges, side="left")
        bounds = [0, *cut.tolist(), len(values)]
        return [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]
    r, c = counts(ref_present), counts(cur_present)
    if np.isnan(ref).any() or np.isnan(cur).any():
        r.append(int(np.isnan(ref).sum()))
        c.append(int(np.isnan(cur).sum()))
    rs = np.array(r) / sum(r)
    cs = np.array(c) / sum(c)
    rs[rs == 0] = 1e-4
    cs[cs == 0] = 1e-4
    return float(np.sum((cs - rs) * np.log(cs / rs))), r, c


def psi_cases():
    out = []
    for n1, n2, shift, ties, missing, bins in [(200, 300, 0.0, None, 0, 10), (500, 400, 0.5, None, 0, 10), (300, 300, 0.0, 2, 0, 10), (1000, 800, 0.2, 1, 0, 5), (400, 600, 0.0, None, 0.1, 10), (100, 100, 3.0, None, 0, 10), (250, 150, 0.0, None, 0.0, 20)]:
        a, b = sample(n1, ties=ties), sample(n2, shift=shift, ties=ties)
        if missing:
            b[rng.random(n2) < missing] = np.nan
        value, r, c = psi(a, b, bins)
        out.append({"a": [None if np.isnan(v) else v for v in a.tolist()], "b": [None if np.isnan(v) else v for v in b.tolist()], "bins": bins, "psi": value, "reference": r, "current": c})
    return out


def main():
    ks_stored, ks_sized = ks_cases()
    kstwo, smirnov = one_sample_grid()
    chi, chi_sf, gamma = chi_square_cases()
    write_fixture(
        "drift.json",
        {
            "versions": {"scipy": scipy.__version__, "numpy": np.__version__},
            "ks_samples": ks_stored,
            "ks_sizes": ks_sized,
            "kstwo_sf": kstwo,
            "smirnov": smirnov,
            "chi2_contingency": chi,
            "chi2_sf": chi_sf,
            "gamma": gamma,
            "wasserstein": wasserstein_cases(),
            "jensenshannon": js_cases(),
            "psi": psi_cases(),
            "norm_ppf": [[p, float(stats.norm.ppf(p))] for p in [1e-300, 1e-20, 1e-9, 1e-4, 0.01, 0.02425, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.99, 0.9999, 1 - 1e-12]],
        },
    )


if __name__ == "__main__":
    main()
