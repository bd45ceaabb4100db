"""The exported script and the exported model: readable, faithful to the trial, standalone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from search import create_study, export_script, run_worker
from search.data import sample_frame
from search.export import export_model
from search.metrics import evaluate
from search.study import load_data, open_study, summarize_trial
from spaces import Task
from tests.exported import call_main, load_script, run_script
from tests.scripted_trainer import ScriptedTrainer

# Words in several scripts and cases, so the vectorizer meets what Keras lower-cases and what
# it keeps as written.
NON_ASCII = {"ka": "Ká", "lo": "東", "mi": "ÉT", "ne": "ß", "su": "🎉", "ta": "Ça"}


def write_data(path: Path, task: Task, rows: int = 400, seed: int = 0) -> Path:
    frame = sample_frame(task=task, rows=rows, classes=4, seed=seed)
    for plain, other in NON_ASCII.items():
        frame["text"] = frame["text"].str.replace(plain, other, regex=False)
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module", params=list(Task))
def scripted_study(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   ) -> tuple[Task, Path, str]:
    """A study of each task whose starting points (the expert's linear grid, an n-gram MLP) and
    a BiLSTM beside an n-gram MLP ran with the scripted trainer: params and metrics, no
    TensorFlow."""
    from search import enqueue_params

    task: Task = request.param
    folder = tmp_path_factory.mktemp(task.value)
    data = write_data(folder / "data.csv", task)
    url = f"sqlite:///{folder / 'studies.db'}"
    config = create_study("s", data, storage_url=url, max_epochs=3)
    # Queued behind the 8 starting points, before any trial a walk along C queues.
    enqueue_params("s", {**WIDE_DEEP, "ngram_vocab": config.space["ngram_vocab"]["high"]}, url)
    run_worker("s", url, n_trials=9, trainer=ScriptedTrainer())
    return task, data, url


WIDE_DEEP = {"family": "wide_deep", "ngram_order": 2, "ngram_weighting": "tfidf",
             "chars": False, "ngram_hidden": True, "ngram_units": 64, "ngram_l2": 1e-8,
             "rnn_layers": 1, "cell": "lstm", "rnn_units": 16, "bidirectional": True,
             "embedding_dim": 16, "embedding_dropout": 0.1, "conv": False, "pooling": "max_avg",
             "dropout": 0.4, "dense_layers": 0, "learning_rate": 0.003, "batch_size": 64,
             "class_weight": "none", "loss": "crossentropy"}


# One trial of each family the starting points hold: linear, ngram, wide_deep.
TRIALS = (0, 7, 8)


def _export(url: str, folder: Path, trial: int) -> ModuleType:
    path = export_script("s", folder / f"train_{trial}.py", url, trial_number=trial)
    return load_script(path)


@pytest.mark.parametrize("trial", TRIALS)
def test_the_scripts_model_is_the_trials_layer_for_layer(scripted_study, tmp_path, trial):
    from search.training import network_dims
    from spaces.model import build_network

    task, _, url = scripted_study
    module = _export(url, tmp_path, trial)
    study, config = open_study("s", url)
    summary = summarize_trial(study.trials[trial], config)
    data = load_data(study, config)
    n_out = 1 if task is Task.BINARY else len(config.classes)
    theirs = build_network(summary.params, network_dims(
        data, summary.params, task, len(config.classes)), sparse=True)
    assert theirs.output_shape[-1] == n_out
    mine = module.build_network()
    assert [type(layer).__name__ for layer in mine.layers] == \
        [type(layer).__name__ for layer in theirs.layers]
    for a, b in zip(mine.layers, theirs.layers, strict=True):
        for key in ("units", "output_dim", "input_dim", "rate", "kernel_regularizer"):
            assert str(a.get_config().get(key)) == str(b.get_config().get(key)), (a.name, key)
    assert mine.count_params() == theirs.count_params() > 0


def test_the_script_reads_the_studys_rows_and_scores_as_hpsearch(scripted_study, tmp_path):
    task, _, url = scripted_study
    study, config = open_study("s", url)
    data = load_data(study, config)
    module = _export(url, tmp_path, TRIALS[0])
    texts, y, validation, held = module.read_rows(tmp_path / f"train_{TRIALS[0]}.rows.jsonl")
    assert texts == data.train_texts + data.val_texts + data.held_texts
    assert np.array_equal(y, np.concatenate([data.y_train, data.y_val, data.y_held]))
    ends = len(data.train_texts) + len(data.val_texts)
    assert validation.sum() == len(data.val_texts) and validation[len(data.train_texts):ends].all()
    assert held.sum() == len(data.held_texts) > 0 and held[ends:].all()
    rng = np.random.default_rng(0)
    probs = rng.random((len(data.y_val), len(config.classes) if task is not Task.BINARY else 1))
    if task is Task.MULTICLASS:
        probs /= probs.sum(axis=1, keepdims=True)
    ours, theirs = evaluate(task.value, data.y_val, probs, config.classes), \
        module.scores_of(data.y_val, probs)
    assert set(theirs) == set(ours)
    for key, value in theirs.items():
        if isinstance(value, float):
            assert value == pytest.approx(ours[key], abs=1e-12), key


def test_the_generated_scripts_pass_ruff_and_stay_short(scripted_study, tmp_path):
    """The multi-class n-gram script under 240 lines, the linear one under 295 (about 30 lines
    of each are hpsearch's class-weight functions, and the linear one prints its solver's
    one-vs-rest targets and weights for every task; the n-gram one decides whether its bag
    trains dense); a recurrent one beside an n-gram branch (its helpers and word ids) is under
    270."""
    task, _, url = scripted_study
    for trial, most in ((TRIALS[0], 295), (TRIALS[1], 240), (TRIALS[2], 270)):
        path = export_script("s", tmp_path / f"train_{trial}.py", url, trial_number=trial)
        found = subprocess.run([sys.executable, "-m", "ruff", "check", "--config",
                                str(Path(__file__).parents[3] / "pyproject.toml"),
                                str(path)], capture_output=True, text=True)
        assert found.returncode == 0, found.stdout
        lines = len(path.read_text().splitlines())
        assert lines < most or task is not Task.MULTICLASS, (trial, lines)


def test_export_refuses_a_directory_for_the_script(scripted_study, tmp_path):
    from search._errors import PathError

    _, _, url = scripted_study
    with pytest.raises(PathError, match="is a directory; name the file to write"):
        export_script("s", tmp_path, url)


# ---- Real training: the script and the kept model against the trial ----------------------

CHEAP = {
    "ngram": {"family": "ngram", "ngram_order": 2, "ngram_vocab": 5000,
              "ngram_weighting": "tfidf", "chars": True, "char_orders": "2-4",
              "char_vocab": 3000, "ngram_units": 32, "ngram_l2": 1e-7, "dropout": 0.2,
              "dense_layers": 0, "learning_rate": 0.01, "batch_size": 64,
              "class_weight": "balanced", "loss": "crossentropy"},
    "linear": {"family": "linear", "ngram_order": 2, "ngram_vocab": 5000,
               "ngram_weighting": "tfidf", "chars": True, "char_orders": "2-5",
               "char_vocab": 3000, "solver": "svm", "linear_c": 0.5,
               "class_weight": "balanced"},
    "sequence": {"family": "sequence", "rnn_layers": 1, "cell": "gru", "rnn_units": 8,
                 "bidirectional": False, "embedding_trainable": True, "embedding_dropout": 0.0,
                 "dropout": 0.1, "conv": False, "pooling": "max", "dense_layers": 0,
                 "learning_rate": 0.01, "batch_size": 64, "class_weight": "none",
                 "loss": "crossentropy"},
}


def _trained_study(folder: Path, task: Task, params: dict[str, Any],
                   **options: Any) -> tuple[str, Path]:
    from search import enqueue_params

    data = write_data(folder / "data.csv", task, rows=360)
    url = f"sqlite:///{folder / 'studies.db'}"
    config = create_study("s", data, storage_url=url, max_epochs=3, start_points=False,
                          **options)
    enqueue_params("s", _fit_vocab(params, config), url)
    run_worker("s", url, n_trials=1)
    return url, data


def _fit_vocab(params: dict[str, Any], config: Any) -> dict[str, Any]:
    """``params`` with the n-gram vocabularies the study's data offers."""
    if "ngram_vocab" not in params:
        return params
    return {**params, "ngram_vocab": config.space["ngram_vocab"]["high"],
            "char_vocab": config.space["char_vocab"]["high"]}


@pytest.mark.slow
@pytest.mark.parametrize(("task", "family"), [(Task.MULTICLASS, "ngram"),
                                              (Task.MULTICLASS, "linear"),
                                              (Task.BINARY, "linear"),
                                              (Task.MULTILABEL, "ngram"),
                                              (Task.MULTILABEL, "linear")])
def test_the_exported_script_reproduces_the_trial(task: Task, family: str,
                                                  tmp_path: Path) -> None:
    from search.metrics import KEY_METRICS

    url, data = _trained_study(tmp_path, task, CHEAP[family])
    study, config = open_study("s", url)
    trial = summarize_trial(study.trials[0], config)
    script = export_script("s", tmp_path / "train_best.py", url)
    found = run_script(script, "--out", str(tmp_path / "model"))
    for metric in KEY_METRICS[task]:
        assert abs(found[metric] - trial.metrics[metric]) <= 0.01, metric
    labels = json.loads((tmp_path / "model" / "labels.json").read_text())
    assert labels["classes"] == config.classes and labels["task"] == task.value
    card = (tmp_path / "model" / "README.md").read_text()
    assert "majority" in card and config.data_fingerprint[:16] in card
    assert "Retrained by `python" in card
    if task is Task.BINARY:  # every row: no validation score, the trial's thresholds kept
        assert "this model" not in call_main(script, "--out", str(tmp_path / "full"), "--full")
        labels = json.loads((tmp_path / "full" / "labels.json").read_text())
        assert labels["thresholds"] == trial.thresholds


@pytest.mark.slow
def test_the_script_with_val_data_and_word_vectors(tmp_path: Path) -> None:
    train = write_data(tmp_path / "train.csv", Task.MULTICLASS, rows=300, seed=1)
    val = write_data(tmp_path / "val.csv", Task.MULTICLASS, rows=100, seed=2)
    words = pd.read_csv(train)["text"].str.split().explode().unique()[:80]
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("".join(f"{w} {i % 7 / 10} 0.2 0.3\n" for i, w in enumerate(words)))
    from search import enqueue_params

    url = f"sqlite:///{tmp_path / 'studies.db'}"
    create_study("s", train, storage_url=url, max_epochs=3, start_points=False, val_data=val,
                 embeddings=vectors)
    enqueue_params("s", CHEAP["sequence"], url)
    run_worker("s", url, n_trials=1)
    study, config = open_study("s", url)
    trial = summarize_trial(study.trials[0], config)
    script = export_script("s", tmp_path / "train_best.py", url)
    assert (tmp_path / "train_best.embeddings.npy").is_file()
    rows = [json.loads(line) for line in (tmp_path / "train_best.rows.jsonl").open()]
    # The --val-data rows validate, half of them held out of every choice.
    assert sum(row["validation"] is True for row in rows) == 50
    assert sum(row["validation"] == "held" for row in rows) == 50
    found = run_script(script, "--out", str(tmp_path / "model"))
    for metric in ("val_loss", "accuracy", "macro_f1"):
        assert abs(found[metric] - trial.metrics[metric]) <= 0.01, metric


@pytest.mark.slow
def test_export_model_is_the_trial_exactly(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data.csv", Task.MULTILABEL, rows=360)
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    config = create_study("s", data, storage_url=url, max_epochs=3, start_points=False)
    from search import enqueue_params

    enqueue_params("s", _fit_vocab(CHEAP["ngram"], config), url)
    run_worker("s", url, n_trials=1)
    folder = export_model("s", tmp_path / "kept", url)
    study, config = open_study("s", url)
    trial = summarize_trial(study.trials[0], config)
    import keras

    # Loaded as anyone would, with Keras alone: hpsearch registers no Keras object of its own.
    assert not keras.saving.get_custom_objects()
    model = keras.models.load_model(folder / "model.keras", safe_mode=True)
    chosen = load_data(study, config)  # the validation rows the trial was scored on
    probs = model.predict(np.array(chosen.val_texts, dtype=object), verbose=0)
    found = evaluate("multilabel", chosen.y_val, probs, config.classes)
    for metric, value in trial.metrics.items():
        assert found[metric] == pytest.approx(value, abs=1e-6), metric
    labels = json.loads((folder / "labels.json").read_text())
    assert labels["thresholds"] == trial.thresholds


_CYRILLIC = str.maketrans("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопярстужвьыз")


@pytest.mark.slow
def test_the_exported_model_folds_case_beyond_ascii_as_the_study_did(tmp_path: Path) -> None:
    """Cyrillic texts cased as prose (Keras' layers lower-case A to Z only): the study counts
    ``Школа`` as ``школа``, and the exported model, loaded by Keras alone, scores the trial's
    validation rows exactly as the trial did."""
    frame = sample_frame(Task.MULTICLASS, rows=360, seed=3)
    texts = [t.translate(_CYRILLIC) for t in frame["text"]]
    frame["text"] = [t.upper() if i % 7 == 0 else t[:1].upper() + t[1:]
                     for i, t in enumerate(texts)]
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    config = create_study("s", data, storage_url=url, max_epochs=3, start_points=False)
    from search import enqueue_params

    enqueue_params("s", _fit_vocab(CHEAP["linear"], config), url)
    run_worker("s", url, n_trials=1)
    study, config = open_study("s", url)
    chosen = load_data(study, config)
    vocabulary = chosen.vocabulary
    assert len(vocabulary.word_variants) and len(vocabulary.ngram_variants)
    assert len(vocabulary.char_variants)
    assert all(w == w.lower() for w in vocabulary.words)
    trial = summarize_trial(study.trials[0], config)
    folder = export_model("s", tmp_path / "kept", url)
    import keras

    model = keras.models.load_model(folder / "model.keras", safe_mode=True)
    probs = model.predict(np.array(chosen.val_texts, dtype=object), verbose=0)
    found = evaluate("multiclass", chosen.y_val, probs, config.classes)
    for metric, value in trial.metrics.items():
        assert found[metric] == pytest.approx(value, abs=1e-6), metric


def test_the_script_of_a_trial_kept_short_of_every_row_trains_on_its_first_rows(
        scripted_study, tmp_path, monkeypatch):
    """A solved trial grown to fewer rows than the study's training rows: its script fits the
    first of them (the study stores them in a stratified order), --full every row."""
    import contextlib
    import dataclasses

    from search.export import _export
    from tests.exported import without_hpsearch

    task, _, url = scripted_study
    if task is not Task.MULTICLASS:
        pytest.skip("the rows rule is the same for every task")
    summarize = _export.summarize_trial
    monkeypatch.setattr(_export, "summarize_trial", lambda *args: dataclasses.replace(
        summarize(*args), rows=120, logit_scale=1.0))  # the scripted trainer records none
    path = export_script("s", tmp_path / "short.py", url, trial_number=TRIALS[0])
    assert "TRAIN_ROWS = 120" in path.read_text()
    study, config = open_study("s", url)
    data = load_data(study, config)
    module = load_script(path)
    fitted: list[list[str]] = []
    fit = module.fit_network
    module.fit_network = lambda network, inputs, texts, y: (fitted.append(texts),
                                                            fit(network, inputs, texts, y))
    for args in (["--out", str(tmp_path / "m")], ["--out", str(tmp_path / "f"), "--full"]):
        with without_hpsearch([str(path), *args]), contextlib.chdir(tmp_path):
            module.main(args)
    assert fitted[0] == data.train_texts[:120]
    assert len(fitted[1]) == data.n_rows
