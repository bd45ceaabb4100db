"""Engines and Optuna storages: pools, timeouts, heartbeats."""

from __future__ import annotations

from typing import Any

import optuna
import sqlalchemy.exc

from storage._errors import StorageError
from storage._url import is_sqlite, mask_secrets, mask_url

# One worker process holds at most this many PostgreSQL connections (Optuna's storage and the
# heartbeat thread share the pool; the blob reader opens its own short-lived engine).
POOL_SIZE = 2
MAX_OVERFLOW = 1
SQLITE_BUSY_TIMEOUT_S = 60


def engine_kwargs(url: str) -> dict[str, Any]:
    """SQLAlchemy engine options that suit a worker: small pool, pre-ping, busy timeout."""
    if is_sqlite(url):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    return {
        "pool_size": POOL_SIZE,
        "max_overflow": MAX_OVERFLOW,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "connect_args": {"connect_timeout": 10},
    }


def open_storage(
    url: str,
    *,
    heartbeat_interval: int | None = 30,
    grace_period: int | None = None,
    max_retry: int | None = 3,
) -> optuna.storages.RDBStorage:
    """An Optuna RDB storage for ``url``, with heartbeats that fail and re-queue dead trials.

    A trial whose worker stops heartbeating for ``grace_period`` seconds (default: twice the
    interval) is marked FAIL and queued again, up to ``max_retry`` times.
    """
    kwargs: dict[str, Any] = {}
    if heartbeat_interval:
        kwargs = {
            "heartbeat_interval": heartbeat_interval,
            "grace_period": grace_period or 2 * heartbeat_interval,
            "heartbeat_stale_trial_callback": optuna.storages.RetryHeartbeatStaleTrialCallback(
                max_retry=max_retry
            ),
        }
    try:
        return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs(url), **kwargs)
    except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
        raise StorageError(
            f"Could not open the study storage {mask_url(url)}: {mask_secrets(str(exc), url)}. "
            "Check that the database server is running and the URL is right "
            "(--storage or $HPSEARCH_STORAGE)."
        ) from None
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"The storage URL {mask_url(url)} needs the driver {exc.name!r}, which is not "
            "installed. Use postgresql+psycopg:// (installed with hpsearch) or install the driver."
        ) from None
