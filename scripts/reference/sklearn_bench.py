"""scikit-learn timings for the operations bench/metrics.bench.ts times, on the same sizes.

The data are generated the same way (not bit-identical: numpy's generator, not createRng).
Each figure is the median of several runs after a warm-up. Run: /usr/bin/python3 scripts/reference/sklearn_bench.py
"""
import time

import numpy as np
from sklearn.calibration import _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score, roc_curve


def binary_data(n, seed):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0, 1, n)
    y = (rng.uniform(0, 1, n) < truth).astype(int)
    p = np.round(10000 / (1 + np.exp(-2 * np.log(truth / (1 - truth))))) / 10000
    return y, p


def ece(y, p, bins=15):
    predicted = (p >= 0.5).astype(int)
    confidence = np.where(predicted == 1, p, 1 - p)
    correct = (predicted == y).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    ids = np.searchsorted(edges[1:-1], confidence)
    counts = np.bincount(ids, minlength=bins)
    conf_sum = np.bincount(ids, weights=confidence, minlength=bins)
    acc_sum = np.bincount(ids, weights=correct, minlength=bins)
    nonzero = counts > 0
    return float(np.sum(np.abs(acc_sum[nonzero] - conf_sum[nonzero])) / len(p))


def timed(label, runs, fn):
    fn()
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    print(f"{label:<52} {ms[len(ms) // 2]:>9.1f} ms  (median of {runs}, min {ms[0]:.1f})")


y, p = binary_data(1_000_000, 1)
timed("ROC AUC, 1,000,000 binary predictions", 5, lambda: roc_auc_score(y, p))
timed("log loss, 1,000,000 binary predictions", 5, lambda: log_loss(y, p))
timed("ECE (15 bins, numpy bincount), 1,000,000", 5, lambda: ece(y, p))
timed("Brier, 1,000,000", 5, lambda: brier_score_loss(y, p))
timed("ROC curve, 1,000,000", 5, lambda: roc_curve(y, p))
y100, p100 = binary_data(100_000, 3)
timed("isotonic fit, 100,000 points", 9, lambda: IsotonicRegression(out_of_bounds="clip").fit(p100, y100))
logits = np.log(np.clip(p100, 1e-15, 1 - 1e-15) / (1 - np.clip(p100, 1e-15, 1 - 1e-15)))
timed("Platt fit (_sigmoid_calibration on logits), 100,000", 9, lambda: _sigmoid_calibration(logits, y100))
