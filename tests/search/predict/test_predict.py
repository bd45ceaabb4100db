"""A kept model put to use: `predict` labels held-out rows as labels.json's thresholds applied
by hand to model.keras's probabilities say, in every format, a batch at a time; `evaluate`
gives the study's own figures; `load_model` and the standalone predict.py agree with both.

One tiny study per task (a linear trial: solved, no epochs), exported once for the module."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from search import create_study, enqueue_params, evaluate_model, load_model, predict_file
from search.cli import app
from search.data import sample_frame
from search.export import export_model
from search.metrics import Metric, evaluate
from search.study import load_data, open_study, summarize_trial
from spaces import Task
from tests.exported import call_main, imported_modules

pytestmark = pytest.mark.slow

LINEAR = {"family": "linear", "ngram_order": 1, "ngram_weighting": "tfidf", "chars": False,
          "solver": "logreg", "linear_c": 1.0, "class_weight": "none"}


@pytest.fixture(scope="module", params=list(Task), ids=[t.value for t in Task])
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
             ) -> dict[str, Any]:
    """A study of ``task`` on 360 rows, its one linear trial exported; 120 rows held out of
    it (same words, same classes), and the labels.json the export wrote."""
    from search import run_worker

    task: Task = request.param
    folder = tmp_path_factory.mktemp(task.value)
    frame = sample_frame(task=task, rows=480, classes=4, seed=3)
    frame.iloc[:360].to_csv(folder / "train.csv", index=False)
    frame.iloc[360:].to_csv(folder / "held.csv", index=False)
    url = f"sqlite:///{folder / 'studies.db'}"
    config = create_study("s", folder / "train.csv", storage_url=url, max_epochs=3,
                          start_points=False)
    enqueue_params("s", {**LINEAR, "ngram_vocab": config.space["ngram_vocab"]["high"]}, url)
    run_worker("s", url, n_trials=1)
    model = export_model("s", folder / "model", url)
    return {"task": task, "folder": folder, "url": url, "model": model,
            "held": folder / "held.csv", "labels": json.loads((model / "labels.json").read_text())}


def by_hand(model_dir: Path, texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Labels from model.keras's own probabilities and labels.json's thresholds, as README
    tells a user to: argmax; binary: the one column (the second class) against its threshold;
    multi-label: each label against its own, joined by |."""
    import keras

    labels = json.loads((model_dir / "labels.json").read_text())
    model = keras.models.load_model(model_dir / "model.keras", safe_mode=True)
    probs = model.predict(np.array(texts, dtype=object), verbose=0)
    classes, thresholds = labels["classes"], labels["thresholds"]
    if labels["task"] == "multiclass":
        return [classes[i] for i in probs.argmax(axis=1)], probs
    if labels["task"] == "binary":
        return [classes[1] if p >= thresholds[0] else classes[0] for p in probs[:, 0]], \
            np.stack([1 - probs[:, 0], probs[:, 0]], axis=1)
    return ["|".join(c for c, p, t in zip(classes, row, thresholds, strict=True) if p >= t)
            for row in probs], probs


def held_texts(exported: dict[str, Any]) -> list[str]:
    return pd.read_csv(exported["held"], keep_default_na=False)["text"].tolist()


def test_predict_labels_as_labels_json_applied_by_hand(exported: dict[str, Any],
                                                       tmp_path: Path) -> None:
    out = tmp_path / "predictions.csv"
    done = predict_file(exported["model"], exported["held"], out=out)
    found = pd.read_csv(out, keep_default_na=False)
    texts = held_texts(exported)
    labels, probs = by_hand(exported["model"], texts)
    classes = exported["labels"]["classes"]
    label = "labels" if exported["task"] is Task.MULTILABEL else "label"
    assert done.rows == len(found) == len(texts) == 120 and done.out == out
    assert list(found.columns) == [label, *(f"prob_{c}" for c in classes)]
    assert found[label].tolist() == labels
    assert np.allclose(found.iloc[:, 1:].to_numpy(), probs, atol=1e-6)
    assert len(set(labels)) > 1  # the model decides, it does not answer one class
    if exported["task"] is Task.BINARY:  # a column per class, though the model has one output
        assert np.allclose(found.iloc[:, 1:].sum(axis=1), 1.0, atol=1e-6)


