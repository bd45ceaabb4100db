"""A bag network trains on dense batches where they are dense enough and small enough (much
faster there), and learns the same as on sparse ones."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from search.metrics import Metric
from search.training import FitSettings, _batches, _keras_fit
from spaces import Task
from spaces.features import TrialInputs
from tests.search.training.test_solver import prepared

MLP = {"family": "ngram", "ngram_order": 1, "ngram_vocab": 500, "ngram_weighting": "tfidf",
       "chars": False, "ngram_units": 8, "ngram_l2": 1e-6, "dropout": 0.0, "dense_layers": 0,
       "learning_rate": 1e-2, "batch_size": 50, "class_weight": "none", "loss": "crossentropy"}


def bag(rows: int, width: int, per_row: int) -> TrialInputs:
    cells = sp.random(rows, width, density=per_row / width, format="csr", random_state=0)
    return TrialInputs(bag=cells.astype("float32"))


@pytest.mark.parametrize(("width", "per_row", "batch", "dense"), [
    (28_500, 1_500, 1024, True),   # the 24,000-row set's MLP: 5% of cells, 117 MB a batch
    (28_500, 200, 1024, False),    # under 1% of cells
    (200_000, 4_000, 1024, False),  # 800 MB a batch
    (200_000, 4_000, 32, False),   # small batches, but an evaluation batch of 256 is 205 MB
    (100_000, 4_000, 32, True),    # 102 MB
])
def test_a_bag_goes_dense_when_dense_enough_and_small_enough(
        width: int, per_row: int, batch: int, dense: bool) -> None:
    assert _batches.dense_bag(bag(300, width, per_row), batch) is dense


@pytest.mark.slow
def test_a_bag_network_learns_the_same_from_dense_and_sparse_batches(
        monkeypatch: pytest.MonkeyPatch) -> None:
    trainer, data, classes = prepared(Task.MULTICLASS, 5)
    settings = FitSettings(Task.MULTICLASS, classes, Metric.MACRO_F1, max_epochs=2, patience=2)
    seen: list[bool] = []
    batches = _keras_fit.train_batches
    monkeypatch.setattr(_keras_fit, "train_batches", lambda *a: (
        seen.append(a[-1]), batches(*a))[1])
    probs = []
    for share in (0.0, 2.0):  # every bag dense, then none
        monkeypatch.setattr(_batches, "DENSE_MIN_SHARE", share)
        probs.append(trainer.fit(MLP, data, settings, report=lambda e, m: False).val_probs)
    assert seen == [True, False]
    assert probs[0].shape == (len(data.data.y_val), 5)
    np.testing.assert_allclose(probs[0], probs[1], atol=1e-5)
