"""What can go wrong, by what it means for the search."""


class HpsearchError(Exception):
    """A problem the user can fix; the CLI prints the message and exits non-zero."""


class DataError(HpsearchError):
    """The data cannot be used as given (missing file, column, labels...)."""


class OptionError(HpsearchError):
    """An option value breaks its rule (a bound, a choice, another option it must outlast)."""


class PathError(HpsearchError):
    """A file or folder named by the user cannot be read or written as asked."""


class StudyError(HpsearchError):
    """The study is missing, or exists with different data or settings."""


class DeviceError(HpsearchError):
    """The devices a worker was given cannot train as asked (a GPU it cannot see, a setting
    of its device environment variables that breaks its rule)."""


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