def test_predict_follows_the_thresholds_of_labels_json(exported: dict[str, Any],
                                                       tmp_path: Path) -> None:
    """Thresholds moved to each output's median probability: half the rows change side."""
    if exported["task"] is Task.MULTICLASS:
        pytest.skip("a multi-class model takes the argmax: no thresholds")
    folder = tmp_path / "model"
    shutil.copytree(exported["model"], folder)
    texts = held_texts(exported)
    _, probs = by_hand(folder, texts)
    outputs = probs[:, 1:] if exported["task"] is Task.BINARY else probs
    medians = [float(m) for m in np.median(outputs, axis=0)]
    labels = {**exported["labels"], "thresholds": medians}
    (folder / "labels.json").write_text(json.dumps(labels))
    predict_file(folder, exported["held"], out=tmp_path / "p.csv")
    found = pd.read_csv(tmp_path / "p.csv", keep_default_na=False).iloc[:, 0].tolist()
    assert found == by_hand(folder, texts)[0]
    if exported["task"] is Task.BINARY:
        assert found.count(labels["classes"][1]) == (outputs[:, 0] >= medians[0]).sum() >= 60


def test_load_model_predicts_the_same_in_python(exported: dict[str, Any]) -> None:
    model = load_model(exported["model"])
    texts = held_texts(exported)
    labels, probs = by_hand(exported["model"], texts)
    assert model.classes == exported["labels"]["classes"]
    assert model.task.value == exported["labels"]["task"]
    assert model.thresholds == exported["labels"]["thresholds"]
    predicted = model.predict(texts)
    if model.task is Task.MULTILABEL:
        predicted = ["|".join(found) for found in predicted]
    assert predicted == labels
    frame = model.predict_proba(texts)
    assert list(frame.columns) == model.classes and len(frame) == len(texts)
    assert np.allclose(frame.to_numpy(), probs, atol=1e-6)
    with pytest.raises(TypeError, match="pass \\[text\\] to label one"):
        model.predict("one text")


def test_every_format_and_any_batch_size_give_the_same_rows(exported: dict[str, Any],
                                                            tmp_path: Path) -> None:
    if exported["task"] is not Task.MULTICLASS:
        pytest.skip("formats are the same for every task: once is enough")
    model = load_model(exported["model"])
    held = pd.read_csv(exported["held"])
    expected = pd.read_csv(_predict(model, exported["held"], tmp_path / "a.csv"))
    inputs = {"tsv": tmp_path / "held.tsv", "jsonl": tmp_path / "held.jsonl",
              "parquet": tmp_path / "held.parquet"}
    held.to_csv(inputs["tsv"], sep="\t", index=False)
    held.to_json(inputs["jsonl"], orient="records", lines=True)
    held.to_parquet(inputs["parquet"])
    for fmt, source in inputs.items():
        for suffix, read in ((".tsv", lambda p: pd.read_csv(p, sep="\t")),
                             (".jsonl", lambda p: pd.read_json(p, lines=True)),
                             (".parquet", pd.read_parquet)):
            found = read(_predict(model, source, tmp_path / f"{fmt}{suffix}"))
            pd.testing.assert_frame_equal(found, expected, check_dtype=False, atol=1e-6,
                                          obj=f"{fmt} -> {suffix}")
    # Standard input: one text a line, or JSON Lines.
    for stdin in ("\n".join(held["text"]) + "\n", inputs["jsonl"].read_text()):
        printed = io.StringIO()
        predict_file(model, "-", stdin=io.StringIO(stdin), stdout=printed)
        found = pd.read_csv(io.StringIO(printed.getvalue()))
        pd.testing.assert_frame_equal(found, expected, atol=1e-6)
    # Its texts in a column named label: predict reads no label column, so none is in the way.
    held[["text"]].rename(columns={"text": "label"}).to_csv(tmp_path / "named.csv", index=False)
    predict_file(model, tmp_path / "named.csv", out=tmp_path / "named_out.csv", text_col="label")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "named_out.csv"), expected, atol=1e-6)
    # Seven texts at a time: the same rows, progress after each batch.
    seen: list[int] = []
    small = predict_file(model, exported["held"], out=tmp_path / "small.csv", batch_size=7,
                         progress=seen.append)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "small.csv"), expected, atol=1e-6)
    assert seen == [*range(7, 120, 7), 120] and small.rows == 120


def _predict(model: Any, source: Path, out: Path) -> Path:
    predict_file(model, source, out=out)
    assert not list(out.parent.glob(".*.part"))  # written aside, then moved in place
    return out


