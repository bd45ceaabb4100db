"""Data checks before any trial: a report of what could mislead a search."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from spaces import Task

IMBALANCE_WARN_RATIO = 10.0


def check_data(task: Task, classes: list[str], texts: list[str], labels: list[list[str]],
               train: np.ndarray, val: np.ndarray, lengths: dict[str, int],
               max_len: int) -> dict[str, Any]:
    """A report: class counts and imbalance, conflicting duplicates, train/val leakage,
    classes missing from a split, label-less multi-label rows, labels that look joined or
    differ only in case, and text lengths."""
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

    # Texts by the hash of their words (a copy of each would double the table's memory).
    by_text: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for text, labs in zip(texts, labels, strict=True):
        by_text[_words_hash(text)].add(tuple(sorted(labs)))
    conflicts = sum(1 for v in by_text.values() if len(v) > 1)
    report["conflicting_duplicates"] = conflicts
    if conflicts:
        warn(f"{conflicts} text(s) appear more than once with different labels; no model can "
             "get all of them right")

    train_texts = {_words_hash(texts[i]) for i in train}
    leaked = sum(1 for i in val if _words_hash(texts[i]) in train_texts)
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

    if len(train) < len(val):
        warn(f"the training split has only {len(train)} rows, against {len(val)} for "
             "validation: models trained on so few rows learn little. Lower --val-frac "
             "(default 0.2), or give --val-data")
    joined = joined_labels(classes)
    if joined:
        warn(joined)
    cased = case_variants(classes)
    if cased:
        warn(cased)

    report["token_length_percentiles"] = lengths
    report["max_len"] = max_len
    if lengths["max"] > max_len:
        cut = lengths["max"]
        warn(f"texts are cut at {max_len} tokens (95th percentile of training lengths; "
             f"longest has {cut}); set --max-len to change")
    return report


# Characters that often join several labels in one cell.
_JOINERS = ",;|/+"


def joined_labels(classes: list[str]) -> str | None:
    """A warning when class names look like several labels joined by a separator that was not
    split on: their parts are class names themselves, or recur across classes ('a;b', 'a;c')."""
    names = set(classes)
    for joiner in _JOINERS:
        joined = [c for c in classes if joiner in c]
        parts = [[p.strip() for p in c.split(joiner) if p.strip()] for c in joined]
        every = Counter(p for ps in parts for p in ps)
        telling = [c for c, ps in zip(joined, parts, strict=True)
                   if len(ps) > 1 and (set(ps) <= names or any(every[p] > 1 for p in ps))]
        if telling:
            shown = ", ".join(map(repr, telling[:5])) + (" ..." if len(telling) > 5 else "")
            return (f"{len(telling)} label(s) look like several labels joined by {joiner!r}: "
                    f"{shown}. If a cell may hold several labels, pass --label-sep "
                    f"{joiner!r} (and --task multilabel)")
    return None


def case_variants(classes: list[str]) -> str | None:
    """A warning when class names differ only in case ('Spam' and 'spam', or a JSON Lines
    ``true`` beside a ``"True"``): a label is the text written, so each is a class of its own."""
    by_lower: dict[str, list[str]] = defaultdict(list)
    for name in classes:
        by_lower[name.casefold()].append(name)
    groups = [sorted(names) for names in by_lower.values() if len(names) > 1]
    if not groups:
        return None
    shown = ", ".join(" and ".join(map(repr, names)) for names in sorted(groups)[:5])
    booleans = any(key in ("true", "false") for key in by_lower if len(by_lower[key]) > 1)
    return (f"{len(groups)} group(s) of labels differ only in case, so each label is a class "
            f"of its own: {shown}{' ...' if len(groups) > 5 else ''}"
            + (" (JSON Lines names the JSON values true and false 'true' and 'false', and "
               "keeps a text such as \"True\" as written)" if booleans else "")
            + ". If they mean the same, write them alike in the data")


def empty_validation(y: np.ndarray, task: Task, classes: list[str], val_frac: float) -> str:
    """Why the stratified split left no validation row, and what to do."""
    if task is not Task.MULTILABEL:
        counts = np.bincount(np.asarray(y, dtype="int64"), minlength=len(classes))
        single = [c for c, n in zip(classes, counts, strict=True) if n < 2]
        if len(single) == len(classes):
            return (f"The validation split is empty: every class has a single example "
                    f"({', '.join(single[:10])}). A stratified split puts a class in both "
                    "parts only when it has at least two rows (one to train on, one to "
                    "validate), so it cannot split these. Add examples of these classes, or "
                    "give a validation file with --val-data.")
    return (f"The validation split is empty ({len(y)} rows, --val-frac {val_frac}): too few "
            "rows to set some aside. Add rows, raise --val-frac, or give --val-data.")


def _words_hash(text: str) -> int:
    """One text's words, lower-cased, as one number: texts that differ only in case and
    spacing have the same."""
    return hash(" ".join(text.lower().split()))
