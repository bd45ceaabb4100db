"""The exported training script: the template filled in with one trial's literal values.

The script's model is ``spaces._network``'s code for the trial, its loss ``spaces._loss_code``'s,
its vectorizer the study's stored vocabularies (written beside it), and its data reading,
split and evaluation the functions of ``search.export._parts``.
"""

from __future__ import annotations

import pprint
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from search.data import Prepared, layer_vocabulary, network_dims
from search.export._card import CARD
from search.export._parts import EVALUATORS, READ_TARGETS, READER, SPLIT
from search.metrics import HEADLINE
from search.study import StudyConfig, TrialSummary
from spaces._families import input_names
from spaces._loss_code import LOSSES, loss_code, uses_custom_loss
from spaces._network import describe, helpers_for, network_code
from spaces._weights import label_positive_weights, label_weights

TEMPLATE = "train_script.py.j2"


@dataclass(frozen=True)
class ScriptFiles:
    """What an export writes: the script, and the data it reads beside itself."""

    script: str
    record: dict[str, Any]  # the vocabularies and the card's facts, beside the script
    embeddings: np.ndarray | None


def pyrepr(value: Any, indent: int = 0) -> str:
    """A Python literal, wrapped to fit 100 columns after ``indent`` characters; a dict of
    scores reads as one line of four decimals where it fits."""
    if isinstance(value, dict) and all(isinstance(v, float) for v in value.values()):
        text = "{" + ", ".join(f"{k!r}: {v:.4f}" for k, v in value.items()) + "}"
        return textwrap.fill(text, 96 - indent, subsequent_indent=" " * (indent + 1),
                             break_long_words=False, break_on_hyphens=False)
    text = pprint.pformat(value, width=96 - indent, compact=True, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("search.export", "."),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["pyrepr"] = pyrepr
    env.filters["wrap"] = lambda text: textwrap.fill(text, 96)
    return env


def script_files(study_name: str, config: StudyConfig, trial: TrialSummary,
                 prepared: Prepared, out: Path) -> ScriptFiles:
    """The script for ``trial`` written to ``out``, and what it reads beside itself."""
    params, task = trial.params, config.task.value
    y_train = prepared.train.y
    loss = loss_code(task, params, label_positive_weights(task, y_train, params))
    weights = label_weights(task, y_train, params, len(config.classes))
    vocabulary = layer_vocabulary(prepared.vectorizer, params)
    dims = network_dims(prepared.vectorizer, params, task, len(config.classes))
    network = network_code(params, dims)
    context = {
        "helpers": helpers_for(network),
        "study": study_name, "trial": trial.number, "description": describe(params),
        "filename": out.name, "data_name": Path(config.data_path).name,
        "val_data": Path(config.data.val_data).name if config.data.val_data else None,
        "record_name": record_file(out).name, "task": task, "classes": config.classes,
        "text_col": config.data.text_col, "label_col": config.data.label_col,
        "label_sep": config.data.label_sep, "drop_invalid": config.data.drop_invalid,
        "val_frac": config.data.val_frac, "split_seed": config.data.seed,
        "epochs": int(trial.best_epoch or config.search.max_epochs),
        "seed": config.data.seed + trial.number, "batch_size": params["batch_size"],
        "learning_rate": params["learning_rate"],
        "row_weights": None if weights is None else [round(float(w), 6) for w in weights],
        "class_weight": params["class_weight"],
        "trial_metrics": headline_metrics(config, trial),
        "inputs": input_names(params),
        "ngram_order": params.get("ngram_order"),
        "ngram_weighting": params.get("ngram_weighting"),
        "ngram_width": dims.ngram_width,
        "reader": READER + READ_TARGETS[task], "splitter": SPLIT,
        "evaluator": EVALUATORS[task],
        "network": network,
        "losses": LOSSES if uses_custom_loss(loss) else None, "loss": loss, "card": CARD,
        "embeddings": prepared.embedding_matrix is not None,
        "embeddings_name": embeddings_file(out).name,
        "activation": "softmax" if task == "multiclass" else "sigmoid",
        "policy": trial.policy or "float32",
    }
    script = _environment().get_template(TEMPLATE).render(**context)
    record = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in vocabulary.items()}
    record["info"] = card_info(study_name, config, trial)
    record["data_sha256"] = config.data_sha256
    record["val_rows"] = (None if prepared.val_rows is None
                          else [int(i) for i in prepared.val_rows])
    return ScriptFiles(script, record, prepared.embedding_matrix)


def headline_metrics(config: StudyConfig, trial: TrialSummary) -> dict[str, float]:
    return {m.value: trial.metrics[m] for m in HEADLINE[config.task] if m in trial.metrics}


def card_info(study_name: str, config: StudyConfig, trial: TrialSummary) -> dict[str, Any]:
    """What the model card says of the model's origin."""
    return {"study": study_name, "trial": trial.number, "description": describe(trial.params),
            "data_file": Path(config.data_path).name, "data_fingerprint": config.data_fingerprint,
            "params": trial.params, "baselines": config.baselines,
            "trial_metrics": {**trial.metrics, "thresholds": trial.thresholds},
            "per_class": trial.per_class or {}}


def record_file(script: Path) -> Path:
    return script.with_name(script.stem + ".study.json")


def embeddings_file(script: Path) -> Path:
    return script.with_name(script.stem + ".embeddings.npy")
