#!/usr/bin/env python3
"""PyTorch peer for `gq bench`: the same GRU shape, measured the same way.

Float GRU classifier (nn.GRU + nn.Linear on the last step), T=28 steps, F=28
features, hidden 64, batch 64, 10 classes, one thread; then the same with
num_layers=2 (keys ending _2_layers), and one nn.LSTM layer
(keys ending _lstm). Training: forward,
cross-entropy, backward, gradient-norm clipping and Adam per batch. Inference:
batched logits under no_grad. Each figure is the median of REPEATS trials of
ITERATIONS batches, with new inputs per trial. Prints JSON with the same keys
as gq's bench. torch is not a dependency of gq: scripts/bench runs this only
when a Python with torch is available.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_peer import Classifier, speed  # noqa: E402

STEPS, FEATURES, HIDDEN, BATCH, CLASSES = 28, 28, 64, 64, 10
REPEATS, ITERATIONS = (3, 3) if "--quick" in sys.argv else (5, 20)
torch.set_num_threads(1)
torch.manual_seed(1)

figures = {"peer": f"pytorch {torch.__version__}"}
# One layer, a stack of two (num_layers=2) and one LSTM layer, keyed as gq keys them.
for layers, cell, suffix in [(1, "gru", ""), (2, "gru", "_2_layers"), (1, "lstm", "_lstm")]:
    training, samples, _ = speed(Classifier(HIDDEN, layers=layers, cell=cell), STEPS, REPEATS, ITERATIONS)
    gates = 3 if cell == "gru" else 4
    macs_per_sequence = STEPS * (gates * HIDDEN * (FEATURES + HIDDEN) + (layers - 1) * 2 * gates * HIDDEN * HIDDEN) + HIDDEN * CLASSES
    figures["training_samples_per_second" + suffix] = training
    figures["inference_samples_per_second" + suffix] = samples
    figures["inference_gmacs_per_second" + suffix] = samples * macs_per_sequence / 1e9
print(json.dumps(figures, indent=2, sort_keys=True))
