"""A solved trial grows by rungs of rows: a stratified subsample first, three times the rows
while it stays among the best and the next rung fits its time, up to every training row."""

from __future__ import annotations

import numpy as np
import pytest

from search.metrics import Metric
from search.training import FitSettings, _keras_fit, _rows, _solver, row_ladder
from spaces import Task
from spaces.features import stratified_order
from tests.search.training.test_solver import BAG, prepared

PARAMS = {**BAG, "solver": "svm", "linear_c": 1.0, "class_weight": "balanced"}


def test_the_ladder_triples_from_the_smallest_rung_to_every_row() -> None:
    assert row_ladder(240_000, 50) == [2963, 8889, 26667, 80000, 240000]
    assert row_ladder(15_400, 53) == [15400]  # under GROW_FROM rows: every row at once
    assert row_ladder(30_000, 6) == [3334, 10000, 30000]
    assert row_ladder(30_000, 400) == [10000, 30000]  # 20 rows a class at least


def test_every_prefix_of_the_order_holds_each_class_in_its_share() -> None:
    y = np.repeat([0, 1, 2], [600, 300, 100])
    order = stratified_order(y, seed=3)
    assert sorted(order) == list(range(1000))
    for rows in (10, 100, 333, 999):
        counts = np.bincount(y[order[:rows]], minlength=3)
        assert np.all(np.abs(counts - rows * np.array([0.6, 0.3, 0.1])) <= 1), (rows, counts)


@pytest.fixture()
def small_rungs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_rows, "GROW_FROM", 0)
    monkeypatch.setattr(_rows, "MIN_ROWS", 70)
    monkeypatch.setattr(_rows, "ROWS_PER_CLASS", 1)


@pytest.mark.slow
@pytest.mark.usefixtures("small_rungs")
def test_a_trial_among_the_best_grows_to_every_row_and_one_behind_stops() -> None:
    trainer, data, classes = prepared(Task.MULTICLASS, 5)
    asked: list[int] = []

    def promote(rows: int, value: float) -> str | None:
        asked.append(rows)
        return None

    settings = FitSettings(Task.MULTICLASS, classes, Metric.MACRO_F1, max_epochs=5, patience=2,
                           promote=promote)
    grown = trainer.fit(PARAMS, data, settings, report=lambda epoch, metrics: False)
    assert asked == [78, 234]  # every rung but the last: 700 rows are 78, 234, 700
    assert (grown.rows, grown.pruned, grown.rows_note) == (700, False, None)

    behind = FitSettings(Task.MULTICLASS, classes, Metric.MACRO_F1, max_epochs=5, patience=2,
                         promote=lambda rows, value: f"behind at {rows}")
    stopped = trainer.fit(PARAMS, data, behind, report=lambda epoch, metrics: False)
    assert (stopped.rows, stopped.pruned, stopped.pruned_reason) == (78, True, "behind at 78")
    assert stopped.held_probs is None


@pytest.mark.slow
@pytest.mark.usefixtures("small_rungs")
def test_a_trial_whose_next_rung_would_pass_its_cost_cap_is_kept_at_its_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_solver, "next_rung_seconds", lambda seconds, rows, next_rows: 500.0)
    trainer, data, classes = prepared(Task.MULTICLASS, 5)
    settings = FitSettings(Task.MULTICLASS, classes, Metric.MACRO_F1, max_epochs=5, patience=2,
                           cost_limit_s=400.0, promote=lambda rows, value: None)
    kept = trainer.fit(PARAMS, data, settings, report=lambda epoch, metrics: False)
    assert kept.rows == 78 and not kept.pruned
    assert kept.rows_note == ("kept at 78 rows: 234 would take about 500s more, over the cost "
                              "cap of 400s")
    assert kept.val_probs.shape == (len(data.data.y_val), 5)


def test_no_rung_is_larger_than_a_fit_may_hold() -> None:
    assert _rows.within_memory([78, 234, 700], 500) == [78, 234, 500]
    assert _rows.within_memory([78, 234, 700], 234) == [78, 234]
    assert _rows.within_memory([700], 50) == [50]
    assert _rows.within_memory([78, 234, 700], 10_000) == [78, 234, 700]
    # 1,450 counts and 1,350 values in the bag a row, two threads: 8 bytes a count and 52 a
    # value, 81.8 kB a row; 2 GiB hold 26,251 rows.
    assert _rows.memory_rows(_rows.solve_row_bytes(1450, 1350, 2)) == 2 * 2**30 // 81_800


@pytest.mark.slow
@pytest.mark.usefixtures("small_rungs")
def test_a_trial_whose_bag_would_not_fit_in_memory_is_kept_at_the_rows_that_do(
        monkeypatch: pytest.MonkeyPatch) -> None:
    trainer, data, classes = prepared(Task.MULTICLASS, 5)
    row_bytes = _rows.solve_row_bytes(data.counts_per_row(_rows.PROBE_ROWS),
                                      data.bag_values_per_row(PARAMS, _rows.PROBE_ROWS),
                                      _solver.solver_threads())
    # Room for 300 rows: the ladder 78, 234, 700 ends at 300.
    monkeypatch.setattr(_rows, "FIT_BYTES", 300.5 * row_bytes)
    settings = FitSettings(Task.MULTICLASS, classes, Metric.MACRO_F1, max_epochs=5, patience=2,
                           promote=lambda rows, value: None)
    kept = trainer.fit(PARAMS, data, settings, report=lambda epoch, metrics: False)
    assert kept.rows == 300 and not kept.pruned and kept.row_bytes == row_bytes
    assert kept.rows_note.startswith("kept at 300 rows: every training row would hold about ")


@pytest.mark.slow
def test_a_network_whose_rows_would_not_fit_in_memory_trains_on_the_first_that_do(
        monkeypatch: pytest.MonkeyPatch) -> None:
    trainer, data, classes = prepared(Task.MULTICLASS, 5)
    params = {"family": "ngram", "ngram_order": 1, "ngram_vocab": 500,
              "ngram_weighting": "tfidf", "chars": False, "ngram_units": 8, "ngram_l2": 1e-6,
              "dropout": 0.0, "dense_layers": 0, "learning_rate": 1e-2, "batch_size": 50,
              "class_weight": "none", "loss": "crossentropy"}
    row_bytes = _rows.network_row_bytes(data.counts_per_row(_rows.PROBE_ROWS))
    monkeypatch.setattr(_rows, "FIT_BYTES", 250.5 * row_bytes)
    seen: list[int] = []
    batches = _keras_fit.train_batches
    monkeypatch.setattr(_keras_fit, "train_batches", lambda inputs, y, *a: (
        seen.append(len(y)), batches(inputs, y, *a))[1])
    settings = FitSettings(Task.MULTICLASS, classes, Metric.MACRO_F1, max_epochs=1, patience=1)
    kept = trainer.fit(params, data, settings, report=lambda epoch, metrics: False)
    assert seen == [250] and kept.rows == 250 and kept.row_bytes == row_bytes
    assert kept.rows_note.startswith("kept at 250 rows: every training row would hold about ")
    assert kept.val_probs.shape == (len(data.data.y_val), 5)
