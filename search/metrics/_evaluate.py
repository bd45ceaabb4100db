"""Validation metrics and decision thresholds. Numpy and scikit-learn only, and each task's
scorer self-contained: the exported script prints the source of the functions its task uses
(``SCRIPT_FUNCTIONS``), so the keys are plain strings; they are the values of ``Metric`` and
``Detail`` (tests/test_metrics.py checks that every recorded metric is here).

Losses here are the plain (unweighted) cross-entropy, so trials with different class-weight
schemes or losses are compared on one scale.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_recall_fscore_support,
)

EPS = 1e-7


def best_f1_threshold(y, p):
    """The threshold on ``p`` that maximises F1 for the 0/1 targets ``y`` (0.5 if y has no
    positives)."""
    if y.sum() == 0 or y.sum() == len(y):
        return 0.5
    precision, recall, thresholds = precision_recall_curve(y, p)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-7)
    return float(thresholds[int(np.argmax(f1))])


def tune_thresholds(task, y, probs):
    """Per-label F1-optimal thresholds for binary (one) and multi-label (one per label)."""
    if task == "multiclass":
        return None
    y = np.asarray(y).reshape(len(y), -1)
    probs = np.asarray(probs).reshape(len(probs), -1)
    return [best_f1_threshold(y[:, j], probs[:, j]) for j in range(y.shape[1])]


def predict_labels(task, probs, thresholds=None):
    """Hard predictions: argmax for multi-class, probability >= threshold otherwise."""
    probs = np.asarray(probs)
    if task == "multiclass":
        return probs.argmax(axis=1)
    probs = probs.reshape(len(probs), -1)
    t = np.asarray(thresholds if thresholds is not None else [0.5] * probs.shape[1])
    pred = (probs >= t).astype(int)
    return pred[:, 0] if task == "binary" else pred


def class_probabilities(task, probs):
    """One column per class of labels.json, in its order. A binary model has one output, the
    probability of the second (positive) class; its columns here are 1 - p and p."""
    probs = np.asarray(probs, dtype="float64")
    if task == "binary":
        positive = probs.reshape(len(probs), -1)[:, 0]
        return np.stack([1.0 - positive, positive], axis=1)
    return probs


def label_names(task, predicted, classes):
    """Each row's class name (single-label), or the list of its label names (multi-label),
    from ``predict_labels``'s output."""
    if task == "multilabel":
        return [[classes[j] for j in np.flatnonzero(row)] for row in predicted]
    return [classes[int(i)] for i in predicted]


def evaluate(task, y, probs, classes, thresholds=None, tune=True):
    """Metrics of ``probs`` against ``y``. For binary and multi-label, thresholds are tuned on
    these rows for F1 unless given (or ``tune`` is False, then 0.5)."""
    probs = np.clip(np.asarray(probs, dtype="float64"), EPS, 1 - EPS)
    if task == "multiclass":
        return multiclass_scores(np.asarray(y).astype(int), probs, classes)
    y2 = np.asarray(y).reshape(len(y), -1).astype(int)
    p2 = probs.reshape(len(probs), -1)
    if thresholds is None:
        thresholds = tune_thresholds(task, y2, p2) if tune else [0.5] * p2.shape[1]
    scores = binary_scores if task == "binary" else multilabel_scores
    return scores(y2, p2, classes, [float(t) for t in thresholds])


def multiclass_scores(y, probs, classes):
    """Plain (unweighted) cross-entropy, accuracy and macro-F1 of the argmax, per class."""
    pred = probs.argmax(axis=1)
    labels = list(range(len(classes)))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    return {
        "val_loss": float(-np.mean(np.log(probs[np.arange(len(y)), y]))),
        "accuracy": float(np.mean(pred == y)),
        "macro_f1": float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
        "per_class": per_class(classes, p, r, f, s),
        "confusion_matrix": confusion_matrix(y, pred, labels=labels).tolist(),
    }


def binary_scores(y2, p2, classes, thresholds):
    """Cross-entropy, and at the threshold: F1 of the positive class, precision, recall; and
    PR-AUC. ``y2``, ``p2``: one column."""
    pred2 = (p2 >= np.asarray(thresholds)).astype(int)
    y1, pred1 = y2[:, 0], pred2[:, 0]
    p, r, f, s = precision_recall_fscore_support(y1, pred1, labels=[0, 1], zero_division=0)
    return {
        "val_loss": float(-np.mean(y2 * np.log(p2) + (1 - y2) * np.log(1 - p2))),
        "accuracy": float(np.mean(pred1 == y1)),
        "macro_f1": float(np.mean(f)),
        "precision": float(p[1]),
        "recall": float(r[1]),
        "f1_positive": float(f[1]),
        "pr_auc": float(average_precision_score(y1, p2[:, 0])) if y1.any() else 0.0,
        "positive_rate": float(pred1.mean()),
        "per_class": per_class(classes, p, r, f, s),
        "confusion_matrix": confusion_matrix(y1, pred1, labels=[0, 1]).tolist(),
        "thresholds": thresholds,
    }


def multilabel_scores(y2, p2, classes, thresholds):
    """Cross-entropy, and at each label's threshold: micro- and macro-F1, the share of rows
    predicted with no label; PR-AUC micro and macro."""
    pred2 = (p2 >= np.asarray(thresholds)).astype(int)
    p, r, f, s = precision_recall_fscore_support(y2, pred2, zero_division=0)
    present = y2.sum(axis=0) > 0
    micro = precision_recall_fscore_support(y2, pred2, average="micro", zero_division=0)
    return {
        "val_loss": float(-np.mean(y2 * np.log(p2) + (1 - y2) * np.log(1 - p2))),
        "accuracy": float(np.mean((pred2 == y2).all(axis=1))),
        "hamming_accuracy": float(np.mean(pred2 == y2)),
        "macro_f1": float(np.mean(f[present])) if present.any() else 0.0,
        "micro_f1": float(micro[2]),
        "precision": float(micro[0]),
        "recall": float(micro[1]),
        "pr_auc_micro": float(average_precision_score(y2, p2, average="micro")),
        "pr_auc_macro": float(average_precision_score(y2[:, present], p2[:, present],
                                                      average="macro")),
        "all_zero_rows": float(np.mean(pred2.sum(axis=1) == 0)),
        "per_class": per_class(classes, p, r, f, s),
        "thresholds": thresholds,
    }


def per_class(classes, p, r, f, s):
    return {str(c): {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                     "support": int(s[i])} for i, c in enumerate(classes)}


# What the exported script of each task prints of this module, to score its model as the trial
# was scored; and what the prediction script beside an exported model prints, to label texts as
# ``hpsearch predict`` does.
SCRIPT_FUNCTIONS = {
    "multiclass": (per_class, multiclass_scores),
    "binary": (per_class, best_f1_threshold, tune_thresholds, binary_scores),
    "multilabel": (per_class, best_f1_threshold, tune_thresholds, multilabel_scores),
}
PREDICT_FUNCTIONS = (predict_labels, class_probabilities, label_names)
