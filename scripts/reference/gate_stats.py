"""Reference values for src/core/registry/gateStats.ts and the quality gate's paired test.

Writes test/fixtures/sklearn/gate.json:
- McNemar's test on tables of discordant counts (c = rows only the challenger gets right,
  b = rows only the champion gets right), including ties and no discordant row at all:
  exact one- and two-sided p-values from scipy.stats.binomtest, the continuity-corrected
  statistic (|b - c| - 1)^2 / (b + c) with its chi-square p-value from scipy.stats.chi2, and the
  one-sided continuity-corrected normal tail from scipy.stats.norm (half the chi-square value
  when c > b); plus the largest gap between the exact and the chi-square one-sided p-values
  from 25 discordant rows on (why the gate switches there);
- erfc (scipy.special.erfc) and binomial tails for larger n, to check the building blocks;
- the paired bootstrap: the resamples are those of ML Loop's generator (mulberry32, as
  src/core/util/random.ts createRng; row i of a resample is floor(u * n)), transcribed below so
  that numpy evaluates the very same resampled rows; per resample the metric of each model comes
  from scikit-learn (f1_score, roc_auc_score, mean_absolute_error) or, for ECE, from the numpy
  transcription in sklearn_curves.py; the one-sided p-value is the fraction of resampled
  differences (challenger - champion) that are not better than 0, and the interval is numpy's
  linear percentile at (1 - confidence)/2 and (1 + confidence)/2. A difference within 1e-12 of
  the values is a tie (0), as in the TypeScript: scikit-learn's ROC AUC of two models that tie
  can differ by one rounding. The first case also records
  its resample indices, so the unit test checks that the gate draws exactly these rows.

Scores are rounded to float32 first: the gate receives Float32Array scores.

Run from the repository root: /usr/bin/python3 scripts/reference/gate_stats.py
"""
import math
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy import special, stats
from sklearn import metrics as skm

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from common import write_fixture  # noqa: E402
from sklearn_curves import binned_gaps  # noqa: E402

MASK = 0xFFFFFFFF
EXACT_BELOW = 25  # src/core/registry/gateStats.ts MCNEMAR_EXACT_BELOW


def imul(a, b):
    return (a * b) & MASK


def mulberry32(seed):
    """src/core/util/random.ts createRng, in unsigned 32-bit arithmetic (JS's int32 ops give the same bits)."""
    state = seed & MASK

    def draw():
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    return draw


def resample_indices(n, resamples, seed):
    draw = mulberry32(seed)
    return np.array([[math.floor(draw() * n) for _ in range(n)] for _ in range(resamples)], dtype=np.int64)


def mcnemar_case(c, b):
    n = b + c
    case = {"challengerOnly": c, "championOnly": b}
    if n == 0:
        # scipy's binomtest needs n >= 1; with no discordant row nothing tells the models apart.
        case.update({"exactOneSided": 1.0, "exactTwoSided": 1.0, "variant": "exact", "pValue": 1.0})
        return case
    exact_one = stats.binomtest(c, n, 0.5, alternative="greater").pvalue
    exact_two = stats.binomtest(c, n, 0.5).pvalue
    statistic = (abs(b - c) - 1) ** 2 / n
    chi2_two = stats.chi2.sf(statistic, 1)
    normal_one = stats.norm.sf((c - b - 1) / math.sqrt(n))
    case.update({
        "exactOneSided": float(exact_one),
        "exactTwoSided": float(exact_two),
        "chiSquareStatistic": float(statistic),
        "chiSquareTwoSided": float(chi2_two),
        "normalOneSided": float(normal_one),
    })
    if c > b:
        case["halfChiSquare"] = float(chi2_two / 2)
    if n < EXACT_BELOW:
        case.update({"variant": "exact", "statistic": c, "pValue": float(exact_one), "pValueTwoSided": float(exact_two)})
    else:
        case.update({"variant": "chi_square", "statistic": float(statistic), "pValue": float(normal_one), "pValueTwoSided": float(chi2_two)})
    return case


def largest_gap_from(n_min, n_max):
    """Largest |exact - normal| one-sided p-value over every table with n_min <= b + c <= n_max."""
    worst = (0.0, None)
    for n in range(n_min, n_max + 1):
        for c in range(n + 1):
            exact = stats.binomtest(c, n, 0.5, alternative="greater").pvalue
            approx = stats.norm.sf((c - (n - c) - 1) / math.sqrt(n))
            gap = abs(exact - approx)
            if gap > worst[0]:
                worst = (gap, (c, n - c))
    return {"from": n_min, "to": n_max, "gap": float(worst[0]), "challengerOnly": worst[1][0], "championOnly": worst[1][1]}


def f32(values):
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def binary_f1(y, p):
    return skm.f1_score(y, (p >= 0.5).astype(int), zero_division=0)


def binary_auc(y, p):
    if y.min() == y.max():
        return None
    return skm.roc_auc_score(y, p)


def multiclass_f1_macro(y, P):
    return skm.f1_score(y, np.argmax(P, axis=1), average="macro", zero_division=0)


def binary_ece(y, p):
    predicted = (p >= 0.5).astype(int)
    confidence = np.where(predicted == 1, p, 1 - p)
    return binned_gaps(confidence, (predicted == y).astype(float), 15)[0]


