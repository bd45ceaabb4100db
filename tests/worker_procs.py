"""Worker *processes* for tests and benchmarks: start them on the scripted trainer, wait for
what the study shows, and always stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import optuna
from optuna.trial import FrozenTrial, TrialState

import storage
from tests.scripted_trainer import ENV_EPOCH_S, TRAINER_SPEC

REPO = Path(__file__).resolve().parent.parent
# A space of the families that train epoch by epoch (a solved one finishes in one step).
KERAS_FAMILIES = Path(__file__).resolve().parent / "keras_families.yaml"
T = TypeVar("T")


def scripted_env(url: str, epoch_s: float = 0.0) -> dict[str, str]:
    """The environment of a worker on the scripted trainer: URL in $HPSEARCH_STORAGE."""
    env = dict(os.environ)
    env.pop(storage.ENV_URL_FILE, None)
    env.update({
        storage.ENV_URL: url, "HPSEARCH_TRAINER": TRAINER_SPEC, ENV_EPOCH_S: str(epoch_s),
        "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "CUDA_VISIBLE_DEVICES": "",
    })
    return env


def start_worker(url: str, study_name: str, log: Path, *args: str, epoch_s: float = 0.0,
                 env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``python -m search worker --study NAME ARGS`` with its output in ``log``, in ``env``
    (default: ``scripted_env(url, epoch_s)``)."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "search", "worker", "--study", study_name, *args],
            cwd=REPO, env=scripted_env(url, epoch_s) if env is None else env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


@contextmanager
def killed_at_exit(procs: list[subprocess.Popen[Any]]) -> Iterator[list[subprocess.Popen[Any]]]:
    """Yields ``procs`` (append to it); on leaving, SIGKILLs any still running."""
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)


def wait_for(check: Callable[[], T | None], timeout: float, what: str,
             interval: float = 0.1) -> T:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def wait_exit(proc: subprocess.Popen[Any], timeout: float) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"worker pid {proc.pid} still running after {timeout}s") from None


def reader(url: str, study_name: str) -> optuna.Study:
    """The study as a test reads it: no heartbeat, no sampler state that matters."""
    return optuna.load_study(study_name=study_name,
                             storage=storage.open_storage(url, heartbeat_interval=None))


def trials(study: optuna.Study, *states: TrialState) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=states or None)


def running_in(study: optuna.Study, pid: int, min_epochs: int = 1) -> FrozenTrial | None:
    """The RUNNING trial of the worker with ``pid`` once it reported ``min_epochs`` epochs."""
    for trial in trials(study, TrialState.RUNNING):
        worker = str(trial.user_attrs.get("worker", ""))
        if worker.endswith(f":{pid}") and len(trial.intermediate_values) >= min_epochs:
            return trial
    return None


def retries_of(study: optuna.Study, number: int) -> list[FrozenTrial]:
    return [t for t in trials(study) if t.system_attrs.get("failed_trial") == number]
