"""Reference values for src/core/evaluate/curves.ts and calibrationError.ts.

Writes test/fixtures/sklearn/curves.json:
- ROC and precision-recall curves from scikit-learn (roc_curve, precision_recall_curve);
- reliability curves from scikit-learn's calibration_curve (uniform and quantile bins);
- the threshold sweep's best-F1 and best-Youden-J points, derived from scikit-learn's curves;
- ECE / MCE / classwise ECE / Brier decomposition. scikit-learn has no ECE, so these come from
  the straightforward numpy transcription below of the published formulas (Guo et al. 2017,
  eq. 3 with their (lower, upper] bins; Kull et al. 2019; Murphy 1973) — an independent
  implementation to compare against, not a second copy of the TypeScript algorithm.

Run from the repository root: /usr/bin/python3 scripts/reference/sklearn_curves.py
"""
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from common import breast_cancer_probabilities, iris_probabilities, write_fixture  # noqa: E402


def finite(values):
    """JSON has no Infinity: scikit-learn 1.2 puts max+1 first in roc_curve thresholds, we drop it."""
    return [float(v) for v in values]


def curve_case(name, y, p):
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    fpr, tpr, thr = skm.roc_curve(y, p)
    fpr_all, tpr_all, thr_all = skm.roc_curve(y, p, drop_intermediate=False)
    precision, recall, pr_thr = skm.precision_recall_curve(y, p)
    # Threshold sweep over the distinct scores, highest first (skip roc_curve's artificial first point).
    thresholds = thr_all[1:]
    tps = tpr_all[1:] * y.sum()
    fps = fpr_all[1:] * (len(y) - y.sum())
    prec = tps / (tps + fps)
    rec = tps / y.sum()
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.where(prec + rec > 0, prec + rec, 1), 0)
    j = tpr_all[1:] - fpr_all[1:]
    best_f1 = int(np.argmax(f1))  # first maximum = highest threshold among equals
    best_j = int(np.argmax(j))
    reliability = {}
    for strategy in ("uniform", "quantile"):
        for bins in (5, 10):
            prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy=strategy)
            reliability[f"{strategy}_{bins}"] = {"fractionPositive": prob_true.tolist(), "meanPredicted": prob_pred.tolist()}
    return {
        "name": name,
        "yTrue": y.tolist(),
        "scores": p.tolist(),
        "roc": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": finite(thr[1:])},
        "rocAll": {"fpr": fpr_all.tolist(), "tpr": tpr_all.tolist(), "thresholds": finite(thr_all[1:])},
        "pr": {"precision": precision.tolist(), "recall": recall.tolist(), "thresholds": pr_thr.tolist()},
        "sweep": {
            "count": int(len(thresholds)),
            "bestF1": {"threshold": float(thresholds[best_f1]), "f1": float(f1[best_f1])},
            "bestYoudenJ": {"threshold": float(thresholds[best_j]), "youdenJ": float(j[best_j])},
        },
        "reliability": reliability,
    }


def binned_gaps(prob, outcome, bins):
    """Guo et al.'s loop: bin b holds lower < prob <= upper; prob == 0 joins the first bin."""
    edges = np.linspace(0, 1, bins + 1)
    n = len(prob)
    ece, mce = 0.0, 0.0
    for b in range(bins):
        lower, upper = edges[b], edges[b + 1]
        in_bin = (prob > lower) & (prob <= upper)
        if b == 0:
            in_bin |= prob == 0
        count = in_bin.sum()
        if count == 0:
            continue
        gap = abs(outcome[in_bin].mean() - prob[in_bin].mean())
        ece += count / n * gap
        mce = max(mce, gap)
    return ece, mce


def murphy(prob, outcome, bins):
    edges = np.linspace(0, 1, bins + 1)
    base = outcome.mean()
    rel, res = 0.0, 0.0
    for b in range(bins):
        in_bin = (prob > edges[b]) & (prob <= edges[b + 1])
        if b == 0:
            in_bin |= prob == 0
        if in_bin.sum() == 0:
            continue
        w = in_bin.sum() / len(prob)
        rel += w * (prob[in_bin].mean() - outcome[in_bin].mean()) ** 2
        res += w * (outcome[in_bin].mean() - base) ** 2
    return rel, res, base * (1 - base)


def calibration_case(name, y, scores, k, bins_list=(15, 10)):
    y = np.asarray(y, dtype=int)
    S = np.asarray(scores, dtype=float)
    binary = S.ndim == 1
    P = np.stack([1 - S, S], axis=1) if binary else S
    if binary:
        predicted = (S >= 0.5).astype(int)
        confidence = np.where(predicted == 1, S, 1 - S)
    else:
        predicted = np.argmax(P, axis=1)
        confidence = P[np.arange(len(y)), predicted]
    correct = (predicted == y).astype(float)
    out = {"name": name, "k": k, "yTrue": y.tolist(), "scores": S.reshape(-1).tolist(), "bins": {}}
    for bins in bins_list:
        ece, mce = binned_gaps(confidence, correct, bins)
        per_class = [binned_gaps(P[:, c], (y == c).astype(float), bins)[0] for c in range(k)]
        classes = [1] if binary else range(k)
        rel = res = unc = 0.0
        for c in classes:
            r, s, u = murphy(P[:, c], (y == c).astype(float), bins)
            rel, res, unc = rel + r, res + s, unc + u
        brier = float(np.mean((S - y) ** 2)) if binary else float(np.mean(np.sum((P - np.eye(k)[y]) ** 2, axis=1)))
        out["bins"][str(bins)] = {
            "ece": ece,
            "mce": mce,
            "classwiseEce": float(np.mean(per_class)),
            "perClass": [float(v) for v in per_class],
            "brier": brier,
            "reliability": rel,
            "resolution": res,
            "uncertainty": unc,
        }
    return out


def main():
    rng = np.random.default_rng(7)
    curves = []
    y_bc, p_bc = breast_cancer_probabilities()
    curves.append(curve_case("breast_cancer_logistic_cv", y_bc, p_bc))
    p = np.round(rng.uniform(0, 1, 300) / 0.1) * 0.1
    y = (rng.uniform(0, 1, 300) < p).astype(int)
    curves.append(curve_case("grid_ties", y, p))
    p = rng.beta(0.5, 0.5, 200)
    y = (rng.uniform(0, 1, 200) < 0.3).astype(int)
    curves.append(curve_case("uninformative", y, p))
    curves.append(curve_case("tiny", [0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.8]))

    calibration = []
    calibration.append(calibration_case("breast_cancer_logistic_cv", y_bc, p_bc, 2))
    y_iris, P_iris = iris_probabilities()
    calibration.append(calibration_case("iris_logistic_cv", y_iris, P_iris, 3))
    logits = rng.normal(0, 2, (400, 4))
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(4, p=np.exp(0.5 * l) / np.exp(0.5 * l).sum()) for l in logits])
    calibration.append(calibration_case("overconfident_four_class", y, P, 4))
    p = np.round(rng.uniform(0, 1, 300) / (1 / 15)) * (1 / 15)
    p = np.clip(p, 0, 1)
    y = (rng.uniform(0, 1, 300) < p).astype(int)
    calibration.append(calibration_case("scores_on_bin_edges", y, p, 2))

    write_fixture("curves.json", {
        "generator": "scripts/reference/sklearn_curves.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "curves": curves,
        "calibration": calibration,
    })


if __name__ == "__main__":
    main()
