"""storage/: telling outages from errors, waiting them out, stale trials without a heartbeat,
and many processes creating the schema of an empty database at once."""

from __future__ import annotations

import inspect
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import optuna
import psycopg
import pytest
import sqlalchemy.exc
from optuna.trial import TrialState

import storage
from storage._resilient import RETRIED_METHODS
from storage._retry import MAX_DELAY_S, Outages, call_with_retry
from tests.worker_procs import REPO, scripted_env


def _operational(orig: Exception) -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, orig)


def test_connection_errors_are_told_apart_from_real_ones() -> None:
    locked = _operational(sqlite3.OperationalError("database is locked"))
    assert storage.is_connection_error(locked)
    assert not storage.is_connection_error(_operational(sqlite3.OperationalError(
        "no such table: trials")))
    refused = _operational(psycopg.OperationalError("connection refused"))
    wrapped = optuna.exceptions.StorageInternalError("commit failed")
    wrapped.__cause__ = refused
    assert storage.is_connection_error(wrapped)
    # Optuna's _run_trial can replace the storage error by an UnboundLocalError raised while
    # handling it: the cause is still found through __context__.
    replaced = UnboundLocalError("updated_state")
    replaced.__context__ = wrapped
    assert storage.is_connection_error(replaced)
    assert storage.connection_error_text(replaced) == "connection refused"  # not the wrappers'
    assert not storage.is_connection_error(sqlalchemy.exc.IntegrityError(
        "INSERT", {}, psycopg.IntegrityError("duplicate key")))
    assert not storage.is_connection_error(ValueError("Cannot tell a FAIL trial."))


@pytest.mark.alone
def test_retry_waits_out_an_outage_then_gives_up_after_its_window() -> None:
    outages = Outages("postgresql+psycopg://u:pw@db/x")
    calls: list[int] = []
    slept: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 4:
            raise _operational(psycopg.OperationalError("server closed the connection"))
        return "answer"

    assert call_with_retry(flaky, window_s=60, outages=outages, sleep=slept.append) == "answer"
    assert slept == [0.2, 0.4, 0.8]
    assert outages.failing_since is None and outages.steady_for() < 1

    def down() -> str:
        raise _operational(psycopg.OperationalError("connection refused"))

    start = time.monotonic()
    with pytest.raises(sqlalchemy.exc.OperationalError):
        call_with_retry(down, window_s=1.0, outages=outages)
    assert 0.5 < time.monotonic() - start < 1.5  # 0.2 + 0.4 s slept; the next 0.8 s would pass 1
    assert outages.steady_for() == 0.0

    def broken() -> str:
        raise _operational(sqlite3.OperationalError("no such table: trials"))

    with pytest.raises(sqlalchemy.exc.OperationalError):
        call_with_retry(broken, window_s=60, outages=outages, sleep=slept.append)
    assert slept == [0.2, 0.4, 0.8]  # not retried


def test_every_database_call_optuna_makes_is_retried() -> None:
    """Optuna's cached storage calls these backend methods; a new one must be added to
    RETRIED_METHODS (or be a plain getter), or a restart would surface as an error."""
    from optuna.storages import _cached_storage

    called = set(re.findall(r"_backend\.(\w+)", inspect.getsource(_cached_storage)))
    not_database = {"get_heartbeat_interval", "get_heartbeat_stale_trial_callback",
                    "record_heartbeat"}  # record_heartbeat: logs and beats again instead
    assert called - not_database <= set(RETRIED_METHODS)
    for name in RETRIED_METHODS:
        assert getattr(optuna.storages.RDBStorage, name, None) is not None, name


