"""The ``hpsearch`` typer app, its consoles, logging, and the one exit path for user errors.

Importing the CLI loads typer and rich and the light parts of hpsearch (option groups, metric
names, errors) only: each command imports what it needs when it runs, so ``--help`` is quick.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from search._errors import HpsearchError
from search.options import WorkerOptions
from spaces import HeadMismatchError, SpaceError
from storage import StorageError

app = typer.Typer(
    help="Hyperparameter search for Keras text classifiers, on Optuna studies.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)
log = logging.getLogger("hpsearch")


@contextmanager
def user_errors() -> Iterator[None]:
    """The one exit path for problems a user can fix: the message, then exit status 2."""
    try:
        yield
    except (HpsearchError, StorageError, SpaceError, HeadMismatchError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each record (tests swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _DropOptunaFailureEcho(logging.Filter):
    """Optuna logs each failed trial with a traceback; the worker already logs it with its
    reason, so the echo is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Trial ") and " failed with " in message)


def setup_logging(verbose: bool = False) -> None:
    """hpsearch's own lines on stderr (``hpsearch: ...``), every epoch with ``verbose``;
    Optuna's INFO lines (a study created, each trial finished) off, its warnings kept."""
    import optuna  # here, not at import: `hpsearch --help` does not need it

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("hpsearch: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False
    optuna_log = logging.getLogger("optuna")
    if not any(isinstance(f, _DropOptunaFailureEcho) for f in optuna_log.filters):
        optuna_log.addFilter(_DropOptunaFailureEcho())


def _verbose_option() -> typer.models.OptionInfo:
    (spec,) = [s for s in WorkerOptions.specs() if s.name == "verbose"]
    return typer.Option(spec.flag, *([spec.short] if spec.short else []), help=spec.help)


@app.callback()
def _root(verbose: Annotated[bool, _verbose_option()] = False) -> None:
    setup_logging(verbose)


def main() -> None:
    app()
