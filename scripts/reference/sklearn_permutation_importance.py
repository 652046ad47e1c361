"""Reference values for src/core/explain/permutation.ts, computed with scikit-learn.

Writes test/fixtures/sklearn/permutation_importance.json. The random generators of numpy and
ML Loop differ, so the fixture records the permutations scikit-learn actually applied and the
TypeScript test replays them through `permutationImportanceWithPermutations`; the importances
must then agree to 1e-9.

The model is a fixed linear scoring function (weights in the fixture) that the test
reproduces exactly: features are float32 values, the linear part is summed column by column
in float64 as the TypeScript loop does, and the outputs (sigmoid / softmax / identity) are
rounded to float32 as `predictScores` returns them.

Cases:
- binary, multiclass, regression: `sklearn.inspection.permutation_importance` itself (one
  column per feature, several scorers in one call so they share the permutations). Its
  permutations are cumulative (repeat r shuffles the already shuffled column); the fixture
  stores each repeat's permutation relative to the original rows, derived by replaying its
  RandomState and checked against the rows the estimator was actually called with.
- grouped: permutation_importance has no feature groups, so this case applies one permutation
  jointly to a one-hot block (and to single columns) with numpy and scores with scikit-learn's
  scorers, which is what the grouped TypeScript code must reproduce.

Run from the repository root (Debian: apt-get install -y python3-sklearn):
    /usr/bin/python3 scripts/reference/sklearn_permutation_importance.py
Deterministic (fixed seeds); the scikit-learn and numpy versions are recorded in the file.
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.inspection import permutation_importance
from sklearn.metrics import get_scorer

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from common import write_fixture  # noqa: E402

N_REPEATS = 4
RANDOM_STATE = 7
# scikit-learn scorer name → the headline metric name ML Loop uses; scorers named neg_* are
# negated losses, whose importance (baseline − permuted of the negated value) equals
# permuted − baseline of the loss, as ML Loop computes it.
SCORERS = {
    "accuracy": "accuracy",
    "roc_auc": "roc_auc",
    "roc_auc_ovr": "roc_auc",
    "neg_log_loss": "log_loss",
    "neg_brier_score": "brier",
    "f1_macro": "f1_macro",
    "r2": "r2",
    "neg_mean_squared_error": "mse",
    "neg_mean_absolute_error": "mae",
}


def linear_part(X, W, b):
    """X @ W + b, summed one column at a time in float64 (the TypeScript loop's order)."""
    Z = np.tile(b, (X.shape[0], 1)).astype(np.float64)
    for j in range(X.shape[1]):
        Z = Z + X[:, j : j + 1] * W[j : j + 1, :]
    return Z


def to_float32(values):
    return values.astype(np.float32).astype(np.float64)


class Recorder:
    """Keeps a copy of every X the estimator is called with (consecutive repeats collapsed)."""

    def __init__(self):
        self.calls = []

    def record(self, X):
        X = np.array(X, dtype=np.float64)
        if not self.calls or not np.array_equal(self.calls[-1], X):
            self.calls.append(X)


class LinearBinary(ClassifierMixin, BaseEstimator):
    def __init__(self, W=None, b=None, recorder=None):
        self.W, self.b, self.recorder = W, b, recorder
        self.classes_ = np.array([0, 1])

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        if self.recorder:
            self.recorder.record(X)
        z = linear_part(X, self.W, self.b)[:, 0]
        p = to_float32(1.0 / (1.0 + np.exp(-z)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        # score ≥ 0.5 → class 1, ML Loop's rule (same as metrics.ts).
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class LinearSoftmax(ClassifierMixin, BaseEstimator):
    def __init__(self, W=None, b=None, recorder=None):
        self.W, self.b, self.recorder = W, b, recorder
        self.classes_ = np.arange(W.shape[1])

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        if self.recorder:
            self.recorder.record(X)
        Z = linear_part(X, self.W, self.b)
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        total = E[:, 0].copy()
        for c in range(1, E.shape[1]):
            total = total + E[:, c]
        return to_float32(E / total[:, None])

    def predict(self, X):
        return np.argmax(self.predict_proba(X), axis=1)


class LinearRegressor(RegressorMixin, BaseEstimator):
    def __init__(self, W=None, b=None, recorder=None):
        self.W, self.b, self.recorder = W, b, recorder

    def fit(self, X, y):
        return self

    def predict(self, X):
        if self.recorder:
            self.recorder.record(X)
        return to_float32(linear_part(X, self.W, self.b)[:, 0])


def float32_features(rng, n, d):
    X = to_float32(rng.normal(size=(n, d)))
    for j in range(d):
        # Distinct values per column, so an applied permutation can be read back from the rows.
        assert len(np.unique(X[:, j])) == n
    return X


def sklearn_permutations(n, d):
    """Each repeat's row order relative to the original rows, as permutation_importance applies it."""
    seed = np.random.RandomState(RANDOM_STATE).randint(np.iinfo(np.int32).max + 1)
    perms = []
    for _ in range(d):
        state = np.random.RandomState(seed)
        shuffling = np.arange(n)
        applied = np.arange(n)
        per_column = []
        for _ in range(N_REPEATS):
            state.shuffle(shuffling)
            applied = applied[shuffling]
            per_column.append(applied.copy())
        perms.append(per_column)
    return perms


def sklearn_case(name, task, k, X, y, W, b, scorers, note):
    n, d = X.shape
    recorder = Recorder()
    make = {"binary": LinearBinary, "multiclass": LinearSoftmax, "regression": LinearRegressor}[task]
    estimator = make(W, b, recorder)
    result = permutation_importance(estimator, X, y, scoring=list(scorers), n_repeats=N_REPEATS, random_state=RANDOM_STATE)
    perms = sklearn_permutations(n, d)

    expected_calls = [X]
    for j in range(d):
        for r in range(N_REPEATS):
            Xp = X.copy()
            Xp[:, j] = X[perms[j][r], j]
            expected_calls.append(Xp)
    assert len(recorder.calls) == len(expected_calls), (len(recorder.calls), len(expected_calls))
    for seen, expected in zip(recorder.calls, expected_calls):
        assert np.array_equal(seen, expected), "replayed permutations differ from the rows scikit-learn scored"

    metrics = {}
    for scorer_name in scorers:
        bunch = result[scorer_name]
        baseline = get_scorer(scorer_name)(make(W, b), X, y)
        ours = SCORERS[scorer_name]
        sign = -1.0 if scorer_name.startswith("neg_") else 1.0
        metrics[ours] = {
            "sklearnScorer": scorer_name,
            "baseline": sign * float(baseline),
            "values": bunch.importances.tolist(),
            "mean": bunch.importances_mean.tolist(),
            "std": bunch.importances_std.tolist(),
        }
    return case_payload(name, task, k, X, y, W, b, [[j] for j in range(d)], [f"x{j}" for j in range(d)], perms, metrics, note)


def grouped_case(name, X, y, W, b, groups, features, scorers, note):
    n = X.shape[0]
    state = np.random.RandomState(RANDOM_STATE)
    perms = [[state.permutation(n) for _ in range(N_REPEATS)] for _ in groups]
    estimator = LinearBinary(W, b)
    metrics = {}
    for scorer_name in scorers:
        scorer = get_scorer(scorer_name)
        baseline = scorer(estimator, X, y)
        values = []
        for g, columns in enumerate(groups):
            row = []
            for r in range(N_REPEATS):
                Xp = X.copy()
                # One permutation for the whole group: X[perm][:, cols] keeps each one-hot row valid.
                Xp[:, columns] = X[perms[g][r]][:, columns]
                row.append(baseline - scorer(estimator, Xp, y))
            values.append(row)
        values = np.array(values)
        sign = -1.0 if scorer_name.startswith("neg_") else 1.0
        metrics[SCORERS[scorer_name]] = {
            "sklearnScorer": scorer_name,
            "baseline": sign * float(baseline),
            "values": values.tolist(),
            "mean": values.mean(axis=1).tolist(),
            "std": values.std(axis=1).tolist(),
        }
    return case_payload(name, "binary", 2, X, y, W, b, groups, features, perms, metrics, note)


def case_payload(name, task, k, X, y, W, b, groups, features, perms, metrics, note):
    n, d = X.shape
    return {
        "name": name,
        "note": note,
        "task": task,
        "k": k,
        "n": n,
        "d": d,
        "x": X.reshape(-1).tolist(),
        "y": np.asarray(y).tolist(),
        "weights": W.reshape(-1).tolist(),
        "bias": np.asarray(b).tolist(),
        "groups": [{"feature": f, "columns": list(map(int, c))} for f, c in zip(features, groups)],
        "permutations": [[p.tolist() for p in per_group] for per_group in perms],
        "metrics": metrics,
    }


def main():
    rng = np.random.RandomState(20240611)
    n = 80
    cases = []

    # Binary: x0 strong, x1 medium, x2 weak, x3 unused (weight 0 → importance exactly 0).
    X = float32_features(rng, n, 4)
    W = np.array([[2.0], [-1.0], [0.3], [0.0]])
    b = np.array([0.1])
    y = (linear_part(X, W, b)[:, 0] + rng.normal(scale=0.8, size=n) > 0).astype(int)
    cases.append(
        sklearn_case("binary-linear", "binary", 2, X, y, W, b, ["accuracy", "roc_auc", "neg_log_loss", "neg_brier_score"], "sigmoid of a linear score; x3 is unused")
    )

    # Multiclass: 3 classes from 4 features, x3 unused.
    X = float32_features(rng, n, 4)
    W = np.array([[1.5, -0.5, -1.0], [0.0, 1.2, -1.2], [0.4, 0.0, -0.4], [0.0, 0.0, 0.0]])
    b = np.array([0.0, 0.2, -0.2])
    Z = linear_part(X, W, b) + rng.gumbel(size=(n, 3))
    y = np.argmax(Z, axis=1)
    cases.append(
        sklearn_case("multiclass-softmax", "multiclass", 3, X, y, W, b, ["accuracy", "neg_log_loss", "f1_macro", "roc_auc_ovr"], "softmax of linear scores; x3 is unused")
    )

    # Regression: linear prediction, target with noise; x2 unused.
    X = float32_features(rng, n, 3)
    W = np.array([[3.0], [-0.7], [0.0]])
    b = np.array([1.0])
    y = linear_part(X, W, b)[:, 0] + rng.normal(scale=0.5, size=n)
    cases.append(
        sklearn_case("regression-linear", "regression", 1, X, y, W, b, ["r2", "neg_mean_squared_error", "neg_mean_absolute_error"], "linear prediction; x2 is unused")
    )

    # Grouped: age (numeric), color (one-hot of 3 categories), noise (numeric, unused).
    numeric = float32_features(rng, n, 2)
    colors = rng.randint(0, 3, size=n)
    onehot = np.eye(3)[colors]
    X = np.column_stack([numeric[:, 0], onehot, numeric[:, 1]])
    W = np.array([[1.0], [1.5], [-1.5], [0.0], [0.0]])
    b = np.array([0.0])
    y = (linear_part(X, W, b)[:, 0] + rng.normal(scale=0.7, size=n) > 0).astype(int)
    cases.append(
        grouped_case(
            "binary-grouped-onehot",
            X,
            y,
            W,
            b,
            [[0], [1, 2, 3], [4]],
            ["age", "color", "noise"],
            ["accuracy", "neg_log_loss"],
            "one permutation per group applied jointly to its columns; noise is unused",
        )
    )

    write_fixture(
        "permutation_importance.json",
        {"sklearn": sklearn.__version__, "numpy": np.__version__, "repeats": N_REPEATS, "cases": cases},
    )


if __name__ == "__main__":
    main()
