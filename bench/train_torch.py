"""PyTorch's figure for bench/train.bench.ts: the same MLP, data shape and loop on one CPU thread.

Usage: /usr/bin/python3 bench/train_torch.py ROWS EPOCHS REPEATS BATCH [BATCH ...]

18 → 64 → 32 → 16 → 5 ReLU MLP, softmax cross-entropy, Adam(1e-3), no dropout, ROWS synthetic
rows labelled by a random linear teacher (the bench's shape; numpy's generator, so not the
same numbers), a fresh shuffle each epoch, the usual step (zero_grad, forward, loss,
backward, step). Prints samples/s (rows × epochs / wall time), the best of REPEATS, per batch
size, as `batch <b>: <samples/s> (loss <last epoch's mean loss>)`. Debian's python3-torch,
torch.set_num_threads(1). Prints figures; never fails on time.
"""
import sys
import time

import numpy as np
import torch

FEATURES = 18
CLASSES = 5


def data(rows):
    rng = np.random.default_rng(1)
    teacher = rng.uniform(-1, 1, (FEATURES, CLASSES))
    x = rng.uniform(-1, 1, (rows, FEATURES)).astype(np.float32)
    y = np.argmax(x @ teacher, axis=1)
    return torch.from_numpy(x), torch.from_numpy(y)


def run(x, y, batch, epochs):
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(FEATURES, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, CLASSES),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]
    started = time.perf_counter()
    last = 0.0
    for _ in range(epochs):
        order = torch.randperm(n)
        total = 0.0
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        last = total / n
    seconds = time.perf_counter() - started
    return n * epochs / seconds, last


def main():
    rows, epochs, repeats = (int(v) for v in sys.argv[1:4])
    batches = [int(v) for v in sys.argv[4:]]
    torch.set_num_threads(1)
    x, y = data(rows)
    run(x[:2000], y[:2000], 32, 1)  # warm-up
    for batch in batches:
        best = max((run(x, y, batch, epochs) for _ in range(repeats)), key=lambda r: r[0])
        print(f"batch {batch}: {best[0]:.0f} (loss {best[1]:.3f})")


if __name__ == "__main__":
    main()
