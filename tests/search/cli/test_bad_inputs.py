"""Malformed inputs, table-driven: every command refuses them with exit status 2, a message that
names the problem and the fix, no traceback, and nothing left behind (no study, trial, stored
data or file) nor rewritten (a file the user wrote keeps its bytes). Then legal but likely
mistaken data: read right, and warned about.

Each case runs in its own empty folder, beside one shared study (``s``, one finished trial) in
``shared/studies.db``. Placeholders in the arguments: ``{db}`` the shared study's URL,
``{new}`` a URL of a SQLite file in the case's folder that must not appear, ``{data}`` the
shared study's data, ``{here}`` the case's folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from search import create_study, delete_study, list_studies
from search.cli import app
from search.data import write_sample
from search.training import FitSettings, TrainResult
from spaces import Task
from tests.exported import call_main
from tests.scripted_studies import make_study
from tests.scripted_trainer import ScriptedTrainer
from tests.worker_procs import REPO

runner = CliRunner()
Setup = Callable[[Path], None]


def write(name: str, text: str | bytes) -> Setup:
    def setup(here: Path) -> None:
        path = here / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode() if isinstance(text, str) else text)
    return setup


def table(name: str, labels: list[object], texts: list[str] | None = None) -> Setup:
    """A data file of the given labels (texts made up unless given), in the suffix's format."""
    def setup(here: Path) -> None:
        rows = list(zip(texts or [f"text number {i} here" for i in range(len(labels))], labels,
                        strict=True))
        path = here / name
        if name.endswith(".jsonl"):  # as written: 0 stays 0 (pandas would write 0.0)
            path.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in rows))
        else:
            pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    return setup


def combine(*setups: Setup) -> Setup:
    def setup(here: Path) -> None:
        for one in setups:
            one(here)
    return setup


GOOD = {"family": "sequence", "rnn_layers": 1, "cell": "lstm", "rnn_units": 100,
        "bidirectional": False, "embedding_dim": 80, "embedding_dropout": 0.2, "dropout": 0.2,
        "conv": False,
        "pooling": "last", "dense_layers": 0, "learning_rate": 0.001, "batch_size": 128,
        "class_weight": "none", "loss": "crossentropy"}
FEW_SEPARATORS = ["a" if i % 2 else "b" for i in range(60)] + ["a|b"]
# 5% fraud: the rare class sorts first.
FRAUD_OK: list[object] = ["fraud" if i % 20 == 0 else "ok" for i in range(100)]


@dataclass
class Case:
    id: str
    args: list[str]
    words: list[str]  # in the message: the problem and the fix
    setup: Setup | None = None
    env: dict[str, str] = field(default_factory=dict)


def create(*args: str) -> list[str]:
    return ["create", "--study", "n", "--storage", "{new}", *args]


def enqueue(params: str) -> list[str]:
    return ["enqueue", "--study", "s", "--params", params, "--storage", "{db}"]


