"""Keras: a trial's network built from its family's code, its loss and class weights, and the
model users keep (the study's featurizing layers, then one network or an ensemble of them),
loading it back, and writing it as a SavedModel for TensorFlow Serving (``save_serving``).

``class_weights`` and friends are numpy only; the rest imports Keras on first use (importing
``spaces`` must not load TensorFlow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

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

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_build": ["build_network", "compile_network", "probabilities"],
    "_losses": ["CUSTOM", "loss_code", "loss_sources", "loss_spec", "make_loss"],
    "_helpers": ["masked_max", "masked_mean", "token_mask"],
    "_text_model": ["Member", "load_text_model", "text_model"],
    "_serving": ["save_serving"],
})[0]

__all__ = ["CUSTOM", "Member", "build_network", "class_weights", "compile_network",
           "label_positive_weights", "label_weights", "load_text_model", "loss_code",
           "loss_sources", "loss_spec", "make_loss", "masked_max", "masked_mean",
           "positive_weights", "probabilities", "row_weights", "save_serving", "text_model",
           "token_mask"]
