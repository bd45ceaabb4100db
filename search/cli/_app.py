"""The ``hpsearch`` typer app, its root options and logging.

Importing the CLI loads typer and rich and the light parts of hpsearch (option groups, metric
names, errors) only: each command imports what it needs when it runs, so ``--help`` is quick.
"""

from __future__ import annotations

import importlib.metadata
import logging
import sys
from typing import Annotated, Any

import typer
import typer.core

from search.cli._console import user_errors
from search.cli._options import option_info
from search.options import WorkerOptions

_HELP_ONLY = "hpsearch.help_only"  # in the context's meta: the command only prints its help


def _flags_take_no_value(params: list[Any]) -> list[Any]:
    """Typer's help shows a flag (``--json``, ``--help``) with a type, ``<bool>``, as if it took
    a value, which it refuses (``--json true``: "unexpected extra argument"). An empty metavar
    shows nothing there, as click's plain help does; options with a value keep theirs."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class _Command(typer.core.TyperCommand):
    """A command whose help shows its flags as flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_take_no_value(super().get_params(ctx))


class _Commands(typer.core.TyperGroup):
    """Every command runs inside the one exit path for problems a user can fix
    (``user_errors``), whatever part of it raises; the help shows flags as flags."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context, private to typer
        with user_errors():
            return super().invoke(ctx)

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_take_no_value(super().get_params(ctx))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # Called right before the root callback: `hpsearch CMD --help` needs no logging (whose
        # set-up loads Optuna), so that every command's help starts at once.
        ctx.meta[_HELP_ONLY] = bool(set(args[1:]) & set(ctx.help_option_names))
        return super().resolve_command(ctx, args)


class _App(typer.Typer):
    """The ``hpsearch`` app: its commands are ``_Command``s unless one says otherwise."""

    def command(self, *args: Any, cls: type[typer.core.TyperCommand] | None = None,
                **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or _Command, **kwargs)


app = _App(
    help="Hyperparameter search for Keras text classifiers, on Optuna studies.",
    no_args_is_help=True, pretty_exceptions_enable=False, cls=_Commands,
)
log = logging.getLogger("hpsearch")


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


(_VERBOSE,) = [spec for spec in WorkerOptions.specs() if spec.name == "verbose"]


def version() -> str:
    """hpsearch's version, from the installed package's metadata."""
    try:
        return importlib.metadata.version("hpsearch")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"hpsearch {version()}")
        raise typer.Exit()


@app.callback()
def _root(ctx: typer.Context,
          verbose: Annotated[bool, option_info(_VERBOSE)] = _VERBOSE.default,
          show_version: Annotated[bool, typer.Option(
              "--version", help="Print hpsearch's version and exit.", is_eager=True,
              callback=_print_version)] = False) -> None:
    if not ctx.meta.get(_HELP_ONLY):
        setup_logging(verbose)


def main() -> None:
    """The ``hpsearch`` process: TensorFlow's native log lines filtered unless ``-v``."""
    if not {"-v", "--verbose"} & set(sys.argv[1:]):
        from search.cli._native_log import filter_native_stderr

        filter_native_stderr()
    app()
