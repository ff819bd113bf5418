#!/usr/bin/env python3
"""Turns scripts/reproduce's CSV files into results.md and bits.csv (standard library only)."""
import csv
import os
import statistics
import sys

from stats import mean_spread

out, seconds, gens, pop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
finetune, tuning = sys.argv[5] == "1", sys.argv[6] == "1"
timing_note = sys.argv[7] if len(sys.argv) > 7 else ""
times_path = os.path.join(out, "times.csv")
times = {r["task"]: int(r["seconds"]) for r in csv.DictReader(open(times_path))} if os.path.exists(times_path) else {}


def finetune_seconds(task):
    """Seconds spent in `compare finetune` over a task's searches, from the stamped logs."""
    total = 0
    logs = os.path.join(out, "logs")
    for name in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
        if not name.startswith(task + "-"):
            continue
        marks = {}
        for line in open(os.path.join(logs, name)):
            stamp, _, text = line.rstrip("\n").partition(" ")
            if text in ("@finetune-start", "@finetune-end"):
                marks[text] = int(stamp)
        if len(marks) == 2:
            total += marks["@finetune-end"] - marks["@finetune-start"]
    return total
runs = list(csv.DictReader(open(os.path.join(out, "runs.csv"))))
homogeneous = list(csv.DictReader(open(os.path.join(out, "homogeneous.csv"))))
tasks = list(dict.fromkeys(r["task"] for r in runs))
GENOME = ["r.wx", "r.wh", "z.wx", "z.wh", "n.wx", "n.wh", "r.add", "z.add", "n.add", "h.sub", "h.add",
          "n.mul", "h.mul_n", "h.mul_h", "gate.r", "gate.z", "gate.n"]


def values(task, key, scale=100.0, picked_only=False, index="best_size"):
    """A task's column over its seeds; with picked_only, the seeds that had a pick (a size)."""
    return [float(r[key]) * scale for r in runs
            if r["task"] == task and (not picked_only or float(r[index]) > 0)]


def picks(task, index="best_size", bits="best_bits"):
    """'3/3', or '3/3 (1 homogeneous)' when some picks were a homogeneous width (bits: the
    column that says so; None where picks are always mixed)."""
    rows = [r for r in runs if r["task"] == task]
    homogeneous = sum(float(r.get(bits) or 0) > 0 for r in rows) if bits else 0
    return f"{sum(float(r[index]) > 0 for r in rows)}/{len(rows)}" + (f" ({homogeneous} homogeneous)" if homogeneous else "")


flags = (" --tuning" if tuning else "") + (" --finetune" if finetune else "")
def minutes(s):
    return f"{s // 60} min {s % 60} s"


per_task = "; per task: " + ", ".join(f"{t} {minutes(s)}" for t, s in times.items()) if times else ""
if finetune and times:
    spent = sum(finetune_seconds(t) for t in times)
    per_task += (f"; `compare finetune` took {minutes(spent)} of it, so the study without it took "
                 f"{minutes(seconds - spent)}")
test_words = "stand-in test split carved from training (`load task NAME tuning`; the real test split is never loaded)" if tuning else "test split"
lines = [
    "# Results on the tuning protocol" if tuning else "# Results: mixed-precision search against homogeneous precision",
    "",
    f"Made by `scripts/reproduce{flags}` in {minutes(seconds)}{per_task}{timing_note}. "
    + (f"'test' below is the {test_words}. " if tuning else "")
    + f"For each task, default `train`, homogeneous 2..8-bit, and `evolve {gens} gens pop {pop}` with seeds "
    f"{', '.join(sorted(set(r['seed'] for r in runs)))}, then `compare` (the pick is the smallest "
    "configuration, a mixed one of the front or a homogeneous width below 8 bits, within 0.5 points of homogeneous "
    "8-bit on what the search judged (validation plus noisy copies of the training split, by default) that the "
    "default rule confirms on a fresh draw of copies; the test split is only reported; 'val' columns are the "
    "validation split's). Mean ± standard deviation over seeds; accuracies in %. A seed with no configuration the "
    "rule accepts counts as 0 % reduction and is left out of the pick's accuracy and gap ('picks' says how many "
    "seeds had one, and how many of those picks were homogeneous).",
    "",
    "| task | float test | 8-bit size (B) | 8-bit val / test | picks | pick size (B) | reduction | pick val / test | test gap (points) | hv mixed / homogeneous |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
]
for task in tasks:
    lines.append("| " + " | ".join([
        task,
        mean_spread(values(task, "float_test")),
        mean_spread(values(task, "size_8bit", 1), 0),
        f"{mean_spread(values(task, 'val_8bit'))} / {mean_spread(values(task, 'test_8bit'))}",
        picks(task),
        mean_spread(values(task, "best_size", 1, picked_only=True), 0),
        mean_spread(values(task, "reduction")) + " %",
        f"{mean_spread(values(task, 'best_val', picked_only=True))} / {mean_spread(values(task, 'best_test', picked_only=True))}",
        mean_spread(values(task, "test_gap", picked_only=True)),
        f"{mean_spread(values(task, 'hv', 1), 3)} / {mean_spread(values(task, 'hv_homogeneous', 1), 3)}",
    ]) + " |")
