"""Where studies live: storage URLs and masking, engines and pools, retries through outages,
heartbeats and the re-queueing of dead trials, the SQLite policy, the data blobs, and a
trial's files (its model) kept as Optuna artifacts in the same database.

The only package that imports SQLAlchemy, and the owner of every private part of Optuna that
hpsearch touches (its RDB models and sessions, a study's and a trial's id, a distribution's
bounds check), all of them in ``_optuna_private.py``. It imports nothing from ``search`` or
``spaces``.

URLs, errors (a full disk's too) and the SQLite policy load at once; the names that need
SQLAlchemy or Optuna load on first use, so that ``hpsearch --help`` starts without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

from storage._attrs import (
    FAIL_REASON_ATTR,
    FAILED_TRIAL_ATTR,
    RETRY_HISTORY_ATTR,
    STARTING_POINT_ATTR,
)
from storage._disk_full import StorageFull, is_disk_full, storage_full
from storage._sqlite import (
    POSTGRES_HINT,
    shared_sqlite_problem,
    sqlite_file_problem,
    sqlite_file_removed_on_failure,
    sqlite_on_network_filesystem,
    sqlite_parallel_warnings,
    sqlite_path,
)
from storage._storage_error import StorageError
from storage._url import (
    DEFAULT_URL,
    ENV_OPTUNA_URL,
    ENV_URL,
    ENV_URL_FILE,
    URL_SOURCES,
    StorageUrl,
    check_storage_url,
    is_sqlite,
    mask_secrets,
    mask_url,
    resolve_storage_url,
    url_precedence,
)

if TYPE_CHECKING:
    from storage._artifacts import (
        DatabaseArtifactStore,
        artifact_store,
        drop_trial_files,
        keep_trial_file,
        keep_trial_files,
        trial_file,
        trial_file_sizes,
        trials_with_file,
    )
    from storage._blobs import (
        blob_digest,
        blob_keys,
        blob_sizes,
        delete_blob,
        delete_study,
        drop_orphan_blobs,
        get_blob,
        give_back_space,
        put_blob,
        stored_bytes,
    )
    from storage._heartbeat import (
        RequeueStaleTrial,
        StaleTrialWatch,
        fail_and_requeue,
        fail_stale_trials,
        lost_to_stale_check,
        requeue_trial,
    )
    from storage._optuna_private import (
        in_distribution,
        queued_params,
        sampled_first,
        trial_id,
    )
    from storage._rdb import (
        DEFAULT_RETRY_WINDOW_S,
        MAX_OVERFLOW,
        POOL_SIZE,
        engine_kwargs,
        open_storage,
    )
    from storage._resilient import ResilientStorage, cap_trials, storage_of, study_deleted
    from storage._retry import connection_error_text, is_connection_error
    from storage._trial_cap import BudgetSpent

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_artifacts": ["DatabaseArtifactStore", "artifact_store", "drop_trial_files",
                   "keep_trial_file", "keep_trial_files", "trial_file", "trial_file_sizes",
                   "trials_with_file"],
    "_blobs": ["blob_digest", "blob_keys", "blob_sizes", "delete_blob", "delete_study",
               "drop_orphan_blobs", "get_blob", "give_back_space", "put_blob", "stored_bytes"],
    "_trial_cap": ["BudgetSpent"],
    "_heartbeat": ["RequeueStaleTrial", "StaleTrialWatch", "fail_and_requeue",
                   "fail_stale_trials", "lost_to_stale_check", "requeue_trial"],
    "_optuna_private": ["in_distribution", "queued_params", "sampled_first", "trial_id"],
    "_rdb": ["DEFAULT_RETRY_WINDOW_S", "MAX_OVERFLOW", "POOL_SIZE", "engine_kwargs",
             "open_storage"],
    "_resilient": ["ResilientStorage", "cap_trials", "storage_of", "study_deleted"],
    "_retry": ["connection_error_text", "is_connection_error"],
})[0]


__all__ = [
    "BudgetSpent",
    "DatabaseArtifactStore",
    "DEFAULT_RETRY_WINDOW_S",
    "DEFAULT_URL",
    "ENV_OPTUNA_URL",
    "ENV_URL",
    "ENV_URL_FILE",
    "FAILED_TRIAL_ATTR",
    "FAIL_REASON_ATTR",
    "MAX_OVERFLOW",
    "POOL_SIZE",
    "POSTGRES_HINT",
    "RETRY_HISTORY_ATTR",
    "STARTING_POINT_ATTR",
    "RequeueStaleTrial",
    "ResilientStorage",
    "StaleTrialWatch",
    "StorageError",
    "StorageFull",
    "StorageUrl",
    "URL_SOURCES",
    "artifact_store",
    "blob_digest",
    "blob_keys",
    "blob_sizes",
    "cap_trials",
    "connection_error_text",
    "delete_blob",
    "delete_study",
    "drop_orphan_blobs",
    "drop_trial_files",
    "engine_kwargs",
    "fail_and_requeue",
    "fail_stale_trials",
    "get_blob",
    "give_back_space",
    "in_distribution",
    "check_storage_url",
    "is_connection_error",
    "is_disk_full",
    "is_sqlite",
    "keep_trial_file",
    "keep_trial_files",
    "lost_to_stale_check",
    "mask_secrets",
    "mask_url",
    "open_storage",
    "put_blob",
    "queued_params",
    "requeue_trial",
    "resolve_storage_url",
    "sampled_first",
    "shared_sqlite_problem",
    "sqlite_file_problem",
    "sqlite_file_removed_on_failure",
    "sqlite_on_network_filesystem",
    "sqlite_parallel_warnings",
    "sqlite_path",
    "storage_of",
    "storage_full",
    "stored_bytes",
    "study_deleted",
    "trial_file",
    "trial_file_sizes",
    "trial_id",
    "trials_with_file",
    "url_precedence",
]
