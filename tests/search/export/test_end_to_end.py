"""The whole path with real (tiny) Keras trainings, on SQLite and PostgreSQL: create, worker,
status, best, export, then the exported script without hpsearch, and its saved model."""

import json
from pathlib import Path

import numpy as np
import pytest
from optuna.trial import TrialState

from search import best_trial, create_study, export_script, run_worker, study_status
from search.data._sample import write_sample
from search.options import PrunerName
from search.study._open import open_study
from spaces import Task
from tests.exported import call_main, imported_modules, printed_metrics, run_script_in_new_process

pytestmark = pytest.mark.slow


def test_search_export_and_standalone_script(storage_url: str, study_name: str,
                                             tmp_path: Path) -> None:
    data = write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=700, classes=3,
                        seed=5)
    space = tmp_path / "small.yaml"
    space.write_text("params:\n  rnn_layers: {low: 0, high: 1}\n  rnn_units: {low: 8, high: 32}\n"
                     "  embedding_dim: {low: 16, high: 32}\n  dense_layers: {low: 0, high: 1}\n"
                     "  learning_rate: {low: 0.003, high: 0.01, log: true}\n")
    config = create_study(study_name, data, storage_url=storage_url, max_epochs=4,
                          pruner=PrunerName.MEDIAN, space=space)
    assert config.task is Task.MULTICLASS and config.classes == ["class_0", "class_1", "class_2"]
    run_worker(study_name, storage_url, n_trials=3, heartbeat_interval=10)

    study, _ = open_study(study_name, storage_url)
    finished = [t for t in study.get_trials() if t.state is TrialState.COMPLETE]
    assert finished, [t.user_attrs.get("fail_reason") for t in study.get_trials()]
    for trial in finished:
        assert len(trial.intermediate_values) == trial.user_attrs["epochs_run"]
        matrix = np.asarray(trial.user_attrs["confusion_matrix"])
        assert matrix.shape == (3, 3)
        # The recorded macro-F1 is the one its own confusion matrix gives.
        hits = np.diag(matrix)
        f1 = 2 * hits / np.maximum(matrix.sum(axis=0) + matrix.sum(axis=1), 1)
        assert trial.user_attrs["macro_f1"] == pytest.approx(float(f1.mean()), abs=1e-6)
    status = study_status(study_name, storage_url).to_dict()
    best = best_trial(study_name, storage_url).to_dict()
    assert status["best"]["number"] == best["number"]
    assert best["metrics"]["accuracy"] > status["baselines"]["majority"]["accuracy"]

    script = export_script(study_name, tmp_path / "train_best.py", storage_url)
    imported = imported_modules(script.read_text())
    assert imported <= {"argparse", "concurrent", "json", "os", "sys", "pathlib", "threading",
                        "warnings",
                        "keras", "numpy", "scipy", "tensorflow", "sklearn"}, imported
    out = tmp_path / "model"
    # The script reads only files. On one backend, a fresh interpreter without hpsearch trains
    # the model, then loads what the script saved and predicts raw strings with it. The script
    # registered no Keras object of its own: the file loads where the script never ran.
    fresh = storage_url.startswith("sqlite")
    load = (
        "import keras, numpy as np, tensorflow as tf\n"
        "assert not keras.saving.get_custom_objects(), keras.saving.get_custom_objects()\n"
        f"model = keras.models.load_model({str(out / 'model.keras')!r})\n"
        "p = model.predict(tf.constant(['some words here', 'another text']), verbose=0)\n"
        "print('loaded', p.shape[0], p.shape[1], bool(np.allclose(p.sum(axis=1), 1.0, "
        "atol=1e-4)))\n"
    )
    # The study's rows are written beside the script.
    printed = (run_script_in_new_process(script, "--out", str(out), then=load) if fresh
               else call_main(script, "--out", str(out)))
    metrics = printed_metrics(printed)
    assert abs(metrics["accuracy"] - best["metrics"]["accuracy"]) <= 0.01

    labels = json.loads((out / "labels.json").read_text())
    assert labels["classes"] == config.classes and labels["task"] == "multiclass"
    if fresh:
        assert printed.splitlines()[-1].split() == ["loaded", "2", "3", "True"]
