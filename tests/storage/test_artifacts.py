"""A trial's files kept as Optuna artifacts in the study's own database (storage/_artifacts.py),
on SQLite and PostgreSQL: what Optuna's artifact API reads back, replacing, dropping, deleting
the study, and the refusals."""

from __future__ import annotations

import io
import json
import threading
import uuid
from pathlib import Path

import optuna
import pytest
import sqlalchemy as sa
from optuna.artifacts import download_artifact, get_all_artifact_meta, upload_artifact
from optuna.artifacts.exceptions import ArtifactNotFound
from optuna.trial import TrialState

import storage
from storage._blobs import blobs


@pytest.fixture
def rdb(storage_url: str) -> storage.ResilientStorage:
    return storage.open_storage(storage_url)


def new_study(rdb: storage.ResilientStorage, name: str, n_finished: int = 2) -> optuna.Study:
    study = optuna.create_study(study_name=name, storage=rdb)
    for x in range(n_finished):
        study.tell(study.ask(), float(x))
    return study


def artifact_rows(rdb: storage.ResilientStorage, study_name: str) -> list[str]:
    """The blob keys of artifacts filed under the study's id."""
    study_id = rdb.get_study_id_from_name(study_name)
    with rdb.engine.connect() as conn:
        keys = conn.execute(sa.select(blobs.c.key).where(
            blobs.c.study_id == study_id, blobs.c.key.startswith("artifact:"))).scalars()
        return sorted(keys)


def listing(rdb: storage.ResilientStorage, study: optuna.Study,
            number: int) -> list[optuna.artifacts.ArtifactMeta]:
    return get_all_artifact_meta(study.trials[number], storage=rdb)


def test_a_kept_file_reads_back_through_optunas_artifact_api(
        rdb: storage.ResilientStorage, study_name: str, tmp_path: Path) -> None:
    study = new_study(rdb, study_name)
    storage.keep_trial_file(study, 1, "model.keras", b"first model")

    [meta] = listing(rdb, study, 1)
    assert (meta.filename, meta.mimetype) == ("model.keras", "application/octet-stream")
    assert listing(rdb, study, 0) == []
    download_artifact(artifact_store=storage.artifact_store(rdb),
                      file_path=str(tmp_path / "got.keras"), artifact_id=meta.artifact_id)
    assert (tmp_path / "got.keras").read_bytes() == b"first model"
    assert storage.trial_file(study, 1, "model.keras") == b"first model"
    assert storage.trial_file(study, 1, "other.npy") is None
    assert storage.trial_file(study, 0, "model.keras") is None
    assert storage.trials_with_file(study, "model.keras") == [1]
    assert artifact_rows(rdb, study_name) == [f"artifact:{meta.artifact_id}"]


def test_keeping_the_same_name_again_replaces_it(rdb: storage.ResilientStorage,
                                                 study_name: str) -> None:
    study = new_study(rdb, study_name)
    storage.keep_trial_file(study, 0, "model.keras", b"old")
    [old] = listing(rdb, study, 0)
    storage.keep_trial_file(study, 0, "validation_probabilities.npy", b"probs")
    storage.keep_trial_file(study, 0, "model.keras", b"new")

    metas = listing(rdb, study, 0)
    assert sorted(m.filename for m in metas) == ["model.keras", "validation_probabilities.npy"]
    assert storage.trial_file(study, 0, "model.keras") == b"new"
    assert storage.trial_file(study, 0, "validation_probabilities.npy") == b"probs"
    with pytest.raises(ArtifactNotFound):
        storage.artifact_store(rdb).open_reader(old.artifact_id)
    assert len(artifact_rows(rdb, study_name)) == 2


