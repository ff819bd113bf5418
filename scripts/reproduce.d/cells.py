#!/usr/bin/env python3
"""Turns scripts/reproduce --lstm's CSV files into results.md: the GRU and the LSTM of one task
side by side (standard library only)."""
import csv
import os
import sys

from stats import mean_spread

out, seconds, gens, pop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
runs = list(csv.DictReader(open(os.path.join(out, "runs.csv"))))
homogeneous = list(csv.DictReader(open(os.path.join(out, "homogeneous.csv"))))
times_path = os.path.join(out, "times.csv")
times = {r["task"]: int(r["seconds"]) for r in csv.DictReader(open(times_path))} if os.path.exists(times_path) else {}
task = runs[0]["task"]
cells = list(dict.fromkeys(r["cell"] for r in runs))


def column(cell, key, scale=1.0, picked=False):
    return [float(r[key]) * scale for r in runs if r["cell"] == cell and (not picked or float(r["best_size"]) > 0)]


def first(cell, key):
    return float(next(r[key] for r in runs if r["cell"] == cell))


lines = [f"# Results: the GRU and the LSTM on {task}", "",
         f"`scripts/reproduce --lstm`: {task}'s float GRU and float LSTM trained with default settings at the same "
         f"hidden size (`train`, `train cell lstm`), homogeneous 2..8-bit, and three NSGA-II searches each "
         f"(`evolve {gens} gens pop {pop}`, seeds 1, 2, 3; error and size), each front `compare`d with its own "
         f"homogeneous 8-bit (the pick is chosen without the test split; test is reported beside). "
         f"Sizes are the C export's constant data (`size`). Hypervolume is the fraction of the box of error up to 1 "
         f"and size up to 1.1 × the cell's own 8-bit size, so it says how well each cell's search does against its "
         f"own 8-bit, not which cell is smaller. Run time {seconds // 60} min.", "",
         "| cell | float test | 8-bit size | 8-bit test | hypervolume, mixed | hypervolume, homogeneous | picks | pick size (B) | reduction | pick test | test gap (8-bit − pick) |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for cell in cells:
    rows = [r for r in runs if r["cell"] == cell]
    picked = [r for r in rows if float(r["best_size"]) > 0]
    lines.append(
        f"| {cell.upper()} | {first(cell, 'float_test') * 100:.1f} % | {int(first(cell, 'size_8bit'))} B | "
        f"{first(cell, 'test_8bit') * 100:.1f} % | {mean_spread(column(cell, 'hv'), 3)} | {mean_spread(column(cell, 'hv_homogeneous'), 3)} | "
        f"{len(picked)}/{len(rows)} | {mean_spread(column(cell, 'best_size', picked=True), 0)} | "
        f"{mean_spread(column(cell, 'reduction', 100, picked=True))} % | {mean_spread(column(cell, 'best_test', 100, picked=True))} % | "
        f"{mean_spread(column(cell, 'test_gap', 100, picked=True), 2)} points |")
lines += ["", "Homogeneous widths (validation / test, size):", "",
          "| bits | " + " | ".join(c.upper() for c in cells) + " |", "| --- |" + " --- |" * len(cells)]
for bits in range(2, 9):
    cellsText = []
    for cell in cells:
        row = next((r for r in homogeneous if r["cell"] == cell and int(r["bits"]) == bits), None)
        cellsText.append("-" if row is None else
                         f"{float(row['val']) * 100:.1f} / {float(row['test']) * 100:.1f} %, {int(float(row['size']))} B")
    lines.append(f"| {bits} | " + " | ".join(cellsText) + " |")
seeds = sorted({r["seed"] for r in runs}, key=int)
lines += ["", "Per seed (pick size, test gap in points; — no pick, blank not run):", "",
          "| cell | " + " | ".join(f"seed {s}" for s in seeds) + " |", "| --- |" + " --- |" * len(seeds)]
for cell in cells:
    def entry(seed):
        row = next((r for r in runs if r["cell"] == cell and r["seed"] == seed), None)
        if row is None:
            return ""
        return "—" if float(row["best_size"]) <= 0 else f"{int(float(row['best_size']))} B, {float(row['test_gap']) * 100:+.2f}"
    lines.append(f"| {cell.upper()} | " + " | ".join(entry(s) for s in seeds) + " |")
if times:
    lines += ["", "Time: " + ", ".join(f"{name} {t // 60} min {t % 60} s" for name, t in times.items()) + "."]
lines += ["", "Fronts: " + ", ".join(f"[{task}-{c}.svg]({task}-{c}.svg)" for c in cells) + " (seed 1), and fronts/*.csv."]
open(os.path.join(out, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