@pytest.mark.alone
@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed")
def test_trial_killed_before_its_first_heartbeat_is_failed_and_queued(
        storage_url: str, study_name: str) -> None:
    interval, grace, margin = 1, 1, 2.0
    optuna_rdb = optuna.storages.RDBStorage(storage_url, heartbeat_interval=interval,
                                            grace_period=grace)
    study = optuna.create_study(study_name=study_name, storage=optuna_rdb)
    trial = study.ask()  # RUNNING, no heartbeat row: what a worker killed right here leaves
    trial.suggest_float("x", 0.0, 1.0)
    time.sleep(grace + 1.5)
    # Optuna 5 skips trials without a heartbeat row: this one would stay RUNNING forever.
    assert optuna_rdb._get_stale_trial_ids(study._study_id) == []

    ours = storage.open_storage(storage_url, heartbeat_interval=interval, grace_period=grace)
    watched = optuna.load_study(study_name=study_name, storage=ours)
    start = time.monotonic()
    while watched.get_trials(deepcopy=False)[trial.number].state is TrialState.RUNNING:
        assert time.monotonic() - start < grace + 2 * interval + margin, "still RUNNING"
        storage.fail_stale_trials(watched)  # what each worker's watch thread does every interval
        time.sleep(interval)
    failed = watched.get_trials(deepcopy=False)[trial.number]
    assert failed.state is TrialState.FAIL
    assert failed.user_attrs[storage.FAIL_REASON_ATTR].startswith(
        f"no heartbeat for more than {grace}s")
    [retry] = [t for t in watched.get_trials(deepcopy=False) if t.number != trial.number]
    assert retry.state is TrialState.WAITING
    assert retry.params == failed.params and retry.system_attrs["failed_trial"] == trial.number
    assert storage.FAIL_REASON_ATTR not in retry.user_attrs


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed")
def test_no_trial_is_declared_stale_right_after_an_outage(sqlite_url: str,
                                                          study_name: str) -> None:
    rdb = storage.open_storage(sqlite_url, heartbeat_interval=1, grace_period=1)
    study = optuna.create_study(study_name=study_name, storage=rdb)
    trial = study.ask()
    rdb.record_heartbeat(trial._trial_id)
    time.sleep(2.2)
    rdb.outages.failed(RuntimeError("connection refused"), 60)
    rdb.outages.answered()  # the database answers again just now
    assert rdb._get_stale_trial_ids(study._study_id) == []  # live workers get to heartbeat
    time.sleep(MAX_DELAY_S - 0.5)  # one asleep in its longest backoff too
    assert rdb._get_stale_trial_ids(study._study_id) == []
    time.sleep(1.6)
    assert rdb._get_stale_trial_ids(study._study_id) == [trial._trial_id]


@pytest.fixture
def empty_database(storage_url: str, tmp_path: object) -> Iterator[str]:
    """A database without any table: a fresh SQLite file or a new PostgreSQL database."""
    if storage_url.startswith("sqlite"):
        yield storage_url
        return
    name = f"hpsearch_empty_{uuid.uuid4().hex[:8]}"
    admin = storage_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield storage_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CREATORS = 4  # at once: each finds the tables missing, one creates them, none fails
OPEN_AT_ONCE = """
import sys, time
import optuna
import storage
url = storage.resolve_storage_url()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
rdb = storage.open_storage(url, heartbeat_interval=None)
optuna.create_study(study_name="study-" + sys.argv[2], storage=rdb)
storage.put_blob(rdb, "study-" + sys.argv[2], "cache", b"data")
"""


@pytest.mark.slow
def test_many_processes_create_the_schema_of_an_empty_database_once(
        empty_database: str) -> None:
    go = time.time() + 3.0  # every process has imported storage by then
    procs = [subprocess.Popen([sys.executable, "-c", OPEN_AT_ONCE, str(go), str(i)], cwd=REPO,
                              env=scripted_env(empty_database), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i in range(CREATORS)]
    try:
        outputs = [proc.communicate(timeout=60)[0] for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    assert [proc.returncode for proc in procs] == [0] * CREATORS, "\n".join(outputs)
    rdb = storage.open_storage(empty_database, heartbeat_interval=None)
    assert rdb.get_current_version() == rdb.get_head_version()
    assert [storage.get_blob(rdb, f"study-{i}", "cache") is not None
            for i in range(CREATORS)] == [True] * CREATORS
    rdb.engine.dispose()
