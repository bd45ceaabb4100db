"""Metric names and which way each is better. Stdlib only."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


class Metric(StrEnum):
    """A scalar a trial records on the validation split (and may optimise)."""

    VAL_LOSS = "val_loss"
    ACCURACY = "accuracy"
    HAMMING_ACCURACY = "hamming_accuracy"
    MACRO_F1 = "macro_f1"
    MICRO_F1 = "micro_f1"
    PRECISION = "precision"
    RECALL = "recall"
    F1_POSITIVE = "f1_positive"
    PR_AUC = "pr_auc"
    PR_AUC_MICRO = "pr_auc_micro"
    PR_AUC_MACRO = "pr_auc_macro"
    ALL_ZERO_ROWS = "all_zero_rows"
    POSITIVE_RATE = "positive_rate"

    @property
    def direction(self) -> Direction | None:
        """Which way is better; None for a diagnostic that is no objective (the share of rows
        predicted positive, or with no label at all)."""
        if self in (Metric.POSITIVE_RATE, Metric.ALL_ZERO_ROWS):
            return None
        return Direction.MINIMIZE if self is Metric.VAL_LOSS else Direction.MAXIMIZE


class Detail(StrEnum):
    """What an evaluation returns besides scalar metrics (recorded as trial attributes too)."""

    THRESHOLDS = "thresholds"
    PER_CLASS = "per_class"
    CONFUSION_MATRIX = "confusion_matrix"
