"""What fitting one configuration returns (kept apart from the TensorFlow code that makes it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Called after each epoch with (epoch starting at 0, metrics); returns True to prune.
EpochReport = Callable[[int, dict[str, Any]], bool]


@dataclass
class TrainResult:
    metrics: dict[str, Any]
    best_epoch: int
    epochs_run: int
    pruned: bool = False
    stopped_early: bool = False
    cut_by_deadline: bool = False  # stopped at the first epoch end past the study's deadline
    over_cost: str | None = None  # stopped before its first epoch ended: why
    seconds: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)
    model: Any = None
    policy: str | None = None  # the dtype policy the network was built and trained under
    val_probs: Any = None  # the best epoch's validation probabilities (numpy), for ensembles
    held_probs: Any = None  # the same model's probabilities of the held rows (no choice saw them)
    logit_scale: float | None = None  # a solved linear model's logits were multiplied by it
    not_converged: str | None = None  # a solver stopped at its iteration limit: where
    failure: str | None = None  # why the trial cannot finish (a non-finite loss...)
    pruned_reason: str | None = None  # why it was pruned, when not by the study's pruner
    rows: int | None = None  # the training rows its model was fitted on, when grown by rungs
    rows_seconds: float | None = None  # how long fitting those rows took
    rows_note: str | None = None  # why it stopped growing before every training row
    row_bytes: float | None = None  # what a training row cost its fit's memory
    # of its seconds, those spent encoding training rows that the worker keeps for its later
    # trials (the first trial encodes them for all)
    shared_seconds: float = 0.0
