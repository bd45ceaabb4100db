"""Rows as a trial's budget: a family solved in one step is fitted on a stratified subsample
first, then on three times the rows while it stays among the best and its next fit fits the
time left, up to every training row (successive halving over data size). The first answer's
cost does not grow with the table; the rung sizes are the same for every trial of a study, so
their scores compare. No fit holds more training rows than fit in ``FIT_BYTES``: a solve's
rungs, and a network's rows, are cut there whatever the time.
"""

from __future__ import annotations

import math
import os

GROWTH = 3  # each rung fits this many times the rows of the one before
MIN_ROWS = 2_000  # the smallest rung, and ROWS_PER_CLASS rows a class on average at least
ROWS_PER_CLASS = 20
# Under this many training rows a trial fits every row at once: on fortunes.csv (9,740) and the
# generated 24,000-row set (15,366) rungs from 2,000 rows cost more than they saved (2 minutes:
# the 24k answer 1.3 points of macro-F1 behind the expert's model where it was level; 10
# minutes on fortunes: 14 trials where 37 finished, tests/benchmarks/bench_vs_linear.py).
GROW_FROM = 30_000
# How a solve's seconds grow with its rows, between rungs: the expert's LinearSVC took 1.6, 8.8,
# 34 and 145 s at 3k, 9k, 27k and 81k rows of the generated 300k-row, 50-class set (powers 1.55,
# 1.24, 1.31), and 13.3 and 39.7 s at 5k and 15k rows of the 24k-row, 53-class one (1.0). A rung
# that overruns is stopped after a tenth of its columns (``column_limit``), so the middle.
TIME_POWER = 1.2


def row_ladder(n_rows: int, n_classes: int) -> list[int]:
    """The rung sizes, smallest first, ending at ``n_rows``: each ``GROWTH`` times the one
    before, none under ``MIN_ROWS`` (or ``ROWS_PER_CLASS`` rows a class on average); one rung
    under ``GROW_FROM`` rows."""
    smallest = max(MIN_ROWS, ROWS_PER_CLASS * n_classes)
    ladder = [n_rows]
    if n_rows < GROW_FROM:
        return ladder
    while math.ceil(ladder[0] / GROWTH) >= smallest:
        ladder.insert(0, math.ceil(ladder[0] / GROWTH))
    return ladder


def next_rung_seconds(seconds: float, rows: int, next_rows: int) -> float:
    """About how long fitting ``next_rows`` takes, ``rows`` having taken ``seconds``."""
    return seconds * (next_rows / rows) ** TIME_POWER


# What one fit may hold for its training rows, and what a row costs it: the row's counts of
# every n-gram of the vocabularies, which the worker encodes once for every trial (8 bytes a
# stored count, with its column index), and
# - a solve, per stored value of the row's bag: the float32 bag (8 bytes), the float64 copy the
#   solver reads (12), and liblinear's own copy for each column solved at once (16 each);
# - a network, per stored count: the bag derived from the counts (8 bytes).
# On a million generated texts of 20-80 words (1,350 values a row in the expert's bag), a rung
# of 162,000 rows took the worker to 11.8 GB.
FIT_BYTES = 2 * 2**30
PROBE_ROWS = 2_000  # the first rows encoded to learn a row's cost


def solve_row_bytes(counts_per_row: float, values_per_row: float, threads: int) -> float:
    """What a solve holds for one row of ``counts_per_row`` stored counts and
    ``values_per_row`` stored values in its bag, its columns solved ``threads`` at a time."""
    return counts_per_row * 8 + values_per_row * (20 + 16 * threads)


def network_row_bytes(counts_per_row: float) -> float:
    """What a network's fit holds for one row of ``counts_per_row`` stored counts."""
    return counts_per_row * 16


def memory_rows(row_bytes: float) -> int:
    """The most rows a fit may hold (``FIT_BYTES``) at ``row_bytes`` a row."""
    return max(int(FIT_BYTES / max(row_bytes, 1e-9)), 1)


def memory_note(rows: int, row_bytes: float, n_rows: int) -> str:
    """Why a fit stops at ``rows`` of ``n_rows`` training rows, at ``row_bytes`` a row."""
    return (f"kept at {rows} rows: every training row would hold "
            f"{over_fit_bytes(row_bytes * n_rows)}")


def over_fit_bytes(held: float) -> str:
    """What a fit holding ``held`` bytes would hold, against what a fit may hold."""
    return f"about {held / 2**30:.1f} GB, over the {FIT_BYTES / 2**30:.0f} GB a fit may hold"


def within_memory(ladder: list[int], most: int) -> list[int]:
    """``ladder`` with no rung over ``most`` rows: the rungs above it give way to one of
    ``most`` rows."""
    kept = [rows for rows in ladder if rows <= most]
    if len(kept) < len(ladder) and (not kept or kept[-1] < most):
        kept.append(most)
    return kept


def solver_threads() -> int:
    """The threads a solve fits its columns on (``spaces.families``' ``solve``: one per CPU
    this process may use, up to four)."""
    return min(len(os.sched_getaffinity(0)), 4)
