"""A create that fails or is interrupted leaves nothing behind, and one interrupted between
creating the study and writing its config is cleaned up and made again by the next create.
A worker that fails a dead worker's trial says so in its log."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import optuna
import pytest

import storage
from search._errors import StudyError
from search.study import CONFIG_ATTR, DATA_KEY, create_study, open_study


def studies_in(url: str) -> list[str]:
    return [s.study_name for s in storage.open_storage(url).get_all_studies()]


def test_an_interrupted_create_leaves_no_study_data_or_file(
        storage_url: str, study_name: str, multiclass_csv: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(self: optuna.Study, key: str, value: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C between creating the study and writing its config

    monkeypatch.setattr(optuna.Study, "set_user_attr", interrupt)
    with pytest.raises(KeyboardInterrupt):
        create_study(study_name, multiclass_csv, storage_url=storage_url)
    sqlite_file = storage.sqlite_path(storage_url)
    if sqlite_file is not None:
        assert not sqlite_file.exists()  # it made the file, so it removed it
        return
    assert study_name not in studies_in(storage_url)
    assert storage.get_blob(storage.open_storage(storage_url), study_name, DATA_KEY) is None


def test_a_half_made_study_is_made_again(storage_url: str, study_name: str,
                                         multiclass_csv: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    # What `kill -9` between the two writes leaves: a study without config, and its data.
    rdb = storage.open_storage(storage_url)
    optuna.create_study(study_name=study_name, storage=rdb)
    storage.put_blob(rdb, study_name, DATA_KEY, b"stale")
    with caplog.at_level(logging.WARNING, logger="hpsearch"):
        config = create_study(study_name, multiclass_csv, storage_url=storage_url)
    assert "has no hpsearch config and no trials: a create of it was interrupted" in caplog.text
    study, stored = open_study(study_name, storage_url)
    assert stored.cache_sha256 == config.cache_sha256 and len(study.trials) == 8
    assert storage.get_blob(rdb, study_name, DATA_KEY)[1] == config.cache_sha256  # type: ignore[index]


def test_a_foreign_study_with_trials_is_still_refused(storage_url: str, study_name: str,
                                                       multiclass_csv: Path) -> None:
    foreign = optuna.create_study(study_name=study_name,
                                  storage=storage.open_storage(storage_url))
    foreign.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(StudyError, match=f"Study '{study_name}' exists but was not created "
                                         "by hpsearch"):
        create_study(study_name, multiclass_csv, storage_url=storage_url)
    assert CONFIG_ATTR not in foreign.user_attrs


def test_a_failed_create_keeps_a_file_it_did_not_make(tmp_path: Path, multiclass_csv: Path
                                                      ) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    create_study("first", multiclass_csv, storage_url=url)
    with pytest.raises(StudyError):
        create_study("first", multiclass_csv, storage_url=url, val_frac=0.5)  # other options
    with sqlite3.connect(tmp_path / "kept.db") as conn:
        assert conn.execute("SELECT study_name FROM studies").fetchall() == [("first",)]


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed")
def test_the_worker_that_reaps_a_dead_trial_logs_it(storage_url: str, study_name: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    interval = grace = 1
    rdb = storage.open_storage(storage_url, heartbeat_interval=interval, grace_period=grace)
    study = optuna.create_study(study_name=study_name, storage=rdb)
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    rdb.record_heartbeat(storage.trial_id(trial))
    time.sleep(grace + 1.2)
    with caplog.at_level(logging.INFO, logger="hpsearch"):
        storage.fail_stale_trials(study)
    [line] = [r.getMessage() for r in caplog.records if "failed: no heartbeat" in r.getMessage()]
    assert line.startswith(f"trial 0 of study '{study_name}' failed: no heartbeat for more "
                           f"than {grace}s (the last one ")
    assert line.endswith("; queued again")
    seconds = float(line.split("the last one ")[1].split("s ago")[0])
    assert grace < seconds < grace + 5
