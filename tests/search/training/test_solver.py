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
