"""The trial attributes storage itself writes: why a trial failed, and where a retry came from."""

# A user attribute: why the trial failed (shown by `status`, kept with the study).
FAIL_REASON_ATTR = "fail_reason"
# System attributes of a queued retry, named as Optuna's RetryFailedTrialCallback names them:
# the first failed trial of the lineage, and every failed trial of it in order.
FAILED_TRIAL_ATTR = "failed_trial"
RETRY_HISTORY_ATTR = "retry_history"
