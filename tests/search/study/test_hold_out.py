"""The validation rows a study scores on: a held share, and at most MAX_SCORED_ROWS of each."""

from __future__ import annotations

import numpy as np
import pytest

from search.study import _create
from spaces import Task
from spaces.features import StudyData, fit_vocabulary


def study_data(n_train: int, n_val: int) -> StudyData:
    texts = [f"text {i} of class {i % 3}" for i in range(n_train + n_val)]
    y = np.arange(n_train + n_val) % 3
    vocabulary = fit_vocabulary(texts[:n_train], max_tokens=100).vocabulary
    return StudyData(vocabulary, texts[:n_train], y[:n_train], texts[n_train:], y[n_train:])


def test_past_the_cap_the_spare_validation_rows_train(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_create, "MAX_SCORED_ROWS", 12)
    data = study_data(100, 90)
    held = _create.hold_out(data, Task.MULTICLASS, seed=0)
    assert len(held.val_texts) == len(held.held_texts) == 12
    assert len(held.train_texts) == 100 + 90 - 24 == len(held.y_train)
    # Every row once, with its label; the kept ones stratified: 4 of each class.
    rows = held.train_texts + held.val_texts + held.held_texts
    assert sorted(rows) == sorted(data.train_texts + data.val_texts)
    labels = dict(zip(data.train_texts + data.val_texts,
                      np.concatenate([data.y_train, data.y_val]).tolist(), strict=True))
    assert [labels[t] for t in held.train_texts] == held.y_train.tolist()
    assert [labels[t] for t in held.held_texts] == held.y_held.tolist()
    assert np.bincount(held.y_val).tolist() == np.bincount(held.y_held).tolist() == [4, 4, 4]


def test_under_the_cap_nothing_moves() -> None:
    data = study_data(100, 90)
    held = _create.hold_out(data, Task.MULTICLASS, seed=0)
    assert held.train_texts == data.train_texts
    assert len(held.val_texts) + len(held.held_texts) == 90
