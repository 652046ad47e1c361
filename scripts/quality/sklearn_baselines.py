"""scikit-learn's default pipelines on the split ML Loop used (see scripts/quality/compare.ts).

  /usr/bin/python3 scripts/quality/sklearn_baselines.py SPLIT.json      → JSON {pipeline: test score}
  /usr/bin/python3 scripts/quality/sklearn_baselines.py --export-diabetes OUT.csv

SPLIT.json holds the records (as ML Loop read them), the feature names and types from the
project file init wrote, and the row indices: `train` (ML Loop's train + validation rows)
and `test`. Each feature gets scikit-learn's usual treatment for its type: numeric →
SimpleImputer(mean) + StandardScaler; boolean → 0/1 (missing 0) + StandardScaler;
categorical → OneHotEncoder(handle_unknown='ignore'); text → TfidfVectorizer() with its
defaults, one per column. Models keep their defaults except max_iter, raised so that they
converge (LogisticRegression 1000, MLP 1000) and random_state 0.
Score: accuracy (classification) or r2 (regression) on the test rows.

The diabetes data is the copy scikit-learn ships (load_diabetes; Efron, Hastie, Johnstone and
Tibshirani (2004) "Least Angle Regression", Annals of Statistics), unscaled (scaled=False).
"""
import csv
import json
import sys
import warnings

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC

MISSING = {"", "na", "n/a", "nan", "null", "none"}


def missing(v):
    return v is None or (isinstance(v, str) and v.strip().lower() in MISSING)


def number(v):
    if missing(v) or isinstance(v, bool):
        return np.nan
    try:
        return float(v)
    except ValueError:
        return np.nan


def boolean(v):
    if isinstance(v, bool):
        return float(v)
    if missing(v):
        return 0.0
    return 1.0 if str(v).strip().lower() in {"true", "yes", "1", "t", "y"} else 0.0


def text(v):
    return "" if missing(v) else str(v)


def export_diabetes(out):
    from sklearn.datasets import load_diabetes

    d = load_diabetes(scaled=False)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(d.feature_names) + ["progression"])
        for x, y in zip(d.data, d.target):
            w.writerow([repr(float(v)) for v in x] + [repr(float(y))])


def main(split_file):
    s = json.load(open(split_file))
    records = s["records"]
    features = s["features"]
    # One transformer per feature, fitted on the training rows, outputs side by side: what
    # ColumnTransformer does, written out because pandas is not installed here.
    blocks = []
    for f in features:
        name, kind = f["name"], f["type"]
        values = [r.get(name) for r in records]
        if kind == "numeric":
            blocks.append((np.array([[number(v)] for v in values]), make_pipeline(SimpleImputer(strategy="mean"), StandardScaler())))
        elif kind == "boolean":
            blocks.append((np.array([[boolean(v)] for v in values]), StandardScaler()))
        elif kind == "categorical":
            blocks.append((np.array([[text(v)] for v in values], dtype=object), OneHotEncoder(handle_unknown="ignore")))
        else:
            blocks.append((np.array([text(v) for v in values], dtype=object), TfidfVectorizer()))
    has_text = any(f["type"] == "text" for f in features)

    label = s["label"]
    raw_y = [r.get(label) for r in records]
    regression = s["task"] == "regression"
    y = np.array([float(v) for v in raw_y]) if regression else np.array([str(v).strip() for v in raw_y])
    train, test = np.array(s["train"]), np.array(s["test"])

    x_train, x_test = [], []
    for values, transformer in blocks:
        x_train.append(sparse.csr_matrix(transformer.fit_transform(values[train])))
        x_test.append(sparse.csr_matrix(transformer.transform(values[test])))
    x_train, x_test = sparse.hstack(x_train).tocsr(), sparse.hstack(x_test).tocsr()

    if regression:
        models = {"Ridge": Ridge(), "MLPRegressor": MLPRegressor(max_iter=1000, random_state=0)}
    else:
        models = {"LogisticRegression": LogisticRegression(max_iter=1000), "MLPClassifier": MLPClassifier(max_iter=1000, random_state=0)}
        if has_text:
            models["LinearSVC"] = LinearSVC()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, model in models.items():
            model.fit(x_train, y[train])
            pred = model.predict(x_test)
            out[name] = float(r2_score(y[test], pred) if regression else accuracy_score(y[test], pred))
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "--export-diabetes":
        export_diabetes(sys.argv[2])
    else:
        main(sys.argv[1])
