"""Reference values for src/core/calibrate/, computed with scikit-learn and scipy.

Writes test/fixtures/sklearn/calibration.json (inputs once under "datasets", keyed by case name):
- Platt scaling: scikit-learn's `_sigmoid_calibration` parameters (a, b) and the probabilities
  of its `_CalibratedClassifier` (one-vs-rest + renormalisation for multiclass), on logits
  (a model exposing decision_function = logit(p)) and on probabilities (predict_proba only);
- isotonic: `IsotonicRegression(out_of_bounds='clip')` thresholds and predictions, and the
  multiclass `_CalibratedClassifier` probabilities;
- temperature scaling: the NLL minimiser from scipy's bounded Brent search, and vector scaling
  from scipy's BFGS with an analytic gradient (scikit-learn has neither).

Run from the repository root: /usr/bin/python3 scripts/reference/sklearn_calibration.py
"""
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, log_softmax, logsumexp
from sklearn.calibration import _fit_calibrator, _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from common import breast_cancer_probabilities, iris_probabilities, write_fixture  # noqa: E402

EPS = 1e-15  # src/core/calibrate/shared.ts PROBABILITY_EPS


def logit(p):
    q = np.clip(p, EPS, 1 - EPS)
    return np.log(q / (1 - q))


class FixedProbabilities:
    """A 'model' whose predict_proba returns stored rows: X holds row indices."""

    def __init__(self, P):
        self.P = P
        self.classes_ = np.arange(P.shape[1])

    def predict_proba(self, X):
        return self.P[np.asarray(X)[:, 0].astype(int)]


class FixedLogits(FixedProbabilities):
    """decision_function = logit(p): what the TypeScript 'logit' input feeds the sigmoid."""

    def decision_function(self, X):
        D = logit(self.predict_proba(X))
        return D[:, 1] if D.shape[1] == 2 else D


def sklearn_calibrated(P_fit, y, P_eval, method, model_class):
    k = P_fit.shape[1]
    fit_model = model_class(P_fit)
    rows = np.arange(len(P_fit))[:, None]
    if hasattr(fit_model, "decision_function"):
        predictions = fit_model.decision_function(rows)
    else:
        predictions = fit_model.predict_proba(rows)
        if k == 2:
            predictions = predictions[:, 1:]
    if predictions.ndim == 1:
        predictions = predictions[:, None]
    calibrated = _fit_calibrator(fit_model, predictions, y, np.arange(k), method)
    calibrated.estimator = model_class(P_eval)
    proba = calibrated.predict_proba(np.arange(len(P_eval))[:, None])
    return calibrated, proba


def as_matrix(scores):
    return np.stack([1 - scores, scores], axis=1) if scores.ndim == 1 else scores


def platt_case(name, y, scores, eval_scores):
    y = np.asarray(y)
    P = as_matrix(scores)
    Pe = as_matrix(eval_scores)
    out = {"name": name}
    for input_kind, model_class in (("logit", FixedLogits), ("probability", FixedProbabilities)):
        calibrated, proba = sklearn_calibrated(P, y, Pe, "sigmoid", model_class)
        a = [float(c.a_) for c in calibrated.calibrators]
        b = [float(c.b_) for c in calibrated.calibrators]
        columns = [1] if P.shape[1] == 2 else range(P.shape[1])
        optimum_a, optimum_b, sklearn_loss, optimum_loss = [], [], [], []
        for j, c in enumerate(columns):
            f = logit(P[:, c]) if input_kind == "logit" else P[:, c]
            # Cross-check of the wiring above: the same fit straight from the helper.
            a2, b2 = _sigmoid_calibration(f, (y == c).astype(float))
            assert abs(a2 - a[j]) < 1e-12 and abs(b2 - b[j]) < 1e-12
            opt, loss_at = tight_sigmoid_optimum(f, (y == c).astype(float))
            optimum_a.append(float(opt[0]))
            optimum_b.append(float(opt[1]))
            sklearn_loss.append(loss_at([a[j], b[j]]))
            optimum_loss.append(loss_at(opt))
        calibrated_at_optimum = np.stack([expit(-(optimum_a[j] * (logit(Pe[:, c]) if input_kind == "logit" else Pe[:, c]) + optimum_b[j])) for j, c in enumerate(columns)], axis=1)
        if P.shape[1] > 2:
            calibrated_at_optimum = calibrated_at_optimum / calibrated_at_optimum.sum(axis=1, keepdims=True)
        out[input_kind] = {
            "a": a,
            "b": b,
            "calibrated": (proba[:, 1] if P.shape[1] == 2 else proba).reshape(-1).tolist(),
            "optimumA": optimum_a,
            "optimumB": optimum_b,
            "sklearnLoss": sklearn_loss,
            "optimumLoss": optimum_loss,
            "calibratedAtOptimum": calibrated_at_optimum.reshape(-1).tolist(),
        }
    return out


