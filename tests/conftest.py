"""Shared fixtures: one storage fixture run against SQLite and (when TEST_DB_URL is set)
PostgreSQL, generated data, and a scripted trainer that replays loss curves without TF."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from search.data._sample import write_sample
from search.training import FitSettings
from spaces import Task
from tests.scripted_trainer import SCORES, NoTensorFlow

STORAGE_MODES = ["sqlite", "postgres"]


@pytest.fixture(params=STORAGE_MODES)
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A storage URL for each backend; PostgreSQL cases skip without TEST_DB_URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'studies.db'}"
    url = os.environ.get("TEST_DB_URL")
    if not url:
        pytest.skip("TEST_DB_URL is not set (make test starts PostgreSQL and sets it)")
    return url


@pytest.fixture
def keep_hpsearch_logging() -> Iterator[None]:
    """The in-process CLI points the hpsearch logger at its own (then closed) stream; this
    puts the logger back as it was after the test."""
    logger = logging.getLogger("hpsearch")
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'studies.db'}"


@pytest.fixture
def study_name() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def multiclass_csv(tmp_path: Path) -> Path:
    return write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=600, classes=4, seed=1)


class ScriptedTrainer(NoTensorFlow):
    """Stands in for ``search.training._trainer``: each trial replays a loss curve chosen by its
    learning rate (lower lr: better curve), so pruning and bookkeeping are tested without TF."""

    def __init__(self, fail_on: set[int] | None = None):
        self.fail_on = fail_on or set()
        self.calls = 0

    def fit(self, params: dict[str, Any], prepared: Any, settings: FitSettings, *,
            report: Any, datasets: Any) -> Any:
        max_epochs = settings.max_epochs
        from search._errors import TrialFailed
        from search.training._result import TrainResult

        call = self.calls
        self.calls += 1
        if call in self.fail_on:
            raise TrialFailed("training loss became nan at epoch 1")
        floor = float(np.log10(params["learning_rate"]) + 5)  # 1 (lr 1e-4) .. 3 (lr 1e-2)
        best: dict[str, Any] | None = None
        for epoch in range(max_epochs):
            loss = floor + 1.0 / (epoch + 1)
            metrics = {"val_loss": loss, **{name: 1 / loss for name in SCORES}}
            if best is None or loss < best["val_loss"]:
                best, best_epoch = metrics, epoch
            if report(epoch, metrics):
                return TrainResult(best, best_epoch, epoch + 1, pruned=True)
        assert best is not None
        return TrainResult(best, best_epoch, max_epochs)
