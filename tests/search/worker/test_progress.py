"""Worker progress: a live bar on a terminal with the log lines above it (not through it),
plain log lines otherwise; failed trials counted apart from the budget."""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from search import create_study, run_worker
from search.cli._app import _StderrHandler, setup_logging
from search.options import PrunerName
from search.worker._progress import LogProgress, TerminalProgress, make_progress
from tests.scripted_trainer import ScriptedTrainer


@pytest.fixture
def hpsearch_logger() -> Iterator[logging.Logger]:
    """The CLI's logging set-up for the test, and the logger as it was afterwards."""
    logger = logging.getLogger("hpsearch")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    setup_logging()
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def run_three_and_a_failure(url: str, name: str, data: Path, progress: LogProgress) -> None:
    create_study(name, data, storage_url=url, max_epochs=2, pruner=PrunerName.NONE,
                 n_trials=3)
    run_worker(name, url, progress=progress, trainer=ScriptedTrainer(fail_on={1}))


def test_terminal_bar_counts_the_budget_and_logs_print_above_it(
        sqlite_url: str, study_name: str, multiclass_csv: Path,
        hpsearch_logger: logging.Logger) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    run_three_and_a_failure(sqlite_url, study_name, multiclass_csv, TerminalProgress(console))
    out = screen.getvalue()
    # Each log line is printed where the bar was (cleared first) and the bar redrawn below,
    # instead of being glued to the bar's text.
    assert re.search(r"\)hpsearch:", out) is None
    assert ("\x1b[2Khpsearch: trial 1 fail training loss became nan at epoch 1 "
            "[1/3 done, 1 failed]") in out
    assert "[3/3 done, 1 failed]" in out and "4/3" not in out
    final = [line for line in out.splitlines() if "trials" in line][-1]
    assert "trials (1 failed)" in final and "3/3" in final
    # The handler writes to the real stderr again once the bar is gone.
    (handler,) = [h for h in hpsearch_logger.handlers if isinstance(h, _StderrHandler)]
    assert handler.stream is sys.stderr
    assert not hasattr(handler.stream, "rich_proxied_file")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_plain_log_lines_when_not_a_terminal(sqlite_url: str, study_name: str,
                                            multiclass_csv: Path,
                                            hpsearch_logger: logging.Logger) -> None:
    progress = make_progress()  # pytest's captured stderr is not a terminal
    assert type(progress) is LogProgress
    collect = Collect()
    hpsearch_logger.addHandler(collect)
    run_three_and_a_failure(sqlite_url, study_name, multiclass_csv, progress)
    done = [m for m in collect.messages if " done" in m]
    assert len(done) == 4
    assert done[1].startswith("trial 1 fail training loss became nan at epoch 1 "
                              "[1/3 done, 1 failed]")
    assert re.match(r"trial 3 complete value [\d.]+ \[3/3 done, 1 failed\], best", done[-1])
