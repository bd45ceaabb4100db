"""Where studies live: storage URLs, engines and pools, heartbeats, blobs, secrets masking."""

from storage._blobs import delete_blobs, get_blob, put_blob
from storage._errors import StorageError
from storage._rdb import MAX_OVERFLOW, POOL_SIZE, engine_kwargs, open_storage
from storage._url import DEFAULT_URL, is_sqlite, mask_secrets, mask_url, resolve_storage_url

__all__ = [
    "DEFAULT_URL",
    "MAX_OVERFLOW",
    "POOL_SIZE",
    "StorageError",
    "delete_blobs",
    "engine_kwargs",
    "get_blob",
    "is_sqlite",
    "mask_secrets",
    "mask_url",
    "open_storage",
    "put_blob",
    "resolve_storage_url",
]
