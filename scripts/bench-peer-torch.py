#!/usr/bin/env python3
"""PyTorch peer for `gq bench`: the same GRU shape, measured the same way.

Float GRU classifier (nn.GRU + nn.Linear on the last step), T=28 steps, F=28
features, hidden 64, batch 64, 10 classes, one thread. Training: forward,
cross-entropy, backward, gradient-norm clipping and Adam per batch. Inference:
batched logits under no_grad. Each figure is the median of REPEATS trials of
ITERATIONS batches, with new inputs per trial. Prints JSON with the same keys
as gq's bench. torch is not a dependency of gq: scripts/bench runs this only
when a Python with torch is available.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn

STEPS, FEATURES, HIDDEN, BATCH, CLASSES = 28, 28, 64, 64, 10
REPEATS, ITERATIONS = (3, 3) if "--quick" in sys.argv else (5, 20)
torch.set_num_threads(1)
torch.manual_seed(1)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(FEATURES, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(out[:, -1, :])


model = Classifier()
optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_function = nn.CrossEntropyLoss()
training, inference = [], []
for trial in range(REPEATS):
    x = torch.rand(BATCH, STEPS, FEATURES) - 0.5
    y = torch.arange(BATCH) % CLASSES
    start = time.perf_counter()
    for _ in range(ITERATIONS):
        optimiser.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
    training.append(BATCH * ITERATIONS / (time.perf_counter() - start))
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(ITERATIONS):
            model(x)
        inference.append(BATCH * ITERATIONS / (time.perf_counter() - start))

macs_per_sequence = STEPS * 3 * HIDDEN * (FEATURES + HIDDEN) + HIDDEN * CLASSES
samples = statistics.median(inference)
print(json.dumps({
    "peer": f"pytorch {torch.__version__}",
    "training_samples_per_second": statistics.median(training),
    "inference_samples_per_second": samples,
    "inference_gmacs_per_second": samples * macs_per_sequence / 1e9,
}, indent=2, sort_keys=True))
