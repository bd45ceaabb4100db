"""Commands that make studies: ``create``, ``run``, ``enqueue``, ``sample-data``."""

from __future__ import annotations

import time
from typing import Annotated

import storage
from search._errors import StudyError
from search.cli._app import app
from search.cli._console import console
from search.cli._options import (
    DataOpt,
    ParamsOpt,
    StorageOpt,
    StudyOpt,
    grouped_options,
    option_of,
)
from search.options import (
    RUN_WORKER_DEFAULTS,
    BudgetOptions,
    DataOptions,
    SampleOptions,
    SearchOptions,
    StudyAddress,
    WorkerOptions,
)


@app.command()
@grouped_options()
def create(study: StudyOpt, data: DataOpt, storage_url: StorageOpt = None,
           data_options: DataOptions = DataOptions(),
           search_options: SearchOptions = SearchOptions(),
           budget: BudgetOptions = BudgetOptions()) -> None:
    """Check the data, fit the vocabularies once, and create a study workers can join."""
    from search.study import create_study

    config = create_study(study, data, storage_url=storage_url, data_options=data_options,
                          search_options=search_options, budget=budget)
    console.print(f"study [bold]{study}[/]: {config.task.value}, {len(config.classes)} classes, "
                  f"objective {config.metric} ({config.direction})")


@app.command()
@grouped_options(omit=("worker_options.seed", "budget.n_trials", "budget.timeout"))
def run(data: DataOpt,
        study: Annotated[str | None, option_of(StudyAddress, "study", "run")] = None,
        storage_url: StorageOpt = None, data_options: DataOptions = DataOptions(),
        search_options: SearchOptions = SearchOptions(),
        worker_options: WorkerOptions = RUN_WORKER_DEFAULTS,
        budget: BudgetOptions = BudgetOptions()) -> None:
    """Create (or resume) a study and run trials here, then print the leaderboard.

    --timeout counts from the moment this command starts, create included: it ends about
    then with the best model so far (an ensemble of the best trials when one beats them on
    the held rows), trained again on every labelled row when there is time.

    Without --n-trials it runs until its --timeout (with neither, 20 trials). The sampler's
    seed is --seed."""
    started = time.monotonic()
    from optuna.trial import TrialState

    from search.study import (
        answer_record,
        count_states,
        ensemble_record,
        leaderboard,
        open_study,
        study_status,
    )
    from search.views import leaderboard_table
    from search.worker import make_progress, run_search

    name = study or data.stem
    url = storage.resolve_storage_url(storage_url)
    summary = run_search(name, data, storage_url=url, data_options=data_options,
                         search_options=search_options, worker_options=worker_options,
                         budget=budget, progress=make_progress(), started=started)
    opened, config = open_study(name, url)
    if worker_options.timeout and not summary.stopped_by and opened.get_trials(
            deepcopy=False, states=(TrialState.COMPLETE,)) == []:
        raise StudyError(too_short(worker_options.timeout, time.monotonic() - started, name))
    rows = leaderboard(opened, config)
    console.print(leaderboard_table(rows, config.baselines, config.task, config.metric,
                                    title=f"Leaderboard of {name}",
                                    ensemble=ensemble_record(opened),
                                    answer=answer_record(opened)))
    status = study_status(name, url)
    for sentence in status.comparisons():
        console.print(f"{status.subject()}: {sentence}", highlight=False)
    counts = count_states(opened.get_trials(deepcopy=False))
    console.print(", ".join(f"{k.lower()} {v}" for k, v in counts.items()))


def too_short(timeout: float, took: float, study: str) -> str:
    """Why a run handed back no model, and the --timeout that would do: its setup again, and
    at least as long again for a first trial."""
    shortest = max(2 * took, took + 30)
    return (f"No trial finished within --timeout {timeout:g}: this run took {took:.0f}s "
            f"(creating the study, encoding, its first trial cut short) and has no model. "
            f"Run again with --timeout {shortest:.0f} or more; the study {study!r} is kept, "
            "and resumes.")


@app.command()
def ensemble(study: StudyOpt, storage_url: StorageOpt = None) -> None:
    """Select an ensemble of the study's kept trials and keep it if it beats the best one.

    `hpsearch run` does this when it ends; run it for a study whose workers ran elsewhere."""
    from search.ensemble import make_ensemble

    console.print(make_ensemble(study, storage_url).said, highlight=False)


@app.command()
def refit(study: StudyOpt, storage_url: StorageOpt = None) -> None:
    """Settle the study's answer: the ensemble if one beats the best trial on the held rows,
    its honest estimate there, and the answer trained again on every labelled row (what
    `export --model` then writes).

    `hpsearch run` does this when it ends; run it for a study whose workers ran elsewhere."""
    from search.answer import settle_answer
    from search.study import config_of, open_study
    from search.views import save_study_note

    url = storage.resolve_storage_url(storage_url)
    for sentence in settle_answer(study, url).said:
        console.print(sentence, highlight=False)
    opened, _ = open_study(study, url)
    save_study_note(opened, config_of(opened))


@app.command()
def enqueue(study: StudyOpt, params: ParamsOpt, storage_url: StorageOpt = None) -> None:
    """Queue a known configuration (say, your current model) as the next trial."""
    from search.study import enqueue_params

    queued = enqueue_params(study, params, storage_url)
    console.print(f"queued for study {study}: {queued}")


@app.command("sample-data")
@grouped_options()
def sample_data(*, sample: SampleOptions) -> None:
    """Generate a text-classification dataset (for demos and tests; no download)."""
    from search.data import write_sample

    path = write_sample(sample.out, task=sample.task, rows=sample.rows, classes=sample.classes,
                        imbalance=sample.imbalance, seed=sample.seed,
                        min_words=sample.min_words, max_words=sample.max_words)
    console.print(f"wrote {sample.rows} rows to {path}")
