"""From the user's file to the labelled split: read, label, split."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search._errors import DataError
from search.data._checks import empty_validation
from search.data._labels import encode_labels
from search.data._positive import positive_last
from search.data._split import split_indices
from search.data._table import TextTable, detect_task, load_table
from search.options import DataOptions
from spaces import Task

log = logging.getLogger("hpsearch")


@dataclass
class LabelledSplit:
    """The texts and label sets (training rows, then any --val-data rows), their targets in
    output order, and which rows train and which validate. The classes are in output order:
    sorted, but a binary task's are [negative, positive] (``_positive``)."""

    texts: list[str]
    labels: list[list[str]]
    y: np.ndarray
    train: np.ndarray
    val: np.ndarray
    task: Task
    classes: list[str]


def _read(path: Path, options: DataOptions, multilabel: bool | None = None) -> TextTable:
    table = load_table(path, text_col=options.text_col, label_col=options.label_col,
                       label_sep=options.label_sep, task=options.task,
                       drop_invalid=options.drop_invalid, multilabel=multilabel)
    if table.dropped:
        log.warning("dropped %d invalid row(s) of %s (--drop-invalid)", table.dropped, path)
    return table


def load_split(path: Path, options: DataOptions) -> LabelledSplit:
    """Read the table (and ``--val-data``), detect the task, encode the targets, split them
    stratified unless a validation file was given, and make a binary task's positive class
    output 1 (after the split, which the positive class does not change)."""
    table = _read(path, options)
    texts, labels = table.texts, table.labels
    if options.val_data is not None:
        val_table = _read(options.val_data, options, multilabel=table.multilabel)
        texts, labels = texts + val_table.texts, labels + val_table.labels
    combined = TextTable(texts=texts, labels=labels, rows=np.arange(len(texts)), path=str(path),
                         multilabel=table.multilabel)
    task, classes = detect_task(combined, options.task)
    y = encode_labels(labels, task.value, classes)
    if task is Task.BINARY:
        y = y.astype("float32")
    if options.val_data is not None:
        train, val = np.arange(len(table.texts)), np.arange(len(table.texts), len(texts))
    else:
        train, val = split_indices(y, task.value, options.val_frac, options.seed)
    if len(val) == 0:
        raise DataError(empty_validation(y, task, classes, options.val_frac))
    classes, y, positive = positive_last(task, classes, y, train, options.positive_label,
                                         str(path))
    log.info("%s task, %d classes, %d training and %d validation rows",
             task.value, len(classes), len(train), len(val))
    if positive:
        log.info("%s", positive)
    return LabelledSplit(texts, labels, y, train, val, task, classes)
