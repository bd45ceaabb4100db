"""The study's answer when a search ends: refitted on every labelled row, scored on the held
rows no choice has seen, and what ``export --model`` writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import storage
from search import create_study, run_worker
from search.answer import settle_answer
from search.data import write_sample
from search.export import export_model
from search.metrics import TrialAttr
from search.study import REFIT_KEY, kept_model, load_data, open_study
from spaces import Task
from spaces.families import BASELINE


@pytest.mark.slow
def test_the_answer_is_refitted_on_every_row_and_exported(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=600, classes=4, seed=3)
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    create_study("s", data, storage_url=url)
    run_worker("s", url, n_trials=2)  # the expert's first point, then the TF-IDF + LR baseline
    study, config = open_study("s", url)
    split = load_data(study, config)
    assert len(split.held_texts) > 0 and split.n_rows == 600
    baseline = [t for t in study.trials if t.user_attrs.get(TrialAttr.STARTING_POINT) == BASELINE]
    assert len(baseline) == 1 and set(config.baselines) == {"majority", "tfidf_logreg"}

    outcome = settle_answer("s", url, ensemble=False)
    record = outcome.record
    assert record["refit"]["rows"] == 600 == (len(split.train_texts) + len(split.val_texts)
                                               + len(split.held_texts))
    assert record["refit"]["train_rows"] == len(split.train_texts) < 600
    estimate = record["estimate"]
    assert estimate["low"] <= estimate["value"] <= estimate["high"]
    assert record["held_rows"] == len(split.held_texts)

    from search.views import study_note

    note = " ".join(study_note(study, config).split())
    held = record["held_metrics"]["accuracy"]
    assert "- On the held rows, the answer is" in note and f"accuracy {held:.4f} vs" in note
    assert (f"**The answer** (trial {study.best_trial.number}): honest estimate "
            f"{config.metric} = {estimate['value']:.4f} (90% interval") in note

    refit = storage.get_blob(storage.storage_of(study), "s", REFIT_KEY)
    assert refit is not None
    best = study.best_trial.number
    assert refit[0] != kept_model(study, best)
    folder = export_model("s", tmp_path / "model", url)
    assert (folder / "model.keras").read_bytes() == refit[0]
    card = (folder / "README.md").read_text()
    assert "Trained again on every labelled row (600)" in card
    [model] = yaml.safe_load(card.split("---\n", 2)[1])["model-index"]
    [result] = model["results"]
    assert result["dataset"]["split"] == "validation rows held out of every choice"
    assert {m["type"]: m["value"] for m in result["metrics"]} == {
        k: round(v, 6) for k, v in record["held_metrics"].items()}
    assert f"it scored {config.metric} {estimate['value']:.4f}" in " ".join(card.split())
    chosen = export_model("s", tmp_path / "trial", url, trial_number=best)
    assert (chosen / "model.keras").read_bytes() == kept_model(study, best)

    import keras

    texts = np.array(split.held_texts, dtype=object)
    seen = keras.models.load_model(folder / "model.keras", safe_mode=True).predict(texts,
                                                                                  verbose=0)
    kept = keras.models.load_model(chosen / "model.keras", safe_mode=True).predict(texts,
                                                                                 verbose=0)
    assert not np.allclose(seen, kept, atol=1e-4)  # the refit saw the held rows too


def test_a_run_too_short_for_any_trial_exits_with_the_timeout_that_would_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from search.cli import app

    data = write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=400, classes=3, seed=1)
    monkeypatch.chdir(tmp_path)
    # One second: creating the study alone takes longer, so no trial starts.
    result = CliRunner().invoke(app, ["run", "--data", str(data), "--study", "s",
                                      "--timeout", "1"])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "No trial finished within --timeout 1: this run took" in said
    shortest = int(said.split("Run again with --timeout ")[1].split()[0])
    assert shortest >= 30


def test_the_best_trial_is_the_answer_when_only_its_refit_ends_in_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An ensemble whose refit on every row would pass the deadline gives way to the best
    trial when the trial's refit would not; with time for both, or for neither, it stays."""
    import time
    from types import SimpleNamespace

    from search.answer import _settle

    monkeypatch.setattr(_settle, "ensemble_record",
                        lambda study: {"members": [{"trial": 1}, {"trial": 2}]})
    costs = {1: 30.0, 2: 50.0}
    monkeypatch.setattr(_settle, "refit_seconds",
                        lambda study, members, data: sum(costs[m["trial"]] for m in members))
    monkeypatch.setattr(_settle, "refit_memory_problem", lambda study, members, data: None)
    monkeypatch.setattr(_settle, "refit_too_big", lambda study, members, data: None)
    study, best = SimpleNamespace(study_name="s"), SimpleNamespace(number=1)
    now = time.monotonic()
    said = _settle._refit_beats_ensemble(study, best, None, now + 60)  # type: ignore[arg-type]
    assert said is not None and said.startswith(
        "the answer is trial 1, not the ensemble: refitting the ensemble on every row needs "
        "about 80s, the trial 30s, 60s are left")
    assert _settle._refit_beats_ensemble(study, best, None, now + 100) is None  # type: ignore[arg-type]
    assert _settle._refit_beats_ensemble(study, best, None, now + 20) is None  # type: ignore[arg-type]


def test_the_best_trial_is_the_answer_when_a_member_of_the_ensemble_is_too_big_to_refit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The 300,000-row run's ensemble held a member whose fit over every row would hold 8.5 GB:
    the ensemble could not be refitted, the best trial could. The trial is the answer, also
    with no deadline (``hpsearch refit``); when the trial is the one too big, the ensemble
    stays."""
    from types import SimpleNamespace

    from search.answer import _settle

    monkeypatch.setattr(_settle, "ensemble_record",
                        lambda study: {"members": [{"trial": 0}, {"trial": 1}]})
    monkeypatch.setattr(_settle, "refit_seconds", lambda study, members, data: 10.0)
    big = {0: 8.5 * 2**30}
    monkeypatch.setattr(_settle, "refit_too_big", lambda study, members, data: next(
        ((m["trial"], big[m["trial"]]) for m in members if m["trial"] in big), None))
    monkeypatch.setattr(_settle, "refit_memory_problem",
                        lambda study, members, data: "too big" if any(
                            m["trial"] in big for m in members) else None)
    study = SimpleNamespace(study_name="s")
    said = _settle._refit_beats_ensemble(study, SimpleNamespace(number=1), None, None)  # type: ignore[arg-type]
    assert said == ("the answer is trial 1, not the ensemble: refitting member trial 0 on every "
                    "row would hold about 8.5 GB, over the 2 GB a fit may hold; the trial's "
                    "refit fits")
    assert _settle._refit_beats_ensemble(study, SimpleNamespace(number=0), None, None) is None  # type: ignore[arg-type]
