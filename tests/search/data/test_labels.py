"""The one label parser: labels as written in every format, JSON lists and the separator in
any format, and the rule that decides multi-label."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from search._errors import DataError
from search.data import joined_labels, label_name, load_split, parse_label_cell
from search.data._labels import LISTED, MISSING, ONE, SPLIT
from search.data._table import load_table
from search.options import DataOptions


@pytest.mark.parametrize(("value", "name"), [
    (0, "0"), (np.int64(3), "3"), (1.0, "1.0"), (0.5, "0.5"), (True, "true"),
    (np.bool_(False), "false"), ("  x ", "x"), ("0.0", "0.0")])
def test_a_label_is_named_as_written(value: object, name: str) -> None:
    assert label_name(value) == name


@pytest.mark.parametrize(("cell", "sep", "parsed"), [
    ('["x", "y"]', "|", (["x", "y"], LISTED)),
    ('[1, 2]', "|", (["1", "2"], LISTED)),
    (["x", " y ", None], "|", (["x", "y"], LISTED)),
    (np.array(["x"]), "|", (["x"], LISTED)),
    ("[draft]", "|", (["[draft]"], ONE)),
    ("a|b", "|", (["a", "b"], SPLIT)),
    ("a|b", None, (["a|b"], ONE)),
    ("[]", "|", ([], MISSING)),
    (" ", "|", ([], MISSING)),
    (None, "|", ([], MISSING)),
    (math.nan, "|", ([], MISSING)),
    (pd.NA, "|", ([], MISSING)),
    (7, "|", (["7"], ONE)),
])
def test_a_cell_is_missing_one_listed_or_split(cell: object, sep: str | None,
                                               parsed: tuple[list[str], str]) -> None:
    assert parse_label_cell(cell, sep) == parsed


def test_a_nested_list_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": "x"}\n{"text": "b", "label": [["x"]]}\n')
    with pytest.raises(DataError, match=r"row 2: a label must be text or a number, but got "
                                        r"\['x'\]"):
        load_table(path)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_json_lists_are_labels_in_every_format(tmp_path: Path, suffix: str) -> None:
    lists = [["x", "y"], ["x"], [], ["y", "z"]]
    texts = ["one text", "two texts", "three", "four"]
    path = tmp_path / f"d{suffix}"
    if suffix == ".parquet":
        pd.DataFrame({"text": texts, "label": lists}).to_parquet(path)
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps({"text": t, "label": y}) + "\n"
                                for t, y in zip(texts, lists, strict=True)))
    elif suffix == ".tsv":  # tab-separated, no quoting: the cell is the JSON as typed
        path.write_text("text\tlabel\n" + "".join(f"{t}\t{json.dumps(y)}\n"
                                                  for t, y in zip(texts, lists, strict=True)))
    else:
        cells = [json.dumps(y) for y in lists]
        pd.DataFrame({"text": texts, "label": cells}).to_csv(path, index=False)
    table = load_table(path)
    assert table.multilabel and table.labels == lists


def rows_with_separators(tmp_path: Path, several: int, rows: int = 60) -> Path:
    labels = ["a" if i % 2 else "b" for i in range(rows - several)] + ["a|b"] * several
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": [f"text {i}" for i in range(rows)], "label": labels}).to_csv(
        path, index=False)
    return path


def test_one_row_in_twenty_with_the_separator_is_multilabel(tmp_path: Path) -> None:
    table = load_table(rows_with_separators(tmp_path, several=3))  # 5%
    assert table.multilabel and table.labels[-1] == ["a", "b"]


def test_fewer_rows_with_the_separator_must_be_told(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"2 of 60 labelled rows \(3\.3%\) hold the label "
                                        r"separator '\|' \(rows 59, 60: 'a\|b', 'a\|b'\)"):
        load_table(rows_with_separators(tmp_path, several=2))


def test_the_validation_file_follows_the_training_files_decision(tmp_path: Path) -> None:
    train = tmp_path / "t.csv"
    pd.DataFrame({"text": [f"text {i}" for i in range(20)],
                  "label": ["a", "b"] * 10}).to_csv(train, index=False)
    val = tmp_path / "v.csv"
    pd.DataFrame({"text": ["x y", "z w", "q r"], "label": ["a", "b", "a|b"]}).to_csv(
        val, index=False)
    split = load_split(train, DataOptions(val_data=val))
    assert split.labels[-1] == ["a|b"] and split.task.value == "multiclass"


@pytest.mark.parametrize(("classes", "joiner"), [
    (["a", "a;b", "b"], ";"), (["a,b", "a,c", "d"], ","), (["Sci/Tech", "World"], None),
    (["C++", "Java"], None)])
def test_labels_that_look_joined(classes: list[str], joiner: str | None) -> None:
    warning = joined_labels(classes)
    if joiner is None:
        assert warning is None
    else:
        assert warning is not None and f"joined by {joiner!r}" in warning
        assert f"--label-sep {joiner!r}" in warning
