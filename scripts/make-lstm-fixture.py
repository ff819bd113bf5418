#!/usr/bin/env python3
"""Generate the PyTorch LSTM step fixture that gq's QuantizationTests read.

torch.nn.LSTM(input_size=3, hidden_size=4) with torch seed 7, run over six steps of
torch.randn input from zero states, each step's h and c recorded through an
nn.LSTMCell holding the same tensors (and checked against the LSTM's own output).
The JSON holds PyTorch's stacked tensors (gates i, f, g, o), the input and every
step's h and c, so gq's LSTM cell description can be checked against PyTorch.

torch is NOT a dependency of gq or its tests: the generated file is committed.
Regenerate with:

    /opt/torchvenv/bin/python scripts/make-lstm-fixture.py
"""
import json
import pathlib

import torch

torch.manual_seed(7)
lstm = torch.nn.LSTM(3, 4, batch_first=True)
x = torch.randn(1, 6, 3)
out, _ = lstm(x)
cell = torch.nn.LSTMCell(3, 4)
h, c, hs, cs = torch.zeros(1, 4), torch.zeros(1, 4), [], []
with torch.no_grad():
    cell.weight_ih.copy_(lstm.weight_ih_l0)
    cell.weight_hh.copy_(lstm.weight_hh_l0)
    cell.bias_ih.copy_(lstm.bias_ih_l0)
    cell.bias_hh.copy_(lstm.bias_hh_l0)
    for t in range(x.shape[1]):
        h, c = cell(x[:, t], (h, c))
        hs.append(h[0].tolist())
        cs.append(c[0].tolist())
    assert torch.allclose(out[0], torch.tensor(hs), atol=1e-6)
path = pathlib.Path(__file__).resolve().parent.parent / "Tests/QuantizationTests/Fixtures/torch_lstm.json"
path.write_text(json.dumps({
    "source": "scripts/make-lstm-fixture.py: torch.nn.LSTM(3, 4), seed 7, six steps from zero states",
    "weight_ih": lstm.weight_ih_l0.flatten().tolist(), "weight_hh": lstm.weight_hh_l0.flatten().tolist(),
    "bias_ih": lstm.bias_ih_l0.tolist(), "bias_hh": lstm.bias_hh_l0.tolist(),
    "x": x[0].flatten().tolist(), "h": hs, "c": cs,
}) + "\n")