CASES = [
    # --data: files that cannot be read
    Case("data-is-a-directory", create("--data", "{here}"), ["is a directory, not a file"]),
    Case("data-missing", create("--data", "nope.csv"), ["does not exist", "Check the path"]),
    Case("data-unknown-suffix", create("--data", "d.xlsx"), ["Cannot tell the format",
         "Supported: .csv", "rename"], write("d.xlsx", "x")),
    Case("data-empty-file", create("--data", "d.csv"), ["is empty (0 bytes)", "header row"],
         write("d.csv", "")),
    Case("data-header-only", create("--data", "d.csv"), ["has no data rows"],
         write("d.csv", "text,label\n")),
    Case("data-not-utf8", create("--data", "d.csv"), ["Could not read", "(UTF-8)"],
         write("d.csv", b"\xff\xfe\x00text,label\n")),
    Case("data-ragged-csv", create("--data", "d.csv"), ["Expected 2 fields in line 3",
         "are quoted"], write("d.csv", "text,label\na b,x\nc, d,y\n")),
    Case("data-jsonl-bad-line", create("--data", "d.jsonl"), ["line 2 is not valid JSON",
         "holds one object"], write("d.jsonl", '{"text": "a", "label": "x"}\nnot json\n')),
    Case("data-jsonl-not-objects", create("--data", "d.jsonl"), ['line 2 is "just text", '
         "not an object"], write("d.jsonl", '{"text": "a", "label": "x"}\n"just text"\n')),
    Case("data-parquet-corrupt", create("--data", "d.parquet"), ["Could not read", "as "
         "parquet", "Check that it is a Parquet file"], write("d.parquet", "not parquet")),
    Case("data-no-text-column", create("--data", "{data}", "--text-col", "body"),
         ["has no text column 'body'", "Columns: text, label", "Use --text-col"]),
    Case("data-no-label-column", create("--data", "{data}", "--label-col", "y"),
         ["has no label column 'y'", "Use --label-col"]),
    Case("data-text-col-is-label-col", create("--data", "{data}", "--text-col", "label"),
         ["must name two columns", "both are 'label'"]),
    # labels
    Case("labels-single-class", create("--data", "d.csv"), ["single class ('x')", "at least "
         "two"], table("d.csv", ["x"] * 6)),
    Case("labels-missing", create("--data", "d.csv"), ["1 missing label(s) in rows 2",
         "--drop-invalid"], table("d.csv", ["x", None, "y", "x", "y"])),
    Case("labels-all-blank-dropped", create("--data", "d.csv", "--drop-invalid"),
         ["has no usable rows left: --drop-invalid skipped all 3", "Run without it"],
         table("d.csv", [None, None, None])),
    Case("texts-empty", create("--data", "d.csv"), ["empty text(s) in rows 1",
         "--drop-invalid"], table("d.csv", ["x", "y", "x"], ["", "b c", "d e"])),
    Case("labels-few-separators", create("--data", "d.csv"), ["1 of 61 labelled rows",
         "hold the label separator '|'", "--task multilabel", "--task multiclass"],
         table("d.csv", FEW_SEPARATORS)),
    Case("labels-one-example-each", create("--data", "d.csv"), ["every class has a single "
         "example (a, b)", "at least two rows", "--val-data"], table("d.csv", ["a", "b"])),
    Case("labels-binary-with-three", create("--data", "{data}", "--task", "binary"),
         ["--task binary needs exactly two classes", "Use --task multiclass"]),
    Case("labels-list-in-single-label", create("--data", "d.csv", "--task", "multiclass"),
         ["several labels in a single-label task, rows 1", "use --task multilabel"],
         table("d.csv", ['["x", "y"]', "x", "y"])),
    Case("labels-a-mapping", create("--data", "d.jsonl"), ["row 1: a label must be text or a "
         "number", "a list of them"], table("d.jsonl", [{"x": 1}, "y"])),
    Case("texts-without-words", create("--data", "d.csv"), ["No training text holds a word",
         "--text-col"], table("d.csv", ["x", "y"] * 5, ["!!", "??"] * 5)),
    Case("positive-label-not-a-class", create("--data", "d.csv", "--positive-label", "Fraud"),
         ["--positive-label must name one of the two classes", "as written, 'fraud' or 'ok', "
          "but got 'Fraud'", "leave --positive-label out"], table("d.csv", FRAUD_OK)),
    Case("positive-label-not-binary", create("--data", "{data}", "--positive-label",
         "class_0"), ["--positive-label applies to binary tasks only", "makes a multiclass "
                      "task of 3 classes", "got --positive-label 'class_0'",
                      "Leave --positive-label out"]),
    # names and options
    Case("study-name-empty", ["create", "--study", "", "--data", "{data}", "--storage",
         "{new}"], ["needs at least one visible character", "Pass --study NAME"]),
    Case("study-name-blank", ["create", "--study", "   ", "--data", "{data}", "--storage",
         "{new}"], ["needs at least one visible character, but got '   '"]),
    Case("study-name-too-long", ["create", "--study", "x" * 600, "--data", "{data}",
         "--storage", "{new}"], ["at most 512 characters, but got 600", "shorter"]),
    Case("study-other-data", ["create", "--study", "s", "--data", "d.csv", "--storage", "{db}"],
         ["already exists", "with different data", "choose a new --study name"],
         table("d.csv", ["x", "y"] * 10)),
    Case("val-frac-above-one", create("--data", "{data}", "--val-frac", "1.5"),
         ["--val-frac must be between 0 and 1, but got 1.5"]),
    Case("seed-negative", create("--data", "{data}", "--seed", "-1"),
         ["Invalid value for '--seed'", "greater than or equal to 0"]),
    Case("space-missing", create("--data", "{data}", "--space", "nope.yaml"),
         ["--space 'nope.yaml' does not exist"]),
    Case("space-not-yaml", create("--data", "{data}", "--space", "s.yaml"),
         ["is not valid YAML"], write("s.yaml", "params: [1,\n")),
    Case("space-unknown-key", create("--data", "{data}", "--space", "s.yaml"),
         ["unknown key 'rnn_unitz'", "Allowed keys"], write("s.yaml", "params:\n  rnn_unitz: "
                                                           "8\n")),
    Case("embeddings-directory", create("--data", "{data}", "--embeddings", "{here}"),
         ["--embeddings", "is a directory, not a file"]),
    Case("val-data-missing", create("--data", "{data}", "--val-data", "v.csv"),
         ["--val-data 'v.csv' does not exist"]),
    Case("run-data-directory", ["run", "--data", "{here}", "--storage", "{new}"],
         ["is a directory, not a file"]),
    # storage URLs
    Case("url-not-a-url", ["status", "--study", "s", "--storage", "studies"],
         ["is not a URL", "sqlite:///FILE"]),
    Case("url-port-not-a-number", ["status", "--study", "s", "--storage",
         "postgresql+psycopg://u:pw@localhost:abc/db"], ["has the port 'abc'", "host:5432"]),
    Case("url-postgres-scheme", ["best", "--study", "s", "--storage",
         "postgres://u@localhost/db"], ["spells it postgresql"]),
    Case("url-at-in-password", ["worker", "--study", "s", "--storage",
         "postgresql+psycopg://u:p@ss@localhost/db"], ["contains '@'", "%40"]),
    Case("url-sqlite-folder-missing", create("--data", "{data}", "--storage",
         "sqlite:///{here}/nodir/x.db"), ["The folder of the SQLite study file", "Create it"]),
    Case("url-sqlite-is-directory", ["status", "--study", "s", "--storage", "sqlite:///{here}"],
         ["is a directory", "hpsearch.db"]),
    Case("storage-file-missing", ["status", "--study", "s"], ["$HPSEARCH_STORAGE_FILE names",
         "does not exist", "or unset it"], env={"HPSEARCH_STORAGE_FILE": "nope.url"}),
    Case("storage-file-empty", ["status", "--study", "s"], ["is empty", "one storage URL"],
         write("u.url", "\n"), env={"HPSEARCH_STORAGE_FILE": "u.url"}),
    Case("storage-env-bad", ["status", "--study", "s"], ["from $HPSEARCH_STORAGE",
         "is not a URL"], env={"HPSEARCH_STORAGE": "hpsearch.db"}),
    Case("storage-file-two-lines", ["studies"], ["$HPSEARCH_STORAGE_FILE names 'u.url', which "
         "holds 2 lines that are not blank", "one storage URL on one line", "remove the "
         "others"], write("u.url", "sqlite:///a.db\nsqlite:///b.db\n"),
         env={"HPSEARCH_STORAGE_FILE": "u.url"}),
    # the URL in the file read without the blank lines and spaces around it; the fix names it
    Case("storage-file-hint-names-it", ["status", "--study", "s"], ["There is no SQLite "
         "database at nope.db (from the storage URL sqlite:///nope.db)", "write the path of "
         "its database file in 'u.url' (the file $HPSEARCH_STORAGE_FILE names)"],
         write("u.url", "\n  sqlite:///nope.db \r\n\n"), env={"HPSEARCH_STORAGE_FILE": "u.url"}),
    Case("url-sqlite-in-memory", ["create", "--study", "n", "--data", "{data}", "--storage",
         "sqlite://"], ["The storage URL 'sqlite://' (from --storage) is an in-memory SQLite "
                        "database", "gone when the command ends", "like sqlite:///study.db"]),
    Case("url-sqlite-memory-path", ["run", "--data", "{data}", "--storage",
         "sqlite:///:memory:"], ["'sqlite:///:memory:' (from --storage) is an in-memory SQLite "
                                 "database", "Name a file"]),
    Case("url-sqlite-memory-from-file", ["worker", "--study", "s"], ["'sqlite://' (from the "
         "file 'u.url' that $HPSEARCH_STORAGE_FILE names) is an in-memory SQLite database"],
         write("u.url", "sqlite://\n"), env={"HPSEARCH_STORAGE_FILE": "u.url"}),
    # a mistyped SQLite path: refused, and no empty database made
    Case("status-no-database", ["status", "--study", "s", "--storage", "{new}"],
         ["There is no SQLite database", "pass --storage"]),
    Case("worker-no-database", ["worker", "--study", "s", "--storage", "{new}"],
         ["There is no SQLite database", "folder where the study was created"]),
    Case("export-no-database", ["export", "--study", "s", "--storage", "{new}"],
         ["There is no SQLite database"]),
    Case("report-no-database", ["report", "--study", "s", "--storage", "{new}"],
         ["There is no SQLite database"]),
    Case("dashboard-url-port", ["dashboard", "--port", "0", "--storage",
         "postgresql+psycopg://u:pw@h:x/db"], ["has the port 'x'", "leave the port out"]),
    Case("run-study-name-blank", ["run", "--data", "{data}", "--study", " ", "--storage",
         "{new}"], ["needs at least one visible character"]),
    Case("dashboard-no-database", ["dashboard", "--storage", "{new}", "--port", "0"],
         ["There is no SQLite database"]),
    Case("launch-no-database", ["launch", "--study", "s", "--storage", "{new}", "--cpus", "1"],
         ["There is no SQLite database"]),
    Case("update-no-database", ["update", "--study", "s", "--storage", "{new}", "--n-trials",
         "3"], ["There is no SQLite database"]),
    Case("delete-no-database", ["delete", "--study", "s", "--storage", "{new}", "--yes"],
         ["There is no SQLite database"]),
    # the shared study, asked wrongly
    Case("worker-unknown-study", ["worker", "--study", "typo", "--storage", "{db}"],
         ["No study named 'typo'", "Studies there: s."]),
    Case("worker-grace-too-short", ["worker", "--study", "s", "--storage", "{db}",
         "--heartbeat-interval", "10", "--grace-period", "5"], ["must be longer than "
         "--heartbeat-interval", "raise it"]),
    Case("status-watch-and-json", ["status", "--study", "s", "--storage", "{db}", "--watch",
         "--json"], ["use one of them"]),
    Case("best-unknown-study", ["best", "--study", "typo", "--storage", "{db}"],
         ["No study named 'typo'"]),
    Case("export-unknown-trial", ["export", "--study", "s", "--storage", "{db}", "--trial",
         "99", "--out", "x.py"], ["has no trial 99"]),
    Case("export-out-directory", ["export", "--study", "s", "--storage", "{db}", "--out",
         "{here}"], ["is a directory; name the file to write", "train_best.py"]),
    Case("export-out-under-a-file", ["export", "--study", "s", "--storage", "{db}", "--out",
         "f/x.py"], ["cannot be written", "is a file, not a folder", "another path"],
         write("f", "x")),
    Case("export-out-unwritable", ["export", "--study", "s", "--storage", "{db}", "--out",
         "/proc/hpsearch-nope/x.py"], ["Could not write the script", "Choose another path"]),
    Case("export-model-over-own-files", ["export", "--study", "s", "--storage", "{db}",
         "--model", "m"], ["Exporting the model to 'm' would replace 2 file(s) that exist: "
                           "m/labels.json, m/README.md", "Pass --force to replace them"],
         combine(write("m/README.md", "# my notes\n"), write("m/labels.json", "[]"),
                 write("m/other.txt", "kept"))),
    Case("export-model-over-a-saved-model", ["export", "--study", "s", "--storage", "{db}",
         "--model", "m"], ["would replace 1 file(s) that exist: m/saved_model/1", "--force"],
         write("m/saved_model/1/saved_model.pb", "x")),
    Case("export-out-over-a-script", ["export", "--study", "s", "--storage", "{db}", "--out",
         "mytrain.py"], ["Exporting the script to 'mytrain.py' would replace 1 file(s) that "
                         "exist: mytrain.py", "Pass --force"], write("mytrain.py", "print(1)\n")),
    Case("export-out-over-a-file-beside", ["export", "--study", "s", "--storage", "{db}",
         "--out", "t.py"], ["would replace 1 file(s) that exist: t.rows.jsonl", "--force"],
         write("t.rows.jsonl", "{}\n")),
    Case("report-out-is-a-file", ["report", "--study", "s", "--storage", "{db}", "--out", "f"],
         ["is a file; name a folder"], write("f", "x")),
    Case("report-over-own-page", ["report", "--study", "s", "--storage", "{db}", "--out",
         "site"], ["Writing the report to 'site' would replace 2 file(s) that exist: "
                   "site/index.html, site/timeline.png", "Pass --force to replace them"],
         combine(write("site/index.html", "<html>my page</html>"),
                 write("site/timeline.png", "mine"))),
    Case("launch-bad-gpus", ["launch", "--study", "s", "--storage", "{db}", "--gpus", "a,,b"],
         ["must list GPU ids", "like 0,1,2,3"]),
    Case("launch-no-slots", ["launch", "--study", "s", "--storage", "{db}"],
         ["Give either --gpus", "or --cpus N"]),
    Case("sample-data-suffix", ["sample-data", "--out", "x.txt"], ["has the suffix '.txt'",
         ".csv"]),
    Case("sample-data-directory", ["sample-data", "--out", "{here}"], ["is a directory"]),
    # enqueue
    Case("params-invalid-json", enqueue("p.json"), ["is not valid JSON", "line 1, column 2",
         "Write one object"], write("p.json", "{bad")),
    Case("params-invalid-yaml", enqueue("p.yaml"), ["is not valid YAML", "line 2",
         "one param: value per line"], write("p.yaml", "a: [1,\n")),
    Case("params-a-list", enqueue("p.yaml"), ["must hold a mapping of param: value",
         "holds list"], write("p.yaml", "- 1\n")),
    Case("params-empty", enqueue("p.yaml"), ["must hold a mapping", "NoneType"],
         write("p.yaml", "")),
    Case("params-missing-file", enqueue("p.yaml"), ["Params file (--params) 'p.yaml' does not "
         "exist"]),
    Case("params-directory", enqueue("{here}"), ["is a directory, not a file"]),
    Case("params-not-utf8", enqueue("p.yaml"), ["cannot be read as text"],
         write("p.yaml", b"\xff\xfe\xfa")),
    Case("params-partial-and-misspelt", enqueue("p.yaml"), ["missing: cell, rnn_units, "
         "bidirectional", "'rnn_unitz' is not a parameter of this space (did you mean "
         "'rnn_units'?)"],
         write("p.yaml", "family: sequence\nrnn_layers: 1\nrnn_unitz: 12\n")),
    Case("params-not-an-integer", enqueue("p.json"), ["rnn_units=12.5 must be an integer "
         "(an integer from 8 to 256, log scale)"], write("p.json", json.dumps(
             {**GOOD, "rnn_units": 12.5}))),
    Case("params-outside-space", enqueue("p.json"), ["rnn_units=4096 lies outside the study's "
         "space", "--space"], write("p.json", json.dumps({**GOOD, "rnn_units": 4096}))),
    Case("params-not-a-choice", enqueue("p.json"), ["cell='gru2' is not allowed (one of lstm, "
         "gru)"], write("p.json", json.dumps({**GOOD, "cell": "gru2"}))),
    # YAML 1.2 numbers: 1e-9 is a number (outside the space), not the text '1e-9'
    Case("params-exponent-is-a-number", enqueue("p.yaml"), ["learning_rate=1e-09 lies outside "
         "the study's space (a number from 0.0001 to 0.3, log scale)"],
         write("p.yaml", "".join(f"{k}: {str(v).lower()}\n" for k, v in GOOD.items()
                                 if k != "learning_rate") + "learning_rate: 1e-9\n")),
    Case("space-exponent-is-a-number", create("--data", "{data}", "--space", "s.yaml"),
         ["space key 'learning_rate' must stay within 1e-06 to 1.0, but got 1e-09 to 0.1"],
         write("s.yaml", "params:\n  learning_rate: {low: 1e-9, high: 1e-1, log: true}\n")),
    # below a log scale's range, and NaN: the space's own message, not Optuna's
    Case("params-log-scale-negative", enqueue("p.yaml"), ["linear_c=-1 lies outside the "
         "study's space (a number from 0.01 to 10.0, log scale)"],
         write("p.yaml", "family: linear\nlinear_c: -1\n")),
    Case("params-log-scale-zero", enqueue("p.json"), ["learning_rate=0 lies outside the "
         "study's space"], write("p.json", json.dumps({**GOOD, "learning_rate": 0}))),
    Case("params-nan", enqueue("p.json"), ["learning_rate=nan lies outside the study's space"],
         write("p.json", json.dumps({**GOOD, "learning_rate": float("nan")}))),
    Case("params-unused-key", enqueue("p.json"), ["'conv_filters' is not used with these "
         "values"], write("p.json", json.dumps({**GOOD, "conv_filters": 32}))),
]

