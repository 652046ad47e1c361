"""scikit-learn's figure for bench/train-job.bench.ts: the default pipeline on the same CSV.

Usage: /usr/bin/python3 bench/train_sklearn.py CSV LABEL

StandardScaler + MLPClassifier() (scikit-learn's defaults: one hidden layer of 100 ReLU
units, Adam, up to 200 epochs, stopping when the training loss stops improving), on a
stratified 80/20 split with random_state 42 (ML Loop trains on 65% and validates on 15% of
the same 80%). Times the whole script's work after imports: reading the CSV, fitting, and
scoring the test rows; prints that with the test accuracy and log loss. Prints figures;
never fails on time.
"""
import sys
import time

started = time.perf_counter()
import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, log_loss  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

imported = time.perf_counter()


def main():
    path, label = sys.argv[1:3]
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    with open(path) as f:
        header = f.readline().strip().split(",")
    column = header.index(label)
    raw = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=str)
    y = raw[:, column]
    x = np.delete(raw, column, axis=1).astype(float)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=42)
    model = make_pipeline(StandardScaler(), MLPClassifier(random_state=42))
    model.fit(x_train, y_train)
    p = model.predict_proba(x_test)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    accuracy = accuracy_score(y_test, model.classes_[np.argmax(p, axis=1)])
    print(
        f"scikit-learn StandardScaler + MLPClassifier(): {seconds:.2f} s, CPU time {cpu:.2f} s (read, fit {model[-1].n_iter_} epochs, score; "
        f"+{imported - started:.2f} s of imports), accuracy {accuracy:.4f}, log loss {log_loss(y_test, p):.4f}"
    )


if __name__ == "__main__":
    main()
