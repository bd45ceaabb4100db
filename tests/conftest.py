"""Shared fixtures: one storage fixture run against SQLite and (when TEST_DB_URL is set)
PostgreSQL, generated data; and the two lanes make test runs the ``alone`` tests in. (The one
fake trainer is tests/scripted_trainer.py.)"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.data._sample import write_sample
from spaces import Task

STORAGE_MODES = ["sqlite", "postgres"]


@pytest.fixture(params=STORAGE_MODES)
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A storage URL for each backend; PostgreSQL cases skip without TEST_DB_URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'studies.db'}"
    url = os.environ.get("TEST_DB_URL")
    if not url:
        pytest.skip("TEST_DB_URL is not set (make test starts PostgreSQL and sets it)")
    return url


@pytest.fixture
def keep_hpsearch_logging() -> Iterator[None]:
    """The in-process CLI points the hpsearch logger at its own (then closed) stream; this
    puts the logger back as it was after the test."""
    logger = logging.getLogger("hpsearch")
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'studies.db'}"


@pytest.fixture
def study_name() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def multiclass_csv(tmp_path: Path) -> Path:
    return write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=600, classes=4, seed=1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--alone-lanes", action="store_true",
                     help="with -n 2: the tests whose id names PostgreSQL in one process, one "
                          "after another (one of the alone tests restarts it), the rest in the "
                          "other")


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``--alone-lanes`` (make test's run of the ``alone`` tests). xdist's ``xdist_group``
    mark would say the same, but pytest 9 no longer reads the node ids it rewrites."""
    if not config.getoption("alone_lanes"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Lanes(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "postgres" if "postgres" in nodeid else "other"

    return Lanes(config, log)
