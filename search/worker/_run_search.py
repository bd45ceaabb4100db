"""``hpsearch run``: create (or resume) a study, work on it in this process, and end with the
best model: its time budget counts from the moment the command started, ``create`` included,
and it keeps the last moments for settling the answer (``search.answer``: the ensemble of the
kept trials, the estimate on the held rows, the refit on every row)."""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

import storage
from search._errors import HpsearchError
from search.options import (
    RUN_WORKER_DEFAULTS,
    BudgetOptions,
    DataOptions,
    SearchOptions,
    WorkerOptions,
    refuse_unknown,
    run_trials,
)
from search.study import best_of, config_of, create_study, open_study, trim_kept
from search.views import save_study_note
from search.worker._progress import Progress
from search.worker._worker import WorkerSummary, run_worker

log = logging.getLogger("hpsearch")


def ensemble_reserve(timeout: float | None) -> float:
    """Seconds kept from the trials for the ensemble at the end: a twentieth of the budget, 10
    to 30 (selecting and building an ensemble of four took 18 s on fortunes.csv; a solver's
    trial stops at the deadline between two columns). The refit's time is kept besides,
    measured (``search.answer.refit_seconds``): a 600-s run on fortunes.csv with 60 s kept
    here ended 74 s early."""
    return 0.0 if timeout is None else min(max(timeout / 20, 10.0), 30.0)


def run_search(study_name: str, data: str | Path, *, storage_url: str | None = None,
               data_options: DataOptions | None = None,
               search_options: SearchOptions | None = None,
               worker_options: WorkerOptions = RUN_WORKER_DEFAULTS,
               budget: BudgetOptions | None = None,
               progress: Progress | None = None, started: float | None = None,
               ensemble: bool = True, **options: object) -> WorkerSummary:
    """Create the study if needed, then run trials here until ``n_trials`` or ``timeout``
    seconds after ``started`` (``time.monotonic()``, default now), then keep an ensemble of the
    best trials if it beats the best one.

    Keywords named like the groups' fields replace their values, the data and search groups
    first (so ``seed`` is the data's), then the worker's (so ``n_trials`` and ``timeout`` are
    this run's own); ``budget`` gives the study's bound on its kept models (``keep_models``,
    ``keep_bytes``). The sampler's seed is the data's unless ``worker_options`` gives one."""
    started = time.monotonic() if started is None else started
    keywords = dict(options)
    data_options = (data_options or DataOptions()).take(keywords)
    search_options = (search_options or SearchOptions()).take(keywords)
    worker_options = worker_options.take(keywords)
    budget = (budget or BudgetOptions()).take(keywords)
    refuse_unknown(keywords, DataOptions, SearchOptions, WorkerOptions, BudgetOptions)
    worker_options = run_trials(worker_options)
    if worker_options.seed is None:
        worker_options = dataclasses.replace(worker_options, seed=data_options.seed)
    url = storage.resolve_storage_url(storage_url)
    create_study(study_name, data, storage_url=url, data_options=data_options,
                 search_options=search_options, budget=budget)
    reserve = ensemble_reserve(worker_options.timeout) if ensemble else 0.0
    summary = run_worker(study_name, url, worker_options, progress=progress,
                         started=started, reserve_s=reserve, final_cost=ensemble)
    if not summary.stopped_by:
        _settle(study_name, url, ensemble,
                None if worker_options.timeout is None else started + worker_options.timeout,
                summary.prepared)
    return summary


def _settle(study_name: str, url: str, ensemble: bool,
            deadline: float | None, prepared: object) -> None:
    """The run's answer: the ensemble if one beats its best trial on the held rows, its
    estimate there, its refit on every row. A failure leaves the best trial the answer."""
    from search.answer import settle_answer

    study, config = open_study(study_name, url)
    if best_of(study.get_trials(deepcopy=False), config.direction) is None:
        return  # nothing finished: the command says so
    try:
        for sentence in settle_answer(study_name, url, deadline=deadline,
                                      ensemble=ensemble, refit=ensemble,
                                      prepared=prepared).said:
            log.info("%s", sentence)
    except HpsearchError as exc:
        log.warning("the answer is the best trial as it was scored: %s", exc)
    # The ensemble and the refit count against --keep-bytes: trials' models may have to go.
    trim_kept(study, config.budget.keep_bound(), config.direction)
    save_study_note(study, config_of(study))  # the dashboard shows the answer
