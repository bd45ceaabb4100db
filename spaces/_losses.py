"""The training loss of a trial, made from the code in ``spaces._loss_code``."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from spaces._loss_code import LOSSES, loss_code

_NAMESPACE: dict = {"keras": keras, "np": np, "ops": ops}
exec(LOSSES, _NAMESPACE)  # noqa: S102
WeightedBinaryCrossentropy = _NAMESPACE["WeightedBinaryCrossentropy"]
SparseCrossentropy = _NAMESPACE["SparseCrossentropy"]


def make_loss(task, params, pos_weight=None):
    """The training loss for ``task`` (binary, multiclass, multilabel) and the trial params."""
    return eval(loss_code(task, params, pos_weight), _NAMESPACE)  # noqa: S307
