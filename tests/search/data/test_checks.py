"""Data checks, validation files, objective metrics and word vectors at study creation."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from search import DataError, StudyError, create_study
from search.data._embeddings import load_embedding_matrix
from search.study import open_study
from tests.worker_procs import KERAS_FAMILIES


def frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["text", "label"])


def test_report_counts_conflicts_leakage_imbalance_and_rare_classes(
        tmp_path: Path, sqlite_url: str) -> None:
    rows = [(f"common text number {i}", "big") for i in range(120)]
    rows += [(f"small text {i}", "small") for i in range(8)]
    rows += [("the same words", "big"), ("the same words", "small")]  # conflicting duplicate
    rows += [("repeated line", "big")] * 10  # duplicates: some land in both splits
    rows += [("only once", "lonely")]
    path = tmp_path / "d.csv"
    frame(rows).to_csv(path, index=False)
    config = create_study("s", path, storage_url=sqlite_url)
    report = config.data_report
    assert report["conflicting_duplicates"] == 1
    assert report["val_rows_also_in_train"] >= 1
    assert report["class_counts"] == {"big": 131, "lonely": 1, "small": 9}
    assert report["imbalance_ratio"] == 131.0
    assert report["classes_not_in_both_splits"] == ["lonely"]
    assert any("too rare to appear in both splits: lonely" in w for w in report["warnings"])


def test_val_data_replaces_the_split(tmp_path: Path, sqlite_url: str) -> None:
    train = tmp_path / "train.csv"
    val = tmp_path / "val.jsonl"
    frame([(f"a{i}", "x") for i in range(20)] + [(f"b{i}", "y") for i in range(20)]).to_csv(
        train, index=False)
    frame([("a x", "x"), ("b y", "y"), ("c", "y")]).to_json(val, orient="records", lines=True)
    config = create_study("s", train, storage_url=sqlite_url, val_data=val)
    assert config.data_report["train_rows"] == 40 and config.data_report["val_rows"] == 3


@pytest.mark.parametrize(("metric", "direction"), [("val_loss", "minimize"),
                                                   ("macro_f1", "maximize"),
                                                   ("pr_auc", "maximize")])
def test_metric_sets_the_direction(metric: str, direction: str, tmp_path: Path,
                                   sqlite_url: str) -> None:
    path = tmp_path / "d.csv"
    frame([(f"w{i} good", "pos") for i in range(30)] + [(f"w{i} bad", "neg")
                                                         for i in range(30)]).to_csv(path)
    create_study("s", path, storage_url=sqlite_url, metric=metric)
    study, config = open_study("s", sqlite_url)
    assert study.direction.name.lower() == direction == config.direction


def test_metric_the_task_does_not_record_is_refused(multiclass_csv: Path,
                                                    sqlite_url: str) -> None:
    with pytest.raises(StudyError, match=r"--metric 'pr_auc' is not recorded for a multiclass "
                                         r"task\. Choose one of: val_loss, accuracy, macro_f1"):
        create_study("s", multiclass_csv, storage_url=sqlite_url, metric="pr_auc")


def test_word2vec_and_glove_text_files(tmp_path: Path) -> None:
    w2v = tmp_path / "vectors.txt"
    w2v.write_text("3 2\nfilm 0.5 1.5\nGood 2.0 3.0\nunused 9 9\n")
    matrix, coverage = load_embedding_matrix(w2v, ["good", "film", "plot"])
    assert matrix.shape == (5, 2)
    assert np.allclose(matrix[0], 0.0)
    assert np.allclose(matrix[2], [2.0, 3.0]) and np.allclose(matrix[3], [0.5, 1.5])
    assert coverage == pytest.approx(2 / 3)
    bad = tmp_path / "bad.txt"
    bad.write_text("film 0.5 1.5\ngood 2.0\n")
    with pytest.raises(DataError, match=r"line 2 has 1 numbers, but earlier lines have 2"):
        load_embedding_matrix(bad, ["good"])


def test_embeddings_fix_the_dimension_and_search_fine_tuning(
        tmp_path: Path, sqlite_url: str, multiclass_csv: Path) -> None:
    from search.study import summarize_trial
    from tests.scripted_trainer import ScriptedTrainer

    vectors = tmp_path / "glove.txt"
    words = pd.read_csv(multiclass_csv)["text"].str.split().explode().unique()[:50]
    vectors.write_text("".join(f"{w.strip('.')} 0.1 0.2 0.3\n" for w in words))
    config = create_study("s", multiclass_csv, storage_url=sqlite_url, embeddings=vectors,
                          max_epochs=2, start_points=False, space=KERAS_FAMILIES,
                          sampler="random")
    assert config.embeddings is not None and config.embeddings["dim"] == 3
    from search import run_worker

    run_worker("s", sqlite_url, n_trials=12, trainer=ScriptedTrainer())
    study, config = open_study("s", sqlite_url)
    sequence = [summarize_trial(t, config).params for t in study.trials
                if t.params.get("family") in ("sequence", "wide_deep")]
    assert sequence, "some trials read word ids"
    assert all("embedding_trainable" in p and "embedding_dim" not in p for p in sequence)
