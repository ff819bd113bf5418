#!/usr/bin/env python3
"""PyTorch peer for `gq bench scaling`: the same shapes, measured the same way.

For hidden 32, 64, 128, 256 and lengths 28, 100, 400 (28 features, 10 classes, one
thread): nn.GRU + nn.Linear training samples per second (batch 64: forward,
cross-entropy, backward, clipping, Adam), float inference (batched, no_grad) and a
fake-quantized GRU: the cell written out step by step with each of its 17 operators'
outputs rounded to 8-bit codes (torch.fake_quantize_per_tensor_affine), the way one
simulates an integer GRU in PyTorch; and training again with subnormal floats flushed to
zero (torch.set_flush_denormal), as gq's training runs. Then num_layers=2 (l2_h{H}_t{T}_) and one
nn.LSTM layer (lstm_h{H}_t{T}_) at hidden 64 and 128, training and float inference.
Keys match gq's: h{H}_t{T}_<figure>. Medians of REPEATS trials. torch is not a dependency of gq; scripts/bench runs this when present.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_peer import CLASSES, FEATURES, Classifier, speed  # noqa: E402

QUICK = "--quick" in sys.argv
REPEATS = 1 if QUICK else 3


def option(name):
    """The integer after `name` on the command line, or None."""
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else None


# --hidden H and --steps T measure that shape alone, as `gq bench scaling hidden H steps T`
# does (scripts/bench runs the two shape by shape). The lists are ScalingBenchmark's.
ONLY_HIDDEN, ONLY_STEPS = option("--hidden"), option("--steps")
LENGTHS = [ONLY_STEPS] if ONLY_STEPS else [28, 100, 400]


def sizes(all_sizes, single=False):
    if ONLY_HIDDEN is None:
        return all_sizes
    return [ONLY_HIDDEN] if single or ONLY_HIDDEN in all_sizes else []
torch.set_num_threads(1)
torch.manual_seed(1)


def fake(x, scale):
    return torch.fake_quantize_per_tensor_affine(x, scale, 0, -128, 127)


def fake_quant_logits(model, x):
    """The GRU cell with its 17 operators fake-quantized to 8 bits (scales from the tensors' ranges)."""
    w_ih, w_hh = model.gru.weight_ih_l0, model.gru.weight_hh_l0
    b_ih, b_hh = model.gru.bias_ih_l0, model.gru.bias_hh_l0
    hidden = w_hh.shape[1]
    s = lambda t: float(t.abs().max()) / 127 + 1e-12
    wr, wz, wn = (fake(w, s(w)) for w in w_ih.chunk(3))
    ur, uz, un = (fake(w, s(w)) for w in w_hh.chunk(3))
    br, bz, bn = b_ih.chunk(3)
    cr, cz, cn = b_hh.chunk(3)
    h = torch.zeros(x.shape[0], hidden)
    act = 4 / 127
    for t in range(x.shape[1]):
        xt = fake(x[:, t], 1 / 127)
        r = torch.sigmoid(fake(fake(xt @ wr.T + br, act) + fake(h @ ur.T + cr, act), act))
        z = torch.sigmoid(fake(fake(xt @ wz.T + bz, act) + fake(h @ uz.T + cz, act), act))
        n = torch.tanh(fake(fake(xt @ wn.T + bn, act) + fake(r * fake(h @ un.T + cn, act), act), act))
        r, z, n = fake(r, 1 / 127), fake(z, 1 / 127), fake(n, 1 / 127)
        h = fake(fake((1 - z) * n, 1 / 127) + fake(z * h, 1 / 127), 1 / 127)
    return model.fc(h)


figures = {"peer": f"pytorch {torch.__version__}"}
for hidden in sizes([32, 64, 128, 256], single=True):
    for steps in LENGTHS:
        prefix = f"h{hidden}_t{steps}_"
        macs = steps * 3 * hidden * (FEATURES + hidden) + hidden * CLASSES
        iterations = 1 if QUICK else max(1, min(10, int(4e8 / (macs * 64 * 3))))
        training, inference, fakes = speed(Classifier(hidden), steps, REPEATS, iterations, extra=fake_quant_logits)
        figures[prefix + "training_samples_per_second"] = training
        figures[prefix + "float_inference_gmacs_per_second"] = inference * macs / 1e9
        figures[prefix + "float_inference_sequences_per_second"] = inference
        figures[prefix + "fake_quant_sequences_per_second"] = fakes
        # PyTorch's default keeps subnormal floats, which long sequences' gradients fade into
        # and x86 computes in microcode; gq's training flushes them (docs/training.md). The
        # same training with torch.set_flush_denormal(True), so the table shows both.
        torch.set_flush_denormal(True)
        figures[prefix + "training_flushed_samples_per_second"] = speed(Classifier(hidden), steps, REPEATS, iterations)[0]
        torch.set_flush_denormal(False)
# Two stacked layers (num_layers=2) at hidden 64 and 128, keyed l2_h{H}_t{T}_ as gq keys them.
for hidden in sizes([64, 128]):
    for steps in LENGTHS:
        prefix = f"l2_h{hidden}_t{steps}_"
        macs = steps * (3 * hidden * (FEATURES + hidden) + 6 * hidden * hidden) + hidden * CLASSES
        iterations = 1 if QUICK else max(1, min(10, int(4e8 / (macs * 64 * 3))))
        training, inference, _ = speed(Classifier(hidden, layers=2), steps, REPEATS, iterations)
        figures[prefix + "training_samples_per_second"] = training
        figures[prefix + "float_inference_gmacs_per_second"] = inference * macs / 1e9
        figures[prefix + "float_inference_sequences_per_second"] = inference
# One LSTM layer (nn.LSTM) at hidden 64 and 128, keyed lstm_h{H}_t{T}_ as gq keys them.
for hidden in sizes([64, 128]):
    for steps in LENGTHS:
        prefix = f"lstm_h{hidden}_t{steps}_"
        macs = steps * 4 * hidden * (FEATURES + hidden) + hidden * CLASSES
        iterations = 1 if QUICK else max(1, min(10, int(4e8 / (macs * 64 * 3))))
        training, inference, _ = speed(Classifier(hidden, cell="lstm"), steps, REPEATS, iterations)
        figures[prefix + "training_samples_per_second"] = training
        figures[prefix + "float_inference_gmacs_per_second"] = inference * macs / 1e9
        figures[prefix + "float_inference_sequences_per_second"] = inference
print(json.dumps(figures, indent=2, sort_keys=True))
