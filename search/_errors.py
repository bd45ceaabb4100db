"""What can go wrong, by what it means for the search, and the exit status each one gives."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit status of an ``hpsearch`` command (README's "Exit codes" lists them all)."""

    OK = 0
    # The command could not do its work: a worker of `launch` exited non-zero, `delete` was not
    # confirmed; also any unexpected error (a bug), which prints its traceback.
    FAILED = 1
    # A problem the user can fix: an option, the data, the study, the storage. No traceback.
    USER_ERROR = 2
    # A worker stopped after --max-consecutive-failures failed trials in a row.
    TRIALS_FAILING = 3
    # The disk that was being written (the SQLite study file's, an export's folder) is full:
    # nothing half-written is left, and once space is freed the command can run again.
    DISK_FULL = 4
    # Ctrl-C outside a worker (a worker fails its trial as interrupted and exits 0).
    INTERRUPTED = 130


class HpsearchError(Exception):
    """A problem the user can fix; the CLI prints the message and exits with ``exit_code``."""

    exit_code = ExitCode.USER_ERROR


class DataError(HpsearchError):
    """The data cannot be used as given (missing file, column, labels...)."""


class OptionError(HpsearchError):
    """An option value breaks its rule (a bound, a choice, another option it must outlast)."""


class PathError(HpsearchError):
    """A file or folder named by the user cannot be read or written as asked."""


class DiskFull(HpsearchError):
    """A write found its disk full: the message names the path, the space free there and
    the space the write needed."""

    exit_code = ExitCode.DISK_FULL


class StudyError(HpsearchError):
    """The study is missing, or exists with different data or settings."""


class DeviceError(HpsearchError):
    """The devices a worker was given cannot train as asked (a GPU it cannot see, a setting
    of its device environment variables that breaks its rule)."""


class ConsecutiveFailures(HpsearchError):
    """A worker's latest trials all failed, so it stops: a bug, bad data or a broken device is
    likelier than bad luck, and retrying forever hides it (KerasTuner's
    ``max_consecutive_failed_trials``)."""

    exit_code = ExitCode.TRIALS_FAILING

    def __init__(self, failures: list[tuple[int, str]], limit: int):
        reasons = "\n".join(f"  trial {number}: {reason}" for number, reason in failures)
        super().__init__(
            f"{len(failures)} trials failed in a row (--max-consecutive-failures {limit}), "
            f"so this worker stops:\n{reasons}\nFix what the reasons point at and start the "
            "worker again, or raise --max-consecutive-failures.")
        self.failures = failures


class TrialFailed(Exception):
    """One trial could not finish (NaN loss, out of memory, framework error).

    The trial is recorded as FAIL with ``reason`` and the worker moves on.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class WorkerInterrupted(BaseException):
    """SIGTERM or SIGINT reached a worker during a trial.

    Raised out of the objective past Optuna (which catches only ``Exception`` and
    ``KeyboardInterrupt``), so the worker itself fails the trial as "interrupted", queues it
    again and exits 0.
    """


class TrialLost(BaseException):
    """The running trial was finished by another process: a stale-trial check failed it (and
    queued it again) while this worker could not heartbeat. The worker drops it and goes on."""

    def __init__(self, number: int):
        super().__init__(f"trial {number} was failed by another worker's stale-trial check")
        self.number = number
