"""Where the CLI writes, and its one exit path: every error a user can act on becomes its
message and the exit status of its kind (``ExitCode``, listed in README), never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from search._errors import ExitCode, HpsearchError
from spaces import HeadMismatchError, SpaceError
from storage import StorageError, StorageFull, is_disk_full

console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """The one exit path: an hpsearch error exits with its ``exit_code`` (a problem the user
    can fix: 2; a worker whose trials keep failing: 3; a full disk: 4), a storage or space
    error and an operating system's refusal (a file, a port) with 2 (a full disk with 4),
    Ctrl-C with 130; each prints its message only. Output piped to a reader that stops early
    (``| head``) ends the command with 1 and no message. Every command runs inside it
    (``_app``)."""
    try:
        yield
    except HpsearchError as exc:
        _exit(str(exc), exc.exit_code)
    except StorageFull as exc:
        _exit(str(exc), ExitCode.DISK_FULL)
    except (StorageError, SpaceError, HeadMismatchError) as exc:
        _exit(str(exc), ExitCode.USER_ERROR)
    except BrokenPipeError:  # `hpsearch predict ... | head`: the reader has what it wanted
        _drop_stdout()
        raise typer.Exit(int(ExitCode.FAILED)) from None
    except OSError as exc:  # a path that cannot be read or written, a port in use...
        _exit(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc),
              ExitCode.DISK_FULL if is_disk_full(exc) else ExitCode.USER_ERROR)
    except KeyboardInterrupt:
        _exit("interrupted", ExitCode.INTERRUPTED)


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so that Python's last flush of what is left for a
    closed pipe raises nothing at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (tests capture stdout in memory)
        pass


def _exit(message: str, code: ExitCode) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(int(code)) from None
