#!/usr/bin/env python3
"""The cost model's fit (scripts/mcu-calibrate): configurations to export, the pieces of each
exported step read from its C, and a non-negative least-squares fit of instructions per piece.

  calibrate.py script SEED OUT_DIR      prints a gq script exporting 16 configurations per shape
  calibrate.py fit COUNTS               COUNTS: lines "DIR m4_count m3_count"; prints the fit

The pieces are those of DeviceCostModel.Piece (Sources/Export/DeviceCost.swift), counted here
from the C itself, so a fit checks the Swift side's counting as well as giving its numbers.
"""
import random
import re
import sys

OPERATORS = ("r.wx r.wh z.wx z.wh n.wx n.wh r.add z.add n.add h.sub h.add n.mul h.mul_n h.mul_h "
             "gate.r gate.z gate.n input fc").split()
# Eight task shapes: F 6-28, H 16-96.
MODELS = [("digits", 16), ("digits", 48), ("digits", 96), ("vowels", 64), ("vowels", 32),
          ("smnist", 64), ("har", 40), ("fsdd", 64)]
PIECES = ["pair2", "pair4", "pair8", "pair16", "tail2", "tail4", "tail8", "tail16", "pair64", "tail64",
          "loops", "rows", "rowHigh", "rowProduct", "rowWide", "rowWidePerRow", "rowShift", "rowSaturate64",
          "elementHigh", "elementProduct", "elementWide", "elementSaturate64", "nibbleLookup", "inputs", "one"]


def script(seed, out):
    """A gq script: per shape, homogeneous 2-16 bits, six random mixes (four within 2-8 bits),
    one per-tensor and one power-of-two configuration, each exported to OUT/cNNN."""
    rng = random.Random(seed)
    lines, n = [], 0
    for task, hidden in MODELS:
        lines += [f"load task {task}", f"train hidden {hidden} epochs 1"]
        configs = [(f"all={b}", "weights channel requant multiplier") for b in (2, 3, 4, 5, 6, 8, 12, 16)]
        for k in range(6):
            top = 8 if k < 4 else 16
            configs.append((" ".join(f"{o}={rng.randint(2, top)}" for o in OPERATORS), "weights channel requant multiplier"))
        configs.append((" ".join(f"{o}={rng.randint(2, 8)}" for o in OPERATORS), "weights tensor requant multiplier"))
        configs.append((" ".join(f"{o}={rng.randint(2, 8)}" for o in OPERATORS), "weights channel requant pow2"))
        for bits, quant in configs:
            lines += [f"set quant {quant}", f"set bits all=8 {bits}", f"export c {out}/c{n:03d} name net"]
            n += 1
    return "\n".join(lines)


def pieces(c_path):
    """How many of each piece one step of the exported C at c_path runs."""
    source = open(c_path).read()
    header = open(c_path[:-2] + ".h").read()
    hidden = int(re.search(r"#define NET_HIDDEN (\d+)", header).group(1))
    features = int(re.search(r"#define NET_FEATURES (\d+)", header).group(1))
    body = source[source.index("void net_step_codes"):source.index("void net_step(")]
    count = dict.fromkeys(PIECES, 0)
    linear = re.finditer(r"\{ (?:int32_t|int64_t) acc = [^;]*net_dot(\d+)(_64)?\(w, [xh]s, (\d+)u\); \w+ = ([^;]*); w \+= \d+; \}", body)
    for container, wide, words, expression in (m.groups() for m in linear):
        units = int(words) // (2 if container == "16" else 1)
        count["pair" + container] += units // 2 * hidden
        count["tail" + container] += units % 2 * hidden
        if wide:
            count["pair64"] += units // 2 * hidden
            count["tail64"] += units % 2 * hidden
        if units // 2 >= 2:
            count["loops"] += hidden
        count["rows"] += hidden
        if "hi32(acc" in expression:
            count["rowHigh"] += hidden
        elif "(int64_t)(acc)) *" in expression:
            count["rowProduct"] += hidden
        elif re.search(r"rq64\((\(int64_t\)\()?acc\)?, net_", expression):
            count["rowWidePerRow"] += hidden
        elif "rq64(" in expression:
            count["rowWide"] += hidden
        elif "rqs(" in expression:
            count["rowShift"] += hidden
        if "sat64" in expression:
            count["rowSaturate64"] += hidden
    cell = body[body.index("radd ="):]
    for line in (l.strip() for l in cell.split("\n")):
        if re.match(r"(radd|zadd|nadd|hadd|nmul|hmul_n|hmul_h|hsub) =", line):
            count["elementHigh"] += hidden * line.count("hi32(")
            count["elementProduct"] += hidden * len(re.findall(r"\(int32_t\)\(\(\(int64_t\)", line))
            count["elementWide"] += hidden * line.count("rq64(")
            count["elementSaturate64"] += hidden * ("sat64" in line)
        if re.match(r"[rzn] = net_nibble", line):
            count["nibbleLookup"] += hidden
    count["inputs"] += features
    count["one"] += 1
    return count


def fit(counts_path):
    import numpy as np
    from scipy.optimize import nnls
    rows = [line.split() for line in open(counts_path) if line.strip()]
    x = np.array([[pieces(d + "/net.c")[p] for p in PIECES] for d, _, _ in rows], dtype=float)
    x = np.hstack([x, -x[:, -1:]])  # the constant may be negative: fitted as two non-negative parts
    for core, column in (("m4", 1), ("m3", 2)):
        y = np.array([float(r[column]) for r in rows])
        weights = 1 / y  # least squares on the relative error
        coefficients, _ = nnls(x * weights[:, None], y * weights)
        relative = (x @ coefficients - y) / y
        values = dict(zip(PIECES, coefficients[:-1]))
        values["one"] -= coefficients[-1]
        unseen = [p for i, p in enumerate(PIECES) if not x[:, i].any()]
        print(f"{core}: {len(rows)} configurations, RMS {np.sqrt((relative ** 2).mean()) * 100:.1f} %, "
              f"largest {abs(relative).max() * 100:.1f} % ({rows[int(abs(relative).argmax())][0]})")
        print("    " + ", ".join(f".{p}: {values[p]:.2f}" for p in PIECES))
        if unseen:
            print("    no configuration ran: " + ", ".join(unseen))


if __name__ == "__main__":
    if sys.argv[1:2] == ["script"]:
        print(script(int(sys.argv[2]), sys.argv[3]))
    elif sys.argv[1:2] == ["fit"]:
        fit(sys.argv[2])
    else:
        sys.exit(__doc__)
