from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from search._errors import DataError
from search.data._labels import encode_labels
from search.data._read import read_table
from search.data._split import split_indices
from search.data._table import detect_task, load_table
from spaces import Task


def write(tmp_path: Path, name: str, frame: pd.DataFrame) -> Path:
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    elif name.endswith(".jsonl"):
        frame.to_json(path, orient="records", lines=True)
    elif name.endswith(".tsv"):
        frame.to_csv(path, sep="\t", index=False)
    else:
        frame.to_csv(path, index=False)
    return path


FRAME = pd.DataFrame({"text": ["good film", "bad film", "fine", "awful"],
                      "label": ["pos", "neg", "pos", "neg"]})


@pytest.mark.parametrize("name", ["d.csv", "d.tsv", "d.jsonl", "d.parquet"])
def test_every_format_reads_the_same(tmp_path: Path, name: str) -> None:
    table = load_table(write(tmp_path, name, FRAME))
    assert table.texts == ["good film", "bad film", "fine", "awful"]
    assert detect_task(table) == (Task.BINARY, ["neg", "pos"])


@pytest.mark.parametrize("name", ["d.csv", "d.tsv", "d.jsonl", "d.parquet"])
def test_only_the_text_and_label_columns_are_kept(tmp_path: Path, name: str) -> None:
    wide = FRAME.assign(notes=["x" * 1000] * 4, id=range(4))[["id", "text", "notes", "label"]]
    frame = read_table(write(tmp_path, name, wide), "text", "label")
    assert sorted(frame.columns) == ["label", "text"]
    assert frame["text"].tolist() == FRAME["text"].tolist()


@pytest.mark.parametrize("name", ["d.csv", "d.tsv", "d.jsonl", "d.parquet"])
def test_a_missing_column_lists_every_column_of_each_format(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, FRAME.assign(id=range(4)).rename(columns={"text": "review"}))
    with pytest.raises(DataError, match=r"has no text column 'text'\. Columns: review, label, "
                                        r"id\. Use --text-col"):
        read_table(path, "text", "label")


def test_csv_read_in_chunks_is_whole_and_checked(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("search.data._read.CSV_CHUNK_ROWS", 3)
    path = write(tmp_path, "d.csv", pd.concat([FRAME.assign(id=range(4))] * 2))
    assert read_table(path, "text", "label")["text"].tolist() == FRAME["text"].tolist() * 2
    path.write_text(path.read_text() + "one,cell,too,many\n")
    with pytest.raises(DataError, match="Expected 3 fields in line 10, saw 4"):
        load_table(path)


def test_json_lines_keep_the_first_of_a_repeated_key(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "first", "label": "a", "text": "second"}\n'
                    '{"label": "b", "text": "other", "extra": 1}\n')
    frame = read_table(path, "text", "label")
    assert frame.to_dict("list") == {"text": ["first", "other"], "label": ["a", "b"]}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"does not exist"):
        load_table(tmp_path / "nope.csv")


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    path.write_text("x")
    with pytest.raises(DataError, match=r"Supported: \.csv"):
        load_table(path)


def test_missing_column_lists_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", FRAME.rename(columns={"text": "review"}))
    with pytest.raises(DataError, match=r"has no text column 'text'\. Columns: review, label\. "
                                        r"Use --text-col"):
        load_table(path)


def test_empty_dataset(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("text,label\n")
    with pytest.raises(DataError, match="has no data rows"):
        load_table(path)


def test_single_class(tmp_path: Path) -> None:
    table = load_table(write(tmp_path, "d.csv", FRAME.assign(label="pos")))
    with pytest.raises(DataError, match=r"single class \('pos'\)"):
        detect_task(table)


def test_empty_texts_and_missing_labels_give_counts_and_rows(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "", "c", "d", "  "], "label": ["x", "y", None, "x", "y"]})
    path = write(tmp_path, "d.csv", frame)
    with pytest.raises(DataError) as info:
        load_table(path)
    assert "2 empty text(s) in rows 2, 5" in str(info.value)
    assert "1 missing label(s) in rows 3" in str(info.value)
    assert "--drop-invalid" in str(info.value)
    table = load_table(path, drop_invalid=True)
    assert table.texts == ["a", "d"] and table.dropped == 3


def test_multilabel_is_detected_and_empty_rows_are_allowed(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": ["x|y", "", "z"]})
    table = load_table(write(tmp_path, "d.csv", frame))
    task, classes = detect_task(table)
    assert task is Task.MULTILABEL and classes == ["x", "y", "z"]
    y = encode_labels(table.labels, task.value, classes)
    assert y.tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 1]]


def test_several_labels_with_forced_multiclass_are_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b"], "label": ['["x", "y"]', "z"]})
    with pytest.raises(DataError, match=r"several labels in a single-label task, rows 1"):
        load_table(write(tmp_path, "d.csv", frame), task=Task.MULTICLASS)
    # A single-label task keeps a cell whole: the separator is part of the name.
    frame = pd.DataFrame({"text": ["a", "b"], "label": ["x|y", "z"]})
    table = load_table(write(tmp_path, "d.csv", frame), task=Task.MULTICLASS)
    assert table.labels == [["x|y"], ["z"]]


def test_stratified_split_keeps_class_shares_and_is_seeded() -> None:
    y = np.array([0] * 170 + [1] * 10)  # 17:1, seed 002
    train, val = split_indices(y, "binary", 0.2, seed=3)
    assert len(set(train) & set(val)) == 0 and len(train) + len(val) == 180
    assert y[val].sum() == 2 and (y[val] == 0).sum() == 34
    again = split_indices(y, "binary", 0.2, seed=3)
    assert np.array_equal(val, again[1])
    assert not np.array_equal(val, split_indices(y, "binary", 0.2, seed=4)[1])


def test_a_class_with_one_row_stays_in_training() -> None:
    y = np.array([0] * 10 + [1] * 10 + [2])
    train, val = split_indices(y, "multiclass", 0.3, seed=0)
    assert 20 in train and 20 not in val


def test_iterative_stratification_puts_rare_labels_in_both_splits() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random((900, 30)) < 1 / 30).astype(int)  # seed 003: sparse labels
    train, val = split_indices(y, "multilabel", 0.2, seed=0)
    shares = y[val].sum(axis=0) / np.maximum(y.sum(axis=0), 1)
    assert np.all(np.abs(shares - 0.2) < 0.08)
    both = (y[train].sum(axis=0) > 0) & (y[val].sum(axis=0) > 0)
    assert both[y.sum(axis=0) >= 2].all()
