"""Reference values for src/core/evaluate/metrics.ts and ranking.ts, computed with scikit-learn.

Writes test/fixtures/sklearn/metrics.json: each case holds the inputs (labels, scores) and the
values scikit-learn computes on them, so the TypeScript tests can compare without Python.

Run from the repository root (Debian: apt-get install -y python3-sklearn python3-scipy):
    /usr/bin/python3 scripts/reference/sklearn_metrics.py
The output is deterministic (fixed seeds); the scikit-learn version is recorded in the file.
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics as skm

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from common import breast_cancer_probabilities, iris_probabilities, write_fixture  # noqa: E402


def binary_case(name, y, p, note=""):
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    pred = (p >= 0.5).astype(int)
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "precision": skm.precision_score(y, pred, zero_division=0),
        "recall": skm.recall_score(y, pred, zero_division=0),
        "f1": skm.f1_score(y, pred, zero_division=0),
        "precision_macro": skm.precision_score(y, pred, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y, pred, average="macro", zero_division=0),
        "f1_macro": skm.f1_score(y, pred, average="macro", zero_division=0),
        # eps="auto": clip at float64's machine epsilon (the default from scikit-learn 1.5 on).
        "log_loss": skm.log_loss(y, p, labels=[0, 1], eps="auto"),
        "brier": skm.brier_score_loss(y, p, pos_label=1),
        "mcc": skm.matthews_corrcoef(y, pred),
    }
    if len(np.unique(y)) == 2:
        expected["roc_auc"] = skm.roc_auc_score(y, p)
    if y.sum() > 0:
        expected["average_precision"] = skm.average_precision_score(y, p)
    confusion = skm.confusion_matrix(y, pred, labels=[0, 1])
    return {
        "name": name,
        "note": note,
        "yTrue": y.tolist(),
        "scores": p.tolist(),
        "expected": {k: float(v) for k, v in expected.items()},
        "confusion": confusion.tolist(),
    }


def multiclass_case(name, y, P, note=""):
    y = np.asarray(y, dtype=int)
    P = np.asarray(P, dtype=float)
    k = P.shape[1]
    pred = np.argmax(P, axis=1)
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "precision_macro": skm.precision_score(y, pred, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y, pred, average="macro", zero_division=0),
        "f1_macro": skm.f1_score(y, pred, average="macro", zero_division=0),
        "precision_weighted": skm.precision_score(y, pred, average="weighted", zero_division=0),
        "recall_weighted": skm.recall_score(y, pred, average="weighted", zero_division=0),
        "f1_weighted": skm.f1_score(y, pred, average="weighted", zero_division=0),
        "f1_micro": skm.f1_score(y, pred, average="micro", zero_division=0),
        "log_loss": skm.log_loss(y, P, labels=list(range(k)), eps="auto"),
        # Σ over classes of (p − onehot)², mean over examples (scikit-learn 1.2 has no multiclass Brier).
        "brier": float(np.mean(np.sum((P - np.eye(k)[y]) ** 2, axis=1))),
        "mcc": skm.matthews_corrcoef(y, pred),
    }
    if len(np.unique(y)) == k:
        expected["roc_auc"] = skm.roc_auc_score(y, P, multi_class="ovr", average="macro")
        expected["roc_auc_weighted"] = skm.roc_auc_score(y, P, multi_class="ovr", average="weighted")
    p, r, f, s = skm.precision_recall_fscore_support(y, pred, labels=list(range(k)), zero_division=0)
    return {
        "name": name,
        "note": note,
        "k": int(k),
        "yTrue": y.tolist(),
        "scores": P.reshape(-1).tolist(),
        "expected": {key: float(v) for key, v in expected.items()},
        "confusion": skm.confusion_matrix(y, pred, labels=list(range(k))).tolist(),
        "perClass": {"precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist()},
    }


def regression_case(name, y, yhat, note=""):
    y = np.asarray(y, dtype=float)
    yhat = np.asarray(yhat, dtype=float)
    mse = skm.mean_squared_error(y, yhat)
    expected = {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": skm.mean_absolute_error(y, yhat),
        "explained_variance": skm.explained_variance_score(y, yhat),
    }
    if len(y) >= 2:
        expected["r2"] = skm.r2_score(y, yhat)
    return {
        "name": name,
        "note": note,
        "yTrue": y.tolist(),
        "scores": yhat.tolist(),
        "expected": {k: float(v) for k, v in expected.items()},
    }


def main():
    rng = np.random.default_rng(20240601)
    binary = []
    y_bc, p_bc = breast_cancer_probabilities()
    binary.append(binary_case("breast_cancer_logistic_cv", y_bc, p_bc, "5-fold CV probabilities of a scaled logistic regression"))
    # Ties: scores on a 0.05 grid, labels drawn from the scores so the signal is real.
    p = np.round(rng.uniform(0, 1, 400) / 0.05) * 0.05
    y = (rng.uniform(0, 1, 400) < p).astype(int)
    binary.append(binary_case("grid_ties", y, p, "scores on a 0.05 grid: many ties, exact 0 and 1 (log loss clipping)"))
    p = rng.beta(2, 5, 300)
    y = (rng.uniform(0, 1, 300) < 0.2).astype(int)
    binary.append(binary_case("weak_signal_imbalanced", y, p, "labels independent of scores, 20% positives"))
    binary.append(binary_case("all_negative", [0] * 6, [0.1, 0.2, 0.7, 0.4, 0.55, 0.3], "one class: roc_auc and average_precision undefined"))
    binary.append(binary_case("all_positive", [1] * 5, [0.9, 0.2, 0.7, 0.4, 0.6], "one class: roc_auc undefined"))
    binary.append(binary_case("no_positive_predictions", [0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.45], "precision zero division, mcc 0"))
    binary.append(binary_case("constant_scores", [0, 1, 0, 1, 1, 0], [0.5] * 6, "all scores tied: auc 0.5"))
    binary.append(binary_case("single_example", [1], [0.8], "n = 1"))

    multiclass = []
    y_iris, P_iris = iris_probabilities()
    multiclass.append(multiclass_case("iris_logistic_cv", y_iris, P_iris, "5-fold CV probabilities of a scaled multinomial logistic regression"))
    logits = rng.normal(0, 1.5, (500, 5))
    y = np.array([rng.choice(5, p=np.exp(l) / np.exp(l).sum()) for l in logits])
    P = np.round(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), 2)
    P = P / P.sum(axis=1, keepdims=True)
    multiclass.append(multiclass_case("five_class_rounded", y, P, "5 classes, probabilities rounded to 0.01 then renormalised (ties)"))
    P = rng.dirichlet([1, 1, 1, 1], 40)
    y = rng.choice([0, 1, 3], 40)
    multiclass.append(multiclass_case("class_absent", y, P, "class 2 absent from yTrue: roc_auc undefined"))
    P = np.array([[0.5, 0.5, 0.0], [0.2, 0.4, 0.4], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0], [0.6, 0.3, 0.1]])
    multiclass.append(multiclass_case("argmax_ties", [1, 2, 0, 2, 0], P, "tied maxima go to the lowest index; exact 0/1 probabilities"))

    regression = []
    x = rng.normal(0, 1, 300)
    y = 3 * x + rng.normal(0, 1, 300)
    regression.append(regression_case("linear_noise", y, 2.8 * x + 0.3, "biased predictions"))
    regression.append(regression_case("constant_target_perfect", [2.0] * 4, [2.0] * 4, "force_finite: 1"))
    regression.append(regression_case("constant_target_imperfect", [2.0] * 4, [2.0, 2.5, 1.0, 2.0], "force_finite: 0"))
    regression.append(regression_case("single_example", [1.5], [1.0], "n = 1: r2 undefined"))

    # Hard 0/1 predictions, some wrong: each wrong one costs -log(eps), so the clipping bound
    # shows in the value (1e-15 gives 34.54 per error, float64's eps 36.04). Own generator, so
    # the cases above keep their inputs.
    hard = np.random.default_rng(20261201)
    p = np.concatenate([hard.uniform(0.02, 0.98, 60), [0.0] * 12, [1.0] * 12])
    y = (hard.uniform(0, 1, 84) < np.clip(p, 0.03, 0.97)).astype(int)
    y[60] = 1  # one predicted-0 row that is positive
    y[72] = 0  # one predicted-1 row that is negative
    binary.append(binary_case("exact_zero_one", y, p, "exact 0 and 1 predictions, two of them wrong: log loss clipped at float64 eps"))
    P = np.eye(4)[hard.choice(4, 30)]
    y = np.argmax(P, axis=1)
    y[:3] = (y[:3] + 1) % 4  # three confidently wrong rows
    multiclass.append(multiclass_case("one_hot_predictions", y, P, "one-hot 0/1 probabilities, three wrong: log loss clipped at float64 eps"))

    write_fixture("metrics.json", {
        "generator": "scripts/reference/sklearn_metrics.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "binary": binary,
        "multiclass": multiclass,
        "regression": regression,
    })


if __name__ == "__main__":
    main()