def test_evaluate_gives_the_studys_metrics_on_the_same_rows(exported: dict[str, Any],
                                                            tmp_path: Path) -> None:
    """On held-out rows: the figures of search.metrics.evaluate at labels.json's thresholds.
    On the rows the trial was scored on: the trial's recorded metrics, to the sixth decimal."""
    task, labels = exported["task"], exported["labels"]
    found = evaluate_model(exported["model"], exported["held"])
    held = pd.read_csv(exported["held"], keep_default_na=False)
    _, probs = by_hand(exported["model"], held_texts(exported))
    index = {c: i for i, c in enumerate(labels["classes"])}
    cells = [str(c).split("|") if c else [] for c in held["label"]]
    if task is Task.MULTILABEL:
        y: np.ndarray = np.array([[int(c in row) for c in labels["classes"]] for row in cells])
    else:
        y = np.array([index[row[0]] for row in cells])
    expected = evaluate(task.value, y, probs if task is not Task.BINARY else probs[:, 1:],
                        labels["classes"], thresholds=labels["thresholds"], tune=False)
    assert found.rows == 120 and found.metrics
    for metric, value in found.metrics.items():
        assert value == pytest.approx(expected[metric], abs=1e-9), metric
    assert found.per_class == expected["per_class"]
    if task is Task.MULTILABEL:
        assert "all_zero_rows" in found.metrics and found.confusion_matrix is None
    else:
        assert found.confusion_matrix == expected["confusion_matrix"]

    # The rows the trial was scored on, as a worker reads them.
    study, config = open_study("s", exported["url"])
    trial = summarize_trial(study.trials[0], config)
    data = load_data(study, config)
    rows = np.asarray(data.y_val)
    named = ([[c for c, on in zip(config.classes, row, strict=True) if on] for row in rows]
             if task is Task.MULTILABEL else [config.classes[int(i)] for i in rows.ravel()])
    val = tmp_path / "val.jsonl"
    pd.DataFrame({"text": data.val_texts, "label": named}).to_json(val, orient="records",
                                                                   lines=True)
    again = evaluate_model(exported["model"], val)
    # A threshold is a validation row's probability as the solver computed it (float64); the
    # saved model computes it in float32, which can fall just under it and flip that one row.
    # So of a thresholded task, only the metrics no threshold decides are compared here.
    free = set(Metric) if task is Task.MULTICLASS else {
        Metric.VAL_LOSS, Metric.PR_AUC, Metric.PR_AUC_MICRO, Metric.PR_AUC_MACRO}
    compared = [m for m in trial.metrics if m in free]
    assert compared
    for metric in compared:
        assert again.metrics[metric] == pytest.approx(trial.metrics[metric], abs=1e-6), metric


def test_the_confusions_of_a_multiclass_model(exported: dict[str, Any]) -> None:
    if exported["task"] is not Task.MULTICLASS:
        pytest.skip("the confusions are listed for multi-class models")
    found = evaluate_model(exported["model"], exported["held"])
    matrix = np.array(found.confusion_matrix)
    np.fill_diagonal(matrix, 0)
    pairs = found.most_confused()
    assert pairs and pairs[0][2] == matrix.max()
    assert sum(n for _, _, n in found.most_confused(limit=100)) == matrix.sum()
    shown = found.to_dict()
    assert shown["most_confused"][0] == {"true": pairs[0][0], "predicted": pairs[0][1],
                                         "rows": pairs[0][2]}
    json.dumps(shown)  # --json prints it


def test_the_standalone_script_prints_what_predict_writes(exported: dict[str, Any],
                                                          tmp_path: Path) -> None:
    """predict.py, run as a user without hpsearch would (search, spaces and storage
    unimportable), prints the rows `predict --out FILE.jsonl` writes, byte for byte."""
    script = exported["model"] / "predict.py"
    imported = imported_modules(script.read_text())
    assert imported == {"argparse", "contextlib", "itertools", "json", "sys", "pathlib",
                        "keras", "numpy"}
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(held_texts(exported)) + "\n", encoding="utf-8")
    printed = call_main(script, str(texts), cwd=tmp_path)
    predict_file(exported["model"], exported["held"], out=tmp_path / "p.jsonl")
    assert printed == (tmp_path / "p.jsonl").read_text(encoding="utf-8")


