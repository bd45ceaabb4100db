"""`predict` and `evaluate` refuse what cannot work with the exact message and exit status 2,
before TensorFlow loads (a model folder whose model.keras is never read stands in for one);
and their progress lines keep quiet on short runs. tests/search/predict/ runs them on real
models."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from search.cli import app
from search.predict import ProgressLines

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A model folder as export writes it, but for its model (never loaded here)."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.keras").write_bytes(b"not read by these tests")
    (model / "labels.json").write_text(json.dumps(
        {"classes": ["ham", "spam"], "task": "binary", "thresholds": [0.4]}))
    return model


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    path = tmp_path / "texts.csv"
    pd.DataFrame({"text": ["a", "b", "c"], "label": ["ham", "eggs", "toast"]}).to_csv(
        path, index=False)
    return path


def refused(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_a_missing_model_folder_says_what_one_is(tmp_path: Path, texts: Path) -> None:
    said = refused(["predict", "--model", str(tmp_path / "nope"), "--data", str(texts)])
    assert said == (f"error: Model folder (--model) {str(tmp_path / 'nope')!r} does not exist. "
                    "A model folder is what `hpsearch export --model DIR` writes (model.keras, "
                    "labels.json, README.md); name that folder.")


def test_a_folder_without_labels_is_refused(folder: Path, texts: Path) -> None:
    (folder / "labels.json").unlink()
    said = refused(["predict", "--model", str(folder), "--data", str(texts)])
    assert said == (f"error: Model folder (--model) {str(folder)!r} has no labels.json. A "
                    "model folder is what `hpsearch export --model DIR` writes; export the "
                    "model again or name the folder it wrote.")
    said = refused(["predict", "--model", str(folder / "model.keras"), "--data", str(texts)])
    assert said == (f"error: Model folder (--model) {str(folder / 'model.keras')!r} is the "
                    "model file; name the folder that holds it and labels.json: "
                    f"{str(folder)!r}.")


def test_thresholds_that_do_not_fit_the_task_are_refused(folder: Path, texts: Path) -> None:
    (folder / "labels.json").write_text(json.dumps(
        {"classes": ["ham", "spam"], "task": "binary", "thresholds": [0.4, 0.6]}))
    said = refused(["predict", "--model", str(folder), "--data", str(texts)])
    assert said == (f"error: {str(folder / 'labels.json')!r}: 'thresholds' must be 1 "
                    "number(s), one per output of a binary model, but got [0.4, 0.6].")


def test_an_output_format_it_cannot_tell_is_refused(folder: Path, texts: Path,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "p.xlsx"
    said = refused(["predict", "--model", str(folder), "--data", str(texts), "--out", str(out)])
    assert said == (f"error: Cannot tell the format to write {str(out)!r} in from its suffix "
                    "'.xlsx'. Name it with one of: .csv, .json, .jsonl, .ndjson, .parquet, .pq, "
                    ".tsv; or leave --out out for CSV on standard output.")
    assert not out.exists()


def test_a_missing_text_column_is_refused(folder: Path, texts: Path) -> None:
    said = refused(["predict", "--model", str(folder), "--data", str(texts),
                    "--text-col", "body"])
    assert said == (f"error: {str(texts)!r} has no text column 'body'. Columns: text, label. "
                    "Use --text-col to name it.")


def test_evaluate_refuses_labels_the_model_never_saw(folder: Path, texts: Path) -> None:
    said = refused(["evaluate", "--model", str(folder), "--data", str(texts)])
    assert said == (f"error: {str(texts)!r} has 2 label(s) the model never saw: 'eggs', "
                    "'toast' (rows 2, 3). The model knows: 'ham', 'spam'. Evaluate it on rows "
                    "of those labels: remove or relabel the others (check --label-col and "
                    "--label-sep too).")


def test_progress_lines_wait_for_their_interval() -> None:
    now = [100.0]
    said: list[str] = []
    progress = ProgressLines(every=10.0, clock=lambda: now[0], say=said.append)
    now[0] = 105.0
    progress(5000)
    assert said == []
    now[0] = 112.0
    progress(12_000)
    now[0] = 115.0
    progress(15_000)  # 3 s after the last line: quiet
    assert said == ["12,000 texts labelled (1,000 a second)"]
