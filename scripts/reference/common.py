"""Helpers shared by the scripts that produce the scikit-learn reference fixtures."""
import csv
import json
import os

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "sklearn")
# The sample data sets live beside the repository (see /work/shared/datasets/README.md); they
# are public UCI data as shipped by scikit-learn, which also provides them directly.
DATASETS = os.environ.get("MLLOOP_DATASETS", os.path.join(ROOT, "..", "shared", "datasets"))


def load_csv(name):
    """Rows of features (float) and the string label in the last column."""
    path = os.path.join(DATASETS, name)
    if os.path.exists(path):
        with open(path, newline="") as f:
            rows = list(csv.reader(f))[1:]
        X = np.array([[float(v) for v in r[:-1]] for r in rows])
        labels = [r[-1] for r in rows]
        return X, labels
    from sklearn import datasets

    data = datasets.load_iris() if name == "iris.csv" else datasets.load_breast_cancer()
    return data.data, [data.target_names[t] for t in data.target]


def breast_cancer_probabilities():
    """Labels (malignant = 1) and 5-fold CV probabilities of a scaled logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, labels = load_csv("breast_cancer.csv")
    y = np.array([1 if v == "malignant" else 0 for v in labels])
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    p = cross_val_predict(model, X, y, cv=cv, method="predict_proba")[:, 1]
    return y, p


def iris_probabilities():
    """Class indices and 5-fold CV probabilities of a scaled multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, labels = load_csv("iris.csv")
    names = sorted(set(labels))
    y = np.array([names.index(v) for v in labels])
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=1000))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    P = cross_val_predict(model, X, y, cv=cv, method="predict_proba")
    return y, P


def write_fixture(name, payload):
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name)
    with open(path, "w") as f:
        # repr-exact floats: json writes the shortest string that round-trips, as JS reads it.
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)}")
