"""Baselines every study is measured against, on the study's own split."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from search.metrics._evaluate import evaluate
from spaces import Task

SUMMARY_KEYS = ("val_loss", "accuracy", "macro_f1", "precision", "recall", "pr_auc",
                "pr_auc_micro", "pr_auc_macro", "all_zero_rows", "positive_rate")


def _summary(metrics: dict[str, Any]) -> dict[str, float]:
    return {k: round(float(metrics[k]), 5) for k in SUMMARY_KEYS if k in metrics}


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
    return _summary(evaluate(task.value, y_val, probs, classes, tune=False))


def tfidf_baseline(task: Task, train_texts: list[str], y_train: np.ndarray,
                   val_texts: list[str], y_val: np.ndarray, classes: list[str],
                   seed: int = 0) -> dict[str, float]:
    """TF-IDF of words and word pairs, then logistic regression (one-vs-rest for multi-label)."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=100_000,
                                 sublinear_tf=True)
    try:
        x_train = vectorizer.fit_transform(train_texts)
    except ValueError:  # too few documents for min_df=2
        vectorizer = TfidfVectorizer(sublinear_tf=True)
        x_train = vectorizer.fit_transform(train_texts)
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
    return _summary(evaluate(task.value, y_val, probs, classes))
