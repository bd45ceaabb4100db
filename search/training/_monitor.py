"""What watches a trial while it trains: validation after each epoch, pruning, patience,
the study's deadline, and the cost cap."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from search.training._protocol import COST_EPOCHS
from search.training._result import EpochReport

# The cost cap is checked on this many training steps after the first (which traces the model).
COST_CHECK_STEPS = 10
# A trial may take at most its cost limit for this many epochs.


class TrialMonitor(keras.callbacks.Callback):
    """Scores the validation split after each epoch (``evaluate_fn``: its metrics and
    probabilities) and keeps the best weights and probabilities. Stops the
    fit when the pruner says so, after ``patience`` epochs without improvement, on a
    non-finite loss, at the last epoch end before ``deadline`` (on ``clock``: the next epoch,
    as long as the one that ended, would pass it), and, after a few steps, when
    ``COST_EPOCHS`` epochs would take longer than ``cost_limit_s``."""

    def __init__(self, evaluate_fn: Callable[[], tuple[dict[str, Any], np.ndarray]], *,
                 metric: str,
                 maximize: bool, patience: int, report: EpochReport,
                 steps_per_epoch: int, deadline: float | None = None,
                 cost_limit_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.evaluate_fn = evaluate_fn
        self.metric, self.sign = metric, (-1.0 if maximize else 1.0)
        self.patience, self.report = patience, report
        self.steps_per_epoch, self.deadline = steps_per_epoch, deadline
        self.cost_limit_s, self.clock = cost_limit_s, clock
        self.best: dict[str, Any] | None = None
        self.best_epoch = -1
        self.best_weights: list[np.ndarray] | None = None
        self.best_probs: np.ndarray | None = None  # validation probabilities of the best epoch
        self.history: list[dict[str, float]] = []
        self.pruned = self.stopped_early = self.cut_by_deadline = False
        self.failure: str | None = None
        self.over_cost: str | None = None
        self.epochs_run = 0
        self._started: float | None = None
        self._steps = 0
        self._last_end: float | None = None  # when the last epoch (or the fit's start) ended

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._last_end = self.clock()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.cost_limit_s is None or self.epochs_run > 0:
            return
        if self._started is None:
            self._started = self.clock()
            return
        self._steps += 1
        if self._steps == COST_CHECK_STEPS:
            per_epoch = (self.clock() - self._started) / self._steps * self.steps_per_epoch
            if per_epoch * COST_EPOCHS > self.cost_limit_s:
                self.over_cost = (
                    f"over the cost cap: about {per_epoch:.0f}s per epoch, so {COST_EPOCHS} "
                    f"epochs would take over {self.cost_limit_s:.0f}s")
                self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.over_cost:
            return
        self.epochs_run = epoch + 1
        train_loss = float((logs or {}).get("loss", float("nan")))
        if not math.isfinite(train_loss):
            self._fail(f"training loss became {train_loss} at epoch {epoch + 1}")
            return
        metrics, probs = self.evaluate_fn()
        value = float(metrics[self.metric])
        if not math.isfinite(value):
            self._fail(f"validation {self.metric} became {value} at epoch {epoch + 1}")
            return
        self.history.append({"epoch": epoch + 1, "loss": train_loss,
                             **{k: float(v) for k, v in metrics.items()
                                if isinstance(v, float)}})
        if self.best is None or self.sign * value < self.sign * float(self.best[self.metric]):
            self.best, self.best_epoch, self.best_probs = metrics, epoch, probs
            self.best_weights = self.model.get_weights()
        if self.report(epoch, metrics):
            self.pruned = True
        elif epoch - self.best_epoch >= self.patience:
            self.stopped_early = True
        elif self.deadline is not None and self._next_passes_deadline():
            self.cut_by_deadline = True
        self.model.stop_training = self.pruned or self.stopped_early or self.cut_by_deadline

    def _next_passes_deadline(self) -> bool:
        """Whether the deadline has passed, or an epoch as long as the last would pass it."""
        assert self.deadline is not None
        now, last = self.clock(), self._last_end
        self._last_end = now
        return now >= self.deadline or (last is not None and 2 * now - last > self.deadline)

    def _fail(self, reason: str) -> None:
        self.failure = reason
        self.model.stop_training = True
