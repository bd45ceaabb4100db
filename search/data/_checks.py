"""Data checks before any trial: a report of what could mislead a search."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from spaces import Task

IMBALANCE_WARN_RATIO = 10.0


def check_data(task: Task, classes: list[str], texts: list[str], labels: list[list[str]],
               train: np.ndarray, val: np.ndarray, lengths: dict[str, int],
               max_len: int) -> dict[str, Any]:
    """A report: class counts and imbalance, conflicting duplicates, train/val leakage,
    classes missing from a split, label-less multi-label rows, and text lengths."""
    report: dict[str, Any] = {"rows": len(texts), "train_rows": len(train),
                              "val_rows": len(val), "warnings": []}
    warn = report["warnings"].append

    counts = {c: 0 for c in classes}
    for labs in labels:
        for label in labs:
            counts[label] += 1
    report["class_counts"] = counts
    present = [n for n in counts.values() if n > 0]
    ratio = max(present) / min(present)
    report["imbalance_ratio"] = round(ratio, 2)
    if ratio >= IMBALANCE_WARN_RATIO:
        warn(f"extreme imbalance: the largest class has {ratio:.1f}x the rows of the smallest; "
             "class weights are searched (class_weight) and macro-F1 is recorded")

    if task is Task.MULTILABEL:
        empty = sum(1 for labs in labels if not labs)
        report["rows_without_label"] = empty
        report["mean_labels_per_row"] = round(float(np.mean([len(s) for s in labels])), 3)
        if empty:
            warn(f"{empty} row(s) ({empty / len(labels):.0%}) carry no label (all-zero targets); "
                 "positive weights are searched so the model does not learn to predict none")

    by_text: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for text, labs in zip(texts, labels, strict=True):
        by_text[" ".join(text.lower().split())].add(tuple(sorted(labs)))
    conflicts = sum(1 for v in by_text.values() if len(v) > 1)
    report["conflicting_duplicates"] = conflicts
    if conflicts:
        warn(f"{conflicts} text(s) appear more than once with different labels; no model can "
             "get all of them right")

    train_texts = {" ".join(texts[i].lower().split()) for i in train}
    leaked = sum(1 for i in val if " ".join(texts[i].lower().split()) in train_texts)
    report["val_rows_also_in_train"] = leaked
    if leaked:
        warn(f"{leaked} validation text(s) ({leaked / max(len(val), 1):.1%}) also appear in "
             "training (duplicates in the data): validation scores are optimistic")

    in_train = {lab for i in train for lab in labels[i]}
    in_val = {lab for i in val for lab in labels[i]}
    missing = sorted(set(c for c in classes if counts[c] > 0) - (in_train & in_val))
    report["classes_not_in_both_splits"] = missing
    if missing:
        warn(f"{len(missing)} class(es) too rare to appear in both splits: "
             f"{', '.join(missing[:20])}{' ...' if len(missing) > 20 else ''}")

    report["token_length_percentiles"] = lengths
    report["max_len"] = max_len
    if lengths["max"] > max_len:
        cut = lengths["max"]
        warn(f"texts are cut at {max_len} tokens (95th percentile of training lengths; "
             f"longest has {cut}); set --max-len to change")
    return report
