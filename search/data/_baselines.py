"""Baselines every study is measured against, on the study's own split."""

from __future__ import annotations

from typing import Any

import numpy as np

from search._errors import DataError
from search.metrics import RECORDED, evaluate
from spaces import Task


def _summary(task: Task, metrics: dict[str, Any]) -> dict[str, float]:
    return {m: round(float(metrics[m]), 5) for m in RECORDED[task] if m in metrics}


def majority_baseline(task: Task, y_train: np.ndarray, y_val: np.ndarray,
                      classes: list[str]) -> dict[str, float]:
    """Predict the training class frequencies for every row (so the majority class wins)."""
    if task is Task.MULTILABEL:
        prior = y_train.mean(axis=0)
    elif task is Task.BINARY:
        prior = np.array([y_train.mean()])
    else:
        prior = np.bincount(y_train, minlength=len(classes)) / len(y_train)
    probs = np.tile(prior, (len(y_val), 1))
    return _summary(task, evaluate(task.value, y_val, probs, classes, tune=False))


def tfidf_baseline(task: Task, train_texts: list[str], y_train: np.ndarray,
                   val_texts: list[str], y_val: np.ndarray, classes: list[str],
                   seed: int = 0) -> dict[str, float]:
    """TF-IDF of words and word pairs, then logistic regression (one-vs-rest for multi-label)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # 1.3 s: workers only
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=100_000,
                                 sublinear_tf=True)
    try:
        x_train = vectorizer.fit_transform(train_texts)
    except ValueError:  # too few documents for min_df=2, or only one-letter words
        vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
        try:
            x_train = vectorizer.fit_transform(train_texts)
        except ValueError:
            raise DataError("No training text holds a word (letters or digits), so there is "
                            "nothing to learn from. Check --text-col.") from None
    x_val = vectorizer.transform(val_texts)
    linear = LogisticRegression(max_iter=1000, C=4.0, random_state=seed)
    if task is Task.MULTILABEL:
        present = y_train.sum(axis=0) > 0
        model = OneVsRestClassifier(linear).fit(x_train, y_train[:, present])
        probs = np.zeros((len(val_texts), len(classes)))
        probs[:, present] = model.predict_proba(x_val)
    else:
        model = linear.fit(x_train, y_train)
        raw = model.predict_proba(x_val)
        if task is Task.BINARY:
            probs = raw[:, list(model.classes_).index(1)] if 1 in model.classes_ else raw[:, :1]
        else:
            probs = np.zeros((len(val_texts), len(classes)))
            probs[:, model.classes_] = raw
    return _summary(task, evaluate(task.value, y_val, probs, classes))
