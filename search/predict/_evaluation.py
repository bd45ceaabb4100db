"""``hpsearch evaluate``: a kept model scored on labelled rows with the study's own metric
definitions (``search.metrics.evaluate``) at the thresholds of labels.json, never thresholds
tuned on the rows scored: the headline metrics, per-class precision, recall and F1, the
confusions of a multi-class model, and the rows a multi-label model gives no label."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from search._errors import DataError
from search.data import encode_labels, load_table
from search.metrics import HEADLINE, RECORDED, Detail, evaluate
from search.options import DataOptions, PredictOptions, refuse_unknown
from search.predict._classifier import (
    TextClassifier,
    load_model,
    model_folder,
    read_labels,
)
from spaces import Task

MOST_CONFUSED = 10  # the confusions a multi-class evaluation lists


@dataclass(frozen=True)
class ModelEvaluation:
    """A model's metrics on the rows of a labelled file, as a study measures a trial."""

    model: str
    data: str
    task: Task
    classes: list[str]
    thresholds: list[float] | None
    rows: int
    dropped: int
    metrics: dict[str, float]
    per_class: dict[str, dict[str, Any]]
    confusion_matrix: list[list[int]] | None

    def most_confused(self, limit: int = MOST_CONFUSED) -> list[tuple[str, str, int]]:
        """(true class, predicted class, rows) of the largest off-diagonal cells of the
        confusion matrix, most rows first; none for a multi-label model."""
        if self.confusion_matrix is None:
            return []
        matrix = np.asarray(self.confusion_matrix)
        names = self.classes
        cells = [(names[i], names[j], int(matrix[i, j])) for i in range(len(names))
                 for j in range(len(names)) if i != j and matrix[i, j] > 0]
        return sorted(cells, key=lambda cell: -cell[2])[:limit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "data": self.data, "task": self.task.value,
            "classes": self.classes, "thresholds": self.thresholds, "rows": self.rows,
            "dropped": self.dropped, "metrics": self.metrics, "per_class": self.per_class,
            "confusion_matrix": self.confusion_matrix,
            "most_confused": [{"true": t, "predicted": p, "rows": n}
                              for t, p, n in self.most_confused()],
        }

    def heading(self) -> str:
        """One line: which model, on which rows, deciding how."""
        decides = ("argmax" if self.thresholds is None
                   else "thresholds " + ", ".join(f"{t:.3g}" for t in self.thresholds[:10])
                   + (" ..." if len(self.thresholds) > 10 else ""))
        skipped = f", {self.dropped} skipped (--drop-invalid)" if self.dropped else ""
        return (f"{self.model} on {self.data}: {self.rows} rows{skipped}; {self.task.value}, "
                f"{len(self.classes)} classes, {decides} (labels.json)")

    def tables(self) -> list[Table]:
        """For the terminal: the metrics (headline ones first), per class, and for multi-class
        the most confused pairs."""
        headline = [m.value for m in HEADLINE[self.task]]
        metrics = Table(title="Metrics (* headline)")
        metrics.add_column("metric")
        metrics.add_column("value", justify="right")
        for name in sorted(self.metrics, key=lambda m: m not in headline):  # stable
            metrics.add_row(name + (" *" if name in headline else ""),
                            f"{self.metrics[name]:.4f}")
        classes = Table(title="Per " + ("label" if self.task is Task.MULTILABEL else "class"))
        for column in ("class", "precision", "recall", "F1", "rows"):
            classes.add_column(column, justify="left" if column == "class" else "right")
        for name, found in self.per_class.items():
            classes.add_row(name, f"{found['precision']:.3f}", f"{found['recall']:.3f}",
                            f"{found['f1']:.3f}", str(found["support"]))
        shown = [metrics, classes]
        confused = self.most_confused()
        if self.task is Task.MULTICLASS and confused:
            pairs = Table(title="Most confused (true -> predicted)")
            for column in ("true", "predicted", "rows"):
                pairs.add_column(column, justify="right" if column == "rows" else "left")
            for true, predicted, rows in confused:
                pairs.add_row(true, predicted, str(rows))
            shown.append(pairs)
        return shown


def evaluate_model(model: str | Path | TextClassifier, data: str | Path, *,
                   data_options: DataOptions | None = None,
                   predict_options: PredictOptions | None = None,
                   **options: object) -> ModelEvaluation:
    """Score the model of the folder ``model`` (or a loaded one) on the labelled rows of
    ``data`` with the metrics a study records, at the thresholds of its labels.json.

    Of the data options it reads the text and label columns, the label separator and
    ``drop_invalid``; a file holding labels the model never saw is refused, with them listed.
    The options come as groups or as keywords named like their fields."""
    keywords = dict(options)
    data_options = (data_options or DataOptions()).take(keywords)
    predict_options = (predict_options or PredictOptions()).take(keywords)
    refuse_unknown(keywords, DataOptions, PredictOptions)
    if predict_options.out is not None:
        raise TypeError("evaluate_model writes no file: `out` is predict_file's option.")
    if isinstance(model, TextClassifier):
        folder, labels = model.folder, model.labels
    else:
        folder = model_folder(model)
        labels = read_labels(folder)
    table = load_table(data, text_col=data_options.text_col, label_col=data_options.label_col,
                       label_sep=data_options.label_sep, drop_invalid=data_options.drop_invalid,
                       multilabel=labels.task is Task.MULTILABEL)
    _refuse_unseen(table.labels, table.rows, labels.classes, table.path)
    classifier = model if isinstance(model, TextClassifier) else load_model(
        folder, batch_size=predict_options.batch_size)
    task = labels.task.value
    outputs = classifier.outputs(table.texts)
    y = encode_labels(table.labels, task, labels.classes)
    found = evaluate(task, y, outputs, labels.classes, thresholds=labels.thresholds,
                     tune=False)
    return ModelEvaluation(
        model=str(folder), data=table.path, task=labels.task, classes=labels.classes,
        thresholds=labels.thresholds, rows=len(table.texts), dropped=table.dropped,
        metrics={m.value: found[m.value] for m in RECORDED[labels.task] if m.value in found},
        per_class=found[Detail.PER_CLASS.value],
        confusion_matrix=found.get(Detail.CONFUSION_MATRIX.value))


def _refuse_unseen(sets: list[list[str]], rows: np.ndarray, classes: list[str],
                   path: str) -> None:
    known = set(classes)
    unseen = sorted({label for labels in sets for label in labels} - known)
    if not unseen:
        return
    where = [int(row) for row, labels in zip(rows, sets, strict=True)
             if any(label not in known for label in labels)]
    listed = ", ".join(map(repr, unseen[:20])) + (f" and {len(unseen) - 20} more"
                                                    if len(unseen) > 20 else "")
    shown = ", ".join(map(str, where[:10])) + (f" and {len(where) - 10} more"
                                               if len(where) > 10 else "")
    raise DataError(
        f"{path!r} has {len(unseen)} label(s) the model never saw: {listed} (rows {shown}). "
        f"The model knows: {', '.join(map(repr, classes[:30]))}"
        f"{' ...' if len(classes) > 30 else ''}. Evaluate it on rows of those labels: remove "
        "or relabel the others (check --label-col and --label-sep too).")
