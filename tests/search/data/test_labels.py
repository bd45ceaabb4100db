"""The one label parser: labels as written in every format, JSON lists and the separator in
any format, and the rule that decides multi-label."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from search._errors import DataError
from search.data import (
    check_data,
    data_fingerprint,
    fingerprint,
    joined_labels,
    label_name,
    load_split,
    majority_baseline,
    parse_label_cell,
)
from search.data._labels import LISTED, MISSING, ONE, SPLIT
from search.data._table import load_table
from search.options import DataOptions
from spaces import Task


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


def fraud_ok(tmp_path: Path, rows: int = 1000) -> Path:
    """A binary table, 5% fraud: the rare class sorts first."""
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": [f"text {i} here" for i in range(rows)],
                  "label": ["fraud" if i % 20 == 0 else "ok" for i in range(rows)]}).to_csv(
        path, index=False)
    return path


def positive_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "hpsearch" and r.getMessage().startswith("positive class")]


def test_the_rarer_class_is_positive_though_it_sorts_first(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hpsearch"):
        split = load_split(fraud_ok(tmp_path), DataOptions())
    assert split.task is Task.BINARY and split.classes == ["ok", "fraud"]
    fraud = [i for i, labels in enumerate(split.labels) if labels == ["fraud"]]
    assert len(fraud) == 50 and split.y[fraud].tolist() == [1.0] * 50
    assert split.y.sum() == 50  # every other row is 0
    assert positive_lines(caplog) == [
        "positive class: fraud (5.0% of training rows, the rarer class; --positive-label to "
        "change)"]
    # The majority baseline, scored on the positive class, is the rare class's share.
    majority = majority_baseline(split.task, split.y[split.train], split.y[split.val],
                                 split.classes)
    assert majority["pr_auc"] == pytest.approx(0.05) and majority["f1_positive"] == 0.0


def test_positive_label_names_the_positive_class_and_keeps_the_split(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = fraud_ok(tmp_path)
    rare = load_split(path, DataOptions())
    caplog.clear()  # the line of the split above, where an earlier test left INFO on
    with caplog.at_level(logging.INFO, logger="hpsearch"):
        chosen = load_split(path, DataOptions(positive_label="ok"))
    assert chosen.classes == ["fraud", "ok"]
    assert chosen.y.tolist() == (1 - rare.y).tolist() and chosen.y.sum() == 950
    assert chosen.train.tolist() == rare.train.tolist()
    assert positive_lines(caplog) == [
        "positive class: ok (95.0% of training rows, as --positive-label says)"]


def test_positive_label_enters_the_fingerprint_only_when_given(tmp_path: Path) -> None:
    path = fraud_ok(tmp_path)
    before = {k: v for k, v in DataOptions().to_dict().items() if k != "positive_label"}
    # A study made before the option existed keeps its fingerprint, so it still resumes.
    assert data_fingerprint(path, DataOptions()) == fingerprint(path, before)
    assert data_fingerprint(path, DataOptions(positive_label="ok")) != fingerprint(path, before)


def test_equally_frequent_classes_make_the_one_that_sorts_last_positive(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": [f"text {i}" for i in range(40)],
                  "label": ["yes", "no"] * 20}).to_csv(path, index=False)
    with caplog.at_level(logging.INFO, logger="hpsearch"):
        split = load_split(path, DataOptions())
    assert split.classes == ["no", "yes"] and split.y[:2].tolist() == [1.0, 0.0]
    assert positive_lines(caplog) == [
        "positive class: yes (50.0% of training rows, both classes are as frequent, so the one "
        "that sorts last; --positive-label to change)"]


def test_positive_label_must_name_a_class_of_a_binary_task(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^--positive-label must name one of the two classes "
                                        r"of '.*d\.csv' as written, 'fraud' or 'ok', but got "
                                        r"'Fraud'\. Give one of them, or leave --positive-label "
                                        r"out for the rarer one\.$"):
        load_split(fraud_ok(tmp_path), DataOptions(positive_label="Fraud"))
    path = tmp_path / "three.csv"
    pd.DataFrame({"text": [f"text {i}" for i in range(30)],
                  "label": ["a", "b", "c"] * 10}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"^--positive-label applies to binary tasks only, but "
                                        r"'.*three\.csv' makes a multiclass task of 3 classes "
                                        r"\('a', 'b', 'c'\); got --positive-label 'a'\. Leave "
                                        r"--positive-label out"):
        load_split(path, DataOptions(positive_label="a"))


def test_json_booleans_and_their_text_in_other_case_are_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    cells = [True, "True", False, "False"] * 5
    path.write_text("".join(json.dumps({"text": f"text {i}", "label": c}) + "\n"
                            for i, c in enumerate(cells)))
    split = load_split(path, DataOptions())
    assert split.task is Task.MULTICLASS
    assert split.classes == ["False", "True", "false", "true"]
    report = check_data(split.task, split.classes, split.texts, split.labels, split.train,
                        split.val, {"max": 1}, 10)
    cased = [w for w in report["warnings"] if "differ only in case" in w]
    assert cased == [
        "2 group(s) of labels differ only in case, so each label is a class of its own: "
        "'False' and 'false', 'True' and 'true' (JSON Lines names the JSON values true and "
        "false 'true' and 'false', and keeps a text such as \"True\" as written). If they mean the "
        "same, write them alike in the data"]


def test_labels_merged_by_trimming_are_named(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "d.jsonl"
    cells = ["spam ", "spam", "ham", ["ham"], "a | b", "a", "b"]
    path.write_text("".join(json.dumps({"text": f"text {i}", "label": c}) + "\n"
                            for i, c in enumerate(cells * 4)))
    with caplog.at_level(logging.INFO, logger="hpsearch"):
        table = load_table(path, task=Task.MULTILABEL)
    assert table.labels[:2] == [["spam"], ["spam"]] and table.labels[4] == ["a", "b"]
    said = [r.getMessage() for r in caplog.records if "trimmed" in r.getMessage()]
    # 'a | b' is split on the separator: the spaces around it are no second way of writing.
    assert said == [f"{path}: labels are trimmed, so labels written with spaces around them "
                    "join the class of their text: 'spam ' and 'spam' are the class 'spam'"]