# The exported training script refusing bad input as hpsearch does: (id, script arguments,
# setup, words of the message).
EXPORTED_SCRIPT_CASES: list[tuple[str, list[str], Setup | None, list[str]]] = [
    ("script-out-over-own-files", [], combine(write("model/README.md", "# mine\n"),
                                              write("model/labels.json", "[]")),
     ["--out would replace model/labels.json, model/README.md", "pass --force"]),
    ("script-data-missing", ["--data", "nope.jsonl"], None, ["cannot read rows from nope.jsonl",
                                                              "one JSON object per line"]),
    ("script-data-directory", ["--data", "folder"], write("folder/x.jsonl", "{}\n"),
     ["cannot read rows from folder"]),
    ("script-not-json", ["--data", "d.jsonl"], write("d.jsonl", "text,label\nhello,a\n"),
     ["cannot read rows from d.jsonl", "with a text and a list of labels"]),
    ("script-no-labels", ["--data", "d.jsonl"], write("d.jsonl", '{"text": "hello"}\n'),
     ["cannot read rows from d.jsonl ('labels')"]),
    ("script-unknown-labels", ["--data", "d.jsonl"],
     write("d.jsonl", "".join(f'{{"text": "t", "labels": ["{c}"]}}\n'
                              for c in ("class_0", "class_9", "zzz"))),
     ["labels the study never saw", "class_9", "zzz"]),
    ("script-several-labels", ["--data", "d.jsonl"],
     write("d.jsonl", '{"text": "t", "labels": ["class_0", "class_1"]}\n'),
     ["a single-label task takes one label a row"]),
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``studies.db``: study ``s`` and one finished trial, and its ``data.csv``."""
    folder = tmp_path_factory.mktemp("shared")
    data = write_sample(folder / "data.csv", task=Task.MULTICLASS, rows=150, classes=3, seed=1)
    make_study("s", data, f"sqlite:///{folder / 'studies.db'}", n_trials=1, max_epochs=2)
    return folder


def contents(url_or_folder: Path) -> dict[str, object]:
    """What a folder holds (files, recursively) and what its studies.db holds."""
    found: dict[str, object] = {"files": sorted(str(p.relative_to(url_or_folder))
                                                for p in url_or_folder.rglob("*"))}
    db = url_or_folder / "studies.db"
    if db.exists():
        with sqlite3.connect(db) as conn:
            for query in ("SELECT study_name FROM studies", "SELECT count(*) FROM trials",
                          "SELECT count(*) FROM trial_user_attributes",
                          "SELECT study_id, key FROM hpsearch_study_blobs"):
                found[query] = sorted(conn.execute(query).fetchall())
    return found


def file_bytes(folder: Path) -> dict[str, bytes]:
    """What each file in ``folder`` holds: a refusal rewrites none of the user's files."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def fill(args: list[str], here: Path, shared: Path) -> list[str]:
    names = {"db": f"sqlite:///{shared / 'studies.db'}", "new": f"sqlite:///{here / 'new.db'}",
             "data": str(shared / "data.csv"), "here": str(here)}
    return [a.format(**names) for a in args]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_with_the_problem_and_the_fix(case: Case, shared: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if case.setup:
        case.setup(tmp_path)
    before, shared_before = contents(tmp_path), contents(shared)
    written = file_bytes(tmp_path)
    env = {"HPSEARCH_STORAGE": None, "HPSEARCH_STORAGE_FILE": None, **case.env}
    result = runner.invoke(app, fill(case.args, tmp_path, shared), env=env)
    output = flat(result.output)
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for word in case.words:
        assert flat(word) in output, (word, output)
    assert contents(tmp_path) == before  # no file left: no new.db, no script, no report
    assert file_bytes(tmp_path) == written  # and none of the user's files rewritten
    assert contents(shared) == shared_before  # no study, trial, attribute or blob added


DOOMED = "doomed"


class DeletesItsStudy(ScriptedTrainer):
    """The scripted trainer, whose first trial's study is deleted under it, as `hpsearch delete
    --yes --force` from another shell would (the storage URL from $HPSEARCH_STORAGE)."""

    def fit(self, params: dict[str, Any], prepared: Any, settings: FitSettings, *,
            report: Any) -> TrainResult:
        if self.calls == 0:
            delete_study(DOOMED, force=True)
        return super().fit(params, prepared, settings, report=report)


def test_a_worker_whose_study_is_deleted_stops_and_says_so(shared: Path, tmp_path: Path) -> None:
    """Not a case of the table: the study is made, and goes, in the case's own folder."""
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    create_study(DOOMED, shared / "data.csv", storage_url=url, max_epochs=2)
    result = runner.invoke(app, ["worker", "--study", DOOMED], env={
        "HPSEARCH_STORAGE": url, "HPSEARCH_STORAGE_FILE": None,
        "HPSEARCH_TRAINER": f"{__name__}:DeletesItsStudy"})
    output = flat(result.output)
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert flat(f"error: Study 'doomed' was deleted from {url} while this worker ran") in output
    assert "create the study anew (`hpsearch create --study doomed` ...)" in output
    assert list_studies(url) == []


def test_there_are_at_least_forty_of_them() -> None:
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


def parquet(name: str, labels: pd.Series) -> Setup:
    def setup(here: Path) -> None:
        pd.DataFrame({"text": [f"text number {i} here" for i in range(len(labels))],
                      "label": labels}).to_parquet(here / name)
    return setup


INTS_WITH_A_BLANK = [0, 1, 2] * 8 + [None]


@dataclass
class Legal:
    """Data that is legal but easy to get wrong: read as written, warned about if suspicious."""

    id: str
    args: list[str]
    words: list[str]  # in the output (the warning, or the task and classes line)
    classes: list[str]
    setup: Setup


LEGAL = [
    Legal("json-lists-in-a-csv", ["--data", "d.csv"], ["multilabel, 3 classes"], ["x", "y", "z"],
          table("d.csv", ['["x", "y"]', '["x"]', '["y", "z"]', "[]"] * 6)),
    Legal("int-labels-with-a-blank", ["--data", "d.jsonl", "--val-data", "v.csv",
          "--drop-invalid"], ["multiclass, 3 classes"], ["0", "1", "2"],
          combine(table("d.jsonl", INTS_WITH_A_BLANK), table("v.csv", [0, 1, 2] * 3))),
    Legal("int-parquet-with-a-blank", ["--data", "d.parquet", "--drop-invalid"],
          ["multiclass, 3 classes"], ["0", "1", "2"],
          parquet("d.parquet", pd.array(INTS_WITH_A_BLANK, dtype="Int64"))),
    Legal("float-parquet", ["--data", "d.parquet", "--drop-invalid"], ["are stored as floats "
          "(0.0, 1.0, 2.0)", "write the column as integers"], ["0.0", "1.0", "2.0"],
          parquet("d.parquet", pd.Series(INTS_WITH_A_BLANK, dtype="float64"))),
    Legal("separator-kept-whole", ["--data", "d.csv", "--task", "multiclass"],
          ["multiclass, 3 classes"], ["a", "a|b", "b"], table("d.csv", FEW_SEPARATORS)),
    Legal("multilabel-forced-on-single-labels", ["--data", "d.csv", "--task", "multilabel"],
          ["--task multilabel, but no row", "has more than one label"], ["x", "y"],
          table("d.csv", ["x", "y"] * 10)),
    Legal("duplicate-columns", ["--data", "d.csv"], ["has several columns named 'label'",
          "the first (leftmost) of each is used"], ["x", "y"],
          write("d.csv", "text,label,label\n" + "".join(f"text {i} here,{'xy'[i % 2]},z\n"
                                                          for i in range(20)))),
    Legal("tiny-training-split", ["--data", "d.csv", "--val-frac", "0.99"], ["the training "
          "split has only 2 rows, against 98 for validation", "Lower --val-frac"], ["x", "y"],
          table("d.csv", ["x", "y"] * 50)),
    Legal("separator-meant", ["--data", "d.csv"], ["look like several labels joined by ';'",
          "--label-sep ';'"], ["a", "a;b", "b"], table("d.csv", ["a", "b", "a;b"] * 8)),
    Legal("rare-class-positive", ["--data", "d.csv"], ["positive class: fraud (5.0% of "
          "training rows, the rarer class; --positive-label to change)"], ["ok", "fraud"],
          table("d.csv", FRAUD_OK)),
    Legal("positive-label-given", ["--data", "d.csv", "--positive-label", "ok"],
          ["positive class: ok (95.0% of training rows, as --positive-label says)"],
          ["fraud", "ok"], table("d.csv", FRAUD_OK)),
    Legal("json-true-and-text-True", ["--data", "d.jsonl"], ["multiclass, 4 classes",
          "differ only in case", "'False' and 'false', 'True' and 'true'",
          "write them alike"], ["False", "True", "false", "true"],
          table("d.jsonl", [True, "True", False, "False"] * 15)),
    Legal("labels-trimmed", ["--data", "d.jsonl"], ["binary, 2 classes", "labels are trimmed",
          "'spam ' and 'spam' are the class 'spam'"], ["ham", "spam"],
          table("d.jsonl", ["spam ", "spam", "ham", "ham"] * 6)),
    Legal("one-huge-text", ["--data", "d.csv"], ["1 text(s) longer than 100,000 characters are "
          "cut to their first 100,000 (rows 7; the longest had 1,000,000)"], ["x", "y"],
          table("d.csv", ["x", "y"] * 10, [f"text number {i} here" for i in range(6)]
                + ["word " * 200_000] + [f"text number {i} here" for i in range(7, 20)])),
]


@pytest.mark.parametrize("case", LEGAL, ids=[c.id for c in LEGAL])
def test_legal_data_is_read_as_written_and_warned_about(case: Legal, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from search.study import open_study

    monkeypatch.chdir(tmp_path)
    case.setup(tmp_path)
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(app, ["create", "--study", "n", "--storage", url, *case.args])
    assert result.exit_code == 0, result.output
    for word in case.words:
        assert flat(word) in flat(result.output), (word, result.output)
    assert open_study("n", url)[1].classes == case.classes


@pytest.fixture(scope="module")
def exported(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The script of study ``s``'s best trial."""
    from search import export_script

    return export_script("s", tmp_path_factory.mktemp("script") / "train_best.py",
                         f"sqlite:///{shared / 'studies.db'}")


@pytest.mark.parametrize("case", EXPORTED_SCRIPT_CASES, ids=lambda c: c[0])
def test_exported_script_refuses(case: tuple[str, list[str], Setup | None, list[str]],
                                 exported: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The script's ``main``, run here (a fresh interpreter costs seconds of TensorFlow):
    the message on stderr and exit status 2, as the program would end."""
    name, args, setup, words = case
    if setup:
        setup(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(SystemExit) as refused:
        call_main(exported, *args, "--out", "model", cwd=tmp_path)
    assert refused.value.code == 2, name
    printed = capsys.readouterr().err
    assert all(flat(w) in flat(printed) for w in words), printed[-2000:]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no model folder made


@pytest.mark.slow
def test_the_exported_script_as_a_program_prints_no_traceback(exported: Path,
                                                              tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(exported), "--data", "nope.jsonl", "--out",
                           "model"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr + done.stdout
    assert flat("error: cannot read rows from nope.jsonl") in flat(done.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "setup", "words"), [
    (["enqueue", "--study", "s", "--params", "p.json"], write("p.json", "{bad"),
     ["is not valid JSON"]),
    (["export", "--study", "s", "--out", "."], None, ["is a directory; name the file"]),
    (["status", "--study", "s", "--storage", "postgresql+psycopg://u:pw@h:x/db"], None,
     ["has the port 'x'"]),
], ids=["enqueue-json", "export-out-directory", "port"])
def test_the_real_entry_point_prints_no_traceback(args: list[str], setup: Setup | None,
                                                  words: list[str], shared: Path,
                                                  tmp_path: Path) -> None:
    if setup:
        setup(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPSEARCH_STORAGE")}
    env |= {"HPSEARCH_STORAGE": f"sqlite:///{shared / 'studies.db'}",
            "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "search", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert all(flat(w) in flat(done.stderr) for w in words), done.stderr
