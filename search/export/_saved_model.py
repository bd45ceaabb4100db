"""The SavedModel ``export --model`` writes beside model.keras, for TensorFlow Serving:
``saved_model/1/``, the folder layout a model server reads (``--model_base_path`` names
``saved_model``; ``1`` is the version it serves). Its signature takes raw strings and returns
the probabilities and the labels, thresholds of labels.json applied
(``spaces.model.save_serving``). Written aside and moved into place once complete, so a server
watching the folder never loads half of one. Builds it with TensorFlow."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from search._errors import PathError

SAVED_MODEL = "saved_model"
VERSION = "1"


def saved_model_folder(folder: Path) -> Path:
    """Where ``write_saved_model`` writes in ``folder``."""
    return folder / SAVED_MODEL / VERSION


def write_saved_model(folder: Path, task: str, classes: Sequence[str],
                      thresholds: Sequence[float] | None, label_sep: str) -> Path:
    """``folder/saved_model/1`` from ``folder/model.keras``; the multi-label labels joined by
    ``label_sep``."""
    from spaces.model import save_serving  # TensorFlow

    target = saved_model_folder(folder)
    aside = target.with_name(f".{VERSION}.writing")  # a model server skips a name not a number
    try:
        if aside.exists():
            shutil.rmtree(aside)
        save_serving(folder / "model.keras", aside, task, classes, thresholds, label_sep)
        if target.exists():
            shutil.rmtree(target)
        aside.rename(target)
    except OSError as exc:
        shutil.rmtree(aside, ignore_errors=True)  # what was written of it, if any
        raise PathError(f"Could not write the SavedModel {str(target)!r}: "
                        f"{exc.strerror or exc}. Choose another folder.") from None
    return target
