"""The positive class of a binary task: the class its F1, PR-AUC and decision threshold are
about.

The rule: the class ``--positive-label`` names; else the rarer class of the training rows
(``fraud`` among ``ok`` rows, wherever it sorts), since the rare class is the one worth
detecting and a majority class scores a high PR-AUC for nothing; when both are as frequent,
the class that sorts last. The positive class is made output 1 here, once: the classes are
ordered [negative, positive] and the targets follow, so the thresholds, the metrics, the
baselines, ``labels.json``, the model card and the exported script all follow it.
"""

from __future__ import annotations

import numpy as np

from search._errors import DataError
from spaces import Task


def positive_last(task: Task, classes: list[str], y: np.ndarray, train: np.ndarray,
                  given: str | None, path: str) -> tuple[list[str], np.ndarray, str | None]:
    """(the classes with the positive one last, the targets with 1 for it, the line that says
    which and why). ``classes`` are sorted and a binary ``y`` holds 1 for ``classes[1]``; a
    task other than binary is returned as it is, and refuses ``given``."""
    if task is not Task.BINARY:
        if given is not None:
            shown = ", ".join(map(repr, classes[:10])) + (" ..." if len(classes) > 10 else "")
            raise DataError(
                f"--positive-label applies to binary tasks only, but {path!r} makes a "
                f"{task.value} task of {len(classes)} classes ({shown}); got "
                f"--positive-label {given!r}. Leave --positive-label out: a {task.value} "
                "task scores every class alike.")
        return classes, y, None
    counts = np.bincount(np.asarray(y[train], dtype="int64"), minlength=2)
    if given is not None:
        if given not in classes:
            raise DataError(
                f"--positive-label must name one of the two classes of {path!r} as written, "
                f"{classes[0]!r} or {classes[1]!r}, but got {given!r}. Give one of them, or "
                "leave --positive-label out for the rarer one.")
        positive, why = classes.index(given), "as --positive-label says"
    elif counts[0] != counts[1]:
        positive, why = int(np.argmin(counts)), "the rarer class; --positive-label to change"
    else:
        positive, why = 1, ("both classes are as frequent, so the one that sorts last; "
                            "--positive-label to change")
    share = counts[positive] / max(int(counts.sum()), 1)
    line = f"positive class: {classes[positive]} ({share:.1%} of training rows, {why})"
    if positive == 0:
        classes, y = [classes[1], classes[0]], (1 - y).astype(y.dtype)
    return classes, y, line