def test_a_running_trial_keeps_its_file_once_finished(rdb: storage.ResilientStorage,
                                                      study_name: str) -> None:
    study = new_study(rdb, study_name, n_finished=0)
    trial = study.ask()
    storage.keep_trial_file(study, trial.number, "model.keras", b"while running")
    study.tell(trial, 0.5)
    assert study.trials[trial.number].state is TrialState.COMPLETE
    assert [m.filename for m in listing(rdb, study, trial.number)] == ["model.keras"]
    assert storage.trial_file(study, trial.number, "model.keras") == b"while running"


def test_dropping_a_trials_files_removes_bytes_and_listing(rdb: storage.ResilientStorage,
                                                           study_name: str) -> None:
    study = new_study(rdb, study_name, n_finished=3)
    for number in (0, 2):
        storage.keep_trial_file(study, number, "model.keras", f"model {number}".encode())
    storage.keep_trial_file(study, 2, "validation_probabilities.npy", b"probs")
    dropped = [m.artifact_id for m in listing(rdb, study, 2)]

    storage.drop_trial_files(study, 2)

    assert listing(rdb, study, 2) == []
    assert storage.trials_with_file(study, "model.keras") == [0]
    assert storage.trial_file(study, 2, "model.keras") is None
    store = storage.artifact_store(rdb)
    for artifact_id in dropped:
        with pytest.raises(ArtifactNotFound):
            store.open_reader(artifact_id)
    assert storage.trial_file(study, 0, "model.keras") == b"model 0"
    assert len(artifact_rows(rdb, study_name)) == 1
    storage.drop_trial_files(study, 2)  # nothing left: nothing to do


def test_deleting_the_study_deletes_its_artifacts_only(rdb: storage.ResilientStorage,
                                                       study_name: str) -> None:
    study = new_study(rdb, study_name)
    other = new_study(rdb, study_name + "-other")
    storage.keep_trial_file(study, 0, "model.keras", b"gone with the study")
    storage.keep_trial_file(other, 0, "model.keras", b"stays")
    [gone] = listing(rdb, study, 0)
    [stays] = listing(rdb, other, 0)

    storage.delete_study(rdb, study_name)

    store = storage.artifact_store(rdb)
    with pytest.raises(ArtifactNotFound):
        store.open_reader(gone.artifact_id)
    assert store.open_reader(stays.artifact_id).read() == b"stays"
    with rdb.engine.connect() as conn:
        left = conn.execute(sa.select(blobs.c.key).where(
            blobs.c.key == f"artifact:{gone.artifact_id}")).all()
    assert left == []
    storage.delete_study(rdb, study_name + "-other")


def test_optunas_upload_artifact_with_a_store_for_the_study(
        rdb: storage.ResilientStorage, study_name: str, tmp_path: Path) -> None:
    """As a user's objective would (Optuna lists artifacts on running trials only)."""
    study = new_study(rdb, study_name)
    source = tmp_path / "notes.txt"
    source.write_text("trained on the full data")
    store = storage.artifact_store(rdb, study_name)
    trial = study.ask()
    on_trial = upload_artifact(artifact_store=store, file_path=str(source),
                               study_or_trial=trial)
    on_study = upload_artifact(artifact_store=store, file_path=str(source),
                               study_or_trial=study)
    study.tell(trial, 1.0)

    assert [m.mimetype for m in listing(rdb, study, trial.number)] == ["text/plain"]
    assert storage.trial_file(study, trial.number, "notes.txt") == b"trained on the full data"
    reader = storage.artifact_store(rdb)  # no study: the dashboard's, reads any study's
    for artifact_id in (on_trial, on_study):
        assert reader.open_reader(artifact_id).read() == b"trained on the full data"
    assert artifact_rows(rdb, study_name) == sorted(f"artifact:{a}"
                                                    for a in (on_trial, on_study))
    reader.remove(on_study)
    with pytest.raises(ArtifactNotFound):
        reader.open_reader(on_study)
    with pytest.raises(ArtifactNotFound):
        reader.remove(on_study)


