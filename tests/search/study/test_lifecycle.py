"""A study's whole life: resumed only with its own settings, its budget changed under running
workers, listed, deleted with its data; workers that stop when trials keep failing; the
version; and the exit status of each kind of error."""

from __future__ import annotations

import importlib.metadata
import json
import threading
from pathlib import Path
from typing import Any

import optuna
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

import search.study._create
import storage
from search import (
    ConsecutiveFailures,
    ExitCode,
    StudyConfig,
    StudyError,
    create_study,
    run_worker,
    study_status,
)
from search.cli import app
from search.data import write_sample
from search.options import KeepBound, PrunerName, format_size
from search.study import load_data, open_study, update_budget
from spaces import Task
from storage._blobs import blobs
from tests.scripted_studies import leave_running
from tests.scripted_trainer import ScriptedTrainer
from tests.worker_procs import REPO

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("keep_hpsearch_logging")


def _create(url: str, data: Path, *args: str) -> Result:
    return runner.invoke(app, ["create", "--study", "s", "--data", str(data), "--storage", url,
                               *args])


def test_resume_with_other_settings_is_refused_with_each_difference(
        tmp_path: Path, sqlite_url: str, multiclass_csv: Path) -> None:
    assert _create(sqlite_url, multiclass_csv, "--max-epochs", "5", "--n-trials", "10"
                   ).exit_code == 0
    space = tmp_path / "narrow.yaml"
    space.write_text("params:\n  rnn_units: {low: 8, high: 64}\n")
    result = _create(sqlite_url, multiclass_csv, "--max-epochs", "8", "--metric", "accuracy",
                     "--space", str(space), "--n-trials", "12")
    assert result.exit_code == ExitCode.USER_ERROR
    assert result.output.startswith(
        "error: Study 's' exists with other settings than these:\n"
        "  --metric: macro_f1 in the study, accuracy now\n"
        "  --max-epochs: 5 in the study, 8 now\n"
        "  --space rnn_units: {low: 8, high: 256, log: true} in the study, {low: 8, high: 64} "
        "now\n"
        "  --n-trials: 10 in the study, 12 now\n"
        "Its trials compare only under its own settings: give the study's settings to resume "
        "it, or choose a new --study name for the new ones.")
    assert "`hpsearch update --study s --n-trials N --timeout SECONDS`" in result.output
    # The same settings resume it, with the budget left out or repeated; data options cannot
    # change at all.
    assert _create(sqlite_url, multiclass_csv, "--max-epochs", "5").exit_code == 0
    assert _create(sqlite_url, multiclass_csv, "--max-epochs", "5", "--n-trials", "10"
                   ).exit_code == 0
    other_split = _create(sqlite_url, multiclass_csv, "--max-epochs", "5", "--val-frac", "0.3")
    assert other_split.exit_code == ExitCode.USER_ERROR
    assert "with different data or split options" in other_split.output
    assert "--val-frac: 0.2 in the study, 0.3 now. Trials of two datasets must not mix: " \
           "choose a new --study name." in other_split.output
    assert study_status("s", sqlite_url).budget.n_trials == 10


def test_resume_with_another_positive_label_is_refused(tmp_path: Path,
                                                       sqlite_url: str) -> None:
    data = tmp_path / "d.csv"
    data.write_text("text,label\n" + "".join(
        f"text {i} here,{'fraud' if i % 20 == 0 else 'ok'}\n" for i in range(100)))
    assert _create(sqlite_url, data, "--positive-label", "ok").exit_code == 0
    assert open_study("s", sqlite_url)[1].classes == ["fraud", "ok"]
    for args, now in (((), "not set"), (("--positive-label", "fraud"), "fraud")):
        result = _create(sqlite_url, data, *args)
        assert result.exit_code == ExitCode.USER_ERROR, result.output
        assert "with different data or split options" in result.output
        assert f"--positive-label: ok in the study, {now} now. Trials of two datasets must " \
               "not mix: choose a new --study name." in result.output
    assert _create(sqlite_url, data, "--positive-label", "ok").exit_code == 0  # resumed
    assert open_study("s", sqlite_url)[1].classes == ["fraud", "ok"]


