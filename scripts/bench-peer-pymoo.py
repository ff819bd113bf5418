#!/usr/bin/env python3
"""pymoo peer for `gq bench`: NSGA-II's own work per generation on the shape gq measures.

Population 100, 17 integer genes of values 2..8 (a GRU bit-width search), two objectives of
the same closed form as gq's SearchBenchmark (a weighted size against a weighted error), so
evaluation costs next to nothing and the time is the algorithm's: pymoo's NSGA2 with its
integer operators (random sampling, SBX and polynomial mutation rounded to integers) and
duplicate elimination, as pymoo's documentation sets up an integer problem. Keys match gq's
(`search_overhead_ms_per_generation`, `_at_10`, `_at_G`): the median over REPEATS runs of
the mean per generation, over the whole run, its first ten and its last ten generations.
pymoo is not a dependency of gq; scripts/bench runs this when scripts/pymoo-python finds it.
"""
import json
import statistics
import sys
import time

import numpy as np
import pymoo
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.callback import Callback
from pymoo.core.problem import Problem
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.operators.repair.rounding import RoundingRepair
from pymoo.operators.sampling.rnd import IntegerRandomSampling
from pymoo.optimize import minimize

QUICK = "--quick" in sys.argv
GENERATIONS = 60 if QUICK else 500
REPEATS = 2 if QUICK else 5
GENES = 17
WEIGHTS = np.array([1 + (g * 7) % 5 for g in range(GENES)], dtype=float)
ERROR_WEIGHTS = np.array([1 + g % 3 for g in range(GENES)], dtype=float)


class BitWidths(Problem):
    def __init__(self):
        super().__init__(n_var=GENES, n_obj=2, xl=2, xu=8, vtype=int)

    def _evaluate(self, x, out, *args, **kwargs):
        out["F"] = np.column_stack([x @ WEIGHTS, np.exp2(-x) @ ERROR_WEIGHTS])


class Clock(Callback):
    """The wall time of each generation (the first call is the initial population's)."""

    def __init__(self):
        super().__init__()
        self.times = []
        self.last = None

    def notify(self, algorithm):
        now = time.perf_counter()
        if self.last is not None:
            self.times.append((now - self.last) * 1000)
        self.last = now


def run(seed):
    algorithm = NSGA2(pop_size=100, sampling=IntegerRandomSampling(),
                      crossover=SBX(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
                      mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
                      eliminate_duplicates=True)
    clock = Clock()
    minimize(BitWidths(), algorithm, ("n_gen", GENERATIONS + 1), seed=seed, callback=clock, verbose=False)
    return clock.times


runs = [run(seed) for seed in range(1, REPEATS + 1)]
figures = {
    "peer": f"pymoo {pymoo.__version__}",
    "search_overhead_ms_per_generation": statistics.median(statistics.fmean(t) for t in runs),
    "search_overhead_ms_per_generation_at_10": statistics.median(statistics.fmean(t[:10]) for t in runs),
    f"search_overhead_ms_per_generation_at_{GENERATIONS}": statistics.median(statistics.fmean(t[-10:]) for t in runs),
}
print(json.dumps(figures))
