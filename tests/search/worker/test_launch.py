"""``hpsearch launch``: slots, what each worker sees, exits reported, Ctrl-C forwarded; and the
guards around SQLite and $HPSEARCH_TRAINER."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from optuna.trial import FrozenTrial, TrialState
from typer.testing import CliRunner

import storage
from search import create_study
from search._errors import HpsearchError, StudyError, WorkerInterrupted
from search.cli import app
from search.options import PrunerName, SamplerName, WorkerOptions
from search.study._open import refuse_shared_sqlite
from search.worker._launch import (
    LaunchError,
    WorkerSlot,
    launch_workers,
    parse_gpus,
    plan_slots,
    worker_command,
    worker_env,
)
from search.worker._signals import StopSignals
from search.worker._trainer_env import trainer_from_env
from storage import sqlite_parallel_warnings
from tests.scripted_trainer import ScriptedTrainer
from tests.worker_procs import (
    KERAS_FAMILIES,
    REPO,
    killed_at_exit,
    reader,
    retries_of,
    scripted_env,
    trials,
    wait_exit,
    wait_for,
)

URL = "postgresql+psycopg://hp:s3cret@db:5432/studies"
pytestmark = pytest.mark.usefixtures("keep_hpsearch_logging")


def test_gpu_slots_and_cpu_slots() -> None:
    slots = plan_slots(parse_gpus("0,1"), per_gpu=2)
    assert [(s.index, s.visible_devices) for s in slots] == [(0, "0"), (1, "0"), (2, "1"),
                                                            (3, "1")]
    assert [s.visible_devices for s in plan_slots(cpus=3)] == ["", "", ""]
    assert plan_slots(cpus=1)[0].label == "w0 cpu" and slots[2].label == "w2 gpu 1"


@pytest.mark.parametrize(("gpus", "cpus", "message"), [
    (None, None, "Give either --gpus (one worker per GPU slot) or --cpus N (N CPU workers), "
                 "not neither."),
    (["0"], 2, "not both."),
    ([], None, "--gpus lists no GPU; give ids like 0,1 or use --cpus N."),
])
def test_slot_errors_say_what_to_give(gpus: list[str] | None, cpus: int | None,
                                      message: str) -> None:
    with pytest.raises(LaunchError) as info:
        plan_slots(gpus, cpus=cpus)
    assert message in str(info.value)


def test_gpu_list_errors() -> None:
    with pytest.raises(LaunchError, match=r"names GPU 1 more than once \('0,1,1'\); use "
                                          "--per-gpu K"):
        parse_gpus("0,1,1")
    with pytest.raises(LaunchError, match="like 0,1,2,3, but got '0,,1'"):
        parse_gpus("0,,1")


def test_worker_gets_the_url_in_its_environment_never_its_arguments() -> None:
    slot = WorkerSlot(2, "1")
    options = WorkerOptions(n_trials=5, seed=10, heartbeat_interval=3, verbose=True)
    argv = worker_command("s", slot, options)
    assert argv[1:] == ["-m", "search", "--verbose", "worker", "--study", "s", "--n-trials", "5",
                        "--heartbeat-interval", "3", "--seed", "12"]
    assert not any("s3cret" in arg or "postgresql" in arg for arg in argv)
    env = worker_env(URL, slot, {"HPSEARCH_STORAGE_FILE": "/run/secrets/url", "PATH": "/bin"})
    assert env["HPSEARCH_STORAGE"] == URL and "HPSEARCH_STORAGE_FILE" not in env
    assert env["CUDA_VISIBLE_DEVICES"] == "1" and env["PATH"] == "/bin"
    assert worker_env(URL, WorkerSlot(0, None), {})["CUDA_VISIBLE_DEVICES"] == ""


def test_grace_period_must_outlast_the_heartbeat_interval(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["worker", "--study", "s", "--storage", sqlite_url,
                                      "--heartbeat-interval", "10", "--grace-period", "5"])
    assert result.exit_code == 2
    assert "--grace-period must be longer than --heartbeat-interval" in result.output
    assert "got (grace_period=5, heartbeat_interval=10)" in result.output


def test_launch_cli_refuses_without_slots(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["launch", "--study", "s", "--storage", sqlite_url])
    assert result.exit_code == 2
    assert "Give either --gpus (one worker per GPU slot) or --cpus N" in result.output


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_workers_that_fail_are_reported_not_restarted(sqlite_url: str, study_name: str,
                                                      multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=1)
    env = scripted_env(sqlite_url) | {"HPSEARCH_TRAINER": "no_such_module:Trainer"}
    out = io.StringIO()
    exits = launch_workers(study_name, sqlite_url, cpus=2, out=out, env=env)
    assert [e.returncode for e in exits] == [2, 2]
    assert [e.how for e in exits] == ["exited with status 2"] * 2
    assert out.getvalue().count("cannot import 'no_such_module'") == 2
    assert {t.state for t in trials(reader(sqlite_url, study_name))} <= {TrialState.WAITING}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigterm_is_forwarded_and_every_exit_reported(sqlite_url: str, study_name: str,
                                                      multiclass_csv: Path) -> None:
    """SIGTERM to the launcher (as `docker compose stop` sends it) reaches each worker, which
    fails its running trial as interrupted, queues it again and exits 0."""
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=4,
                 pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, space=KERAS_FAMILIES)
    study = reader(sqlite_url, study_name)
    with killed_at_exit([]) as procs:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "search", "launch", "--study", study_name, "--cpus", "2"],
            cwd=REPO, env=scripted_env(sqlite_url, epoch_s=1.0), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        procs.append(launcher)

        def both_in_a_trial() -> list[FrozenTrial] | None:
            busy = [t for t in trials(study, TrialState.RUNNING) if t.intermediate_values]
            return busy if len(busy) == 2 else None

        running = wait_for(both_in_a_trial, 60, "both workers in a trial")
        launcher.send_signal(signal.SIGTERM)
        assert wait_exit(launcher, 30) == 0
        output = launcher.communicate()[0]
    assert "SIGTERM: forwarding it to 2 worker(s)" in output
    for label in ("w0 cpu", "w1 cpu"):
        assert f"worker {label} (pid " in output
    assert output.count("exited with status 0 after") >= 2
    for trial in running:
        interrupted = trials(study)[trial.number]
        assert interrupted.state is TrialState.FAIL
        assert interrupted.user_attrs[storage.FAIL_REASON_ATTR] == "interrupted"
        [retry] = retries_of(study, trial.number)
        assert retry.state is TrialState.WAITING and retry.params == interrupted.params
        assert (f"stopped by SIGTERM; trial {trial.number} failed as interrupted and queued "
                "again") in output


def test_ctrl_c_interrupts_training_but_never_a_database_write() -> None:
    stop = StopSignals()
    with stop:
        # Training, then a database write inside it: the signal waits for the write's end.
        with pytest.raises(WorkerInterrupted), stop.interruptible(), stop.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            written = True
        assert written and stop.requested == "SIGINT"
        with pytest.raises(WorkerInterrupted):
            stop.check()  # and no new trial starts
    again = StopSignals()
    with again:
        os.kill(os.getpid(), signal.SIGTERM)  # between trials: only recorded
        assert again.requested == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_sqlite_on_a_network_file_system_is_refused(tmp_path: Path) -> None:
    mounts = f"server:/export {tmp_path} nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0\n"
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    with pytest.raises(StudyError) as info:
        refuse_shared_sqlite(url, mounts)
    assert f"The SQLite study file {tmp_path / 'studies.db'} lies on a nfs4 network file " \
           "system" in str(info.value)
    assert "Use PostgreSQL for that: --storage postgresql+psycopg://" in str(info.value)
    refuse_shared_sqlite(url, "/dev/sda1 / ext4 rw 0 0\n")  # a local disk: fine
    refuse_shared_sqlite(URL, mounts)  # not SQLite: fine


def test_parallel_sqlite_warns_and_points_to_postgres() -> None:
    url = "sqlite:///studies.db"
    assert sqlite_parallel_warnings(url, workers=1, queued=3) == []
    assert sqlite_parallel_warnings(URL, workers=8, queued=3) == []
    [queued] = sqlite_parallel_warnings(url, workers=2, queued=3)
    assert queued.startswith("3 queued trial(s) and 2 workers on SQLite") and "PostgreSQL" in queued
    assert len(sqlite_parallel_warnings(url, workers=8, queued=0)) == 1


def test_trainer_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HPSEARCH_TRAINER", raising=False)
    assert trainer_from_env() is None
    monkeypatch.setenv("HPSEARCH_TRAINER", "tests.scripted_trainer:ScriptedTrainer")
    assert isinstance(trainer_from_env(), ScriptedTrainer)
    monkeypatch.setenv("HPSEARCH_TRAINER", "tests.scripted_trainer")
    with pytest.raises(HpsearchError, match="must read 'module:attribute', but got "
                                             "'tests.scripted_trainer'"):
        trainer_from_env()
    monkeypatch.setenv("HPSEARCH_TRAINER", "tests.scripted_trainer:Nope")
    with pytest.raises(HpsearchError, match="has no attribute 'Nope'"):
        trainer_from_env()


def test_scripted_trainers_are_trainers_and_others_are_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from search.training import Trainer

    assert isinstance(ScriptedTrainer(), Trainer)
    monkeypatch.setenv("HPSEARCH_TRAINER", "tests.scripted_trainer:per_class_metrics")
    with pytest.raises(HpsearchError, match=r"'tests.scripted_trainer:per_class_metrics' is "
                                             r"not a trainer: it lacks configure_devices, "):
        trainer_from_env()


# A value other than the default for every option of a worker (a new option must get one).
CHANGED: dict[str, Any] = {
    "n_trials": 7, "timeout": 90.5, "max_consecutive_failures": 2, "heartbeat_interval": 4,
    "grace_period": 11, "reconnect_timeout": 12.5, "seed": 10, "verbose": True}


def parsed_by_the_worker(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> WorkerOptions:
    """The options the real `hpsearch worker` builds from ``argv`` (after `-m search`), caught
    where it would start working."""
    import search.worker

    caught: list[WorkerOptions] = []

    def run_worker(study: str, storage_url: str | None, options: WorkerOptions,
                   **_: object) -> None:
        caught.append(options)
        raise typer.Exit(0)

    monkeypatch.setattr(search.worker, "run_worker", run_worker)
    monkeypatch.setattr(search.worker, "make_progress", lambda: None)
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    [options] = caught
    return options


def test_every_changed_worker_option_reaches_the_worker_as_it_was(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(CHANGED) == {spec.name for spec in WorkerOptions.specs()}
    for spec in WorkerOptions.specs():
        assert CHANGED[spec.name] != spec.default, spec.name
    options = WorkerOptions(**CHANGED)
    argv = worker_command("s", WorkerSlot(2, None), options)
    assert argv[:4] == [sys.executable, "-m", "search", "--verbose"]
    assert "True" not in argv and "False" not in argv
    parsed = parsed_by_the_worker(argv[3:], monkeypatch)
    # The worker's sampler seed is offset by its slot; --verbose is hpsearch's own option.
    assert parsed == dataclasses.replace(options, seed=12, verbose=False)
    assert logging.getLogger("hpsearch").level == logging.DEBUG
    default = worker_command("s", WorkerSlot(0, None), WorkerOptions())
    assert default[3:] == ["worker", "--study", "s"]
    assert parsed_by_the_worker(default[3:], monkeypatch) == WorkerOptions()


def test_launch_passes_its_worker_options_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import search.worker

    caught: dict[str, object] = {}
    monkeypatch.setattr(search.worker, "launch_workers",
                        lambda *args, **kwargs: caught.update(kwargs) or [])
    result = CliRunner().invoke(app, ["launch", "--study", "s", "--cpus", "2", "--timeout",
                                      "30", "--seed", "3", "--grace-period", "61"])
    assert result.exit_code == 0, result.output
    assert caught["cpus"] == 2 and caught["per_gpu"] == 1 and caught["gpus"] is None
    options = caught["options"]
    assert options == WorkerOptions(timeout=30, seed=3, grace_period=61)
    argv = worker_command("s", WorkerSlot(1, None), options)
    assert parsed_by_the_worker(argv[3:], monkeypatch) == WorkerOptions(
        timeout=30, seed=4, grace_period=61)
