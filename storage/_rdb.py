"""Engines and Optuna storages: pools, timeouts, heartbeats, schema creation."""

from __future__ import annotations

import time
import warnings
from typing import Any

import optuna
import sqlalchemy.exc

from storage._blobs import create_blob_table
from storage._heartbeat import DEFAULT_MAX_RETRY, RequeueStaleTrial
from storage._resilient import ResilientStorage
from storage._retry import backoff_delays
from storage._schema import schema_lock
from storage._sqlite import StudyConnection
from storage._storage_error import StorageError
from storage._url import check_storage_url, how_to_give, is_sqlite, mask_secrets, mask_url

# One worker process holds at most POOL_SIZE + MAX_OVERFLOW = 3 PostgreSQL connections: its
# main thread, its heartbeat thread and its stale-trial watch each check one out per statement.
# Opening the storage adds one short-lived connection (the schema lock), not held while trials
# run; the study's data (storage/_blobs.py) is read through the pool.
POOL_SIZE = 2
MAX_OVERFLOW = 1
SQLITE_BUSY_TIMEOUT_S = 60
# Database calls outside workers give up after this long; workers pass --reconnect-timeout.
DEFAULT_RETRY_WINDOW_S = 10.0
_SQLITE_OPEN_ATTEMPTS = 5


def engine_kwargs(url: str) -> dict[str, Any]:
    """SQLAlchemy engine options that suit a worker: small pool, pre-ping, busy timeout."""
    if is_sqlite(url):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "factory": StudyConnection}}
    return {
        "pool_size": POOL_SIZE,
        "max_overflow": MAX_OVERFLOW,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "connect_args": {"connect_timeout": 10},
    }


def _sqlite_schema_race(exc: Exception) -> bool:
    # Processes creating the tables of a new SQLite file together: one finds a table created,
    # or the schema version stamped, by another after checking it was missing, or the file
    # locked. Opening again finds everything in place.
    text = str(exc).lower()
    return any(sign in text for sign in ("already exists", "database is locked",
                                         "unique constraint failed"))


def _create(url: str, kwargs: dict[str, Any]) -> ResilientStorage:
    delays = backoff_delays()
    for attempt in range(_SQLITE_OPEN_ATTEMPTS):
        try:
            with warnings.catch_warnings():
                # Optuna marks the heartbeat arguments experimental; hpsearch relies on them.
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                with schema_lock(url):
                    rdb = ResilientStorage(url, engine_kwargs=engine_kwargs(url), **kwargs)
                    create_blob_table(rdb.engine)
                    return rdb
        except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
            if not (is_sqlite(url) and _sqlite_schema_race(exc)) or \
                    attempt == _SQLITE_OPEN_ATTEMPTS - 1:
                raise
            time.sleep(next(delays))
    raise AssertionError("unreachable")


def open_storage(
    url: str,
    *,
    heartbeat_interval: int | None = None,
    grace_period: int | None = None,
    max_retry: int | None = DEFAULT_MAX_RETRY,
    retry_window_s: float = DEFAULT_RETRY_WINDOW_S,
) -> ResilientStorage:
    """An Optuna RDB storage for ``url``; with ``heartbeat_interval`` (workers pass theirs),
    heartbeats that fail and re-queue dead trials.

    A trial whose worker stops heartbeating for ``grace_period`` seconds (default: twice the
    interval) is marked FAIL and queued again, up to ``max_retry`` times. Database calls wait
    out connection errors for up to ``retry_window_s`` seconds (see ``ResilientStorage``).
    Opening does not wait: an unreachable database is reported at once. Many processes may open
    an empty database together; the tables are created once.
    """
    check_storage_url(url)
    kwargs: dict[str, Any] = {"retry_window_s": retry_window_s}
    if heartbeat_interval:
        kwargs |= {
            "heartbeat_interval": heartbeat_interval,
            "grace_period": grace_period or 2 * heartbeat_interval,
            "heartbeat_stale_trial_callback": RequeueStaleTrial(max_retry=max_retry),
        }
    try:
        return _create(url, kwargs)
    except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
        said = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0].rstrip(".")
        raise StorageError(
            f"Could not open the study storage {mask_url(url)}: {mask_secrets(said, url)}. "
            "Check that the database server is running, or "
            f"{how_to_give(url, 'the right URL')}."
        ) from None
    except ImportError as exc:  # Optuna re-raises a missing driver as a plain ImportError
        driver = repr(exc.name) if exc.name else "of its scheme"
        raise StorageError(
            f"The storage URL {mask_url(url)} needs the driver {driver}, which is not "
            "installed. Use postgresql+psycopg:// (installed with hpsearch) or install the driver."
        ) from None