def test_the_cli_reads_stdin_and_writes_stdout(exported: dict[str, Any],
                                               keep_hpsearch_logging: None) -> None:
    texts = held_texts(exported)[:5]
    result = CliRunner().invoke(app, ["predict", "--model", str(exported["model"]),
                                      "--data", "-"], input="\n".join(texts) + "\n")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line]
    assert len(rows) == 6 and rows[0].startswith(("label,", "labels,"))
    labels, _ = by_hand(exported["model"], texts)
    assert [pd.read_csv(io.StringIO(rows[0] + "\n" + row), keep_default_na=False).iloc[0, 0]
            for row in rows[1:]] == labels
    shown = CliRunner().invoke(app, ["evaluate", "--model", str(exported["model"]), "--data",
                                     str(exported["held"]), "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["metrics"] == evaluate_model(
        exported["model"], exported["held"]).metrics


# Serves SavedModels in a fresh interpreter without hpsearch, as a model server would: the texts
# of argv[1] through the signature of each SavedModel named after the output file argv[2].
SERVE = """
import json, sys
for name in ("search", "spaces", "storage"):
    sys.modules[name] = None
import tensorflow as tf

def plain(value):
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value.decode("utf-8") if isinstance(value, bytes) else value

texts = json.loads(open(sys.argv[1], encoding="utf-8").read())
served = {}
for path in sys.argv[3:]:
    serve = tf.saved_model.load(path).signatures["serving_default"]
    served[path] = {k: plain(v.numpy().tolist()) for k, v in serve(text=tf.constant(texts)).items()}
open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(served))
"""


def test_the_saved_model_serves_what_predict_writes(exported: dict[str, Any],
                                                    tmp_path: Path) -> None:
    """export --model's saved_model/1, loaded with tf.saved_model.load in a fresh interpreter:
    its probabilities are model.keras's, its labels `hpsearch predict`'s; with other thresholds
    baked in (each output's median), labels.json's rule applied by hand to them."""
    import subprocess
    import sys

    from spaces.model import save_serving

    task, model = exported["task"], exported["model"]
    saved = model / "saved_model" / "1"
    assert (saved / "saved_model.pb").is_file()
    assert [p.name for p in (model / "saved_model").iterdir()] == ["1"]  # nothing left aside
    texts = held_texts(exported)
    labels, probs = by_hand(model, texts)
    served_paths = [saved]
    if task is not Task.MULTICLASS:
        medians = [float(m) for m in np.median(probs[:, 1:] if task is Task.BINARY else probs,
                                               axis=0)]
        moved = tmp_path / "moved"
        shutil.copytree(model, moved, ignore=shutil.ignore_patterns("saved_model"))
        (moved / "labels.json").write_text(json.dumps({**exported["labels"],
                                                       "thresholds": medians}))
        save_serving(moved / "model.keras", moved / "saved_model" / "1", task.value,
                     exported["labels"]["classes"], medians)
        served_paths.append(moved / "saved_model" / "1")
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", SERVE, str(tmp_path / "texts.json"),
                          str(tmp_path / "served.json"), *map(str, served_paths)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    served = json.loads((tmp_path / "served.json").read_text(encoding="utf-8"))

    found = served[str(saved)]
    classes = exported["labels"]["classes"]
    predict_file(model, exported["held"], out=tmp_path / "p.csv")
    written = pd.read_csv(tmp_path / "p.csv", keep_default_na=False)
    label = "labels" if task is Task.MULTILABEL else "label"
    assert np.allclose(found["probabilities"], probs, rtol=0, atol=1e-6)
    assert np.allclose(found["probabilities"], written.iloc[:, 1:].to_numpy(), rtol=0, atol=1e-6)
    assert found["classes"] == [classes] * len(texts)
    assert found[label] == written[label].tolist() == labels
    assert len(set(labels)) > 1
    if task is Task.MULTILABEL:
        thresholds = np.array(exported["labels"]["thresholds"])
        assert found["predicted"] == (probs >= thresholds).tolist()
    if task is not Task.MULTICLASS:
        moved_labels = by_hand(moved, texts)[0]
        assert served[str(moved / "saved_model" / "1")][label] == moved_labels != labels


def test_predict_replaces_no_file_without_force(exported: dict[str, Any],
                                                tmp_path: Path) -> None:
    out = tmp_path / "mine.csv"
    out.write_text("my own notes\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["predict", "--model", str(exported["model"]), "--data",
                                      str(exported["held"]), "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"would replace 1 file(s) that exist: {out}" in result.output
    assert "Pass --force" in result.output
    assert out.read_text(encoding="utf-8") == "my own notes\n"
    predict_file(exported["model"], exported["held"], out=out, force=True)
    assert out.read_text(encoding="utf-8").startswith(("label,", "labels,"))
