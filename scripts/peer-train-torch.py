#!/usr/bin/env python3
"""The PyTorch peer of gq's `train`: a plain GRU recipe, on exactly gq's splits.

usage: peer-train-torch.py FOLDER [--seeds 0,1,2] [--epochs 200] [--hidden 64]

FOLDER holds train.npz, validation.npz and test.npz as gq's `save split` writes
them. The recipe (written down in docs/training.md): inputs standardised per
feature on the training data; nn.GRU(batch_first) with hidden 64 and a linear
head on the last valid step; Adam, learning rate 1e-3, batch 16, 200 epochs,
gradient norm clipped at 1, no early stopping, trained on train + validation
(all of the training file) and scored once on test. Prints one JSON object with
the test accuracy per seed and their mean. torch is optional for gq; this
script needs it (and numpy).
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def load(path):
    with np.load(path, allow_pickle=False) as f:
        return f["X"].astype(np.float32), f["lengths"].astype(np.int64), f["y"].astype(np.int64)


class Classifier(nn.Module):
    def __init__(self, features, hidden, classes):
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x, lengths):
        out, _ = self.gru(x)
        last = out[torch.arange(x.shape[0]), lengths - 1]
        return self.fc(last)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    xs, ls, ys = zip(*(load(f"{args.folder}/{name}.npz") for name in ("train", "validation", "test")))
    steps = max(x.shape[1] for x in xs)
    pad = lambda x: np.pad(x, ((0, 0), (0, steps - x.shape[1]), (0, 0)))
    x_train, l_train, y_train = np.concatenate([pad(xs[0]), pad(xs[1])]), np.concatenate(ls[:2]), np.concatenate(ys[:2])
    x_test, l_test, y_test = pad(xs[2]), ls[2], ys[2]
    # Standardise on the valid steps of the training data only.
    mask = np.arange(steps)[None, :] < l_train[:, None]
    values = x_train[mask]
    mean, std = values.mean(axis=0), values.std(axis=0)
    std[std == 0] = 1
    norm = lambda x, l: np.where((np.arange(steps)[None, :] < l[:, None])[..., None], (x - mean) / std, 0).astype(np.float32)
    x_train, x_test = torch.from_numpy(norm(x_train, l_train)), torch.from_numpy(norm(x_test, l_test))
    l_train, l_test = torch.from_numpy(l_train), torch.from_numpy(l_test)
    y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)
    classes = int(max(y_train.max(), y_test.max())) + 1

    results = {}
    for seed in [int(s) for s in args.seeds.split(",")]:
        torch.manual_seed(seed)
        model = Classifier(x_train.shape[2], args.hidden, classes)
        optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        start = time.time()
        for _ in range(args.epochs):
            model.train()
            order = torch.randperm(len(y_train))
            for i in range(0, len(order), 16):
                batch = order[i:i + 16]
                longest = int(l_train[batch].max())
                optimiser.zero_grad()
                loss = loss_fn(model(x_train[batch, :longest], l_train[batch]), y_train[batch])
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimiser.step()
        model.eval()
        with torch.no_grad():
            correct = 0
            for i in range(0, len(y_test), 256):
                logits = model(x_test[i:i + 256], l_test[i:i + 256])
                correct += int((logits.argmax(1) == y_test[i:i + 256]).sum())
        results[seed] = {"test_accuracy": correct / len(y_test), "seconds": round(time.time() - start, 1)}
        print(f"seed {seed}: test {correct / len(y_test):.4f} in {time.time() - start:.0f} s", file=sys.stderr)
    mean = sum(r["test_accuracy"] for r in results.values()) / len(results)
    print(json.dumps({"folder": args.folder, "recipe": f"Adam 1e-3, batch 16, {args.epochs} epochs, clip 1, hidden {args.hidden}, train+validation",
                      "seeds": results, "mean_test_accuracy": mean}, sort_keys=True))


if __name__ == "__main__":
    main()
