"""Commands that look at studies: ``studies``, ``status``, ``best``, ``export``, ``report``,
``dashboard``."""

from __future__ import annotations

import json
from pathlib import Path

import storage
from search._errors import HpsearchError
from search.cli._app import app
from search.cli._console import console, err_console
from search.cli._options import JsonOpt, StorageOpt, StudyOpt, grouped_options
from search.options import DashboardOptions, ExportOptions, ReportOptions, ViewOptions


@app.command()
def studies(storage_url: StorageOpt = None, as_json: JsonOpt = False) -> None:
    """Every study in the storage: task, trials by state, best value, baselines, created."""
    from search.study import list_studies
    from search.views import studies_table

    url = storage.resolve_storage_url(storage_url)
    found = list_studies(url)
    if as_json:
        print(json.dumps([listing.to_dict() for listing in found], indent=2))
    elif not found:
        console.print(f"no studies in {storage.mask_url(url)}; create one with "
                      "`hpsearch create` or `hpsearch run`", highlight=False)
    else:
        console.print(studies_table(found))


@app.command()
@grouped_options()
def status(study: StudyOpt, storage_url: StorageOpt = None, *, view: ViewOptions) -> None:
    """Trials by state, the best so far with its params, next to the baselines."""
    from search.study import study_status
    from search.views import describe_end, print_status, watch_study

    if view.watch:
        if view.as_json:
            raise HpsearchError("--watch draws a live table and --json prints once; "
                                "use one of them.")
        numbers = watch_study(study, storage_url, interval=view.interval, console=console)
        console.print(describe_end(numbers))
        return
    result = study_status(study, storage_url)
    if view.as_json:
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
@grouped_options()
def export(study: StudyOpt, *, options: ExportOptions, storage_url: StorageOpt = None) -> None:
    """Write a readable training script for the best (or a given) trial, or (--model) the
    study's best model itself (its ensemble when one beat the best trial, else the trial's):
    model.keras, labels.json, a README.md model card, predict.py and saved_model/1 (a
    SavedModel for TensorFlow Serving)."""
    from search.export import export_model, export_script

    out, model, trial = options.out, options.model, options.trial
    if out is not None and model is not None:
        raise HpsearchError("--out writes a script and --model a trained model; give one.")
    if model is not None:
        folder = export_model(study, model, storage_url, trial, force=options.force)
        console.print(f"wrote {folder}/model.keras, labels.json, README.md, predict.py and "
                      f"saved_model/1 (hpsearch predict --model {folder} --data FILE)",
                      highlight=False)
        return
    path = export_script(study, out or Path("train_best.py"), storage_url, trial,
                         force=options.force)
    console.print(f"wrote {path} and the files beside it: python {path} --out MODEL_DIR")


@app.command()
@grouped_options()
def report(study: StudyOpt, *, options: ReportOptions, storage_url: StorageOpt = None) -> None:
    """Write an HTML report with figures: history, curves, importances, the best trial."""
    from search.views import write_report

    written = write_report(study, options.out, storage_url, force=options.force)
    console.print(written.headline, highlight=False)
    console.print(f"wrote {written.index} with {len(written.figures)} figure(s)"
                  + (f"; {len(written.notes)} not drawn (see the page)" if written.notes else ""),
                  highlight=False)


@app.command()
@grouped_options()
def dashboard(storage_url: StorageOpt = None, *, options: DashboardOptions) -> None:
    """Serve optuna-dashboard on the study storage (read-only, localhost by default), with
    each trial's kept model under Artifacts on its page and the study's note."""
    from search.views import exposure_warning, make_dashboard

    host, allow_writes = options.host, options.allow_writes
    url = storage.resolve_storage_url(storage_url)
    server = make_dashboard(url, host, options.port, allow_writes=allow_writes)
    warning = exposure_warning(host)
    if warning:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    console.print(f"optuna-dashboard on {storage.mask_url(url)} at {server.url} "
                  f"({'read-write' if allow_writes else 'read-only'}); Ctrl-C to stop",
                  highlight=False, soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("dashboard stopped")
