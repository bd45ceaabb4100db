"""The texts a model labels, read a batch at a time from any format `create` reads or from
standard input: the same texts, in the same order, as the study reads them (`load_table`),
and the same refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from search._errors import DataError
from search.data import load_table, text_chunks

TEXTS = ["  first text ", "second, with a comma", 'a "quoted" one', "", "ünïcode 東京 🎉", "7"]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"id": range(len(TEXTS)), "body": TEXTS,
                         "label": ["a", "b", "a", "b", "a", "b"]})


def write(frame: pd.DataFrame, path: Path) -> Path:
    fmt = path.suffix
    if fmt == ".csv":
        frame.to_csv(path, index=False)
    elif fmt == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif fmt == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif fmt == ".json":  # a JSON array, which create reads too
        frame.to_json(path, orient="records", force_ascii=False)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".json", ".parquet"])
def test_every_format_gives_the_studys_texts_in_batches(frame: pd.DataFrame, tmp_path: Path,
                                                        suffix: str) -> None:
    path = write(frame, tmp_path / f"data{suffix}")
    batches = list(text_chunks(path, "body", 4))
    assert [len(b) for b in batches] == [4, 2]
    texts = [text for batch in batches for text in batch]
    assert len(texts) == len(TEXTS) and texts[3] == "" and texts[5] == "7"
    # The study's own reading, where it reads the row (it refuses the empty text).
    study = load_table(path, text_col="body", label_col="label", drop_invalid=True)
    assert study.texts == [t for t in texts if t.strip()]


def test_standard_input_is_json_lines_or_a_text_a_line(frame: pd.DataFrame) -> None:
    lines = frame.to_json(orient="records", lines=True, force_ascii=False)
    found = list(text_chunks("-", "body", 10, stdin=io.StringIO("\n" + lines)))
    assert found == [list(TEXTS)]
    plain = "one\n\n{not json} three\n  four  \r\n"
    assert list(text_chunks("-", "body", 2, stdin=io.StringIO(plain))) == [
        ["one", ""], ["{not json} three", "  four  "]]
    assert list(text_chunks("-", "body", 2, stdin=io.StringIO(""))) == []


def test_a_missing_text_column_is_refused_before_any_batch(frame: pd.DataFrame,
                                                           tmp_path: Path) -> None:
    for suffix in (".csv", ".tsv", ".parquet", ".json"):
        path = write(frame, tmp_path / f"data{suffix}")
        with pytest.raises(DataError) as refused:
            text_chunks(path, "text", 4)
        assert str(refused.value) == (f"{str(path)!r} has no text column 'text'. Columns: id, "
                                      "body, label. Use --text-col to name it.")
    lines = io.StringIO('{"body": "x", "label": "a"}\n')
    with pytest.raises(DataError, match="^standard input line 1 has no text column 'text'. "
                                        "Columns: body, label. Use --text-col to name it.$"):
        next(text_chunks("-", "text", 4, stdin=lines))


def test_a_broken_line_and_an_unknown_suffix_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "fine"}\n{"text": "broken"\n', encoding="utf-8")
    batches = text_chunks(path, "text", 1)
    assert next(batches) == ["fine"]
    with pytest.raises(DataError, match=r"data.jsonl' line 2 is not valid JSON \("):
        next(batches)
    other = tmp_path / "data.xlsx"
    other.write_text("x")
    with pytest.raises(DataError, match=r"^Cannot tell the format of .*data.xlsx' from its "
                                        r"suffix '.xlsx'. Supported: .csv, .json, .jsonl, "
                                        r".ndjson, .parquet, .pq, .tsv, or - for standard "
                                        r"input; rename the file to one of them.$"):
        text_chunks(other, "text", 1)
