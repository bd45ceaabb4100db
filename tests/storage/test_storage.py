"""storage/: the URL's precedence and masking, the data blob, the study-wide trial cap."""

import sqlite3
import threading
import time
from pathlib import Path

import optuna
import pytest
import sqlalchemy.exc
from optuna.trial import TrialState

import storage
import storage._resilient
from search.cli._options import StorageOpt
from tests.worker_procs import REPO


def test_url_precedence_flag_env_file_optuna_default(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    for var, _ in storage.URL_SOURCES:
        monkeypatch.delenv(var, raising=False)
    assert storage.resolve_storage_url() == "sqlite:///hpsearch.db"
    monkeypatch.setenv("OPTUNA_STORAGE", "sqlite:///optuna.db")
    assert storage.resolve_storage_url() == "sqlite:///optuna.db"
    secret = tmp_path / "url"
    secret.write_text("postgresql+psycopg://u:pw@db/x\n")
    monkeypatch.setenv("HPSEARCH_STORAGE_FILE", str(secret))
    assert storage.resolve_storage_url() == "postgresql+psycopg://u:pw@db/x"
    monkeypatch.setenv("HPSEARCH_STORAGE", "sqlite:///env.db")
    assert storage.resolve_storage_url() == "sqlite:///env.db"
    assert storage.resolve_storage_url("sqlite:///flag.db") == "sqlite:///flag.db"


def test_a_url_file_is_read_without_blanks_around_it_and_one_line_only(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var, _ in storage.URL_SOURCES:
        monkeypatch.delenv(var, raising=False)
    secret = tmp_path / "url"
    secret.write_text("\n  postgresql+psycopg://u:pw@db/x \r\n\n")
    monkeypatch.setenv("HPSEARCH_STORAGE_FILE", str(secret))
    assert storage.resolve_storage_url() == "postgresql+psycopg://u:pw@db/x"
    secret.write_text("sqlite:///a.db\n\nsqlite:///b.db\n")
    with pytest.raises(storage.StorageError) as refused:
        storage.resolve_storage_url()
    assert str(refused.value) == (
        f"$HPSEARCH_STORAGE_FILE names {str(secret)!r}, which holds 2 lines that are not blank; "
        "it must hold one storage URL on one line. Keep the one URL hpsearch should use and "
        "remove the others.")


def test_an_in_memory_sqlite_database_is_refused() -> None:
    for url in ("sqlite://", "sqlite:///", "sqlite:///:memory:",
                "sqlite:///file::memory:?cache=shared", "sqlite:///file:s?mode=memory&uri=true"):
        with pytest.raises(storage.StorageError, match="is an in-memory SQLite database"):
            storage.check_storage_url(url)
    for url in ("sqlite:///memory.db", "sqlite:////tmp/:memory:x.db", "sqlite:///s.db?mode=rw"):
        assert storage.check_storage_url(url) == url


def test_the_precedence_is_written_once_for_the_help_and_the_readme() -> None:
    said = ("--storage, then $HPSEARCH_STORAGE, then the file named by $HPSEARCH_STORAGE_FILE, "
            "then $OPTUNA_STORAGE, then sqlite:///hpsearch.db in the working directory")
    assert storage.url_precedence() == said
    assert said in StorageOpt.__metadata__[0].help
    assert said in " ".join((REPO / "README.md").read_text().split())


def test_password_is_masked() -> None:
    url = "postgresql+psycopg://hp:s3cr3t@db.example:5432/studies"
    assert storage.mask_url(url) == "postgresql+psycopg://hp:***@db.example:5432/studies"
    assert "s3cr3t" not in storage.mask_secrets(f"could not connect to {url}: s3cr3t", url)




def test_unreachable_server_gives_a_masked_storage_error() -> None:
    url = "postgresql+psycopg://hp:topsecret@127.0.0.1:1/none"
    with pytest.raises(storage.StorageError) as info:
        storage.open_storage(url)
    assert "topsecret" not in str(info.value)
    assert "hp:***@127.0.0.1:1/none" in str(info.value)


def test_blob_is_kept_under_the_study_id_and_written_once(storage_url: str,
                                                         study_name: str) -> None:
    rdb = storage.open_storage(storage_url)
    assert storage.get_blob(rdb, study_name, "k") is None
    with pytest.raises(storage.StorageError, match="there is no such study"):
        storage.put_blob(rdb, study_name, "k", b"first")
    optuna.create_study(study_name=study_name, storage=rdb)
    digest = storage.put_blob(rdb, study_name, "k", b"first")
    assert storage.put_blob(rdb, study_name, "k", b"first") == digest  # again: a no-op
    with pytest.raises(storage.StorageError) as info:
        storage.put_blob(rdb, study_name, "k", b"second")
    assert f"Study {study_name!r} already holds 'k' with sha256 {digest[:12]}, and this " \
           "process made" in str(info.value)
    assert "Stored data is never replaced" in str(info.value)
    assert storage.get_blob(rdb, study_name, "k") == (b"first", digest)
    storage.delete_study(rdb, study_name)
    optuna.create_study(study_name=study_name, storage=rdb)  # the same name, a new study
    assert storage.get_blob(rdb, study_name, "k") is None


def test_data_of_a_study_deleted_elsewhere_never_reaches_the_next(storage_url: str,
                                                                  study_name: str) -> None:
    """Deleted by a tool that knows nothing of hpsearch's data (a dashboard allowed to write):
    SQLite then gives the next study the same id."""
    rdb = storage.open_storage(storage_url)
    optuna.create_study(study_name=study_name, storage=rdb)
    old_id = rdb.get_study_id_from_name(study_name)
    storage.put_blob(rdb, study_name, "k", b"old data")
    optuna.delete_study(study_name=study_name, storage=rdb)
    assert storage.drop_orphan_blobs(rdb) >= 1
    optuna.create_study(study_name=study_name, storage=rdb)
    if storage.is_sqlite(storage_url):
        assert rdb.get_study_id_from_name(study_name) == old_id  # why it matters
    assert storage.get_blob(rdb, study_name, "k") is None
    storage.put_blob(rdb, study_name, "k", b"new data")


def test_blob_writes_wait_out_a_lost_connection(sqlite_url: str, study_name: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rdb = storage.open_storage(sqlite_url)
    optuna.create_study(study_name=study_name, storage=rdb)
    begin, calls = rdb.engine.begin, []

    def flaky_begin() -> object:
        calls.append(1)
        if len(calls) == 1:
            raise sqlalchemy.exc.OperationalError(
                "INSERT", {}, sqlite3.OperationalError("database is locked"))
        return begin()

    monkeypatch.setattr(rdb.engine, "begin", flaky_begin)
    digest = storage.put_blob(rdb, study_name, "k", b"data")
    assert len(calls) == 2 and storage.get_blob(rdb, study_name, "k") == (b"data", digest)


def test_trial_cap_counts_finished_and_running_trials_as_one_starts(
        storage_url: str, study_name: str) -> None:
    counted = (TrialState.COMPLETE, TrialState.PRUNED)
    one = optuna.create_study(study_name=study_name, storage=storage.open_storage(storage_url))
    two = optuna.load_study(study_name=study_name, storage=storage.open_storage(storage_url))
    for study in (one, two):
        storage.cap_trials(study, 2, counted)
    first, second = one.ask(), two.ask()
    with pytest.raises(storage.BudgetSpent) as full:
        one.ask()
    assert (full.value.limit, full.value.finished, full.value.running) == (2, 0, 2)
    two.enqueue_trial({"x": 0.5})
    with pytest.raises(storage.BudgetSpent):
        two.ask()  # a queued trial is capped too, and stays queued
    assert [t.state for t in two.get_trials()][-1] is TrialState.WAITING
    two.tell(second, state=TrialState.FAIL)  # a failed trial frees its slot
    third = two.ask()
    assert third.number == 2  # the queued one
    one.tell(first, 1.0)
    two.tell(third, state=TrialState.PRUNED)
    with pytest.raises(storage.BudgetSpent) as full:
        two.ask()
    assert (full.value.finished, full.value.running) == (2, 0)
    storage.cap_trials(two, None, counted)
    two.ask()


@pytest.mark.parametrize("start", ["new", "queued"])
def test_trial_cap_holds_when_two_processes_start_a_trial_at_once(
        start: str, storage_url: str, study_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each start counts, then pauses before its trial is written: without the lock on the
    study's row both would count 0 and both start, past a budget of 1 (on SQLite, which
    ignores the SELECT ... FOR UPDATE Optuna relies on)."""
    counted = (TrialState.COMPLETE, TrialState.PRUNED)
    studies = [optuna.create_study(study_name=study_name,
                                   storage=storage.open_storage(storage_url))]
    studies.append(optuna.load_study(study_name=study_name,
                                     storage=storage.open_storage(storage_url)))
    if start == "queued":
        studies[0].enqueue_trial({"x": 0.1})
        studies[0].enqueue_trial({"x": 0.2})
    for study in studies:
        storage.cap_trials(study, 1, counted)
    checked = storage._resilient.check_room

    def check_then_pause(*args: object) -> None:
        checked(*args)  # type: ignore[arg-type]
        time.sleep(0.5)

    monkeypatch.setattr(storage._resilient, "check_room", check_then_pause)
    outcomes: list[object] = []

    def ask(study: optuna.Study) -> None:
        try:
            outcomes.append(study.ask().number)
        except storage.BudgetSpent as full:
            outcomes.append(full)

    threads = [threading.Thread(target=ask, args=(study,)) for study in studies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(o).__name__ for o in outcomes) == ["BudgetSpent", "int"]
    [spent] = [o for o in outcomes if isinstance(o, storage.BudgetSpent)]
    assert (spent.finished, spent.running) == (0, 1)
    assert len(studies[0].get_trials(states=(TrialState.RUNNING,))) == 1


def test_a_queued_retry_keeps_what_the_trial_was_queued_as(storage_url: str,
                                                           study_name: str) -> None:
    study = optuna.create_study(study_name=study_name, storage=storage_url)
    study.enqueue_trial({"x": 1.0}, user_attrs={storage.STARTING_POINT_ATTR: "expert"})
    trial = study.ask({"x": optuna.distributions.FloatDistribution(0.0, 2.0)})
    trial.set_user_attr("epoch", 3)
    study.tell(trial, state=TrialState.FAIL)
    assert storage.requeue_trial(study, study.trials[0])
    copy = study.trials[-1]
    assert copy.state is TrialState.WAITING and copy.params == {"x": 1.0}
    assert copy.user_attrs == {storage.STARTING_POINT_ATTR: "expert"}  # not the run's epoch
    assert copy.system_attrs[storage.FAILED_TRIAL_ATTR] == 0
