"""A kept model put to use, with no study and no storage: the model folder that
``hpsearch export --model`` writes is enough. ``load_model`` reads it (``TextClassifier``:
``predict``, ``predict_proba``, ``classes``, ``thresholds``, ``task``); ``predict_file`` labels
the texts of a file (or of standard input), a batch at a time, into CSV, TSV, JSON Lines or
Parquet; ``evaluate_model`` scores the model on labelled rows with the study's own metrics at
the thresholds of its labels.json.

Labels come from probabilities through ``search.metrics``' decisions, the functions the
prediction script beside an exported model prints. May import ``search._errors``,
``search._paths``, ``search.options``, ``search.metrics``, ``search.data`` and ``spaces``
(``spaces.model`` loads the Keras model: TensorFlow on first use); never ``storage`` or
Optuna.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from search.predict._classifier import (
        LABELS_FILE,
        MODEL_FILE,
        ModelLabels,
        TextClassifier,
        load_model,
        model_folder,
        read_labels,
    )
    from search.predict._evaluation import ModelEvaluation, evaluate_model
    from search.predict._predict_file import (
        PROB_PREFIX,
        Predicted,
        ProgressLines,
        predict_file,
        prediction_columns,
    )

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_classifier": ["LABELS_FILE", "MODEL_FILE", "ModelLabels", "TextClassifier", "load_model",
                    "model_folder", "read_labels"],
    "_evaluation": ["ModelEvaluation", "evaluate_model"],
    "_predict_file": ["PROB_PREFIX", "Predicted", "ProgressLines", "predict_file",
                      "prediction_columns"],
})[0]

__all__ = [
    "LABELS_FILE",
    "MODEL_FILE",
    "PROB_PREFIX",
    "ModelEvaluation",
    "ModelLabels",
    "Predicted",
    "ProgressLines",
    "TextClassifier",
    "evaluate_model",
    "load_model",
    "model_folder",
    "predict_file",
    "prediction_columns",
    "read_labels",
]
