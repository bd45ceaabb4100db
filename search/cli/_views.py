"""Commands that look at studies: ``studies``, ``status``, ``best``, ``export``, ``report``,
``dashboard``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

import storage
from search._errors import HpsearchError
from search.cli._app import app
from search.cli._console import console, err_console
from search.cli._options import JsonOpt, StorageOpt, StudyOpt


@app.command()
def studies(storage_url: StorageOpt = None, as_json: JsonOpt = False) -> None:
    """Every study in the storage: task, trials by state, best value, baselines, created."""
    from search.study import list_studies
    from search.views import studies_table

    found = list_studies(storage_url)
    if as_json:
        print(json.dumps([listing.to_dict() for listing in found], indent=2))
    elif not found:
        url = storage.mask_url(storage.resolve_storage_url(storage_url))
        console.print(f"no studies in {url}; create one with `hpsearch create` or "
                      "`hpsearch run`", highlight=False)
    else:
        console.print(studies_table(found))


@app.command()
def status(study: StudyOpt, storage_url: StorageOpt = None, as_json: JsonOpt = False,
           watch: Annotated[bool, typer.Option("--watch", help="Refresh a live table until "
                                               "Ctrl-C or the budget is spent.")] = False,
           interval: Annotated[float, typer.Option("--interval", min=0.5, help="Seconds "
                                                   "between refreshes of --watch.")] = 5.0,
           ) -> None:
    """Trials by state, the best so far with its params, next to the baselines."""
    from search.study import study_status
    from search.views import describe_end, print_status, watch_study

    if watch:
        if as_json:
            raise HpsearchError("--watch draws a live table and --json prints once; "
                                "use one of them.")
        numbers = watch_study(study, storage_url, interval=interval, console=console)
        console.print(describe_end(numbers))
        return
    result = study_status(study, storage_url)
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        print_status(result, console)


@app.command()
def best(study: StudyOpt, storage_url: StorageOpt = None, as_json: JsonOpt = False) -> None:
    """The best finished trial: value, metrics and params."""
    from search.study import study_status
    from search.views import leaderboard_table

    result = study_status(study, storage_url)
    trial = result.require_best()
    if as_json:
        print(json.dumps(result.best_to_dict(), indent=2, default=str))
        return
    console.print(leaderboard_table([trial], result.baselines, result.task, result.metric,
                                    title=f"Best trial of {study}"))
    for sentence in result.comparisons():
        console.print(f"best trial: {sentence}", highlight=False)
    console.print(json.dumps(trial.params, indent=2))


@app.command()
def export(study: StudyOpt,
           out: Annotated[Path | None, typer.Option(
               "--out", help="Write a training script here (default train_best.py).")] = None,
           model: Annotated[Path | None, typer.Option(
               "--model", help="Write the trial's own trained model to this folder instead.")
                            ] = None,
           storage_url: StorageOpt = None,
           trial: Annotated[int | None, typer.Option("--trial", help="Trial number "
                                                        "(default: the best).")] = None) -> None:
    """Write a readable training script for the best (or a given) trial, or (--model) the
    trained model itself: model.keras, labels.json and a README.md model card."""
    from search.export import export_model, export_script

    if out is not None and model is not None:
        raise HpsearchError("--out writes a script and --model a trained model; give one.")
    if model is not None:
        folder = export_model(study, model, storage_url, trial)
        console.print(f"wrote {folder}/model.keras, labels.json and README.md")
        return
    path = export_script(study, out or Path("train_best.py"), storage_url, trial)
    console.print(f"wrote {path}: python {path} --data DATA --out MODEL_DIR")


@app.command()
def report(study: StudyOpt,
           out: Annotated[Path, typer.Option("--out", help="Folder for index.html and its "
                                             "figures.")] = Path("report"),
           storage_url: StorageOpt = None) -> None:
    """Write an HTML report with figures: history, curves, importances, the best trial."""
    from search.views import write_report

    written = write_report(study, out, storage_url)
    console.print(written.headline, highlight=False)
    console.print(f"wrote {written.index} with {len(written.figures)} figure(s)"
                  + (f"; {len(written.notes)} not drawn (see the page)" if written.notes else ""),
                  highlight=False)


@app.command()
def dashboard(
    storage_url: StorageOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind; anything but "
                                      "localhost exposes every study (no login).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8080,
    allow_writes: Annotated[bool, typer.Option("--allow-writes", help="Let the browser "
                                               "change studies (delete, notes...).")] = False,
) -> None:
    """Serve optuna-dashboard on the study storage (read-only, localhost by default)."""
    from search.views import exposure_warning, make_dashboard

    server = make_dashboard(storage_url, host, port, allow_writes=allow_writes)
    warning = exposure_warning(host)
    if warning:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    url = storage.mask_url(storage.resolve_storage_url(storage_url))
    console.print(f"optuna-dashboard on {url} at {server.url} "
                  f"({'read-write' if allow_writes else 'read-only'}); Ctrl-C to stop",
                  highlight=False, soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("dashboard stopped")
