"""Times drift on the sizes of bench/drift.bench.ts with numpy / scipy, for orientation.

Usage: python3 bench/drift_scipy.py CURRENT_ROWS REFERENCE_ROWS FEATURES
Prints one JSON line: seconds for PSI alone (numpy quantile bins of the reference, counts of
the current by searchsorted on the sorted values, as scripts/reference/drift_stats.py) and for
everything (PSI, scipy.stats.ks_2samp, scipy.stats.wasserstein_distance divided by the
reference's standard deviation), over all features, and the peak RSS of this process.
The data: standard normal columns (the reference, and the current with the first feature
shifted by 0.5), drawn by numpy (the same distributions as the TypeScript side, not the same
values).
"""
import json
import resource
import sys
import time

import numpy as np
from scipy import stats


def psi(ref, cur, bins=10):
    qs = np.quantile(ref, [b / bins for b in range(1, bins)], method="inverted_cdf")
    edges = np.unique(qs)
    edges = edges[edges > ref.min()]
    r = np.diff(np.concatenate(([0], np.searchsorted(np.sort(ref), edges, side="left"), [len(ref)])))
    c = np.diff(np.concatenate(([0], np.searchsorted(np.sort(cur), edges, side="left"), [len(cur)])))
    rs = r / r.sum()
    cs = c / c.sum()
    rs[rs == 0] = 1e-4
    cs[cs == 0] = 1e-4
    return float(np.sum((cs - rs) * np.log(cs / rs)))


def main():
    n, m, k = (int(a) for a in sys.argv[1:4])
    rng = np.random.default_rng(1)
    ref = rng.standard_normal((k, m))
    cur = rng.standard_normal((k, n))
    cur[0] += 0.5
    t0 = time.perf_counter()
    for f in range(k):
        psi(ref[f], cur[f])
    t_psi = time.perf_counter() - t0
    t0 = time.perf_counter()
    ps = []
    for f in range(k):
        psi(ref[f], cur[f])
        ps.append(stats.ks_2samp(ref[f], cur[f]).pvalue)
        stats.wasserstein_distance(ref[f], cur[f]) / ref[f].std()
    t_all = time.perf_counter() - t0
    print(json.dumps({"psi_s": t_psi, "all_s": t_all, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