def tight_sigmoid_optimum(f, y):
    """The exact minimiser of _sigmoid_calibration's objective.

    scikit-learn 1.2 evaluates the loss as xlogy(T, P) + xlogy(1 - T, 1 - P) with P = expit(-z);
    when |z| is large (logits beyond ~35) 1 - P rounds badly, BFGS stops with "precision loss"
    and the returned (a, b) can be far from the minimum. Here the same loss is written stably
    (log(1 + e^z) - (1 - T) z) and minimised to a gradient of 1e-10, so tests can tell a
    scikit-learn optimiser shortfall from a real mismatch.
    """
    negatives = float(np.sum(y <= 0))
    positives = len(y) - negatives
    T = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(ab):
        z = ab[0] * f + ab[1]
        return float(np.sum(np.logaddexp(0, z) - (1 - T) * z))

    def grad(ab):
        r = T - expit(-(ab[0] * f + ab[1]))
        return np.array([r @ f, r.sum()])

    start = np.array([0.0, np.log((negatives + 1) / (positives + 1))])
    result = minimize(loss, start, jac=grad, method="BFGS", options={"gtol": 1e-10, "maxiter": 10000})
    return result.x, loss


def isotonic_case(name, y, scores, eval_scores):
    y = np.asarray(y)
    P = as_matrix(scores)
    Pe = as_matrix(eval_scores)
    out = {"name": name}
    calibrated, proba = sklearn_calibrated(P, y, Pe, "isotonic", FixedProbabilities)
    out["x"] = [c.X_thresholds_.tolist() for c in calibrated.calibrators]
    out["y"] = [c.y_thresholds_.tolist() for c in calibrated.calibrators]
    out["calibrated"] = (proba[:, 1] if P.shape[1] == 2 else proba).reshape(-1).tolist()
    if P.shape[1] == 2:
        iso = IsotonicRegression(out_of_bounds="clip").fit(scores, y)
        assert np.allclose(iso.X_thresholds_, out["x"][0])
    return out


def temperature_case(name, y, scores):
    y = np.asarray(y)
    binary = scores.ndim == 1
    if binary:
        z = logit(scores)

        def nll(beta):
            s = beta * z
            return float(np.mean(np.where(y == 1, np.logaddexp(0, -s), np.logaddexp(0, s))))
    else:
        z = np.log(np.clip(scores, EPS, 1 - EPS))

        def nll(beta):
            return float(-np.mean(log_softmax(beta * z, axis=1)[np.arange(len(y)), y]))

    best = minimize_scalar(nll, bounds=(1e-3, 100), method="bounded", options={"xatol": 1e-12, "maxiter": 1000})
    return {"name": name, "temperature": 1 / best.x, "nll": best.fun}


def vector_case(name, y, P):
    y = np.asarray(y)
    n, k = P.shape
    z = np.log(np.clip(P, EPS, 1 - EPS))
    onehot = np.eye(k)[y]

    def objective(theta):
        logits = theta[:k] * z + theta[k:]
        value = np.mean(logsumexp(logits, axis=1) - logits[np.arange(n), y])
        q = np.exp(log_softmax(logits, axis=1))
        r = (q - onehot) / n
        return value, np.concatenate([np.sum(r * z, axis=0), np.sum(r, axis=0)])

    theta0 = np.concatenate([np.ones(k), np.zeros(k)])
    result = minimize(objective, theta0, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 10000})
    scale = result.x[:k]
    bias = result.x[k:] - result.x[k:].mean()
    calibrated = np.exp(log_softmax(scale * z + bias, axis=1))
    return {"name": name, "scale": scale.tolist(), "bias": bias.tolist(), "nll": float(result.fun), "calibrated": calibrated.reshape(-1).tolist()}


