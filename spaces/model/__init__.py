"""Keras: a trial's network built from its family's code, its loss and class weights, and the
model users keep (the study's featurizing layers, then one network or an ensemble of them),
loading it back, and writing it as a SavedModel for TensorFlow Serving (``save_serving``).

``class_weights`` and friends are numpy only; the rest imports Keras on first use (importing
``spaces`` must not load TensorFlow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spaces._first_use import on_first_use
from spaces.model._weights import (
    class_weights,
    label_positive_weights,
    label_weights,
    positive_weights,
    row_weights,
)

if TYPE_CHECKING:
    from spaces.model._build import build_network, compile_network, probabilities
    from spaces.model._helpers import masked_max, masked_mean, token_mask
    from spaces.model._losses import CUSTOM, loss_code, loss_sources, loss_spec, make_loss
    from spaces.model._serving import save_serving
    from spaces.model._text_model import Member, load_text_model, text_model

_KERAS = {"build_network": "_build", "compile_network": "_build", "probabilities": "_build",
          "CUSTOM": "_losses", "loss_code": "_losses", "loss_sources": "_losses",
          "loss_spec": "_losses", "make_loss": "_losses", "masked_max": "_helpers",
          "masked_mean": "_helpers", "token_mask": "_helpers", "Member": "_text_model",
          "load_text_model": "_text_model", "text_model": "_text_model",
          "save_serving": "_serving"}


__getattr__ = on_first_use(__name__, _KERAS)

__all__ = ["CUSTOM", "Member", "build_network", "class_weights", "compile_network",
           "label_positive_weights", "label_weights", "load_text_model", "loss_code",
           "loss_sources", "loss_spec", "make_loss", "masked_max", "masked_mean",
           "positive_weights", "probabilities", "row_weights", "save_serving", "text_model",
           "token_mask"]