def test_update_raises_the_budget_and_a_running_worker_follows_it(
        sqlite_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=2,
                 pruner=PrunerName.NONE, n_trials=2)

    class RaisesTheBudget(ScriptedTrainer):
        def fit(self, *args: Any, **kwargs: Any) -> Any:
            if self.calls == 0:  # while this worker runs its first trial
                update_budget(study_name, sqlite_url, n_trials=4)
            return super().fit(*args, **kwargs)

    assert run_worker(study_name, sqlite_url, trainer=RaisesTheBudget()).trials_run == 4
    assert study_status(study_name, sqlite_url).counts == {"COMPLETE": 4}
    result = runner.invoke(app, ["update", "--study", study_name, "--storage", sqlite_url,
                                 "--n-trials", "6", "--timeout", "3600"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"study {study_name}: --n-trials 4 -> 6\n"
                             f"study {study_name}: --timeout none -> 3600\n")
    assert run_worker(study_name, sqlite_url, trainer=ScriptedTrainer()).trials_run == 2
    nothing = runner.invoke(app, ["update", "--study", study_name, "--storage", sqlite_url])
    assert nothing.exit_code == ExitCode.USER_ERROR
    assert ("Give --n-trials, --timeout, --keep-models or --keep-bytes: the budget study "
            f"'{study_name}' should have (it has --n-trials 6, --timeout 3600, --keep-models "
            "10, --keep-bytes 2GB).") in nothing.output
    kept = runner.invoke(app, ["update", "--study", study_name, "--storage", sqlite_url,
                               "--keep-models", "3", "--keep-bytes", "1.5GiB"])
    assert kept.output == (f"study {study_name}: --keep-models 10 -> 3\n"
                           f"study {study_name}: --keep-bytes 2GB -> 1536MiB\n")
    assert open_study(study_name, sqlite_url)[1].budget.keep_bound() == KeepBound(
        3, 1536 * 2**20)
    refused = runner.invoke(app, ["update", "--study", study_name, "--storage", sqlite_url,
                                  "--keep-bytes", "lots"])
    assert refused.exit_code == ExitCode.USER_ERROR
    assert "Invalid value for '--keep-bytes': Value error, 'lots' is not a size: write a " \
           "number of bytes with a unit, like 500MB, 2GB or 1.5GiB." in " ".join(
               refused.output.replace("│", " ").split())


def test_a_worker_stops_after_consecutive_failures_with_their_reasons(
        sqlite_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=2,
                 pruner=PrunerName.NONE)
    # Four failures, a success that ends the run, then five in a row: the default stops it.
    trainer = ScriptedTrainer(fail_on={0, 1, 2, 3, 5, 6, 7, 8, 9, 10})
    with pytest.raises(ConsecutiveFailures) as info:
        run_worker(study_name, sqlite_url, trainer=trainer)
    assert [number for number, _ in info.value.failures] == [5, 6, 7, 8, 9]
    assert str(info.value).startswith(
        "5 trials failed in a row (--max-consecutive-failures 5), so this worker stops:\n"
        "  trial 5: training loss became nan at epoch 1\n")
    assert trainer.calls == 10
    assert study_status(study_name, sqlite_url).counts == {"COMPLETE": 1, "FAIL": 9}


def test_the_worker_command_exits_3_on_consecutive_failures(
        monkeypatch: pytest.MonkeyPatch, sqlite_url: str, study_name: str,
        multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=2)
    monkeypatch.setenv("HPSEARCH_TRAINER", "tests.scripted_trainer:ScriptedTrainer")
    monkeypatch.setenv("HPSEARCH_TEST_FAIL", "all")
    result = runner.invoke(app, ["worker", "--study", study_name, "--storage", sqlite_url,
                                 "--max-consecutive-failures", "2"])
    assert result.exit_code == ExitCode.TRIALS_FAILING == 3
    assert "error: 2 trials failed in a row (--max-consecutive-failures 2), so this worker " \
           "stops:\n  trial 0: scripted failure at rate" in result.output
    assert "Fix what the reasons point at" in result.output and "Traceback" not in result.output


def test_studies_on_a_missing_sqlite_file_lists_none_and_makes_no_file(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = runner.invoke(app, ["studies", "--storage", f"sqlite:///{missing}"])
    assert result.exit_code == 0 and "no studies" in result.output.lower()
    assert not missing.exists()


def test_studies_lists_every_study_with_its_trials_best_and_baselines(
        sqlite_url: str, multiclass_csv: Path) -> None:
    create_study("reviews", multiclass_csv, storage_url=sqlite_url, max_epochs=2,
                 pruner=PrunerName.NONE, n_trials=3)
    run_worker("reviews", sqlite_url, trainer=ScriptedTrainer(fail_on={1}))
    optuna.create_study(study_name="someone-elses", storage=sqlite_url)
    result = runner.invoke(app, ["studies", "--storage", sqlite_url, "--json"])
    assert result.exit_code == 0, result.output
    found = {listing["name"]: listing for listing in json.loads(result.output)}
    assert set(found) == {"reviews", "someone-elses"}
    reviews = found["reviews"]
    status = study_status("reviews", sqlite_url)
    assert reviews["counts"] == {"COMPLETE": 3, "FAIL": 1} == status.counts
    assert reviews["best"] == status.require_best().value
    assert reviews["baselines"] == {name: values["macro_f1"]
                                    for name, values in status.baselines.items()}
    assert (reviews["task"], reviews["metric"]) == ("multiclass", "macro_f1")
    assert found["someone-elses"]["note"] == "not created by hpsearch"
    table = runner.invoke(app, ["studies", "--storage", sqlite_url])
    assert "reviews" in table.output and "complete 3, fail 1" in table.output
    stored = storage.stored_bytes(storage.open_storage(sqlite_url))
    assert reviews["stored_bytes"] == stored["reviews"] > 10_000  # its data
    assert found["someone-elses"]["stored_bytes"] == 0
    assert f" {format_size(stored['reviews'])} " in table.output
    assert "not created by hpsearch" in table.output


def _blob_rows(url: str, study_id: int) -> int:
    rdb = storage.open_storage(url)
    with rdb.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(blobs)
                                .where(blobs.c.study_id == study_id)).scalar_one())


