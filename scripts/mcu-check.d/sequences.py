#!/usr/bin/env python3
"""Writes sequences.h for the Cortex-M harnesses from a split saved by `save split` (standard
library only): the first test sequences, whole, at most COUNT of them and, when STEPS is given,
only until they hold at least STEPS time steps (scripts/mcu-bench: a similar number of steps on
every task).

usage: sequences.py SPLIT.npz COUNT [STEPS] > sequences.h     (the count taken goes to stderr)"""
import ast
import struct
import sys
import zipfile


def npy(data):
    """A .npy member as (shape, little-endian values)."""
    if data[:6] != b"\x93NUMPY":
        raise SystemExit("sequences.py: not a .npy array")
    length_size = 2 if data[6] == 1 else 4
    header_length = int.from_bytes(data[8:8 + length_size], "little")
    start = 8 + length_size
    header = ast.literal_eval(data[start:start + header_length].decode("latin1"))
    body = data[start + header_length:]
    code = {"<f4": "f", "<i4": "i", "<i8": "q"}[header["descr"]]
    count = 1
    for n in header["shape"]:
        count *= n
    return header["shape"], struct.unpack("<%d%s" % (count, code), body[:count * struct.calcsize(code)])


path, limit = sys.argv[1], int(sys.argv[2])
budget = int(sys.argv[3]) if len(sys.argv) > 3 else None
with zipfile.ZipFile(path) as archive:
    (n, t, f), x = npy(archive.read("X.npy"))
    _, lengths = npy(archive.read("lengths.npy"))
steps, values = [], []
for i in range(min(n, limit)):
    if budget is not None and sum(steps) >= budget:
        break
    steps.append(lengths[i])
    for step in range(lengths[i]):
        base = (i * t + step) * f
        values.extend(x[base:base + f])
print("/* The first %d sequences of %s (%d steps), written by scripts/mcu-check.d/sequences.py. */"
      % (len(steps), path.rsplit("/", 1)[-1], sum(steps)))
print("#define SEQUENCE_COUNT %d" % len(steps))
print("#define SEQUENCE_TOTAL_STEPS %dL" % sum(steps))
print("static const int sequence_steps[%d] = {%s};" % (len(steps), ", ".join(map(str, steps))))
print("static const float sequence_values[%d] = {" % len(values))
for i in range(0, len(values), 8):
    print("    " + " ".join(float.hex(v) + "f," for v in values[i:i + 8]))
print("};")
print("%d sequences (%d steps)" % (len(steps), sum(steps)), file=sys.stderr)
