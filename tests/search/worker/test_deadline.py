"""`hpsearch run --timeout T` ends about T after the command started, `create` included: the
trial running then stops at its next epoch end, and no trial starts after it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import search.worker._run_search
from search.options import PrunerName, WorkerOptions
from search.study import open_study
from search.worker import run_search
from tests.scripted_trainer import ScriptedTrainer

CREATE_S, EPOCH_S, TIMEOUT = 3.0, 0.5, 8.0


@pytest.mark.alone
def test_run_counts_its_timeout_from_its_start(monkeypatch: pytest.MonkeyPatch,
                                               sqlite_url: str, multiclass_csv: Path) -> None:
    create = search.worker._run_search.create_study

    def slow_create(*args: object, **kwargs: object) -> object:
        time.sleep(CREATE_S)  # a create as slow as a large table's
        return create(*args, **kwargs)

    monkeypatch.setattr(search.worker._run_search, "create_study", slow_create)
    real_worker = search.worker._run_search.run_worker
    monkeypatch.setattr(search.worker._run_search, "run_worker", lambda *a, **k: real_worker(
        *a, trainer=ScriptedTrainer(epoch_s=EPOCH_S), **k))
    started, entered = time.monotonic(), time.time()
    run_search("r", multiclass_csv, storage_url=sqlite_url, started=started, ensemble=False,
               worker_options=WorkerOptions(n_trials=1000, timeout=TIMEOUT),
               max_epochs=100, pruner=PrunerName.NONE)
    took = time.monotonic() - started
    # Within one epoch of the deadline (and a little for the last writes); counted from after
    # create, it would have ended near CREATE_S + TIMEOUT.
    assert TIMEOUT - EPOCH_S <= took <= TIMEOUT + EPOCH_S + 1.0, took
    study, _ = open_study("r", sqlite_url)
    finished = [t for t in study.trials if t.datetime_complete]
    assert finished and all(t.datetime_start.timestamp() < entered + TIMEOUT for t in finished)
    last = max(finished, key=lambda t: t.datetime_complete)
    assert last.user_attrs.get("cut_by_deadline") or last.params["family"] == "linear"