def test_a_store_for_no_study_refuses_to_write_unless_told_for_which(
        rdb: storage.ResilientStorage, study_name: str) -> None:
    new_study(rdb, study_name)
    store = storage.artifact_store(rdb)
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    with pytest.raises(storage.StorageError) as refused:
        store.write(mine, io.BytesIO(b"data"))
    assert str(refused.value).startswith(f"Cannot write artifact {mine!r}: this artifact "
                                         "store reads the artifacts of every study in ")
    assert str(refused.value).endswith("Make one with storage.artifact_store(rdb, "
                                       "study_name) to upload.")

    study_id = rdb.get_study_id_from_name(study_name)
    elsewhere: list[BaseException] = []

    def other_thread() -> None:
        try:
            store.write(theirs, io.BytesIO(b"other"))
        except storage.StorageError as exc:
            elsewhere.append(exc)

    with store.writing_for(study_id):
        store.write(mine, io.BytesIO(b"data"))
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert len(elsewhere) == 1  # the binding is this thread's only
    assert artifact_rows(rdb, study_name) == [f"artifact:{mine}"]
    with pytest.raises(storage.StorageError):
        store.write(mine, io.BytesIO(b"after the block"))
    assert store.open_reader(mine).read() == b"data"


def test_refusals_name_the_value_and_the_fix(rdb: storage.ResilientStorage,
                                            study_name: str) -> None:
    study = new_study(rdb, study_name)
    with pytest.raises(storage.StorageError) as no_trial:
        storage.keep_trial_file(study, 7, "model.keras", b"x")
    assert str(no_trial.value) == (f"Study {study_name!r} has no trial 7: its files cannot be "
                                   "kept or dropped. Give the number of one of its trials.")
    with pytest.raises(storage.StorageError) as folder:
        storage.keep_trial_file(study, 0, "out/model.keras", b"x")
    assert str(folder.value) == ("A trial's file is named by a plain file name, such as "
                                 "'model.keras', but got 'out/model.keras'. Give the name "
                                 "without a folder.")
    with pytest.raises(storage.StorageError) as no_study:
        storage.artifact_store(rdb, "no-such-study")
    assert str(no_study.value).startswith("No study named 'no-such-study' in ")
    with pytest.raises(storage.StorageError) as too_long:
        storage.artifact_store(rdb).open_reader("a" * 120)
    assert "An artifact id must have 1 to 119 characters" in str(too_long.value)
    # Another study's artifact id is not taken over.
    other = new_study(rdb, study_name + "-b")
    storage.keep_trial_file(other, 0, "model.keras", b"theirs")
    [theirs] = listing(rdb, other, 0)
    with pytest.raises(storage.StorageError) as taken:
        storage.artifact_store(rdb, study_name).write(theirs.artifact_id, io.BytesIO(b"mine"))
    assert "belongs to the study with id" in str(taken.value)
    assert storage.trial_file(other, 0, "model.keras") == b"theirs"
    assert storage.trials_with_file(study, "model.keras") == []
    storage.delete_study(rdb, study_name + "-b")


def test_a_listing_the_dashboard_deleted_is_skipped_and_dropped(
        rdb: storage.ResilientStorage, study_name: str) -> None:
    """optuna-dashboard deletes an artifact by setting its attribute to null (a running
    trial here, as the dashboard only deletes on those)."""
    study = new_study(rdb, study_name, n_finished=0)
    trial = study.ask()
    storage.keep_trial_file(study, trial.number, "model.keras", b"m")
    [meta] = get_all_artifact_meta(trial)
    storage.artifact_store(rdb).remove(meta.artifact_id)
    rdb.set_trial_system_attr(trial._trial_id, f"artifacts:{meta.artifact_id}",
                              json.dumps(None))
    assert storage.trials_with_file(study, "model.keras") == []
    assert storage.trial_file(study, trial.number, "model.keras") is None
    storage.drop_trial_files(study, trial.number)
    assert rdb.get_trial_system_attrs(trial._trial_id) == {}
