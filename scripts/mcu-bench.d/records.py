#!/usr/bin/env python3
"""The arithmetic and bookkeeping of scripts/mcu-bench (standard library only).

  records.py stack NET.ci FUNCTION
      the deepest stack of FUNCTION and what it calls inside the object, from GCC's
      -fcallgraph-info=su (functions outside the object, e.g. libgcc's, count 0)
  records.py gq RUN1 RUN2 PREDICTIONS.csv KEY=VALUE...
      one JSON record of an exported model's run (two runs of the same firmware, which must print
      the same counts), checked against gq's `save predictions`
  records.py peer RUN1 RUN2 KEY=VALUE...
      the CMSIS-NN peer's records (LSTM and matrix-vector products alone)
  records.py report RECORDS.jsonl KEY=VALUE...
      the whole JSON object; exit status 1 when any record failed a check

Instructions from ticks: SysTick ticks once per 40 instructions under -icount shift=0, so a
function's count is (ticks of the real run - ticks of the same run with an empty function) x 40,
divided by the number of calls (systick.h, bench.c)."""
import csv
import json
import subprocess
import re
import sys

INSTRUCTIONS_PER_TICK = 40
# The harness times a routine exactly 400 instructions longer than an empty one, 200 calls: the
# telescoped readings are exact to one tick per run, so two runs are within 2 ticks = 0.4
# instructions per call of the truth. More than that means the tick model does not hold.
CALIBRATION_TOLERANCE = 0.5


def parse_keys(pairs):
    values = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        values[key] = int(value) if re.fullmatch(r"-?\d+", value) else None if value == "null" else value
    return values


