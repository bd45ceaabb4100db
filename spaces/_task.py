"""Tasks and the one output head and loss that fit each."""

from __future__ import annotations

from enum import StrEnum


class Task(StrEnum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    MULTILABEL = "multilabel"


OUTPUT_ACTIVATION = {
    Task.BINARY: "sigmoid",
    Task.MULTICLASS: "softmax",
    Task.MULTILABEL: "sigmoid",
}

# Loss names a user may write, and the tasks each is correct for.  "crossentropy" is the task's
# own cross-entropy; the Keras names are accepted where they mean the same thing.
LOSS_TASKS: dict[str, set[Task]] = {
    "crossentropy": {Task.BINARY, Task.MULTICLASS, Task.MULTILABEL},
    "focal": {Task.BINARY, Task.MULTICLASS, Task.MULTILABEL},
    "top_k": {Task.MULTICLASS},
    "binary_crossentropy": {Task.BINARY, Task.MULTILABEL},
    "categorical_crossentropy": {Task.MULTICLASS},
    "sparse_categorical_crossentropy": {Task.MULTICLASS},
}

_WHY = {
    Task.BINARY: "a binary task has one output unit: sigmoid with binary cross-entropy",
    Task.MULTICLASS: (
        "a multi-class task picks exactly one label per row: softmax with categorical "
        "cross-entropy (sparse or not, it is the same loss)"
    ),
    Task.MULTILABEL: (
        "a multi-label task decides each label independently: sigmoid with binary "
        "cross-entropy (weighted per label against sparse positives)"
    ),
}


class HeadMismatchError(ValueError):
    """An output activation or loss that contradicts the task."""


def canonical_loss(loss: str) -> str:
    """The loss family hpsearch trains with: crossentropy, focal or top_k."""
    return loss if loss in ("focal", "top_k") else "crossentropy"


def check_head(task: Task, *, activation: str | None = None, loss: str | None = None) -> None:
    """Refuse an output activation or loss that cannot be right for ``task``."""
    problems = []
    if activation is not None and activation != OUTPUT_ACTIVATION[task]:
        problems.append(
            f"output_activation={activation!r} does not fit a {task.value} task"
        )
    if loss is not None:
        if loss not in LOSS_TASKS:
            problems.append(
                f"loss={loss!r} is not a classification loss hpsearch knows "
                f"(allowed: {', '.join(sorted(LOSS_TASKS))})"
            )
        elif task not in LOSS_TASKS[loss]:
            problems.append(f"loss={loss!r} does not fit a {task.value} task")
        if activation == "sigmoid" and loss in ("sparse_categorical_crossentropy",
                                                "categorical_crossentropy"):
            problems.append(
                "categorical cross-entropy assumes outputs that sum to 1, but sigmoid outputs "
                "are independent"
            )
    if problems:
        raise HeadMismatchError(
            "; ".join(problems)
            + f". Rule: {_WHY[task]}. Fix: remove output_activation/loss from the space, "
            "and hpsearch uses the head that fits the task"
            + (", or pass --task multilabel if each row may carry several labels."
               if task is Task.MULTICLASS else ".")
        )
