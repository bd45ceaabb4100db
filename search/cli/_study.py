"""Commands that make studies: ``create``, ``run``, ``enqueue``, ``sample-data``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from search.cli._app import app
from search.cli._console import console
from search.cli._options import DataOpt, StorageOpt, StudyOpt, grouped_options
from search.options import (
    RUN_WORKER_DEFAULTS,
    BudgetOptions,
    DataOptions,
    SearchOptions,
    WorkerOptions,
)
from spaces import Task


@app.command()
@grouped_options()
def create(study: StudyOpt, data: DataOpt, storage_url: StorageOpt = None,
           data_options: DataOptions = DataOptions(),
           search_options: SearchOptions = SearchOptions(),
           budget: BudgetOptions = BudgetOptions()) -> None:
    """Check the data, vectorize the split once, and create a study workers can join."""
    from search.study import create_study

    config = create_study(study, data, storage_url=storage_url, data_options=data_options,
                          search_options=search_options, budget=budget)
    console.print(f"study [bold]{study}[/]: {config.task.value}, {len(config.classes)} classes, "
                  f"objective {config.metric} ({config.direction})")


@app.command()
@grouped_options(omit=("worker_options.seed",))
def run(data: DataOpt,
        study: Annotated[str | None, typer.Option(
            "--study", help="Study name (default: the data file's name).")] = None,
        storage_url: StorageOpt = None, data_options: DataOptions = DataOptions(),
        search_options: SearchOptions = SearchOptions(),
        worker_options: WorkerOptions = RUN_WORKER_DEFAULTS) -> None:
    """Create (or resume) a study and run trials here, then print the leaderboard.

    Without --n-trials it stops after 20 trials; the sampler's seed is --seed."""
    from search.metrics import versus_baselines
    from search.study import count_states, leaderboard, open_study
    from search.views import leaderboard_table
    from search.worker import make_progress, run_search

    name = study or data.stem
    run_search(name, data, storage_url=storage_url, data_options=data_options,
               search_options=search_options, worker_options=worker_options,
               progress=make_progress())
    opened, config = open_study(name, storage_url)
    rows = leaderboard(opened, config)
    console.print(leaderboard_table(rows, config.baselines, config.task, config.metric,
                                    title=f"Leaderboard of {name}"))
    if rows:
        for sentence in versus_baselines(rows[0].metrics, config.baselines, config.task):
            console.print(f"best trial: {sentence}", highlight=False)
    counts = count_states(opened.get_trials(deepcopy=False))
    console.print(", ".join(f"{k.lower()} {v}" for k, v in counts.items()))


@app.command()
def enqueue(study: StudyOpt,
            params: Annotated[Path, typer.Option("--params", help="YAML or JSON file of "
                                                 "param: value.")],
            storage_url: StorageOpt = None) -> None:
    """Queue a known configuration (say, your current model) as the next trial."""
    from search.study import enqueue_params

    queued = enqueue_params(study, params, storage_url)
    console.print(f"queued for study {study}: {queued}")


@app.command("sample-data")
def sample_data(out: Annotated[Path, typer.Option("--out", help="File to write.")],
                task: Annotated[Task, typer.Option("--task")] = Task.MULTICLASS,
                rows: Annotated[int, typer.Option("--rows", min=20)] = 2000,
                classes: Annotated[int, typer.Option("--classes", min=2)] = 6,
                imbalance: Annotated[float, typer.Option("--imbalance", min=1.0)] = 1.0,
                seed: Annotated[int, typer.Option("--seed")] = 0) -> None:
    """Generate a text-classification dataset (for demos and tests; no download)."""
    from search.data import write_sample

    path = write_sample(out, task=task, rows=rows, classes=classes, imbalance=imbalance,
                        seed=seed)
    console.print(f"wrote {rows} rows to {path}")
