"""``hpsearch run``: create (or resume) a study and work on it in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search.study._create import create_study
from search.worker._worker import WorkerSummary, run_worker


def run_search(study_name: str, data: str | Path, *, storage_url: str | None = None,
               n_trials: int | None = None, timeout: float | None = None,
               progress: Any = None, **create_options: Any) -> WorkerSummary:
    """Create the study if needed, then run trials until ``n_trials`` or ``timeout``.
    ``create_options`` are those of ``create_study``; its ``seed`` also seeds the sampler."""
    create_study(study_name, data, storage_url=storage_url, **create_options)
    return run_worker(study_name, storage_url, n_trials=n_trials, timeout=timeout,
                      progress=progress, seed=create_options.get("seed", 0))
