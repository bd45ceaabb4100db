"""A model folder put to use: ``load_model`` checks labels.json and loads model.keras;
``TextClassifier`` turns texts into probabilities (one column per class, named) and labels,
with the decision thresholds of labels.json, the very functions the prediction script beside
an exported model prints (``search.metrics.PREDICT_FUNCTIONS``)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from search._errors import PathError
from search.metrics import class_probabilities, label_names, predict_labels
from search.options import PredictOptions
from spaces import Task

if TYPE_CHECKING:
    import pandas as pd

MODEL_FILE = "model.keras"
LABELS_FILE = "labels.json"
_WRITTEN_BY = "A model folder is what `hpsearch export --model DIR` writes"


@dataclass(frozen=True)
class ModelLabels:
    """What labels.json says: the classes in the order of the model's outputs (a binary
    model's one output is the second class's probability), the task, and the decision
    thresholds (one per output for binary and multi-label; none for multi-class)."""

    classes: list[str]
    task: Task
    thresholds: list[float] | None

    @property
    def outputs(self) -> int:
        """How many outputs the model has: one for binary, one per class otherwise."""
        return 1 if self.task is Task.BINARY else len(self.classes)

    def to_dict(self) -> dict[str, Any]:
        return {"classes": self.classes, "task": self.task.value, "thresholds": self.thresholds}


def model_folder(path: str | Path) -> Path:
    """``path`` if it is a folder holding model.keras and labels.json; else why not."""
    folder = Path(path)
    if folder.is_file() and folder.name == MODEL_FILE:
        raise PathError(f"Model folder (--model) {str(folder)!r} is the model file; name the "
                        f"folder that holds it and {LABELS_FILE}: {str(folder.parent)!r}.")
    if not folder.is_dir():
        said = "is a file" if folder.exists() else "does not exist"
        raise PathError(f"Model folder (--model) {str(folder)!r} {said}. {_WRITTEN_BY} "
                        f"(model.keras, {LABELS_FILE}, README.md); name that folder.")
    missing = [name for name in (MODEL_FILE, LABELS_FILE) if not (folder / name).is_file()]
    if missing:
        raise PathError(f"Model folder (--model) {str(folder)!r} has no {' or '.join(missing)}. "
                        f"{_WRITTEN_BY}; export the model again or name the folder it wrote.")
    return folder


def read_labels(folder: Path) -> ModelLabels:
    """labels.json of ``folder``, checked: classes, a task hpsearch knows, and as many
    thresholds as the model has outputs."""
    path = folder / LABELS_FILE
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PathError(f"Could not read {str(path)!r} as JSON ({exc}). {_WRITTEN_BY}; export "
                        "the model again.") from None
    shape = ('{"classes": ["a", "b", ...], "task": "binary" | "multiclass" | "multilabel", '
             '"thresholds": [...] or null}')
    if not isinstance(found, dict):
        raise PathError(f"{str(path)!r} holds {json.dumps(found)[:40]}, not an object like "
                        f"{shape}.")
    classes, task = found.get("classes"), found.get("task")
    if (not isinstance(classes, list) or not classes
            or not all(isinstance(c, str) for c in classes)):
        raise PathError(f"{str(path)!r}: 'classes' must be a list of class names, but got "
                        f"{json.dumps(classes)[:60]}. It reads like {shape}.")
    if task not in {t.value for t in Task}:
        raise PathError(f"{str(path)!r}: 'task' must be one of "
                        f"{', '.join(t.value for t in Task)}, but got {json.dumps(task)}.")
    labels = ModelLabels(classes, Task(task), None)
    if labels.task is Task.MULTICLASS:
        return labels
    thresholds = found.get("thresholds")
    if thresholds is None:
        return labels  # predict_labels decides at 0.5
    if (not isinstance(thresholds, list) or len(thresholds) != labels.outputs
            or not all(isinstance(t, int | float) and not isinstance(t, bool)
                       for t in thresholds)):
        raise PathError(f"{str(path)!r}: 'thresholds' must be {labels.outputs} number(s), one "
                        f"per output of a {task} model, but got {json.dumps(thresholds)[:60]}.")
    return ModelLabels(classes, labels.task, [float(t) for t in thresholds])


class TextClassifier:
    """A kept model and its labels.json: raw texts in; probabilities (``predict_proba``, a
    column per class) or labels (``predict``) out, thresholds applied. Texts go through the
    model ``batch_size`` at a time."""

    def __init__(self, network: Any, labels: ModelLabels, folder: Path,
                 batch_size: int = PredictOptions().batch_size):
        if batch_size < 1:
            raise ValueError(f"`batch_size >= 1` must hold, but got {batch_size=}.")
        self.network, self.labels, self.folder = network, labels, folder
        self.batch_size = batch_size

    @property
    def classes(self) -> list[str]:
        return list(self.labels.classes)

    @property
    def task(self) -> Task:
        return self.labels.task

    @property
    def thresholds(self) -> list[float] | None:
        return None if self.labels.thresholds is None else list(self.labels.thresholds)

    def outputs(self, texts: Iterable[str]) -> np.ndarray:
        """The model's own outputs (a binary model's one column), float32, a row per text."""
        batch = _texts(texts)
        if not batch:
            return np.zeros((0, self.labels.outputs), dtype="float32")
        found = self.network.predict(np.asarray(batch, dtype=object),
                                     batch_size=self.batch_size, verbose=0)
        return np.asarray(found, dtype="float32").reshape(len(batch), -1)

    def decide(self, outputs: np.ndarray) -> tuple[list[Any], np.ndarray]:
        """(each row's label, or list of labels for multi-label; the probabilities, a column
        per class in ``classes`` order) from the model's outputs."""
        task = self.task.value
        chosen = predict_labels(task, outputs, self.labels.thresholds)
        probs = class_probabilities(task, outputs).astype("float32")
        return label_names(task, chosen, self.labels.classes), probs

    def predict(self, texts: Iterable[str]) -> list[Any]:
        """Each text's class (a list of labels for multi-label), thresholds of labels.json
        applied."""
        return self.decide(self.outputs(texts))[0]

    def predict_proba(self, texts: Iterable[str]) -> pd.DataFrame:
        """A row per text, a column per class (named by it): for binary both classes (1 - p,
        p), for multi-label each label's own probability."""
        import pandas as pd

        return pd.DataFrame(self.decide(self.outputs(texts))[1], columns=self.classes)

    def __repr__(self) -> str:
        return (f"TextClassifier({str(self.folder)!r}: {self.task.value}, "
                f"{len(self.classes)} classes)")


