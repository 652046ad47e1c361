"""Reference weights for src/core/engine/linear.ts: scikit-learn's exact L2-penalised fits.

Writes test/fixtures/sklearn/linear.json. Run: /usr/bin/python3 scripts/reference/sklearn_linear.py

Data: iris (standardised, 150 × 4) for the multinomial and the binary (virginica vs rest)
logistic regressions, with a few rows weighted 3; a generated sparse-ish matrix for ridge.
Solvers run to a tight tolerance so the fixture is the optimum, not an approximation of it.
In linear.ts terms: LogisticRegression(C) ⇔ l2 = 1 / (2·C·n) with weights wᵢ (its objective
C·Σ wᵢℓᵢ + ½‖W‖² divided by C·n); Ridge(alpha) ⇔ l2 = alpha / n (objective Σ wᵢ(ŷ−y)² +
alpha‖W‖² divided by n).
"""
import json
import os

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from common import FIXTURES, load_csv

X, labels = load_csv("iris.csv")
X = StandardScaler().fit_transform(X)
classes = sorted(set(labels))
y = np.array([classes.index(v) for v in labels])
n = len(y)
w = np.ones(n)
w[::7] = 3.0

import sklearn

out = {"versions": {"sklearn": sklearn.__version__, "numpy": np.__version__}, "x": X.round(6).tolist(), "y": y.tolist(), "weights": w.tolist(), "cases": []}
X = np.array(out["x"])

C = 0.5
multi = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(X, y, sample_weight=w)
out["cases"].append({"task": "multiclass", "l2": 1 / (2 * C * n), "kernel": multi.coef_.T.tolist(), "bias": multi.intercept_.tolist()})
yb = (y == 2).astype(int)
binary = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(X, yb, sample_weight=w)
out["cases"].append({"task": "binary", "y": yb.tolist(), "l2": 1 / (2 * C * n), "kernel": binary.coef_.T.tolist(), "bias": binary.intercept_.tolist()})

rng = np.random.default_rng(5)
Xr = np.where(rng.uniform(size=(80, 12)) < 0.3, rng.normal(size=(80, 12)), 0.0).round(6)
yr = (Xr @ rng.normal(size=12) + 0.5 + 0.3 * rng.normal(size=80)).round(6)
alpha = 2.0
ridge = Ridge(alpha=alpha, solver="cholesky").fit(Xr, yr)
out["ridge"] = {"x": Xr.tolist(), "y": yr.tolist(), "l2": alpha / 80, "kernel": ridge.coef_.reshape(-1, 1).tolist(), "bias": [float(ridge.intercept_)]}

with open(os.path.join(FIXTURES, "linear.json"), "w") as f:
    json.dump(out, f)
print("wrote", os.path.join(FIXTURES, "linear.json"))
