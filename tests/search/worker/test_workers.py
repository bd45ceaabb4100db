"""The shared storage suite: many worker processes on one study, each test run against SQLite
and PostgreSQL (``storage_url``, conftest's ``STORAGE_MODES``): every trial recorded once,
queued trials taken once, the study's trial budget exact, its time budget, kill -9; and, where
it applies, a PostgreSQL restart.

Workers here are real ``python -m search worker`` processes on the scripted trainer
(tests/scripted_trainer.py), so a trial costs milliseconds plus the epoch sleep asked for.
Sizes are trimmed so that both backends fit in a couple of minutes on two cores.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from optuna.trial import FrozenTrial, TrialState

import storage
from search import create_study
from search.metrics import TrialAttr
from search.options import PrunerName, SamplerName, WorkerOptions
from search.worker._launch import WorkerSlot, launch_workers
from spaces.families import BASELINE
from tests.scripted_trainer import expected_value
from tests.worker_procs import (
    KERAS_FAMILIES,
    killed_at_exit,
    reader,
    retries_of,
    running_in,
    scripted_env,
    start_worker,
    trials,
    wait_exit,
    wait_for,
)

# Each test bounds its own waits; the timeout only guards against a hung launcher (its
# children are killed on the way out).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

# kill -9 detection: a dead worker's trial is failed and queued again within
# GRACE + INTERVAL + MARGIN seconds. MARGIN covers one stale-trial query, SQLite's one-second
# timestamps and this test's polling.
INTERVAL, GRACE, MARGIN = 1, 2, 2.0
HEARTBEAT_ARGS = ("--heartbeat-interval", str(INTERVAL), "--grace-period", str(GRACE))

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)  # complete, or skipped by the grid


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("TEST_DB_URL")
    if not url:
        pytest.skip("TEST_DB_URL is not set (make test starts PostgreSQL and sets it)")
    return url


def _password(url: str) -> str:
    return url.split("://", 1)[1].split("@", 1)[0].partition(":")[2]


def _intermediate_values_are_all_stored(trial: FrozenTrial, epochs: int) -> bool:
    epochs = 1 if trial.params["family"] == "linear" else epochs
    return trial.intermediate_values == pytest.approx(
        {epoch: expected_value(trial.params, epoch) for epoch in range(1, epochs + 1)})


def test_eight_workers_fill_one_study_each_trial_recorded_once(
        storage_url: str, study_name: str, multiclass_csv: Path) -> None:
    per_worker = 2
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=3,
                 pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, metric="val_loss")
    argvs: list[bytes] = []

    def remember_argv(slot: WorkerSlot, proc: subprocess.Popen[str]) -> None:
        argvs.append(Path(f"/proc/{proc.pid}/cmdline").read_bytes())

    out = io.StringIO()
    exits = launch_workers(study_name, storage_url, cpus=8, out=out,
                           env=scripted_env(storage_url),
                           options=WorkerOptions(n_trials=per_worker, heartbeat_interval=5),
                           on_started=remember_argv)
    assert [e.returncode for e in exits] == [0] * 8, out.getvalue()
    # Ran: every trial but those a walk along C queued last, each once.
    everything = trials(reader(storage_url, study_name))
    found = [t for t in everything if t.state in FINISHED]
    assert len(found) == 8 * per_worker
    assert {t.state for t in everything} <= {*FINISHED, TrialState.WAITING}
    assert {t.state for t in found} <= {TrialState.COMPLETE, TrialState.PRUNED}  # grid skips
    assert all(_intermediate_values_are_all_stored(t, 3) for t in found
               if t.state is TrialState.COMPLETE)
    by_worker: dict[str, int] = {}
    for t in found:
        by_worker[t.user_attrs["worker"]] = by_worker.get(t.user_attrs["worker"], 0) + 1
    assert sorted(by_worker.values()) == [per_worker] * 8
    secret = _password(storage_url)
    if secret:
        assert len(argvs) == 8 and not any(secret.encode() in argv for argv in argvs)
        assert secret not in out.getvalue()
        assert secret not in json.dumps([(t.user_attrs, t.system_attrs) for t in found])


def test_queued_trials_are_each_taken_by_one_of_four_workers_two_per_gpu(
        storage_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=2,
                 pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, metric="val_loss")
    study = reader(storage_url, study_name)
    for i in range(30):  # queued trials: each must be taken by exactly one worker
        study.enqueue_trial({"learning_rate": 1e-3 + i * 1e-5}, skip_if_exists=False)
    queued = len(trials(study, TrialState.WAITING))
    out = io.StringIO()
    exits = launch_workers(study_name, storage_url, gpus=["0", "1"], per_gpu=2, out=out,
                           env=scripted_env(storage_url),
                           options=WorkerOptions(n_trials=6, heartbeat_interval=5))
    # Two workers running one queued trial would end in "Cannot tell a COMPLETE trial" or
    # "was failed by another worker": a crash or fewer than 24 finished trials.
    assert [e.returncode for e in exits] == [0] * 4, out.getvalue()
    assert "Traceback" not in out.getvalue() and "another worker" not in out.getvalue()
    found = trials(study)
    # Finished: complete, or a point of the expert's grid its neighbours' scores skipped.
    finished = [t for t in found if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    left = [t for t in trials(study, TrialState.WAITING) if "walked_from" not in t.user_attrs]
    assert len(finished) == 24 and len(left) == queued - 24
    done = [t for t in found if t.state is TrialState.COMPLETE]
    assert all(_intermediate_values_are_all_stored(t, 2) for t in done)
    # Each worker saw only its GPU (CUDA_VISIBLE_DEVICES), as the trials record.
    gpus_of: dict[str, set[str]] = {}
    for t in done:
        gpus_of.setdefault(t.user_attrs["worker"], set()).add(t.user_attrs["gpu"])
    assert sorted(map(sorted, gpus_of.values())) == [["0"], ["0"], ["1"], ["1"]]


def test_four_workers_started_together_fit_the_baseline_once(
        storage_url: str, study_name: str, multiclass_csv: Path) -> None:
    """The TF-IDF + LR baseline is a queued starting point: one worker takes it (Optuna hands
    a queued trial to one worker only) and records it; the others never fit it again."""
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=2,
                 pruner=PrunerName.NONE)
    out = io.StringIO()
    exits = launch_workers(study_name, storage_url, cpus=4, out=out,
                           env=scripted_env(storage_url, epoch_s=0.05),
                           options=WorkerOptions(n_trials=3, heartbeat_interval=5))
    assert [e.returncode for e in exits] == [0] * 4, out.getvalue()
    study = reader(storage_url, study_name)
    fitted = [t for t in trials(study) if t.user_attrs.get("starting_point") == BASELINE]
    assert [t.state for t in fitted] == [TrialState.COMPLETE]
    assert "tfidf_logreg" in study.user_attrs["hpsearch_baselines"]
    assert len(trials(study, TrialState.COMPLETE)) + len(trials(study, TrialState.PRUNED)) == 12


def test_n_workers_on_a_budget_of_b_finish_exactly_b(storage_url: str, study_name: str,
                                                      multiclass_csv: Path) -> None:
    """Three workers, a budget of 6 (they used to finish 8): the budget is checked in the
    storage as each trial starts, and each worker's progress counts the study's trials."""
    workers, budget = 3, 6
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=2,
                 pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, n_trials=budget)
    out = io.StringIO()
    exits = launch_workers(study_name, storage_url, cpus=workers, out=out,
                           env=scripted_env(storage_url, epoch_s=0.05))
    assert [e.returncode for e in exits] == [0] * workers, out.getvalue()
    states = [t.state for t in trials(reader(storage_url, study_name))]
    # Each complete, or a point of the expert's grid its neighbours' scores skipped.
    assert len(states) == budget
    assert set(states) <= {TrialState.COMPLETE, TrialState.PRUNED}, states
    done = [(int(k), int(of)) for k, of in re.findall(r"\[(\d+)/(\d+) done", out.getvalue())]
    assert len(done) == budget and {of for _, of in done} == {budget}
    assert max(k for k, _ in done) == budget
    print(f"{workers} workers, budget {budget}: {len(states)} trials finished")


@pytest.mark.alone
def test_study_timeout_bounds_all_processes(storage_url: str, study_name: str,
                                            multiclass_csv: Path) -> None:
    timeout, trial_s = 6.0, 1.0
    config = create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=2,
                          pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, timeout=timeout)
    out = io.StringIO()
    exits = launch_workers(study_name, storage_url, cpus=2, out=out,
                           env=scripted_env(storage_url, epoch_s=trial_s / 2))
    ended = time.time()
    assert [e.returncode for e in exits] == [0] * 2, out.getvalue()
    found = [t for t in trials(reader(storage_url, study_name)) if t.datetime_start]
    assert found, "no trial ran before the study timeout"
    ends_by = config.created_at + timeout
    # A worker checks the time before it asks for a trial: the trial starts a moment later.
    last_start = max(t.datetime_start.timestamp() for t in found)  # type: ignore[union-attr]
    assert last_start <= ends_by + 1.0
    assert ended <= ends_by + trial_s + 4.0  # the last trial, and the workers' exit


def _state(url: str, study_name: str, number: int) -> TrialState:
    return trials(reader(url, study_name))[number].state


@pytest.mark.alone
def test_kill_9_mid_trial_fails_it_and_its_retry_finishes(
        storage_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path) -> None:
    # No starting points: the queue then holds the killed trial's retry alone.
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=4,
                 pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, start_points=False,
                 metric="val_loss", space=KERAS_FAMILIES)
    study = reader(storage_url, study_name)
    log = tmp_path / "workers.log"
    with killed_at_exit([]) as procs:
        victim = start_worker(storage_url, study_name, log, "--n-trials", "1", *HEARTBEAT_ARGS,
                              epoch_s=1.0)
        # The survivor is busy for 8 s: only its watch thread can notice the dead trial.
        survivor = start_worker(storage_url, study_name, log, "--n-trials", "1",
                                *HEARTBEAT_ARGS, epoch_s=2.0)
        procs += [victim, survivor]
        doomed = wait_for(lambda: running_in(study, victim.pid), 40, "the victim's trial")
        busy = wait_for(lambda: running_in(study, survivor.pid), 40, "the survivor's trial")
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        killed_at = time.monotonic()
        wait_for(lambda: _state(storage_url, study_name, doomed.number) is TrialState.FAIL,
                 GRACE + INTERVAL + MARGIN, "the killed worker's trial to be failed")
        detected_s = time.monotonic() - killed_at
        assert _state(storage_url, study_name, busy.number) is TrialState.RUNNING
        helper = start_worker(storage_url, study_name, log, "--n-trials", "1",
                              *HEARTBEAT_ARGS, epoch_s=0.05)
        procs.append(helper)
        retry = wait_for(lambda: [t for t in retries_of(study, doomed.number)
                                  if t.state is TrialState.COMPLETE], 40, "the retry")[0]
        assert wait_exit(helper, 30) == 0 and wait_exit(survivor, 30) == 0, log.read_text()
    failed = trials(study)[doomed.number]
    assert failed.user_attrs[storage.FAIL_REASON_ATTR].startswith("no heartbeat for more than")
    assert retry.params == doomed.params
    assert _intermediate_values_are_all_stored(retry, 4)
    print(f"kill -9 detected after {detected_s:.1f}s (bound {GRACE + INTERVAL + MARGIN}s)")


def _postgres(action: str) -> None:
    version = os.environ.get("PGVER", "15")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
                   check=True, capture_output=True, timeout=60)


def _postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], timeout=10).returncode == 0


@pytest.mark.alone
def test_workers_ride_out_a_postgres_restart(pg_url: str, study_name: str,
                                             multiclass_csv: Path, tmp_path: Path) -> None:
    if not shutil.which("pg_ctlcluster") or os.geteuid() != 0 or "@127.0.0.1" not in pg_url:
        pytest.skip("restarting PostgreSQL needs root, pg_ctlcluster and a server on this host")
    n_trials, down_s = 12, 3.0
    # Sampled trials only: the expert's grid may skip a point (pruned), which is not this test.
    create_study(study_name, multiclass_csv, storage_url=pg_url, max_epochs=3,
                 pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, n_trials=n_trials,
                 start_points=False)
    study = reader(pg_url, study_name)
    log = tmp_path / "workers.log"
    with killed_at_exit([]) as procs:
        for _ in range(3):
            procs.append(start_worker(pg_url, study_name, log, "--heartbeat-interval", "1",
                                      "--grace-period", "3", epoch_s=0.2))
        wait_for(lambda: len(trials(study, TrialState.COMPLETE)) >= 4, 60, "4 finished trials")
        before = {t.number: t.value for t in trials(study, TrialState.COMPLETE)}
        try:
            _postgres("stop")
            time.sleep(down_s)
        finally:
            _postgres("start")
            wait_for(_postgres_ready, 30, "PostgreSQL to accept connections again")
        codes = [wait_exit(proc, 120) for proc in procs]
    output = log.read_text()
    assert codes == [0, 0, 0], output
    assert "database unreachable" in output and "database reachable again" in output
    after = trials(study)
    assert {t.number: t.value for t in after if t.number in before} == before
    states = [t.state for t in after]
    # The budget holds through it. (Three workers may queue a step of the walk along C twice:
    # the later copy is skipped, pruned, and counts as a trial of the budget.)
    skipped = [t for t in after if t.state is TrialState.PRUNED]
    assert all("queued twice" in t.user_attrs[TrialAttr.PRUNED_REASON] for t in skipped)
    assert states.count(TrialState.COMPLETE) + len(skipped) == n_trials
    assert TrialState.RUNNING not in states
    assert TrialState.FAIL not in states  # no live trial was mistaken for a dead one
