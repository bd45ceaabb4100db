"""TensorFlow's trainer: the module itself is the worker's ``Trainer``. It encodes the study's
data once per worker (``prepare``), fits each trial by its family's way (epochs of Adam, or a
convex solver), and saves a trained network behind the featurizing layers as the model users
keep."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from search._errors import TrialFailed
from search.training._devices import apply_policy, configure_devices
from search.training._dims import network_dims
from search.training._keras_fit import fit_keras
from search.training._prepared import Prepared
from search.training._protocol import FitSettings
from search.training._refit import refit_network
from search.training._result import EpochReport, TrainResult
from search.training._solver import fit_solver
from spaces import Task, family_of
from spaces.features import StudyData, inputs_model
from spaces.model import Member, build_network, text_model

__all__ = ["configure_devices", "ensemble_model", "fit", "inputs_model_bytes", "network_dims",
           "predict_seconds", "prepare", "refit_model", "release", "saved_model"]


def prepare(data: StudyData) -> Prepared:
    """The study's data encoded for this worker's trials."""
    return Prepared(data)


def fit(params: dict[str, Any], prepared: Prepared, settings: FitSettings, *,
        report: EpochReport) -> TrainResult:
    """Fit ``params``; raises TrialFailed on a non-finite loss, running out of memory, or a
    framework error."""
    keras.utils.set_random_seed(settings.seed)
    apply_policy()  # every trial: the last one's release() reset it
    encoded_before = prepared.train_encode_seconds
    dims = network_dims(prepared, params, settings.task, len(settings.classes))
    fitting = fit_solver if family_of(params).solver else fit_keras
    try:
        result = fitting(params, prepared, settings, report, dims)
    except tf.errors.ResourceExhaustedError as exc:
        raise TrialFailed(f"out of memory: {str(exc).splitlines()[0][:300]}") from None
    except Exception as exc:  # a framework error fails this trial; the search goes on
        raise TrialFailed(f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None
    if result.failure:
        raise TrialFailed(result.failure)
    result.shared_seconds = prepared.train_encode_seconds - encoded_before
    return result


def saved_model(params: dict[str, Any], prepared: Prepared, result: TrainResult,
                task: Task) -> bytes | None:
    """The trained network behind the featurizing layers, as a ``.keras`` file's bytes (raw
    strings in, probabilities out: what ``export --model`` writes)."""
    if result.model is None:
        return None
    member = _member(params, result.model.get_weights(), prepared.data, task,
                     result.model.output_shape[-1])
    return model_bytes(text_model([member], prepared.vocabulary, task.value))


def refit_model(params: dict[str, Any], prepared: Prepared, settings: FitSettings, *,
                epochs: int, logit_scale: float | None) -> bytes:
    """``params`` trained on every labelled row (``refit_network``), behind the featurizing
    layers, as a ``.keras`` file's bytes."""
    network = refit_network(params, prepared, settings, epochs=epochs, logit_scale=logit_scale)
    member = _member(params, network.get_weights(), prepared.data, settings.task,
                     network.output_shape[-1])
    return model_bytes(text_model([member], prepared.vocabulary, settings.task.value))


def _member(params: dict[str, Any], weights: list[Any], data: StudyData, task: Task,
            n_classes: int, weight: float = 1.0) -> Member:
    """The network of ``params`` as the saved model holds it (the bag dense), with
    ``weights``."""
    network = build_network(params, network_dims(data, params, task, n_classes),
                            embedding_matrix=data.embedding_matrix, sparse=False)
    network.set_weights(weights)
    family = family_of(params)
    return Member(network, family.reads, family.bag(params), weight)


def model_bytes(model: keras.Model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def release() -> None:
    """Free the last trial's graph and memory before the next."""
    keras.backend.clear_session(free_memory=True)


def ensemble_model(members: list[tuple[dict[str, Any], bytes, float]], data: StudyData,
                   task: Task, n_classes: int) -> bytes:
    """One model over the members, given as (params, the kept model's bytes, weight): the
    featurizing layers once, each member's network with its kept weights, the probabilities
    averaged with the weights; as a ``.keras`` file's bytes."""
    built = []
    for params, kept, weight in members:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.keras"
            path.write_bytes(kept)
            trained = keras.models.load_model(path, safe_mode=True).get_layer("network")
        built.append(_member(params, trained.get_weights(), data, task, n_classes, weight))
    return model_bytes(text_model(built, data.vocabulary, task.value))


def predict_seconds(model: bytes, texts: list[str]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(model)
        loaded = keras.models.load_model(path, safe_mode=True)
    batch = np.array(texts, dtype=object)
    loaded.predict(batch[:64], batch_size=64, verbose=0)  # traced once
    started = time.monotonic()
    loaded.predict(batch, batch_size=64, verbose=0)
    return time.monotonic() - started


def inputs_model_bytes(data: StudyData, params: dict[str, Any]) -> bytes:
    """The featurizing layers of ``params`` alone (raw strings in, the network's inputs out),
    as a ``.keras`` file's bytes: what the exported script trains through."""
    family = family_of(params)
    return model_bytes(inputs_model(data.vocabulary, family.reads, family.bag(params)))
