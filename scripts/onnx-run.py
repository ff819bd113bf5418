#!/usr/bin/env python3
"""Runs a model from gq's `export onnx` in onnxruntime (CPU) on every sequence of a split.

    scripts/onnx-run.py MODEL.onnx SPLIT.npz [PREDICTIONS.csv]

SPLIT.npz is what `save split` writes (X [N, T, F] zero-padded, lengths [N]). Prints the
int64 logits of each sequence, one line each, comma-separated; with PREDICTIONS.csv (what
`save predictions` writes on the same split and configuration) it compares them with gq's
instead, prints "N sequences, K differ from gq's logits" and exits 1 when any differ.
Needs numpy and onnxruntime (scripts/onnx-python installs both in a private folder).
"""
import csv
import sys

import numpy as np
import onnxruntime as ort


def main(arguments):
    if len(arguments) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    session = ort.InferenceSession(arguments[0], providers=["CPUExecutionProvider"])
    split = np.load(arguments[1])
    X, lengths = split["X"], split["lengths"]
    logits = [session.run(None, {"x": np.ascontiguousarray(X[i, : lengths[i]])})[0] for i in range(len(lengths))]
    if len(arguments) == 2:
        for row in logits:
            print(",".join(str(int(v)) for v in row))
        return 0
    with open(arguments[2], newline="") as file:
        rows = list(csv.reader(file))
    first = rows[0].index("logit0")
    expected = [np.array([int(v) for v in row[first:]], dtype=np.int64) for row in rows[1:]]
    if len(expected) != len(logits):
        print(f"{arguments[2]} has {len(expected)} rows, {arguments[1]} {len(logits)} sequences", file=sys.stderr)
        return 1
    differ = [i for i, (got, want) in enumerate(zip(logits, expected)) if not np.array_equal(got, want)]
    for i in differ[:3]:
        print(f"sequence {i}: gq {expected[i].tolist()}, onnxruntime {logits[i].tolist()}", file=sys.stderr)
    print(f"{len(logits)} sequences, {len(differ)} differ from gq's logits")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
