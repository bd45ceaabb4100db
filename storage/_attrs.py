"""The trial attributes storage itself writes or carries: why a trial failed, where a retry
came from, and what the trial was queued as."""

# A user attribute: why the trial failed (shown by `status`, kept with the study).
FAIL_REASON_ATTR = "fail_reason"
# System attributes of a queued retry, named as Optuna's RetryFailedTrialCallback names them:
# the first failed trial of the lineage, and every failed trial of it in order.
FAILED_TRIAL_ATTR = "failed_trial"
RETRY_HISTORY_ATTR = "retry_history"
# A user attribute given when a trial is queued: the known-good configuration it is (a starting
# point's name). A queued retry keeps it; the failed run's other user attributes stay behind.
STARTING_POINT_ATTR = "starting_point"