gaps = [statistics.mean(values(t, "test_gap", picked_only=True) or [0]) for t in tasks]
lines += ["", f"Mean test gap over the tasks: {statistics.mean(gaps):+.2f} points; "
          f"mean size reduction: {statistics.mean(statistics.mean(values(t, 'reduction')) for t in tasks):.1f} %."]
if finetune:
    lines += ["", "With `compare finetune` (the candidates are fine-tuned, as `finetune` would, before its default rule, "
              "`margin` on the validation split, judges them against post-training 8-bit: fine-tuning trains on the "
              "training split, so copies of it would flatter the tuned candidates; the test split is measured for the "
              "pick only):", "",
              "| task | picks | pick size (B) | reduction | pick val / test | test gap (points) |",
              "| --- | --- | --- | --- | --- | --- |"]
    for task in tasks:
        lines.append("| " + " | ".join([
            task, picks(task, "ft_size", None),
            mean_spread(values(task, "ft_size", 1, True, "ft_size"), 0),
            mean_spread(values(task, "ft_reduction")) + " %",
            f"{mean_spread(values(task, 'ft_val', picked_only=True, index='ft_size'))} / "
            f"{mean_spread(values(task, 'ft_test', picked_only=True, index='ft_size'))}",
            mean_spread(values(task, "ft_gap", picked_only=True, index="ft_size")),
        ]) + " |")
    ft_gaps = [statistics.mean(values(t, "ft_gap", picked_only=True, index="ft_size") or [0]) for t in tasks]
    lines += ["", f"Mean test gap over the tasks with `compare finetune`: {statistics.mean(ft_gaps):+.2f} points; "
              f"mean size reduction: {statistics.mean(statistics.mean(values(t, 'ft_reduction')) for t in tasks):.1f} %."]

lines += ["", "## Homogeneous precision", "", "| task | bits | size (B) | val | test |", "| --- | --- | --- | --- | --- |"]
for row in homogeneous:
    lines.append(f"| {row['task']} | {row['bits']} | {row['size']} | {float(row['val']) * 100:.1f} | {float(row['test']) * 100:.1f} |")

# Which operators tolerate few bits: mean width of each operator over every front configuration.
bits_rows = []
for task in tasks:
    widths = {op: [] for op in GENOME}
    for name in sorted(os.listdir(os.path.join(out, "fronts"))):
        if name.startswith(task + "-"):
            for row in csv.DictReader(open(os.path.join(out, "fronts", name))):
                for op in GENOME:
                    widths[op].append(int(row[op]))
    bits_rows.append((task, {op: statistics.mean(w) if w else 0 for op, w in widths.items()}))
with open(os.path.join(out, "bits.csv"), "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["task"] + GENOME)
    for task, means in bits_rows:
        writer.writerow([task] + [f"{means[op]:.2f}" for op in GENOME])
lines += ["", "## Bits per operator over the fronts", "",
          "Mean width of each operator over every configuration of the three fronts (lower: the operator tolerates fewer bits).", "",
          "| task | " + " | ".join(GENOME) + " |", "| --- | " + " | ".join("---" for _ in GENOME) + " |"]
for task, means in bits_rows:
    lines.append(f"| {task} | " + " | ".join(f"{means[op]:.1f}" for op in GENOME) + " |")
overall = {op: statistics.mean(m[op] for _, m in bits_rows) for op in GENOME}
ranked = sorted(GENOME, key=lambda op: overall[op])
lines += ["", "Reading: over every task's fronts, the operators that take the fewest bits are "
          + ", ".join(f"{op} ({overall[op]:.1f})" for op in ranked[:4])
          + "; those that keep the most are " + ", ".join(f"{op} ({overall[op]:.1f})" for op in ranked[-4:][::-1])
          + " (mean widths over all tasks' fronts)."]
lines += ["", "Fronts: " + ", ".join(f"[{t}]({t}.svg)" for t in tasks) + " (seed 1)."]
open(os.path.join(out, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
