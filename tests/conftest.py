"""Shared fixtures: one storage fixture run against SQLite and (when TEST_DB_URL is set)
PostgreSQL, generated data. (The one fake trainer is tests/scripted_trainer.py.)"""

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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Two lanes for the ``alone`` tests (make test runs them with ``--dist loadgroup``): the
    ones on PostgreSQL one after another, as one of them restarts it; those on SQLite beside."""
    for item in items:
        if item.get_closest_marker("alone"):
            uses_postgres = "pg_url" in getattr(item, "fixturenames", ()) or getattr(
                getattr(item, "callspec", None), "params", {}).get("storage_url") == "postgres"
            item.add_marker(pytest.mark.xdist_group("postgres" if uses_postgres else "sqlite"))
