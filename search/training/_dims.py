"""The sizes a network needs from the study's data. Pure Python."""

from __future__ import annotations

from typing import Any

from spaces import Dims, Task, family_of


def network_dims(data: Any, params: dict[str, Any], task: Task, n_classes: int) -> Dims:
    """One output for a binary task, else one per class; the word vocabulary; the bag's
    columns. ``data``: anything with the study's ``vocabulary``."""
    vocabulary = data.vocabulary
    setting = family_of(params).bag(params)
    return Dims(1 if task is Task.BINARY else n_classes, vocabulary.word_vocab_size,
                0 if setting is None else setting.width(vocabulary))
