"""The keys of what a worker records on a trial, besides its metrics (``Metric``, ``Detail``)."""

from __future__ import annotations

from enum import StrEnum

from storage import FAIL_REASON_ATTR, STARTING_POINT_ATTR


class TrialAttr(StrEnum):
    FAIL_REASON = FAIL_REASON_ATTR  # written by storage too (stale trials), so spelled there
    WORKER = "worker"  # host:pid of the worker that ran it
    GPU = "gpu"  # the GPU TensorFlow trained it on, "1 (NVIDIA H200)": its id, its model; or "cpu"
    POLICY = "policy"  # the dtype policy its network trained under (mixed_* on a GPU)
    EPOCH = "epoch"  # the last epoch reported (while it runs)
    BEST_EPOCH = "best_epoch"  # 1-based epoch whose metrics are recorded
    EPOCHS_RUN = "epochs_run"
    PRUNED_AT_EPOCH = "pruned_at_epoch"
    STOPPED_EARLY = "stopped_early"  # patience ran out
    CUT_BY_DEADLINE = "cut_by_deadline"  # stopped at the study's deadline, kept as it stood
    PRUNED_REASON = "pruned_reason"  # why a pruned trial stopped (the pruner, the cost cap)
    TRAIN_SECONDS = "train_seconds"  # wall time of its training, validation included
    # of its time, encoding training rows its worker keeps for every later trial
    SHARED_SECONDS = "shared_seconds"
    # the name of the known-good configuration queued at create (its retries keep it)
    STARTING_POINT = STARTING_POINT_ATTR
    WALKED_FROM = "walked_from"  # the trial whose C (its family's walked key) it steps from
    LOGIT_SCALE = "logit_scale"  # what a solved linear model's margins are multiplied by
    ROWS = "rows"  # the training rows its model was fitted on (a solved family grows by rungs)
    ROWS_SECONDS = "rows_seconds"  # how long fitting those rows took
    ROWS_SCORES = "rows_scores"  # its objective at each rung of rows it was fitted on
    ROWS_NOTE = "rows_note"  # why it stopped growing before every training row
    ROW_BYTES = "row_bytes"  # what a training row cost its fit's memory (a refit's grows so)
    NOT_CONVERGED = "not_converged"  # a solver stopped at its iteration limit: on how many columns