def test_delete_asks_refuses_running_trials_and_removes_the_data(
        storage_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=2,
                 pruner=PrunerName.NONE, n_trials=1)
    run_worker(study_name, storage_url, trainer=ScriptedTrainer())
    study_id = storage.open_storage(storage_url).get_study_id_from_name(study_name)
    assert _blob_rows(storage_url, study_id) == 1
    args = ["delete", "--study", study_name, "--storage", storage_url]
    declined = runner.invoke(app, args, input="n\n")
    assert declined.exit_code == ExitCode.FAILED
    assert f"Delete study '{study_name}' (1 complete) and its stored data from" in \
           declined.output
    assert "Nothing deleted." in declined.output
    leave_running(study_name, storage_url)
    running = runner.invoke(app, [*args, "--yes"])
    assert running.exit_code == ExitCode.USER_ERROR
    assert f"Study '{study_name}' has 1 RUNNING trial(s): their workers would fail at their " \
           "next write. Stop its workers first" in running.output
    assert "or pass --force to delete it anyway." in running.output
    deleted = runner.invoke(app, [*args, "--force"], input="y\n")
    assert deleted.exit_code == 0, deleted.output
    assert f"deleted study {study_name} and its data" in deleted.output
    assert study_name not in optuna.get_all_study_names(storage_url)
    assert _blob_rows(storage_url, study_id) == 0
    gone = runner.invoke(app, [*args, "--yes"])
    assert gone.exit_code == ExitCode.USER_ERROR
    assert f"No study named '{study_name}'" in gone.output


def test_version_comes_from_the_package_metadata() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"hpsearch {importlib.metadata.version('hpsearch')}\n"


def test_every_exit_code_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Exit codes\n", 1)[1].split("\n#", 1)[0]
    documented = [line.split("|")[1].strip() for line in section.splitlines()
                  if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert documented == [str(code.value) for code in ExitCode]


def test_user_errors_and_ctrl_c_exit_with_their_code_and_no_traceback(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(storage.ENV_URL, raising=False)
    monkeypatch.setenv(storage.ENV_URL_FILE, "/no/such/url-file")
    result = runner.invoke(app, ["studies"])
    assert result.exit_code == ExitCode.USER_ERROR
    assert result.output == ("error: $HPSEARCH_STORAGE_FILE names '/no/such/url-file', which "
                             "does not exist. Point it at a file holding one storage URL, or "
                             "unset it.\n")

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    result = runner.invoke(app, ["sample-data", "--out", str(a_file / "data.csv")])
    assert result.exit_code == ExitCode.USER_ERROR
    assert result.output.startswith("error: ") and str(a_file) in result.output

    def interrupted(url: str | None = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("search.study.list_studies", interrupted)
    result = runner.invoke(app, ["studies", "--storage", "sqlite:///unused.db"])
    assert (result.exit_code, result.output) == (ExitCode.INTERRUPTED, "error: interrupted\n")


def test_racing_creates_leave_one_study_on_its_own_data(
        storage_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two creates of one study name, on different data, both find no study and go on; one
    creates it, the other is told so and stores nothing, so workers run on the winner's data
    (storing first, as before, let the loser's data replace the winner's: a digest mismatch)."""
    other = write_sample(tmp_path / "other.csv", task=Task.MULTICLASS, rows=600, classes=4,
                         seed=2)
    both_looked = threading.Barrier(2)
    looked = search.study._create._existing_study

    def look_then_wait(*args: Any) -> Any:
        found = looked(*args)
        both_looked.wait(timeout=60)
        return found

    monkeypatch.setattr(search.study._create, "_existing_study", look_then_wait)
    outcomes: dict[Path, object] = {}

    def create(data: Path) -> None:
        try:
            outcomes[data] = create_study(study_name, data, storage_url=storage_url,
                                          max_epochs=2, pruner=PrunerName.NONE, n_trials=1)
        except StudyError as exc:
            outcomes[data] = exc

    threads = [threading.Thread(target=create, args=(data,)) for data in (multiclass_csv, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    [winner] = [o for o in outcomes.values() if isinstance(o, StudyConfig)]
    [loser] = [o for o in outcomes.values() if isinstance(o, StudyError)]
    assert str(loser) == (f"Study {study_name!r} was created by another process meanwhile; "
                          "run the command again to resume it.")
    study, config = open_study(study_name, storage_url)
    assert config.cache_sha256 == winner.cache_sha256
    assert load_data(study, config) is not None  # the digest matches
    assert run_worker(study_name, storage_url, trainer=ScriptedTrainer()).trials_run == 1
