"""A solved family's one-vs-rest problems: their 0/1 columns and weights. Printed into the
exported script as they are (numpy and ``spaces.model``'s weight functions only, and no
annotations, as every function the script prints)."""

from __future__ import annotations

import numpy as np

from spaces.model import label_positive_weights, label_weights


def solver_targets(task, y, n_outputs):
    """One 0/1 column per output: the class (one-vs-rest), the positive class, or each label."""
    if task == "multiclass":
        return np.eye(n_outputs, dtype="float32")[np.asarray(y).astype(int)]
    return np.asarray(y, dtype="float32").reshape(len(y), -1)


def solver_weights(task, y, params, n_classes):
    """(row weights, each column's positive weight) of the class-weight scheme, as
    scikit-learn's ``class_weight`` gives them: one-vs-rest weighs each problem's positives by
    their class's weight; a binary problem weighs the rows of each class."""
    if task == "multilabel":
        return None, label_positive_weights(task, y, params)
    weights = label_weights(task, y, params, n_classes)
    if weights is None:
        return None, None
    if task == "binary":
        return weights[np.asarray(y).astype(int)].astype("float32"), None
    return None, [float(w) for w in weights]
