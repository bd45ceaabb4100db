"""A linear trial is solved to the optimum: its validation metrics are what scikit-learn's own
LinearSVC and logistic regression reach on the same features, class weights included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score
from sklearn.svm import LinearSVC

from search.data import encode_labels, label_sets, sample_frame
from search.metrics import Metric
from search.training import FitSettings, tensorflow_trainer
from spaces import Task
from spaces.families import REGISTRY
from spaces.features import StudyData, bag, fit_vocabulary

BAG = {"family": "linear", "ngram_order": 2, "ngram_vocab": 3000, "ngram_weighting": "tfidf",
       "chars": True, "char_orders": "2-5", "char_vocab": 3000}


def prepared(task: Task, classes: int) -> tuple[Any, Any, list[str]]:
    frame = sample_frame(task, rows=900, classes=classes, seed=4, imbalance=6.0, signal=0.12)
    names = sorted({c for s in label_sets(frame["label"].tolist(), "|") for c in s})
    texts = frame["text"].tolist()
    y = encode_labels(label_sets(frame["label"].tolist(), "|"), task.value, names)
    vocabulary = fit_vocabulary(texts[:700], max_tokens=2000).vocabulary
    trainer = tensorflow_trainer()
    trainer.configure_devices()
    data = StudyData(vocabulary, texts[:700], y[:700], texts[700:], y[700:])
    return trainer, trainer.prepare(data), names


@pytest.mark.slow
@pytest.mark.parametrize(("task", "solver", "c", "weight"), [
    (Task.MULTICLASS, "svm", 0.5, "balanced"), (Task.MULTICLASS, "svm", 2.0, "none"),
    (Task.BINARY, "logreg", 5.0, "balanced"), (Task.BINARY, "svm", 0.3, "none")])
def test_a_linear_trial_scores_what_scikit_learn_reaches(task: Task, solver: str, c: float,
                                                         weight: str) -> None:
    trainer, data, classes = prepared(task, 5 if task is Task.MULTICLASS else 2)
    params = {**BAG, "solver": solver, "linear_c": c, "class_weight": weight}
    metric = Metric.MACRO_F1 if task is Task.MULTICLASS else Metric.PR_AUC
    settings = FitSettings(task, classes, metric, max_epochs=5, patience=2)
    result = trainer.fit(params, data, settings, report=lambda epoch, metrics: False)
    setting = REGISTRY["linear"].bag(params)
    x_train = bag(data.train, data.vocabulary, setting)
    x_val = bag(data.val, data.vocabulary, setting)
    weights = None if weight == "none" else "balanced"
    model = (LinearSVC(C=c, class_weight=weights) if solver == "svm" else
             LogisticRegression(C=c, class_weight=weights, solver="liblinear"))
    model.fit(x_train, data.data.y_train)
    y_val = data.data.y_val
    if task is Task.MULTICLASS:
        theirs = f1_score(y_val, model.predict(x_val), average="macro")
        # The scale changed no decision: the argmax of the kept probabilities is the solver's.
        assert np.array_equal(result.val_probs.argmax(axis=1), model.predict(x_val))
    else:
        theirs = average_precision_score(y_val, model.decision_function(x_val))
    assert result.epochs_run == 1 and result.logit_scale > 0
    assert abs(result.metrics[metric] - theirs) <= 0.005, (result.metrics[metric], theirs)


def _bag_problem() -> tuple[Any, np.ndarray]:
    frame = sample_frame(Task.MULTICLASS, rows=600, classes=6, seed=2, signal=0.12)
    texts = frame["text"].tolist()
    names = sorted(set(frame["label"]))
    y = np.array([names.index(v) for v in frame["label"]])
    vocabulary = fit_vocabulary(texts, max_tokens=2000).vocabulary
    from spaces.features import encode

    x = bag(encode(texts, vocabulary), vocabulary, REGISTRY["linear"].bag(
        {**BAG, "solver": "svm", "linear_c": 1.0, "class_weight": "none"}))
    return x, np.eye(len(names), dtype="float32")[y]


@pytest.mark.slow
def test_columns_solved_in_parallel_equal_those_solved_one_by_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from spaces.families import solve

    x, targets = _bag_problem()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    serial = solve(x, targets, None, None, solver="svm", c=1.0, seed=0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    parallel = solve(x, targets, None, None, solver="svm", c=1.0, seed=0)
    # Not to 1e-6: liblinear draws its coordinate order from one random generator for the
    # whole process, so columns solved side by side draw in another order, and stop at another
    # point within the solver's tolerance (1e-4): 8e-6 apart at most, measured here.
    np.testing.assert_allclose(parallel[0], serial[0], atol=5e-5)
    np.testing.assert_allclose(parallel[1], serial[1], atol=5e-5)
    assert np.array_equal((x @ parallel[0]).argmax(axis=1), (x @ serial[0]).argmax(axis=1))
    assert serial[2] == parallel[2] == 0  # every column converged
    # Solved in a shuffled order, each column is back in its place.
    from sklearn.svm import LinearSVC

    for column in (0, targets.shape[1] - 1):
        alone = LinearSVC(C=1.0, random_state=0).fit(x, targets[:, column])
        np.testing.assert_allclose(serial[0][:, column], alone.coef_[0], atol=5e-5)


@pytest.mark.slow
def test_a_solve_told_to_stop_starts_no_further_column(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from spaces.families import solve

    x, targets = _bag_problem()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    asked = []

    def stop(done: int) -> Exception | None:
        asked.append(done)
        return RuntimeError("past the deadline") if done >= 2 else None

    with pytest.raises(RuntimeError, match="past the deadline"):
        solve(x, targets, None, None, solver="svm", c=1.0, seed=0, stop=stop)
    assert asked == [0, 1, 2]  # one thread: two columns fitted, the third never started


def test_the_column_limit_stops_a_solve_past_the_deadline_or_over_the_cost_cap() -> None:
    import time

    from search.training._solver import column_limit

    now = time.monotonic()
    late = FitSettings(Task.MULTICLASS, ["a", "b"], Metric.MACRO_F1, 5, 2, deadline=now - 1)
    assert str(column_limit(late, 10, 2, now)(3)) == "stopped by the deadline after 3 of 10 columns"
    costly = FitSettings(Task.MULTICLASS, ["a", "b"], Metric.MACRO_F1, 5, 2, cost_limit_s=20.0)
    stop = column_limit(costly, 10, 2, now - 10.0)  # 2 columns in 10 s: 50 s for all ten
    assert stop(1) is None  # the first round of columns always runs
    assert str(stop(2)).startswith("too costly: 10 columns would take about 50s, over 1.5 "
                                   "times the cost cap of 20s")
    # 50 s is over a 40-s cap, but within 1.5 times it: a solve halfway is not cut for that.
    roomy = FitSettings(Task.MULTICLASS, ["a", "b"], Metric.MACRO_F1, 5, 2, cost_limit_s=40.0,
                        deadline=now + 100)
    assert column_limit(roomy, 10, 2, now - 10.0)(2) is None


def test_the_first_trial_counts_the_training_rows_it_encodes_for_every_later_one() -> None:
    """The first trial encodes the training rows, which the worker keeps: those seconds are
    its ``shared_seconds``, and a later trial, of another bag too, spends none."""
    trainer, data, classes = prepared(Task.MULTICLASS, 5)
    settings = FitSettings(Task.MULTICLASS, classes, Metric.MACRO_F1, max_epochs=5, patience=2)
    params = {**BAG, "solver": "svm", "linear_c": 1.0, "class_weight": "none"}
    first = trainer.fit(params, data, settings, report=lambda epoch, metrics: False)
    assert 0 < first.shared_seconds == pytest.approx(data.train_encode_seconds)
    assert first.shared_seconds < first.seconds
    words = {**params, "chars": False, "linear_c": 0.3}
    later = trainer.fit(words, data, settings, report=lambda epoch, metrics: False)
    assert later.shared_seconds == 0.0
