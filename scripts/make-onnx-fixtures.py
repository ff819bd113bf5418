#!/usr/bin/env python3
"""Writes the ONNX fixtures of Tests/ONNXTests (needs torch, onnx, onnxscript and safetensors).

    scripts/make-onnx-fixtures.py [FOLDER]      (default Tests/ONNXTests/Fixtures)

Each model is a PyTorch nn.GRU or nn.LSTM (8 features, hidden 6, batch_first) with an
nn.Linear head (4 classes), exported by torch.onnx.export's TorchScript exporter
(NAME.onnx) and, for two of them, by its dynamo exporter (NAME-dynamo.onnx, weights in
NAME-dynamo.onnx.data); NAME.safetensors holds the same state_dict, which gq must read to
the same model. The refused-*.onnx files are models gq must refuse, each for one reason.
"""
import os
import sys

import onnx
import torch
import torch.nn as nn
from onnx import helper
from safetensors.torch import save_file

folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/ONNXTests/Fixtures"
os.makedirs(folder, exist_ok=True)
torch.manual_seed(0)


class LastStep(nn.Module):
    def __init__(self, cell=nn.GRU, layers=1, bidirectional=False, pool="last"):
        super().__init__()
        self.rnn = cell(8, 6, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(6 * (2 if bidirectional else 1), 4)
        self.pool = pool

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y.mean(1) if self.pool == "mean" else y[:, -1])


class FinalState(nn.Module):
    """The head on h_n, under other module names; a softmax after it."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(8, 6, batch_first=True)
        self.classifier = nn.Linear(6, 4)

    def forward(self, x):
        _, h = self.encoder(x)
        return torch.softmax(self.classifier(h[-1]), dim=-1)


class GivenState(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(8, 6, batch_first=True)
        self.fc = nn.Linear(6, 4)

    def forward(self, x, h0):
        y, _ = self.rnn(x, h0)
        return self.fc(y[:, -1])


def export(model, name, dynamo=False, inputs=None):
    model.eval()
    inputs = inputs or (torch.randn(1, 5, 8),)
    names = ["x", "h0"][: len(inputs)]
    path = os.path.join(folder, name + ".onnx")
    if dynamo:
        torch.onnx.export(model, inputs, path, dynamo=True, input_names=names, output_names=["logits"],
                          external_data=True)
    else:
        torch.onnx.export(model, inputs, path, dynamo=False, input_names=names, output_names=["logits"],
                          dynamic_axes={"x": {0: "batch", 1: "steps"}})


def state(model, name):
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(folder, name + ".safetensors"))


for name, model, dynamo in [("gru", LastStep(), False), ("lstm2", LastStep(nn.LSTM, 2), False),
                            ("final-state", FinalState(), False), ("gru2-dynamo", LastStep(nn.GRU, 2), True),
                            ("lstm-dynamo", LastStep(nn.LSTM), True)]:
    export(model, name, dynamo)
    state(model, name)
export(LastStep(bidirectional=True), "refused-bidirectional")
export(LastStep(pool="mean"), "refused-mean-pooling")
export(GivenState(), "refused-initial-state", inputs=(torch.randn(1, 5, 8), torch.zeros(1, 1, 6)))
# The original GRU (linear_before_reset = 0), as Keras writes it with reset_after=False.
original = onnx.load(os.path.join(folder, "gru.onnx"))
for node in original.graph.node:
    if node.op_type == "GRU":
        for attribute in node.attribute:
            if attribute.name == "linear_before_reset":
                attribute.i = 0
onnx.save(original, os.path.join(folder, "refused-linear-before-reset.onnx"))
