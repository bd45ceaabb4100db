"""Scores on the rows held out of every choice, with how much they could move: a percentile
bootstrap of the rows for one model's interval, and a paired one (the same resampled rows for
both) for the gain of one model over another. A score measured on the rows that chose a model
is a score for choosing (Caruana et al. 2004); these are the estimates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from search.metrics._evaluate import evaluate
from search.metrics._names import Direction, Metric

ROUNDS = 200  # bootstrap resamples: the interval's ends move by about 0.002 from run to run
LEVEL = 0.9  # two-sided: a gain counts when the 5th percentile of its resamples is above 0


@dataclass(frozen=True)
class Interval:
    """A score (or a gain) and the ends of its ``LEVEL`` bootstrap interval."""

    value: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


def _score(task: str, y: np.ndarray, probs: np.ndarray, classes: list[str], metric: str,
           thresholds: Any) -> float:
    return float(evaluate(task, y, probs, classes, thresholds=thresholds, tune=False)[metric])


def _rows(n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, n) for _ in range(ROUNDS)]


def _ends(values: list[float], value: float) -> Interval:
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return Interval(value, float(low), float(high))


def held_interval(task: str, y: np.ndarray, probs: np.ndarray, classes: list[str],
                  metric: str, thresholds: Any = None, seed: int = 0) -> Interval:
    """``metric`` of ``probs`` on the held rows ``y`` (``thresholds`` chosen elsewhere; 0.5
    when None), with its bootstrap interval."""
    value = _score(task, y, probs, classes, metric, thresholds)
    return _ends([_score(task, y[r], probs[r], classes, metric, thresholds)
                  for r in _rows(len(y), seed)], value)


def paired_gain(task: str, y: np.ndarray, probs: np.ndarray, thresholds: Any,
                other: np.ndarray, other_thresholds: Any, classes: list[str], metric: str,
                seed: int = 0) -> Interval:
    """How much better ``probs`` scores than ``other`` on ``metric`` (positive: better, in the
    metric's direction), on the same held rows and on each resample of them."""
    sign = 1.0 if Metric(metric).direction is Direction.MAXIMIZE else -1.0

    def gain(rows: np.ndarray | slice) -> float:
        return sign * (_score(task, y[rows], probs[rows], classes, metric, thresholds)
                       - _score(task, y[rows], other[rows], classes, metric, other_thresholds))

    return _ends([gain(r) for r in _rows(len(y), seed)], gain(slice(None)))
