"""Commands that change or remove a study: ``update`` (its budget) and ``delete``."""

from __future__ import annotations

import typer

import storage
from search._errors import ExitCode
from search.cli._app import app
from search.cli._console import console, err_console
from search.cli._options import StorageOpt, StudyOpt, grouped_options
from search.options import BudgetOptions, DeleteOptions


@app.command()
@grouped_options()
def update(study: StudyOpt, storage_url: StorageOpt = None,
           budget: BudgetOptions = BudgetOptions()) -> None:
    """Change the study's budget (--n-trials, --timeout, --keep-models, --keep-bytes);
    running workers follow it.

    Raising it lets workers go on (start new ones if they have stopped); lowering it stops
    them after their current trial. --timeout still counts from the study's creation. Kept
    models over a lowered --keep-models or --keep-bytes are dropped at once."""
    from search.study import shown_budget, update_budget

    old, new = update_budget(study, storage_url, budget)
    for spec in BudgetOptions.specs():
        before, after = getattr(old, spec.name), getattr(new, spec.name)
        if before != after:
            console.print(f"study {study}: {spec.flag} {shown_budget(before)} -> "
                          f"{shown_budget(after)}", highlight=False)


@app.command()
@grouped_options()
def delete(study: StudyOpt, storage_url: StorageOpt = None, *, options: DeleteOptions) -> None:
    """Delete a study, its trials and its stored data (asks first unless --yes).

    Refused while trials are RUNNING unless --force. Exits 1 if the answer is no."""
    from search.study import delete_study

    url = storage.resolve_storage_url(storage_url)
    deleted = delete_study(study, url, force=options.force,
                           confirm=None if options.yes else _ask)
    if deleted is None:
        err_console.print("Nothing deleted.")
        raise typer.Exit(int(ExitCode.FAILED))
    console.print(f"deleted study {study} and its data from {storage.mask_url(url)}",
                  highlight=False)


def _ask(question: str) -> bool:
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:  # no answer (stdin closed): never delete without one
        err_console.print("\nNo answer on stdin; pass --yes to delete without asking.")
        return False
