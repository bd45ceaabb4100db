"""The study's note in optuna-dashboard (search/views/_note.py) and what it measures the search
against (search/views/_references.py): task, data and checks, the baselines (or that they are
being computed), the expert's model, the best trial against them, time by family, export; and
saving it, once per change, never failing the caller."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import optuna
import optuna_dashboard
import pytest
from optuna.trial import TrialState

import search.views._note
import storage
from search.metrics import HEADLINE
from search.study import StudyConfig, status_of
from search.study._open import open_study
from search.views import references, save_study_note, study_note
from tests.reference_studies import add_starting_point_trial
from tests.scripted_studies import make_study


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A finished multi-class study (one failed trial), shared by the tests that only read."""
    from search.data._sample import write_sample
    from spaces import Task

    here = tmp_path_factory.mktemp("note")
    url = f"sqlite:///{here / 'studies.db'}"
    data = write_sample(here / "data.csv", task=Task.MULTICLASS, rows=600, classes=4, seed=1)
    make_study("noted", data, url, n_trials=4, fail_on={2})
    return "noted", url


def opened(scripted: tuple[str, str]) -> tuple[optuna.Study, StudyConfig]:
    return open_study(*scripted)


def md(value: str) -> str:
    return value.replace("_", "\\_")


def test_the_note_says_what_the_study_is_about(scripted: tuple[str, str]) -> None:
    study, config = opened(scripted)
    note = study_note(study, config)
    lines = note.splitlines()
    status = status_of(study.study_name, study.get_trials(), config)
    best = status.best
    assert best is not None

    assert lines[0] == "## noted"
    assert lines[2] == ("**Multiclass classification** of texts into 4 classes; objective "
                        "**val_loss** (minimize). Trials: complete 4, fail 1.")
    data = config.data_report
    assert (f"{data['rows']} rows of {md(config.data_path)}: {data['train_rows']} for "
            f"training, {data['val_rows']} for validation.") in note
    assert data["warnings"], "the sample data is expected to warn of cut texts"
    for warning in data["warnings"]:
        assert f"- {md(warning)}" in lines
    # Every baseline on every headline metric, the best trial above them.
    assert [m.value for m in HEADLINE[config.task]] == ["val_loss", "accuracy", "macro_f1"]
    assert "|  | val_loss ★ | accuracy | macro_f1 |" in lines
    assert (f"| **best: trial {best.number}** | {best.metrics['val_loss']:.4f} | "
            f"{best.metrics['accuracy']:.4f} | {best.metrics['macro_f1']:.4f} |") in lines
    assert list(config.baselines) == ["majority", "tfidf_logreg"]
    for name, values in config.baselines.items():
        assert (f"| baseline {md(name)} | {values['val_loss']:.4f} | "
                f"{values['accuracy']:.4f} | {values['macro_f1']:.4f} |") in lines
    assert (f"**Best trial: {best.number}**, val_loss = {best.value:.4f} on the validation rows "
            "that chose it.") in lines
    # The scripted curves never reach TF-IDF: the note says so, metric by metric.
    tfidf = config.baselines["tfidf_logreg"]
    # No answer settled yet: the best trial's validation scores, said to be so.
    assert (f"- The best trial on validation (the baseline on the held rows: no answer settled "
            f"yet) is behind tfidf\\_logreg on every headline metric (val\\_loss "
            f"{best.metrics['val_loss']:.4f} vs {tfidf['val_loss']:.4f}; ") in note
    assert "still being computed" not in note
    for family in status.families:
        assert f"| {family.family} | {family.trials} | {family.pruned} |" in note
    assert "hpsearch export --study noted --model DIR" in note
    assert "hpsearch export --study noted --out train_best.py" in note


def test_while_the_baselines_are_computed_the_note_says_so(scripted: tuple[str, str]) -> None:
    study, config = opened(scripted)
    note = study_note(study, dataclasses.replace(config, baselines={}))
    assert ("The baselines (majority class, TF-IDF + logistic regression) are still being "
            "computed; they appear here when they are done.") in note
    assert "| baseline " not in note and "Behind " not in note
    assert "| **best: trial " in note


