"""Where studies live: storage URLs, engines and pools, heartbeats, blobs, secrets masking."""

from storage._blobs import delete_blobs, get_blob, put_blob
from storage._errors import StorageError
from storage._rdb import (
    DEFAULT_RETRY_WINDOW_S,
    MAX_OVERFLOW,
    POOL_SIZE,
    engine_kwargs,
    open_storage,
)
from storage._requeue import FAIL_REASON_ATTR, RequeueStaleTrial, requeue_trial
from storage._resilient import ResilientStorage
from storage._retry import connection_error_text, is_connection_error
from storage._sqlite_file import sqlite_on_network_filesystem, sqlite_path
from storage._url import (
    DEFAULT_URL,
    ENV_URL,
    ENV_URL_FILE,
    is_sqlite,
    mask_secrets,
    mask_url,
    resolve_storage_url,
)

__all__ = [
    "DEFAULT_RETRY_WINDOW_S",
    "DEFAULT_URL",
    "ENV_URL",
    "ENV_URL_FILE",
    "FAIL_REASON_ATTR",
    "MAX_OVERFLOW",
    "POOL_SIZE",
    "RequeueStaleTrial",
    "ResilientStorage",
    "StorageError",
    "connection_error_text",
    "delete_blobs",
    "engine_kwargs",
    "get_blob",
    "is_connection_error",
    "is_sqlite",
    "mask_secrets",
    "mask_url",
    "open_storage",
    "put_blob",
    "requeue_trial",
    "resolve_storage_url",
    "sqlite_on_network_filesystem",
    "sqlite_path",
]
