"""Where the CLI writes, and its one exit path for problems a user can fix."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from search._errors import HpsearchError
from spaces import HeadMismatchError, SpaceError
from storage import StorageError

console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """The one exit path for problems a user can fix: the message, then exit status 2."""
    try:
        yield
    except (HpsearchError, StorageError, SpaceError, HeadMismatchError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