def test_a_study_with_no_trial_yet_and_a_name_full_of_markup(
        scripted: tuple[str, str]) -> None:
    _, config = opened(scripted)
    name = "a|b <script>alert(1)</script> *x*"
    empty = optuna.create_study(study_name=name, storage=storage.open_storage(scripted[1]))
    note = study_note(empty, config)
    assert note.splitlines()[0] == "## a\\|b \\<script\\>alert(1)\\</script\\> \\*x\\*"
    assert "Trials: none yet." in note and "No trial has finished yet." in note
    assert "<script>" not in note.replace("'a|b <script>alert(1)</script> *x*'", "")
    # The export commands quote the name for the shell.
    assert "hpsearch export --study 'a|b <script>alert(1)</script> *x*' --model DIR" in note


def test_the_expert_model_is_a_reference_and_never_compared_with_itself(
        sqlite_url: str, study_name: str, multiclass_csv: Path) -> None:
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=2)
    worse = add_starting_point_trial(study_name, sqlite_url, 0.30)
    expert = add_starting_point_trial(study_name, sqlite_url, 0.20)
    add_starting_point_trial(study_name, sqlite_url, None, state=TrialState.FAIL)
    add_starting_point_trial(study_name, sqlite_url, 0.10, point="linear")
    best = add_starting_point_trial(study_name, sqlite_url, 0.05, point=True)
    study, config = open_study(study_name, sqlite_url)

    found = references(study.get_trials(), config)
    assert [(r.label, r.value, r.trial) for r in found] == [
        ("baseline majority", config.baselines["majority"]["val_loss"], None),
        ("baseline tfidf_logreg", config.baselines["tfidf_logreg"]["val_loss"], None),
        (f"expert's model (trial {expert})", 0.20, expert)]
    assert f"expert's model (trial {worse})" not in study_note(study, config)
    note = study_note(study, config)
    assert f"| expert's model (trial {expert}) | 0.2000 |" in note
    assert f"**Best trial: {best}**, val_loss = 0.0500 on the validation rows" in note
    assert (f"- On validation, the best trial is ahead of the expert's model (trial {expert}) "
            "on val\\_loss 0.0500 vs 0.2000") in note

    itself = add_starting_point_trial(study_name, sqlite_url, 0.01)
    study, config = open_study(study_name, sqlite_url)
    note = study_note(study, config)
    assert f"**Best trial: {itself}**, val_loss = 0.0100 on the validation rows" in note
    assert [r.trial for r in references(study.get_trials(), config)] == [None, None, itself]
    assert "expert's model" not in "\n".join(
        line for line in note.splitlines() if line.startswith("- "))
    assert f"| expert's model (trial {itself}) |" not in note  # shown as the best row


def test_the_note_is_saved_once_per_change_and_a_failure_only_logs(
        sqlite_url: str, study_name: str, multiclass_csv: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=1, max_epochs=2)
    study, config = open_study(study_name, sqlite_url)

    rdb = storage.storage_of(study)

    def version() -> int:
        attrs = rdb.get_study_system_attrs(rdb.get_study_id_from_name(study_name))
        return int(attrs.get("dashboard:note_ver", 0))

    save_study_note(study, config)
    assert optuna_dashboard.get_note(study) == study_note(study, config)
    assert version() == 1
    save_study_note(study, config)
    assert version() == 1  # unchanged: not written again
    add_starting_point_trial(study_name, sqlite_url, 0.5)
    save_study_note(study, config)
    assert version() == 2
    complete = sum(t.state is TrialState.COMPLETE for t in study.get_trials())
    assert re.search(rf"Trials: complete {complete}\b", optuna_dashboard.get_note(study))

    def refuse(*args: object) -> None:
        raise storage.StorageError("Could not reach the database")

    monkeypatch.setattr(search.views._note, "_note_functions",
                        lambda: (optuna_dashboard.get_note, refuse))
    add_starting_point_trial(study_name, sqlite_url, 0.6)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="hpsearch"):
        save_study_note(study, config)  # must not raise
    logged = [r.getMessage() for r in caplog.records if r.name == "hpsearch"]
    assert logged == [f"could not save the dashboard note of study {study_name!r}: "
                      "StorageError: Could not reach the database"]
    assert version() == 2

