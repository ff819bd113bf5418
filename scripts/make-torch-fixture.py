#!/usr/bin/env python3
"""Generate the PyTorch GRU (or LSTM) fixture that gq's GRUTests load.

Builds nn.GRU(input_size=5, hidden_size=7, batch_first=True) + nn.Linear(7, 3)
(with --layers N, num_layers=N, written as torch_gru_lN.*; with --cell lstm an
nn.LSTM under the same names, written as torch_lstm.* / torch_lstm_lN.*)
with a fixed torch seed, trains it for a few Adam steps on random data (so the
weights are "trained in PyTorch", not a fresh init), saves it with
safetensors.torch.save_file under PyTorch's own names (no input.mean/scale, so
gq must run it on raw inputs), and writes input sequences of different lengths
with PyTorch's logits at each sequence's last valid step.

torch (with safetensors) is NOT a dependency of gq or its tests: the generated files are committed.
Regenerate with:

    /opt/torchvenv/bin/python scripts/make-torch-fixture.py [--layers 2]
"""
import argparse
import json
import pathlib

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence
from safetensors.torch import save_file

FEATURES, HIDDEN, CLASSES = 5, 7, 3
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "GRUTests" / "Fixtures"


class Classifier(nn.Module):
    def __init__(self, layers, cell):
        super().__init__()
        self.cell = cell
        kind = nn.GRU if cell == "gru" else nn.LSTM
        # Registered under the cell's name, as gq (and PyTorch users) name it: gru.* or lstm.*.
        setattr(self, cell, kind(input_size=FEATURES, hidden_size=HIDDEN, num_layers=layers, batch_first=True))
        self.fc = nn.Linear(HIDDEN, CLASSES)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, state = getattr(self, self.cell)(packed)
        h = state if self.cell == "gru" else state[0]
        return self.fc(h[-1])  # h: (layers, N, H), each layer's state at each sequence's last valid step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--cell", choices=["gru", "lstm"], default="gru")
    arguments = parser.parse_args()
    layers, cell = arguments.layers, arguments.cell
    stem = f"torch_{cell}" if layers == 1 else f"torch_{cell}_l{layers}"
    torch.manual_seed(20240607)
    model = Classifier(layers, cell)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    x = torch.randn(32, 6, FEATURES)
    lengths = torch.randint(1, 7, (32,))
    y = torch.randint(0, CLASSES, (32,))
    for _ in range(20):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x, lengths), y)
        loss.backward()
        optimizer.step()

    OUT.mkdir(parents=True, exist_ok=True)
    tensors = {name: p.detach().contiguous() for name, p in model.state_dict().items()}
    assert sorted(tensors) == sorted(
        [f"{cell}.{kind}_l{k}" for k in range(layers) for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        + ["fc.weight", "fc.bias"]
    ), sorted(tensors)
    save_file(tensors, str(OUT / f"{stem}.safetensors"))

    # Test inputs: different lengths, including 1 and the longest, scaled so gates saturate a little.
    test_lengths = [4, 1, 9, 6, 2]
    sequences = [torch.randn(n, FEATURES) * 1.5 for n in test_lengths]
    with torch.no_grad():
        # Each sequence alone (no padding at all) ...
        alone = torch.cat([model(s.unsqueeze(0), torch.tensor([len(s)])) for s in sequences])
        # ... and all together through pack_padded_sequence: they must agree.
        padded = nn.utils.rnn.pad_sequence(sequences, batch_first=True)
        together = model(padded, torch.tensor(test_lengths))
    assert torch.allclose(alone, together, atol=1e-6), (alone - together).abs().max()

    expected = {
        "torch_version": torch.__version__,
        "input_size": FEATURES,
        "hidden_size": HIDDEN,
        "class_count": CLASSES,
        "layers": layers,
        "cell": cell,
        "sequences": [s.flatten().tolist() for s in sequences],
        "lengths": test_lengths,
        "logits": alone.tolist(),
    }
    (OUT / f"{stem}_expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print("wrote", OUT / f"{stem}.safetensors", "and", OUT / f"{stem}_expected.json")


if __name__ == "__main__":
    main()