def bootstrap_case(name, task, metric, higher_is_better, y, champion, challenger, k, metric_fn, resamples, seed, alpha, keep_indices=False):
    n = len(y)
    idx = resample_indices(n, resamples, seed)
    differences = []
    for rows in idx:
        a = metric_fn(y[rows], champion[rows])
        b = metric_fn(y[rows], challenger[rows])
        if a is None or b is None:
            continue
        d = b - a
        # gateStats.ts tieSnapped: a tie that rounding made ±1e-16 is a tie.
        differences.append(0.0 if abs(d) <= 1e-12 * max(1.0, abs(a), abs(b)) else d)
    d = np.array(differences)
    confidence = 1 - 2 * alpha
    tail = (1 - confidence) / 2  # the same floating-point steps as the TypeScript
    not_better = (d <= 0) if higher_is_better else (d >= 0)
    case = {
        "name": name,
        "task": task,
        "metric": metric,
        "k": k,
        "seed": seed,
        "resamples": resamples,
        "alpha": alpha,
        "y": y.tolist(),
        "champion": champion.reshape(-1).tolist(),
        "challenger": challenger.reshape(-1).tolist(),
        "championValue": float(metric_fn(y, champion)) if metric_fn(y, champion) is not None else None,
        "challengerValue": float(metric_fn(y, challenger)) if metric_fn(y, challenger) is not None else None,
        "resamplesUsed": int(len(d)),
        "pValue": float(not_better.mean()),
        "interval": {"lower": float(np.quantile(d, tail)), "upper": float(np.quantile(d, 1 - tail)), "confidence": confidence},
    }
    if keep_indices:
        case["indices"] = idx.reshape(-1).tolist()
    return case


def noisy_binary(rng, y, accuracy, spread):
    """P(class 1) that is on the right side of 0.5 for about `accuracy` of the rows."""
    right = rng.uniform(0, 1, len(y)) < accuracy
    side = np.where(right, y, 1 - y)
    return f32(np.clip(0.5 + (side - 0.5) * rng.uniform(0.05, spread, len(y)) * 2, 0, 1))


def main():
    tables = [
        (0, 0), (1, 0), (0, 1), (3, 3), (5, 2), (2, 5), (9, 0), (10, 14), (12, 12), (20, 4), (4, 20),
        (24, 0), (13, 12), (12, 13), (30, 30), (40, 25), (25, 40), (100, 70), (500, 440), (2, 30), (1000, 900), (15, 9),
    ]
    mcnemar = [mcnemar_case(c, b) for c, b in tables]

    erfc_points = [-3.0, -0.5, 0.0, 1e-8, 0.3, 1.0, 1.4999999, 1.5, 2.0, 3.0, 5.0, 10.0, 26.0]
    erfc = [{"x": x, "erfc": float(special.erfc(x))} for x in erfc_points]
    binomial = [
        {"k": k, "n": n, "upperTail": float(stats.binom.sf(k - 1, n, 0.5)), "twoSided": float(stats.binomtest(k, n).pvalue)}
        for k, n in [(0, 10), (5, 10), (10, 10), (40, 52), (35, 60), (120, 200), (530, 1000), (20, 60)]
    ]

    rng = np.random.default_rng(20260101)
    cases = []
    n = 60
    y = (rng.uniform(0, 1, n) < 0.45).astype(int)
    champion = noisy_binary(rng, y, 0.75, 0.45)
    challenger = noisy_binary(rng, y, 0.85, 0.45)
    cases.append(bootstrap_case("binary_f1", "binary", "f1", True, y, champion, challenger, 2, binary_f1, 200, 7, 0.05, keep_indices=True))
    cases.append(bootstrap_case("binary_ece", "binary", "ece", False, y, champion, challenger, 2, binary_ece, 300, 11, 0.05))
    cases.append(bootstrap_case("identical_predictions", "binary", "f1", True, y, champion, champion.copy(), 2, binary_f1, 150, 3, 0.05))

    n = 30
    y = np.zeros(n, dtype=int)
    y[[4, 17]] = 1  # two positives: many resamples hold none, and ROC AUC is undefined on them
    champion = noisy_binary(rng, y, 0.8, 0.45)
    challenger = noisy_binary(rng, y, 0.9, 0.45)
    cases.append(bootstrap_case("binary_roc_auc_skipped_resamples", "binary", "roc_auc", True, y, champion, challenger, 2, binary_auc, 400, 5, 0.1))

    n, k = 80, 3
    y = rng.integers(0, k, n)
    def probabilities(accuracy):
        logits = rng.normal(0, 1, (n, k))
        right = rng.uniform(0, 1, n) < accuracy
        target = np.where(right, y, (y + 1 + rng.integers(0, k - 1, n)) % k)
        logits[np.arange(n), target] += 2.5
        P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return f32(P)
    cases.append(bootstrap_case("multiclass_f1_macro", "multiclass", "f1_macro", True, y, probabilities(0.7), probabilities(0.8), k, multiclass_f1_macro, 250, 13, 0.05))

    n = 70
    target = f32(rng.normal(10, 3, n))
    y_reg = target
    champion = f32(target + rng.normal(0, 1.5, n))
    challenger = f32(target + rng.normal(0, 1.2, n))
    cases.append(bootstrap_case("regression_mae", "regression", "mae", False, y_reg, champion, challenger, 1, skm.mean_absolute_error, 300, 17, 0.05))

    write_fixture("gate.json", {
        "generator": "scripts/reference/gate_stats.py",
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "mcnemar": mcnemar,
        "exactVersusChiSquare": largest_gap_from(EXACT_BELOW, 200),
        "exactVersusChiSquareBelow": largest_gap_from(1, EXACT_BELOW - 1),
        "erfc": erfc,
        "binomial": binomial,
        "bootstrap": cases,
    })


if __name__ == "__main__":
    main()
