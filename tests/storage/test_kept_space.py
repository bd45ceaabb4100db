"""The space a study's kept files take (storage/_blobs.py, storage/_artifacts.py,
storage/_sqlite.py): measured per trial and per study on SQLite and PostgreSQL; given back to
the disk when they are deleted from a SQLite file; and, on a disk that fills for real, a
refused write that names the file and the space, leaves the study whole, and goes through
once space is freed; a PostgreSQL disk full told from an outage."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import optuna
import psycopg.errors
import pytest
import sqlalchemy.exc

import storage
from tests.tiny_disk import tiny_disk

MB = 10**6


def new_study(rdb: storage.ResilientStorage, name: str, n_finished: int) -> optuna.Study:
    study = optuna.create_study(study_name=name, storage=rdb)
    for x in range(n_finished):
        study.tell(study.ask(), float(x))
    return study


def noise(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def test_the_bytes_of_each_trials_files_and_of_each_study(storage_url: str,
                                                          study_name: str) -> None:
    rdb = storage.open_storage(storage_url)
    study = new_study(rdb, study_name, n_finished=3)
    other = new_study(rdb, study_name + "-other", n_finished=1)
    storage.keep_trial_files(study, 0, {"model.keras": noise(3000), "probs.npy": noise(500)})
    storage.keep_trial_file(study, 2, "model.keras", noise(2000))
    storage.keep_trial_file(other, 0, "model.keras", noise(700))
    storage.put_blob(rdb, study_name, "ensemble:model.keras", noise(100))

    assert storage.trial_file_sizes(study) == {0: 3500, 2: 2000}
    assert storage.blob_sizes(rdb, study_name, ["ensemble:model.keras", "absent"]) == {
        "ensemble:model.keras": 100}
    stored = storage.stored_bytes(rdb)
    assert (stored[study_name], stored[study_name + "-other"]) == (5600, 700)
    storage.drop_trial_files(study, 0, 2)
    assert storage.trial_file_sizes(study) == {}
    assert storage.stored_bytes(rdb)[study_name] == 100


def test_a_sqlite_file_shrinks_when_kept_files_are_deleted(tmp_path: Path,
                                                           study_name: str) -> None:
    path = tmp_path / "studies.db"
    rdb = storage.open_storage(f"sqlite:///{path}")
    study = new_study(rdb, study_name, n_finished=6)
    for number in range(6):
        storage.keep_trial_file(study, number, "model.keras", noise(2 * MB, number))
    full = path.stat().st_size
    assert full > 12 * MB

    storage.drop_trial_files(study, 0, 1, 2, 3)
    storage.give_back_space(rdb)

    assert path.stat().st_size < full - 7.5 * MB
    assert storage.trial_file(study, 5, "model.keras") == noise(2 * MB, 5)
    storage.delete_study(rdb, study_name)
    assert path.stat().st_size < 1 * MB


def test_a_sqlite_file_made_before_keeps_its_space_and_works(tmp_path: Path,
                                                             study_name: str) -> None:
    """Files made before incremental auto-vacuum cannot take it up without a VACUUM: their
    free pages stay, for the next writes, and nothing fails."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as made_before:
        made_before.execute("CREATE TABLE made_before (x)")
    rdb = storage.open_storage(f"sqlite:///{path}")
    study = new_study(rdb, study_name, n_finished=2)
    storage.keep_trial_file(study, 0, "model.keras", noise(2 * MB))
    before = path.stat().st_size
    storage.drop_trial_files(study, 0)
    storage.give_back_space(rdb)
    assert path.stat().st_size == before
    with rdb.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 0  # none
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 2  # fast


