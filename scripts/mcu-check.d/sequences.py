#!/usr/bin/env python3
"""Writes sequences.h for the Cortex-M harness from a split saved by `save split` (standard library only)."""
import ast
import struct
import sys
import zipfile


def npy(data):
    """A .npy member as (shape, dtype descr, little-endian values)."""
    if data[:6] != b"\x93NUMPY":
        raise SystemExit("sequences.py: not a .npy array")
    major = data[6]
    length_size = 2 if major == 1 else 4
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
with zipfile.ZipFile(path) as archive:
    (n, t, f), x = npy(archive.read("X.npy"))
    _, lengths = npy(archive.read("lengths.npy"))
n = min(n, limit)
offsets, values, steps = [], [], []
for i in range(n):
    offsets.append(len(values))
    steps.append(lengths[i])
    for step in range(lengths[i]):
        base = (i * t + step) * f
        values.extend(x[base:base + f])
print("/* %d sequences of %s, written by scripts/mcu-check. */" % (n, path.rsplit("/", 1)[-1]))
print("#define SEQUENCE_COUNT %d" % n)
print("static const int sequence_steps[%d] = {%s};" % (n, ", ".join(map(str, steps))))
print("static const long sequence_offsets[%d] = {%s};" % (n, ", ".join(map(str, offsets))))
print("static const float sequence_values[%d] = {" % len(values))
for i in range(0, len(values), 8):
    print("    " + " ".join(float.hex(v) + "f," for v in values[i:i + 8]))
print("};")