def stack(ci_path, root):
    """Largest sum of frame sizes along any call path from root, with the path."""
    frames, calls = {}, {}
    for line in open(ci_path):
        node = re.match(r'node: \{ title: "([^"]+)" label: "([^"]*)"', line)
        if node:
            size = re.search(r"\\n(\d+) bytes \(([^)]*)\)", node.group(2))
            frames[node.group(1)] = (int(size.group(1)), size.group(2)) if size else (0, "outside")
        edge = re.match(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', line)
        if edge:
            calls.setdefault(edge.group(1), set()).add(edge.group(2))

    def deepest(name, seen):
        if name in seen:  # recursion: the exported code has none; do not loop
            return 0, [name + "(recursive)"]
        best, path = 0, []
        for callee in sorted(calls.get(name, ())):
            depth, below = deepest(callee, seen | {name})
            if depth > best:
                best, path = depth, below
        return frames.get(name, (0, "outside"))[0] + best, [name] + path

    if root not in frames:
        raise SystemExit("records.py: %s is not in %s" % (root, ci_path))
    depth, path = deepest(root, frozenset())
    kinds = {frames.get(n.split("(")[0], (0, "outside"))[1] for n in path}
    return depth, path, kinds


def timings(path):
    """The harness's 'name ticks empty_ticks calls' lines, and whether it finished."""
    found, done = {}, False
    for line in open(path, errors="replace"):
        words = line.split()
        if words and words[0] in ("calibration", "quantizer", "step", "head", "lstm", "matvec"):
            found[words[0]] = [int(w) for w in words[1:]]
        elif words and words[0] in ("state_bytes", "checksum"):
            found[words[0]] = int(words[1])
        elif line.strip() == "done":
            done = True
    if not done:
        raise SystemExit("records.py: %s: the harness did not finish (no 'done' line)" % path)
    return found


def per_call(entry):
    real, empty, calls = entry[:3]
    return (real - empty) * INSTRUCTIONS_PER_TICK / calls


def calibration(found):
    real, empty, calls, expected = found["calibration"]
    measured = (real - empty) * INSTRUCTIONS_PER_TICK / calls
    return round(measured, 2), abs(measured - expected) <= CALIBRATION_TOLERANCE


def same_counts(first, second):
    return first == second


def gq_record(run1, run2, predictions, keys):
    first, second = timings(run1), timings(run2)
    lines = [l.split() for l in open(run1, errors="replace") if l.startswith("seq ")]
    expected = list(csv.DictReader(open(predictions)))[:len(lines)]
    mismatches = 0
    for row, words in zip(expected, lines):
        logits = [int(row[k]) for k in row if k.startswith("logit")]
        if int(words[2]) != int(row["predicted"]) or [int(v) for v in words[3:]] != logits:
            mismatches += 1
    mismatches += abs(len(expected) - len(lines))
    steps = first["step"][2]
    instructions = per_call(first["step"])
    macs = keys["macs_per_step"]
    measured, calibrated = calibration(first)
    record = {
        "task": keys["task"],
        "cell": keys.get("cell", "gru"),
        "features": keys["features"],
        "hidden": keys["hidden"],
        "macs_per_step": macs,
        "config": str(keys["config"]),
        "bits": keys["bits"],
        "board": keys["board"],
        "core": keys["core"],
        "opt": keys["opt"],
        "instructions_per_step": round(instructions),
        "instructions_per_mac": round(instructions / macs, 3),
        "estimated_instructions_per_step": keys.get("estimated_instructions_per_step"),
        "quantizer_instructions_per_step": round(per_call(first["quantizer"])),
        "head_instructions_per_sequence": round(per_call(first["head"])),
        "flash_bytes": keys["flash_bytes"],
        "code_bytes": keys["code_bytes"],
        "rodata_bytes": keys["rodata_bytes"],
        "gq_size": keys["gq_size"],
        "stack_bytes": keys["stack_bytes"],
        "state_bytes": first["state_bytes"],
        "input_code_type": keys["input_code_type"],
        "steps": steps,
        "sequences_checked": len(lines),
        "mismatches": mismatches,
        "deterministic": same_counts(first, second),
        "calibration_instructions": measured,
    }
    record["ok"] = mismatches == 0 and record["deterministic"] and calibrated and len(lines) > 0
    return [record]


def peer_records(run1, run2, keys):
    first, second = timings(run1), timings(run2)
    measured, calibrated = calibration(first)
    f, h = keys["features"], keys["hidden"]
    records = []
    for name, kernel, macs, note in (
            ("lstm", "arm_lstm_unidirectional_s8", 4 * h * f + 4 * h * h,
             "an int8 LSTM (4 gates), %d steps per call with the state kept; macs_per_step is the LSTM's own" %
             keys["steps_per_call"]),
            ("matvec", "arm_nn_vec_mat_mult_t_s8 x6", 3 * h * f + 3 * h * h,
             "only the six int8 matrix-vector products of one GRU step (3 of HxF, 3 of HxH), requantized to int8")):
        instructions = per_call(first[name])
        record = {
            "peer": "cmsis-nn",
            "kernel": kernel,
            "what": note,
            "task": keys["task"],
            "features": f,
            "hidden": h,
            "macs_per_step": macs,
            "board": keys["board"],
            "core": keys["core"],
            "opt": keys["opt"],
            "instructions_per_step": round(instructions),
            "instructions_per_mac": round(instructions / macs, 3),
            "cmsis_nn_commit": keys["cmsis_nn_commit"],
            "deterministic": same_counts(first, second),
            "calibration_instructions": measured,
        }
        if name == "lstm":
            # The model's constant data as CMSIS-NN takes it: per gate int8 weights (H x F, H x H)
            # and three int32 vectors (the bias and the two effective biases it expects precomputed).
            record["data_bytes"] = 4 * h * (f + h) + 3 * 4 * h * 4
            code = keys.get("lstm_code_bytes")
            record["code_bytes"] = code
            record["flash_bytes"] = None if code is None else code + record["data_bytes"]
        record["ok"] = record["deterministic"] and calibrated
        records.append(record)
    return records


METHOD = (
    "Instructions, not cycles: QEMU counts executed instructions and models no pipeline, wait states "
    "or memory timing. qemu-system-arm -M mps2-an386 (Cortex-M4) and -M mps2-an385 (Cortex-M3, no DSP) "
    "with -icount shift=0: virtual time advances 1 ns per instruction, so SysTick on the 25 MHz processor "
    "clock (LOAD = 0xFFFFFF, VAL = 0, CTRL = 5) ticks once every 40 instructions. The harness reads "
    "SYST_CVR (0xE000E018, counting down, 24-bit, wrap handled) after every call and sums the differences, "
    "over a whole run of real test sequences (reset between sequences); the same run with an empty function "
    "of the same signature is the harness's own overhead. Instructions per step = (ticks x 40 - overhead) / "
    "steps, rounded; the call itself (arguments, branch, return) is part of the overhead. The input codes are "
    "computed before the steps are timed (quantizer_instructions_per_step: net_input_codes, soft float), and "
    "the head is net_logits64 once per sequence. Each firmware runs twice and must print the same counts; a "
    "routine of exactly 400 instructions is timed the same way as a check (calibration_instructions). "
    "Predictions and logits are compared with gq's save predictions. Compiled with arm-none-eabi-gcc "
    "-mcpu=cortex-m4 (or cortex-m3) -mthumb -mfloat-abi=soft at the given -O level. CMSIS-NN peer records "
    "use pseudo-random int8 weights (fixed seed): its kernels' instruction counts depend on the shapes, "
    "hardly on the values (three seeds agree within 0.05 %).")


def report(path, keys):
    for key, value in keys.items():  # tools= and peer_source= arrive as JSON text
        if isinstance(value, str) and (value[:1] in ("{", "[") or value == "null"):
            keys[key] = json.loads(value)
    records = [json.loads(line) for line in open(path) if line.strip()]
    failed = [r for r in records if not r.pop("ok")]
    print(json.dumps({"method": METHOD, **keys, "records": records}, indent=2))
    for r in failed:
        why = []
        if r.get("mismatches"):
            why.append("%d of %d sequences differ from gq" % (r["mismatches"], r["sequences_checked"]))
        if "sequences_checked" in r and not r["sequences_checked"]:
            why.append("no sequence ran")
        if not r["deterministic"]:
            why.append("the two runs gave different counts")
        if abs(r["calibration_instructions"] - 400) > CALIBRATION_TOLERANCE:
            why.append("the 400-instruction check measured %s" % r["calibration_instructions"])
        print("mcu-bench: FAILED %s %s %s %s: %s" % (r["task"], r.get("config", r.get("kernel")), r["core"],
              r["opt"], "; ".join(why)), file=sys.stderr)
    return 1 if failed or not records else 0


def code_size(library, elf):
    """Bytes of the functions of `library` that `elf` links (arm-none-eabi-nm -S)."""
    def symbols(path, *flags):
        out = subprocess.run(["arm-none-eabi-nm", *flags, path], check=True, capture_output=True, text=True).stdout
        return [line.split() for line in out.splitlines()]
    defined = {words[-1] for words in symbols(library, "-g", "--defined-only") if len(words) == 3}
    return sum(int(words[1], 16) for words in symbols(elf, "-S")
               if len(words) == 4 and words[2] in ("T", "t") and words[3] in defined)


def main(argv):
    if argv[:1] == ["code-size"]:
        print(code_size(argv[1], argv[2]))
        return 0
    if argv[:1] == ["stack"]:
        depth, path, kinds = stack(argv[1], argv[2])
        print(depth)
        print("mcu-bench: stack of %s: %d bytes along %s (%s)" % (argv[2], depth, " -> ".join(path),
              ", ".join(sorted(kinds))), file=sys.stderr)
        return 0
    if argv[:1] == ["gq"]:
        for r in gq_record(argv[1], argv[2], argv[3], parse_keys(argv[4:])):
            print(json.dumps(r))
        return 0
    if argv[:1] == ["peer"]:
        for r in peer_records(argv[1], argv[2], parse_keys(argv[3:])):
            print(json.dumps(r))
        return 0
    if argv[:1] == ["report"]:
        return report(argv[1], parse_keys(argv[2:]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
