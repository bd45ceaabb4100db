"""Two users' traps rebuilt with generated data of the same shape (an unstratified
validation_split with MSE on 17:1 binary data; a sparse multi-label model that predicts all
zeros): hpsearch's searched model against the users' own unweighted setup, same epochs, same
split, both scored on the validation rows held out of every choice (hpsearch's thresholds were
tuned on the other validation rows, never on the rows that score them)."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from optuna.trial import TrialState

from search import create_study, run_worker
from search.data._sample import write_sample
from search.options import PrunerName
from search.study import load_data
from search.study._open import open_study
from spaces import Task
from spaces.features import StudyData

pytestmark = pytest.mark.slow
EPOCHS = 5
SMALL_SPACE = ("params:\n  rnn_layers: {low: 0, high: 1}\n  rnn_units: {low: 8, high: 32}\n"
               "  embedding_dim: {low: 16, high: 32}\n  dense_layers: {low: 0, high: 1}\n"
               "  learning_rate: {low: 0.003, high: 0.01, log: true}\n  batch_size: [32, 64]\n")


def dense_ids(ids: np.ndarray, splits: np.ndarray) -> np.ndarray:
    out = np.zeros((len(splits) - 1, int(np.diff(splits).max())), dtype="int32")
    for i in range(len(splits) - 1):
        row = ids[splits[i]:splits[i + 1]]
        out[i, :len(row)] = row
    return out


def seed_inputs(data: StudyData) -> tuple[np.ndarray, np.ndarray]:
    """Dense, padded token ids of the training and held rows, seeded Keras: how the seeds fed
    their models."""
    import keras

    from spaces.features import encode

    keras.utils.set_random_seed(0)
    train, held = (encode(texts, data.vocabulary).words
                   for texts in (data.train_texts, data.held_texts))
    return dense_ids(train.values, train.splits), dense_ids(held.values, held.splits)


def held_scores(study: Any, best: Any, data: StudyData, task: Task) -> dict:
    """The best trial's metrics on the held rows, at the thresholds it chose elsewhere."""
    from search.metrics import evaluate
    from search.study import HELD_FILE, config_of, kept_probabilities

    probs = kept_probabilities(study, HELD_FILE)[best.number]
    return evaluate(task.value, data.y_held, probs, config_of(study).classes,
                    thresholds=best.user_attrs["thresholds"], tune=False)


def searched(tmp_path: Path, data: Path, url: str,
             name: str) -> tuple[list, StudyData, object, object]:
    space = tmp_path / "space.yaml"
    space.write_text(SMALL_SPACE)
    create_study(name, data, storage_url=url, max_epochs=EPOCHS, pruner=PrunerName.NONE,
                 space=space, patience=EPOCHS)
    run_worker(name, url, n_trials=3, seed=0)
    study, config = open_study(name, url)
    done = [t for t in study.get_trials() if t.state is TrialState.COMPLETE]
    assert done, [t.user_attrs.get("fail_reason") for t in study.get_trials()]
    return done, load_data(study, config), study.best_trial, study


def test_seed_002_imbalanced_binary_minority_f1(tmp_path: Path, sqlite_url: str) -> None:
    import keras

    data = write_sample(tmp_path / "d.csv", task=Task.BINARY, rows=1800, imbalance=17.0,
                        signal=0.12, seed=2)
    done, prepared, best, study = searched(tmp_path, data, sqlite_url, "seed002")
    ours = held_scores(study, best, prepared, Task.BINARY)

    # The seed's setup: sigmoid unit, MSE, SGD, Keras' unstratified validation_split, 0.5.
    x_train, x_held = seed_inputs(prepared)
    model = keras.Sequential([keras.layers.Embedding(prepared.vocabulary.word_vocab_size, 16),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x_train, prepared.y_train, validation_split=0.2, batch_size=10, epochs=EPOCHS,
              verbose=0)
    pred = (model.predict(x_held, verbose=0)[:, 0] > 0.5).astype(int)
    y = prepared.y_held.astype(int)
    tp = int((pred & y).sum())
    seed_f1 = 2 * tp / max(pred.sum() + y.sum(), 1)

    print(f"seed 002, held rows: minority F1 hpsearch {ours['f1_positive']:.3f} "
          f"(positive rate {ours['positive_rate']:.3f}) vs seed setup {seed_f1:.3f} "
          f"(positive rate {pred.mean():.3f})")
    assert ours["f1_positive"] > seed_f1 + 0.1, (ours, seed_f1)
    for trial in done:
        assert trial.user_attrs["positive_rate"] > 0.0  # never all-zero predictions
        assert len(trial.user_attrs["thresholds"]) == 1


def test_seed_003_sparse_multilabel_recall(tmp_path: Path, sqlite_url: str) -> None:
    import keras

    data = write_sample(tmp_path / "d.csv", task=Task.MULTILABEL, rows=2000, classes=30,
                        signal=0.1, seed=3)
    done, prepared, best, study = searched(tmp_path, data, sqlite_url, "seed003")
    ours = held_scores(study, best, prepared, Task.MULTILABEL)

    # The seed's setup: two Dense(100) layers, 30 sigmoid outputs, unweighted BCE, 0.5.
    x_train, x_held = seed_inputs(prepared)
    model = keras.Sequential([keras.layers.Embedding(prepared.vocabulary.word_vocab_size, 16),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(100, activation="relu"),
                              keras.layers.Dense(100, activation="relu"),
                              keras.layers.Dense(30, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x_train, prepared.y_train, batch_size=10, epochs=EPOCHS, verbose=0)
    pred = model.predict(x_held, verbose=0) > 0.5
    y = prepared.y_held > 0
    seed_recall = (pred & y).sum() / y.sum()
    seed_all_zero = float((pred.sum(axis=1) == 0).mean())

    print(f"seed 003, held rows: recall hpsearch {ours['recall']:.3f} (all-zero rows "
          f"{ours['all_zero_rows']:.3f}) vs seed setup {seed_recall:.3f} "
          f"(all-zero rows {seed_all_zero:.3f})")
    assert ours["recall"] > seed_recall + 0.1, (ours, seed_recall)
    assert ours["all_zero_rows"] < seed_all_zero
    for trial in done:
        assert trial.user_attrs["all_zero_rows"] < 1.0
        assert len(trial.user_attrs["thresholds"]) == 30
