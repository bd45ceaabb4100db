"""Greedy ensemble selection with replacement (Caruana, Niculescu-Mizil, Crew and Ksikes,
"Ensemble selection from libraries of models", ICML 2004): start from the best model, then add,
again and again, the model (one already in or not) whose addition makes the averaged validation
probabilities score best; the weights are how often each was added. Numpy only."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ROUNDS = 30
PATIENCE = 6  # rounds without a better score before stopping


@dataclass(frozen=True)
class Selection:
    """The members (trial numbers) and their weights (summing to 1), and the score of their
    averaged probabilities."""

    weights: dict[int, float]
    score: float


def select(probs: dict[int, np.ndarray], score: Callable[[np.ndarray], float],
           maximize: bool, rounds: int = ROUNDS, stop_at: float | None = None) -> Selection:
    """The best ensemble of ``probs`` (each model's validation probabilities, by trial number)
    under ``score`` (of averaged probabilities); no round starts past ``stop_at``
    (``time.monotonic()``)."""
    if not probs:
        raise ValueError("ensemble selection needs at least one model's probabilities")
    sign = 1.0 if maximize else -1.0
    numbers = sorted(probs)
    counts = dict.fromkeys(numbers, 0)
    total = np.zeros_like(next(iter(probs.values())), dtype="float64")
    best_counts, best_score, since = dict(counts), -np.inf, 0
    for size in range(1, rounds + 1):
        if stop_at is not None and size > 1 and time.monotonic() >= stop_at:
            break
        scored = [(sign * score((total + probs[n]) / size), n) for n in numbers]
        value, chosen = max(scored, key=lambda s: (s[0], -s[1]))
        counts[chosen] += 1
        total += probs[chosen]
        if value > best_score + 1e-12:
            best_counts, best_score, since = dict(counts), value, 0
        else:
            since += 1
            if since >= PATIENCE:
                break
    size = sum(best_counts.values())
    return Selection({n: c / size for n, c in best_counts.items() if c},
                     float(sign * best_score))
