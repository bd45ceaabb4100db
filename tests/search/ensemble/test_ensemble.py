"""Greedy ensemble selection, and the ensemble kept as one Keras model: raw strings in, the
members' probabilities averaged with their weights, loading with ``safe_mode=True``."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import search.ensemble._make
from search import create_study, enqueue_params, run_worker
from search.data import sample_frame
from search.ensemble import Selection, make_ensemble, select
from search.export import export_model
from search.metrics import Interval
from search.study import (
    ENSEMBLE_ATTR,
    HELD_FILE,
    ensemble_record,
    kept_probabilities,
    load_data,
    open_study,
)
from spaces import Task


def test_selection_adds_models_with_replacement_while_the_score_improves() -> None:
    y = np.array([0, 1, 1, 0])
    # Each model is right on different rows; their average is right on all four.
    probs = {1: np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.6, 0.4]]),
             2: np.array([[0.4, 0.6], [0.2, 0.8], [0.6, 0.4], [0.9, 0.1]]),
             3: np.array([[0.5, 0.5]] * 4)}

    def accuracy(p: np.ndarray) -> float:
        return float(np.mean(p.argmax(axis=1) == y))

    found = select(probs, accuracy, maximize=True)
    assert found.score == 1.0 and set(found.weights) == {1, 2}
    assert sum(found.weights.values()) == pytest.approx(1.0)
    alone = select({1: probs[1]}, accuracy, maximize=True)
    assert alone.weights == {1: 1.0} and alone.score == 0.75
    lowest = select(probs, lambda p: -accuracy(p), maximize=False)
    assert lowest.score == -1.0


CHEAP = [
    {"family": "linear", "ngram_order": 2, "ngram_vocab": 5000, "ngram_weighting": "tfidf",
     "chars": True, "char_orders": "2-5", "char_vocab": 3000, "solver": "svm", "linear_c": 0.5,
     "class_weight": "balanced"},
    {"family": "ngram", "ngram_order": 1, "ngram_vocab": 5000, "ngram_weighting": "tfidf",
     "chars": False, "ngram_units": 32, "ngram_l2": 1e-7, "dropout": 0.1, "dense_layers": 0,
     "learning_rate": 0.01, "batch_size": 64, "class_weight": "none", "loss": "crossentropy"},
    {"family": "sequence", "rnn_layers": 0, "embedding_dim": 16, "embedding_dropout": 0.0,
     "conv": False, "pooling_seq": "avg", "dropout": 0.1, "dense_layers": 0,
     "learning_rate": 0.01, "batch_size": 64, "class_weight": "none", "loss": "crossentropy"},
]


@pytest.mark.slow
def test_an_exported_ensemble_reproduces_its_validation_probabilities(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keras

    data = tmp_path / "data.csv"
    sample_frame(Task.MULTICLASS, rows=300, classes=3, seed=5, signal=0.15).to_csv(data,
                                                                                   index=False)
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    config = create_study("s", data, storage_url=url, max_epochs=2, start_points=False)
    for params in CHEAP:
        if "ngram_vocab" in params:
            params = {**params, "ngram_vocab": config.space["ngram_vocab"]["high"]}
        if params.get("chars"):
            params["char_vocab"] = config.space["char_vocab"]["high"]
        enqueue_params("s", params, url)
    run_worker("s", url, n_trials=3)
    study, config = open_study("s", url)
    probs = kept_probabilities(study)
    assert sorted(probs) == [0, 1, 2]  # each family's best is kept, with its probabilities
    weights = {0: 0.5, 1: 0.25, 2: 0.25}
    # Whatever the selection would find on such small data, these weights are the ensemble.
    monkeypatch.setattr(search.ensemble._make, "select",
                        lambda *args, **kwargs: Selection(weights, score=2.0))
    held = kept_probabilities(study, HELD_FILE)
    best = study.best_trial.number
    # An ensemble of the best trial with a copy of itself ties it on the held rows: dropped.
    monkeypatch.setattr(search.ensemble._make, "kept_probabilities", lambda study, name=None: (
        {n: held[best] for n in held} if name == HELD_FILE else probs))
    tie = make_ensemble("s", url)
    assert tie.record is None and ENSEMBLE_ATTR not in study.user_attrs
    assert tie.said.startswith(f"no ensemble: on the held rows it gains +0.0000 {config.metric}")
    monkeypatch.setattr(search.ensemble._make, "kept_probabilities",
                        lambda study, name=None: held if name == HELD_FILE else probs)
    # These weights need not beat the best trial on such small data; as if they did there:
    monkeypatch.setattr(search.ensemble._make, "_held_gain",
                        lambda *args: Interval(0.05, 0.01, 0.09))
    outcome = make_ensemble("s", url)
    record = study.user_attrs[ENSEMBLE_ATTR]
    assert outcome.record == record and [m["trial"] for m in record["members"]] == [0, 1, 2]
    assert record["held_gain"] == {"value": 0.05, "low": 0.01, "high": 0.09}
    # Its cost beside its gain: three members' models, and their time to predict.
    assert record["size_ratio"] > 1.0 and record["predict_ratio"] > 0.0
    assert outcome.said.endswith(f"{record['size_ratio']:.1f}x its size, "
                                 f"{record['predict_ratio']:.1f}x its prediction time")
    study.set_user_attr(ENSEMBLE_ATTR, {**record, "value": 2.0})
    assert ensemble_record(study) is not None
    folder = export_model("s", tmp_path / "model", url)
    model = keras.models.load_model(folder / "model.keras", safe_mode=True)
    texts = load_data(study, config).val_texts
    found = model.predict(np.array(texts, dtype=object), verbose=0)
    expected = sum(w * probs[n] for n, w in weights.items())
    np.testing.assert_allclose(found, expected, atol=1e-5)
    labels = json.loads((folder / "labels.json").read_text())
    assert labels["classes"] == config.classes
    assert "ensemble of trials 0 (0.50), 1 (0.25), 2 (0.25)" in (folder / "README.md").read_text()
    single = export_model("s", tmp_path / "trial", url, trial_number=1)
    assert (single / "model.keras").read_bytes() != (folder / "model.keras").read_bytes()


def test_the_prediction_time_ratio_reads_only_the_first_held_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A large study holds 20,000 rows out: timing both models on all of them took minutes
    past the deadline; the ratio is measured on the first 2,000."""
    import search.training

    _make = search.ensemble._make
    seen: list[int] = []
    monkeypatch.setattr(search.training, "predict_seconds",
                        lambda model, texts: seen.append(len(texts)) or 1.0)
    data = SimpleNamespace(held_texts=["a text"] * 20_000)
    assert _make._predict_ratio(b"ensemble", b"best", data) == 1.0
    assert seen == [_make.PREDICT_PROBE_ROWS] * 2 and _make.PREDICT_PROBE_ROWS == 2_000
