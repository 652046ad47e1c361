"""PyTorch's figure for bench/predict.bench.ts: the same single-record predict on the same bundle.

Usage: /usr/bin/python3 bench/predict_torch.py BUNDLE_DIR RECORDS_JSON OURS_JSON

For each record: record (a dict) → feature vector with the bundle's fitted pipeline
(pipeline.json; numeric features only, which is what the decision-policy bundle has) →
an nn.Sequential with the bundle's weights (model.json + weights.bin) on one CPU thread →
probabilities → arg-max label and its confidence. Prints the median and p95 per call and
the largest difference from ML Loop's probabilities (OURS_JSON), so the two did the same work.
Debian's python3-torch; torch.set_num_threads(1). Prints figures; never fails on time.
"""
import json
import math
import os
import sys
import time

import torch


def load_network(bundle):
    with open(os.path.join(bundle, "model.json")) as f:
        model_json = json.load(f)
    raw = open(os.path.join(bundle, "weights.bin"), "rb").read()
    weights = {}
    offset = 0
    for spec in model_json["weightsManifest"][0]["weights"]:
        size = math.prod(spec["shape"])
        values = torch.frombuffer(bytearray(raw[offset : offset + 4 * size]), dtype=torch.float32).reshape(spec["shape"])
        weights[spec["name"]] = values
        offset += 4 * size
    modules = []
    activations = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "elu": torch.nn.ELU, "selu": torch.nn.SELU, "sigmoid": torch.nn.Sigmoid, "linear": None}
    for layer in model_json["modelTopology"]["config"]["layers"]:
        if layer["class_name"] != "Dense":
            continue  # Dropout: identity at inference
        name = layer["config"]["name"]
        kernel = weights[name + "/kernel"]
        linear = torch.nn.Linear(kernel.shape[0], kernel.shape[1])
        with torch.no_grad():
            linear.weight.copy_(kernel.T)
            linear.bias.copy_(weights[name + "/bias"])
        modules.append(linear)
        activation = layer["config"]["activation"]
        if activation == "softmax":
            modules.append(torch.nn.Softmax(dim=1))
        elif activations.get(activation):
            modules.append(activations[activation]())
    return torch.nn.Sequential(*modules).eval()


def feature_function(bundle):
    with open(os.path.join(bundle, "pipeline.json")) as f:
        pipeline = json.load(f)
    features = pipeline["features"]
    for feat in features:
        if feat["type"] != "numeric":
            raise SystemExit(f"predict_torch.py handles numeric features only, not {feat['type']} ({feat['name']})")

    def features_of(record):
        row = []
        for feat in features:
            raw = record.get(feat["name"])
            try:
                v = float(raw)
                if not math.isfinite(v):
                    v = feat["fill"]
            except (TypeError, ValueError):
                v = feat["fill"]
            if feat["transform"] == "log1p":
                v = math.copysign(math.log1p(abs(v)), v)
            row.append((v - feat["center"]) / feat["scale"])
        return row

    return features_of


def main():
    bundle, records_file, ours_file = sys.argv[1:4]
    torch.set_num_threads(1)
    network = load_network(bundle)
    features_of = feature_function(bundle)
    with open(os.path.join(bundle, "labels.json")) as f:
        classes = json.load(f)["classes"]
    with open(records_file) as f:
        records = json.load(f)

    def predict(record):
        with torch.no_grad():
            p = network(torch.tensor([features_of(record)], dtype=torch.float32))[0]
        best = int(torch.argmax(p))
        return {"label": classes[best], "confidence": float(p[best]), "probabilities": p.tolist()}

    for i in range(300):
        predict(records[i % len(records)])
    times = []
    for i in range(3000):
        t = time.perf_counter()
        predict(records[i % len(records)])
        times.append(time.perf_counter() - t)
    times.sort()
    t = time.perf_counter()
    with torch.no_grad():
        batch = network(torch.tensor([features_of(r) for r in records], dtype=torch.float32))
        labels = [classes[i] for i in torch.argmax(batch, dim=1).tolist()]
    batch_ms = (time.perf_counter() - t) * 1000
    with open(ours_file) as f:
        ours = json.load(f)
    worst = max(abs(batch[i][c].item() - ours[i][c]) for i in range(len(ours)) for c in range(len(classes)))
    same_labels = sum(1 for i in range(len(ours)) if labels[i] == classes[max(range(len(classes)), key=lambda c: ours[i][c])])
    print(
        f"{'PyTorch ' + torch.__version__ + ' (1 thread)':<34} median {times[len(times) // 2] * 1e6:6.1f} µs, p95 {times[int(len(times) * 0.95)] * 1e6:6.1f} µs; "
        f"{len(records):,} rows in one call: {batch_ms:.1f} ms"
    )
    print(f"  PyTorch vs ML Loop probabilities: largest difference {worst:.1e}, same label on {same_labels} of {len(ours)} records")


if __name__ == "__main__":
    main()