def test_a_write_on_a_full_disk_names_the_file_and_the_space_and_undoes_itself(
        tmp_path: Path, study_name: str) -> None:
    with tiny_disk(tmp_path / "disk", "3m") as disk:
        url = f"sqlite:///{disk.path / 'studies.db'}"
        rdb = storage.open_storage(url)
        study = new_study(rdb, study_name, n_finished=3)
        storage.keep_trial_file(study, 0, "model.keras", noise(MB))

        with pytest.raises(storage.StorageFull) as refused:
            storage.keep_trial_files(study, 1, {"model.keras": noise(4 * MB, 1),
                                                "validation_probabilities.npy": noise(1000)})
        said = str(refused.value)
        assert said.startswith(f"Could not keep 'model.keras', 'validation_probabilities.npy' "
                               f"of trial 1 of study '{study_name}': the disk holding the "
                               f"study file {disk.path / 'studies.db'} is full (")
        assert f" MB free in {disk.path}; this write needed about 4.0 MB). Free space " \
               "there, then run the command again" in said

        again = storage.open_storage(url)  # as the next command would
        trials = optuna.load_study(study_name=study_name, storage=again).trials
        assert [(t.state, t.value) for t in trials] == [
            (optuna.trial.TrialState.COMPLETE, float(x)) for x in range(3)]
        assert storage.trials_with_file(study, "model.keras") == [0]
        assert storage.trial_file(study, 1, "validation_probabilities.npy") is None

        disk.resize("16m")  # space freed
        storage.keep_trial_file(study, 1, "model.keras", noise(4 * MB, 1))
        assert storage.trial_file(study, 1, "model.keras") == noise(4 * MB, 1)


def test_a_nearly_full_disk_can_swap_a_kept_model_for_another(tmp_path: Path,
                                                                study_name: str) -> None:
    """Deleting needs no room (Debian's SQLite overwrote deleted pages through the journal,
    which needed as much free space as the model dropped), and the next write reuses the
    pages: the file does not grow."""
    with tiny_disk(tmp_path / "disk", "3600k") as disk:
        rdb = storage.open_storage(f"sqlite:///{disk.path / 'studies.db'}")
        study = new_study(rdb, study_name, n_finished=4)
        for number in range(3):
            storage.keep_trial_file(study, number, "model.keras", noise(MB, number))
        assert disk.free() < MB
        size = os.path.getsize(disk.path / "studies.db")

        storage.drop_trial_files(study, 0)
        storage.keep_trial_file(study, 3, "model.keras", noise(MB, 3))

        assert storage.trials_with_file(study, "model.keras") == [1, 2, 3]
        assert os.path.getsize(disk.path / "studies.db") <= size


def test_a_postgres_disk_full_is_not_waited_out_and_says_what_it_is() -> None:
    said = "could not extend file \"base/16384/16422\": No space left on device"
    error = sqlalchemy.exc.OperationalError("INSERT", {}, psycopg.errors.DiskFull(said))
    assert storage.is_disk_full(error) and not storage.is_connection_error(error)
    full = storage.storage_full(error, "postgresql+psycopg://u:secret@db/studies",
                                "keep 'model.keras' of trial 3 of study 's'", 5 * MB)
    assert str(full) == (
        "Could not keep 'model.keras' of trial 3 of study 's': the disk of the database "
        "server of postgresql+psycopg://u:***@db/studies is full; this write needed about "
        "5.0 MB. Free space on it, then run the command again: the write was undone and the "
        "study holds every trial that finished.")
    lost = sqlalchemy.exc.OperationalError("INSERT", {}, psycopg.errors.AdminShutdown("bye"))
    assert storage.is_connection_error(lost) and not storage.is_disk_full(lost)


def test_psycopg2s_disk_full_is_told_by_its_pgcode() -> None:
    class Psycopg2Error(Exception):  # psycopg2.errors.DiskFull, without psycopg2 installed
        pgcode = "53100"

    full = sqlalchemy.exc.OperationalError("INSERT", {}, Psycopg2Error("No space left"))
    assert storage.is_disk_full(full)
    Psycopg2Error.pgcode = "57P01"  # admin_shutdown
    assert not storage.is_disk_full(full)
