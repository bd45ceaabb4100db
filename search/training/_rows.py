"""Rows as a trial's budget: a family solved in one step is fitted on a stratified subsample
first, then on three times the rows while it stays among the best and its next fit fits the
time left, up to every training row (successive halving over data size). The first answer's
cost does not grow with the table; the rung sizes are the same for every trial of a study, so
their scores compare.
"""

from __future__ import annotations

import math

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
