"""What stops a trial: the study's deadline, the cost cap, patience, the pruner."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # imports Keras


class FakeModel:
    stop_training = False

    def get_weights(self) -> list[np.ndarray]:
        return [np.zeros(1)]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def monitor(clock: Clock, losses: list[float], **limits: Any):
    from search.training._monitor import TrialMonitor

    scores = iter(losses)
    found = TrialMonitor(lambda: ({"val_loss": (loss := next(scores))}, np.full(2, loss)),
                         metric="val_loss", maximize=False,
                         patience=3, report=lambda epoch, metrics: False, steps_per_epoch=100,
                         clock=clock, **limits)
    found.set_model(FakeModel())
    return found


def test_the_deadline_stops_at_the_last_epoch_end_before_it_and_keeps_the_best_epoch() -> None:
    """Epochs of 10 s from 0: the one ending at 20 stops the fit, as the next would end at 30,
    past the deadline at 25."""
    clock = Clock()
    watch = monitor(clock, [2.0, 1.5, 1.7], deadline=25.0)
    watch.on_train_begin()
    for epoch, now in enumerate((10.0, 20.0)):
        clock.now = now
        watch.on_epoch_end(epoch, {"loss": 1.0})
        assert watch.model.stop_training is (now + 10.0 > 25.0)
    assert watch.cut_by_deadline and watch.best_epoch == 1 and watch.epochs_run == 2
    assert watch.best["val_loss"] == 1.5
    assert list(watch.best_probs) == [1.5, 1.5]  # the best epoch's validation probabilities


def test_a_fit_that_began_past_its_deadline_stops_at_its_first_epoch_end() -> None:
    clock = Clock()
    watch = monitor(clock, [2.0, 1.5], deadline=5.0)
    clock.now = 10.0
    watch.on_epoch_end(0, {"loss": 1.0})
    assert watch.cut_by_deadline and watch.epochs_run == 1


def test_a_trial_too_costly_for_the_budget_stops_before_its_first_epoch_ends() -> None:
    from search.training._monitor import COST_CHECK_STEPS, COST_EPOCHS

    clock = Clock()
    watch = monitor(clock, [], cost_limit_s=60.0)
    watch.on_train_batch_end(0)  # the first step traces the model: not timed
    for step in range(1, COST_CHECK_STEPS + 1):
        clock.now = step * 1.0  # 1 s a step, 100 steps an epoch: 300 s for 3 epochs
        watch.on_train_batch_end(step)
    assert watch.model.stop_training and watch.over_cost is not None
    assert f"{COST_EPOCHS} epochs would take over 60s" in watch.over_cost
    watch.on_epoch_end(0, {"loss": 1.0})  # the cut epoch is not scored
    assert watch.best is None and watch.epochs_run == 0


def test_a_cheap_trial_goes_on_and_patience_stops_it() -> None:
    clock = Clock()
    watch = monitor(clock, [1.0, 1.1, 1.2, 1.3], cost_limit_s=60.0)
    for step in range(12):
        clock.now = step * 0.01
        watch.on_train_batch_end(step)
    assert not watch.model.stop_training and watch.over_cost is None
    for epoch in range(4):
        watch.on_epoch_end(epoch, {"loss": 1.0})
    assert watch.stopped_early and watch.best_epoch == 0 and not watch.cut_by_deadline