def load_model(folder: str | Path, *,
               batch_size: int = PredictOptions().batch_size) -> TextClassifier:
    """The model of ``folder`` (as ``hpsearch export --model`` writes it), ready to label
    texts. Loads TensorFlow."""
    folder = model_folder(folder)
    labels = read_labels(folder)
    from spaces.model import load_text_model  # TensorFlow

    try:
        network = load_text_model(folder / MODEL_FILE)
    except (OSError, ValueError, TypeError, KeyError, zipfile.BadZipFile) as exc:
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PathError(f"Could not load {str(folder / MODEL_FILE)!r}: {said}. {_WRITTEN_BY}; "
                        "export the model again.") from None
    width = int(network.output_shape[-1])
    if width != labels.outputs:
        raise PathError(
            f"{str(folder / MODEL_FILE)!r} has {width} output(s), but {LABELS_FILE} describes a "
            f"{labels.task.value} model of {len(labels.classes)} classes, which has "
            f"{labels.outputs}. The two files come from different models; export it again.")
    return TextClassifier(network, labels, folder, batch_size)


def _texts(texts: Iterable[str]) -> Sequence[str]:
    if isinstance(texts, str | bytes):
        raise TypeError(f"texts must be a list of texts, but got one text ({texts[:40]!r}); "
                        "pass [text] to label one.")
    return texts if isinstance(texts, list) else list(texts)
