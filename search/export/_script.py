"""The exported training script: the template filled in with one trial's literal values, and
the files it reads beside itself.

No part of hpsearch is kept here a second time as text: the script's network is the code the
trial ran (``spaces.families.network_code``), its batching, solver, class weights, losses and
scoring are the source of the very functions hpsearch runs (printed with ``inspect``), and its
featurizing is the Keras layers saved beside it (``<name>.inputs.keras``), fed from the study's rows
(``<name>.rows.jsonl``), so it reads no data format and fits no vocabulary of its own. What the
template itself adds is glue: reading those rows, the tf.data pipeline, and ``main``.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spaces.model
from search.export._templates import render
from search.metrics import HEADLINE, SCRIPT_FUNCTIONS
from search.study import StudyConfig, TrialSummary
from search.training import batch_rows, network_dims, solver_targets, solver_weights
from spaces import describe_params, family_of
from spaces.families import helpers_called, network_code
from spaces.features import StudyData
from spaces.model import (
    class_weights,
    label_positive_weights,
    label_weights,
    positive_weights,
    row_weights,
)

TEMPLATE = "train_script.py.j2"
SKLEARN_METRICS = ("average_precision_score", "confusion_matrix", "f1_score",
                   "precision_recall_curve", "precision_recall_fscore_support")


@dataclass(frozen=True)
class ScriptFiles:
    """What an export writes: the script and, beside it, the study's rows, the trial's
    featurizing layers (made by the caller, which loads TensorFlow), and the word vectors."""

    script: str
    rows: str
    embeddings: Any  # numpy array or None


def source(function: Any) -> str:
    """A function's source as hpsearch runs it (its module's imports are the script's)."""
    return inspect.getsource(function).rstrip() + "\n"


def script_files(study_name: str, config: StudyConfig, trial: TrialSummary, data: StudyData,
                 out: Path) -> ScriptFiles:
    """The script for ``trial`` written to ``out``, and the rows it reads beside itself."""
    params, task = trial.params, config.task.value
    family = family_of(params)
    setting = family.bag(params)
    dims = network_dims(data, params, config.task, len(config.classes))
    network = network_code(params, dims)
    positive = label_positive_weights(task, data.y_train, params)
    # The study's word vectors, for a network that reads words.
    vectors = data.embedding_matrix if "words" in family.reads else None
    scoring = [source(f) for f in SCRIPT_FUNCTIONS[task]]
    solving = family.solve_script(params) if family.solver else None
    context = {
        "study": study_name, "trial": trial.number, "description": describe_params(params),
        "filename": out.name, "rows_name": rows_file(out).name,
        "inputs_name": inputs_file(out).name, "card_name": card_file(out).name,
        "embeddings_name": embeddings_file(out).name,
        "embeddings": vectors is not None,
        "task": task, "classes": config.classes, "solver": family.solver, "params": params,
        "seed": config.data.seed + trial.number,
        "epochs": int(trial.best_epoch or config.search.max_epochs),
        "batch_size": params.get("batch_size"), "learning_rate": params.get("learning_rate"),
        "logit_scale": trial.logit_scale,
        # A solved trial kept short of every training row: the first rows it was fitted on.
        "train_rows": (trial.rows if trial.rows and trial.rows < len(data.train_texts)
                       else None),
        "weights": [source(f) for f in weight_functions(task, family.solver)],
        "trial_metrics": headline_metrics(config, trial), "thresholds": trial.thresholds,
        "helpers": [source(getattr(spaces.model, name)) for name in helpers_called(network)],
        "network": network,
        "losses": ([] if family.solver else
                   [source(f) for f in spaces.model.loss_sources(task, params, positive)]),
        "loss": None if family.solver else spaces.model.loss_code(task, params, positive),
        "solve": solving and source(solving.function), "solve_call": solving and solving.call,
        "batch_rows": source(batch_rows),
        "solver_code": [source(solver_targets), source(solver_weights)],
        "scoring": scoring,
        "sklearn_names": [n for n in SKLEARN_METRICS if any(n in s for s in scoring)],
        "words": "words" in family.reads, "bag": setting is not None,
        "bag_width": dims.bag_width,
        "activation": "softmax" if task == "multiclass" else "sigmoid",
    }
    printed = "".join(str(v) for v in context.values())
    context["uses_ops"] = "ops." in printed
    script = render(TEMPLATE, **context)
    return ScriptFiles(script, study_rows(config, data), vectors)


def weight_functions(task: str, solver: bool) -> tuple[Any, ...]:
    """The class-weight functions of ``spaces.model`` the script calls, and those they call:
    a network's loss weighs each row by its class; a solver weighs each column's positives
    (one-vs-rest, multi-label) or each row (binary)."""
    if solver:  # ``solver_weights`` calls the ones of every task
        return (class_weights, label_weights, positive_weights, label_positive_weights)
    return (class_weights, label_weights, row_weights)


def study_rows(config: StudyConfig, data: StudyData) -> str:
    """The study's rows as JSON Lines: text, labels, and whether the row validates (``true``),
    is held out of every choice (``"held"``) or trains (``false``)."""
    lines = []
    held: Any = [] if data.y_held is None else data.y_held
    for texts, targets, validation in ((data.train_texts, data.y_train, False),
                                       (data.val_texts, data.y_val, True),
                                       (data.held_texts, held, "held")):
        for text, target in zip(texts, targets, strict=True):
            lines.append(json.dumps({"text": text, "labels": _labels(config, target),
                                     "validation": validation}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _labels(config: StudyConfig, target: Any) -> list[str]:
    if config.task.value == "multilabel":
        return [c for c, on in zip(config.classes, target, strict=True) if on]
    return [config.classes[int(target)]]


def headline_metrics(config: StudyConfig, trial: TrialSummary) -> dict[str, float]:
    return {m.value: trial.metrics[m] for m in HEADLINE[config.task] if m in trial.metrics}


def rows_file(script: Path) -> Path:
    return script.with_name(script.stem + ".rows.jsonl")


def inputs_file(script: Path) -> Path:
    return script.with_name(script.stem + ".inputs.keras")


def card_file(script: Path) -> Path:
    return script.with_name(script.stem + ".card.md")


def embeddings_file(script: Path) -> Path:
    return script.with_name(script.stem + ".embeddings.npy")
