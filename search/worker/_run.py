"""``hpsearch run``: create (or resume) a study and work on it in this process."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from search.options import (
    RUN_WORKER_DEFAULTS,
    DataOptions,
    SearchOptions,
    WorkerOptions,
    refuse_unknown,
)
from search.study import create_study
from search.worker._progress import Progress
from search.worker._worker import WorkerSummary, run_worker


def run_search(study_name: str, data: str | Path, *, storage_url: str | None = None,
               data_options: DataOptions | None = None,
               search_options: SearchOptions | None = None,
               worker_options: WorkerOptions = RUN_WORKER_DEFAULTS,
               progress: Progress | None = None, **options: object) -> WorkerSummary:
    """Create the study if needed, then run trials here until ``n_trials`` or ``timeout``.

    Keywords named like the groups' fields replace their values, the data and search groups
    first (so ``seed`` is the data's). The sampler's seed is the data's unless
    ``worker_options`` gives one."""
    keywords = dict(options)
    data_options = (data_options or DataOptions()).take(keywords)
    search_options = (search_options or SearchOptions()).take(keywords)
    worker_options = worker_options.take(keywords)
    refuse_unknown(keywords, DataOptions, SearchOptions, WorkerOptions)
    if worker_options.seed is None:
        worker_options = dataclasses.replace(worker_options, seed=data_options.seed)
    create_study(study_name, data, storage_url=storage_url, data_options=data_options,
                 search_options=search_options)
    return run_worker(study_name, storage_url, worker_options, progress=progress)
