"""What the PyTorch peers of `gq bench` share: the float GRU classifier and how its
training and inference speed is measured (one thread, medians of repeated trials)."""
import statistics
import time

import torch
import torch.nn as nn

FEATURES, CLASSES, BATCH = 28, 10, 64


class Classifier(nn.Module):
    """nn.GRU (or with cell="lstm", nn.LSTM) + nn.Linear on the last step, as gq's model."""

    def __init__(self, hidden, features=FEATURES, classes=CLASSES, layers=1, cell="gru"):
        super().__init__()
        kind = nn.GRU if cell == "gru" else nn.LSTM
        self.gru = kind(features, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(out[:, -1, :])


def speed(model, steps, repeats, iterations, extra=None):
    """Training and inference samples per second (medians over `repeats` trials of
    `iterations` batches: forward, cross-entropy, backward, clipping and Adam), and the
    median of `extra(model, x)`'s samples per second when given."""
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()
    training, inference, others = [], [], []
    # One untimed batch first, as gq's benchmark does: allocation and first touches.
    warm = torch.rand(BATCH, steps, FEATURES) - 0.5
    optimiser.zero_grad()
    loss_function(model(warm), torch.arange(BATCH) % CLASSES).backward()
    with torch.no_grad():
        model(warm)
    for _ in range(repeats):
        x = torch.rand(BATCH, steps, FEATURES) - 0.5
        y = torch.arange(BATCH) % CLASSES
        start = time.perf_counter()
        for _ in range(iterations):
            optimiser.zero_grad()
            loss = loss_function(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
        training.append(BATCH * iterations / (time.perf_counter() - start))
        with torch.no_grad():
            start = time.perf_counter()
            for _ in range(iterations):
                model(x)
            inference.append(BATCH * iterations / (time.perf_counter() - start))
            if extra is not None:
                start = time.perf_counter()
                extra(model, x)
                others.append(BATCH / (time.perf_counter() - start))
    return (statistics.median(training), statistics.median(inference),
            statistics.median(others) if others else None)
