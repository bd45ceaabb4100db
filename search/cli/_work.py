"""Commands that run trials: ``worker`` and ``launch``."""

from __future__ import annotations

import dataclasses
import logging

import typer

from search.cli._app import app, log
from search.cli._console import console, err_console
from search.cli._options import StorageOpt, StudyOpt, grouped_options
from search.options import LaunchOptions, WorkerOptions


@app.command()
@grouped_options()
def worker(study: StudyOpt, storage_url: StorageOpt = None,
           options: WorkerOptions = WorkerOptions()) -> None:
    """Run trials of an existing study (any number of workers may share one).

    SIGTERM or Ctrl-C fails the running trial as "interrupted", queues it again, exits 0."""
    from search.worker import make_progress, run_worker

    summary = run_worker(study, storage_url, options, progress=make_progress())
    console.print(f"worker done: {summary.trials_run} trial(s) "
                  + ", ".join(f"{k.lower()} {v}" for k, v in summary.states.items()))
    if summary.stopped_by:
        queued = ("" if summary.interrupted_trial is None else
                  f"; trial {summary.interrupted_trial} failed as interrupted and queued again")
        console.print(f"stopped by {summary.stopped_by}{queued}")


@app.command()
@grouped_options()
def launch(
    study: StudyOpt, storage_url: StorageOpt = None, *, slots: LaunchOptions,
    options: WorkerOptions = WorkerOptions(),
) -> None:
    """Start one worker process per GPU slot (or --cpus N) and report each one's exit.

    The options after --cpus are passed to every worker. The storage URL reaches workers
    through their environment, never their arguments.

    Workers are not restarted. Ctrl-C/SIGTERM is forwarded to them; a second one kills them.

    Exits 1 if any worker exited non-zero."""
    from search.worker import launch_workers, parse_gpus

    options = dataclasses.replace(options, verbose=log.level <= logging.DEBUG)
    exits = launch_workers(study, storage_url,
                           gpus=None if slots.gpus is None else parse_gpus(slots.gpus),
                           per_gpu=slots.per_gpu, cpus=slots.cpus,
                           gpu_memory=slots.gpu_memory, options=options)
    for done in exits:
        console.print(f"worker {done.slot.label} (pid {done.pid}) {done.how} after "
                      f"{done.seconds:.1f}s", highlight=False)
    failed = [done for done in exits if done.returncode != 0]
    if failed:
        err_console.print(f"[bold red]error:[/] {len(failed)} of {len(exits)} worker(s) did not "
                          "exit cleanly; their output above says why.", highlight=False)
        raise typer.Exit(1)