def main():
    rng = np.random.default_rng(11)
    y_bc, p_bc = breast_cancer_probabilities()
    y_iris, P_iris = iris_probabilities()

    # Over-confident binary scores with ties: the truth is p, the model reports sigmoid(3·logit p) rounded to 0.001.
    p_true = rng.uniform(0.02, 0.98, 2000)
    y_over = (rng.uniform(0, 1, 2000) < p_true).astype(int)
    p_over = np.round(expit(3 * logit(p_true)), 3)
    # Under-confident four-class scores: softmax(0.4 · true logits).
    logits = rng.normal(0, 2.5, (1500, 4))
    y_four = np.array([rng.choice(4, p=np.exp(row) / np.exp(row).sum()) for row in logits])
    P_four = np.exp(log_softmax(0.4 * logits, axis=1))
    small_p = np.round(rng.uniform(0, 1, 60), 2)
    small_y = (rng.uniform(0, 1, 60) < small_p).astype(int)

    binary_eval = np.array([0.0, 1e-20, 0.001, 0.01, 0.1, 0.25, 0.5, 0.5005, 0.75, 0.9, 0.99, 0.999, 1.0])
    four_eval = np.vstack([rng.dirichlet([0.5] * 4, 20), np.eye(4), np.full((1, 4), 0.25)])
    three_eval = np.vstack([rng.dirichlet([0.5] * 3, 20), np.eye(3)])

    platt = [
        platt_case("breast_cancer_logistic_cv", y_bc, p_bc, binary_eval),
        platt_case("overconfident_binary", y_over, p_over, binary_eval),
        platt_case("small_binary", small_y, small_p, binary_eval),
        platt_case("iris_logistic_cv", y_iris, P_iris, three_eval),
        platt_case("underconfident_four_class", y_four, P_four, four_eval),
    ]
    isotonic = [
        isotonic_case("breast_cancer_logistic_cv", y_bc, p_bc, binary_eval),
        isotonic_case("overconfident_binary", y_over, p_over, binary_eval),
        isotonic_case("small_binary", small_y, small_p, binary_eval),
        isotonic_case("iris_logistic_cv", y_iris, P_iris, three_eval),
        isotonic_case("underconfident_four_class", y_four, P_four, four_eval),
    ]
    temperature = [
        temperature_case("breast_cancer_logistic_cv", y_bc, p_bc),
        temperature_case("overconfident_binary", y_over, p_over),
        temperature_case("iris_logistic_cv", y_iris, P_iris),
        temperature_case("underconfident_four_class", y_four, P_four),
    ]
    # Iris is separable (setosa), where vector scaling's optimum runs off to infinity; use
    # over-confident synthetic three-class scores with a per-class bias instead.
    logits3 = rng.normal(0, 1.5, (800, 3))
    y_three = np.array([rng.choice(3, p=np.exp(row + [0.5, 0, -0.5]) / np.exp(row + [0.5, 0, -0.5]).sum()) for row in logits3])
    P_three = np.exp(log_softmax(2.0 * logits3, axis=1))
    vector = [vector_case("overconfident_three_class", y_three, P_three), vector_case("underconfident_four_class", y_four, P_four)]

    def dataset(y, scores, eval_scores=None):
        entry = {"k": 2 if scores.ndim == 1 else int(scores.shape[1]), "yTrue": np.asarray(y).tolist(), "scores": scores.reshape(-1).tolist()}
        if eval_scores is not None:
            entry["evalScores"] = eval_scores.reshape(-1).tolist()
        return entry

    datasets = {
        "breast_cancer_logistic_cv": dataset(y_bc, p_bc, binary_eval),
        "overconfident_binary": dataset(y_over, p_over, binary_eval),
        "small_binary": dataset(small_y, small_p, binary_eval),
        "iris_logistic_cv": dataset(y_iris, P_iris, three_eval),
        "underconfident_four_class": dataset(y_four, P_four, four_eval),
        "overconfident_three_class": dataset(y_three, P_three),
    }

    write_fixture("calibration.json", {
        "datasets": datasets,
        "generator": "scripts/reference/sklearn_calibration.py",
        "sklearn": sklearn.__version__,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "platt": platt,
        "isotonic": isotonic,
        "temperature": temperature,
        "vector": vector,
    })


if __name__ == "__main__":
    main()
