#!/usr/bin/env python3
"""Compares the Cortex-M run with gq's `save predictions` and prints the one-line verdict."""
import csv
import sys

run_path, predictions_path, count, flash, size, ram, cpu, machine = sys.argv[1:9]
expected = list(csv.DictReader(open(predictions_path)))[:int(count)]
lines = [line.split() for line in open(run_path, errors="replace") if line.strip() and line.split()[0].isdigit()]
done = any(line.strip() == "done" for line in open(run_path, errors="replace"))
mismatches = 0
for row, line in zip(expected, lines):
    logits = [int(row[k]) for k in row if k.startswith("logit")]
    if int(line[1]) != int(row["predicted"]) or [int(v) for v in line[2:]] != logits:
        mismatches += 1
mismatches += abs(len(expected) - len(lines))
print("mcu-check: %d sequences checked on a %s (QEMU %s), %d mismatches; flash %s beside gq's size %s bytes; RAM %s"
      % (len(lines), cpu.replace("cortex-m", "Cortex-M"), machine, mismatches, flash, size, ram))
sys.exit(0 if mismatches == 0 and done and lines else 1)
